//go:build interop

package interop

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// servers are the real IRC servers every test runs against.
var servers = []string{"ngircd", "inspircd"}

// eachServer runs f as one subtest per server, each with its own server
// process on its own port. The two run in parallel: they share nothing.
func eachServer(t *testing.T, f func(t *testing.T, srv *ircd)) {
	for _, kind := range servers {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f(t, startServer(t, kind))
		})
	}
}

const channel = "#ferry-interop"

// pair registers alice and bob on srv and joins both to channel, checking
// each side sees the other arrive.
func pair(t *testing.T, srv *ircd) (alice, bob *client) {
	t.Helper()
	alice = newClient(t, srv, "alice", "alice", nil)
	bob = newClient(t, srv, "bob", "bob", nil)
	if n := alice.registered(1); n != "alice" {
		t.Fatalf("alice registered as %q", n)
	}
	if n := bob.registered(1); n != "bob" {
		t.Fatalf("bob registered as %q", n)
	}
	alice.do(command.Join{Channel: channel})
	alice.joined(channel, 1)
	bob.do(command.Join{Channel: channel})
	bob.joined(channel, 1)
	alice.wait("bob joining", func(e event.Event) bool {
		j, ok := e.(event.Join)
		return ok && !j.Self && j.Nick == "bob" && strings.EqualFold(j.Channel, channel)
	})
	return alice, bob
}

// exchange has each side say one line in channel and checks the other
// receives it with the right sender, text and user@host, and that the
// sender's line was reported delivered.
func exchange(t *testing.T, alice, bob *client, round string) {
	t.Helper()
	for _, dir := range []struct {
		from, to *client
		nick     string
	}{{alice, bob, "alice"}, {bob, alice, "bob"}} {
		text := fmt.Sprintf("%s: hello from %s, ünïcødé ok", round, dir.nick)
		id := dir.from.say(channel, text)
		m := dir.to.wait(fmt.Sprintf("%q from %s", text, dir.nick), fromOther(channel, dir.nick, text)).(event.Message)
		if !strings.HasSuffix(m.FromHost, "ferry@127.0.0.1") {
			t.Errorf("%s's line arrived with user@host %q, want [~]ferry@127.0.0.1", dir.nick, m.FromHost)
		}
		if m.Target != channel {
			t.Errorf("target %q, want %q", m.Target, channel)
		}
		dir.from.wait(fmt.Sprintf("Delivered %d", id), func(e event.Event) bool {
			d, ok := e.(event.Delivered)
			return ok && d.LocalID == id
		})
		if n := dir.from.count(func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && m.Self && m.LocalID == id && m.Text == text && m.Buffer == channel
		}); n == 0 {
			t.Errorf("%s: no own-line event for LocalID %d", dir.nick, id)
		}
	}
}

// TestChat: two sessions register, join one channel, see each other in the
// member list and exchange lines both ways, publicly and privately.
func TestChat(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		names := bob.wait("NAMES of "+channel, func(e event.Event) bool {
			n, ok := e.(event.Names)
			return ok && strings.EqualFold(n.Channel, channel)
		}).(event.Names)
		var nicks []string
		for _, m := range names.Members {
			nicks = append(nicks, m.Prefixes+m.Nick)
		}
		// alice created the channel, so she is its operator.
		if !(contains(nicks, "@alice") && contains(nicks, "bob")) || len(nicks) != 2 {
			t.Errorf("bob's member list of %s = %v, want [@alice bob]", channel, nicks)
		}
		exchange(t, alice, bob, "round 1")

		// Private messages land in a buffer named after the other party.
		alice.say("bob", "psst, bob")
		bob.wait("private line from alice", fromOther("alice", "alice", "psst, bob"))
		bob.say("alice", "psst back")
		alice.wait("private line from bob", fromOther("bob", "bob", "psst back"))

		for _, c := range []*client{alice, bob} {
			if n := len(c.received(channel)); n != 1 {
				t.Errorf("%s received %d channel lines, want exactly 1", c.name, n)
			}
			c.noErrors(false)
		}
	})
}

