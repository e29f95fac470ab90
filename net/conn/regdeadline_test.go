package conn

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"gopkg.in/irc.v4"
)

// A server that never completes registration (here: it never answers
// USER) is dropped RegisterTimeout after the connection was established,
// with an error naming the bound, and retried with the backoff.
func TestRegistrationDeadline(t *testing.T) {
	srv := newRelay(t)
	srv.set(func(r *relay) {
		r.onLine = func(_ *relayClient, m *irc.Message) bool { return m.Command == "USER" }
	})
	clk := NewManualClock(time.Unix(1000, 0))
	cfg := plainNet("net", "reg", srv.port())
	_, c := startPoolWith(t, testLogger{t}, clk, cfg)
	c.wait(5*time.Second, "registering", isState("net", event.StateRegistering))
	srv.waitFor(5*time.Second, "USER", func() bool { return len(srv.lines("reg", "USER")) == 1 })
	clk.Advance(59 * time.Second)
	// Barrier: a line read after the advance shows the loop got past it.
	srv.client("reg").send(":srv NOTICE reg :*** still looking")
	c.wait(5*time.Second, "the notice", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && strings.Contains(m.Text, "still looking")
	})
	if n := c.states("net", event.StateWaiting); n != 0 {
		t.Fatalf("dropped before the registration deadline")
	}
	clk.Advance(time.Second)
	e := c.wait(5*time.Second, "the error", func(e event.Event) bool { _, ok := e.(event.Error); return ok }).(event.Error)
	if e.Text != "registration did not complete within 60 s" || e.Fatal {
		t.Errorf("error %+v", e)
	}
	w := c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting)).(event.ConnState)
	if w.RetryIn <= 0 || !strings.Contains(w.Reason, "registration") {
		t.Errorf("waiting state %+v, want a retry with the reason", w)
	}
	srv.waitFor(5*time.Second, "the connection closed", func() bool { return srv.connections("reg") == 0 })
	clk.Advance(time.Minute) // the backoff
	srv.waitFor(5*time.Second, "a new connection", func() bool { return len(srv.lines("reg", "USER")) == 2 })
}

// The deadline is configurable, and a connection that registers in time
// is kept past it.
func TestRegistrationDeadlineStoppedAt001(t *testing.T) {
	srv := newRelay(t)
	clk := NewManualClock(time.Unix(1000, 0))
	cfg := plainNet("net", "ok", srv.port())
	cfg.RegisterTimeout = 5 * time.Second
	cfg.PingInterval = time.Hour
	_, c := startPoolWith(t, testLogger{t}, clk, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	clk.Advance(10 * time.Second)
	srv.client("ok").send("PING :barrier")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("ok", "PONG")) == 1 })
	if n := c.states("net", event.StateWaiting); n != 0 {
		t.Errorf("a registered connection was dropped by the registration deadline")
	}
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Error); return ok }); n != 0 {
		t.Errorf("%d errors after registering in time", n)
	}
}

func TestWholeSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		60 * time.Second:        "60 s",
		90 * time.Second:        "90 s",
		1500 * time.Millisecond: "1.5s",
		time.Millisecond:        "1ms",
	} {
		if got := wholeSeconds(d); got != want {
			t.Errorf("wholeSeconds(%v) = %q, want %q", d, got, want)
		}
	}
}
