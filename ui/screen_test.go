package ui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/muesli/termenv"
)

// demoChannel is the first screen of ferry --demo: ferrynet, #ferry, the
// chatter talking.
func demoChannel(hs *harness) {
	hs.connected()
	hs.feed(
		event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", UserHost: "newcomer@127.0.0.1", Self: true},
		event.Topic{Meta: meta(1), Channel: "#ferry", Topic: "Welcome to ferry's demo: you will be moved between s1 and s2 every 20 s", SetBy: "chatter", SetAt: t0},
		event.Names{Meta: meta(1), Channel: "#ferry", Members: []event.Member{{Nick: "newcomer"}, {Nick: "chatter", Prefixes: "@"}, {Nick: "alice", Prefixes: "+"}, {Nick: "Bob"}}},
		event.Message{Meta: meta(5), Buffer: "#ferry", From: "chatter", Target: "#ferry", Text: "hello newcomer, welcome to #ferry!", MsgID: "m1"},
		event.Message{Meta: meta(20), Buffer: "#ferry", From: "chatter", Target: "#ferry", Text: "every 20 seconds the network moves you to another server; watch the status bar", MsgID: "m2"},
		event.Message{Meta: meta(40), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "seamless, is it not?", MsgID: "m3"},
	)
}

func TestScreenDemoChannel(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	hs.golden("demo_channel")
}

func TestScreenFoldedJoinsAndFormatting(t *testing.T) {
	hs := newHarness(t, 80, 14, Options{})
	demoChannel(hs)
	hs.feed(
		event.Join{Meta: meta(50), Channel: "#ferry", Nick: "carol"},
		event.Join{Meta: meta(51), Channel: "#ferry", Nick: "dave"},
		event.Part{Meta: meta(52), Channel: "#ferry", Nick: "Bob", Reason: "bye"},
		event.NickChange{Meta: meta(53), Old: "dave", New: "dave_", Channels: []string{"#ferry"}},
		event.Quit{Meta: meta(54), Nick: "carol", Reason: "gone", Channels: []string{"#ferry"}},
		event.Message{Meta: meta(60), Buffer: "#ferry", From: "alice", Text: "\x02bold\x02 \x1ditalic\x1d \x1funder\x1f \x1estrike\x1e \x0304red\x03 \x16rev\x16 \x11mono\x11 https://example.org/x"},
		event.Message{Meta: meta(61), Buffer: "#ferry", From: "alice", Kind: event.Action, Text: "waves \x0312blue\x0f plain"},
		event.Message{Meta: meta(62), Buffer: "#ferry", From: "NickServ", Kind: event.Notice, Text: "a \x02notice\x02"},
	)
	hs.golden("folded_joins_formatting")
	// In colour, the mIRC attributes become SGR sequences.
	hs.m.m.setStyles(testStyles(t, termenv.ANSI256))
	hs.golden("folded_joins_formatting_ansi256")
	s := hs.m.View()
	for _, sgr := range []string{"\x1b[0;1m" + "bold", ";3m" + "italic", ";4m" + "under", ";9m" + "strike", ";91m" + "red", ";7m" + "rev"} {
		if !strings.Contains(s, sgr) {
			t.Errorf("frame lacks %q", sgr)
		}
	}
}

// migration brings the demo channel through a migration to s2 with lines
// typed during the window.
func TestScreenMigration(t *testing.T) {
	hs := newHarness(t, 80, 12, Options{})
	demoChannel(hs)
	hs.feed(
		event.Migration{Meta: meta(60), Step: event.MigrationOffered, Target: "s2", Host: "127.0.0.1:6698"},
		event.Migration{Meta: meta(60), Step: event.MigrationAccepted, Target: "s2", Host: "127.0.0.1:6698"},
	)
	hs.typeText("typed during the move")
	hs.keys("enter")
	hs.typeText("and another one")
	hs.keys("enter")
	var ids []uint64
	for _, s := range hs.conn.take() {
		st, ok := s.cmd.(command.SendText)
		if !ok || s.net != "ferrynet" || st.Target != "#ferry" || st.ID == 0 {
			t.Fatalf("Do(%q, %#v): want a SendText to #ferry with an ID", s.net, s.cmd)
		}
		ids = append(ids, st.ID)
	}
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("SendText IDs %v: want two distinct", ids)
	}
	// The network side echoes them at once, pending.
	hs.feed(
		event.Message{Meta: meta(61), Buffer: "#ferry", From: "newcomer", Target: "#ferry", Text: "typed during the move", Self: true, LocalID: ids[0], Pending: true},
		event.Message{Meta: meta(61), Buffer: "#ferry", From: "newcomer", Target: "#ferry", Text: "and another one", Self: true, LocalID: ids[1], Pending: true},
		event.Migration{Meta: meta(61), Step: event.MigrationProceeding, Target: "s2", Host: "127.0.0.1:6698"},
	)
	hs.golden("migration_during")
	if s := hs.screen(); strings.Contains(s, "reconnect") || strings.Contains(s, "disconnect") {
		t.Errorf("reconnect text during a migration:\n%s", s)
	}
	cmd := hs.feed(
		event.Migration{Meta: meta(62), Step: event.MigrationResumed, Target: "s2", Host: "127.0.0.1:6698", Window: 4 * time.Millisecond},
		event.Delivered{Meta: meta(62), LocalID: ids[0]},
		event.Delivered{Meta: meta(62), LocalID: ids[1]},
		// echo-message: the server's copies carry msgids and update the lines.
		event.Message{Meta: meta(62), Buffer: "#ferry", From: "newcomer", Target: "#ferry", Text: "typed during the move", Self: true, LocalID: ids[0], MsgID: "e1", Echo: true},
		event.Message{Meta: meta(62), Buffer: "#ferry", From: "newcomer", Target: "#ferry", Text: "and another one", Self: true, LocalID: ids[1], MsgID: "e2", Echo: true},
	)
	if cmd == nil {
		t.Fatal("no command after Resumed: the note needs a timer")
	}
	hs.golden("migration_after")
	s := hs.screen()
	if strings.Count(s, "typed during the move") != 1 || strings.Count(s, "and another one") != 1 {
		t.Errorf("own lines not shown exactly once:\n%s", s)
	}
	if strings.Contains(s, "reconnect") || strings.Contains(s, "disconnect") {
		t.Errorf("reconnect text after a migration:\n%s", s)
	}
	// The note's timer fires: the note goes, nothing else changes.
	hs.send(noteExpiredMsg{net: "ferrynet", seq: hs.m.m.netBy["ferrynet"].noteSeq})
	if s := hs.screen(); strings.Contains(s, "window") {
		t.Errorf("note still shown after its timer:\n%s", s)
	}
}

