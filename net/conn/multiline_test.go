package conn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestMigrationKeepsMultilineBatchTogether: a multiline batch that OLD's
// writer has begun when the move is accepted ends on OLD, before MIGRATE
// OK, never half on each server; a line typed after it is taken back as
// usual and reaches OLD after the aborted move. The batch's message is
// Delivered once.
func TestMigrationKeepsMultilineBatchTogether(t *testing.T) {
	old := newRelay(t)
	old.set(func(r *relay) { r.capLS = "draft/migrate batch draft/multiline=max-bytes=4096,max-lines=24" })
	target := newRelay(t)
	cfg := plainNet("net", "ida", old.port())
	cfg.Flood = backlogFlood // one line per 200 ms after the first
	p, c := startPool(t, cfg)
	c.wait(10*time.Second, "registered", isState("net", event.StateRegistered))
	cl := capsAcked(t, old, "ida")

	var paste []string
	for i := range 10 {
		paste = append(paste, fmt.Sprint("pasted ", i))
	}
	p.Do("net", command.SendText{ID: 1, Target: "cy", Text: strings.Join(paste, "\n")})
	p.Do("net", command.SendText{ID: 2, Target: "cy", Text: "typed after"})
	c.wait(5*time.Second, "the second line announced", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 2
	})
	old.waitFor(5*time.Second, "the batch begun", func() bool { return len(old.lines("ida", "BATCH +")) == 1 })
	cl.send(":srv MIGRATE START 127.0.0.1 " + strconv.Itoa(target.port()) + " rtok ctok s2")
	old.waitFor(10*time.Second, "OK", func() bool { return len(old.lines("ida", "MIGRATE OK rtok")) == 1 })
	seen := old.lines("ida", "")
	ok := slices.Index(seen, "MIGRATE OK rtok")
	end := slices.IndexFunc(seen, func(l string) bool { return strings.HasPrefix(l, "BATCH -") })
	if end < 0 || end > ok {
		t.Fatalf("OLD did not get the whole batch before OK:\n%q", seen)
	}
	var inBatch []string
	for _, l := range seen[:ok] {
		if _, text, found := strings.Cut(l, "PRIVMSG cy :"); found {
			inBatch = append(inBatch, text)
		} else if _, text, found := strings.Cut(l, "PRIVMSG cy "); found {
			inBatch = append(inBatch, text)
		}
	}
	if !slices.Equal(inBatch, paste) {
		t.Fatalf("before OK OLD got %q, want the batch %q", inBatch, paste)
	}
	cl.send(":srv FAIL MIGRATE ABORTED rtok :no")
	c.wait(5*time.Second, "failed", isMigration(event.MigrationFailed))
	old.waitFor(10*time.Second, "the line typed after", func() bool { return len(old.lines("ida", "PRIVMSG cy :typed after")) == 1 })
	for id := uint64(1); id <= 2; id++ {
		c.wait(5*time.Second, fmt.Sprint("delivered ", id), isDelivered(id))
	}
	var delivered int
	for _, e := range c.snapshot() {
		switch e := e.(type) {
		case event.Delivered:
			if e.LocalID == 1 {
				delivered++
			}
		case event.Failed:
			t.Errorf("line %d failed: %s", e.LocalID, e.Reason)
		}
	}
	if delivered != 1 {
		t.Errorf("the batch Delivered %d times", delivered)
	}
	if n := len(target.lines("*", "")) + len(target.lines("ida", "")); n != 0 {
		t.Errorf("the target read %d lines", n)
	}
}

// TestLostLinkFailsRestOfMultilineBatch: when the link dies after OLD got
// the start of a multiline batch, the rest is not sent on the next
// connection without its opening line: the message fails (it may have
// partly arrived); a line typed after it is still sent once.
func TestLostLinkFailsRestOfMultilineBatch(t *testing.T) {
	srv := newRelay(t)
	srv.set(func(r *relay) { r.capLS = "batch draft/multiline=max-bytes=4096,max-lines=24" })
	clk := NewManualClock(time.Unix(1000, 0))
	cfg := plainNet("net", "val", srv.port())
	// The clock never moves while the lines are typed: after the burst,
	// the limiter holds every further line.
	cfg.Flood = Flood{Burst: 10, Interval: time.Hour}
	cfg.Backoff = Backoff{Min: time.Second, Max: time.Second}
	p, c := startPoolWith(t, testLogger{t}, clk, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	capsAcked(t, srv, "val")
	var paste []string
	for i := range 20 {
		paste = append(paste, fmt.Sprint("pasted ", i))
	}
	p.Do("net", command.SendText{ID: 1, Target: "wes", Text: strings.Join(paste, "\n")})
	p.Do("net", command.SendText{ID: 2, Target: "wes", Text: "typed after"})
	srv.waitFor(5*time.Second, "the batch begun", func() bool { return len(srv.lines("val", "BATCH +")) == 1 })
	srv.client("val").send("PING :b1")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("val", "PONG b1")) == 1 })
	if len(srv.lines("val", "BATCH -")) != 0 {
		t.Fatal("the whole batch passed the limiter; the test needs it cut")
	}
	srv.drop("val")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	clk.Advance(2 * time.Second)
	failed := c.wait(5*time.Second, "the batch failed", func(e event.Event) bool {
		f, ok := e.(event.Failed)
		return ok && f.LocalID == 1
	}).(event.Failed)
	if !strings.Contains(failed.Reason, "multiline") {
		t.Errorf("reason %q", failed.Reason)
	}
	c.wait(5*time.Second, "the line after delivered", isDelivered(2))
	srv.waitFor(5*time.Second, "the old connection gone", func() bool { return srv.connections("val") == 1 })
	srv.client("val").send("PING :b2")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("val", "PONG b2")) == 1 })
	// Lines of the batch after the first connection's: none, and no
	// batch end without its start.
	all := srv.lines("val", "")
	second := slices.Index(all, "PONG b1")
	for _, l := range all[second+1:] {
		if strings.Contains(l, "batch=") || strings.HasPrefix(l, "BATCH") {
			t.Errorf("after the lost link the server got %q", l)
		}
	}
	if got := srv.lines("val", "PRIVMSG wes :typed after"); len(got) != 1 {
		t.Errorf("the line typed after arrived %d times", len(got))
	}
	if n := c.count(func(e event.Event) bool { d, ok := e.(event.Delivered); return ok && d.LocalID == 1 }); n != 0 {
		t.Errorf("the cut batch reported Delivered")
	}
}
