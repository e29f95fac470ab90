package conn

import (
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"gopkg.in/irc.v4"
)

func TestReconnectAfterDropRejoins(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "carol", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Join{Channel: "#a"})
	srv.waitFor(5*time.Second, "join", func() bool { return len(srv.lines("carol", "JOIN #a")) == 1 })
	c.wait(5*time.Second, "joined", func(e event.Event) bool { j, ok := e.(event.Join); return ok && j.Channel == "#a" })

	srv.drop("carol")
	w := c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting)).(event.ConnState)
	if w.RetryIn <= 0 || w.RetryIn > 100*time.Millisecond {
		t.Errorf("RetryIn = %v, want within the injected backoff (0, 100ms]", w.RetryIn)
	}
	srv.waitFor(5*time.Second, "rejoin", func() bool { return len(srv.lines("carol", "JOIN #a")) == 2 })
	c.waitCond(5*time.Second, "registered again", func() bool { return c.states("net", event.StateRegistered) >= 2 })
	if n := c.states("net", event.StateRegistered); n != 2 {
		t.Errorf("Registered %d times, want 2", n)
	}
}

func TestBackoffGrowsWhileServerRefuses(t *testing.T) {
	srv := newRelay(t)
	cfg := plainNet("net", "dave", srv.port())
	cfg.Backoff = Backoff{Min: 10 * time.Millisecond, Max: 80 * time.Millisecond}
	_, c := startPool(t, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	srv.set(func(r *relay) { r.refuse = true })
	srv.drop("dave")
	// Collect several Waiting states while every attempt is refused.
	deadline := time.Now().Add(5 * time.Second)
	for c.states("net", event.StateWaiting) < 6 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	var waits []time.Duration
	for _, e := range c.snapshot() {
		if cs, ok := e.(event.ConnState); ok && cs.State == event.StateWaiting {
			waits = append(waits, cs.RetryIn)
		}
	}
	if len(waits) < 6 {
		t.Fatalf("only %d retries seen", len(waits))
	}
	for i, w := range waits {
		if w < cfg.Backoff.Min || w > cfg.Backoff.Max {
			t.Errorf("retry %d waits %v, outside [%v, %v]", i, w, cfg.Backoff.Min, cfg.Backoff.Max)
		}
	}
	if waits[4] < 2*waits[0] {
		t.Errorf("backoff did not grow: %v", waits)
	}
	srv.set(func(r *relay) { r.refuse = false })
	c.wait(5*time.Second, "registered again", func(e event.Event) bool {
		return c.states("net", event.StateRegistered) == 2
	})
}

func TestBackoffDelays(t *testing.T) {
	b := Backoff{}
	tests := []struct {
		attempt  int
		rnd      float64
		min, max time.Duration
	}{
		{0, 0, time.Second, time.Second}, // never below Min
		{0, 0.999, time.Second, 1250 * time.Millisecond},
		{3, 0.5, 8 * time.Second, 8 * time.Second},
		{20, 0.999, 5 * time.Minute, 5 * time.Minute}, // capped at Max
		{100, 0, 225 * time.Second, 225 * time.Second},
	}
	for _, tt := range tests {
		d := b.delay(tt.attempt, func() float64 { return tt.rnd })
		if d < tt.min || d > tt.max {
			t.Errorf("delay(%d, %v) = %v, want in [%v, %v]", tt.attempt, tt.rnd, d, tt.min, tt.max)
		}
	}
}

func TestDeadConnectionDetected(t *testing.T) {
	srv := newRelay(t)
	cfg := plainNet("net", "erin", srv.port())
	cfg.PingInterval = 50 * time.Millisecond
	cfg.DeadAfter = 300 * time.Millisecond
	// The silence counts from the last line the server sent: the PONG to
	// the last PING it answered, sent after the time noted here. (Counted
	// from when the test turns the server silent, it can be shorter than
	// DeadAfter by a whole ping interval and more on a loaded machine.)
	var mu sync.Mutex
	var lastAnswer time.Time
	srv.set(func(r *relay) {
		r.onLine = func(_ *relayClient, m *irc.Message) bool {
			if m.Command == "PING" {
				mu.Lock()
				lastAnswer = time.Now()
				mu.Unlock()
			}
			return false
		}
	})
	_, c := startPool(t, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	// Lag pings go out and are answered while the server is alive.
	srv.waitFor(5*time.Second, "lag pings", func() bool { return len(srv.lines("erin", "PING")) >= 3 })
	if n := c.states("net", event.StateWaiting); n != 0 {
		t.Fatalf("a live connection was declared dead")
	}
	srv.set(func(r *relay) { r.silent = true })
	w := c.wait(5*time.Second, "waiting after silence", isState("net", event.StateWaiting)).(event.ConnState)
	mu.Lock()
	silent := time.Since(lastAnswer)
	mu.Unlock()
	if silent < cfg.DeadAfter {
		t.Errorf("declared dead %v after the server's last line, before DeadAfter %v", silent, cfg.DeadAfter)
	}
	if w.Reason == "" {
		t.Error("Waiting without a reason")
	}
	srv.set(func(r *relay) { r.silent = false })
	c.wait(5*time.Second, "registered again", func(event.Event) bool { return c.states("net", event.StateRegistered) >= 2 })
}

// The dead-connection timer, driven by a manual clock: nothing happens
// before DeadAfter of silence, the connection is replaced right after.
func TestDeadConnectionManualClock(t *testing.T) {
	srv := newRelay(t)
	srv.set(func(r *relay) {
		// Never answer our lag PING: only silence counts.
		r.onLine = func(_ *relayClient, m *irc.Message) bool { return m.Command == "PING" }
	})
	clk := NewManualClock(time.Unix(1000, 0))
	cfg := plainNet("net", "fay", srv.port())
	cfg.DeadAfter = 120 * time.Second
	_, c := startPoolWith(t, testLogger{t}, clk, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	// Barrier: every line of registration has been read before time moves.
	srv.client("fay").send("PING :barrier")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("fay", "PONG")) == 1 })
	clk.Advance(119 * time.Second)
	srv.waitFor(5*time.Second, "lag ping", func() bool { return len(srv.lines("fay", "PING")) >= 1 })
	if n := c.states("net", event.StateWaiting); n != 0 {
		t.Fatalf("declared dead before DeadAfter")
	}
	clk.Advance(2 * time.Second)
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
}
