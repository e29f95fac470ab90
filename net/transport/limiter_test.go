package transport

import (
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the test steps by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestLimiter(t *testing.T) {
	clk := newFakeClock()
	l := NewLimiter(3, 2*time.Second, clk.Now)
	type step struct {
		advance time.Duration
		want    time.Duration
	}
	steps := []step{
		{0, 0}, {0, 0}, {0, 0}, // the burst
		{0, 2 * time.Second},           // empty: wait a whole interval
		{0, 2 * time.Second},           // asking again takes nothing
		{time.Second, time.Second},     // half a token grown
		{time.Second, 0},               // one token
		{0, 2 * time.Second},           // spent
		{time.Hour, 0}, {0, 0}, {0, 0}, // idle refills to the burst only
		{0, 2 * time.Second},                   // not beyond it
		{-time.Hour, 2 * time.Second},          // clock stepping back mints nothing
		{time.Hour + time.Second, time.Second}, // ... and does not count the span twice
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if got := l.Take(); got != s.want {
			t.Fatalf("step %d (advance %v): Take = %v, want %v", i, s.advance, got, s.want)
		}
	}
}

func TestLimiterNoLimit(t *testing.T) {
	var nilLimiter *Limiter
	if d := nilLimiter.Take(); d != 0 {
		t.Errorf("nil limiter waits %v", d)
	}
	l := NewLimiter(0, 0, nil)
	for range 1000 {
		if d := l.Take(); d != 0 {
			t.Fatalf("interval 0 limiter waits %v", d)
		}
	}
}
