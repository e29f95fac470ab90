package ui

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// TestRejoinsFoldOnce: our own rejoin after each reconnect and another
// user's rejoins, with nothing said between, fold into one line that names
// each nick once.
func TestRejoinsFoldOnce(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	hs.feed(event.Message{Meta: meta(50), Buffer: "#ferry", From: "alice", Text: "before"})
	for i, nick := range []string{"newcomer", "bob", "newcomer", "newcomer", "bob"} {
		hs.feed(event.Join{Meta: meta(60 + i), Channel: "#ferry", Nick: nick, Self: nick == "newcomer"})
	}
	s := hs.screen()
	var folds []string
	for _, row := range strings.Split(s, "\n") {
		if strings.Contains(row, " joined") {
			folds = append(folds, row)
		}
	}
	if len(folds) != 1 || !strings.Contains(folds[0], "-- newcomer, bob joined ") {
		t.Errorf("the rejoins are not one line naming each nick once: %q\n%s", folds, s)
	}
}
