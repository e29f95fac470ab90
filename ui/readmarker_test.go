package ui

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// markReads returns the MarkRead commands sent since the last take.
func markReads(hs *harness) []command.MarkRead {
	var out []command.MarkRead
	for _, s := range hs.conn.take() {
		if c, ok := s.cmd.(command.MarkRead); ok {
			out = append(out, c)
		}
	}
	return out
}

// TestReadMarkerFromAnotherClient: a marker set elsewhere clears what it
// covers here: the unread count and the "new messages" rule follow it,
// and an older marker changes nothing.
func TestReadMarkerFromAnotherClient(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	m := hs.m.m
	ferry := m.cur
	m.switchTo(ferry.net.server0)
	hs.feed(
		event.Message{Meta: meta(50), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "first unseen"},
		event.Message{Meta: meta(51), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "newcomer: second unseen"},
		event.Message{Meta: meta(52), Buffer: "#ferry", From: "Bob", Target: "#ferry", Text: "third unseen"},
	)
	if ferry.unread != 3 || !ferry.highlight {
		t.Fatalf("unread %d highlight %v before any marker", ferry.unread, ferry.highlight)
	}
	hs.feed(event.ReadMarker{Meta: meta(60), Buffer: "#ferry", Time: meta(51).Time})
	if ferry.unread != 1 || ferry.highlight {
		t.Fatalf("after a marker at the second: unread %d highlight %v", ferry.unread, ferry.highlight)
	}
	i, ok := ferry.sb.Unread()
	if !ok || ferry.sb.Line(i).Text != "third unseen" {
		t.Fatalf("rule above %d (%v), want above the third", i, ok)
	}
	hs.feed(event.ReadMarker{Meta: meta(61), Buffer: "#ferry", Time: meta(5).Time})
	if ferry.unread != 1 {
		t.Fatalf("an older marker moved the count to %d", ferry.unread)
	}
	hs.feed(event.ReadMarker{Meta: meta(62), Buffer: "#FERRY", Time: meta(52).Time})
	if ferry.unread != 0 {
		t.Fatalf("unread %d after a marker at the newest line", ferry.unread)
	}
	if _, ok := ferry.sb.Unread(); ok {
		t.Error("a rule is left with nothing below it")
	}
	m.switchTo(ferry)
	if s := hs.screen(); strings.Contains(s, "new messages") {
		t.Errorf("the rule is drawn though everything was read elsewhere:\n%s", s)
	}
}

// TestReadMarkerSent: a read buffer's marker is sent after the debounce,
// for its newest message's server time, only when it moves; never while
// scrolled up, nor on a network without read markers.
func TestReadMarkerSent(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.conn.take()
	if cmd := hs.send(markReadMsg{}); cmd != nil || len(markReads(hs)) != 0 {
		t.Fatal("a marker was sent without the capability")
	}
	cmd := hs.feed(event.ReadMarkers{Meta: meta(41), On: true})
	if cmd == nil || !hs.m.m.readArmed {
		t.Fatal("no debounce tick armed for a read buffer")
	}
	hs.send(markReadMsg{})
	got := markReads(hs)
	if len(got) != 1 || got[0].Buffer != "#ferry" || !got[0].Time.Equal(meta(40).Time) {
		t.Fatalf("sent %+v, want one MarkRead of #ferry at the newest message", got)
	}
	hs.send(markReadMsg{})
	if got := markReads(hs); len(got) != 0 {
		t.Fatalf("sent again without a new message: %+v", got)
	}
	// Several messages within the delay: one MarkRead for the newest.
	for i := range 5 {
		hs.feed(event.Message{Meta: meta(70 + i), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "more"})
	}
	hs.send(markReadMsg{})
	if got := markReads(hs); len(got) != 1 || !got[0].Time.Equal(meta(74).Time) {
		t.Fatalf("after five messages sent %+v, want one at the fifth", got)
	}
	// Scrolled up, the newest line is not read.
	for i := range 40 {
		hs.feed(event.Message{Meta: meta(80 + i), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "filler"})
	}
	hs.send(markReadMsg{})
	markReads(hs)
	hs.keys("pgup")
	hs.feed(event.Message{Meta: meta(200), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "unseen"})
	hs.send(markReadMsg{})
	if got := markReads(hs); len(got) != 0 {
		t.Fatalf("scrolled up, sent %+v", got)
	}
}

// TestReadMarkerAskedForQueries: a query opened on a network with read
// markers asks for its marker.
func TestReadMarkerAskedForQueries(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	hs.connected()
	hs.feed(event.ReadMarkers{Meta: meta(1), On: true})
	hs.conn.take()
	hs.feed(event.Message{Meta: meta(2), Buffer: "dave", From: "dave", Target: "newcomer", Text: "hi"})
	got := markReads(hs)
	if len(got) != 1 || got[0].Buffer != "dave" || !got[0].Time.IsZero() {
		t.Fatalf("sent %+v, want a query for dave's marker", got)
	}
}

// TestReadMarkerCoversGap: after a reconnect, the marker (sent on JOIN,
// before the history) covers missed lines read on another client: only
// those after it count as unread, and the rule sits above them.
func TestReadMarkerCoversGap(t *testing.T) {
	hs := newHarness(t, 80, 16, Options{})
	demoChannel(hs)
	hs.feed(event.ReadMarkers{Meta: meta(41), On: true})
	hs.keys("alt+1") // the server buffer: #ferry is in the background
	hs.reconnect(50)
	hs.feed(event.ReadMarkers{Meta: meta(110), On: true},
		event.ReadMarker{Meta: meta(110), Buffer: "#ferry", Time: meta(56).Time})
	hs.feed(event.History{Meta: meta(116), Buffer: "#ferry", Gap: true, Messages: []event.Message{
		said(55, "chatter", "one", "h1"),
		said(56, "chatter", "newcomer: two", "h2"),
		said(57, "chatter", "three", "h3"),
	}})
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	if ch.unread != 1 || ch.highlight {
		t.Errorf("unread %d highlight %v: want 1 (three), no highlight (two was read)", ch.unread, ch.highlight)
	}
	if i, ok := ch.sb.Unread(); !ok || ch.sb.Line(i).Text != "three" {
		t.Errorf("rule not above three: %v %v", i, ok)
	}
}
