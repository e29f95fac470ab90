package ui

import (
	"os"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// TestOwnLinesBelowNoMarker: coming back to a buffer and typing (here
// offline, the lines pending) does not put a "new messages" rule above
// our own lines; a line someone else sends while we are away still gets
// one, and our line after it stays below it.
func TestOwnLinesBelowNoMarker(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Join{Meta: meta(41), Channel: "#other", Nick: "newcomer", Self: true})
	hs.keys("alt+2", "alt+3", "alt+2")
	hs.feed(event.ConnState{Meta: meta(42), State: event.StateWaiting, Reason: "EOF"})
	hs.feed(event.Message{Meta: meta(43), Buffer: "#ferry", From: "newcomer", Target: "#ferry", Text: "typed offline", Self: true, LocalID: nextID(), Pending: true})
	if s := hs.screen(); strings.Contains(s, "new messages") {
		t.Errorf("a new-messages rule above our own line:\n%s", s)
	}
	// Our line sent from elsewhere (/msg #ferry) while #ferry is not in view.
	hs.keys("alt+3")
	hs.feed(event.Message{Meta: meta(44), Buffer: "#ferry", From: "newcomer", Target: "#ferry", Text: "sent from #other", Self: true, LocalID: nextID()})
	ferry := hs.m.m.netBy["ferrynet"].find("#ferry")
	if ferry.unread != 0 {
		t.Errorf("our own line counted as unread: %d", ferry.unread)
	}
	hs.keys("alt+2")
	if s := hs.screen(); strings.Contains(s, "new messages") {
		t.Errorf("a new-messages rule above our own line sent from elsewhere:\n%s", s)
	}
	hs.keys("alt+3")
	hs.feed(
		event.Message{Meta: meta(45), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "while you were away"},
		event.Message{Meta: meta(46), Buffer: "#ferry", From: "newcomer", Target: "#ferry", Text: "mine after", Self: true, LocalID: nextID()},
	)
	hs.keys("alt+2")
	s := hs.screen()
	rule, theirs, mine := strings.Index(s, "new messages"), strings.Index(s, "while you were away"), strings.Index(s, "mine after")
	if rule < 0 || !(rule < theirs && theirs < mine) {
		t.Errorf("want the rule above alice's line, ours below:\n%s", s)
	}
}

// TestCommandAnswerBelowNoMarker: back in a buffer where nothing came,
// the answer to a command typed there (an error, /help) gets no "new
// messages" rule above it.
func TestCommandAnswerBelowNoMarker(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Join{Meta: meta(41), Channel: "#other", Nick: "newcomer", Self: true})
	hs.keys("alt+2", "alt+3", "alt+2")
	hs.run("/buffer nothere")
	hs.run("/help join")
	if s := hs.screen(); strings.Contains(s, "new messages") {
		t.Errorf("a new-messages rule above our command's answer:\n%s", s)
	}
}

// TestAwayOneLine: /away shows one line, with the message typed: the
// session reports the server's 306 as an Away event alone (and were an
// Info for it to come, it would be a line of its own).
func TestAwayOneLine(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	hs.connected()
	server := hs.m.m.cur
	hs.run("/away lunch")
	before := server.sb.Len()
	hs.feed(
		event.Away{Meta: meta(1), Nick: "newcomer", Away: true, Self: true},
	)
	if got := server.sb.Len() - before; got != 1 {
		t.Fatalf("/away printed %d lines, want 1", got)
	}
	if l := hs.lastLine(); l.Text != "you are marked as away: lunch" {
		t.Errorf("/away line %q", l.Text)
	}
	hs.run("/away")
	before = server.sb.Len()
	hs.feed(
		event.Away{Meta: meta(2), Nick: "newcomer", Away: false, Self: true},
	)
	if got := server.sb.Len() - before; got != 1 {
		t.Fatalf("/away (back) printed %d lines, want 1", got)
	}
}

// TestPasteDeclinedGoesToInput: answering no to the large-paste question
// keeps the paste, joined into the input line, to edit; nothing is sent.
func TestPasteDeclinedGoesToInput(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.conn.take()
	hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("one\ntwo\nthree\nfour\nfive\n"), Paste: true})
	if hs.m.m.paste == nil {
		t.Fatal("a five-line paste did not ask")
	}
	hs.keys("n")
	if got, want := hs.m.m.in.Value(), "one two three four five"; got != want {
		t.Errorf("input after no: %q, want %q", got, want)
	}
	if d := hs.conn.take(); len(d) != 0 {
		t.Errorf("a declined paste sent %v", d)
	}
}

// TestReadmeCommandTable: every command and alias of the command table is
// in the README's command table, and /help names every one.
func TestReadmeCommandTable(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "\n| command | what it does |\n")
	if !ok {
		t.Fatal("README.md has no table starting with \"| command | what it does |\"")
	}
	var table strings.Builder
	for _, l := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(l, "|") {
			break
		}
		table.WriteString(l + "\n")
	}
	hs := newHarness(t, 100, 20, Options{})
	hs.run("/help")
	b := hs.m.m.cur
	var help strings.Builder
	for i := 0; i < b.sb.Len(); i++ {
		if l := b.sb.Line(i); l.Kind == scrollback.Info {
			help.WriteString(l.Text + " ")
		}
	}
	names := commandNames()
	for a := range aliases {
		names = append(names, "/"+a)
	}
	for _, n := range names {
		if !containsWord(table.String(), "`"+n) {
			t.Errorf("README's command table lacks %s", n)
		}
		if !containsWord(help.String(), n) {
			t.Errorf("/help lacks %s", n)
		}
	}
}

// containsWord reports whether s has w not followed by a letter (so
// "/j" is not found in "/join").
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		end := i + j + len(w)
		if end == len(s) || !isLetter(s[end]) {
			return true
		}
		i = end
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
