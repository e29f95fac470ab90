package scrollback

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/muesli/termenv"
)

func texts(b *Buffer) string {
	var out []string
	for i := range b.Len() {
		l := b.Line(i)
		if l.Kind == DaySeparator {
			out = append(out, "|")
			continue
		}
		out = append(out, l.Text)
	}
	return strings.Join(out, " ")
}

func at(min int, text, msgid string) Line {
	return Line{Time: t0.Add(time.Duration(min) * time.Minute), Kind: Message, Nick: "n", Text: text, MsgID: msgid}
}

func TestMergeAppendsNewerHistory(t *testing.T) {
	b := newBuf(10)
	b.Append(at(0, "a", "1"))
	if n := b.Merge([]Line{at(1, "b", "2"), at(0, "dup", "1"), at(2, "c", "3"), at(2, "c again", "3")}); n != 2 {
		t.Errorf("Merge added %d, want 2", n)
	}
	if got := texts(b); got != "a b c" {
		t.Errorf("lines %q", got)
	}
}

func TestMergeFillsGap(t *testing.T) {
	b := newBuf(100)
	b.Append(at(0, "before", "m0"))
	b.Append(Line{Time: t0.Add(time.Minute), Kind: Gap})
	// After the reconnect: a live line and our own pending one.
	b.Append(at(24*60+10, "live", "m9"))
	b.Append(Line{Time: t0.Add((24*60 + 11) * time.Minute), Kind: Message, Self: true, Pending: true, LocalID: 5, Text: "mine"})
	b.MarkUnread()
	b.Append(at(24*60+12, "unread", "m10"))
	// History of what was said while we were away, across midnight.
	added := b.Merge([]Line{at(2, "h1", "m1"), at(24*60+1, "h2", "m2"), at(24*60+10, "h3 same time as live", "m3"), at(24*60+10, "live", "m9")})
	if added != 3 {
		t.Errorf("added %d, want 3 (the live line is a duplicate)", added)
	}
	want := "before  h1 | h2 live h3 same time as live mine unread"
	if got := texts(b); got != want {
		t.Errorf("lines\n got %q\nwant %q", got, want)
	}
	if !b.Delivered(5) {
		t.Error("LocalID index lost in the rebuild")
	}
	if !b.HasMsgID("m2") || !b.HasMsgID("m0") {
		t.Error("msgid index lost in the rebuild")
	}
	if i, ok := b.Unread(); !ok || b.Line(i).Text != "unread" {
		t.Errorf("unread marker moved: %d %v", i, ok)
	}
	if b.Merge(nil) != 0 {
		t.Error("empty merge added lines")
	}
}

func TestMergeRespectsLimit(t *testing.T) {
	b := newBuf(4)
	b.Append(at(10, "x", ""))
	b.Append(at(11, "y", ""))
	b.Merge([]Line{at(1, "h1", ""), at(2, "h2", ""), at(3, "h3", ""), at(12, "z", "")})
	if got := texts(b); got != "h3 x y z" {
		t.Errorf("lines %q, want the newest 4", got)
	}
}

func TestMergeKeepsViewPosition(t *testing.T) {
	b := newBuf(1000)
	for i := range 50 {
		b.Append(at(100+i, fmt.Sprint("line", i), ""))
	}
	v := newView(t, b, termenv.Ascii, 40, 5, Options{TimeFormat: "-", NickWidth: 2})
	v.ScrollBy(20)
	before := screen(v)
	var hist []Line
	for i := range 30 {
		hist = append(hist, at(i, fmt.Sprint("old", i), ""))
	}
	b.Merge(hist)
	if after := screen(v); after != before {
		t.Errorf("view moved after Merge:\n%s\n--- was:\n%s", after, before)
	}
	v.Home()
	if top := strings.TrimSpace(v.Render()[0]); top != "n old0" {
		t.Errorf("Home after merge shows %q", top)
	}
	b.Clear()
	b.Append(at(0, "fresh", ""))
	if got := strings.TrimSpace(v.Render()[4]); got != "n fresh" {
		t.Errorf("after Clear the view shows %q", got)
	}
}
