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
	for i := 0; i+len(word) <= len(text); i++ {
		t0 := text[i]
		if !utf8.RuneStart(t0) {
			continue
		}
		if t0 < utf8.RuneSelf && w0 < utf8.RuneSelf && c.foldByte(t0) != c.foldByte(w0) && lower(t0) != lower(w0) {
			continue
		}
		sub := text[i : i+len(word)]
		if !c.Equal(sub, word) && !strings.EqualFold(sub, word) {
			continue
		}
		if i > 0 {
			if r, _ := utf8.DecodeLastRuneInString(text[:i]); isWordRune(r) {
				continue
			}
		}
		if j := i + len(word); j < len(text) {
			if r, _ := utf8.DecodeRuneInString(text[j:]); isWordRune(r) {
				continue
			}
		}
		return true
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-[]{}\\|^`", r)
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
