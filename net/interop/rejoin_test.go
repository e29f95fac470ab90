//go:build interop

package interop

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestKeyedRejoin: a channel with a key (+k) is rejoined with its key after
// a reconnect, whether the key was typed with /join (bob) or learnt from
// the MODE +k the user set (alice); the other session keeps the channel
// and its key alive meanwhile, so a rejoin without the key would get 475.
func TestKeyedRejoin(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		const keyed, key = "#ferry-keyed", "sekrit"
		alice := newClient(t, srv, "alice", "alice", nil)
		bob := newClient(t, srv, "bob", "bob", nil)
		alice.registered(1)
		bob.registered(1)
		alice.do(command.Join{Channel: keyed})
		alice.joined(keyed, 1)
		alice.do(command.Raw{Line: "MODE " + keyed + " +k " + key})
		alice.wait("+k echoed", func(e event.Event) bool {
			m, ok := e.(event.Mode)
			return ok && strings.EqualFold(m.Target, keyed) && m.Modes == "+k"
		})
		bob.do(command.Join{Channel: keyed}) // no key: refused
		bob.wait("475 without the key", func(e event.Event) bool {
			i, ok := e.(event.Info)
			return ok && i.Code == "475"
		})
		bob.do(command.Join{Channel: keyed, Key: key})
		bob.joined(keyed, 1)

		for _, c := range []*client{alice, bob} {
			before := c.count(func(e event.Event) bool { i, ok := e.(event.Info); return ok && i.Code == "475" })
			c.do(command.Reconnect{})
			c.registered(2)
			c.joined(keyed, 2)
			if n := c.count(func(e event.Event) bool { i, ok := e.(event.Info); return ok && i.Code == "475" }); n != before {
				t.Errorf("%s: the rejoin of %s was refused for a bad key", c.name, keyed)
			}
		}
	})
}
