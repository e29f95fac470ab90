package ui

import (
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// The session names the line an echo belongs to (LocalID and Part, Echo
// set): the UI updates exactly that line, even when the pieces of a split
// text say the same thing and their echoes come in another order; an
// echo's text is not compared (a server may have stripped its colours);
// and an echo whose line is no longer shown is added, not lost.
func TestEchoUpdatesTheNamedPart(t *testing.T) {
	hs := newHarness(t, 80, 14, Options{})
	demoChannel(hs)
	a := hs.typed("same same")
	piece := func(part int, text string) event.Message {
		m := echo(51, a, false, "")
		m.Text, m.Part = text, part
		return m
	}
	hs.feed(piece(0, "same"), piece(1, "same"), piece(2, "\x02bold\x02"))
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	n := ch.sb.Len()
	server := func(part int, text, msgid string) event.Message {
		m := piece(part, text)
		m.Meta, m.MsgID, m.Echo = meta(60+part), msgid, true
		return m
	}
	hs.feed(server(1, "same", "m1"), server(2, "bold", "m2"), server(0, "same", "m0"))
	if ch.sb.Len() != n {
		t.Fatalf("%d lines after the echoes, want %d (each updates its line)", ch.sb.Len(), n)
	}
	for part, want := range []string{"m0", "m1", "m2"} {
		if l := ch.sb.Line(n - 3 + part); l.MsgID != want || !l.Time.Equal(meta(60+part).Time) || l.Pending {
			t.Errorf("part %d: msgid %q time %v pending %v, want %s at %v", part, l.MsgID, l.Time, l.Pending, want, meta(60+part).Time)
		}
	}
	// A part the buffer does not show (the session says it is ours, but
	// the line is gone): shown as a line, not dropped.
	hs.feed(server(3, "late", "m3"))
	if ch.sb.Len() != n+1 || ch.sb.Line(n).Text != "late" || ch.sb.Line(n).MsgID != "m3" {
		t.Errorf("an echo of a line not shown was not added: %d lines", ch.sb.Len())
	}
}
