package conn

import (
	"fmt"
	"testing"
	"time"

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

// With message-tags, a PRIVMSG replayed with a msgid already seen in its
// buffer (as a hand-over buffer or a history fetch might) reaches the UI
// once; without the capability nothing is filtered.
func TestDuplicateMsgidDroppedOnTheWire(t *testing.T) {
	for _, tags := range []bool{true, false} {
		t.Run(fmt.Sprintf("message-tags=%v", tags), func(t *testing.T) {
			srv := newRelay(t)
			if tags {
				srv.set(func(r *relay) { r.capLS = "message-tags" })
			} else {
				srv.set(func(r *relay) { r.capLS = "multi-prefix" })
			}
			_, c := startPool(t, plainNet("net", "dee", srv.port()))
			c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
			// The relay ACKs as it reads the REQ; once a later PING is
			// answered, the client has handled the ACK.
			srv.waitFor(5*time.Second, "CAP REQ", func() bool { return len(srv.lines("dee", "CAP REQ")) == 1 })
			cl := srv.client("dee")
			cl.send("PING :acked")
			srv.waitFor(5*time.Second, "ACK handled", func() bool { return len(srv.lines("dee", "PONG acked")) == 1 })
			cl.send("@msgid=m1 :bob!u@h PRIVMSG dee :hello once")
			cl.send("@msgid=m1 :bob!u@h PRIVMSG dee :hello once")
			cl.send("@msgid=m1 :bob!u@h PRIVMSG #other :same msgid, other buffer")
			cl.send("@msgid=m2 :bob!u@h NOTICE dee :a notice")
			cl.send("@msgid=m2 :bob!u@h NOTICE dee :a notice")
			cl.send("PING :barrier")
			srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("dee", "PONG barrier")) == 1 })
			c.wait(5*time.Second, "the last message", func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Text == "a notice"
			})
			count := func(text string) int {
				return c.count(func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Text == text })
			}
			want := 1
			if !tags {
				want = 2
			}
			if n := count("hello once"); n != want {
				t.Errorf("%d copies of a PRIVMSG sent twice with one msgid, want %d", n, want)
			}
			if n := count("a notice"); n != want {
				t.Errorf("%d copies of a NOTICE sent twice with one msgid, want %d", n, want)
			}
			if n := count("same msgid, other buffer"); n != 1 {
				t.Errorf("a msgid seen in another buffer suppressed a message (%d copies)", n)
			}
		})
	}
}
