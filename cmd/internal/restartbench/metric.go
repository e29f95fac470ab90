package main

import (
	"slices"
	"time"
)

// typedLine is one line typed into the user's client: when it was typed
// (just before its tmux send-keys) and when it first reached the observer
// (zero if it never did).
type typedLine struct {
	typed, arrived time.Time
}

// waits gives, for every line n, how long its user waited to be heard:
// from n's typing to the earliest arrival of any line typed at or after n.
// A lost line thus waits until the next line that got through, which is
// when the user could see they were heard again. Arrivals after limit do
// not count; a line with none before it waits until limit and is capped.
func waits(lines []typedLine, limit time.Time) (w []time.Duration, capped []bool) {
	w = make([]time.Duration, len(lines))
	capped = make([]bool, len(lines))
	next := time.Time{} // earliest arrival among the lines after n
	for n := len(lines) - 1; n >= 0; n-- {
		if a := lines[n].arrived; !a.IsZero() && !a.After(limit) && (next.IsZero() || a.Before(next)) {
			next = a
		}
		if next.IsZero() {
			w[n], capped[n] = limit.Sub(lines[n].typed), true
			continue
		}
		w[n] = next.Sub(lines[n].typed)
	}
	return w, capped
}

// interruption is what the user lived through, from lines[probes:] (typed
// from the restart on) against lines[:probes] (typed before it).
type interruption struct {
	base      time.Duration // median wait of the probes: the path's own cost
	spread    time.Duration // max − median of the probes' waits: the noise floor
	maxWait   time.Duration // the longest wait of a line typed from the restart on
	worst     int           // index in lines of that line; -1 if there is none
	extra     time.Duration // maxWait − base: the interruption itself
	firstLine time.Duration // from the restart to the first arrival of a line typed from it on
	capped    bool          // some wait, or the first line, reached limit
}

// measure computes the interruption of lines[probes:end], typed at restart
// or later, with arrivals counted up to limit. probes lines come first,
// typed before the restart. Lines from end on are not measured, but their
// arrivals still end the waits of the lines before them.
func measure(lines []typedLine, probes, end int, restart, limit time.Time) interruption {
	end = min(max(end, 0), len(lines))
	probes = min(max(probes, 0), end)
	w, capped := waits(lines, limit)
	var r interruption
	r.worst = -1
	if probes > 0 {
		r.base = median(w[:probes])
		r.spread = slices.Max(w[:probes]) - r.base
	}
	for n := probes; n < end; n++ {
		if r.worst < 0 || w[n] > r.maxWait {
			r.maxWait, r.worst = w[n], n
		}
		r.capped = r.capped || capped[n]
	}
	first := time.Time{}
	for _, l := range lines[probes:] {
		if a := l.arrived; !a.IsZero() && !a.After(limit) && (first.IsZero() || a.Before(first)) {
			first = a
		}
	}
	if r.worst >= 0 {
		r.extra = max(r.maxWait-r.base, 0)
	}
	if first.IsZero() {
		r.firstLine, r.capped = limit.Sub(restart), true
	} else {
		r.firstLine = first.Sub(restart)
	}
	return r
}

// heardAfter is the index of the first line typed after since that has
// reached the observer, or -1: the witness that the user is heard again
// once the server's part is over.
func heardAfter(lines []typedLine, since time.Time) int {
	for i, l := range lines {
		if l.typed.After(since) && !l.arrived.IsZero() {
			return i
		}
	}
	return -1
}
