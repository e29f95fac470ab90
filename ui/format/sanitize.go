package format

import (
	"strings"
	"unicode"
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
// picture: C1 controls, bidi controls (overrides, isolates, embeddings and
// the LRM/RLM/ALM marks), invalid UTF-8, and in names (SanitizeName) every
// invisible character.
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
		r >= 0x2066 && r <= 0x2069,                // LRI RLI FSI PDI
		r == 0x200e || r == 0x200f || r == 0x061c, // LRM RLM ALM
		r == 0x2028 || r == 0x2029:                // line/paragraph separators
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
// bidi control (marks included) and invalid UTF-8 byte replaced by its
// visible placeholder. Use it for network text shown outside a message
// body (topics in a status line, reasons); nicks and channel names take
// SanitizeName, which also shows the invisible characters.
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

// SanitizeName returns a nick or channel name as text that is safe to
// print and cannot pass for another name: every control character
// (formatting codes included: "#adm\x02in" must not read as "#admin") is
// shown as its control picture, and every character that draws nothing or
// only blank space (zero-width spaces and joiners, BOM, bidi marks, tags,
// variation selectors, the Hangul fillers, non-ASCII spaces) as
// Replacement. Message text keeps the invisibles that make writing and
// emoji work (ZWJ, ZWNJ, VS16, tag flags): use Parse or Sanitize for it.
func SanitizeName(s string) string {
	if safeASCII(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r < 0x20:
			b.WriteString(controlPictures[r]) // tab too: it is not a space here
		case invisible(r):
			b.WriteString(Replacement)
		default:
			if ph := placeholder(r); ph != "" {
				b.WriteString(ph)
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// invisible reports whether r draws nothing, or only blank space that is
// not an ASCII space: the default-ignorable code points (format
// characters such as U+200B-200F, U+2060-2064, U+FEFF, U+180E, the tag
// block U+E0000-E007F, variation selectors, the Hangul fillers U+115F,
// U+1160, U+3164, U+FFA0), the Unicode spaces (no-break, en, em, ideographic
// ...) and the Braille blank, which looks like a space.
func invisible(r rune) bool {
	if r < 0x80 {
		return false
	}
	return r == 0x2800 || r == 0x115f ||
		unicode.In(r, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp,
			unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point)
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
