package conn

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// A /reconnect while typed lines wait for the flood limit: the lines are
// not dropped with the old connection but sent once, in order, after the
// new connection's rejoin, each reported Delivered once and never Failed.
func TestReconnectKeepsFloodBacklog(t *testing.T) {
	_, _, p, c, eve := startBacklogChannel(t, "rey")

	typed := typeBacklog(p, c, "tn", "#b")
	p.Do("tn", command.Reconnect{})
	for i := uint64(1); i <= backlogLines; i++ {
		c.wait(20*time.Second, fmt.Sprintf("delivered %d", i), isDelivered(i))
	}
	p.Do("tn", command.SendText{ID: backlogLines + 1, Target: "#b", Text: "after the reconnect"})
	eve.waitFor(20*time.Second, "the last line", func() bool { return len(eve.texts("#b", "after")) == 1 })
	if got := eve.texts("#b", "backlog "); !slices.Equal(got, typed) {
		t.Errorf("eve got %q,\nwant %q (each once, in order)", got, typed)
	}
	for id := uint64(1); id <= backlogLines; id++ {
		if n := c.count(isDelivered(id)); n != 1 {
			t.Errorf("line %d: Delivered %d times, want once", id, n)
		}
	}
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Failed); return ok }); n != 0 {
		t.Errorf("%d lines reported Failed, want none", n)
	}
	if reg := c.states("tn", event.StateRegistered); reg != 2 {
		t.Errorf("registered %d times, want 2", reg)
	}
}
