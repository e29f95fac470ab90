package ui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// A hit among short lines, under many lines that wrap, must land on the
// screen after /search and after Ctrl+F: the scroll that centres the hit
// counts wrapped rows, not lines.
func TestSearchHitOnScreenAboveWrappedLines(t *testing.T) {
	for _, w := range []int{80, 100} {
		hs := newHarness(t, w, 30, Options{})
		hs.connected()
		hs.feed(event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", Self: true})
		var evs []event.Event
		for i := 1; i <= 40; i++ {
			text := "short line " + strconv.Itoa(i)
			if i == 10 {
				text = "the needle is here"
			}
			evs = append(evs, event.Message{Meta: meta(100 + i), Buffer: "#ferry", From: "alice", Text: text})
		}
		long := strings.TrimSpace(strings.Repeat("a line long enough to wrap over several rows of the message view ", 3))
		for i := 1; i <= 60; i++ {
			evs = append(evs, event.Message{Meta: meta(200 + i), Buffer: "#ferry", From: "bob", Text: strconv.Itoa(i) + " " + long})
		}
		for _, ev := range evs {
			hs.feed(ev)
			hs.m.View()
		}

		onScreen := func(when string) {
			t.Helper()
			rows := strings.Split(hs.screen(), "\n")
			for _, r := range rows[1 : len(rows)-2] {
				if strings.Contains(r, "needle") {
					return
				}
			}
			t.Errorf("width %d: hit not on screen %s:\n%s", w, when, hs.screen())
		}
		hs.m.m.in.SetValue("/search needle")
		hs.keys("enter")
		onScreen("after /search")
		// The server's answer is appended under the buffer's lines while
		// the view is scrolled to the hit.
		hs.feed(event.SearchResults{Meta: meta(400), Buffer: "#ferry", Text: "needle",
			Messages: []event.Message{{Meta: meta(110), Buffer: "#ferry", From: "alice", Text: "the needle is here"}}})
		onScreen("after the server's results")
		hs.keys("ctrl+f")
		onScreen("after Ctrl+F")
		hs.keys("ctrl+g")
		onScreen("after Ctrl+G")
	}
}
