package chatlog

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// TestOwnLinesLoggedWhenDelivered: our typed lines reach the log as sent
// only on Delivered (at the time typed, once, whatever the order of the
// echo); a Failed line, and a line still waiting when the writer closes,
// are logged with the "not sent" mark and never as sent.
func TestOwnLinesLoggedWhenDelivered(t *testing.T) {
	w, dir := openTest(t, Options{})
	self := func(sec int, id uint64, text string, pending bool) event.Message {
		return event.Message{Meta: at(sec), Buffer: "#ferry", Target: "#ferry", Self: true, LocalID: id, Text: text, Pending: pending}
	}
	w.Write(event.Batch{Events: []event.Event{
		event.Registered{Meta: at(0), Nick: "me"},
		// Typed offline, delivered after a reconnect, then echoed.
		self(1, 1, "offline one", true),
		event.Message{Meta: at(2), Buffer: "#ferry", From: "alice", Text: "meanwhile"},
		event.Delivered{Meta: at(3), LocalID: 1},
		event.Message{Meta: at(4), Buffer: "#ferry", From: "me", Self: true, LocalID: 1, MsgID: "e1", Text: "offline one", Echo: true},
		// Delivered before its Message (written at once).
		event.Delivered{Meta: at(5), LocalID: 2},
		self(5, 2, "direct", false),
		// A split text: both lines logged on the one Delivered.
		self(6, 3, "split part one", true),
		func() event.Message { m := self(6, 3, "split part two", true); m.Part = 1; return m }(),
		event.Delivered{Meta: at(7), LocalID: 3},
		// Failed: never logged as sent.
		self(8, 4, "refused line", true),
		event.Failed{Meta: at(9), LocalID: 4, Reason: "not sent: you quit"},
		// Still waiting when the log closes; one to a service, masked.
		self(10, 5, "still waiting", true),
		event.Message{Meta: at(11), Buffer: "NickServ", Target: "NickServ", Self: true, LocalID: 6, Text: "IDENTIFY hunter2", Pending: true},
	}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := read(t, filepath.Join(dir, "libera", "#ferry.log"))
	for _, want := range []string{
		"14:03:13 <me> offline one\n",
		"14:03:14 <alice> meanwhile\n",
		"14:03:17 <me> direct\n",
		"14:03:18 <me> split part one\n2026-11-26 14:03:18 <me> split part two\n",
		"14:03:20 -!- not sent: <me> refused line\n2026-11-26 14:03:21 -!- Not delivered (not sent: you quit)\n",
		"14:03:22 -!- not sent: <me> still waiting\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("#ferry.log lacks %q:\n%s", want, got)
		}
	}
	for _, text := range []string{"offline one", "direct", "split part one", "split part two", "refused line", "still waiting"} {
		if n := strings.Count(got, text); n != 1 {
			t.Errorf("%q logged %d times:\n%s", text, n, got)
		}
	}
	for _, sent := range []string{"<me> refused line", "<me> still waiting"} {
		for _, l := range strings.Split(got, "\n") {
			if strings.Contains(l, sent) && !strings.Contains(l, NotSent) {
				t.Errorf("a line never delivered is logged as sent: %q", l)
			}
		}
	}
	// The service line is masked in its not-sent form too.
	ns := read(t, filepath.Join(dir, "libera", "nickserv.log"))
	if !strings.Contains(ns, "14:03:23 -!- not sent: <me> IDENTIFY ***\n") || strings.Contains(ns, "hunter2") {
		t.Errorf("nickserv.log:\n%s", ns)
	}
}

// TestOwnLinesBound: past maxSent remembered lines, the oldest still held
// is logged as not sent rather than dropped or claimed sent.
func TestOwnLinesBound(t *testing.T) {
	w, dir := openTest(t, Options{})
	evs := make([]event.Event, 0, maxSent+1)
	for i := range maxSent + 1 {
		evs = append(evs, event.Message{Meta: at(0), Buffer: "#a", From: "me", Self: true, LocalID: uint64(i + 1), Text: "x", Pending: true})
	}
	w.Write(event.Batch{Events: evs})
	w.Flush()
	got := read(t, filepath.Join(dir, "libera", "#a.log"))
	if n := strings.Count(got, NotSent+"<me> x"); n != 1 {
		t.Errorf("%d lines logged as not sent before Close, want 1 (the one forgotten)", n)
	}
	w.Write(event.Batch{Events: []event.Event{event.Delivered{Meta: at(1), LocalID: maxSent + 1}}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got = read(t, filepath.Join(dir, "libera", "#a.log"))
	sent := 0
	for _, l := range strings.Split(got, "\n") {
		if strings.HasSuffix(l, " <me> x") && !strings.Contains(l, NotSent) {
			sent++
		}
	}
	if n := strings.Count(got, NotSent+"<me> x"); n != maxSent || sent != 1 {
		t.Errorf("after Close: %d not sent (want %d), %d sent (want 1)", n, maxSent, sent)
	}
}

// TestOwnLineEchoByPart: the server's echo of our line is told by what the
// session says (Echo, LocalID, Part), not by its text: pieces of a split
// text that read the same are each logged once, whether their echo comes
// before or after Delivered; an echo whose text the server changed
// (colours stripped) is not logged again; an echo of a piece the log never
// saw announced is logged once.
func TestOwnLineEchoByPart(t *testing.T) {
	w, dir := openTest(t, Options{})
	piece := func(sec int, part int, text string, echo bool) event.Message {
		return event.Message{Meta: at(sec), Buffer: "#ferry", Target: "#ferry", From: "me", Self: true, LocalID: 9, Part: part, Text: text, Pending: !echo, Echo: echo}
	}
	w.Write(event.Batch{Events: []event.Event{
		event.Registered{Meta: at(0), Nick: "me"},
		piece(1, 0, "same", false),
		piece(1, 1, "same", false),
		piece(1, 2, "\x02bold\x02", false),
		piece(2, 1, "same", true), // before Delivered
		event.Delivered{Meta: at(3), LocalID: 9},
		piece(4, 0, "same", true),
		piece(4, 2, "bold", true),
		piece(5, 3, "unseen", true),
		piece(6, 3, "unseen", true), // a replay of it
	}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := read(t, filepath.Join(dir, "libera", "#ferry.log"))
	for text, want := range map[string]int{"<me> same\n": 2, "<me> bold\n": 1, "<me> unseen\n": 1} {
		if n := strings.Count(got, text); n != want {
			t.Errorf("%q logged %d times, want %d:\n%s", text, n, want, got)
		}
	}
	if !strings.Contains(got, "14:03:13 <me> same\n2026-11-26 14:03:13 <me> same\n2026-11-26 14:03:13 <me> bold\n") {
		t.Errorf("the split text is not logged in order at the time typed:\n%s", got)
	}
}
