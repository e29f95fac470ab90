package ircx

import "strings"

// Casemap is an IRC case mapping (ISUPPORT CASEMAPPING): the rule that says
// which nick and channel names are the same name. Servers differ, so every
// map keyed by a name must fold with the server's mapping, not strings.ToLower.
type Casemap int

const (
	// CasemapRFC1459 folds A-Z and []\~ to a-z and {}|^ (the default when a
	// server does not say: RFC 1459 section 2.2).
	CasemapRFC1459 Casemap = iota
	// CasemapASCII folds A-Z only.
	CasemapASCII
	// CasemapRFC1459Strict folds A-Z and []\ (not ~).
	CasemapRFC1459Strict
)

// ParseCasemap maps a CASEMAPPING token value to a Casemap. Unknown mappings
// (e.g. "rfc7613") report ok=false; callers fall back to ASCII, which is the
// subset every mapping agrees on.
func ParseCasemap(name string) (Casemap, bool) {
	switch strings.ToLower(name) {
	case "rfc1459":
		return CasemapRFC1459, true
	case "ascii":
		return CasemapASCII, true
	case "rfc1459-strict", "strict-rfc1459":
		return CasemapRFC1459Strict, true
	}
	return CasemapASCII, false
}

// String returns the CASEMAPPING token value of c.
func (c Casemap) String() string {
	switch c {
	case CasemapASCII:
		return "ascii"
	case CasemapRFC1459Strict:
		return "rfc1459-strict"
	}
	return "rfc1459"
}

// Fold returns the canonical (lower-case) form of name under c. It allocates
// only when name changes.
func (c Casemap) Fold(name string) string {
	i := 0
	for ; i < len(name); i++ {
		if c.foldByte(name[i]) != name[i] {
			break
		}
	}
	if i == len(name) {
		return name
	}
	b := []byte(name)
	for ; i < len(b); i++ {
		b[i] = c.foldByte(b[i])
	}
	return string(b)
}

// Equal reports whether a and b name the same nick or channel under c.
func (c Casemap) Equal(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if c.foldByte(a[i]) != c.foldByte(b[i]) {
			return false
		}
	}
	return true
}

func (c Casemap) foldByte(b byte) byte {
	switch {
	case b >= 'A' && b <= 'Z':
		return b + ('a' - 'A')
	case c == CasemapASCII:
		return b
	case b == '[' || b == ']' || b == '\\':
		return b + ('{' - '[')
	case b == '~' && c == CasemapRFC1459:
		return '^'
	}
	return b
}
