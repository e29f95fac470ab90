package conn

import (
	"math/rand/v2"
	"time"
)

// Backoff is the reconnect delay policy: exponential from Min to Max with
// jitter, so a whole user base does not reconnect in lockstep after a
// server restart. Zero values take the defaults (1 s, 5 min).
type Backoff struct {
	Min time.Duration
	Max time.Duration
}

const (
	defaultBackoffMin = time.Second
	defaultBackoffMax = 5 * time.Minute
)

func (b Backoff) withDefaults() Backoff {
	if b.Min <= 0 {
		b.Min = defaultBackoffMin
	}
	if b.Max <= 0 {
		b.Max = defaultBackoffMax
	}
	if b.Max < b.Min {
		b.Max = b.Min
	}
	return b
}

// delay is the wait before reconnect attempt number attempt (0 = the first
// retry after a loss). The base doubles per attempt from Min up to Max; the
// actual delay is the base scaled by a random factor in [0.75, 1.25), then
// clamped to [Min, Max]. rnd returns a value in [0,1); nil uses math/rand.
func (b Backoff) delay(attempt int, rnd func() float64) time.Duration {
	b = b.withDefaults()
	ceil := b.Min
	for i := 0; i < attempt && ceil < b.Max; i++ {
		ceil *= 2
	}
	if ceil > b.Max {
		ceil = b.Max
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	d := time.Duration(float64(ceil) * (0.75 + 0.5*rnd()))
	return min(max(d, b.Min), b.Max)
}
