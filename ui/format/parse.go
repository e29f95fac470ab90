package format

import (
	"strings"
	"unicode/utf8"
)

// Parse reads IRC message text: it interprets the mIRC formatting codes
// (bold \x02, italic \x1d, underline \x1f, strikethrough \x1e, monospace
// \x11, reverse \x16, colour \x03[fg[,bg]] with the 16 basic and 83
// extended colours and 99 as default, hex colour \x04[RRGGBB[,RRGGBB]],
// reset \x0f), marks URLs, and replaces every other control character,
// escape introducer, C1 control, bidi control (override, isolate,
// embedding, LRM/RLM/ALM mark) and invalid UTF-8 byte with a visible
// placeholder span (Control set). Span texts share memory with s where
// possible.
func Parse(s string) []Span {
	return AppendParse(nil, s)
}

// AppendParse is Parse appending to dst, for callers that reuse a slice.
func AppendParse(dst []Span, s string) []Span {
	p := parser{out: dst}
	start := 0
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		if c < 0x80 && isFormatCode(c) {
			p.text(s[start:i])
			i++
			i += p.code(c, s[i:])
			start = i
			continue
		}
		r, size := rune(c), 1
		if c >= 0x80 {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if ph := placeholder(r); ph != "" {
			p.text(s[start:i])
			if ph == " " {
				p.add(Span{Text: ph, Attr: p.attr, Mono: p.mono})
			} else {
				p.add(Span{Text: ph, Attr: p.attr, Mono: p.mono, Control: true})
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	p.text(s[start:])
	return p.out
}

type parser struct {
	out  []Span
	attr Attr
	mono bool
}

func (p *parser) add(sp Span) { p.out = append(p.out, sp) }

// code applies formatting code c whose arguments start at rest; it returns
// how many bytes of rest it consumed.
func (p *parser) code(c byte, rest string) int {
	switch c {
	case codeBold:
		p.attr.Bold = !p.attr.Bold
	case codeItalic:
		p.attr.Italic = !p.attr.Italic
	case codeUnderline:
		p.attr.Underline = !p.attr.Underline
	case codeStrike:
		p.attr.Strike = !p.attr.Strike
	case codeReverse:
		p.attr.Reverse = !p.attr.Reverse
	case codeMono:
		p.mono = !p.mono
	case codeReset:
		p.attr = Attr{}
		p.mono = false
	case codeColor:
		fg, bg, n := parseColorArgs(rest)
		if fg < 0 {
			p.attr.FG, p.attr.BG = "", ""
			return 0
		}
		p.attr.FG, _ = mircColor(fg)
		if bg >= 0 {
			p.attr.BG, _ = mircColor(bg)
		}
		return n
	case codeHexColor:
		fg, bg, n := parseHexArgs(rest)
		if n == 0 {
			p.attr.FG, p.attr.BG = "", ""
			return 0
		}
		p.attr.FG = fg
		if bg != "" {
			p.attr.BG = bg
		}
		return n
	}
	return 0
}

// text adds plain text t (already free of controls), split around URLs.
func (p *parser) text(t string) {
	for t != "" {
		at, end := findURL(t)
		if at < 0 {
			p.add(Span{Text: t, Attr: p.attr, Mono: p.mono})
			return
		}
		if at > 0 {
			p.add(Span{Text: t[:at], Attr: p.attr, Mono: p.mono})
		}
		p.add(Span{Text: t[at:end], Attr: p.attr, Mono: p.mono, URL: true})
		t = t[end:]
	}
}

// findURL returns the byte range of the first URL in t (http://, https://
// or www. at a word start), or at = -1. Trailing punctuation that usually
// ends a sentence, and a closing bracket without its opening one, are not
// part of the URL.
func findURL(t string) (at, end int) {
	for i := 0; i < len(t); i++ {
		c := t[i] | 0x20
		if c != 'h' && c != 'w' {
			continue
		}
		if i > 0 && isWordByte(t[i-1]) {
			continue
		}
		rest := t[i:]
		var n int
		switch {
		case hasPrefixFold(rest, "https://"):
			n = 8
		case hasPrefixFold(rest, "http://"):
			n = 7
		case hasPrefixFold(rest, "www."):
			n = 4
		default:
			continue
		}
		e := i + n
		for e < len(t) && t[e] != ' ' {
			e++
		}
		e = trimURLEnd(t[i:e]) + i
		if e-i <= n {
			continue
		}
		return i, e
	}
	return -1, -1
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// trimURLEnd returns the length of u without trailing sentence punctuation
// and unbalanced closing brackets.
func trimURLEnd(u string) int {
	for len(u) > 0 {
		c := u[len(u)-1]
		switch c {
		case '.', ',', ';', ':', '!', '?', '\'', '"', '>':
			u = u[:len(u)-1]
			continue
		case ')':
			if strings.Count(u, "(") < strings.Count(u, ")") {
				u = u[:len(u)-1]
				continue
			}
		case ']':
			if strings.Count(u, "[") < strings.Count(u, "]") {
				u = u[:len(u)-1]
				continue
			}
		}
		break
	}
	return len(u)
}
