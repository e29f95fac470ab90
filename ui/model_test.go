package ui

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// current is the name of the current buffer ("" for a server buffer) and
// its network.
func (hs *harness) current() string {
	b := hs.m.m.cur
	if b.kind == serverBuf {
		return b.net.name + ":"
	}
	return b.net.name + ":" + b.name
}

func TestBufferSwitchingKeys(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{}, "ferrynet", "libera")
	hs.connected()
	hs.feed(
		event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", Self: true},
		event.Join{Meta: meta(1), Channel: "#alpha", Nick: "newcomer", Self: true},
		event.Message{Meta: meta(2), Buffer: "bob", From: "bob", Text: "psst"},
		event.ConnState{Meta: event.Meta{Network: "libera"}, State: event.StateConnecting, Server: "irc.libera.chat:6697"},
	)
	// Sidebar order: ferrynet, then its buffers as they came (#ferry,
	// #alpha, bob), then libera.
	want := []string{"ferrynet:", "ferrynet:#ferry", "ferrynet:#alpha", "ferrynet:bob", "libera:"}
	var got []string
	for _, b := range hs.m.m.ordered() {
		got = append(got, b.net.name+":"+b.name)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	steps := []struct{ key, want string }{
		{"alt+1", "ferrynet:"},
		{"alt+4", "ferrynet:bob"},
		{"alt+5", "libera:"},
		{"alt+9", "libera:"}, // no 9th buffer: stay
		{"ctrl+n", "ferrynet:"},
		{"ctrl+p", "libera:"},
		{"alt+left", "ferrynet:bob"},
		{"alt+right", "libera:"},
		{"alt+3", "ferrynet:#alpha"},
	}
	for _, s := range steps {
		hs.keys(s.key)
		if c := hs.current(); c != s.want {
			t.Fatalf("after %s: current %s, want %s", s.key, c, s.want)
		}
	}
	// Visiting bob cleared its unread count and highlight.
	bob := hs.m.m.netBy["ferrynet"].find("bob")
	if bob.unread != 0 || bob.highlight {
		t.Errorf("bob after a visit: unread %d highlight %v", bob.unread, bob.highlight)
	}
}

func TestTabCompletion(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs) // members: chatter, alice, Bob, newcomer
	hs.typeText("b")
	hs.keys("tab")
	if v := hs.m.m.in.Value(); v != "Bob: " {
		t.Errorf("nick at line start: %q, want %q", v, "Bob: ")
	}
	hs.m.m.in.Reset()
	hs.typeText("ask a")
	hs.keys("tab")
	if v := hs.m.m.in.Value(); v != "ask alice" {
		t.Errorf("nick mid-line: %q", v)
	}
	hs.m.m.in.Reset()
	hs.feed(event.Names{Meta: meta(2), Channel: "#ferry", Members: []event.Member{{Nick: "carl"}, {Nick: "Carol"}, {Nick: "newcomer"}}})
	hs.typeText("c")
	hs.keys("tab")
	first := hs.m.m.in.Value()
	hs.keys("tab")
	second := hs.m.m.in.Value()
	hs.keys("tab")
	third := hs.m.m.in.Value()
	if first != "carl: " || second != "Carol: " || third != "carl: " {
		t.Errorf("cycling: %q, %q, %q; want carl, Carol, carl", first, second, third)
	}
	hs.m.m.in.Reset()
	hs.typeText("/mig")
	hs.keys("tab")
	if v := hs.m.m.in.Value(); v != "/migrate " {
		t.Errorf("command: %q", v)
	}
	hs.m.m.in.Reset()
	hs.typeText("see #fe")
	hs.keys("tab")
	if v := hs.m.m.in.Value(); v != "see #ferry" {
		t.Errorf("channel: %q", v)
	}
	hs.m.m.in.Reset()
	hs.typeText("zz")
	hs.keys("tab")
	if v := hs.m.m.in.Value(); v != "zz" {
		t.Errorf("no match changed the line: %q", v)
	}
}

