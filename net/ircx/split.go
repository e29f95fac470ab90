package ircx

import (
	"strings"
	"unicode/utf8"
)

// SplitText cuts text into pieces of at most limit bytes each, so that each
// can be sent as one line. Cuts fall on UTF-8 boundaries, never inside a
// character; where a piece would end inside a word it ends at the last space
// instead (the space itself is dropped). A word longer than limit is cut at the
// last character boundary that fits. Line breaks (\n, \r\n) always end a
// piece; empty pieces are dropped. A limit below 4 is treated as 4, so that any
// character fits and the loop always advances.
func SplitText(text string, limit int) []string {
	limit = max(limit, utf8.UTFMax)
	var out []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		for len(line) > limit {
			cut, skip := splitPoint(line, limit)
			out = append(out, line[:cut])
			line = line[cut+skip:]
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// splitPoint returns where to cut s (len(s) > limit) and how many bytes to skip
// after the cut (1 for a space we cut at).
func splitPoint(s string, limit int) (cut, skip int) {
	// A space at index limit is also a fine place: the piece is s[:limit].
	if i := strings.LastIndexByte(s[:limit+1], ' '); i > 0 {
		return i, 1
	}
	cut = limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if cut == 0 { // invalid UTF-8 with no rune start in reach: cut bytes
		cut = limit
	}
	return cut, 0
}

// DecodeText returns s unchanged when it is valid UTF-8, else s decoded as
// Latin-1 (ISO 8859-1), byte by byte. Old clients and bridges still send
// Latin-1; decoding it keeps the line readable instead of dropping it or
// showing replacement characters.
func DecodeText(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}
