package scrollback

import (
	"fmt"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

func label(n int) string { return fmt.Sprintf("%d missed", n) }

func TestMergeGapMarksTheFirstAddedLine(t *testing.T) {
	b := newBuf(100)
	b.Append(at(0, "before", "m0"))
	b.Append(at(1, "seen", "m1"))
	b.Append(at(30, "after", "m9"))
	added, gap := b.MergeGap([]Line{at(1, "seen", "m1"), at(5, "h1", "m2"), at(6, "h2", "m3"), at(6, "h2", "m3")}, label)
	if added != 2 {
		t.Fatalf("added %d, want 2 (one kept, one repeated in the page)", added)
	}
	if got := texts(b); got != "before seen 2 missed h1 h2 after" {
		t.Fatalf("lines %q", got)
	}
	if gap != 2 || b.Line(gap).Kind != Gap {
		t.Fatalf("gap index %d (%v), want 2", gap, b.Line(gap).Kind)
	}
	// The same page again: nothing added, no second marker.
	if added, gap := b.MergeGap([]Line{at(5, "h1", "m2"), at(6, "h2", "m3")}, label); added != 0 || gap != -1 {
		t.Errorf("replayed page: added %d, gap %d", added, gap)
	}
	if got := texts(b); got != "before seen 2 missed h1 h2 after" {
		t.Errorf("replayed page changed the lines: %q", got)
	}
	// Newer than every kept line: the append path marks too.
	if added, gap := b.MergeGap([]Line{at(40, "late", "m10")}, label); added != 1 || b.Line(gap).Kind != Gap || b.Line(gap+1).Text != "late" {
		t.Errorf("appended gap: added %d, gap %d", added, gap)
	}
}

func TestMergeGapRenders(t *testing.T) {
	b := newBuf(100)
	b.Append(msg(0, "alice", "before"))
	b.Append(msg(10, "bob", "after"))
	b.MergeGap([]Line{msg(3, "carol", "missed one"), msg(4, "carol", "missed two")}, func(n int) string {
		return fmt.Sprintf("%d messages while you were away", n)
	})
	v := newView(t, b, termenv.Ascii, 60, 5, Options{})
	checkScreen(t, v, `
12:00        alice before
────────────── 2 messages while you were away ──────────────
12:03        carol missed one
12:04        carol missed two
12:10          bob after`)
	if _, ok := b.Find("messages while", b.Len()-1, true); ok {
		t.Error("Find matched the gap marker's label")
	}
}

func TestMergeDropsReplayedLinesWithoutMsgID(t *testing.T) {
	b := newBuf(100)
	b.Append(msg(0, "alice", "hi"))
	b.Append(msg(5, "alice", "later"))
	n := b.Merge([]Line{msg(0, "alice", "hi"), msg(0, "bob", "hi"), msg(2, "alice", "new"), msg(2, "alice", "new")})
	if n != 2 {
		t.Errorf("added %d, want 2 (bob's line and one copy of \"new\")", n)
	}
	if got := texts(b); got != "hi hi new later" {
		t.Errorf("lines %q", got)
	}
	// A msgid on one side only: the same line. On both sides and
	// different: two messages that happen to read the same.
	withID := func(l Line, id string) Line { l.MsgID = id; return l }
	b.Append(withID(msg(6, "carol", "ok"), "c1"))
	if n := b.Merge([]Line{msg(6, "carol", "ok"), withID(msg(5, "alice", "later"), "a5"), withID(msg(6, "carol", "ok"), "c2"), withID(msg(6, "carol", "ok"), "c3")}); n != 2 {
		t.Errorf("msgid on one side: added %d, want 2 (c2, c3)", n)
	}
	if got := texts(b); got != "hi hi new later ok ok ok" {
		t.Errorf("lines %q", got)
	}
	// Lines we cannot compare (no time) are never taken for duplicates.
	if n := b.Merge([]Line{{Kind: Message, Nick: "x", Text: "t"}, {Kind: Message, Nick: "x", Text: "t"}}); n != 2 {
		t.Errorf("undated lines: added %d, want 2", n)
	}
}

func TestMergeKeepsUnreadMarkerAtTheEnd(t *testing.T) {
	b := newBuf(100)
	b.Append(at(0, "a", "1"))
	b.Append(at(10, "b", "2"))
	b.MarkUnread() // the user left the buffer; nothing new yet
	b.Merge([]Line{at(5, "old", "3"), at(20, "new", "4")})
	i, ok := b.Unread()
	if !ok || b.Line(i).Text != "new" {
		t.Fatalf("unread marker lost or moved: %d %v (%q)", i, ok, texts(b))
	}
	b.MarkUnreadAt(1)
	if i, ok := b.Unread(); !ok || i != 1 || b.Line(i).Text != "old" {
		t.Errorf("MarkUnreadAt(1): %d %v", i, ok)
	}
}

// A view in the background (not rendered between merges) keeps its
// place across several rebuilds.
func TestSeveralMergesKeepViewPosition(t *testing.T) {
	b := newBuf(1000)
	for i := range 50 {
		b.Append(at(100+i, fmt.Sprint("line", i), ""))
	}
	v := newView(t, b, termenv.Ascii, 40, 5, Options{TimeFormat: "-", NickWidth: 2})
	v.ScrollBy(20)
	before := screen(v)
	for page := range 3 {
		var hist []Line
		for i := range 10 {
			hist = append(hist, at(page*30+i, fmt.Sprint("old", page, i), ""))
		}
		b.Merge(hist)
	}
	if after := screen(v); after != before {
		t.Errorf("view moved after three merges:\n%s\n--- was:\n%s", after, before)
	}
	// More rebuilds than remembered: the position is lost, not corrupted.
	for page := range maxMoves + 1 {
		b.Merge([]Line{at(-100+page, fmt.Sprint("older", page), "")})
	}
	if rows := v.Render(); len(rows) != 5 || strings.TrimSpace(rows[0]) == "" {
		t.Errorf("after many merges: %q", rows)
	}
}

func TestAtTop(t *testing.T) {
	b := newBuf(100)
	v := newView(t, b, termenv.Ascii, 40, 5, Options{TimeFormat: "-", NickWidth: 2})
	if !v.AtTop() {
		t.Error("empty view not at the top")
	}
	for i := range 3 {
		b.Append(msg(i, "n", fmt.Sprint("l", i)))
	}
	if !v.AtTop() {
		t.Error("three lines in five rows: not at the top")
	}
	for i := 3; i < 20; i++ {
		b.Append(msg(i, "n", fmt.Sprint("l", i)))
	}
	if v.AtTop() {
		t.Error("twenty lines, at the bottom: at the top")
	}
	v.PageUp()
	v.PageUp()
	v.PageUp()
	if v.AtTop() {
		t.Error("three pages up of twenty lines: at the top already")
	}
	v.Home()
	if !v.AtTop() {
		t.Errorf("Home: not at the top:\n%s", screen(v))
	}
	// A line that wraps and is cut at the top is not the top yet.
	b.Merge([]Line{msg(-1, "n", strings.Repeat("long ", 20))})
	if v.AtTop() {
		t.Error("older line merged above: still at the top")
	}
	v.Home()
	if !v.AtTop() {
		t.Error("Home after the merge: not at the top")
	}
}
