package ui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/muesli/termenv"
)

// reconnect takes ferrynet through a lost connection and back, with the
// rejoin of #ferry, the way the network side reports it.
func (hs *harness) reconnect(at int) {
	hs.feed(event.ConnState{Meta: meta(at), State: event.StateWaiting, Reason: "EOF", RetryIn: time.Second})
	hs.feed(
		event.ConnState{Meta: meta(at + 60), State: event.StateConnecting, Server: "127.0.0.1:6697", TLS: true},
		event.ConnState{Meta: meta(at + 60), State: event.StateRegistering, Server: "127.0.0.1:6697", TLS: true},
		event.ConnState{Meta: meta(at + 60), State: event.StateRegistered, Server: "127.0.0.1:6697", TLS: true},
		event.Registered{Meta: meta(at + 60), Nick: "newcomer", ServerName: "s1"},
		event.Join{Meta: meta(at + 60), Channel: "#ferry", Nick: "newcomer", UserHost: "newcomer@127.0.0.1", Self: true},
		event.Names{Meta: meta(at + 60), Channel: "#ferry", Members: []event.Member{{Nick: "newcomer"}, {Nick: "chatter", Prefixes: "@"}, {Nick: "alice", Prefixes: "+"}, {Nick: "Bob"}}},
	)
}

// said is a message in #ferry at t0+sec with a msgid.
func said(sec int, from, text, msgid string) event.Message {
	return event.Message{Meta: meta(sec), Buffer: "#ferry", From: from, Target: "#ferry", Text: text, MsgID: msgid}
}

// texts lists b's lines as "kind:text" (messages as "nick: text").
func texts(b *buffer) []string {
	var out []string
	for i := range b.sb.Len() {
		l := b.sb.Line(i)
		switch l.Kind {
		case scrollback.Message:
			out = append(out, l.Nick+": "+l.Text)
		case scrollback.Gap:
			out = append(out, "gap: "+l.Text)
		default:
			out = append(out, l.Kind.String())
		}
	}
	return out
}

// After a reconnect the messages missed while away are merged between the
// lines before and after, once each, below a marker counting them.
func TestScreenGapAfterReconnect(t *testing.T) {
	hs := newHarness(t, 80, 16, Options{Bell: true})
	demoChannel(hs)
	hs.reconnect(50)
	hs.feed(said(115, "alice", "back already?", "m9"))
	hs.bell.Reset()
	cmd := hs.feed(event.History{Meta: meta(116), Buffer: "#ferry", Gap: true, More: true, Messages: []event.Message{
		said(40, "alice", "seamless, is it not?", "m3"), // shown before the drop
		said(55, "chatter", "newcomer dropped off", "h1"),
		said(70, "Bob", "newcomer: you missed this", "h2"),
	}})
	runCmd(cmd)
	if hs.bell.Len() != 0 {
		t.Errorf("history rang the bell: %q", hs.bell.String())
	}
	hs.golden("gap_marker")
	// In colour the marker is drawn in the theme's gap style.
	hs.m.m.setStyles(testStyles(t, termenv.ANSI256))
	hs.golden("gap_marker_ansi256")
	hs.m.m.setStyles(testStyles(t, termenv.Ascii))
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	got := strings.Join(texts(ch), " | ")
	want := "alice: seamless, is it not? | gap: 2 messages while you were away | chatter: newcomer dropped off | Bob: newcomer: you missed this | join | alice: back already?"
	if !strings.HasSuffix(got, want) {
		t.Fatalf("lines\n got %s\nwant …%s", got, want)
	}
	// The next page of the same gap extends the marker's count.
	hs.feed(event.History{Meta: meta(117), Buffer: "#ferry", Gap: true, Messages: []event.Message{
		said(70, "Bob", "newcomer: you missed this", "h2"),
		said(80, "Bob", "and this", "h3"),
	}})
	got = strings.Join(texts(ch), " | ")
	if strings.Count(got, "gap:") != 1 || !strings.Contains(got, "gap: 3 messages while you were away | chatter: newcomer dropped off | Bob: newcomer: you missed this | Bob: and this | join") {
		t.Errorf("second page: %s", got)
	}
	if l := ch.sb.Line(ch.sb.Len() - 3); l.Text != "newcomer: you missed this" && !strings.Contains(got, "you missed this") {
		t.Errorf("unexpected line %q", l.Text)
	}
	for i := range ch.sb.Len() {
		if l := ch.sb.Line(i); l.Text == "newcomer: you missed this" && !l.Highlight {
			t.Error("a history line mentioning us is not highlighted")
		}
	}
	// The next connection's gap gets a marker of its own.
	hs.reconnect(200)
	hs.feed(event.History{Meta: meta(261), Buffer: "#ferry", Gap: true, Messages: []event.Message{said(230, "alice", "again?", "h4")}})
	if got := strings.Join(texts(ch), " | "); strings.Count(got, "gap:") != 2 || !strings.Contains(got, "gap: 1 message while you were away | alice: again?") {
		t.Errorf("second reconnect: %s", got)
	}
}

