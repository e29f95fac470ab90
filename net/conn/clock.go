package conn

import (
	"sync"
	"time"
)

// Clock is the time source of a Pool. Every timeout the connection owner
// keeps (lag pings, dead-connection checks, reconnect backoff, migration
// timers) goes through it, so tests can drive time by hand instead of
// sleeping.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed. The
	// returned Timer's Stop prevents a call that has not started yet.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call.
type Timer interface {
	// Stop reports whether it prevented the call.
	Stop() bool
}

// wallClock is the real clock, with an optional overridden Now (PoolOptions.Now).
type wallClock struct{ now func() time.Time }

func (c wallClock) Now() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

func (wallClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// ManualClock is a Clock whose time only moves when Advance is called.
// Timers whose deadline is reached fire during Advance, in deadline order,
// one after the other in a goroutine of their own (so a timer's call that
// posts to a loop lands there before a later timer's). It is exported for tests of packages that
// drive a Pool.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*manualTimer
}

// NewManualClock starts at t.
func NewManualClock(t time.Time) *ManualClock { return &ManualClock{now: t} }

type manualTimer struct {
	c       *ManualClock
	at      time.Time
	f       func()
	stopped bool
}

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run when the clock has been advanced by d.
func (c *ManualClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &manualTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop cancels the timer if it has not fired.
func (t *manualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.stopped {
		return false
	}
	t.stopped = true
	return true
}

// Advance moves the clock forward by d and fires every timer now due.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	var due, keep []*manualTimer
	for _, t := range c.timers {
		switch {
		case t.stopped:
		case !t.at.After(c.now):
			t.stopped = true
			due = append(due, t)
		default:
			keep = append(keep, t)
		}
	}
	c.timers = keep
	c.mu.Unlock()
	for i := 1; i < len(due); i++ { // insertion sort: few timers, stable order
		for j := i; j > 0 && due[j].at.Before(due[j-1].at); j-- {
			due[j], due[j-1] = due[j-1], due[j]
		}
	}
	if len(due) > 0 {
		go func() {
			for _, t := range due {
				t.f()
			}
		}()
	}
}

// Pending reports how many timers are armed; tests use it to wait until the
// code under test has scheduled what they are about to fire.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped {
			n++
		}
	}
	return n
}