// TestRestart: the server is killed and started again on the same port;
// both sessions reconnect on their own, rejoin the channel without being
// told to, and chat again, with no line doubled.
func TestRestart(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		exchange(t, alice, bob, "before restart")

		srv.stop()
		alice.wait("connection loss noticed", isState(event.StateWaiting))
		// A line typed while the server is down is kept and sent once the
		// channel has been rejoined (a line sent before the rejoin would be
		// refused with 404/442).
		const offline = "typed while the server was down"
		offID := alice.say(channel, offline)
		alice.wait("offline line shown pending", func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && m.Self && m.LocalID == offID && m.Pending
		})
		srv.startAgain()

		for _, c := range []*client{alice, bob} {
			c.wait("connection loss noticed", isState(event.StateWaiting))
			if n := c.registered(2); n != c.name {
				t.Errorf("%s registered again as %q", c.name, n)
			}
			c.joined(channel, 2)
		}
		// Each must see the other back before lines can reach both.
		alice.waitUntil("bob in the channel again", func(evs []event.Event) bool {
			return countOf(evs, func(e event.Event) bool {
				j, ok := e.(event.Join)
				return ok && j.Nick == "bob" && strings.EqualFold(j.Channel, channel)
			}) >= 2 || namesAfterRejoinHas(evs, "bob")
		})
		exchange(t, alice, bob, "after restart")

		alice.wait("offline line delivered", func(e event.Event) bool {
			d, ok := e.(event.Delivered)
			return ok && d.LocalID == offID
		})
		for _, e := range alice.snapshot() {
			switch e := e.(type) {
			case event.Failed:
				t.Errorf("alice: line failed: %+v", e)
			case event.Info:
				if e.Error && (e.Code == "404" || e.Code == "442") {
					t.Errorf("alice: the server refused a line: %+v", e)
				}
			}
		}
		if srv.kind == "inspircd" {
			// echo-message: the server relayed it into the channel. (That
			// the echo carries the line's LocalID is TestEchoOfQueuedLine.)
			alice.wait("server echo of the offline line", func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Self && m.Text == offline && m.MsgID != ""
			})
		}
		// Whether bob had rejoined before alice sent it is a race between
		// the two reconnects; TestOfflineQueue checks the delivery to bob.
		if n := bob.count(fromOther(channel, "alice", offline)); n > 1 {
			t.Errorf("bob received the offline line %d times", n)
		}

		for _, c := range []*client{alice, bob} {
			if n := c.count(func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && !m.Self && m.Buffer == channel && strings.Contains(m.Text, "hello from")
			}); n != 2 {
				t.Errorf("%s received %d greetings over the restart, want exactly 2", c.name, n)
			}
			if n := c.count(func(e event.Event) bool {
				j, ok := e.(event.Join)
				return ok && j.Self && strings.EqualFold(j.Channel, channel)
			}); n != 2 {
				t.Errorf("%s joined %s %d times, want 2 (one join, one rejoin)", c.name, channel, n)
			}
			c.noErrors(true)
		}
	})
}

// namesAfterRejoinHas reports whether the member list received after our
// second JOIN lists nick (bob may have rejoined before alice did).
func namesAfterRejoinHas(evs []event.Event, nick string) bool {
	joins := 0
	for _, e := range evs {
		switch e := e.(type) {
		case event.Join:
			if e.Self && strings.EqualFold(e.Channel, channel) {
				joins++
			}
		case event.Names:
			if joins == 2 && strings.EqualFold(e.Channel, channel) {
				for _, m := range e.Members {
					if m.Nick == nick {
						return true
					}
				}
			}
		}
	}
	return false
}