func TestMigrationFailedAndDeclined(t *testing.T) {
	// Wide enough for the whole declined note beside the context.
	hs := newHarness(t, 110, 12, Options{})
	demoChannel(hs)
	hs.feed(event.Migration{Meta: meta(60), Step: event.MigrationDeclined, Target: "s2", Reason: "target not reachable"})
	if s := hs.screen(); !strings.Contains(s, "stayed: move to s2 declined (target not reachable)") {
		t.Errorf("declined note missing:\n%s", s)
	}
	server := hs.m.m.netBy["ferrynet"].server0
	before := server.sb.Len()
	hs.feed(
		event.Migration{Meta: meta(61), Step: event.MigrationAccepted, Target: "s2"},
		event.Migration{Meta: meta(62), Step: event.MigrationFailed, Target: "s2", Reason: "the target dropped the connection", Recovery: "stayed on s1"},
	)
	if got := server.sb.Len() - before; got != 1 {
		t.Fatalf("server buffer got %d lines for a failed migration, want 1", got)
	}
	l := server.sb.Line(server.sb.Len() - 1)
	if !strings.Contains(l.Text, "the target dropped the connection") || !strings.Contains(l.Text, "stayed on s1") {
		t.Errorf("server buffer line %q does not say what happened and the recovery", l.Text)
	}
	if s := hs.screen(); !strings.Contains(s, "move to s2 failed; stayed on s1") {
		t.Errorf("failure note missing:\n%s", s)
	}
}

func TestScreenHighlight(t *testing.T) {
	hs := newHarness(t, 80, 12, Options{Highlights: []string{"ferry-dev"}, Bell: true})
	demoChannel(hs)
	hs.feed(event.Join{Meta: meta(42), Channel: "#other", Nick: "newcomer", Self: true})
	hs.keys("alt+1") // back to the server buffer ... then #ferry
	hs.keys("alt+2")
	hs.bell.Reset()
	cmd := hs.feed(
		event.Message{Meta: meta(70), Buffer: "#ferry", From: "alice", Text: "NEWCOMER: are you there?"},
		event.Message{Meta: meta(71), Buffer: "#other", From: "bob", Text: "anyone from ferry-dev around?"},
		event.Message{Meta: meta(72), Buffer: "#other", From: "bob", Text: "newcomers welcome (no highlight: not the whole word)"},
	)
	runCmd(cmd)
	if hs.bell.String() != "\a" {
		t.Errorf("bell wrote %q, want one BEL", hs.bell.String())
	}
	hs.golden("highlight")
	// In colour the line is drawn in the theme's highlight style.
	hs.m.m.setStyles(testStyles(t, termenv.ANSI256))
	hs.golden("highlight_ansi256")
	other := hs.m.m.netBy["ferrynet"].find("#other")
	if !other.highlight || other.unread != 2 {
		t.Errorf("#other: highlight %v unread %d, want true 2", other.highlight, other.unread)
	}
	if other.sb.Line(other.sb.Len() - 1).Highlight {
		t.Error("a partial-word match highlighted")
	}
}

func TestScreenNarrow(t *testing.T) {
	hs := newHarness(t, 40, 10, Options{})
	demoChannel(hs)
	// Activity elsewhere shows in the status bar: the sidebar is hidden.
	hs.feed(event.Message{Meta: meta(50), Buffer: "bob", From: "bob", Text: "psst"})
	hs.typeText("a long line typed into a narrow terminal's input")
	hs.golden("narrow")
	for i, row := range strings.Split(hs.m.View(), "\n") {
		if w := format.RenderedWidth(row); w > 40 {
			t.Errorf("row %d is %d cells wide: %q", i, w, row)
		}
	}
	if n := len(strings.Split(hs.m.View(), "\n")); n != 10 {
		t.Errorf("%d rows, want 10", n)
	}
}

// runCmd runs cmd and any commands a tea.Batch holds, skipping the
// blocking ones (event reader, ticks) by running each with a deadline.
func runCmd(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				runCmd(c)
			}
		}
	case <-time.After(50 * time.Millisecond):
	}
}
