package ui

// casefold returns the fold function of an ISUPPORT CASEMAPPING value, so
// that "#Ferry" and "#ferry" (and, under rfc1459, "[x]" and "{x}") name the
// same buffer. Unknown values fall back to rfc1459, the IRC default.
func casefold(casemap string) func(string) string {
	switch casemap {
	case "ascii":
		return foldASCII
	case "rfc1459-strict", "strict-rfc1459":
		return foldStrict
	default:
		return foldRFC1459
	}
}

func foldASCII(s string) string { return foldWith(s, false, false) }

func foldRFC1459(s string) string { return foldWith(s, true, true) }

func foldStrict(s string) string { return foldWith(s, true, false) }

// foldWith lower-cases ASCII letters and, with brackets, []\ to {}|, and
// with tilde also ~ to ^. It returns s itself when nothing changes, so the
// common case (already lower case) does not allocate.
func foldWith(s string, brackets, tilde bool) string {
	conv := func(c byte) byte {
		switch {
		case c >= 'A' && c <= 'Z':
			return c + ('a' - 'A')
		case brackets && c == '[':
			return '{'
		case brackets && c == ']':
			return '}'
		case brackets && c == '\\':
			return '|'
		case tilde && c == '~':
			return '^'
		}
		return c
	}
	i := 0
	for i < len(s) && conv(s[i]) == s[i] {
		i++
	}
	if i == len(s) {
		return s
	}
	b := []byte(s)
	for ; i < len(b); i++ {
		b[i] = conv(b[i])
	}
	return string(b)
}