// Gap lines in a buffer not in view count as unread, highlight it when one
// mentions us, and sit below the unread marker; no bell.
func TestGapInBackgroundBufferIsUnread(t *testing.T) {
	hs := newHarness(t, 80, 16, Options{Bell: true})
	demoChannel(hs)
	hs.keys("alt+1") // the server buffer: #ferry is in the background
	hs.reconnect(50)
	hs.bell.Reset()
	cmd := hs.feed(event.History{Meta: meta(116), Buffer: "#ferry", Gap: true, Messages: []event.Message{
		said(55, "chatter", "one", "h1"),
		said(56, "chatter", "newcomer: two", "h2"),
	}})
	runCmd(cmd)
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	if ch.unread != 2 || !ch.highlight || hs.bell.Len() != 0 {
		t.Errorf("unread %d highlight %v bell %q: want 2, true, none", ch.unread, ch.highlight, hs.bell.String())
	}
	i, ok := ch.sb.Unread()
	if !ok || ch.sb.Line(i).Kind != scrollback.Gap {
		t.Errorf("unread marker not above the gap: %v %v", i, ok)
	}
	// A Before or latest page is not news.
	hs.feed(event.History{Meta: meta(117), Buffer: "#ferry", Messages: []event.Message{said(1, "x", "ancient", "h0")}})
	if ch.unread != 2 {
		t.Errorf("a latest page counted as unread: %d", ch.unread)
	}
}

// A page whose lines are all shown already adds nothing: no line, no
// marker, no unread count.
func TestHistoryDuplicatesAddNothing(t *testing.T) {
	hs := newHarness(t, 80, 16, Options{})
	demoChannel(hs)
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	hs.keys("alt+1")
	before := strings.Join(texts(ch), " | ")
	dups := []event.Message{
		said(5, "chatter", "hello newcomer, welcome to #ferry!", "m1"),
		said(20, "chatter", "every 20 seconds the network moves you to another server; watch the status bar", "m2"),
		said(40, "alice", "seamless, is it not?", "m3"),
	}
	// The same line replayed without a msgid is recognised by time, sender and text.
	noID := said(40, "alice", "seamless, is it not?", "")
	for _, ev := range []event.History{
		{Meta: meta(60), Buffer: "#ferry", Gap: true, Messages: dups},
		{Meta: meta(60), Buffer: "#ferry", Before: true, Messages: dups},
		{Meta: meta(60), Buffer: "#ferry", Messages: append(dups, noID)},
		{Meta: meta(60), Buffer: "#FERRY", Gap: true, Messages: []event.Message{noID}},
	} {
		hs.feed(ev)
		if got := strings.Join(texts(ch), " | "); got != before {
			t.Errorf("%+v added lines:\n%s\nwas\n%s", ev, got, before)
		}
	}
	if ch.unread != 0 {
		t.Errorf("unread %d after duplicate pages", ch.unread)
	}
}

// fetches returns the FetchHistory commands sent since the last call.
func (hs *harness) fetches() []command.FetchHistory {
	var out []command.FetchHistory
	for _, s := range hs.conn.take() {
		if f, ok := s.cmd.(command.FetchHistory); ok {
			if s.net != "ferrynet" {
				hs.t.Errorf("FetchHistory sent to %q", s.net)
			}
			out = append(out, f)
		}
	}
	return out
}

