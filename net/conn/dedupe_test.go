package conn

import (
	"fmt"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

func TestMsgidFilterDropsRepeatsPerBuffer(t *testing.T) {
	l := newMsgidLRU()
	msg := func(buf, id, text string) event.Event {
		return event.Message{Buffer: buf, MsgID: id, Text: text}
	}
	in := []event.Event{
		msg("#a", "x1", "one"),
		msg("#a", "x1", "one again"), // same buffer, same msgid: dropped
		msg("#B", "x1", "other buffer"),
		msg("#b", "x1", "case-folded buffer"), // #B and #b are one buffer
		msg("#a", "", "no msgid"),
		msg("#a", "", "no msgid"), // without msgid nothing can be told apart
		event.Join{Channel: "#a"},
	}
	got := l.filter(in)
	var texts []string
	for _, e := range got {
		if m, ok := e.(event.Message); ok {
			texts = append(texts, m.Text)
		}
	}
	want := []string{"one", "other buffer", "no msgid", "no msgid"}
	if fmt.Sprint(texts) != fmt.Sprint(want) {
		t.Errorf("kept %q, want %q", texts, want)
	}
	if len(got) != 5 {
		t.Errorf("kept %d events, want 5 (the Join too)", len(got))
	}
}

func TestMsgidMemoryIsBounded(t *testing.T) {
	l := newMsgidLRU()
	for i := range dedupeWindow + 10 {
		if l.seen("#a", fmt.Sprint(i)) {
			t.Fatalf("fresh msgid %d reported seen", i)
		}
	}
	if r := l.buffers["#a"]; len(r.ring) != dedupeWindow || len(r.set) != dedupeWindow {
		t.Fatalf("ring %d, set %d; want both %d", len(r.ring), len(r.set), dedupeWindow)
	}
	if l.seen("#a", "0") {
		t.Error("the oldest msgid should have been forgotten")
	}
	if !l.seen("#a", fmt.Sprint(dedupeWindow+9)) {
		t.Error("a recent msgid was forgotten")
	}
	for i := range dedupeBuffers + 5 {
		l.seen(fmt.Sprintf("nick%d", i), "m")
	}
	if len(l.buffers) > dedupeBuffers {
		t.Errorf("%d buffers remembered, bound is %d", len(l.buffers), dedupeBuffers)
	}
}
