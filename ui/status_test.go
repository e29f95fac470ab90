package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// statusRow is the status bar's row of the screen.
func (hs *harness) statusRow() string {
	rows := strings.Split(hs.screen(), "\n")
	return rows[len(rows)-2]
}

// TestErrorNoteClearedOnJoin: a refused /join's note leaves the context in
// place and goes when the channel is joined after all.
func TestErrorNoteClearedOnJoin(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Info{Meta: meta(2), Buffer: "#keyed", Code: "475", Text: "#keyed Cannot join channel (incorrect channel key)", Error: true})
	row := hs.statusRow()
	for _, want := range []string{"[ferrynet/s1]", "newcomer", "#ferry (4)", "Cannot join"} {
		if !strings.Contains(row, want) {
			t.Errorf("status bar %q lacks %q", row, want)
		}
	}
	hs.feed(event.Join{Meta: meta(3), Channel: "#Keyed", Nick: "newcomer", Self: true})
	if row := hs.statusRow(); strings.Contains(row, "Cannot join") {
		t.Errorf("status bar keeps the join error after the join: %q", row)
	}
}

// TestNotesExpire: every note goes after a few seconds of the model's
// clock, a fatal error's too (its line stays in the server buffer).
func TestNotesExpire(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.feed(event.Info{Meta: meta(2), Buffer: "#keyed", Code: "475", Text: "#keyed Cannot join channel (incorrect channel key)", Error: true})
	hs.now = hs.now.Add(errorNoteFor + time.Second)
	hs.feed()
	if row := hs.statusRow(); strings.Contains(row, "Cannot join") {
		t.Errorf("error note still shown after %v: %q", errorNoteFor+time.Second, row)
	}
	hs.feed(event.Error{Meta: meta(3), Text: "SASL authentication failed", Fatal: true})
	if row := hs.statusRow(); !strings.Contains(row, "SASL") {
		t.Fatalf("no note for a fatal error: %q", row)
	}
	hs.now = hs.now.Add(time.Minute)
	hs.feed()
	if row := hs.statusRow(); strings.Contains(row, "SASL") {
		t.Errorf("fatal error note still shown a minute later: %q", row)
	}
}
