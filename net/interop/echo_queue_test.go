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
