package scrollback

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/muesli/termenv"
)

// hostile is text a malicious peer might send.
var hostile = []string{
	"\x1b[2J\x1b[H cleared your screen",           // CSI
	"\x1b]0;owned\x07 title",                      // OSC with BEL
	"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", // OSC 8 hyperlink
	"\x1bP+q\x1b\\ dcs",                           // DCS
	"\u009b31m c1 csi \u009d osc \u0085 nel",      // C1 controls
	"\xc2\x9b raw c1 as utf-8 and \x9b bare byte",
	"bell \x07\x07 and del \x7f and nul \x00",
	"\u202egnp.exe \u2066iso\u2069 \u202a\u202b\u202c\u202d",
	"line\rfeed\nnew",
	"\x1b7\x1b8 save restore \x1bc reset",
}

// assertSafe fails if s carries anything but printable text and, when sgr
// is set, well-formed SGR sequences (ESC [ digits/semicolons m).
func assertSafe(t *testing.T, s string, sgr bool) {
	t.Helper()
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0x1b {
			if !sgr {
				t.Fatalf("ESC in a no-colour frame at %d: %q", i, s)
			}
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				t.Fatalf("ESC not starting a CSI at %d: %q", i, s)
			}
			j++
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j >= len(s) || s[j] != 'm' {
				t.Fatalf("escape at %d is not an SGR sequence: %q", i, s[i:])
			}
			i = j + 1
			continue
		}
		switch {
		case r == utf8.RuneError && size == 1:
			t.Fatalf("invalid UTF-8 byte %#x at %d: %q", s[i], i, s)
		case r < 0x20 || r == 0x7f:
			t.Fatalf("raw C0/DEL %U at %d: %q", r, i, s)
		case r >= 0x80 && r <= 0x9f:
			t.Fatalf("raw C1 %U at %d: %q", r, i, s)
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			t.Fatalf("raw bidi control %U at %d: %q", r, i, s)
		}
		i += size
	}
}

func TestRenderedFrameHasNoRawControls(t *testing.T) {
	b := newBuf(1000)
	i := 0
	for _, h := range hostile {
		for _, k := range []Kind{Message, Action, Notice, CTCP, Join, Part, Quit, Nick, Kick, Topic, Mode, Info, Error, Gap} {
			b.Append(Line{Time: t0.Add(time.Duration(i) * time.Second), Kind: k, Nick: "ev\x1b[1mil" + h[:3], Text: h, Highlight: i%3 == 0, Pending: i%5 == 0})
			i++
		}
	}
	b.Append(Line{Time: t0.AddDate(0, 0, 1), Kind: Message, Nick: "\u202eadmin", Text: strings.Join(hostile, " ")})
	for _, joins := range []Joins{JoinsFold, JoinsShow} {
		for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
			v := newView(t, b, p, 70, 40, Options{Joins: joins})
			frames := 0
			for {
				frame := v.String()
				for _, row := range strings.Split(frame, "\n") {
					assertSafe(t, row, p != termenv.Ascii)
					if w := format.RenderedWidth(row); w > 70 {
						t.Fatalf("row %d cells wide: %q", w, row)
					}
				}
				frames++
				if v.offTop() {
					break
				}
				v.PageUp()
				if frames > 1000 {
					t.Fatal("PageUp never reached the top")
				}
			}
			if !strings.Contains(v.String(), "cleared your screen") {
				t.Errorf("the top frame does not show the oldest line:\n%s", v.String())
			}
		}
	}
}

// offTop reports whether the oldest line is on screen.
func (v *View) offTop() bool {
	e, hidden, ok := v.position()
	if !ok {
		return true
	}
	total := v.rowCount(e) - hidden
	for total < v.height {
		p, ok := v.prev(e)
		if !ok {
			return true
		}
		e = p
		total += v.rowCount(e)
	}
	_, more := v.prev(e)
	return !more && total == v.height
}

