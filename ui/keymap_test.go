package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/ui/scrollback"
)

// TestF7AndAlt0: F7 toggles the nick list as Alt+U does; Alt+0 goes to
// the tenth buffer of the sidebar and Alt+1 back to the first.
func TestF7AndAlt0(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	hs.keys("f7")
	if strings.Contains(hs.screen(), "4 users") {
		t.Fatal("f7 did not hide the nick list")
	}
	hs.keys("f7")
	if !strings.Contains(hs.screen(), "4 users") {
		t.Fatal("f7 did not show the nick list again")
	}

	m := hs.m.m
	n := m.nets[0]
	for i := len(m.ordered()); i < 12; i++ {
		m.ensure(n, "q"+strconv.Itoa(i))
	}
	hs.keys("alt+0")
	if want := m.ordered()[9]; m.cur != want {
		t.Errorf("alt+0: current %q, want the 10th buffer %q", m.cur.title(), want.title())
	}
	hs.keys("alt+1")
	if m.cur != n.server0 {
		t.Errorf("alt+1: current %q, want the server buffer", m.cur.title())
	}
}

// TestHelpListsTheKeyMap: /help names the main keys and /help keys every
// binding, both as the key map describes them.
func TestHelpListsTheKeyMap(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	hs.connected()
	b := hs.m.m.cur
	last := func() string { return b.sb.Line(b.sb.Len() - 1).Text }
	hs.typeText("/help")
	hs.keys("enter")
	if got, want := last(), keySummary(); got != want {
		t.Errorf("/help ends with %q, want %q", got, want)
	}
	hs.typeText("/help keys")
	hs.keys("enter")
	lines := defaultKeys.HelpLines()
	for i, want := range lines {
		l := b.sb.Line(b.sb.Len() - len(lines) + i)
		if l.Kind != scrollback.Info || l.Text != want {
			t.Errorf("/help keys line %d = %q, want %q", i, l.Text, want)
		}
	}
	if first := b.sb.Line(0).Text; !strings.Contains(first, defaultKeys.Short()) {
		t.Errorf("welcome line %q lacks the short key help", first)
	}
}

// TestFastTypingIsText: runes arriving together ("right", "enter" typed
// quickly) are text for the input line, not the keys of those names.
func TestFastTypingIsText(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	hs.connected()
	for _, w := range []string{"far ", "right", " ", "enter", " ", "up"} {
		hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(w)})
	}
	if got, want := hs.m.m.in.Value(), "far right enter up"; got != want {
		t.Errorf("input %q, want %q", got, want)
	}
	if d := hs.conn.take(); len(d) != 0 {
		t.Errorf("typed text was sent: %v", d)
	}
}
