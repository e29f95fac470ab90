//go:build interop

package interop

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestChannelOps: the everyday channel commands, typed by one session and
// seen by the other as the server relays them: topic, voice, nick change,
// part, join, kick.
func TestChannelOps(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv) // alice created the channel: she is its op

		alice.do(command.Raw{Line: "TOPIC " + channel + " :interop topic: ünïcødé"})
		bob.wait("topic change", func(e event.Event) bool {
			tp, ok := e.(event.Topic)
			return ok && tp.Changed && strings.EqualFold(tp.Channel, channel) && tp.Topic == "interop topic: ünïcødé" && tp.SetBy == "alice"
		})

		alice.do(command.Raw{Line: "MODE " + channel + " +v bob"})
		bob.wait("+v bob", func(e event.Event) bool {
			m, ok := e.(event.Mode)
			return ok && strings.EqualFold(m.Target, channel) && m.Modes == "+v" && len(m.Params) == 1 && m.Params[0] == "bob" && m.By == "alice"
		})

		alice.do(command.SetNick{Nick: "alice2"})
		alice.wait("own nick change", func(e event.Event) bool {
			n, ok := e.(event.NickChange)
			return ok && n.Self && n.Old == "alice" && n.New == "alice2"
		})
		bob.wait("alice's nick change", func(e event.Event) bool {
			n, ok := e.(event.NickChange)
			return ok && !n.Self && n.Old == "alice" && n.New == "alice2" && contains(n.Channels, channel)
		})
		alice.say(channel, "new name")
		bob.wait("line from alice2", fromOther(channel, "alice2", "new name"))

		bob.do(command.Part{Channel: channel, Reason: "brb"})
		alice.wait("bob parting", func(e event.Event) bool {
			p, ok := e.(event.Part)
			return ok && !p.Self && p.Nick == "bob" && p.Reason == "brb"
		})
		bob.wait("own part", func(e event.Event) bool { p, ok := e.(event.Part); return ok && p.Self })
		bob.do(command.Join{Channel: channel})
		bob.joined(channel, 2)

		alice.do(command.Raw{Line: "KICK " + channel + " bob :out"})
		bob.wait("kicked", func(e event.Event) bool {
			k, ok := e.(event.Kick)
			return ok && k.Self && k.Nick == "bob" && k.By == "alice2" && k.Reason == "out"
		})
		alice.wait("bob kicked", func(e event.Event) bool {
			k, ok := e.(event.Kick)
			return ok && !k.Self && k.Nick == "bob"
		})
		// A kick is no reason to rejoin on one's own. Barrier: a round trip
		// bob -> alice -> bob started after the kick; a JOIN bob had sent
		// on his own would be on the wire before it, and its echo back
		// before the answer.
		bob.say("alice2", "ping")
		alice.wait("ping", fromOther("bob", "bob", "ping"))
		alice.say("bob", "pong")
		bob.wait("pong", fromOther("alice2", "alice2", "pong"))
		if n := bob.count(func(e event.Event) bool {
			j, ok := e.(event.Join)
			return ok && j.Self
		}); n != 2 {
			t.Errorf("bob joined %d times, want 2 (no rejoin after a kick)", n)
		}
		alice.noErrors(false)
		bob.noErrors(false)
	})
}
