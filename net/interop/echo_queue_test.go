//go:build interop

package interop

import (
	"fmt"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// TestEchoOfQueuedLine: with echo-message (InspIRCd), the server's echo of a
// line that waited in the offline queue must be matched to that line
// (LocalID), like the echo of a line sent at once; an unmatched echo
// (LocalID 0) is shown by the UI as a second, new line: the user sees what
// they typed twice.
//
// Found here, fixed in net/conn (f78a996): session.Submit records the
// awaited echo only if echo-message is enabled at the time of typing, and
// Session.Register drops every awaited echo, so a line typed while offline,
// sent from net/conn's queue after the next registration, came back as
//
//	@time=...;msgid=713~1795695651~0;inspircd.org/echo :alice!ferry@127.0.0.1 PRIVMSG #ferry-interop :queued line
//
// and was emitted as a Self message with LocalID 0: a second line.
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
