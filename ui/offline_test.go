package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// typed types text into the current buffer, presses Enter and returns
// the SendText the model gave the connection.
func (hs *harness) typed(text string) command.SendText {
	hs.t.Helper()
	hs.typeText(text)
	hs.keys("enter")
	d := hs.conn.take()
	if len(d) != 1 {
		hs.t.Fatalf("%q: %d commands, want one SendText", text, len(d))
	}
	st, ok := d[0].cmd.(command.SendText)
	if !ok || st.ID == 0 || st.Text != text {
		hs.t.Fatalf("%q: got %#v", text, d[0].cmd)
	}
	return st
}

// echo is the network side's Pending echo of a line it queued.
func echo(sec int, st command.SendText, pending bool, msgid string) event.Message {
	return event.Message{Meta: meta(sec), Buffer: st.Target, From: "newcomer", Target: st.Target, Text: st.Text,
		Self: true, LocalID: st.ID, Pending: pending, MsgID: msgid}
}

// serverEcho is the server's echo-message copy of the (one-line) st, as
// the session reports it: Echo, naming the line shown at submit.
func serverEcho(sec int, st command.SendText, msgid string) event.Message {
	m := echo(sec, st, false, msgid)
	m.Echo = true
	return m
}

// The offline queue as the UI sees it: lines typed while the
// network is down are shown at once, marked pending; after the reconnect
// one is delivered (mark cleared, once) and one failed (marked, with a
// reason); nothing is shown twice.
func TestOfflineQueue(t *testing.T) {
	hs := newHarness(t, 80, 14, Options{})
	demoChannel(hs)
	hs.feed(event.ConnState{Meta: meta(50), State: event.StateWaiting, Reason: "EOF", RetryIn: 2 * time.Second})
	a := hs.typed("typed while offline")
	b := hs.typed("this one will not make it")
	hs.feed(echo(51, a, true, ""), echo(52, b, true, ""))
	hs.feed(event.ConnState{Meta: meta(52), State: event.StateConnecting, Server: "127.0.0.1:6697", TLS: true})
	hs.golden("offline_pending")
	s := hs.screen()
	if !strings.Contains(s, "newcomer…typed while offline") || !strings.Contains(s, "2 pending") || !strings.Contains(s, "connecting") {
		t.Fatalf("pending lines not shown as pending:\n%s", s)
	}
	hs.feed(
		event.ConnState{Meta: meta(53), State: event.StateRegistering, Server: "127.0.0.1:6697", TLS: true},
		event.ConnState{Meta: meta(53), State: event.StateRegistered, Server: "127.0.0.1:6697", TLS: true},
		event.Registered{Meta: meta(53), Nick: "newcomer", ServerName: "s1"},
		event.Join{Meta: meta(53), Channel: "#ferry", Nick: "newcomer", Self: true},
		// Sent after the rejoin: delivered, and echoed by the server.
		event.Delivered{Meta: meta(54), LocalID: a.ID},
		serverEcho(54, a, "e1"),
		event.Failed{Meta: meta(54), LocalID: b.ID, Reason: "#ferry could not be rejoined"},
	)
	hs.golden("offline_after")
	s = hs.screen()
	if strings.Count(s, "typed while offline") != 1 || strings.Count(s, "will not make it") != 1 {
		t.Errorf("own lines not shown exactly once:\n%s", s)
	}
	if strings.Contains(s, "…typed while offline") || strings.Contains(s, "pending") {
		t.Errorf("pending mark kept after delivery:\n%s", s)
	}
	if !strings.Contains(s, "✗this one will not make it") || !strings.Contains(s, "a line was not delivered: #ferry") {
		t.Errorf("failed line not marked or not explained:\n%s", s)
	}
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	for i := range ch.sb.Len() {
		l := ch.sb.Line(i)
		switch l.Text {
		case a.Text:
			if l.Pending || l.Failed || l.MsgID != "e1" {
				t.Errorf("delivered line: pending %v failed %v msgid %q", l.Pending, l.Failed, l.MsgID)
			}
		case b.Text:
			if l.Pending || !l.Failed {
				t.Errorf("failed line: pending %v failed %v", l.Pending, l.Failed)
			}
		}
	}
	if n := hs.m.m.pendingCount(); n != 0 {
		t.Errorf("%d lines still counted pending", n)
	}
	// The next line queued offline is echoed on the new connection: the
	// session kept its echo entry across the reconnect and gives the echo
	// the line's LocalID (net/session TestEchoAcrossRegister): still one
	// line, now with the server's msgid.
	c := hs.typed("echoed without my id")
	hs.feed(echo(56, c, true, ""), event.Delivered{Meta: meta(57), LocalID: c.ID})
	hs.feed(serverEcho(57, c, "e3"))
	if s := hs.screen(); strings.Count(s, "echoed without my id") != 1 {
		t.Errorf("the echo of a line queued offline doubled our line:\n%s", s)
	}
	if l := ch.sb.Line(ch.sb.Len() - 1); l.Text != c.Text || l.MsgID != "e3" {
		t.Errorf("echo not adopted: %q %q", l.Text, l.MsgID)
	}
	// A chathistory gap page that replays the delivered line adds nothing.
	before := ch.sb.Len()
	hs.feed(event.History{Meta: meta(55), Buffer: "#ferry", Gap: true, Messages: []event.Message{echo(54, a, false, "e1")}})
	if ch.sb.Len() != before {
		t.Error("history replaying our delivered line added a line")
	}
}

