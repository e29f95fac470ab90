package ircx

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplitText checks SplitText's contract on arbitrary text: pieces fit,
// are never empty, never cut a valid character, and lose nothing but the
// single spaces and line breaks they were cut at.
func FuzzSplitText(f *testing.F) {
	f.Add("hello world", 5)
	f.Add("ééé 𝄞 abc\r\ndef", 4)
	f.Add(strings.Repeat("word ", 50), 17)
	f.Fuzz(func(t *testing.T, text string, limit int) {
		limit = limit%600 + 1
		if limit < 0 {
			limit = -limit
		}
		pieces := SplitText(text, limit)
		eff := max(limit, utf8.UTFMax)
		total := 0
		for _, p := range pieces {
			if p == "" || len(p) > eff {
				t.Fatalf("bad piece %q (limit %d)", p, eff)
			}
			if utf8.ValidString(text) && !utf8.ValidString(p) {
				t.Fatalf("valid text cut inside a character: %q", p)
			}
			total += len(p)
		}
		kept := len(text) - strings.Count(text, "\n") - strings.Count(text, "\r\n") - boolInt(strings.HasSuffix(text, "\r"))
		if total > kept || total < kept-strings.Count(text, " ") {
			t.Fatalf("pieces hold %d bytes of %d", total, kept)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
