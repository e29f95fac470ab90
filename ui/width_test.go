package ui

import (
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/muesli/termenv"
	"golang.org/x/text/width"
)

// worstWidth measures a rendered row the way the least joining terminal
// could draw it, independently of format.Width: every code point on its
// own (East Asian wide and fullwidth, regional indicators and emoji
// modifiers 2 cells, combining marks and format characters 0), with VS16
// widening a narrow base to 2. No terminal draws a row wider than this.
func worstWidth(row string) int {
	s := ansi.Strip(row)
	w, prev := 0, 0
	for _, r := range s {
		var rw int
		switch {
		case r == 0xfe0f:
			if prev == 1 {
				w++
				prev = 2
			}
			continue
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf), r >= 0x1160 && r <= 0x11ff:
			rw = 0
		case r >= 0x1f1e6 && r <= 0x1f1ff, r >= 0x1f3fb && r <= 0x1f3ff:
			rw = 2
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				rw = 2
			default:
				rw = 1
			}
		}
		w += rw
		prev = rw
	}
	return w
}

// wideText holds every kind of cluster terminals disagree on, and CJK.
const wideText = "A 👍🏽 end| family 👨\u200d👩\u200d👧 flag 🇫🇷 love ❤\ufe0f 漢字漢字 " +
	"👍🏽👍🏽👍🏽 🇫🇷🇫🇷 👨\u200d👩\u200d👧👨\u200d👩\u200d👧 ❤\ufe0f❤\ufe0f 漢字漢字漢字漢字"

// A peer's line full of emoji that terminals draw at different widths
// must never push a row of the frame past the screen edge: a row that
// overflows wraps in the terminal and shifts the whole frame up (the title
// bar and the first sidebar row vanish). Checked at several widths, with
// the emoji in the message view, a nick, the topic, the sidebar, the
// status bar and the input line.
func TestFrameNeverOverflowsWithEmoji(t *testing.T) {
	for _, w := range []int{12, 20, 40, 59, 60, 79, 80, 100, 131} {
		hs := newHarness(t, w, 20, Options{Styles: testStyles(t, termenv.ANSI256)})
		hs.connected()
		ch := "#e👍🏽🇫🇷"
		peer := "p👍🏽❤\ufe0f"
		hs.feed(
			event.Join{Meta: meta(1), Channel: ch, Nick: "newcomer", Self: true},
			event.Topic{Meta: meta(1), Channel: ch, Topic: wideText},
			event.Names{Meta: meta(1), Channel: ch, Members: []event.Member{{Nick: "newcomer"}, {Nick: peer}, {Nick: "漢字👨\u200d👩\u200d👧🇫🇷x"}}},
			event.Message{Meta: meta(2), Buffer: ch, From: peer, Text: wideText},
			event.Message{Meta: meta(3), Buffer: ch, From: peer, Text: strings.Repeat("👍🏽", 40)},
			event.Message{Meta: meta(4), Buffer: ch, From: peer, Text: "A 👍🏽 end|"},
			event.Message{Meta: meta(5), Buffer: peer, From: peer, Text: wideText},
		)
		hs.typeText("typed " + wideText)
		rows := strings.Split(hs.m.View(), "\n")
		if len(rows) != 20 {
			t.Errorf("width %d: %d rows, want 20", w, len(rows))
		}
		for i, row := range rows {
			if ww := worstWidth(row); ww > w {
				t.Errorf("width %d: row %d is up to %d cells: %q", w, i, ww, ansi.Strip(row))
			}
		}
		if !strings.Contains(rows[0], "#e") {
			t.Errorf("width %d: title bar lost: %q", w, rows[0])
		}
	}
}

// The pessimistic measure itself: what tmux 3.3 draws for the clusters
// that started this.
func TestWorstWidth(t *testing.T) {
	for s, want := range map[string]int{"A 👍🏽 end|": 11, "👨\u200d👩\u200d👧": 6, "🇫🇷": 4, "❤\ufe0f": 2, "漢": 2, "e\u0301": 1,
		"\x1b[0;1mab\x1b[0m": 2} {
		if got := worstWidth(s); got != want {
			t.Errorf("worstWidth(%q) = %d, want %d", s, got, want)
		}
	}
}