func TestGoldenChannel(t *testing.T) {
	b := newBuf(100)
	b.Append(Line{Time: t0, Kind: Topic, Text: "topic is: \x02ferry\x02 — seamless migration"})
	b.Append(msg(1, "alice", "hi all, see https://ferry.example/docs."))
	b.Append(Line{Time: t0.Add(2 * time.Minute), Kind: Join, Nick: "bob", Text: "bob@host"})
	b.Append(Line{Time: t0.Add(2 * time.Minute), Kind: Join, Nick: "carol"})
	b.Append(Line{Time: t0.Add(2 * time.Minute), Kind: Part, Nick: "dave", Text: "later"})
	b.Append(Line{Time: t0.Add(2 * time.Minute), Kind: Nick, Nick: "erin", Text: "erin_"})
	b.Append(Line{Time: t0.Add(3 * time.Minute), Kind: Action, Nick: "bob", Text: "waves"})
	b.Append(Line{Time: t0.Add(4 * time.Minute), Kind: Notice, Nick: "ChanServ", Text: "welcome"})
	b.Append(Line{Time: t0.Add(5 * time.Minute), Kind: Message, Nick: "me", Self: true, Text: "a line long enough to wrap under the text column", Pending: true, LocalID: 9})
	b.MarkUnread()
	b.Append(Line{Time: t0.Add(6 * time.Minute), Kind: Message, Nick: "averyveryverylongnick", Text: "me: ping", Highlight: true})
	b.Append(Line{Time: t0.Add(24 * time.Hour), Kind: Error, Text: "cannot send to #ferry"})
	v := newView(t, b, termenv.Ascii, 48, 16, Options{})
	checkScreen(t, v, `


12:00           -- topic is: ferry — seamless
                   migration
12:01        alice hi all, see
                   https://ferry.example/docs.
12:02           -- bob, carol joined · dave left
                   · erin → erin_
12:03            * bob waves
12:04   -ChanServ- welcome
12:05           me…a line long enough to wrap
                   under the text column
───────────────── new messages ─────────────────
12:06 averyveryve… me: ping
─────────────── Wed, 25 Nov 2026 ───────────────
12:00           !! cannot send to #ferry`)

	b.Delivered(9)
	v.SetOptions(Options{Joins: JoinsHide, TimeFormat: "-", NickWidth: 6, Location: time.UTC})
	checkScreen(t, v, `






    -- topic is: ferry — seamless migration
 alice hi all, see https://ferry.example/docs.
     * bob waves
-Chan… welcome
    me a line long enough to wrap under the text
       column
───────────────── new messages ─────────────────
avery… me: ping
─────────────── Wed, 25 Nov 2026 ───────────────
    !! cannot send to #ferry`)
}

