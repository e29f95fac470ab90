package ircx

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ContainsWord is the highlight rule: it reports whether word (our nick,
// or a highlight word) occurs in text as a whole word, ignoring mIRC
// formatting and case. Case is ignored both under c (so "[bob]" names
// "{bob}" under rfc1459, as it does on the network) and by Unicode simple
// folding ("BÖB" and "böb"). A whole word has no word character (a letter,
// a digit, or one of the specials nicks use: _-[]{}\|^`) right before or
// after it, so "bob" does not highlight "bobby" or "bob_" but does "bob:".
// The session decides Message.Highlight with it and the UI its configured
// highlight words, so both use the same words. It allocates nothing for
// ASCII text without formatting codes.
func (c Casemap) ContainsWord(text, word string) bool {
	if word == "" || len(word) > len(text) {
		return false
	}
	text = StripFormatting(text)
	w0 := word[0]
	if w0 >= utf8.RuneSelf {
		for i := 0; i+len(word) <= len(text); i++ {
			if utf8.RuneStart(text[i]) && c.wordAt(text, i, word) {
				return true
			}
		}
		return false
	}
	// An ASCII first byte: jump from one byte that can start a match to
	// the next (the highlight rule runs on every message of every
	// channel, so it must cost little more than a scan of the text).
	if int(c) >= len(firstBytes) {
		c = CasemapASCII
	}
	starts := firstBytes[c][w0]
	for i := 0; i+len(word) <= len(text); i++ {
		k := strings.IndexAny(text[i:len(text)-len(word)+1], starts)
		if k < 0 {
			return false
		}
		i += k
		if c.wordAt(text, i, word) {
			return true
		}
	}
	return false
}

// wordAt reports whether word stands at text[i:] as a whole word.
func (c Casemap) wordAt(text string, i int, word string) bool {
	sub := text[i : i+len(word)]
	if !c.Equal(sub, word) && !strings.EqualFold(sub, word) {
		return false
	}
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(text[:i]); isWordRune(r) {
			return false
		}
	}
	if j := i + len(word); j < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[j:]); isWordRune(r) {
			return false
		}
	}
	return true
}

// firstBytes lists, per case mapping and ASCII byte b, the bytes a match
// of a word starting with b can start with: those b folds with under the
// mapping or in ASCII. (A match has the word's length in bytes, so no
// multi-byte letter can stand for an ASCII one.)
var firstBytes = func() (t [CasemapRFC7613 + 1][utf8.RuneSelf]string) {
	for c := range CasemapRFC7613 + 1 {
		for w := range byte(utf8.RuneSelf) {
			var set []byte
			for b := range byte(utf8.RuneSelf) {
				if c.foldByte(b) == c.foldByte(w) || lower(b) == lower(w) {
					set = append(set, b)
				}
			}
			t[c][w] = string(set)
		}
	}
	return t
}()

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-[]{}\\|^`", r)
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
