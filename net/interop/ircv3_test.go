//go:build interop

package interop

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// wantCaps is what each server should have enabled for ferry after
// negotiation: everything it offers that ferry supports, and no sasl (ferry
// is not configured for it and neither server offers it here).
var wantCaps = map[string][]string{
	// ngircd 26 offers only multi-prefix.
	"ngircd": {"multi-prefix"},
	// InspIRCd 3 with the modules of the test config; it also offers
	// inspircd.org/poison and inspircd.org/standard-replies, which ferry
	// does not request.
	"inspircd": {
		"account-notify", "account-tag", "away-notify", "batch", "cap-notify",
		"chghost", "echo-message", "extended-join", "invite-notify",
		"labeled-response", "message-tags", "multi-prefix", "server-time", "setname",
		"userhost-in-names",
	},
}

// TestCapabilities asks the server (CAP LIST) which capabilities it enabled
// for ferry's session: the server's own view of the negotiation.
func TestCapabilities(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice := newClient(t, srv, "alice", "alice", nil)
		alice.registered(1)
		alice.do(command.Raw{Line: "CAP LIST"})
		const prefix = "enabled capabilities: "
		info := alice.wait("CAP LIST reply", func(e event.Event) bool {
			i, ok := e.(event.Info)
			return ok && i.Code == "CAP" && strings.HasPrefix(i.Text, prefix)
		}).(event.Info)
		got := strings.Fields(strings.TrimPrefix(info.Text, prefix))
		slices.Sort(got)
		if want := wantCaps[srv.kind]; !slices.Equal(got, want) {
			t.Errorf("enabled capabilities = %v\nwant                   %v", got, want)
		}
		alice.noErrors(false)
	})
}

// TestEchoMessage: on InspIRCd (echo-message, message-tags, server-time)
// our own line comes back from the server with its msgid, matched to the
// line we typed by LocalID, and the other side sees the same msgid and the
// server's timestamp. On ngircd (none of those) the own line is only the
// local echo, and nothing carries a msgid.
func TestEchoMessage(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		const text = "echo me"
		id := alice.say(channel, text)
		got := bob.wait("alice's line", fromOther(channel, "alice", text)).(event.Message)
		alice.wait(fmt.Sprintf("Delivered %d", id), func(e event.Event) bool {
			d, ok := e.(event.Delivered)
			return ok && d.LocalID == id
		})
		isOwn := func(withMsgID bool) func(event.Event) bool {
			return func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Self && m.LocalID == id && m.Text == text && (m.MsgID != "") == withMsgID
			}
		}
		if n := alice.count(isOwn(false)); n != 1 {
			t.Errorf("local echoes of the line: %d, want 1", n)
		}
		switch srv.kind {
		case "inspircd":
			echo := alice.wait("the server's echo with msgid", isOwn(true)).(event.Message)
			if got.MsgID == "" || echo.MsgID != got.MsgID {
				t.Errorf("msgid: echoed to alice %q, relayed to bob %q; want the same, non-empty", echo.MsgID, got.MsgID)
			}
			// server-time has millisecond precision; a local receive time
			// is practically never a whole millisecond.
			for who, m := range map[string]event.Message{"echo": echo, "relayed": got} {
				if m.Time.Nanosecond()%int(time.Millisecond) != 0 || time.Since(m.Time).Abs() > time.Minute {
					t.Errorf("%s line time %v is not the server's time tag", who, m.Time)
				}
			}
			if n := alice.count(isOwn(true)); n != 1 {
				t.Errorf("server echoes matched to the line: %d, want 1", n)
			}
		case "ngircd":
			if got.MsgID != "" {
				t.Errorf("ngircd relayed a msgid %q", got.MsgID)
			}
			if n := alice.count(isOwn(true)); n != 0 {
				t.Errorf("ngircd has no echo-message, yet %d own lines carry a msgid", n)
			}
		}
		// The echo is an update of the line, never a line from someone else.
		if n := len(alice.received(channel)); n != 0 {
			t.Errorf("alice got %d lines from others, want 0 (her echo must not count)", n)
		}
	})
}

// TestLongMessage: a text too long for one line is split by ferry so that
// every line, as the server relays it with alice's full prefix, fits 512
// bytes, at word boundaries where there are spaces and at UTF-8 boundaries
// where there are none; bob receives it intact, in order.
func TestLongMessage(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		var words []string
		for i := 0; len(strings.Join(words, " ")) < 1400; i++ {
			words = append(words, fmt.Sprintf("wörd%03d-日本", i))
		}
		cases := []struct {
			name, text, sep string
		}{
			{"words", strings.Join(words, " "), " "},
			{"one long word", strings.Repeat("ü日本語", 90), ""}, // 990 bytes, no space
		}
		for _, tc := range cases {
			before := len(bob.received(channel))
			id := alice.say(channel, tc.text)
			alice.wait(fmt.Sprintf("Delivered %d", id), func(e event.Event) bool {
				d, ok := e.(event.Delivered)
				return ok && d.LocalID == id
			})
			pieces := alice.count(func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Self && m.LocalID == id && m.MsgID == ""
			})
			if pieces < 2 {
				t.Fatalf("%s: %d bytes went out as %d line(s); want a split", tc.name, len(tc.text), pieces)
			}
			bob.waitUntil(fmt.Sprintf("%s: %d lines from alice", tc.name, pieces), func([]event.Event) bool {
				return len(bob.received(channel)) >= before+pieces
			})
			var parts []string
			for _, m := range bob.received(channel)[before:] {
				if m.From != "alice" {
					t.Errorf("%s: line from %q", tc.name, m.From)
				}
				wire := len(":alice!" + m.FromHost + " PRIVMSG " + channel + " :" + m.Text + "\r\n")
				if wire > 512 {
					t.Errorf("%s: relayed line is %d bytes with alice's prefix, over 512", tc.name, wire)
				}
				if !utf8.ValidString(m.Text) {
					t.Errorf("%s: a piece was cut inside a character: %q", tc.name, m.Text)
				}
				parts = append(parts, m.Text)
			}
			if got := strings.Join(parts, tc.sep); got != tc.text {
				t.Errorf("%s: bob reassembled %d lines into\n%q\nwant\n%q", tc.name, len(parts), got, tc.text)
			}
			if tc.sep == " " {
				for _, p := range parts {
					if strings.HasPrefix(p, " ") || strings.HasSuffix(p, " ") {
						t.Errorf("%s: piece %q not cut at a word boundary", tc.name, p)
					}
				}
			}
			t.Logf("%s: %d bytes -> %d lines", tc.name, len(tc.text), len(parts))
		}
		alice.noErrors(false)
		bob.noErrors(false)
	})
}

