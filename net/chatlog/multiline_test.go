package chatlog

import (
	"path/filepath"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// TestMultilineMessageLogged: a multiline message is one row per line,
// each with the nick and the message's time; a newline never ends up raw
// in the log.
func TestMultilineMessageLogged(t *testing.T) {
	w, dir := openTest(t, Options{})
	w.Write(event.Batch{Events: []event.Event{
		event.ISupport{Meta: at(0), ChanTypes: "#"},
		event.Message{Meta: at(2), Buffer: "#ferry", From: "alice", Text: "one\ntwo \x02bold\x02\nthree"},
	}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := "--- Log opened Thu Nov 26 14:03:12 2026\n" +
		"2026-11-26 14:03:14 <alice> one\n" +
		"2026-11-26 14:03:14 <alice> two bold\n" +
		"2026-11-26 14:03:14 <alice> three\n" +
		"--- Log closed Thu Nov 26 14:03:12 2026\n"
	if got := read(t, filepath.Join(dir, "libera", "#ferry.log")); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