// Scrolling up past the top of the scrollback asks for one older page at
// a time, and stops once the server has no more.
func TestScrollPastTopFetchesOlderHistory(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	v := hs.m.m.cur.view
	ch := hs.m.m.cur
	// All of #ferry fits: PgUp is already past the top.
	cmd := hs.send(keyMsg("pgup"))
	f := hs.fetches()
	if len(f) != 1 || f[0].Buffer != "#ferry" || f[0].BeforeID != "" || !f[0].Before.Equal(t0.Add(time.Second)) {
		t.Fatalf("fetches %+v: want one for #ferry before the join line (t0+1s)", f)
	}
	if cmd == nil {
		t.Error("no timeout tick for the request")
	}
	if s := hs.screen(); !strings.Contains(s, "fetching older messages…") {
		t.Errorf("status bar does not say it is fetching:\n%s", s)
	}
	// While it is in flight, nothing more is asked, whatever the key.
	hs.keys("pgup", "home")
	hs.send(tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if f := hs.fetches(); len(f) != 0 {
		t.Fatalf("second request while one is in flight: %+v", f)
	}
	// The answer: a full page (More), merged at the top; the lines shown
	// stay on their rows (older ones fill the blank rows above them).
	var page []event.Message
	for i := range 30 {
		page = append(page, said(-3600+i*60, "old"+strconv.Itoa(i%3), "older line "+strconv.Itoa(i), "b"+strconv.Itoa(i)))
	}
	screenBefore := hs.screen()
	hs.feed(event.History{Meta: meta(60), Buffer: "#ferry", Before: true, More: true, Messages: page})
	if ch.fetching {
		t.Fatal("the answer did not end the request")
	}
	rowsBefore, rowsAfter := strings.Split(screenBefore, "\n"), strings.Split(hs.screen(), "\n")
	for i := 1; i < len(rowsBefore)-2; i++ {
		if strings.Contains(rowsBefore[i], "12:00") && rowsAfter[i] != rowsBefore[i] {
			t.Errorf("row %d moved when the page was merged:\n%s\n--- was:\n%s", i, rowsAfter[i], rowsBefore[i])
		}
	}
	if got := ch.sb.Line(0).Text; got != "older line 0" {
		t.Errorf("oldest line %q", got)
	}
	// Scrolling up now shows the page; only past its top is the next asked.
	for range 20 {
		if v.AtTop() {
			break
		}
		hs.keys("pgup")
		if f := hs.fetches(); len(f) != 0 {
			t.Fatalf("fetched before reaching the top: %+v", f)
		}
	}
	if s := hs.screen(); !strings.Contains(s, "older line 0") {
		t.Fatalf("not at the top after paging up:\n%s", s)
	}
	hs.keys("home")
	f = hs.fetches()
	if len(f) != 1 || f[0].BeforeID != "b0" || !f[0].Before.Equal(t0.Add(-time.Hour)) {
		t.Fatalf("second fetch %+v: want before b0 at t0-1h", f)
	}
	// A short page is the end: no more requests, a note instead.
	hs.feed(event.History{Meta: meta(61), Buffer: "#ferry", Before: true, Messages: []event.Message{said(-7200, "x", "the very first", "b-1")}})
	hs.keys("home")
	hs.keys("home")
	if f := hs.fetches(); len(f) != 0 {
		t.Fatalf("asked again after the last page: %+v", f)
	}
	if s := hs.screen(); !strings.Contains(s, "no older messages") || strings.Contains(s, "fetching") {
		t.Errorf("no note at the end of history:\n%s", s)
	}
	// A new connection may have more to give.
	hs.reconnect(300)
	hs.keys("home")
	hs.keys("home")
	if f := hs.fetches(); len(f) != 1 || f[0].BeforeID != "b-1" {
		t.Errorf("after a reconnect: %+v", f)
	}
}

// A request nobody answers ends after its timeout; a stale tick changes
// nothing; the server buffer and a network not registered never ask.
func TestFetchHistoryTimeoutAndLimits(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	ch := hs.m.m.cur
	hs.keys("pgup")
	if len(hs.fetches()) != 1 || !ch.fetching {
		t.Fatal("no request")
	}
	hs.send(fetchTimeoutMsg{buf: ch, seq: ch.fetchSeq + 1}) // not this request's
	if !ch.fetching {
		t.Fatal("a stale tick ended the request")
	}
	hs.send(fetchTimeoutMsg{buf: ch, seq: ch.fetchSeq})
	if ch.fetching || !ch.olderDone {
		t.Fatal("the timeout did not end the request")
	}
	if s := hs.screen(); strings.Contains(s, "fetching") {
		t.Errorf("still fetching after the timeout:\n%s", s)
	}
	hs.keys("pgup")
	if f := hs.fetches(); len(f) != 0 {
		t.Errorf("asked again after no answer: %+v", f)
	}
	// The network side's refusal (no chathistory on this server) ends it too.
	hs.reconnect(100)
	hs.keys("pgup")
	if len(hs.fetches()) != 1 {
		t.Fatal("no request after the reconnect")
	}
	hs.feed(event.Info{Meta: meta(170), Buffer: "#ferry", Code: "ferry", Text: "older history is not available: the server does not offer draft/chathistory"})
	if ch.fetching || !ch.olderDone {
		t.Error("the refusal did not end the request")
	}
	// Not while disconnected, never for the server buffer.
	hs.reconnect(300)
	hs.feed(event.ConnState{Meta: meta(400), State: event.StateWaiting, Reason: "EOF", RetryIn: time.Second})
	hs.keys("pgup")
	hs.keys("alt+1")
	hs.feed(event.ConnState{Meta: meta(401), State: event.StateRegistered})
	hs.keys("pgup", "home")
	if f := hs.fetches(); len(f) != 0 {
		t.Errorf("fetched while disconnected or for the server buffer: %+v", f)
	}
}

// A full buffer does not ask: the page would be dropped at once as its
// oldest lines.
func TestFullBufferDoesNotFetch(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{Scrollback: 5})
	demoChannel(hs)
	hs.keys("home", "home")
	if f := hs.fetches(); len(f) != 0 {
		t.Errorf("fetched into a full buffer: %+v", f)
	}
	if s := hs.screen(); !strings.Contains(s, "scrollback full (5 lines)") {
		t.Errorf("no note:\n%s", s)
	}
}

