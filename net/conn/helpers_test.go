package conn

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/transport"
)

type testLogger struct{ t *testing.T }

func (l testLogger) Printf(format string, v ...any) { l.t.Logf(format, v...) }

// collector reads a Pool's Events channel into memory for assertions.
type collector struct {
	t       *testing.T
	mu      sync.Mutex
	evs     []event.Event
	batches int
	steps   map[event.MigrationStep]int // Migration events by step, kept as they arrive
	changed chan struct{}
	done    chan struct{}
}

func collect(t *testing.T, p *Pool) *collector {
	c := &collector{t: t, steps: map[event.MigrationStep]int{}, changed: make(chan struct{}, 1), done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for b := range p.Events() {
			c.mu.Lock()
			c.evs = append(c.evs, b.Events...)
			c.batches++
			for _, e := range b.Events {
				if m, ok := e.(event.Migration); ok {
					c.steps[m.Step]++
				}
			}
			c.mu.Unlock()
			select {
			case c.changed <- struct{}{}:
			default:
			}
		}
	}()
	return c
}

func (c *collector) snapshot() []event.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]event.Event(nil), c.evs...)
}

// wait blocks until some collected event satisfies match, returning it.
func (c *collector) wait(d time.Duration, what string, match func(event.Event) bool) event.Event {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		for _, e := range c.snapshot() {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %v waiting for %s; events: %s", d, what, describe(c.snapshot()))
		}
		select {
		case <-c.changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stepCount is how many Migration events of step st arrived, without
// scanning every event (the stress test waits on it after each of its
// migrations, with thousands of events collected).
func (c *collector) stepCount(st event.MigrationStep) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.steps[st]
}

// waitCond blocks until cond holds, re-checking whenever events arrive.
func (c *collector) waitCond(d time.Duration, what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %v waiting for %s; events: %s", d, what, describe(c.snapshot()))
		}
		select {
		case <-c.changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// count returns how many collected events satisfy match.
func (c *collector) count(match func(event.Event) bool) int {
	n := 0
	for _, e := range c.snapshot() {
		if match(e) {
			n++
		}
	}
	return n
}

func describe(evs []event.Event) string {
	s := ""
	if len(evs) > 60 {
		s = fmt.Sprintf("\n  (%d earlier events)", len(evs)-60)
		evs = evs[len(evs)-60:]
	}
	for _, e := range evs {
		s += fmt.Sprintf("\n  %T%+v", e, e)
	}
	return s
}

func isState(network string, st event.State) func(event.Event) bool {
	return func(e event.Event) bool {
		cs, ok := e.(event.ConnState)
		return ok && cs.State == st && cs.Network == network
	}
}

// nthState matches the n-th (1-based) ConnState st of network.
func (c *collector) states(network string, st event.State) int {
	return c.count(isState(network, st))
}

// plainNet is a NetworkConfig for a relay on loopback with fast timers.
func plainNet(name, nick string, port int) NetworkConfig {
	return NetworkConfig{
		Name:    name,
		Dial:    transport.DialConfig{Host: "127.0.0.1", Port: port},
		Session: session.Config{Nick: nick, User: nick},
		Backoff: Backoff{Min: 20 * time.Millisecond, Max: 100 * time.Millisecond},
		Flood:   Flood{Burst: 1000, Interval: time.Millisecond},
	}
}

func startPool(t *testing.T, nets ...NetworkConfig) (*Pool, *collector) {
	t.Helper()
	p := NewPool(PoolOptions{Networks: nets, Log: testLogger{t}})
	c := collect(t, p)
	p.Start()
	t.Cleanup(func() {
		p.Close()
		<-c.done
	})
	return p, c
}