// TestCTCP: a CTCP VERSION from bob is answered by alice's session on its
// own with the configured version text; a /me arrives as an action.
func TestCTCP(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		bob.do(command.Raw{Line: "PRIVMSG alice :\x01VERSION\x01"})
		alice.wait("VERSION request reported", func(e event.Event) bool {
			c, ok := e.(event.CTCP)
			return ok && !c.Reply && c.From == "bob" && c.Command == "VERSION"
		})
		reply := bob.wait("VERSION reply", func(e event.Event) bool {
			c, ok := e.(event.CTCP)
			return ok && c.Reply && c.From == "alice" && c.Command == "VERSION"
		}).(event.CTCP)
		if reply.Args != "ferry interop test" {
			t.Errorf("VERSION reply %q, want the configured %q", reply.Args, "ferry interop test")
		}

		alice.do(command.SendText{ID: lastID.Add(1), Target: channel, Text: "waves", Kind: event.Action})
		bob.wait("alice's action", func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && m.Kind == event.Action && m.From == "alice" && m.Buffer == channel && m.Text == "waves"
		})
		alice.noErrors(false)
		bob.noErrors(false)
	})
}

// TestCapNotify (InspIRCd): an operator unloads the echo-message module, so
// the server sends "CAP alice DEL :echo-message", and loads it again
// ("CAP alice NEW :echo-message"). ferry's session stops expecting echoes
// while the capability is gone, requests it again when it is offered, and
// from then on gets its lines echoed with a msgid and matched to the line.
func TestCapNotify(t *testing.T) {
	srv := startServerOpts(t, "inspircd", serverOpts{oper: true})
	alice := newClient(t, srv, "alice", "alice", func(c *confT) { c.Session.Autojoin = []sessionChannel{{Name: channel}} })
	bob := newClient(t, srv, "bob", "bob", func(c *confT) { c.Session.Autojoin = []sessionChannel{{Name: channel}} })
	alice.joined(channel, 1)
	bob.joined(channel, 1)

	// capList asks the server which caps are enabled and returns the n-th
	// reply (each reply is also a barrier: lines before it were handled).
	lists := 0
	capList := func() string {
		t.Helper()
		lists++
		alice.do(command.Raw{Line: "CAP LIST"})
		alice.waitCount(fmt.Sprintf("CAP LIST reply #%d", lists), lists, isCapList)
		var last string
		for _, e := range alice.snapshot() {
			if isCapList(e) {
				last = e.(event.Info).Text
			}
		}
		return last
	}
	numeric := func(code string) {
		t.Helper()
		alice.wait(code, func(e event.Event) bool { i, ok := e.(event.Info); return ok && i.Code == code })
	}
	echoed := func(id uint64) int {
		return alice.count(func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && m.Self && m.LocalID == id && m.MsgID != ""
		})
	}

	alice.do(command.Raw{Line: "OPER admin interop"})
	numeric("381")
	alice.do(command.Raw{Line: "UNLOADMODULE ircv3_echomessage"})
	numeric("973")
	if l := capList(); strings.Contains(l, "echo-message") {
		t.Fatalf("echo-message still enabled after the module was unloaded: %q", l)
	}
	id := alice.say(channel, "while echo-message is gone")
	bob.wait("the line", fromOther(channel, "alice", "while echo-message is gone"))
	capList() // barrier: an echo, had the server sent one, came before this
	if n := echoed(id); n != 0 {
		t.Errorf("%d server echoes of a line sent without echo-message", n)
	}

	alice.do(command.Raw{Line: "LOADMODULE ircv3_echomessage"})
	numeric("975")
	if l := capList(); !strings.Contains(l, "echo-message") {
		t.Errorf("after CAP NEW echo-message, ferry did not enable it again: %q", l)
	}
	id = alice.say(channel, "echo-message is back")
	bob.wait("the line", fromOther(channel, "alice", "echo-message is back"))
	alice.wait("the server's echo, matched to the line", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.Self && m.LocalID == id && m.MsgID != ""
	})
	alice.noErrors(false)
}

func isCapList(e event.Event) bool {
	i, ok := e.(event.Info)
	return ok && i.Code == "CAP" && strings.HasPrefix(i.Text, "enabled capabilities:")
}
