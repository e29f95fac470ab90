package main

import (
	"testing"
	"time"
)

// TestWindowFloor runs one measurement through 20 ms relays: the window
// cannot be shorter than its two round trips, and a reconnect (TCP,
// registration, rejoin) takes more round trips than the window.
func TestWindowFloor(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds of relayed round trips")
	}
	cert, pool, err := relayCert()
	if err != nil {
		t.Fatal(err)
	}
	const rtt = 20 * time.Millisecond
	for _, useTLS := range []bool{false, true} {
		r, err := measure(rtt, useTLS, 2, 3, 0, nil, cert, pool)
		if err != nil {
			t.Fatal(err)
		}
		if r.window < 2*rtt {
			t.Errorf("tls %v: window %v < two round trips (%v): a relay is bypassed", useTLS, r.window, 2*rtt)
		}
		if r.migration < r.window {
			t.Errorf("tls %v: migration %v shorter than its window %v", useTLS, r.migration, r.window)
		}
		if r.reconnect <= r.window {
			t.Errorf("tls %v: reconnect %v not longer than the window %v", useTLS, r.reconnect, r.window)
		}
	}
}