// Nicks complete most recent speaker first, then the rest in list order.
func TestTabCompletionRecentSpeakerFirst(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Names{Meta: meta(2), Channel: "#ferry", Members: []event.Member{{Nick: "carl"}, {Nick: "Carol"}, {Nick: "cy"}, {Nick: "newcomer"}}})
	hs.feed(
		event.Message{Meta: meta(3), Buffer: "#ferry", From: "carl", Text: "older"},
		event.Message{Meta: meta(4), Buffer: "#ferry", From: "cy", Kind: event.Action, Text: "newest"},
	)
	var got []string
	hs.typeText("c")
	for range 4 {
		hs.keys("tab")
		got = append(got, hs.m.m.in.Value())
	}
	want := []string{"cy: ", "carl: ", "Carol: ", "cy: "}
	if !slices.Equal(got, want) {
		t.Errorf("completion order %q, want %q", got, want)
	}
}

func TestHistoryPerBuffer(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Join{Meta: meta(2), Channel: "#other", Nick: "newcomer", Self: true})
	hs.keys("alt+2") // #ferry
	hs.typeText("first")
	hs.keys("enter")
	hs.typeText("second")
	hs.keys("enter")
	hs.typeText("draft")
	hs.keys("up")
	if v := hs.m.m.in.Value(); v != "second" {
		t.Fatalf("up: %q", v)
	}
	hs.keys("up")
	hs.keys("up") // stays at the oldest
	if v := hs.m.m.in.Value(); v != "first" {
		t.Fatalf("up up up: %q", v)
	}
	hs.keys("down", "down")
	if v := hs.m.m.in.Value(); v != "draft" {
		t.Fatalf("down past the newest gives back the draft: %q", v)
	}
	hs.m.m.in.Reset()
	hs.keys("alt+3") // #other has its own history
	hs.keys("up")
	if v := hs.m.m.in.Value(); v != "" {
		t.Errorf("#other history leaked #ferry's: %q", v)
	}
	hs.keys("alt+2", "up")
	if v := hs.m.m.in.Value(); v != "second" {
		t.Errorf("#ferry history after switching: %q", v)
	}
}

func TestSendTextAndOwnLineUpdates(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.typeText("hello all")
	hs.keys("enter")
	d := hs.conn.take()
	if len(d) != 1 {
		t.Fatalf("Do calls %v", d)
	}
	st := d[0].cmd.(command.SendText)
	if st.ID == 0 || st.Target != "#ferry" || st.Text != "hello all" || st.Kind != event.Privmsg {
		t.Fatalf("SendText %#v", st)
	}
	b := hs.m.m.cur
	n0 := b.sb.Len()
	// The UI shows nothing itself: the network side echoes the line.
	if b.sb.Len() != n0 {
		t.Fatal("the UI echoed locally")
	}
	hs.feed(event.Message{Meta: meta(70), Buffer: "#ferry", From: "newcomer", Text: "hello all", Self: true, LocalID: st.ID, Pending: true})
	if b.sb.Len() != n0+1 || !b.sb.Line(n0).Pending {
		t.Fatalf("pending line not shown")
	}
	hs.feed(event.Delivered{Meta: meta(71), LocalID: st.ID})
	if b.sb.Line(n0).Pending {
		t.Fatal("Delivered did not clear pending")
	}
	later := meta(72)
	hs.feed(event.Message{Meta: later, Buffer: "#ferry", From: "newcomer", Text: "hello all", Self: true, LocalID: st.ID, MsgID: "srv1", Echo: true})
	if b.sb.Len() != n0+1 {
		t.Fatalf("the echo added a line instead of updating it")
	}
	if l := b.sb.Line(n0); l.MsgID != "srv1" || !l.Time.Equal(later.Time) {
		t.Errorf("updated line %+v: want msgid srv1 and the echo's time", l)
	}
	// The same echo again (a replay) is dropped by msgid.
	hs.feed(event.Message{Meta: later, Buffer: "#ferry", From: "newcomer", Text: "hello all", Self: true, LocalID: st.ID, MsgID: "srv1", Echo: true})
	if b.sb.Len() != n0+1 {
		t.Error("a replayed echo was added")
	}

	// A long text split by the session: two lines, one LocalID.
	hs.feed(
		event.Message{Meta: meta(80), Buffer: "#ferry", From: "newcomer", Text: "part one", Self: true, LocalID: 500, Pending: true},
		event.Message{Meta: meta(80), Buffer: "#ferry", From: "chatter", Text: "interleaved"},
		event.Message{Meta: meta(80), Buffer: "#ferry", From: "newcomer", Text: "part two", Self: true, LocalID: 500, Pending: true},
	)
	if b.sb.Len() != n0+4 {
		t.Fatalf("split lines: %d lines, want %d", b.sb.Len(), n0+4)
	}
	hs.feed(event.Failed{Meta: meta(81), LocalID: 500, Reason: "cannot send to channel"})
	if l1, l2 := b.sb.Line(n0+1), b.sb.Line(n0+3); !l1.Failed || !l2.Failed || l1.Pending || l2.Pending {
		t.Errorf("Failed did not mark both split lines: %+v %+v", l1, l2)
	}
	if l := b.sb.Line(b.sb.Len() - 1); l.Kind != scrollback.Error || !strings.Contains(l.Text, "cannot send to channel") {
		t.Errorf("no error line for a failed send: %+v", l)
	}
}

