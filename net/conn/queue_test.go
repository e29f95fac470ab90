package conn

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

func TestLinesTypedWhileDisconnectedAreDeliveredOnceAfterReconnect(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "gus", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Join{Channel: "#q"})
	srv.waitFor(5*time.Second, "join", func() bool { return len(srv.lines("gus", "JOIN #q")) == 1 })
	c.wait(5*time.Second, "joined", isSelfJoin("#q"))

	srv.set(func(r *relay) { r.refuse = true })
	srv.drop("gus")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	for i := 1; i <= 3; i++ {
		p.Do("net", command.SendText{ID: uint64(100 + i), Target: "#q", Text: fmt.Sprintf("offline %d", i)})
	}
	for i := 1; i <= 3; i++ {
		id := uint64(100 + i)
		m := c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && m.LocalID == id
		}).(event.Message)
		if !m.Pending {
			t.Errorf("echo of line %d typed while offline is not pending", i)
		}
	}
	if c.count(func(e event.Event) bool { _, ok := e.(event.Delivered); return ok }) != 0 {
		t.Fatal("Delivered while offline")
	}
	srv.set(func(r *relay) { r.refuse = false })
	srv.waitFor(5*time.Second, "three lines", func() bool { return len(srv.lines("gus", "PRIVMSG #q")) >= 3 })
	for i := 1; i <= 3; i++ {
		id := uint64(100 + i)
		c.wait(5*time.Second, "delivered", func(e event.Event) bool {
			d, ok := e.(event.Delivered)
			return ok && d.LocalID == id
		})
	}
	// Exactly once, in order, after the rejoin.
	all := srv.lines("gus", "")
	var after []string
	for i := len(all) - 1; i >= 0; i-- {
		if strings.HasPrefix(all[i], "USER") {
			after = all[i:]
			break
		}
	}
	var got []string
	joined := false
	for _, l := range after {
		if strings.HasPrefix(l, "JOIN #q") {
			joined = true
		}
		if strings.HasPrefix(l, "PRIVMSG") {
			if !joined {
				t.Errorf("%q sent before the rejoin", l)
			}
			got = append(got, l)
		}
	}
	want := []string{"PRIVMSG #q :offline 1", "PRIVMSG #q :offline 2", "PRIVMSG #q :offline 3"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after reconnect the server got %q, want %q", got, want)
	}
	time.Sleep(50 * time.Millisecond) // a double send would show up by now
	if n := len(srv.lines("gus", "PRIVMSG")); n != 3 {
		t.Errorf("server got %d PRIVMSG in all, want 3", n)
	}
}

// The backoff runs on a manual clock: on the wall clock the test had to
// send /quit within about 60 ms of the first Waiting (two 20 ms-scale
// backoffs) or it counted a third attempt, which a loaded machine can miss.
func TestQuitFailsQueuedLines(t *testing.T) {
	srv := newRelay(t)
	clk := NewManualClock(time.Unix(1000, 0))
	p, c := startPoolWith(t, testLogger{t}, clk, plainNet("net", "hal", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	srv.set(func(r *relay) { r.refuse = true })
	srv.drop("hal")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	p.Do("net", command.SendText{ID: 9, Target: "#x", Text: "never"})
	p.Do("net", command.Quit{Reason: "bye"})
	f := c.wait(5*time.Second, "failed", func(e event.Event) bool {
		f, ok := e.(event.Failed)
		return ok && f.LocalID == 9
	}).(event.Failed)
	if f.Reason == "" {
		t.Error("Failed without a reason")
	}
	c.wait(5*time.Second, "disconnected", isState("net", event.StateDisconnected))
	srv.set(func(r *relay) { r.refuse = false })
	clk.Advance(time.Minute)          // past any backoff: no reconnect may happen
	time.Sleep(50 * time.Millisecond) // a dial would be seen by now
	if n := c.states("net", event.StateConnecting); n != 1 {
		t.Errorf("%d connection attempts, want only the first (none after the quit)", n)
	}
	if n := len(srv.lines("hal", "PRIVMSG")); n != 0 {
		t.Errorf("a failed line reached the server")
	}
}

func TestQuitSendsQuitAndStaysDisconnected(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "ivy", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Quit{Reason: "see you"})
	srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("ivy", "QUIT :see you")) == 1 })
	c.wait(5*time.Second, "disconnected", isState("net", event.StateDisconnected))
	p.Do("net", command.Connect{})
	c.wait(5*time.Second, "registered again", func(event.Event) bool { return c.states("net", event.StateRegistered) == 2 })
}

