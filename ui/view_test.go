package ui

import (
	"fmt"
	"reflect"
	"strconv"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/input"
)

// snapshot is what View used to change: the sidebar order and the current
// buffer, each buffer's message view size and scroll, the nick list's
// scroll, the input line (its horizontal scroll included).
type snapshot struct {
	cur   *buffer
	order []*buffer
	bufs  []string
	in    input.Model
}

func snap(m *model) snapshot {
	s := snapshot{cur: m.cur, order: append([]*buffer(nil), m.order...), in: m.in}
	for _, n := range m.nets {
		for _, b := range append([]*buffer{n.server0}, n.bufs...) {
			w, h := b.view.Size()
			s.bufs = append(s.bufs, fmt.Sprintf("%s size %dx%d bottom %v listTop %d", b.title(), w, h, b.view.AtBottom(), b.listTop))
		}
	}
	return s
}

// TestViewOnlyReads: after each kind of Update (a resize, a batch that
// adds buffers, keys that scroll, switch and edit), View leaves the model
// as it was and draws the same frame twice.
func TestViewOnlyReads(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	m := hs.m.m
	check := func(step string) {
		t.Helper()
		before := snap(m)
		first := hs.m.View()
		if after := snap(m); !reflect.DeepEqual(before, after) {
			t.Fatalf("%s: View changed the model:\nbefore %+v\nafter  %+v", step, before, after)
		}
		if second := hs.m.View(); second != first {
			t.Fatalf("%s: a second View differs:\n%s\n---\n%s", step, first, second)
		}
	}
	check("start")
	demoChannel(hs)
	check("batch")
	var many []event.Member
	for i := range 40 {
		many = append(many, event.Member{Nick: "user" + strconv.Itoa(i)})
	}
	hs.feed(event.Names{Meta: meta(50), Channel: "#ferry", Members: many})
	for range 10 {
		hs.keys("alt+pgdown")
	}
	check("nick list scrolled")
	hs.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	check("taller: the nick list scroll is clamped in Update")
	for i := range 30 {
		hs.feed(event.Message{Meta: meta(60 + i), Buffer: "#ferry", From: "alice", Text: "line " + strconv.Itoa(i)})
	}
	hs.keys("pgup")
	check("scrolled up")
	hs.send(tea.WindowSizeMsg{Width: 70, Height: 10})
	check("narrower")
	hs.typeText("a line much longer than the seventy columns of this terminal, so it scrolls sideways")
	check("long input")
	hs.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	check("input narrower")
	hs.keys("ctrl+p")
	check("switched buffer")
	hs.feed(event.Message{Meta: meta(99), Buffer: "newpeer", From: "newpeer", Text: "hi"})
	check("a query opened")
}