func TestPaste(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	paste := func(s string) { hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true}) }

	paste("one line only\n")
	if v := hs.m.m.in.Value(); v != "one line only" || len(hs.conn.take()) != 0 {
		t.Fatalf("single-line paste: input %q", v)
	}
	hs.m.m.in.Reset()

	paste("a\nb\r\nc")
	var texts []string
	for _, s := range hs.conn.take() {
		texts = append(texts, s.cmd.(command.SendText).Text)
	}
	if !reflect.DeepEqual(texts, []string{"a", "b", "c"}) {
		t.Fatalf("3-line paste sent %q", texts)
	}

	paste("1\n2\n/quit\n4\n5\n")
	if len(hs.conn.take()) != 0 {
		t.Fatal("a 5-line paste was sent without asking")
	}
	if s := hs.screen(); !strings.Contains(s, "send 5 pasted lines to #ferry? [y/n]") {
		t.Fatalf("no question:\n%s", s)
	}
	hs.keys("n")
	if hs.m.m.paste != nil || len(hs.conn.take()) != 0 {
		t.Fatal("n did not cancel")
	}
	hs.m.m.in.Reset() // n left the paste in the input line to edit
	paste("1\n2\n/quit\n4\n5\n")
	hs.keys("y")
	texts = nil
	for _, s := range hs.conn.take() {
		st := s.cmd.(command.SendText)
		if st.ID == 0 {
			t.Error("pasted line without an ID")
		}
		texts = append(texts, st.Text)
	}
	if !reflect.DeepEqual(texts, []string{"1", "2", "/quit", "4", "5"}) {
		t.Fatalf("confirmed paste sent %q (a pasted /quit is text)", texts)
	}
}