func TestFloodArrivesInFewBatches(t *testing.T) {
	const lines = 2000
	srv := newRelay(t)
	cfg := plainNet("net", "jo", srv.port())
	p := NewPool(PoolOptions{Networks: []NetworkConfig{cfg}, Log: nil})
	p.Start()
	defer p.Close()
	srv.waitFor(5*time.Second, "registration", func() bool { return srv.client("jo") != nil && len(srv.lines("jo", "USER")) == 1 })
	cl := srv.client("jo")
	for i := 0; i < lines; i++ {
		cl.send(fmt.Sprintf(":other!u@h PRIVMSG jo :line %d", i))
	}
	cl.send("PING :barrier")
	// The loop handles lines in order: once PONG barrier is back, every
	// message has been turned into events, and nobody has read them yet.
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("jo", "PONG")) == 1 })
	msgs, batches := 0, 0
	timeout := time.After(5 * time.Second)
	for msgs < lines {
		select {
		case b := <-p.Events():
			batches++
			for _, e := range b.Events {
				if m, ok := e.(event.Message); ok {
					if want := fmt.Sprintf("line %d", msgs); m.Text != want {
						t.Fatalf("message %d is %q, want %q", msgs, m.Text, want)
					}
					msgs++
				}
			}
		case <-timeout:
			t.Fatalf("got %d of %d messages in %d batches", msgs, lines, batches)
		}
	}
	if batches > 3 {
		t.Errorf("%d lines took %d batches; want them coalesced into at most 3", lines, batches)
	}
	t.Logf("%d lines in %d batches", lines, batches)
}

func TestCloseWithoutReaderIsBounded(t *testing.T) {
	srv := newRelay(t)
	p := NewPool(PoolOptions{Networks: []NetworkConfig{plainNet("net", "kim", srv.port())}})
	p.Start()
	srv.waitFor(5*time.Second, "registration", func() bool { return len(srv.lines("kim", "USER")) == 1 })
	cl := srv.client("kim")
	for i := 0; i < 100; i++ {
		cl.send(":other!u@h PRIVMSG kim :unread")
	}
	done := make(chan struct{})
	start := time.Now()
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close blocked with nobody reading Events")
	}
	t.Logf("Close took %v", time.Since(start))
	if _, ok := <-p.Events(); ok {
		// a batch may still be in flight; the channel must then be closed
		for range p.Events() {
		}
	}
	srv.waitFor(5*time.Second, "QUIT on close", func() bool { return len(srv.lines("kim", "QUIT")) == 1 })
}

func TestDoUnknownNetwork(t *testing.T) {
	p := NewPool(PoolOptions{})
	c := collect(t, p)
	p.Do("nope", command.Join{Channel: "#x"})
	e := c.wait(time.Second, "error", func(e event.Event) bool { _, ok := e.(event.Error); return ok }).(event.Error)
	if e.Network != "nope" || !strings.Contains(e.Text, "nope") {
		t.Errorf("got %+v", e)
	}
	p.Close()
	<-c.done
}

// A server that never answers a JOIN of the rejoin must not keep queued
// lines back forever: after rejoinTimeout they go out anyway.
func TestQueueOpensWhenRejoinNeverAnswers(t *testing.T) {
	srv := newRelay(t)
	srv.set(func(r *relay) {
		r.onLine = func(_ *relayClient, m *irc.Message) bool { return m.Command == "JOIN" }
	})
	clk := NewManualClock(time.Unix(1000, 0))
	cfg := plainNet("net", "uma", srv.port())
	cfg.Session.Autojoin = []session.Channel{{Name: "#void"}}
	p, c := startPoolWith(t, testLogger{t}, clk, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	srv.waitFor(5*time.Second, "the unanswered JOIN", func() bool { return len(srv.lines("uma", "JOIN #void")) == 1 })
	p.Do("net", command.SendText{ID: 1, Target: "yul", Text: "waiting"})
	c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 1 && m.Pending
	})
	clk.Advance(rejoinTimeout - time.Second)
	srv.client("uma").send("PING :barrier")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("uma", "PONG")) == 1 })
	if n := len(srv.lines("uma", "PRIVMSG")); n != 0 {
		t.Fatalf("a queued line went out before the rejoin timeout")
	}
	clk.Advance(2 * time.Second)
	c.wait(5*time.Second, "delivered", isDelivered(1))
	srv.waitFor(5*time.Second, "the line", func() bool { return len(srv.lines("uma", "PRIVMSG yul")) == 1 })
}