// A lost connection ends a request in flight (its answer died with it).
func TestFetchEndsWithTheConnection(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	hs.keys("pgup")
	hs.fetches()
	hs.feed(event.ConnState{Meta: meta(60), State: event.StateWaiting, Reason: "EOF"})
	if hs.m.m.cur.fetching {
		t.Error("request still in flight after the connection was lost")
	}
}

func TestRedirectLines(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	hs.feed(event.ConnState{Meta: meta(0), State: event.StateRegistering, Server: "irc.example.net:6697", TLS: true})
	cmd := hs.feed(event.Redirect{Meta: meta(1), Server: "irc2.example.net:6697", Followed: true})
	if cmd == nil {
		t.Error("no timer for the redirect note")
	}
	sb := hs.m.m.netBy["ferrynet"].server0.sb
	if l := sb.Line(sb.Len() - 1); l.Kind != scrollback.Info || l.Text != "redirected to irc2.example.net:6697" {
		t.Errorf("followed: line %v %q", l.Kind, l.Text)
	}
	if s := hs.screen(); !strings.Contains(s, "redirected to irc2.example.net:6697") {
		t.Errorf("no note:\n%s", s)
	}
	hs.feed(event.Redirect{Meta: meta(2), Server: "evil.example.com:6667", Reason: "it would drop TLS"})
	if l := sb.Line(sb.Len() - 1); l.Text != "did not follow the redirect to evil.example.com:6667: it would drop TLS" {
		t.Errorf("refused: line %q", l.Text)
	}
	s := hs.screen()
	if !strings.Contains(s, "redirect to evil.example.com:6667 refused") {
		t.Errorf("no note for the refusal:\n%s", s)
	}
	if strings.Count(s, "redirect") != 3 { // two lines, one note
		t.Errorf("redirect shown other than once per line and note:\n%s", s)
	}
}

// ours is our line in #ferry at t0+sec as a history page returns it:
// Self, with the server's msgid, no LocalID.
func ours(sec int, text, msgid string) event.Message {
	m := said(sec, "newcomer", text, msgid)
	m.Self = true
	return m
}

// linesOf returns b's message lines with text, oldest first.
func linesOf(b *buffer, text string) []scrollback.Line {
	var out []scrollback.Line
	for i := range b.sb.Len() {
		if l := b.sb.Line(i); l.Kind == scrollback.Message && l.Text == text {
			out = append(out, l)
		}
	}
	return out
}

