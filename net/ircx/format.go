package ircx

import "strings"

// StripFormatting removes mIRC formatting codes (bold, colour with its
// numbers, hex colour, italics, underline, strikethrough, monospace,
// reverse, reset) and surrounding spaces, for comparing and searching the
// words of a text. CTCP \x01 framing is kept. It allocates only when text
// has formatting codes.
func StripFormatting(v string) string {
	if !strings.ContainsAny(v, "\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f") {
		return strings.TrimSpace(v)
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case 0x02, 0x0f, 0x11, 0x16, 0x1d, 0x1e, 0x1f:
		case 0x03: // \x03[N[N]][,N[N]]
			i = skipDigits(v, i+1, 2) - 1
			if i+2 < len(v) && v[i+1] == ',' && isDigit(v[i+2]) {
				i = skipDigits(v, i+2, 2) - 1
			}
		case 0x04: // \x04[RRGGBB[,RRGGBB]]
			i = skipHex(v, i+1) - 1
			if i+2 < len(v) && v[i+1] == ',' && isHex(v[i+2]) {
				i = skipHex(v, i+2) - 1
			}
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// skipDigits returns the index after at most n digits from i.
func skipDigits(v string, i, n int) int {
	for ; n > 0 && i < len(v) && isDigit(v[i]); n-- {
		i++
	}
	return i
}

// skipHex returns the index after six hex digits at i, or i if there are not six.
func skipHex(v string, i int) int {
	for j := 0; j < 6; j++ {
		if i+j >= len(v) || !isHex(v[i+j]) {
			return i
		}
	}
	return i + 6
}
