package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Lines from the journal are shown in their buffer (opened when needed),
// marked failed, and nothing is sent until /resend; /resend sends each
// once, through the normal send path (a SendText with a fresh ID), and a
// second /resend sends nothing.
func TestShowNotSentAndResend(t *testing.T) {
	hs := newHarness(t, 100, 14, Options{})
	hs.m.ShowNotSent([]NotSent{
		{Network: "ferrynet", Buffer: "#ferry", Nick: "newcomer", Kind: event.Privmsg, Text: "first lost", Time: t0},
		{Network: "ferrynet", Buffer: "#ferry", Nick: "newcomer", Kind: event.Action, Text: "waves", Time: t0.Add(time.Second)},
		{Network: "ferrynet", Buffer: "alice", Nick: "newcomer", Kind: event.Notice, Text: "to alice", Time: t0},
		{Network: "gone", Buffer: "#old", Text: "on a network no longer configured", Time: t0},
	})
	demoChannel(hs)
	if d := hs.conn.take(); len(d) != 0 {
		t.Fatalf("lines from the journal were sent without /resend: %+v", d)
	}
	n := hs.m.m.netBy["ferrynet"]
	ch, q := n.find("#ferry"), n.find("alice")
	if ch == nil || q == nil {
		t.Fatal("the buffers of the journal's lines were not opened")
	}
	failed := func(b *buffer) []scrollback.Line {
		var out []scrollback.Line
		for i := 0; i < b.sb.Len(); i++ {
			if l := b.sb.Line(i); l.Self && l.Failed {
				out = append(out, l)
			}
		}
		return out
	}
	if ls := failed(ch); len(ls) != 2 || ls[0].Text != "first lost" || ls[1].Kind != scrollback.Action {
		t.Fatalf("#ferry not-sent lines: %+v", ls)
	}
	found := false
	for i := 0; i < n.server0.sb.Len(); i++ {
		if strings.Contains(n.server0.sb.Line(i).Text, "on a network no longer configured") {
			found = true
		}
	}
	if !found {
		t.Error("the line of an unknown network was not shown")
	}
	hs.m.m.switchTo(ch)
	if s := hs.screen(); !strings.Contains(s, "not sent when ferry ended") {
		t.Errorf("no not-sent note on screen:\n%s", s)
	}

	hs.m.m.in.SetValue("/resend")
	hs.send(keyMsg("enter"))
	d := hs.conn.take()
	if len(d) != 2 {
		t.Fatalf("/resend sent %+v, want the 2 lines of #ferry", d)
	}
	for i, want := range []command.SendText{{Target: "#ferry", Text: "first lost", Kind: event.Privmsg}, {Target: "#ferry", Text: "waves", Kind: event.Action}} {
		st, ok := d[i].cmd.(command.SendText)
		if !ok || d[i].net != "ferrynet" || st.ID == 0 || st.Target != want.Target || st.Text != want.Text || st.Kind != want.Kind {
			t.Errorf("resent[%d] = %s %#v, want %#v", i, d[i].net, d[i].cmd, want)
		}
	}
	// The connection answers as for any typed line: pending, then delivered.
	st := d[0].cmd.(command.SendText)
	hs.feed(echo(60, st, true, ""))
	if l := ch.sb.Line(ch.sb.Len() - 1); l.Text != "first lost" || !l.Pending || l.Failed {
		t.Errorf("resent line not shown pending: %+v", l)
	}
	hs.feed(event.Delivered{Meta: meta(61), LocalID: st.ID})
	if l := ch.sb.Line(ch.sb.Len() - 1); l.Pending || l.Failed {
		t.Errorf("resent line not delivered: %+v", l)
	}

	hs.m.m.in.SetValue("/resend")
	hs.send(keyMsg("enter"))
	if d := hs.conn.take(); len(d) != 0 {
		t.Errorf("a second /resend sent %+v", d)
	}
	if l := ch.sb.Line(ch.sb.Len() - 1); !strings.Contains(l.Text, "no lines marked not sent") {
		t.Errorf("second /resend said %q", l.Text)
	}
}

// A line failed in this session can be sent again with /resend too.
func TestResendFailedLine(t *testing.T) {
	hs := newHarness(t, 100, 14, Options{})
	demoChannel(hs)
	a := hs.typed("refused")
	hs.feed(echo(51, a, false, ""), event.Failed{Meta: meta(52), LocalID: a.ID, Reason: "connection lost"})
	hs.m.m.in.SetValue("/resend")
	hs.send(keyMsg("enter"))
	d := hs.conn.take()
	if len(d) != 1 {
		t.Fatalf("/resend sent %+v", d)
	}
	if st := d[0].cmd.(command.SendText); st.Text != "refused" || st.ID == a.ID {
		t.Errorf("resent %#v (original ID %d)", st, a.ID)
	}
}

// Shutdown quits like a confirmed /quit: QUIT on every network, even with
// lines pending, without asking.
func TestShutdownQuitsWithoutAsking(t *testing.T) {
	hs := newHarness(t, 100, 14, Options{Version: "1.0"}, "ferrynet", "othernet")
	demoChannel(hs)
	hs.feed(event.ConnState{Meta: meta(50), State: event.StateWaiting, Reason: "EOF", RetryIn: 2 * time.Second})
	a := hs.typed("queued")
	hs.feed(echo(51, a, true, ""))
	cmd := hs.m.Shutdown()
	if cmd == nil {
		t.Fatal("Shutdown asked instead of quitting")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("Shutdown's command is not tea.Quit")
	}
	d := hs.conn.take()
	if len(d) != 2 || d[0].cmd != (command.Quit{Reason: "ferry 1.0"}) || d[1].net != "othernet" {
		t.Errorf("Shutdown sent %+v", d)
	}
}
