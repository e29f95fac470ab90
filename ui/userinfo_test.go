package ui

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// A member's host, realname and account changes are lines in the shared
// channels (each alone, or folded with joins), and the account marks the
// member in the nick list.
func TestMemberChangesShown(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{ShowJoins: "all"})
	demoChannel(hs)
	n := hs.m.m.netBy["ferrynet"]
	ch := n.find("#ferry")
	hs.feed(
		event.HostChange{Meta: meta(50), Nick: "alice", User: "al", Host: "cloak.example", Channels: []string{"#ferry"}},
		event.RealnameChange{Meta: meta(51), Nick: "alice", Realname: "Alice Liddell", Channels: []string{"#ferry"}},
		event.AccountChange{Meta: meta(52), Nick: "alice", Account: "alice", Channels: []string{"#ferry"}},
	)
	var kinds []scrollback.Kind
	for i := ch.sb.Len() - 3; i < ch.sb.Len(); i++ {
		kinds = append(kinds, ch.sb.Line(i).Kind)
	}
	if want := []scrollback.Kind{scrollback.Host, scrollback.Realname, scrollback.Account}; !equalKinds(kinds, want) {
		t.Errorf("lines %v, want %v", kinds, want)
	}
	s := hs.screen()
	for _, want := range []string{"alice changed host to al@cloak.example", "alice is now known as Alice Liddell (realname)", "alice logged in as alice", "+alice     ✓"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	if mb, _ := ch.members.Get("alice"); mb.Account != "alice" {
		t.Errorf("member %+v", mb)
	}
	hs.feed(event.AccountChange{Meta: meta(53), Nick: "alice", Channels: []string{"#ferry"}})
	if s := hs.screen(); !strings.Contains(s, "alice logged out") || strings.Contains(s, "✓") {
		t.Errorf("logout:\n%s", s)
	}
	// account-tag and extended-join fill the mark without a line.
	before := ch.sb.Len()
	hs.feed(
		event.Message{Meta: meta(54), Buffer: "#ferry", From: "Bob", Account: "bobby", Target: "#ferry", Text: "hi"},
		event.Join{Meta: meta(55), Channel: "#ferry", Nick: "carol", Account: "carol"},
	)
	if ch.sb.Len() != before+2 {
		t.Errorf("%d lines added, want 2 (the message and the join)", ch.sb.Len()-before)
	}
	for _, nick := range []string{"Bob", "carol"} {
		if mb, _ := ch.members.Get(nick); mb.Account == "" {
			t.Errorf("%s has no account: %+v", nick, mb)
		}
	}
	// Our own changes: one line in the server buffer.
	hs.feed(event.HostChange{Meta: meta(56), Nick: "newcomer", User: "nc", Host: "me.example", Self: true})
	if l := n.server0.sb.Line(n.server0.sb.Len() - 1); l.Text != "your host is now nc@me.example" {
		t.Errorf("own host change: %+v", l)
	}
}

func TestMemberChangesFold(t *testing.T) {
	hs := newHarness(t, 140, 16, Options{})
	demoChannel(hs)
	hs.feed(
		event.Join{Meta: meta(50), Channel: "#ferry", Nick: "carol"},
		event.HostChange{Meta: meta(51), Nick: "alice", User: "al", Host: "cloak.example", Channels: []string{"#ferry"}},
		event.HostChange{Meta: meta(52), Nick: "Bob", User: "b", Host: "cloak.example", Channels: []string{"#ferry"}},
		event.RealnameChange{Meta: meta(53), Nick: "carol", Realname: "Carol", Channels: []string{"#ferry"}},
	)
	if s := hs.screen(); !strings.Contains(s, "carol joined · alice, Bob changed host · carol changed realname") {
		t.Errorf("not folded:\n%s", s)
	}
}

// A request typed in a buffer goes out naming that buffer, so the session
// can label it; a labelled answer (Buffer set, not Reply) lands there even
// when the user has moved on.
func TestAskedFromTheBuffer(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	hs.m.m.in.SetValue("/whois alice")
	hs.keys("enter")
	d := hs.conn.take()
	if len(d) != 1 || d[0].cmd != (command.Asked{Buffer: "#ferry", Cmd: command.Whois{Nick: "alice"}}) {
		t.Fatalf("/whois sent %#v", d)
	}
	hs.m.m.in.SetValue("/msg Bob hi")
	hs.keys("enter")
	if d := hs.conn.take(); len(d) != 1 {
		t.Fatalf("/msg sent %#v", d)
	} else if _, ok := d[0].cmd.(command.SendText); !ok {
		t.Errorf("/msg wrapped: %#v", d[0].cmd)
	}
	hs.keys("alt+1") // the server buffer
	n := hs.m.m.netBy["ferrynet"]
	ch := n.find("#ferry")
	hs.feed(event.Info{Meta: meta(60), Buffer: "#ferry", Code: "311", Text: "alice (a@h): Alice"})
	if l := ch.sb.Line(ch.sb.Len() - 1); l.Text != "alice (a@h): Alice" {
		t.Errorf("labelled answer not in #ferry: %+v", l)
	}
	hs.feed(event.Info{Meta: meta(61), Code: "WARN", Text: "NICK: careful (SPAMMY)", Warn: true})
	if l := n.server0.sb.Line(n.server0.sb.Len() - 1); l.Text != "warning: NICK: careful (SPAMMY)" {
		t.Errorf("WARN shown as %+v", l)
	}
}

func equalKinds(a, b []scrollback.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
