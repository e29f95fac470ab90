package conn

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// The typed IRC commands reach the session through the owner with no
// per-command list in between: each arrives at the server as the session
// built it, and a refused one is answered with an Info, nothing sent.
func TestTypedCommandsReachTheServer(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "tess", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Kick{Channel: "#c", Nick: "bob", Reason: "be nice"})
	p.Do("net", command.Kick{Channel: "#c", Nick: "bad nick"})
	p.Do("net", command.Mode{Target: "#c", Modes: "+oooo", Args: []string{"a", "b", "c", "d"}})
	p.Do("net", command.Names{Channel: "#c"})
	p.Do("net", command.Away{Message: "lunch"})
	p.Do("net", command.CTCP{Target: "bob", Verb: "version"})
	c.wait(5*time.Second, "refusal", func(e event.Event) bool {
		i, ok := e.(event.Info)
		return ok && i.Error && strings.Contains(i.Text, "bad nick")
	})
	srv.waitFor(5*time.Second, "the lines", func() bool { return len(srv.lines("tess", "PRIVMSG bob")) == 1 })
	want := []string{"KICK #c bob :be nice", "MODE #c +ooo a b c", "MODE #c +o d", "NAMES #c", "AWAY lunch", "PRIVMSG bob \x01VERSION\x01"}
	var got []string
	for _, prefix := range []string{"KICK", "MODE", "NAMES", "AWAY", "PRIVMSG"} {
		got = append(got, srv.lines("tess", prefix)...)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("server got %q, want %q", got, want)
	}
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Error); return ok }); n != 0 {
		t.Errorf("%d error events: %s", n, describe(c.snapshot()))
	}
}
