package ui

import (
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestJoinKnownChannel: /join of a channel we are in switches to it and
// sends nothing; of a channel whose buffer is left over (parted, kicked)
// it sends JOIN and switches at once; /cycle still sends its JOIN.
func TestJoinKnownChannel(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Join{Meta: meta(2), Channel: "#test", Nick: "newcomer", Self: true})
	hs.keys("alt+1")
	hs.conn.take()

	hs.typeText("/join #FERRY")
	hs.keys("enter")
	if c := hs.current(); c != "ferrynet:#ferry" {
		t.Errorf("/join of a joined channel: current %s, want ferrynet:#ferry", c)
	}
	if d := hs.conn.take(); len(d) != 0 {
		t.Errorf("/join of a joined channel sent %v", d)
	}

	hs.feed(event.Part{Meta: meta(3), Channel: "#test", Nick: "newcomer", Self: true})
	hs.typeText("/j test")
	hs.keys("enter")
	if c := hs.current(); c != "ferrynet:#test" {
		t.Errorf("/join of a parted channel: current %s, want ferrynet:#test", c)
	}
	d := hs.conn.take()
	if len(d) != 1 || d[0].cmd != (command.Join{Channel: "#test"}) {
		t.Errorf("/join of a parted channel sent %v, want one JOIN #test", d)
	}

	hs.feed(event.Join{Meta: meta(4), Channel: "#test", Nick: "newcomer", Self: true})
	hs.conn.take()
	hs.typeText("/cycle")
	hs.keys("enter")
	d = hs.conn.take()
	if len(d) != 2 || d[1].cmd != (command.Join{Channel: "#test"}) {
		t.Errorf("/cycle sent %v, want PART then JOIN", d)
	}
}
