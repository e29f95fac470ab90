package scrollback

import (
	"fmt"
	"testing"
	"time"
)

func TestAppendRingLimit(t *testing.T) {
	b := newBuf(5)
	for i := range 12 {
		b.Append(Line{Kind: Info, Text: fmt.Sprint(i)}) // no time: no day separators
	}
	if b.Len() != 5 {
		t.Fatalf("Len = %d, want 5", b.Len())
	}
	for i := range 5 {
		if got := b.Line(i).Text; got != fmt.Sprint(7+i) {
			t.Errorf("Line(%d) = %q, want %d", i, got, 7+i)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Line(5) did not panic")
		}
	}()
	b.Line(5)
}

func TestDaySeparators(t *testing.T) {
	b := newBuf(100)
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	b.Append(Line{Time: day(24, 10), Kind: Message, Text: "a"})
	b.Append(Line{Time: day(24, 23), Kind: Message, Text: "b"})
	b.Append(Line{Time: day(25, 0), Kind: Message, Text: "c"})
	b.Append(Line{Kind: Info, Text: "undated"})
	b.Append(Line{Time: day(25, 9), Kind: Message, Text: "d"})
	b.Append(Line{Time: day(27, 9), Kind: Message, Text: "e"})
	var kinds []string
	for i := range b.Len() {
		l := b.Line(i)
		kinds = append(kinds, l.Kind.String()+":"+l.Text)
	}
	want := "[message:a message:b day-separator: message:c info:undated message:d day-separator: message:e]"
	if got := fmt.Sprint(kinds); got != want {
		t.Errorf("lines %s\nwant  %s", got, want)
	}
	if sep := b.Line(2); !sep.Time.Equal(day(25, 0)) {
		t.Errorf("separator time %v", sep.Time)
	}
}

func TestDaySeparatorUsesLocation(t *testing.T) {
	b := New(10)
	tz := time.FixedZone("UTC+3", 3*3600)
	b.SetLocation(tz)
	b.Append(Line{Time: time.Date(2026, 11, 24, 20, 0, 0, 0, time.UTC), Kind: Message})
	b.Append(Line{Time: time.Date(2026, 11, 24, 22, 0, 0, 0, time.UTC), Kind: Message}) // 01:00 next day in UTC+3
	if b.Len() != 3 || b.Line(1).Kind != DaySeparator {
		t.Errorf("want a separator at local midnight, got %d lines", b.Len())
	}
}

func TestUpdateByLocalID(t *testing.T) {
	b := newBuf(3)
	b.Append(Line{Kind: Message, Self: true, Pending: true, LocalID: 1, Text: "one"})
	b.Append(Line{Kind: Message, Self: true, Pending: true, LocalID: 2, Text: "two"})
	if !b.Delivered(1) || b.Line(0).Pending {
		t.Error("Delivered(1) did not clear Pending")
	}
	if !b.Failed(2) || !b.Line(1).Failed || b.Line(1).Pending {
		t.Error("Failed(2) did not mark the line failed")
	}
	if b.Delivered(99) || b.Delivered(0) {
		t.Error("unknown or zero id reported as updated")
	}
	if !b.Update(2, func(l *Line) { l.LocalID = 5; l.Text = "edited" }) || b.Line(1).LocalID != 2 || b.Line(1).Text != "edited" {
		t.Error("Update must apply f but keep the LocalID key")
	}
	// Evict line 1: its id must be forgotten, not point at a reused slot.
	b.Append(Line{Kind: Info})
	b.Append(Line{Kind: Info})
	if b.Delivered(1) {
		t.Error("Delivered found an evicted line")
	}
	if len(b.byLocalID) != 1 {
		t.Errorf("LocalID index holds %d entries, want 1 (line 2)", len(b.byLocalID))
	}
	b.Append(Line{Kind: Info})
	if len(b.byLocalID) != 0 {
		t.Errorf("LocalID index leaks %d entries", len(b.byLocalID))
	}
}

