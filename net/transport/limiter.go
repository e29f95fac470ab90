package transport

import (
	"sync"
	"time"
)

// Limiter is the outbound flood control: a token bucket holding up to burst
// tokens, one token added every interval. Servers kill clients that send too
// fast ("Excess Flood"); the bucket lets a short burst through at once and
// then paces lines at the server's tolerated rate.
//
// The clock is injected so tests step time instead of sleeping. A Limiter is
// safe for use by several goroutines.
type Limiter struct {
	mu       sync.Mutex
	burst    float64
	interval time.Duration
	now      func() time.Time
	tokens   float64
	last     time.Time
}

// NewLimiter returns a full bucket. burst < 1 is taken as 1; interval <= 0
// means no limit. now nil = time.Now.
func NewLimiter(burst int, interval time.Duration, now func() time.Time) *Limiter {
	if burst < 1 {
		burst = 1
	}
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		burst:    float64(burst),
		interval: interval,
		now:      now,
		tokens:   float64(burst),
		last:     now(),
	}
}

// Take takes one token if one is available and returns 0; otherwise it takes
// nothing and returns how long until a token will be available, so the caller
// waits that long and asks again. A nil Limiter never limits.
func (l *Limiter) Take() time.Duration {
	if l == nil || l.interval <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill()
	if l.tokens >= 1 {
		l.tokens--
		return 0
	}
	wait := time.Duration((1 - l.tokens) * float64(l.interval))
	if wait <= 0 {
		wait = 1
	}
	return wait
}

// Tokens reports the tokens available now (for status and tests).
func (l *Limiter) Tokens() float64 {
	if l == nil || l.interval <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill()
	return l.tokens
}

func (l *Limiter) refill() {
	now := l.now()
	el := now.Sub(l.last)
	if el <= 0 {
		// A clock stepping backwards must not mint tokens twice for the
		// same span later: keep the latest instant seen.
		return
	}
	l.tokens += float64(el) / float64(l.interval)
	if l.tokens > l.burst {
		l.tokens = l.burst
	}
	l.last = now
}
