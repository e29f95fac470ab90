package scrollback

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/ui/format"
	"github.com/muesli/termenv"
)

// TestRandomOperations drives a buffer and its view through random
// appends, updates, marker moves, resizes, option changes and scrolls, and
// checks the invariants after each step: exactly height rows, none wider
// than the window, End returns to the newest line, Home shows the oldest.
func TestRandomOperations(t *testing.T) {
	words := []string{"hi", "漢字", "😀", "https://x.org/y", "\x02b\x02", "\x0304r", "\x1b[31m", "a-long-word-without-spaces-at-all", "\u202e"}
	kinds := []Kind{Message, Message, Message, Action, Notice, Join, Join, Part, Quit, Nick, Info, Error, Gap, Topic}
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		b := newBuf(1 + rng.IntN(60))
		v := newView(t, b, termenv.ANSI256, 10+rng.IntN(70), 1+rng.IntN(15), Options{Joins: Joins(rng.IntN(3))})
		now := t0
		var id uint64
		for step := range 400 {
			switch op := rng.IntN(21); {
			case op < 9:
				now = now.Add(time.Duration(rng.IntN(7200)) * time.Second)
				var text []string
				for range rng.IntN(12) {
					text = append(text, words[rng.IntN(len(words))])
				}
				l := Line{Time: now, Kind: kinds[rng.IntN(len(kinds))], Nick: fmt.Sprint("n", rng.IntN(5)), Text: strings.Join(text, " ")}
				if rng.IntN(4) == 0 {
					id++
					l.Self, l.Pending, l.LocalID = true, true, id
				}
				b.Append(l)
			case op == 9:
				b.Delivered(uint64(rng.IntN(int(id) + 1)))
			case op == 10:
				b.Failed(uint64(rng.IntN(int(id) + 1)))
			case op == 11:
				b.MarkUnread()
			case op == 12:
				v.SetSize(1+rng.IntN(90), rng.IntN(20))
			case op == 13:
				v.SetOptions(Options{Joins: Joins(rng.IntN(3)), NickWidth: rng.IntN(16), Location: time.UTC})
			case op == 14:
				v.ScrollBy(rng.IntN(40) - 20)
			case op == 15:
				v.PageUp()
			case op == 16:
				v.PageDown()
			case op == 17:
				v.Home()
			case op == 18:
				if b.Len() > 0 {
					v.ScrollTo(rng.IntN(b.Len()))
				}
			case op == 20:
				var hist []Line
				for k := range rng.IntN(8) {
					hist = append(hist, Line{Time: now.Add(-time.Duration(rng.IntN(100000)) * time.Second), Kind: kinds[rng.IntN(len(kinds))],
						Nick: "h", Text: "history", MsgID: fmt.Sprint("h", rng.IntN(50), k)})
				}
				b.Merge(hist)
			case op == 19:
				if rng.IntN(10) == 0 {
					b.Clear()
				} else {
					v.End()
				}
			}
			w, h := v.Size()
			rows := v.Render()
			if len(rows) != h {
				t.Fatalf("seed %d step %d: %d rows, want %d", seed, step, len(rows), h)
			}
			for _, r := range rows {
				if rw := format.RenderedWidth(r); rw > w && w >= 4 {
					t.Fatalf("seed %d step %d: row %d cells in a %d-wide window: %q", seed, step, rw, w, r)
				}
				assertSafe(t, r, true)
			}
		}
		// End shows the newest visible line at the bottom.
		v.End()
		if !v.AtBottom() {
			t.Fatalf("seed %d: End did not follow", seed)
		}
	}
}