// Lines held back by flood control are not delivered yet: when the
// connection dies they go out again, once, in order, on the next one, and
// Delivered is reported only for lines actually written.
func TestUnsentLinesSurviveALostConnection(t *testing.T) {
	srv := newRelay(t)
	clk := NewManualClock(time.Unix(1000, 0))
	cfg := plainNet("net", "val", srv.port())
	// The clock never moves while the lines are typed: after the burst,
	// the limiter holds every further line.
	cfg.Flood = Flood{Burst: 10, Interval: time.Hour}
	cfg.Backoff = Backoff{Min: time.Second, Max: time.Second}
	p, c := startPoolWith(t, testLogger{t}, clk, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	const lines = 12
	for i := 1; i <= lines; i++ {
		p.Do("net", command.SendText{ID: uint64(i), Target: "wes", Text: fmt.Sprintf("line %d", i)})
	}
	// The burst of 10 covers registration and some of the lines; PING and
	// PONG bypass the limiter.
	limited := 0
	for _, l := range append(srv.lines("*", ""), srv.lines("val", "")...) {
		if !strings.HasPrefix(l, "PONG") && !strings.HasPrefix(l, "PRIVMSG") {
			limited++
		}
	}
	written := 10 - limited
	if written <= 0 || written >= lines {
		t.Fatalf("%d of %d lines can pass the limiter; the test needs some held back", written, lines)
	}
	srv.waitFor(5*time.Second, "the burst", func() bool { return len(srv.lines("val", "PRIVMSG")) == written })
	c.wait(5*time.Second, "delivered", isDelivered(uint64(written)))
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Delivered); return ok }); n != written {
		t.Errorf("%d Delivered for %d lines written", n, written)
	}

	srv.drop("val")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	clk.Advance(2 * time.Second) // the backoff; far too little for a new token
	for i := 1; i <= lines; i++ {
		c.wait(5*time.Second, fmt.Sprintf("delivered %d", i), isDelivered(uint64(i)))
	}
	srv.waitFor(5*time.Second, "every line", func() bool { return len(srv.lines("val", "PRIVMSG")) >= lines })
	srv.waitFor(5*time.Second, "the old connection gone", func() bool { return srv.connections("val") == 1 })
	srv.client("val").send("PING :barrier2")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("val", "PONG barrier2")) == 1 })
	got := srv.lines("val", "PRIVMSG")
	if len(got) != lines {
		t.Fatalf("server got %d lines, want %d: %q", len(got), lines, got)
	}
	for i, l := range got {
		if want := fmt.Sprintf("PRIVMSG wes :line %d", i+1); l != want {
			t.Errorf("line %d is %q, want %q", i+1, l, want)
		}
	}
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Failed); return ok }); n != 0 {
		t.Errorf("%d lines reported Failed", n)
	}
}

// A line typed while offline to a channel whose rejoin is refused is
// reported Failed, not sent; a line to a channel that was rejoined goes out.
func TestQueuedLineToRefusedChannelFails(t *testing.T) {
	srv := newRelay(t)
	banned := false
	srv.set(func(r *relay) {
		r.onLine = func(c *relayClient, m *irc.Message) bool {
			if m.Command != "JOIN" || !banned {
				return false
			}
			var keep []string
			for _, ch := range strings.Split(m.Param(0), ",") {
				if ch == "#ban" {
					c.send(":srv 474 " + c.nick + " #ban :Cannot join channel (+b)")
					continue
				}
				keep = append(keep, ch)
			}
			if len(keep) == 0 {
				return true
			}
			m.Params[0] = strings.Join(keep, ",")
			return false
		}
	})
	p, c := startPool(t, plainNet("net", "xan", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Join{Channel: "#ok"})
	p.Do("net", command.Join{Channel: "#ban"})
	c.wait(5*time.Second, "joined #ok", isSelfJoin("#ok"))
	c.wait(5*time.Second, "joined #ban", isSelfJoin("#ban"))

	srv.set(func(r *relay) { r.refuse = true; banned = true })
	srv.drop("xan")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	p.Do("net", command.SendText{ID: 1, Target: "#ban", Text: "to the banned channel"})
	p.Do("net", command.SendText{ID: 2, Target: "#ok", Text: "to the open channel"})
	c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 2 && m.Pending
	})
	srv.set(func(r *relay) { r.refuse = false })
	f := c.wait(5*time.Second, "failed", func(e event.Event) bool {
		f, ok := e.(event.Failed)
		return ok && f.LocalID == 1
	}).(event.Failed)
	if !strings.Contains(f.Reason, "#ban") {
		t.Errorf("Failed reason %q does not name the channel", f.Reason)
	}
	c.wait(5*time.Second, "delivered", isDelivered(2))
	srv.waitFor(5*time.Second, "the open channel's line", func() bool { return len(srv.lines("xan", "PRIVMSG #ok")) == 1 })
	if n := len(srv.lines("xan", "PRIVMSG #ban")); n != 0 {
		t.Errorf("the line to the refused channel was sent")
	}
	if n := c.count(isDelivered(1)); n != 0 {
		t.Errorf("the failed line was also reported Delivered")
	}
}

