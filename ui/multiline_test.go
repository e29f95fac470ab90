package ui

import (
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestPasteMultiline: where the network takes multiline messages a paste
// is one message (one ID) of its lines; the question for a large paste
// stays.
func TestPasteMultiline(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Multiline{Meta: meta(41), MaxBytes: 4096, MaxLines: 24})
	hs.conn.take()
	paste := func(s string) { hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true}) }
	paste("a\nb\r\nc")
	var texts []string
	for _, s := range hs.conn.take() {
		texts = append(texts, s.cmd.(command.SendText).Text)
	}
	if !reflect.DeepEqual(texts, []string{"a\nb\nc"}) {
		t.Fatalf("3-line paste sent %q", texts)
	}
	paste("1\n2\n3\n4\n5\n")
	hs.keys("y")
	texts = nil
	for _, s := range hs.conn.take() {
		texts = append(texts, s.cmd.(command.SendText).Text)
	}
	if !reflect.DeepEqual(texts, []string{"1\n2\n3\n4\n5"}) {
		t.Fatalf("confirmed paste sent %q", texts)
	}
	// Without it again (CAP DEL), a paste is lines.
	hs.feed(event.Multiline{Meta: meta(42)})
	paste("x\ny")
	if got := hs.conn.take(); len(got) != 2 {
		t.Fatalf("without multiline a 2-line paste sent %d commands", len(got))
	}
}

// TestMultilineMessageRows: a multiline message is drawn as rows under one
// timestamp and nick.
func TestMultilineMessageRows(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Message{Meta: meta(50), Buffer: "#ferry", From: "alice", Target: "#ferry", Text: "first line\nsecond line\nthird line"})
	rows := strings.Split(hs.screen(), "\n")
	at := -1
	for i, r := range rows {
		if strings.Contains(r, "first line") {
			at = i
		}
	}
	if at < 0 || at+2 >= len(rows) {
		t.Fatalf("no multiline message on screen:\n%s", hs.screen())
	}
	if !strings.Contains(rows[at], "alice") || !strings.Contains(rows[at], "12:00") {
		t.Errorf("first row without nick or time: %q", rows[at])
	}
	for _, r := range rows[at+1 : at+3] {
		if strings.Contains(r, "alice") || strings.Contains(r, "12:00") || strings.Contains(r, "␊") {
			t.Errorf("a following row repeats the nick or shows the newline: %q", r)
		}
	}
	if !strings.Contains(rows[at+1], "second line") || !strings.Contains(rows[at+2], "third line") {
		t.Errorf("rows:\n%s", strings.Join(rows[at:at+3], "\n"))
	}
}
