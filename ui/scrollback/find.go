package scrollback

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ferry-irc/ferry/ui/format"
)

// Find returns the index of the first line, starting at index from
// (inclusive) and going towards newer lines (or older ones when backwards),
// whose nick or plain text (formatting codes removed) contains query,
// ignoring case; day separators and gap markers are not searched. from is
// clamped to the buffer. An empty query matches nothing. It allocates
// nothing per line for ASCII text without formatting codes.
func (b *Buffer) Find(query string, from int, backwards bool) (index int, ok bool) {
	stop := b.Len() - 1
	if backwards {
		stop = 0
	}
	return b.FindWithin(query, from, stop, backwards)
}

// FindWithin is Find that gives up after line stop (inclusive): a search
// that wraps around scans only the lines it has not scanned yet, so a
// miss costs one pass over the buffer, not two.
func (b *Buffer) FindWithin(query string, from, stop int, backwards bool) (index int, ok bool) {
	n := b.Len()
	if query == "" || n == 0 {
		return 0, false
	}
	if from < 0 {
		if backwards {
			return 0, false
		}
		from = 0
	}
	if from >= n {
		if !backwards {
			return 0, false
		}
		from = n - 1
	}
	m := newMatcher(query)
	step := 1
	if backwards {
		step = -1
	}
	for i := from; i >= 0 && i < n && (backwards && i >= stop || !backwards && i <= stop); i += step {
		s := b.slot(b.first + uint64(i))
		if s.Kind == DaySeparator || s.Kind == Gap {
			continue // markers, not something anyone said
		}
		if m.match(s.Nick) || m.match(s.Text) {
			return i, true
		}
	}
	return 0, false
}

// matcher is a case-insensitive substring test prepared once per search.
type matcher struct {
	q       string // lower-case query
	ascii   bool
	first   [2]byte // first byte of the query in both cases (ASCII query)
	scratch []byte  // reused for lines with formatting codes
	lower   []byte  // reused for lower-casing lines (non-ASCII query)
}

func newMatcher(q string) *matcher {
	m := &matcher{q: strings.ToLower(q), ascii: true}
	for i := 0; i < len(m.q); i++ {
		if m.q[i] >= utf8.RuneSelf {
			m.ascii = false
		}
	}
	c := m.q[0]
	m.first = [2]byte{c, c}
	if c >= 'a' && c <= 'z' {
		m.first[1] = c - ('a' - 'A')
	}
	return m
}

func (m *matcher) match(s string) bool {
	if len(s) < len(m.q) {
		return false
	}
	if hasFormatting(s) {
		m.scratch = format.AppendStrip(m.scratch[:0], s)
		if !m.ascii {
			m.lower = appendLower(m.lower[:0], m.scratch)
			return bytes.Contains(m.lower, []byte(m.q))
		}
		return containsFoldASCII(m.scratch, m.q, m.first)
	}
	if !m.ascii {
		m.lower = appendLower(m.lower[:0], s)
		return bytes.Contains(m.lower, []byte(m.q))
	}
	return containsFoldASCII(s, m.q, m.first)
}

// containsFoldASCII reports whether s contains the lower-case ASCII query q,
// ignoring ASCII case: scan for either case of q's first byte, then compare
// the rest. Non-ASCII bytes in s never equal an ASCII query byte, so the
// byte-wise comparison is exact.
func containsFoldASCII[T string | []byte](s T, q string, first [2]byte) bool {
	for i := 0; i+len(q) <= len(s); i++ {
		c := s[i]
		if c != first[0] && c != first[1] {
			continue
		}
		if equalFoldASCII(s[i+1:i+len(q)], q[1:]) {
			return true
		}
	}
	return false
}

func equalFoldASCII[T string | []byte](s T, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// hasFormatting reports whether s contains a byte below 0x20 (a formatting
// code or another control), in which case it is stripped before matching.
func hasFormatting(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 {
			return true
		}
	}
	return false
}

// appendLower appends the lower-case form of s (as strings.ToLower would
// produce it, rune by rune) to dst, without allocating once dst is large
// enough.
func appendLower[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		var r rune
		var n int
		switch v := any(s).(type) {
		case string:
			r, n = utf8.DecodeRuneInString(v[i:])
		case []byte:
			r, n = utf8.DecodeRune(v[i:])
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += n
	}
	return dst
}
