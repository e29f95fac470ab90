package format

import (
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Width returns the number of terminal cells plain text s may occupy. It is
// the one width function of the UI: every column, pad and cut is measured
// with it, so that what ferry lays out is what it reserves.
//
// Terminals disagree on some grapheme clusters. A terminal that joins
// clusters draws 👍🏽 (emoji + skin-tone modifier), 👨‍👩‍👧 (a ZWJ sequence)
// and 🇫🇷 (two regional indicators) as one 2-cell glyph; tmux 3.3 draws
// 👍🏽 as its two parts (4 cells) and one regional indicator as 1 cell,
// others as 2; ❤️ (a narrow symbol + VS16) is 2 cells where VS16 is
// honoured and 1 elsewhere. Width reserves the larger of the two readings
// for each cluster: the cluster as one glyph, or its code points drawn one
// by one (see clusterWidth). The text is kept as it is, rather than
// dropping the modifier or the joiners to get an unambiguous width: a
// skin tone is not lost and a family is not split into three people where
// the terminal can draw them. The cost is that, on a terminal which joins
// the cluster, the row ends a few cells early; the reverse choice would
// make the row wider than the screen, and a row that overflows wraps in
// the terminal and shifts the whole frame up, which no redraw repairs
// while the line is visible. Width is never below ansi.StringWidth, so
// Bubble Tea's renderer never cuts a row either.
//
// s must not contain escape sequences (pass span texts, not rendered lines;
// for a rendered line use RenderedWidth).
func Width(s string) int {
	w := 0
	for s != "" {
		_, gw, n := nextGrapheme(s)
		w += gw
		s = s[n:]
	}
	return w
}

// RenderedWidth is Width of a styled line: escape sequences are skipped.
func RenderedWidth(s string) int {
	return Width(ansi.Strip(s))
}

// SpansWidth is the total Width of the spans' texts.
func SpansWidth(spans []Span) int {
	w := 0
	for _, sp := range spans {
		w += Width(sp.Text)
	}
	return w
}

// nextGrapheme returns the first grapheme cluster of s, its width in cells
// (clusterWidth) and its length in bytes. Printable ASCII followed by ASCII
// (or the end) takes a fast path: it is always one cluster one cell wide.
func nextGrapheme(s string) (g string, w, n int) {
	if c := s[0]; c >= 0x20 && c < 0x7f && (len(s) == 1 || s[1] < 0x80) {
		return s[:1], 1, 1
	}
	g, w = ansi.FirstGraphemeCluster(s, ansi.GraphemeWidth)
	if len(g) == 0 {
		return s[:1], 1, 1
	}
	return g, clusterWidth(g, w), len(g)
}

// clusterWidth is the width to reserve for cluster g whose width as one
// glyph is joined: the larger of joined and the sum of its code points'
// widths as a terminal that does not join them draws them (runeWidth).
func clusterWidth(g string, joined int) int {
	if _, size := utf8.DecodeRuneInString(g); size == len(g) {
		return joined
	}
	sum, prev := 0, 0
	for i := 0; i < len(g); {
		r, size := utf8.DecodeRuneInString(g[i:])
		if r == 0xfe0f {
			// VS16 asks for emoji presentation: 2 cells where it is
			// honoured, whatever the base was.
			if prev == 1 {
				sum++
				prev = 2
			}
			i += size
			continue
		}
		prev = runeWidth(r, g[i:i+size])
		sum += prev
		i += size
	}
	return max(joined, sum)
}

// runeWidth is the width of one code point drawn on its own (s is its
// encoding): combining marks, format characters (ZWJ, tags) and the
// conjoining Hangul vowels and finals take no cell, as wcwidth has it; a
// lone regional indicator or skin-tone modifier is a 2-cell emoji.
func runeWidth(r rune, s string) int {
	switch {
	case r >= 0x1160 && r <= 0x11ff, r >= 0xd7b0 && r <= 0xd7ff:
		return 0
	}
	return ansi.StringWidth(s)
}

// FirstCluster returns the length in bytes and the Width of the first
// grapheme cluster of s (0, 0 for ""), for callers that place text cell by
// cell (the input line's cursor): splitting a cluster across two styles
// would still let the terminal join it, at a width nobody reserved.
func FirstCluster(s string) (n, w int) {
	if s == "" {
		return 0, 0
	}
	_, w, n = nextGrapheme(s)
	return n, w
}