func TestGoldenColours(t *testing.T) {
	b := newBuf(10)
	b.Append(msg(0, "alice", "\x0304red\x03 \x02b\x02"))
	b.Append(Line{Time: t0, Kind: Message, Nick: "me", Self: true, Text: "x", Failed: true})
	v := newView(t, b, termenv.ANSI256, 30, 2, Options{NickWidth: 5})
	rows := v.Render()
	want := []string{
		"\x1b[0;38;5;60m12:00\x1b[0m \x1b[0;38;5;131malice\x1b[0m \x1b[0;91mred\x1b[0m \x1b[0;1mb\x1b[0m",
		"\x1b[0;38;5;60m12:00\x1b[0m    \x1b[0;1;38;5;231mme\x1b[0m\x1b[0;9;38;5;203m✗\x1b[0m\x1b[0;9;38;5;203mx\x1b[0m",
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
}

func TestWrapCJKAndEmojiInView(t *testing.T) {
	b := newBuf(10)
	b.Append(msg(0, "李", "漢字漢字漢字漢字漢字 😀😀😀😀😀😀 👨‍👩‍👧‍👦 ok"))
	v := newView(t, b, termenv.Ascii, 30, 4, Options{NickWidth: 4})
	// One 20-cell word of CJK in a 19-cell column: broken between
	// characters, never inside one. The ZWJ family counts 8 cells (its
	// four people, as a terminal that does not join them draws it), so it
	// starts the next row.
	checkScreen(t, v, `

12:00   李 漢字漢字漢字漢字漢
           字 😀😀😀😀😀😀
           👨‍👩‍👧‍👦 ok`)
	for _, r := range v.Render() {
		if w := format.RenderedWidth(r); w > 30 {
			t.Errorf("row %q is %d cells", r, w)
		}
	}
}

func TestFoldingModes(t *testing.T) {
	b := newBuf(100)
	b.Append(msg(0, "a", "before"))
	for i := range 12 {
		b.Append(Line{Time: t0, Kind: Join, Nick: fmt.Sprintf("n%d", i)})
	}
	b.Append(Line{Time: t0, Kind: Quit, Nick: "q"})
	b.Append(msg(1, "a", "between"))
	b.Append(Line{Time: t0, Kind: Part, Nick: "solo"})
	b.Append(msg(2, "a", "after"))
	fold := newView(t, b, termenv.Ascii, 80, 5, Options{NickWidth: 3})
	checkScreen(t, fold, `
12:00   a before
12:00  -- n0, n1, n2, n3, n4, n5, n6, n7 and 4 more joined · q quit
12:01   a between
12:00 <-- solo has left
12:02   a after`)
	hide := newView(t, b, termenv.Ascii, 60, 3, Options{NickWidth: 3, Joins: JoinsHide})
	checkScreen(t, hide, `
12:00   a before
12:01   a between
12:02   a after`)
	show := newView(t, b, termenv.Ascii, 60, 18, Options{NickWidth: 3, Joins: JoinsShow})
	if got := strings.Count(screen(show), "has joined"); got != 12 {
		t.Errorf("show mode: %d join lines, want 12", got)
	}
}

// A folded line names the changes in the order they happened: a /cycle
// reads "left and rejoined", the rename after it comes next.
func TestFoldKeepsOrder(t *testing.T) {
	b := newBuf(100)
	b.Append(msg(0, "a", "before"))
	b.Append(Line{Time: t0, Kind: Part, Nick: "bob"})
	b.Append(Line{Time: t0, Kind: Join, Nick: "bob"})
	b.Append(Line{Time: t0, Kind: Nick, Nick: "bob", Text: "rob"})
	b.Append(Line{Time: t0, Kind: Part, Nick: "amy"})
	b.Append(msg(1, "a", "after"))
	checkScreen(t, newView(t, b, termenv.Ascii, 80, 3, Options{NickWidth: 3}), `
12:00   a before
12:00  -- bob left and rejoined · bob → rob · amy left
12:01   a after`)
}

func TestFoldGroupBounded(t *testing.T) {
	b := newBuf(2000)
	for i := range maxFold + 10 {
		b.Append(Line{Kind: Join, Nick: fmt.Sprintf("n%d", i)})
	}
	v := newView(t, b, termenv.Ascii, 80, 3, Options{TimeFormat: "-", NickWidth: 2})
	got := screen(v)
	if !strings.Contains(got, "and 248 more joined") || !strings.Contains(got, "n256, n257") {
		t.Errorf("want a full group of %d and a second group of 10:\n%s", maxFold, got)
	}
}

func TestFoldSurvivesEviction(t *testing.T) {
	b := newBuf(5)
	for i := range 8 {
		b.Append(Line{Kind: Join, Nick: fmt.Sprintf("n%d", i)})
	}
	v := newView(t, b, termenv.Ascii, 80, 1, Options{TimeFormat: "-", NickWidth: 2})
	checkScreen(t, v, `-- n3, n4, n5, n6, n7 joined`)
}

func TestFoldStopsAtUnreadMarker(t *testing.T) {
	b := newBuf(10)
	b.Append(Line{Kind: Join, Nick: "old"})
	b.MarkUnread()
	b.Append(Line{Kind: Join, Nick: "new1"})
	b.Append(Line{Kind: Join, Nick: "new2"})
	v := newView(t, b, termenv.Ascii, 40, 3, Options{TimeFormat: "-", NickWidth: 3})
	checkScreen(t, v, `
--> old has joined
───────────── new messages ─────────────
 -- new1, new2 joined`)
}

func TestScrollClamping(t *testing.T) {
	b := newBuf(1000)
	for i := range 100 {
		b.Append(Line{Kind: Info, Text: fmt.Sprint("line ", i)})
	}
	v := newView(t, b, termenv.Ascii, 40, 10, Options{TimeFormat: "-", NickWidth: 2})
	top := func() string { return strings.TrimSpace(v.Render()[0]) }
	bottom := func() string { r := v.Render(); return strings.TrimSpace(r[len(r)-1]) }
	if bottom() != "-- line 99" || !v.AtBottom() {
		t.Fatalf("start: bottom %q", bottom())
	}
	v.ScrollBy(-5) // already at the bottom
	if bottom() != "-- line 99" || !v.AtBottom() {
		t.Errorf("scrolling down at the bottom moved: %q", bottom())
	}
	v.ScrollBy(3)
	if bottom() != "-- line 96" || v.AtBottom() {
		t.Errorf("ScrollBy(3): bottom %q", bottom())
	}
	v.PageUp()
	if bottom() != "-- line 87" {
		t.Errorf("PageUp: bottom %q", bottom())
	}
	v.ScrollBy(1 << 30)
	if top() != "-- line 0" || bottom() != "-- line 9" {
		t.Errorf("ScrollBy(huge): top %q bottom %q", top(), bottom())
	}
	v.ScrollBy(1)
	if top() != "-- line 0" {
		t.Errorf("past the top: %q", top())
	}
	v.PageDown()
	if top() != "-- line 9" {
		t.Errorf("PageDown from top: top %q", top())
	}
	v.End()
	v.Home()
	if top() != "-- line 0" || v.AtBottom() {
		t.Errorf("Home: top %q", top())
	}
	// New lines while scrolled up do not move the text.
	b.Append(Line{Kind: Info, Text: "line 100"})
	if top() != "-- line 0" {
		t.Errorf("append moved a scrolled view: top %q", top())
	}
	v.ScrollBy(-(1 << 30))
	if bottom() != "-- line 100" || !v.AtBottom() {
		t.Errorf("ScrollBy(-huge): bottom %q at bottom %v", bottom(), v.AtBottom())
	}
	v.End()
	b.Append(Line{Kind: Info, Text: "line 101"})
	if bottom() != "-- line 101" {
		t.Errorf("following view did not show the new line: %q", bottom())
	}
}

func TestScrollShortBuffer(t *testing.T) {
	b := newBuf(10)
	b.Append(Line{Kind: Info, Text: "only"})
	v := newView(t, b, termenv.Ascii, 20, 5, Options{TimeFormat: "-", NickWidth: 2})
	v.PageUp()
	v.Home()
	if !v.AtBottom() {
		t.Error("a buffer shorter than the window should stay at the bottom")
	}
	checkScreen(t, v, "\n\n\n\n\n-- only")
	empty := newView(t, newBuf(10), termenv.Ascii, 20, 2, Options{})
	empty.PageUp()
	empty.Home()
	if got := empty.Render(); len(got) != 2 || got[0] != "" || got[1] != "" {
		t.Errorf("empty view: %q", got)
	}
}

func TestScrollWithWrappedLinesAndEviction(t *testing.T) {
	b := newBuf(50)
	for i := range 50 {
		b.Append(Line{Kind: Info, Text: fmt.Sprintf("%02d %s", i, strings.Repeat("word ", 6))})
	}
	v := newView(t, b, termenv.Ascii, 20, 4, Options{TimeFormat: "-", NickWidth: 2})
	v.ScrollBy(1) // rows, not lines
	rows := v.Render()
	if !strings.Contains(rows[3], "49 word") {
		t.Errorf("one row up should show the first row of line 49 at the bottom: %q", rows)
	}
	v.Home()
	for range 60 {
		b.Append(Line{Kind: Info, Text: "flood"}) // evicts the line we were looking at
	}
	if got := strings.TrimSpace(v.Render()[0]); got != "-- flood" {
		t.Errorf("after eviction the view should clamp to the oldest kept line, top %q", got)
	}
}

func TestResizeRewraps(t *testing.T) {
	b := newBuf(10)
	b.Append(Line{Kind: Info, Text: "one two three four five six"})
	v := newView(t, b, termenv.Ascii, 40, 3, Options{TimeFormat: "-", NickWidth: 2})
	checkScreen(t, v, "\n\n\n-- one two three four five six")
	v.SetSize(15, 3)
	checkScreen(t, v, "-- one two\n   three four\n   five six")
}

func TestNarrowWidth(t *testing.T) {
	b := newBuf(10)
	b.Append(msg(0, "somebody", "hello there"))
	v := newView(t, b, termenv.Ascii, 24, 1, Options{})
	checkScreen(t, v, "somebo… hello there")
	v.SetSize(12, 2) // no room for columns: the nick goes inline
	checkScreen(t, v, "somebody\nhello there")
	v.SetSize(3, 4)
	for _, r := range v.Render() {
		if w := format.RenderedWidth(r); w > 3 && !strings.Contains(r, "…") {
			t.Errorf("row %q wider than 3", r)
		}
	}
}

func TestPendingThenDeliveredRerenders(t *testing.T) {
	b := newBuf(10)
	b.Append(Line{Time: t0, Kind: Message, Nick: "me", Self: true, Pending: true, LocalID: 4, Text: "queued"})
	v := newView(t, b, termenv.Ascii, 30, 1, Options{NickWidth: 3})
	checkScreen(t, v, "12:00  me…queued")
	b.Delivered(4)
	checkScreen(t, v, "12:00  me queued")
	b.Failed(4)
	checkScreen(t, v, "12:00  me✗queued")
}

func TestUnreadMarkerSkipsHiddenJoins(t *testing.T) {
	b := newBuf(10)
	b.Append(Line{Kind: Info, Text: "read"})
	b.MarkUnread()
	b.Append(Line{Kind: Join, Nick: "x"})
	b.Append(Line{Kind: Info, Text: "unread"})
	v := newView(t, b, termenv.Ascii, 30, 3, Options{TimeFormat: "-", NickWidth: 2, Joins: JoinsHide})
	checkScreen(t, v, "-- read\n──────── new messages ────────\n-- unread")
}

func TestNoColorFrame(t *testing.T) {
	th, err := themes.Load("dark", "")
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	st := themes.NewStyles(th, r, true)
	b := newBuf(10)
	b.Append(msg(0, "alice", "\x0304,12colour\x03 and \x02bold\x02 me"))
	b.Append(Line{Time: t0, Kind: Message, Nick: "bob", Text: "me: hi", Highlight: true})
	v := NewView(b, st, Options{Location: time.UTC})
	v.SetSize(40, 2)
	frame := v.String()
	for _, p := range sgrParams(frame) {
		if p >= 30 && p <= 49 || p >= 90 && p <= 107 {
			t.Errorf("NO_COLOR frame sets colour (SGR %d): %q", p, frame)
		}
	}
	if !strings.Contains(frame, "\x1b[0;1mbold") {
		t.Errorf("NO_COLOR frame lost bold: %q", frame)
	}
	if !strings.Contains(frame, "\x1b[0;1;7mbob") {
		t.Errorf("NO_COLOR highlight must be reverse+bold: %q", frame)
	}
	for _, row := range strings.Split(frame, "\n") {
		assertSafe(t, row, true)
	}
}

// sgrParams returns every parameter of every SGR sequence in s.
func sgrParams(s string) []int {
	var out []int
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.IndexByte(s, 'm')
		if j < 0 {
			return out
		}
		for _, f := range strings.Split(s[:j], ";") {
			n := 0
			fmt.Sscan(f, &n)
			out = append(out, n)
		}
		s = s[j+1:]
	}
}

func TestSearchHighlight(t *testing.T) {
	b := newBuf(10)
	b.Append(msg(0, "alice", "the Ferry sails"))
	b.Append(msg(1, "bob", "no hit here"))
	st := styles(t, termenv.ANSI)
	v := NewView(b, st, Options{TimeFormat: "-", NickWidth: 5})
	v.SetSize(40, 2)
	v.SetSearch("ferry")
	rows := v.Render()
	// dark theme: search_match is #1e1e2e on #e5c07b, degraded by termenv
	// to black on white in 16 colours.
	if want := "\x1b[0m the \x1b[0;30;47mFerry\x1b[0m sails"; !strings.HasSuffix(rows[0], want) {
		t.Errorf("hit not marked: %q, want suffix %q", rows[0], want)
	}
	if strings.Contains(rows[1], ";47m") {
		t.Errorf("line without a hit is marked: %q", rows[1])
	}
	if i, ok := b.Find("ferry", b.Len()-1, true); !ok || i != 0 {
		t.Fatalf("Find = %d %v", i, ok)
	}
	v.SetSearch("")
	if strings.Contains(v.Render()[0], ";47m") {
		t.Errorf("mark kept after SetSearch(\"\"): %q", v.Render()[0])
	}
}
