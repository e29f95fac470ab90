package format

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mark returns spans with every occurrence of query (ignoring case, also
// across span boundaries) split out and flagged Match, so a Painter draws
// search hits in its Match attributes. Spans without a hit are returned as
// they are; an empty query marks nothing.
func Mark(spans []Span, query string) []Span {
	if query == "" || len(spans) == 0 {
		return spans
	}
	var b strings.Builder
	for _, sp := range spans {
		b.WriteString(sp.Text)
	}
	text := b.String()
	var hits [][2]int
	for i := 0; i < len(text); {
		if end, ok := foldPrefix(text[i:], query); ok && end > 0 {
			hits = append(hits, [2]int{i, i + end})
			i += end
			continue
		}
		_, n := utf8.DecodeRuneInString(text[i:])
		i += n
	}
	if len(hits) == 0 {
		return spans
	}
	out := make([]Span, 0, len(spans)+2*len(hits))
	pos := 0 // byte offset of the current span in text
	h := 0
	for _, sp := range spans {
		start, end := pos, pos+len(sp.Text)
		pos = end
		cur := start
		for cur < end {
			for h < len(hits) && hits[h][1] <= cur {
				h++
			}
			if h == len(hits) || hits[h][0] >= end {
				out = append(out, sub(sp, cur-start, end-start, false))
				break
			}
			if hits[h][0] > cur {
				out = append(out, sub(sp, cur-start, hits[h][0]-start, false))
				cur = hits[h][0]
			}
			stop := min(hits[h][1], end)
			out = append(out, sub(sp, cur-start, stop-start, true))
			cur = stop
		}
	}
	return out
}

func sub(sp Span, from, to int, match bool) Span {
	sp.Text = sp.Text[from:to]
	sp.Match = match
	return sp
}

// foldPrefix reports whether s starts with q under Unicode simple case
// folding, and how many bytes of s the match covers.
func foldPrefix(s, q string) (int, bool) {
	j := 0
	for _, qr := range q {
		if j >= len(s) {
			return 0, false
		}
		r, n := utf8.DecodeRuneInString(s[j:])
		if r != qr && !equalFoldRune(r, qr) {
			return 0, false
		}
		j += n
	}
	return j, true
}

func equalFoldRune(a, b rune) bool {
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}