func TestUnreadMarkerIndex(t *testing.T) {
	b := newBuf(4)
	b.Append(Line{Kind: Info})
	if _, ok := b.Unread(); ok {
		t.Error("no marker set, Unread ok")
	}
	b.MarkUnread()
	if _, ok := b.Unread(); ok {
		t.Error("marker with nothing below it should not count")
	}
	b.Append(Line{Kind: Info, Text: "new"})
	if i, ok := b.Unread(); !ok || i != 1 {
		t.Errorf("Unread = %d %v, want 1", i, ok)
	}
	for range 5 {
		b.Append(Line{Kind: Info})
	}
	if i, ok := b.Unread(); !ok || i != 0 {
		t.Errorf("after eviction Unread = %d %v, want 0", i, ok)
	}
	b.ClearUnread()
	if _, ok := b.Unread(); ok {
		t.Error("ClearUnread kept the marker")
	}
}

func TestFind(t *testing.T) {
	b := newBuf(100)
	b.Append(Line{Kind: Message, Nick: "alice", Text: "Hello World"})
	b.Append(Line{Kind: Message, Nick: "bob", Text: "\x02WOR\x02ld peace"})
	b.Append(Line{Kind: Message, Nick: "carol", Text: "Ünïcödé text"})
	b.Append(Line{Kind: Message, Nick: "dave", Text: "nothing"})
	tests := []struct {
		q         string
		from      int
		backwards bool
		want      int
		ok        bool
	}{
		{"world", 0, false, 0, true},
		{"world", 1, false, 1, true}, // formatting codes inside the word are ignored
		{"world", 3, true, 1, true},
		{"world", 2, false, 0, false},
		{"ÜNÏ", 0, false, 2, true},
		{"BOB", 0, false, 1, true}, // nicks match too
		{"", 0, false, 0, false},
		{"hello", -5, false, 0, true},
		{"nothing", 99, true, 3, true},
		{"hello", 99, false, 0, false},
		{"hello", -1, true, 0, false},
	}
	for _, tt := range tests {
		i, ok := b.Find(tt.q, tt.from, tt.backwards)
		if ok != tt.ok || (ok && i != tt.want) {
			t.Errorf("Find(%q, %d, %v) = %d, %v; want %d, %v", tt.q, tt.from, tt.backwards, i, ok, tt.want, tt.ok)
		}
	}
	// FindWithin stops at its bound, inclusive.
	for _, tt := range []struct {
		q             string
		from, stop    int
		backwards, ok bool
		want          int
	}{
		{"world", 3, 2, true, false, 0},
		{"world", 3, 1, true, true, 1},
		{"nothing", 0, 2, false, false, 0},
		{"nothing", 0, 3, false, true, 3},
		{"hello", 0, 0, false, true, 0},
	} {
		i, ok := b.FindWithin(tt.q, tt.from, tt.stop, tt.backwards)
		if ok != tt.ok || (ok && i != tt.want) {
			t.Errorf("FindWithin(%q, %d, %d, %v) = %d, %v; want %d, %v", tt.q, tt.from, tt.stop, tt.backwards, i, ok, tt.want, tt.ok)
		}
	}
}

func TestClear(t *testing.T) {
	b := newBuf(3)
	for i := range 5 {
		b.Append(msg(i, "a", "x"))
	}
	b.Clear()
	if b.Len() != 0 {
		t.Fatal("Clear left lines")
	}
	b.Append(msg(0, "a", "again"))
	if b.Len() != 1 || b.Line(0).Text != "again" {
		t.Errorf("append after Clear: %d lines", b.Len())
	}
}

func TestHasMsgID(t *testing.T) {
	b := newBuf(2)
	b.Append(Line{Kind: Message, MsgID: "a"})
	b.Append(Line{Kind: Message, Self: true, LocalID: 3})
	if !b.HasMsgID("a") || b.HasMsgID("b") || b.HasMsgID("") {
		t.Error("HasMsgID after append")
	}
	b.Update(3, func(l *Line) { l.MsgID = "echo" }) // echo-message gives our line its msgid
	if !b.HasMsgID("echo") {
		t.Error("msgid set by Update not indexed")
	}
	b.Append(Line{Kind: Message, MsgID: "c"}) // evicts "a"
	if b.HasMsgID("a") || len(b.byMsgID) != 2 {
		t.Errorf("evicted msgid still known (%d entries)", len(b.byMsgID))
	}
}