// Quitting with lines still queued asks first; yes quits (QUIT to every
// network, with the reason given), no stays.
func TestQuitWhileOfflineAsks(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{}, "ferrynet", "othernet")
	demoChannel(hs)
	hs.feed(event.ConnState{Meta: meta(50), State: event.StateWaiting, Reason: "EOF", RetryIn: 2 * time.Second})
	a := hs.typed("queued line")
	hs.feed(echo(51, a, true, ""))
	hs.m.m.in.SetValue("/quit see you")
	if cmd := hs.send(keyMsg("enter")); cmd != nil {
		t.Fatal("/quit with a pending line quit at once")
	}
	if d := hs.conn.take(); len(d) != 0 {
		t.Fatalf("/quit with a pending line sent %+v", d)
	}
	if s := hs.screen(); !strings.Contains(s, "1 line not sent yet; quit anyway? [y/n]") {
		t.Fatalf("no question:\n%s", s)
	}
	cmd := hs.send(keyMsg("y"))
	if cmd == nil {
		t.Fatal("yes did not quit")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("yes: the command is not tea.Quit")
	}
	d := hs.conn.take()
	if len(d) != 2 {
		t.Fatalf("yes sent %d commands, want QUIT to both networks", len(d))
	}
	for _, s := range d {
		if q, ok := s.cmd.(command.Quit); !ok || q.Reason != "see you" {
			t.Errorf("%s: %#v, want Quit{see you}", s.net, s.cmd)
		}
	}
}

// The server's ERROR after the user's own /disconnect is a line in the
// server buffer, not an error note; after the next connect errors are
// noted again.
func TestDisconnectGoodbyeIsNoNote(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	hs.m.m.in.SetValue("/disconnect")
	hs.keys("enter")
	if d := hs.conn.take(); len(d) != 1 {
		t.Fatalf("/disconnect sent %+v", d)
	}
	hs.feed(
		event.Error{Meta: meta(60), Text: "the server closed the connection: Closing link (127.0.0.1) [Client Quit]"},
		event.ConnState{Meta: meta(60), State: event.StateDisconnected},
	)
	if s := hs.screen(); strings.Contains(s, "Closing link") {
		t.Errorf("our own disconnect noted as an error:\n%s", s)
	}
	sb := hs.m.m.netBy["ferrynet"].server0.sb
	found := false
	for i := range sb.Len() {
		found = found || strings.Contains(sb.Line(i).Text, "Closing link")
	}
	if !found {
		t.Error("the server's goodbye is not in the server buffer")
	}
	hs.feed(event.ConnState{Meta: meta(70), State: event.StateConnecting, Server: "127.0.0.1:6697"})
	hs.feed(event.Error{Meta: meta(71), Text: "closing link: K-lined"})
	if s := hs.screen(); !strings.Contains(s, "closing link: K-lined") {
		t.Errorf("an error after reconnecting is not noted:\n%s", s)
	}
}

// A line handed to a connection and then held again (a migration took it
// back from the flood limiter, or the link closed before writing it) is
// marked pending again by its LocalID, every line of a split text, and
// counted pending until it is delivered; a Requeued for a line the UI
// never showed counts nothing.
func TestRequeuedMarksPendingAgain(t *testing.T) {
	hs := newHarness(t, 80, 14, Options{})
	demoChannel(hs)
	a := hs.typed("split over two lines")
	first, second := echo(51, a, false, ""), echo(51, a, false, "")
	second.Text, second.Part = "second half", 1
	hs.feed(first, second)
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	n := ch.sb.Len()
	hs.feed(event.Requeued{Meta: meta(52), LocalID: a.ID}, event.Requeued{Meta: meta(52), LocalID: 999})
	for _, i := range []int{n - 2, n - 1} {
		if l := ch.sb.Line(i); !l.Pending || l.Failed {
			t.Errorf("line %q after Requeued: pending %v failed %v", l.Text, l.Pending, l.Failed)
		}
	}
	if c := hs.m.m.pendingCount(); c != 1 {
		t.Errorf("%d lines counted pending, want 1", c)
	}
	if ch.sb.Len() != n {
		t.Errorf("Requeued added lines")
	}
	hs.feed(event.Delivered{Meta: meta(53), LocalID: a.ID})
	for _, i := range []int{n - 2, n - 1} {
		if l := ch.sb.Line(i); l.Pending {
			t.Errorf("line %q still pending after Delivered", l.Text)
		}
	}
	if c := hs.m.m.pendingCount(); c != 0 {
		t.Errorf("%d lines counted pending after Delivered", c)
	}
}