// Our lines reached the server but their echo was lost in the drop: the
// gap page's copy of each is adopted by the line we show (msgid and the
// server's time taken, place kept, shown once), oldest with oldest, each
// local line once. Another user's line of the same text, our line from
// another client (no local copy), and a page too old for our line are
// merged as lines of their own.
func TestHistoryAdoptsOwnLineWhoseEchoWasLost(t *testing.T) {
	hs := newHarness(t, 80, 16, Options{})
	demoChannel(hs)
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	one := hs.typed("one line")
	a, b := hs.typed("twice"), hs.typed("twice")
	pending := hs.typed("still queued")
	failedOnly := hs.typed("reported failed")
	failedThenRetried := hs.typed("retried")
	hs.feed(echo(45, one, false, ""), echo(46, a, false, ""), echo(47, b, false, ""),
		echo(48, failedOnly, false, ""), event.Failed{Meta: meta(48), LocalID: failedOnly.ID, Reason: "connection lost"},
		echo(49, failedThenRetried, false, ""), event.Failed{Meta: meta(49), LocalID: failedThenRetried.ID, Reason: "connection lost"})
	retry := hs.typed("retried")
	hs.feed(echo(50, retry, false, ""))
	hs.reconnect(60)
	hs.feed(echo(121, pending, true, ""))
	before := ch.sb.Len()

	hs.feed(event.History{Meta: meta(122), Buffer: "#ferry", Gap: true, Messages: []event.Message{
		ours(44, "one line", "h1"), // server clock a little behind ours
		said(45, "Bob", "one line", "h2"),
		ours(46, "twice", "h3"),
		ours(47, "twice", "h4"),
		ours(48, "reported failed", "h5"),
		ours(50, "retried", "h6"),
		ours(51, "from my other client", "h7"),
		ours(125, "still queued", "h8"),
	}})

	// Added: Bob's line, the other client's, the queued text's copy (a
	// line not yet sent cannot be the server's), and the gap marker.
	if got := ch.sb.Len() - before; got != 4 {
		t.Errorf("the page added %d lines, want 4 (Bob's, the other client's, the queued text's, the marker):\n%s", got, dumpBuffer(ch))
	}
	if ls := linesOf(ch, "one line"); len(ls) != 2 || !ls[0].Self || ls[0].MsgID != "h1" || !ls[0].Time.Equal(meta(44).Time) ||
		ls[1].Self || ls[1].Nick != "Bob" || ls[1].MsgID != "h2" {
		t.Errorf("one line: want ours adopting h1 and its time, then Bob's h2:\n%s", dumpBuffer(ch))
	}
	if ls := linesOf(ch, "twice"); len(ls) != 2 || ls[0].MsgID != "h3" || ls[1].MsgID != "h4" || ls[0].LocalID != a.ID || ls[1].LocalID != b.ID {
		t.Errorf("twice: want each local line adopted once, oldest first:\n%s", dumpBuffer(ch))
	}
	if ls := linesOf(ch, "reported failed"); len(ls) != 1 || ls[0].MsgID != "h5" || ls[0].Failed {
		t.Errorf("a line reported failed that the server has: want it adopted, the mark cleared:\n%s", dumpBuffer(ch))
	}
	if ls := linesOf(ch, "retried"); len(ls) != 2 || ls[0].MsgID != "" || !ls[0].Failed || ls[1].MsgID != "h6" || ls[1].LocalID != retry.ID {
		t.Errorf("retried: want the retry to adopt, the failed try left failed:\n%s", dumpBuffer(ch))
	}
	if ls := linesOf(ch, "from my other client"); len(ls) != 1 || ls[0].MsgID != "h7" || !ls[0].Self {
		t.Errorf("our line from another client: want it merged once:\n%s", dumpBuffer(ch))
	}
	if ls := linesOf(ch, "still queued"); len(ls) != 2 || ls[1].MsgID != "h8" || ls[0].MsgID != "" || !ls[0].Pending {
		t.Errorf("still queued: want the server's copy merged and the queued line untouched:\n%s", dumpBuffer(ch))
	}
	if got := strings.Join(texts(ch), " | "); !strings.Contains(got, "gap: 3 messages while you were away") {
		t.Errorf("marker does not count the 3 lines added: %s", got)
	}

	// The same page again adds nothing: every msgid is kept now.
	n := ch.sb.Len()
	hs.feed(event.History{Meta: meta(123), Buffer: "#ferry", Gap: true, Messages: []event.Message{
		ours(44, "one line", "h1"), ours(46, "twice", "h3"), ours(47, "twice", "h4"),
	}})
	if ch.sb.Len() != n {
		t.Errorf("a replayed page added %d lines", ch.sb.Len()-n)
	}

	// Our line said long before the local line of the same text (an
	// older page fetched by scrolling up) is not taken for it.
	same := hs.typed("same words")
	hs.feed(echo(130, same, false, ""))
	hs.feed(event.History{Meta: meta(131), Buffer: "#ferry", Before: true, Messages: []event.Message{
		ours(130-3600, "same words", "old1"),
	}})
	if ls := linesOf(ch, "same words"); len(ls) != 2 || ls[0].MsgID != "old1" || ls[1].MsgID != "" || ls[1].LocalID != same.ID {
		t.Errorf("same words: want yesterday's line merged above, ours untouched:\n%s", dumpBuffer(ch))
	}
}
