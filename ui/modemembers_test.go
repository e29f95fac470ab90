package ui

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// channelOf returns a harness in #ferry with n members besides us, who
// joined one by one (the list itself has no cap: the Join events say who
// is in it).
func channelOf(t *testing.T, n int) *harness {
	t.Helper()
	hs := newHarness(t, 100, 20, Options{})
	hs.connected()
	hs.feed(event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", Self: true},
		event.Names{Meta: meta(1), Channel: "#ferry", Members: []event.Member{{Nick: "newcomer"}}})
	const batch = 5000
	for i := 0; i < n; i += batch {
		evs := make([]event.Event, 0, batch)
		for j := i; j < min(i+batch, n); j++ {
			evs = append(evs, event.Join{Meta: meta(2), Channel: "#ferry", Nick: fmt.Sprint("n", j)})
		}
		hs.feed(evs...)
	}
	return hs
}

// TestModeKeepsLongMemberList: in a channel of 100 000 members a MODE +o
// changes one member; the list keeps every member (the session, which
// tracks fewer, sends no list to replace it), and the cost of a MODE does
// not grow with the channel (it is O(log n): at 100 times the members it
// costs far less than 100 times as much).
func TestModeKeepsLongMemberList(t *testing.T) {
	const big = 100_000
	hs := channelOf(t, big)
	b := hs.m.m.network("ferrynet").find("#ferry")
	if got := b.members.Len(); got != big+1 {
		t.Fatalf("%d members before the MODE, want %d", got, big+1)
	}
	hs.feed(event.Mode{Meta: meta(3), Target: "#ferry", By: "ChanServ", Modes: "+o", Params: []string{"n77777"}})
	if got := b.members.Len(); got != big+1 {
		t.Errorf("%d members after the MODE, want %d", got, big+1)
	}
	if top := b.members.At(0); top.Nick != "n77777" || top.Prefixes != "@" {
		t.Errorf("first member after +o: %+v", top)
	}

	// The cost of a MODE, at 1 000 and at 100 000 members: the best of
	// a few rounds (the machine is shared) of 2 000 changes each.
	cost := func(hs *harness, n int) time.Duration {
		best := time.Duration(1 << 62)
		for round := range 5 {
			start := time.Now()
			for i := range 2000 {
				sign := "+v"
				if round%2 == 1 {
					sign = "-v"
				}
				hs.m.m.mode(event.Mode{Meta: meta(4), Target: "#ferry", Modes: sign, Params: []string{fmt.Sprint("n", i*(n/2000))}})
			}
			hs.m.m.network("ferrynet").find("#ferry").members.At(0) // the deferred re-sort included
			best = min(best, time.Since(start))
		}
		return best / 2000
	}
	small := channelOf(t, 1000)
	cs, cb := cost(small, 1000), cost(hs, big)
	t.Logf("one MODE +v/-v: %v at 1 000 members, %v at 100 000", cs, cb)
	if cb > 10*cs+20*time.Microsecond {
		t.Errorf("a MODE costs %v at 100 000 members, %v at 1 000: it grows with the list", cb, cs)
	}
}
