package format

import (
	"strings"
	"unicode/utf8"
)

// mIRC formatting codes (https://modern.ircdocs.horse/formatting).
const (
	codeBold      = 0x02
	codeColor     = 0x03
	codeHexColor  = 0x04
	codeReset     = 0x0f
	codeMono      = 0x11
	codeReverse   = 0x16
	codeItalic    = 0x1d
	codeStrike    = 0x1e
	codeUnderline = 0x1f
)

func isFormatCode(b byte) bool {
	switch b {
	case codeBold, codeColor, codeHexColor, codeReset, codeMono, codeReverse, codeItalic, codeStrike, codeUnderline:
		return true
	}
	return false
}

// Replacement is the placeholder for characters that have no control
// picture: C1 controls, bidi overrides/isolates, invalid UTF-8.
const Replacement = "\uFFFD"

// controlPictures holds the placeholder for each C0 control (U+2400 block).
var controlPictures [0x20]string

func init() {
	for i := range controlPictures {
		controlPictures[i] = string(rune(0x2400 + i))
	}
}

// placeholder returns the visible stand-in for rune r, or "" when r is safe
// to print. Tab becomes one space: harmless and what a reader expects.
func placeholder(r rune) string {
	switch {
	case r == '\t':
		return " "
	case r < 0x20:
		return controlPictures[r]
	case r == 0x7f:
		return "\u2421" // ␡
	case r < 0x80:
		return ""
	case r >= 0x80 && r <= 0x9f: // C1: CSI 0x9b and friends
		return Replacement
	case r >= 0x202a && r <= 0x202e, // LRE RLE PDF LRO RLO
		r >= 0x2066 && r <= 0x2069, // LRI RLI FSI PDI
		r == 0x2028 || r == 0x2029: // line/paragraph separators
		return Replacement
	case r == utf8.RuneError:
		return Replacement
	}
	return ""
}

// safeASCII reports whether s needs no work at all: printable ASCII only.
func safeASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// Sanitize returns s as plain text that is safe to print: mIRC formatting
// codes removed, every control character, escape introducer, C1 control,
// bidi override/isolate and invalid UTF-8 byte replaced by its visible
// placeholder. Use it for any network string shown outside a message body
// (nicks, topics in a status line, reasons, channel names).
func Sanitize(s string) string {
	if safeASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, sp := range Parse(s) {
		b.WriteString(sp.Text)
	}
	return b.String()
}

// Strip removes mIRC formatting codes (with their colour arguments) and
// leaves everything else as it is. It is for matching (search, highlight
// detection), never for display: use Sanitize or Parse for that.
func Strip(s string) string {
	i := 0
	for i < len(s) && !isFormatCode(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	return string(AppendStrip(make([]byte, 0, len(s)), s))
}

// AppendStrip appends Strip(s) to dst, so that a caller scanning many lines
// (search) can reuse one buffer.
func AppendStrip(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if !isFormatCode(c) {
			j := i + 1
			for j < len(s) && !isFormatCode(s[j]) {
				j++
			}
			dst = append(dst, s[i:j]...)
			i = j
			continue
		}
		i++
		switch c {
		case codeColor:
			_, _, n := parseColorArgs(s[i:])
			i += n
		case codeHexColor:
			_, _, n := parseHexArgs(s[i:])
			i += n
		}
	}
	return dst
}