// With echo-message, the server's echo of a line that waited in the
// offline queue across a reconnect carries that line's LocalID, so the UI
// updates the line instead of showing it twice.
func TestEchoOfQueuedLineMatched(t *testing.T) {
	srv := newRelay(t)
	srv.set(func(r *relay) { r.capLS = "echo-message message-tags"; r.echo = true })
	p, c := startPool(t, plainNet("net", "zed", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	srv.set(func(r *relay) { r.refuse = true })
	srv.drop("zed")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	p.Do("net", command.SendText{ID: 41, Target: "amy", Text: "typed offline"})
	c.wait(5*time.Second, "pending", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 41 && m.Pending
	})
	srv.set(func(r *relay) { r.refuse = false })
	echo := c.wait(5*time.Second, "the echo", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.Self && m.MsgID != "" && m.Text == "typed offline"
	}).(event.Message)
	if echo.LocalID != 41 {
		t.Errorf("the echo of the queued line came with LocalID %d, want 41: %+v", echo.LocalID, echo)
	}
	// A line typed while connected is matched by the session as before.
	p.Do("net", command.SendText{ID: 42, Target: "amy", Text: "typed online"})
	echo = c.wait(5*time.Second, "the second echo", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.Self && m.MsgID != "" && m.Text == "typed online"
	}).(event.Message)
	if echo.LocalID != 42 {
		t.Errorf("the echo of a live line came with LocalID %d, want 42", echo.LocalID)
	}
}

// The lines still waiting for a connection when the Pool closes are
// reported Failed and kept for Undelivered, in order, with their network,
// target and LocalID (every line of a split text); a line that was
// delivered is not among them.
func TestUndeliveredAfterClose(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "una", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.SendText{ID: 1, Target: "bob", Text: "went out"})
	c.wait(5*time.Second, "delivered", func(e event.Event) bool {
		d, ok := e.(event.Delivered)
		return ok && d.LocalID == 1
	})
	srv.set(func(r *relay) { r.refuse = true })
	srv.drop("una")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	p.Do("net", command.SendText{ID: 2, Target: "#x", Text: "first"})
	p.Do("net", command.Join{Channel: "#y"})
	p.Do("net", command.SendText{ID: 3, Target: "bob", Text: strings.Repeat("long ", 200)})
	c.wait(5*time.Second, "pending", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 3 && m.Pending
	})
	if got := p.Undelivered(); len(got) != 0 {
		t.Errorf("Undelivered before Close: %v", got)
	}
	p.Close()
	got := p.Undelivered()
	var ids []uint64
	for _, u := range got {
		ids = append(ids, u.LocalID)
		if u.Network != "net" {
			t.Errorf("line %v of network %q", u.Msg, u.Network)
		}
	}
	if len(got) < 4 || !slices.Equal(ids[:3], []uint64{2, 0, 3}) || got[0].Target != "#x" || got[0].Msg.Trailing() != "first" ||
		got[1].Msg.Command != "JOIN" || got[2].Target != "bob" {
		t.Fatalf("Undelivered = %+v, want #x first, JOIN #y, then the split text to bob", got)
	}
	for _, u := range got[3:] {
		if u.LocalID != 3 {
			t.Errorf("line after the split text: %+v", u)
		}
	}
}
