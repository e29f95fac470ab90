//go:build interop

package interop

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestMemberState: what the negotiated capabilities deliver about other
// users, per server. Both offer multi-prefix, so a member who is op and
// voice shows both prefixes. InspIRCd also gives userhost-in-names (user and
// host in the member list), extended-join (real name on JOIN) and
// away-notify (AWAY changes pushed to channel peers); ngircd gives none of
// those, and ferry must not pretend it did.
func TestMemberState(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		alice, bob := pair(t, srv)
		insp := srv.kind == "inspircd"

		join := alice.wait("bob's join", func(e event.Event) bool {
			j, ok := e.(event.Join)
			return ok && j.Nick == "bob" && !j.Self
		}).(event.Join)
		if want := "ferry interop bob"; insp && join.Realname != want {
			t.Errorf("extended-join: bob's real name %q, want %q", join.Realname, want)
		} else if !insp && join.Realname != "" {
			t.Errorf("ngircd has no extended-join, yet a real name %q", join.Realname)
		}

		alice.do(command.Raw{Line: "MODE " + channel + " +v alice"})
		bob.wait("+v alice", func(e event.Event) bool {
			m, ok := e.(event.Mode)
			return ok && m.Modes == "+v" && len(m.Params) == 1 && m.Params[0] == "alice"
		})
		before := bob.count(isNames)
		bob.do(command.Raw{Line: "NAMES " + channel})
		bob.waitCount("a fresh member list", before+1, isNames)
		var names event.Names
		for _, e := range bob.snapshot() {
			if n, ok := e.(event.Names); ok {
				names = n
			}
		}
		var a *event.Member
		for i := range names.Members {
			if names.Members[i].Nick == "alice" {
				a = &names.Members[i]
			}
		}
		if a == nil {
			t.Fatalf("alice missing from %+v", names)
		}
		if a.Prefixes != "@+" {
			t.Errorf("multi-prefix: alice's prefixes %q, want \"@+\"", a.Prefixes)
		}
		if insp && (!strings.HasSuffix(a.User, "ferry") || a.Host != "127.0.0.1") {
			t.Errorf("userhost-in-names: alice is %q@%q, want ferry@127.0.0.1", a.User, a.Host)
		}

		if !insp {
			return // no away-notify on ngircd
		}
		bob.do(command.Raw{Line: "AWAY :lunch"})
		bob.wait("306 for our own away", func(e event.Event) bool { a, ok := e.(event.Away); return ok && a.Self && a.Away })
		alice.wait("away-notify: bob away", func(e event.Event) bool {
			a, ok := e.(event.Away)
			return ok && a.Nick == "bob" && a.Away && a.Message == "lunch"
		})
		bob.do(command.Raw{Line: "AWAY"})
		alice.wait("away-notify: bob back", func(e event.Event) bool {
			a, ok := e.(event.Away)
			return ok && a.Nick == "bob" && !a.Away
		})
		alice.noErrors(false)
		bob.noErrors(false)
	})
}

func isNames(e event.Event) bool {
	n, ok := e.(event.Names)
	return ok && strings.EqualFold(n.Channel, channel)
}
