package ui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// typingSent returns the states of the typing notifications sent since
// the last call, as "target:state".
func (hs *harness) typingSent() []string {
	var out []string
	for _, d := range hs.conn.takeTyping() {
		c := d.cmd.(command.Typing)
		out = append(out, c.Target+":"+c.State)
	}
	return out
}

// wait advances the clock by d and delivers the typing tick, as the armed
// tea.Tick would.
func (hs *harness) wait(d time.Duration) {
	hs.now = hs.now.Add(d)
	hs.send(typingTickMsg{})
}

func TestTypingSentWhileTyping(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	if hs.current() != "ferrynet:#ferry" {
		t.Fatalf("in %s", hs.current())
	}
	want := func(step string, states ...string) {
		t.Helper()
		if got := hs.typingSent(); !reflect.DeepEqual(got, states) {
			t.Fatalf("%s: sent %q, want %q", step, got, states)
		}
	}
	hs.typeText("hel")
	want("first keys", "#ferry:active")
	hs.wait(time.Second)
	hs.typeText("lo")
	want("within the throttle")
	hs.wait(2 * time.Second)
	want("the throttle ends: the changes since are said", "#ferry:active")
	hs.wait(3 * time.Second)
	want("5 s idle with text", "#ferry:paused")
	hs.keys("backspace", "backspace", "backspace", "backspace", "backspace")
	want("the line cleared right after paused: held by the throttle")
	hs.wait(3 * time.Second)
	want("the line cleared without sending", "#ferry:done")
	hs.wait(10 * time.Second)
	want("nothing more")

	// A message sent: no done after it, the message says it.
	hs.typeText("hi")
	want("typing again", "#ferry:active")
	hs.keys("enter")
	if d := hs.conn.take(); len(d) != 1 {
		t.Fatalf("enter sent %+v", d)
	}
	hs.wait(10 * time.Second)
	want("after the message")

	// Commands are no typing, and neither is the server buffer.
	hs.typeText("/whois bob")
	hs.wait(6 * time.Second)
	want("a /command")
	hs.keys("ctrl+u")
	hs.m.m.switchTo(hs.m.m.nets[0].server0)
	hs.typeText("text in the server buffer")
	hs.wait(6 * time.Second)
	want("the server buffer")
}

// TestTypingOnlyWhereItReaches: no notifications to a channel we left or
// to a monitored nick who is offline.
func TestTypingOnlyWhereItReaches(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	hs.run("/query bob")
	hs.feed(event.Presence{Meta: meta(50), Nick: "bob"})
	hs.typeText("are you")
	hs.wait(6 * time.Second)
	if got := hs.typingSent(); len(got) != 0 {
		t.Fatalf("typing to an offline nick sent %q", got)
	}
	hs.keys("ctrl+u")
	hs.feed(event.Presence{Meta: meta(51), Nick: "bob", Online: true})
	hs.typeText("hi")
	if got := hs.typingSent(); !reflect.DeepEqual(got, []string{"bob:active"}) {
		t.Fatalf("typing to bob online sent %q", got)
	}
	hs.keys("ctrl+u")
	hs.wait(6 * time.Second)
	hs.typingSent()
	hs.run("/buffer #ferry")
	hs.feed(event.Part{Meta: meta(52), Channel: "#ferry", Nick: "newcomer", Self: true})
	hs.typeText("anyone?")
	hs.wait(6 * time.Second)
	if got := hs.typingSent(); len(got) != 0 {
		t.Fatalf("typing in a channel we left sent %q", got)
	}
}

func TestTypingOff(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{NoTyping: true})
	demoChannel(hs)
	hs.typeText("hello")
	hs.wait(6 * time.Second)
	if got := hs.typingSent(); len(got) != 0 {
		t.Fatalf("typing = false sent %q", got)
	}
	hs.feed(event.Typing{Meta: meta(50), Buffer: "#ferry", Nick: "alice", State: "active"})
	if row := hs.statusRow(); strings.Contains(row, "typing") {
		t.Fatalf("typing = false shows %q", row)
	}
}

func TestTypingShownAndExpired(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	shows := func(step, want string) {
		t.Helper()
		row := hs.statusRow()
		if want == "" && strings.Contains(row, "typing") || want != "" && !strings.Contains(row, want) {
			t.Fatalf("%s: status bar %q, want %q", step, row, want)
		}
	}
	if cmd := hs.feed(event.Typing{Meta: meta(50), Buffer: "#ferry", Nick: "alice", State: "active"}); cmd == nil {
		t.Fatal("no tick armed for the expiry")
	}
	shows("active", "alice is typing…")
	hs.now = hs.now.Add(5900 * time.Millisecond)
	shows("5.9 s later", "alice is typing…")
	hs.wait(100 * time.Millisecond)
	shows("6 s without a new one", "")

	hs.feed(event.Typing{Meta: meta(60), Buffer: "#ferry", Nick: "alice", State: "paused"},
		event.Typing{Meta: meta(60), Buffer: "#ferry", Nick: "Bob", State: "active"})
	shows("two", "Bob and alice are typing…")
	hs.now = hs.now.Add(6 * time.Second)
	shows("active gone, paused holds", "alice is typing…")
	hs.now = hs.now.Add(23 * time.Second)
	shows("paused 29 s", "alice is typing…")
	hs.now = hs.now.Add(time.Second)
	shows("paused 30 s", "")

	hs.feed(event.Typing{Meta: meta(90), Buffer: "#ferry", Nick: "alice", State: "active"})
	hs.feed(event.Message{Meta: meta(91), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "done typing"})
	shows("a message from her", "")

	hs.feed(event.Typing{Meta: meta(92), Buffer: "#ferry", Nick: "alice", State: "active"})
	hs.feed(event.Typing{Meta: meta(92), Buffer: "#ferry", Nick: "alice", State: "done"})
	shows("done", "")

	hs.feed(event.Typing{Meta: meta(93), Buffer: "#ferry", Nick: "alice", State: "active"})
	hs.feed(event.Quit{Meta: meta(93), Nick: "alice", Channels: []string{"#ferry"}})
	shows("she quit", "")

	hs.feed(event.Typing{Meta: meta(94), Buffer: "bob", Nick: "bob", State: "active"})
	shows("typing in another buffer", "")
}