func TestQuitSendsQuitToEveryNetwork(t *testing.T) {
	for _, how := range []string{"ctrl+c", "/quit"} {
		hs := newHarness(t, 80, 20, Options{Version: "v1.2"}, "ferrynet", "libera")
		var cmd tea.Cmd
		if how == "ctrl+c" {
			cmd = hs.send(keyMsg("ctrl+c"))
		} else {
			hs.m.m.in.SetValue("/quit")
			cmd = hs.send(keyMsg("enter"))
		}
		got := hs.conn.take()
		want := []sent{{"ferrynet", command.Quit{Reason: "ferry v1.2"}}, {"libera", command.Quit{Reason: "ferry v1.2"}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Do %v, want %v", how, got, want)
		}
		if cmd == nil {
			t.Fatalf("%s: no command", how)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s: command does not quit", how)
		}
	}
}

func TestCommandsFromInput(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.m.m.in.SetValue("/join #go")
	hs.keys("enter")
	if d := hs.conn.take(); len(d) != 1 || d[0].cmd != (command.Join{Channel: "#go"}) {
		t.Fatalf("/join: %v", d)
	}
	hs.keys("alt+1")
	// The join the user asked for is shown when the network confirms it.
	hs.feed(event.Join{Meta: meta(3), Channel: "#Go", Nick: "newcomer", Self: true})
	if c := hs.current(); c != "ferrynet:#Go" { // the server's spelling
		t.Errorf("after own join: current %s", c)
	}
	hs.m.m.in.SetValue("/query Alice")
	hs.keys("enter")
	if c := hs.current(); c != "ferrynet:Alice" {
		t.Errorf("after /query: current %s", c)
	}
	hs.m.m.in.SetValue("/close")
	hs.keys("enter")
	if hs.m.m.netBy["ferrynet"].find("alice") != nil {
		t.Error("/close left the query")
	}
	hs.keys("alt+3") // #go
	hs.m.m.in.SetValue("/close")
	hs.keys("enter")
	if d := hs.conn.take(); len(d) != 1 || d[0].cmd != (command.Part{Channel: "#Go"}) {
		t.Errorf("/close of a joined channel: %v", d)
	}
	hs.m.m.in.SetValue("/bogus")
	hs.keys("enter")
	b := hs.m.m.cur
	if l := b.sb.Line(b.sb.Len() - 1); l.Kind != scrollback.Error || !strings.Contains(l.Text, "unknown command /bogus") {
		t.Errorf("wrong command: last line %+v", l)
	}
	hs.m.m.in.SetValue("/help")
	hs.keys("enter")
	if s := hs.screen(); !strings.Contains(s, "/migrate") {
		t.Errorf("/help output not shown:\n%s", s)
	}
}

func TestCasemapAndMembers(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	n := hs.m.m.netBy["ferrynet"]
	hs.feed(event.Message{Meta: meta(3), Buffer: "[Dev]", From: "[Dev]", Text: "hi"})
	if n.find("{dev}") == nil {
		t.Fatal("rfc1459: {dev} does not find [Dev]")
	}
	hs.feed(event.ISupport{Meta: meta(4), Casemap: "ascii", Prefixes: "@+", PrefixModes: "ov", ChanTypes: "#"})
	if n.find("{dev}") != nil || n.find("[dev]") == nil {
		t.Error("ascii casemap still folds brackets")
	}
	ch := n.find("#FERRY")
	if ch == nil {
		t.Fatal("#FERRY not found")
	}
	hs.feed(
		event.Mode{Meta: meta(5), Target: "#ferry", By: "chatter", Modes: "+o-o+b", Params: []string{"Bob", "chatter", "*!*@spam"}},
		event.NickChange{Meta: meta(6), Old: "alice", New: "Zed"},
		event.Part{Meta: meta(7), Channel: "#ferry", Nick: "newcomer"},
	)
	var list []string
	for i := 0; i < ch.members.Len(); i++ {
		m := ch.members.At(i)
		list = append(list, m.Prefixes+m.Nick)
	}
	if want := "@Bob +Zed chatter"; strings.Join(list, " ") != want {
		t.Errorf("members %q, want %q", strings.Join(list, " "), want)
	}
	// A nick change renames the query buffer.
	hs.feed(event.NickChange{Meta: meta(8), Old: "[Dev]", New: "dev2"})
	if n.find("dev2") == nil || n.find("[dev]") != nil {
		t.Error("query not renamed")
	}
	hs.feed(event.Quit{Meta: meta(9), Nick: "Bob", Reason: "bye"})
	if ch.members.Has("bob") {
		t.Error("Quit without channels did not remove Bob (found via the member lists)")
	}
	hs.feed(event.Kick{Meta: meta(10), Channel: "#ferry", Nick: "newcomer", By: "chatter", Reason: "test", Self: true})
	if ch.joined || ch.members.Len() != 0 {
		t.Error("kicked: still joined")
	}
}

func TestEventReaderDrainsWaitingBatches(t *testing.T) {
	conn := newFakeConn("ferrynet")
	for i := 0; i < 5; i++ {
		conn.ch <- event.Batch{Events: []event.Event{event.Lag{Meta: meta(i)}}}
	}
	msg := waitEvents(conn.ch)()
	if b, ok := msg.(batchMsg); !ok || len(b) != 5 {
		t.Fatalf("got %T of %d batches, want all 5 in one message", msg, len(msg.(batchMsg)))
	}
	close(conn.ch)
	if _, ok := waitEvents(conn.ch)().(connClosedMsg); !ok {
		t.Fatal("closed channel not reported")
	}
}

func TestScrollKeysAndMouse(t *testing.T) {
	hs := newHarness(t, 80, 12, Options{})
	demoChannel(hs)
	var evs []event.Event
	for i := 0; i < 100; i++ {
		evs = append(evs, event.Message{Meta: meta(100 + i), Buffer: "#ferry", From: "chatter", Text: "line"})
	}
	hs.feed(evs...)
	v := hs.m.m.cur.view
	hs.keys("pgup")
	if v.AtBottom() {
		t.Fatal("pgup did not scroll")
	}
	if s := hs.screen(); !strings.Contains(s, "-- more --") {
		t.Errorf("status bar does not say the view is scrolled:\n%s", s)
	}
	hs.keys("end")
	if !v.AtBottom() {
		t.Fatal("end did not return to the bottom")
	}
	hs.send(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if v.AtBottom() {
		t.Fatal("wheel up did not scroll")
	}
	hs.send(tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if !v.AtBottom() {
		t.Fatal("wheel down did not return")
	}
	hs.keys("home")
	if s := hs.screen(); !strings.Contains(s, "newcomer (newcomer@127.0.0.1) has") {
		t.Errorf("home does not show the oldest line:\n%s", s)
	}
	if hs.send(keyMsg("ctrl+l")) == nil {
		t.Error("ctrl+l: no redraw command")
	}
}

func TestNickListToggleAndNarrowLayout(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	if !strings.Contains(hs.screen(), "4 users") {
		t.Fatal("nick list not shown")
	}
	hs.keys("alt+u")
	if strings.Contains(hs.screen(), "4 users") {
		t.Fatal("alt+u did not hide the nick list")
	}
	hs.keys("alt+u")
	hs.send(tea.WindowSizeMsg{Width: 70, Height: 12})
	s := hs.screen()
	if strings.Contains(s, "4 users") || !strings.Contains(s, "ferrynet") {
		t.Errorf("70 columns: want sidebar without nick list:\n%s", s)
	}
	hs.send(tea.WindowSizeMsg{Width: 40, Height: 10})
	if s := hs.screen(); strings.Contains(s, "│") {
		t.Errorf("40 columns: want neither sidebar nor nick list:\n%s", s)
	}
	// Tiny terminals: exactly height rows, none wider than the terminal.
	for _, size := range [][2]int{{1, 1}, {10, 2}, {3, 3}, {40, 4}, {12, 6}} {
		hs.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		rows := strings.Split(hs.m.View(), "\n")
		if len(rows) != size[1] {
			t.Errorf("%dx%d: %d rows", size[0], size[1], len(rows))
		}
		for _, r := range rows {
			if w := format.RenderedWidth(r); w > size[0] {
				t.Errorf("%dx%d: row %q is %d wide", size[0], size[1], r, w)
			}
		}
	}
	hs.send(tea.WindowSizeMsg{Width: 0, Height: 0})
	if v := hs.m.View(); v != "" {
		t.Errorf("0x0: %q", v)
	}
}

func TestSidebarClick(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	hs.send(tea.MouseMsg{X: 3, Y: 1, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if c := hs.current(); c != "ferrynet:" {
		t.Errorf("click on row 1: current %s, want the server buffer", c)
	}
	hs.send(tea.MouseMsg{X: 3, Y: 2, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if c := hs.current(); c != "ferrynet:#ferry" {
		t.Errorf("click on row 2: current %s", c)
	}
	hs.send(tea.MouseMsg{X: 50, Y: 1, Button: tea.MouseButtonLeft, Action: tea.MouseActionPress})
	if c := hs.current(); c != "ferrynet:#ferry" {
		t.Errorf("click in the messages switched to %s", c)
	}
}

func TestQuitWithPendingLinesAsks(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	hs.feed(event.Message{Meta: meta(70), Buffer: "#ferry", From: "newcomer", Text: "queued", Self: true, LocalID: 900, Pending: true})
	if cmd := hs.send(keyMsg("ctrl+c")); cmd != nil || len(hs.conn.take()) != 0 {
		t.Fatal("quit with a pending line did not ask")
	}
	if s := hs.screen(); !strings.Contains(s, "1 line not sent yet; quit anyway? [y/n]") {
		t.Fatalf("no question:\n%s", s)
	}
	hs.keys("n")
	if hs.m.m.quitAsk != nil || len(hs.conn.take()) != 0 {
		t.Fatal("n did not cancel")
	}
	hs.feed(event.Delivered{Meta: meta(71), LocalID: 900})
	cmd := hs.send(keyMsg("ctrl+c"))
	if cmd == nil || len(hs.conn.take()) != 1 {
		t.Fatal("quit after delivery still asked")
	}
}

func TestNamesAndTopicReplies(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	n := hs.m.m.netBy["ferrynet"]
	hs.feed(
		event.Names{Meta: meta(70), Channel: "#elsewhere", Members: []event.Member{{Nick: "x", Prefixes: "@"}, {Nick: "y"}}},
		event.Topic{Meta: meta(70), Channel: "#elsewhere", Topic: "far away"},
	)
	if n.find("#elsewhere") != nil {
		t.Error("a reply about another channel created a buffer")
	}
	sb := n.server0.sb
	if a, b := sb.Line(sb.Len()-2).Text, sb.Line(sb.Len()-1).Text; a != "#elsewhere (2): @x y" || !strings.Contains(b, "topic of #elsewhere: far away") {
		t.Errorf("server buffer lines %q, %q", a, b)
	}
	ch := n.find("#ferry")
	before := ch.sb.Len()
	hs.feed(event.Names{Meta: meta(71), Channel: "#ferry", Members: []event.Member{{Nick: "newcomer"}}})
	if ch.sb.Len() != before {
		t.Error("an unrequested Names added a line")
	}
	hs.m.m.in.SetValue("/names")
	hs.keys("enter")
	hs.feed(event.Names{Meta: meta(72), Channel: "#ferry", Members: []event.Member{{Nick: "newcomer"}, {Nick: "z"}}})
	if ch.sb.Len() != before+1 || ch.members.Len() != 2 {
		t.Errorf("/names: %d new lines, %d members", ch.sb.Len()-before, ch.members.Len())
	}
}

func TestSearch(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	var evs []event.Event
	for i := 0; i < 150; i++ {
		text := "filler " + strconv.Itoa(i)
		if i == 10 || i == 50 {
			text = "the Needle number " + strconv.Itoa(i)
		}
		evs = append(evs, event.Message{Meta: meta(100 + i), Buffer: "#ferry", From: "chatter", Text: text})
	}
	hs.feed(evs...)
	hs.m.m.in.SetValue("/search needle")
	hs.keys("enter")
	s := hs.screen()
	if !strings.Contains(s, "Needle number 50") || !strings.Contains(s, "search “needle”") {
		t.Fatalf("first hit (newest) not shown:\n%s", s)
	}
	hs.keys("ctrl+f")
	if s := hs.screen(); !strings.Contains(s, "Needle number 10") {
		t.Fatalf("ctrl+f: older hit not shown:\n%s", s)
	}
	hs.keys("ctrl+f") // wraps to the newest
	if s := hs.screen(); !strings.Contains(s, "Needle number 50") {
		t.Fatalf("ctrl+f past the oldest did not wrap:\n%s", s)
	}
	hs.keys("ctrl+g") // wraps to the oldest
	if s := hs.screen(); !strings.Contains(s, "Needle number 10") {
		t.Fatalf("ctrl+g past the newest did not wrap:\n%s", s)
	}
	hs.keys("esc")
	if s := hs.screen(); strings.Contains(s, "search") || !hs.m.m.cur.view.AtBottom() {
		t.Fatalf("esc did not end the search:\n%s", s)
	}
	hs.m.m.in.SetValue("/search haystack")
	hs.keys("enter")
	if s := hs.screen(); !strings.Contains(s, "no match for “haystack”") {
		t.Errorf("no note for a search without hits:\n%s", s)
	}
}

// An error that lands in the server buffer while the user is in a channel
// is also shown in the status bar for a while.
func TestErrorElsewhereIsNoted(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	cmd := hs.feed(event.Info{Meta: meta(70), Code: "FAIL", Text: `cannot migrate to "s9": no such server`, Error: true})
	if cmd == nil {
		t.Fatal("no timer for the note")
	}
	if s := hs.screen(); !strings.Contains(s, `cannot migrate to "s9": no such server (ferrynet)`) {
		t.Errorf("error not in the status bar:\n%s", s)
	}
	hs.send(noteExpiredMsg{net: "ferrynet", seq: hs.m.m.netBy["ferrynet"].noteSeq})
	if s := hs.screen(); strings.Contains(s, "cannot migrate") {
		t.Errorf("note outlived its timer:\n%s", s)
	}
}

func TestNickListScrolls(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	var ms []event.Member
	for i := 0; i < 50; i++ {
		ms = append(ms, event.Member{Nick: "user" + strconv.Itoa(100+i)})
	}
	hs.feed(event.Names{Meta: meta(2), Channel: "#ferry", Members: ms})
	if s := hs.screen(); !strings.Contains(s, "user100") || strings.Contains(s, "user149") {
		t.Fatalf("top of the list not shown:\n%s", s)
	}
	for range 10 {
		hs.keys("alt+pgdown")
	}
	s := hs.screen()
	if !strings.Contains(s, "user149") || strings.Contains(s, "user100") {
		t.Fatalf("alt+pgdown did not reach the end:\n%s", s)
	}
	hs.keys("alt+pgup")
	if s := hs.screen(); strings.Contains(s, "user149") {
		t.Fatalf("alt+pgup did not scroll back:\n%s", s)
	}
}
