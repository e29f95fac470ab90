package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ferry-irc/ferry/ui/format"
)

// highlighted reports whether text mentions our nick on n or one of the
// configured highlight words, as a whole word, ignoring case and mIRC
// formatting. It allocates nothing for text without formatting codes.
func (m *model) highlighted(n *network, text string) bool {
	if n.nick == "" && len(m.hlWords) == 0 {
		return false
	}
	text = format.Strip(text)
	if n.nick != "" && containsWord(text, n.nick) {
		return true
	}
	for _, w := range m.hlWords {
		if containsWord(text, w) {
			return true
		}
	}
	return false
}

// containsWord reports whether word occurs in text, ignoring case, with no
// word character (letter, digit, or a character nicks use) right before or
// after it.
func containsWord(text, word string) bool {
	if word == "" || len(word) > len(text) {
		return false
	}
	c0 := lowerByte(word[0])
	for i := 0; i+len(word) <= len(text); i++ {
		if lowerByte(text[i]) != c0 {
			continue
		}
		if !strings.EqualFold(text[i:i+len(word)], word) {
			continue
		}
		if i > 0 {
			r, _ := utf8.DecodeLastRuneInString(text[:i])
			if wordRune(r) {
				continue
			}
		}
		if j := i + len(word); j < len(text) {
			r, _ := utf8.DecodeRuneInString(text[j:])
			if wordRune(r) {
				continue
			}
		}
		return true
	}
	return false
}

func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("_-[]{}\\|^`", r)
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerByte(c)
	}
	return string(b)
}
