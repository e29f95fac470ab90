package ui

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "anything", true},
		{"bob", "bob", true},
		{"bob", "bobby", false},
		{"bo?", "bob", true},
		{"*!*@spam.example", "troll!t@spam.example", true},
		{"*!*@spam.example", "troll!t@ham.example", false},
		{"[bot]*", "[bot]x!u@h", true}, // brackets are literal
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
		{"**", "", true},
		{"?", "", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

// Messages, CTCPs, invites and history from an ignored nick or mask are
// not shown; our own lines and other people's are; joins still are. The
// config's list is where a network starts; /ignore and /unignore change
// it.
func TestIgnore(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{Ignores: map[string][]string{"ferrynet": {"Troll", "*!*@spam.example"}}})
	demoChannel(hs)
	b := hs.m.m.cur
	before := b.sb.Len()
	hs.feed(
		event.Message{Meta: meta(50), Buffer: "#ferry", From: "troll", FromHost: "t@home", Text: "ignored by nick (case-folded)"},
		event.Message{Meta: meta(51), Buffer: "#ferry", From: "bot9", FromHost: "b@spam.example", Text: "ignored by mask"},
		event.Message{Meta: meta(52), Buffer: "troll", From: "troll", Text: "an ignored query"},
		event.CTCP{Meta: meta(53), From: "troll", Target: "newcomer", Command: "VERSION"},
		event.Invite{Meta: meta(54), By: "troll", Nick: "newcomer", Channel: "#spam"},
		event.History{Meta: meta(55), Buffer: "#ferry", Messages: []event.Message{
			{Meta: meta(40), Buffer: "#ferry", From: "troll", Text: "ignored history"},
			{Meta: meta(41), Buffer: "#ferry", From: "alice", Text: "kept history"},
		}},
		event.Message{Meta: meta(56), Buffer: "#ferry", From: "alice", FromHost: "a@spam.example.org", Text: "alice is fine"},
		event.Join{Meta: meta(57), Channel: "#ferry", Nick: "troll"},
	)
	screen := hs.m.View()
	for _, gone := range []string{"ignored by nick", "ignored by mask", "ignored history", "#spam"} {
		if strings.Contains(screen, gone) {
			t.Errorf("%q shown:\n%s", gone, screen)
		}
	}
	if hs.m.m.cur.net.find("troll") != nil {
		t.Error("an ignored private message opened a query")
	}
	for _, kept := range []string{"alice is fine", "kept history"} {
		if !strings.Contains(screen, kept) {
			t.Errorf("%q not shown:\n%s", kept, screen)
		}
	}
	if b.members.Len() == 0 || !strings.Contains(screen, "troll") {
		t.Errorf("troll's join not shown:\n%s", screen)
	}
	if b.sb.Len() <= before {
		t.Fatal("nothing was added")
	}

	hs.m.m.in.SetValue("/unignore troll")
	hs.keys("enter")
	hs.feed(event.Message{Meta: meta(60), Buffer: "#ferry", From: "troll", Text: "heard again"})
	hs.m.m.in.SetValue("/ignore")
	hs.keys("enter")
	screen = hs.m.View()
	if !strings.Contains(screen, "heard again") {
		t.Errorf("troll still ignored after /unignore:\n%s", screen)
	}
	if !strings.Contains(screen, "ignored on ferrynet: *!*@spam.example") {
		t.Errorf("/ignore does not list what is left:\n%s", screen)
	}
	hs.m.m.in.SetValue("/unignore nobody")
	hs.keys("enter")
	if l := b.sb.Line(b.sb.Len() - 1); !strings.Contains(l.Text, "nobody is not ignored") {
		t.Errorf("unignoring an unknown nick: %q", l.Text)
	}
	hs.m.m.in.SetValue("/ignore carol")
	hs.keys("enter")
	hs.feed(event.Message{Meta: meta(61), Buffer: "#ferry", From: "Carol", Text: "carol talks"})
	if strings.Contains(hs.m.View(), "carol talks") {
		t.Error("/ignore carol did not take")
	}
}