// TestNickCollision: sessions configured with a nick already in use fall
// back to their alternative nicks, then to the nick with "_" appended, and
// can be reached under the nick they got.
func TestNickCollision(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		first := newClient(t, srv, "first", "ferrynick", nil)
		if n := first.registered(1); n != "ferrynick" {
			t.Fatalf("first registered as %q", n)
		}
		// These two fall back to different nicks, so they may race (ngircd
		// delays each 433 by 2 s; in parallel that costs 2 s, not 4).
		withAlt := newClient(t, srv, "withalt", "ferrynick", func(c *confT) { c.Session.AltNicks = []string{"ferryalt"} })
		noAlt := newClient(t, srv, "noalt", "ferrynick", nil)
		if n := withAlt.registered(1); n != "ferryalt" {
			t.Fatalf("second session (alt nick ferryalt) registered as %q, want ferryalt", n)
		}
		if n := noAlt.registered(1); n != "ferrynick_" {
			t.Fatalf("third session (no alt nicks) registered as %q, want ferrynick_", n)
		}
		// Every candidate before the third is taken: ferrynick, ferryalt, ferrynick_.
		taken := newClient(t, srv, "taken", "ferrynick", func(c *confT) { c.Session.AltNicks = []string{"ferryalt"} })
		if n := taken.registered(1); n != "ferrynick__" {
			t.Fatalf("fourth session registered as %q, want ferrynick__", n)
		}
		for _, c := range []*client{withAlt, noAlt, taken} {
			c.wait("433 reported", func(e event.Event) bool { i, ok := e.(event.Info); return ok && i.Code == "433" })
		}

		// After registration a /nick to a taken nick is refused and only
		// reported: the session keeps its nick.
		withAlt.do(command.SetNick{Nick: "ferrynick"})
		withAlt.waitCount("433 for /nick", 2, func(e event.Event) bool { i, ok := e.(event.Info); return ok && i.Code == "433" })
		withAlt.say("ferrynick", "still ferryalt")
		first.wait("line from ferryalt", fromOther("ferryalt", "ferryalt", "still ferryalt"))
		if n := withAlt.count(func(e event.Event) bool { _, ok := e.(event.NickChange); return ok }); n != 0 {
			t.Errorf("a refused /nick produced %d nick changes", n)
		}

		// The fallback nicks are real: a line to each arrives.
		for _, to := range []struct {
			c    *client
			nick string
		}{{withAlt, "ferryalt"}, {noAlt, "ferrynick_"}, {taken, "ferrynick__"}} {
			text := "hello " + to.nick
			first.say(to.nick, text)
			to.c.wait("line for "+to.nick, fromOther("ferrynick", "ferrynick", text))
		}
		first.noErrors(false)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestOfflineQueue: lines typed while alice is disconnected are shown at
// once as pending and reach bob exactly once, in order, after she connects
// again and has rejoined, across a server restart.
func TestOfflineQueue(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		srv.stop()
		alice.wait("connection loss noticed", isState(event.StateWaiting))
		// Alice stops trying, so bob is surely back in the channel before
		// her queued lines go out.
		alice.do(command.Disconnect{Reason: "going offline"})
		alice.wait("disconnected", isState(event.StateDisconnected))
		var ids []uint64
		texts := []string{"offline 1", "offline 2", "offline 3"}
		for _, text := range texts {
			ids = append(ids, alice.say(channel, text))
		}
		for _, id := range ids {
			alice.wait(fmt.Sprintf("line %d pending", id), func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Self && m.LocalID == id && m.Pending
			})
		}
		srv.startAgain()
		bob.registered(2)
		bob.joined(channel, 2)
		alice.do(command.Connect{})
		alice.registered(2)
		alice.joined(channel, 2)
		for _, text := range texts {
			bob.wait(fmt.Sprintf("%q", text), fromOther(channel, "alice", text))
		}
		for _, id := range ids {
			alice.wait(fmt.Sprintf("Delivered %d", id), func(e event.Event) bool {
				d, ok := e.(event.Delivered)
				return ok && d.LocalID == id
			})
		}
		var got []string
		for _, m := range bob.received(channel) {
			got = append(got, m.Text)
		}
		if !slices.Equal(got, texts) {
			t.Errorf("bob received %q, want %q exactly once, in order", got, texts)
		}
		alice.noErrors(true)
		bob.noErrors(true)
	})
}
