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
