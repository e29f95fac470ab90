//go:build interop

package interop

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// TestFloodDefaults: a paste of many long lines at once goes out through
// ferry's default flood control (no Flood set) slowly enough that neither
// server disconnects alice for flooding (ngircd: "Excess Flood" when its
// read buffer overflows; InspIRCd: RecvQ exceeded), and bob receives every
// line, whole and in order.
func TestFloodDefaults(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		const lines = 20
		var want []string
		for i := 0; i < lines; i++ {
			want = append(want, fmt.Sprintf("%02d%s", i, strings.Repeat(" flood", 66))) // ~400 bytes
		}
		ids := make([]uint64, lines)
		for i, text := range want {
			ids[i] = alice.say(channel, text)
		}
		bob.waitUntil(fmt.Sprintf("%d lines from alice", lines), func([]event.Event) bool {
			return len(bob.received(channel)) >= lines
		})
		var got []string
		for _, m := range bob.received(channel) {
			got = append(got, m.Text)
		}
		for i := range want {
			if i >= len(got) || got[i] != want[i] {
				t.Errorf("line %d: got %.40q..., want %.40q...", i, at(got, i), want[i])
			}
		}
		for _, id := range ids {
			alice.wait(fmt.Sprintf("Delivered %d", id), func(e event.Event) bool {
				d, ok := e.(event.Delivered)
				return ok && d.LocalID == id
			})
		}
		if n := alice.count(isState(event.StateWaiting)); n != 0 {
			t.Errorf("alice was disconnected %d times while pasting", n)
		}
		alice.noErrors(false)
	})
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "<missing>"
}
