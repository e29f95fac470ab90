package ircx

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Casemap is an IRC case mapping (ISUPPORT CASEMAPPING): the rule that says
// which nick and channel names are the same name. Servers differ, so every
// map keyed by a name must fold with the server's mapping, not
// strings.ToLower. This is the one implementation: the session keys its
// channels and members with it and the UI keys its buffers with the same
// value (event.ISupport carries its token), so the two cannot disagree on
// which names are one buffer.
type Casemap int

const (
	// CasemapRFC1459 folds A-Z and []\~ to a-z and {}|^. It is the mapping
	// of a server that sends no CASEMAPPING (RFC 1459 section 2.2, and the
	// default of every ISUPPORT draft).
	CasemapRFC1459 Casemap = iota
	// CasemapASCII folds A-Z only.
	CasemapASCII
	// CasemapRFC1459Strict folds A-Z and []\ (not ~).
	CasemapRFC1459Strict
	// CasemapRFC7613 folds A-Z like ascii ([ and { stay distinct) and
	// non-ASCII names by Unicode case folding after NFKC normalisation
	// (RFC 7613's UsernameCaseMapped profile: width mapping, case
	// mapping, normalisation), so "#Ä" and "#ä" are one channel.
	CasemapRFC7613
)

// ParseCasemap maps a CASEMAPPING token value, in any letter case, to a
// Casemap; ok is false for a value it does not know.
//
// An unknown value falls back to ascii, not to the rfc1459 default: every
// mapping defined since RFC 1459 (rfc1459-strict, rfc7613, rfc7700, precis)
// folds A-Z and none folds more of ASCII than rfc1459, so ascii is the part
// they all agree on. Folding too little can at worst show one channel in
// two buffers; folding too much would merge two channels the server keeps
// apart, mixing their lines and members. The absence of the token is not
// this case: it means rfc1459 (DefaultISupport).
func ParseCasemap(name string) (Casemap, bool) {
	switch strings.ToLower(name) {
	case "rfc1459":
		return CasemapRFC1459, true
	case "ascii":
		return CasemapASCII, true
	case "rfc1459-strict", "strict-rfc1459":
		return CasemapRFC1459Strict, true
	case "rfc7613":
		return CasemapRFC7613, true
	}
	return CasemapASCII, false
}

// String returns the CASEMAPPING token value of c; ParseCasemap(c.String())
// is c.
func (c Casemap) String() string {
	switch c {
	case CasemapASCII:
		return "ascii"
	case CasemapRFC1459Strict:
		return "rfc1459-strict"
	case CasemapRFC7613:
		return "rfc7613"
	}
	return "rfc1459"
}

// Fold returns the canonical (lower-case) form of name under c. It allocates
// only when name changes. Under rfc7613 a name that is not valid UTF-8 is
// folded as ascii: its bytes cannot be normalised, and they still name
// something.
func (c Casemap) Fold(name string) string {
	if c == CasemapRFC7613 && !isASCII(name) && utf8.ValidString(name) {
		return foldUnicode(name)
	}
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
	if c == CasemapRFC7613 && !(isASCII(a) && isASCII(b)) {
		return c.Fold(a) == c.Fold(b)
	}
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
	case c == CasemapASCII || c == CasemapRFC7613:
		return b
	case b == '[' || b == ']' || b == '\\':
		return b + ('{' - '[')
	case b == '~' && c == CasemapRFC1459:
		return '^'
	}
	return b
}

// foldUnicode is rfc7613's fold of a non-ASCII name: NFKC (width mapping),
// Unicode full case folding, NFC. A Caser keeps state, so each call makes
// its own: Fold stays safe for concurrent use.
func foldUnicode(name string) string {
	return norm.NFC.String(cases.Fold().String(norm.NFKC.String(name)))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
