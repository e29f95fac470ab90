package ui

import (
	"fmt"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// TestEchoFindsSplitPieceAfterRingDrop: a typed text split into six lines
// in a buffer that keeps four; the ring drops the first two pieces, and
// the echo of each kept piece updates that piece (by LocalID and Part),
// and the echo of a dropped piece is added (as any echo whose line is no
// longer shown), not taken for another piece.
func TestEchoFindsSplitPieceAfterRingDrop(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{Scrollback: 4})
	hs.connected()
	const id = 900
	for p := range 6 {
		hs.feed(event.Message{Meta: meta(10), Buffer: "#ferry", From: "newcomer", Text: fmt.Sprint("piece ", p),
			Self: true, LocalID: id, Part: p, Pending: true})
	}
	b := hs.m.m.network("ferrynet").find("#ferry")
	if b == nil {
		t.Fatal("no #ferry buffer")
	}
	pieces := func() map[string]scrollback.Line {
		out := map[string]scrollback.Line{}
		for i := range b.sb.Len() {
			if l := b.sb.Line(i); l.LocalID == id {
				out[l.Text] = l
			}
		}
		return out
	}
	if got := pieces(); len(got) != 4 || got["piece 2"].Part != 2 {
		t.Fatalf("kept pieces %v, want 2-5", got)
	}
	n := b.sb.Len()
	for _, p := range []int{3, 5, 2} {
		hs.feed(event.Message{Meta: meta(11), Buffer: "#ferry", From: "newcomer", Text: fmt.Sprint("piece ", p),
			Self: true, LocalID: id, Part: p, MsgID: fmt.Sprint("e", p), Echo: true})
	}
	if b.sb.Len() != n {
		t.Errorf("the echoes left %d lines, want %d", b.sb.Len(), n)
	}
	got := pieces()
	for _, p := range []int{2, 3, 5} {
		l := got[fmt.Sprint("piece ", p)]
		if want := fmt.Sprint("e", p); l.MsgID != want || l.Pending || l.Part != p {
			t.Errorf("piece %d: %+v, want msgid %q, not pending", p, l, want)
		}
	}
	if l := got["piece 4"]; !l.Pending || l.MsgID != "" {
		t.Errorf("piece 4, not echoed yet, was updated: %+v", l)
	}
	// The first piece, dropped from the ring: its echo is a line again,
	// and no kept piece took it.
	hs.feed(event.Message{Meta: meta(12), Buffer: "#ferry", From: "newcomer", Text: "piece 0",
		Self: true, LocalID: id, Part: 0, MsgID: "e0", Echo: true})
	if l := b.sb.Line(b.sb.Len() - 1); l.Text != "piece 0" || l.MsgID != "e0" {
		t.Errorf("the echo of a dropped piece: last line %+v", l)
	}
	if l := pieces()["piece 4"]; l.MsgID != "" {
		t.Errorf("piece 4 took another piece's echo: %+v", l)
	}
}
