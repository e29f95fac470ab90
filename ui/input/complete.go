package input

import (
	"strings"
	"unicode"
)

// Candidates returns the completions for word (the text before the cursor
// back to the previous space), atStart reporting whether it is the first
// word of the line. Each result is the full replacement, including any
// suffix (": " after a nick at line start, " " after a command).
type Candidates func(word string, atStart bool) []string

type completion struct {
	start   int      // rune index where the completed word starts
	matches []string // replacements
	idx     int
	end     int // cursor after the current replacement
}

// Complete replaces the word before the cursor with the first candidate;
// pressing Tab again (with nothing typed in between) cycles through the
// others, and back to the first. It reports whether anything matched.
func (m *Model) Complete(cands Candidates) bool {
	if c := m.comp; c != nil && c.end == m.cursor && len(c.matches) > 0 {
		c.idx = (c.idx + 1) % len(c.matches)
		m.replace(c.start, c.end, c.matches[c.idx])
		c.end = c.start + len([]rune(c.matches[c.idx]))
		return true
	}
	start := m.cursor
	for start > 0 && !unicode.IsSpace(m.value[start-1]) {
		start--
	}
	word := string(m.value[start:m.cursor])
	if word == "" {
		return false
	}
	atStart := strings.TrimSpace(string(m.value[:start])) == ""
	matches := cands(word, atStart)
	if len(matches) == 0 {
		return false
	}
	m.replace(start, m.cursor, matches[0])
	m.comp = &completion{start: start, matches: matches, end: start + len([]rune(matches[0]))}
	return true
}

func (m *Model) replace(from, to int, s string) {
	rs := []rune(s)
	v := make([]rune, 0, len(m.value)-(to-from)+len(rs))
	v = append(v, m.value[:from]...)
	v = append(v, rs...)
	v = append(v, m.value[to:]...)
	m.value = v
	m.cursor = from + len(rs)
	m.fit()
}

// MatchPrefix returns the names among list that start with prefix, ignoring
// case via fold (nil: Unicode simple folding), in list order.
func MatchPrefix(list []string, prefix string, fold func(string) string) []string {
	if fold == nil {
		fold = strings.ToLower
	}
	p := fold(prefix)
	var out []string
	for _, s := range list {
		if strings.HasPrefix(fold(s), p) {
			out = append(out, s)
		}
	}
	return out
}
