package scrollback

import (
	"strconv"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

// hitRow returns the window row holding text, or -1.
func hitRow(v *View, text string) int {
	for i, r := range v.Render() {
		if strings.Contains(r, text) {
			return i
		}
	}
	return -1
}

// ScrollTo counts rows, not lines: a hit among short lines under many
// wrapped ones lands where it should, whatever the width.
func TestScrollToAmongWrappedLines(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("a line long enough to wrap over several rows ", 3))
	for _, w := range []int{50, 70, 120} {
		b := newBuf(1000)
		for i := 1; i <= 40; i++ {
			text := "short " + strconv.Itoa(i)
			if i == 10 {
				text = "NEEDLE"
			}
			if i == 30 {
				text = "MIDDLE"
			}
			b.Append(msg(i, "a", text))
		}
		for i := 1; i <= 60; i++ {
			b.Append(msg(100+i, "b", strconv.Itoa(i)+" "+long))
		}
		const h = 20
		v := newView(t, b, termenv.Ascii, w, h, Options{NickWidth: 4})
		// Ten rows above the hit: the window cannot centre it, so it
		// shows the oldest line at the top and the hit on its own row.
		v.ScrollTo(9)
		if got := hitRow(v, "NEEDLE"); got != 9 {
			t.Errorf("width %d: NEEDLE on row %d, want 9:\n%s", w, got, screen(v))
		}
		// Twenty-nine rows above: centred.
		v.ScrollTo(29)
		if got := hitRow(v, "MIDDLE"); got != h-1-h/2 {
			t.Errorf("width %d: MIDDLE on row %d, want %d:\n%s", w, got, h-1-h/2, screen(v))
		}
		// A wrapped line: its first row in the middle, the rest under it.
		v.ScrollTo(40 + 29)
		if got := hitRow(v, "30 a line"); got != h-1-h/2 {
			t.Errorf("width %d: line 30 starts on row %d, want %d:\n%s", w, got, h-1-h/2, screen(v))
		}
		// The newest line: the window follows again.
		v.ScrollTo(b.Len() - 1)
		if !v.AtBottom() {
			t.Errorf("width %d: ScrollTo(newest) does not follow", w)
		}
	}
}

// A hit taller than the window shows its first row at the top.
func TestScrollToLineTallerThanWindow(t *testing.T) {
	b := newBuf(100)
	for i := 0; i < 20; i++ {
		b.Append(msg(i, "a", "short "+strconv.Itoa(i)))
	}
	b.Append(msg(30, "b", "START "+strings.Repeat("word ", 80)))
	for i := 0; i < 20; i++ {
		b.Append(msg(40+i, "a", "after "+strconv.Itoa(i)))
	}
	v := newView(t, b, termenv.Ascii, 40, 6, Options{NickWidth: 4})
	v.ScrollTo(20)
	if got := hitRow(v, "START"); got != 0 {
		t.Errorf("START on row %d, want 0:\n%s", got, screen(v))
	}
}
