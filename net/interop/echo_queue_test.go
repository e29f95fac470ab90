//go:build interop

package interop

import (
	"fmt"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// TestEchoOfQueuedLine: with echo-message (InspIRCd), the server's echo of a
// line that waited in the offline queue must be matched to that line
// (LocalID), like the echo of a line sent at once; an unmatched echo
// (LocalID 0) is shown by the UI as a second, new line: the user sees what
// they typed twice.
//
// Bug found here (net/session + net/conn): session.Submit records the
// awaited echo only if echo-message is enabled at the time of typing, and
// Session.Register (reset) drops every awaited echo. A line typed while
// offline goes out from net/conn's queue after the next registration, when
// the session no longer expects its echo. See the report for the lines.
func TestEchoOfQueuedLine(t *testing.T) {
	cases := []struct {
		name string
		// queue types the line while it must wait and returns its LocalID.
		queue func(t *testing.T, srv *ircd, alice *client) uint64
	}{
		{"typed while reconnecting", func(t *testing.T, srv *ircd, alice *client) uint64 {
			alice.registered(1)
			alice.joined(channel, 1)
			srv.stop()
			alice.wait("connection loss noticed", isState(event.StateWaiting))
			id := alice.say(channel, "queued line")
			alice.wait("line shown pending", func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Self && m.LocalID == id && m.Pending
			})
			srv.startAgain()
			return id
		}},
		{"typed before the first registration", func(t *testing.T, srv *ircd, alice *client) uint64 {
			// The Pool was just started: nothing is registered yet, the
			// line waits for the autojoin.
			return alice.say(channel, "queued line")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, "inspircd")
			alice := newClient(t, srv, "alice", "alice", func(c *confT) {
				c.Session.Autojoin = []sessionChannel{{Name: channel}}
			})
			id := tc.queue(t, srv, alice)
			alice.wait(fmt.Sprintf("Delivered %d", id), func(e event.Event) bool {
				d, ok := e.(event.Delivered)
				return ok && d.LocalID == id
			})
			echo := alice.wait("the server's echo (msgid)", func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Self && m.MsgID != "" && m.Text == "queued line"
			}).(event.Message)
			if echo.LocalID != id {
				t.Errorf("the server's echo of queued line %d came as LocalID %d: the UI shows the line twice (event %+v)", id, echo.LocalID, echo)
			}
		})
	}
}

// sink is a session.Sender keeping what the session wanted sent.
type sink struct{ out []session.Outgoing }

func (s *sink) Send(o session.Outgoing) { s.out = append(s.out, o) }

// TestSessionKeepsAwaitedEchoAcrossRegister is the session half of the bug
// above, without a server: the lines are InspIRCd's, as recorded. A line is
// typed on a registered connection with echo-message; the connection is
// lost before the owner wrote it (net/conn keeps it in its offline queue);
// the owner registers a new connection and then writes the line; the
// server's echo must still be matched to the line's LocalID.
func TestSessionKeepsAwaitedEchoAcrossRegister(t *testing.T) {
	out := &sink{}
	s := session.New(session.Config{Nick: "alice", User: "ferry", Sender: out})
	feed := func(lines ...string) []event.Event {
		var evs []event.Event
		for _, l := range lines {
			m, err := irc.ParseMessage(l)
			if err != nil {
				t.Fatalf("parse %q: %v", l, err)
			}
			evs = append(evs, s.Handle(m)...)
		}
		return evs
	}
	register := func() {
		s.Register()
		feed(
			":insp.test CAP * LS :echo-message message-tags server-time",
			":insp.test CAP alice ACK :echo-message message-tags server-time",
			":insp.test 001 alice :Welcome to the InspTest IRC Network alice!ferry@127.0.0.1",
			"@time=2026-11-26T12:20:52.979Z :alice!ferry@127.0.0.1 JOIN :#ferry-interop",
			":insp.test 366 alice #ferry-interop :End of /NAMES list.",
		)
	}
	register()
	if !s.HasCap("echo-message") {
		t.Fatal("echo-message not enabled by the scripted negotiation")
	}
	// The link is lost; the user types; the owner queues the line.
	s.Submit(command.SendText{ID: 7, Target: "#ferry-interop", Text: "queued line"})
	// A new connection: registration, rejoin, then the queued line goes out.
	register()
	evs := feed("@time=2026-11-26T12:20:52.979Z;msgid=713~1795695651~0;inspircd.org/echo :alice!ferry@127.0.0.1 PRIVMSG #ferry-interop :queued line")
	var got []event.Message
	for _, e := range evs {
		if m, ok := e.(event.Message); ok {
			got = append(got, m)
		}
	}
	if len(got) != 1 || got[0].LocalID != 7 || !got[0].Self {
		t.Errorf("echo after a new registration gave %+v; want one Self message with LocalID 7", got)
	}
}
