package format

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/muesli/termenv"
)

func TestRenderGolden(t *testing.T) {
	p := Painter{Profile: termenv.ANSI256, URL: Attr{Underline: true}, Control: Attr{Faint: true}}
	tests := []struct {
		name, in, want string
	}{
		{"plain", "hello", "hello"},
		{"bold", "a\x02b\x02c", "a\x1b[0;1mb\x1b[0mc"},
		{"italic", "\x1dit", "\x1b[0;3mit\x1b[0m"},
		{"underline", "\x1fu", "\x1b[0;4mu\x1b[0m"},
		{"strike", "\x1es", "\x1b[0;9ms\x1b[0m"},
		{"reverse", "\x16r", "\x1b[0;7mr\x1b[0m"},
		{"monospace has no look", "\x11m\x11", "m"},
		{"reset", "\x02\x1dbi\x0fn", "\x1b[0;1;3mbi\x1b[0mn"},
		{"fg basic", "\x034red", "\x1b[0;91mred\x1b[0m"},
		{"fg two digits", "\x0304red", "\x1b[0;91mred\x1b[0m"},
		{"fg and bg", "\x031,8x", "\x1b[0;30;103mx\x1b[0m"},
		{"extended 52", "\x0352x", "\x1b[0;38;5;196mx\x1b[0m"},
		{"extended 98", "\x0398x", "\x1b[0;38;5;231mx\x1b[0m"},
		{"99 is default", "\x0304a\x0399b", "\x1b[0;91ma\x1b[0mb"},
		{"bare colour resets", "\x034,2a\x03b", "\x1b[0;91;44ma\x1b[0mb"},
		{"comma without digit is text", "\x034,x", "\x1b[0;91m,x\x1b[0m"},
		{"three digits: third is text", "\x03123x", "\x1b[0;94m3x\x1b[0m"},
		{"bg kept when only fg changes", "\x034,2a\x039b", "\x1b[0;91;44ma\x1b[0;92;44mb\x1b[0m"},
		{"hex colour", "\x04ff0000x\x04y", "\x1b[0;38;5;196mx\x1b[0my"},
		{"hex fg and bg", "\x04FF0000,0000ffx", "\x1b[0;38;5;196;48;5;21mx\x1b[0m"},
		{"url underlined", "see https://x.org/a, ok", "see \x1b[0;4mhttps://x.org/a\x1b[0m, ok"},
		{"www url", "(www.example.com)", "(\x1b[0;4mwww.example.com\x1b[0m)"},
		{"url keeps balanced paren", "https://w.org/A_(b)", "\x1b[0;4mhttps://w.org/A_(b)\x1b[0m"},
		{"not a url inside a word", "xhttp://a", "xhttp://a"},
		{"escape shown as picture", "a\x1b[31mb", "a\x1b[0;2m␛\x1b[0m[31mb"},
		{"bel", "\x07", "\x1b[0;2m␇\x1b[0m"},
		{"c1 csi", "a\u009b31mb", "a\x1b[0;2m\uFFFD\x1b[0m31mb"},
		{"bidi override", "\u202eevil", "\x1b[0;2m\uFFFD\x1b[0mevil"},
		{"invalid utf-8 byte", "a\x9bb", "a\x1b[0;2m\uFFFD\x1b[0mb"},
		{"tab is a space", "a\tb", "a b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.Render(Parse(tt.in), Attr{})
			if got != tt.want {
				t.Errorf("Render(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestRenderOverBase(t *testing.T) {
	p := Painter{Profile: termenv.ANSI}
	got := p.Render(Parse("a\x0304b\x03c"), Attr{FG: "8", Italic: true})
	want := "\x1b[0;3;90ma\x1b[0;3;91mb\x1b[0;3;90mc\x1b[0m"
	if got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestPainterProfiles(t *testing.T) {
	spans := Parse("\x02\x0304,52x")
	if got := (Painter{Profile: termenv.Ascii}).Render(spans, Attr{}); got != "x" {
		t.Errorf("Ascii: got %q, want no escape at all", got)
	}
	if got := (Painter{Profile: termenv.ANSI, NoColor: true}).Render(spans, Attr{}); got != "\x1b[0;1mx\x1b[0m" {
		t.Errorf("NoColor: got %q, want bold only", got)
	}
	if got := (Painter{Profile: termenv.TrueColor}).Render(spans, Attr{}); got != "\x1b[0;1;91;48;2;255;0;0mx\x1b[0m" {
		t.Errorf("TrueColor: got %q", got)
	}
	if got := (Painter{Profile: termenv.ANSI}).Render(spans, Attr{}); got != "\x1b[0;1;91;101mx\x1b[0m" {
		t.Errorf("ANSI: got %q (extended colour degraded to 16)", got)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"\x02bold\x02 \x0304,05col\x03", "bold col"},
		{"\x1b]0;title\x07", "␛]0;title␇"},
		{"\x1b[2J\r\n", "␛[2J␍␊"},
		{"\x00\x7f", "␀␡"},
		{"\u0085\u009b\u009d", "\uFFFD\uFFFD\uFFFD"},
		{"a\u202ab\u202bc\u202cd\u202de\u202ef", "a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf"},
		{"\u2066\u2067\u2068\u2069", "\uFFFD\uFFFD\uFFFD\uFFFD"},
		{"\xff\xfe", "\uFFFD\uFFFD"},
		{"日本語 ok 😀", "日本語 ok 😀"},
		// Bidi marks are neutralised in text as the overrides are.
		{"a\u200eb\u200fc\u061cd", "a\uFFFDb\uFFFDc\uFFFDd"},
		// Text keeps the invisibles that writing and emoji need.
		{"👨\u200d👩\u200d👧 ❤\ufe0f می\u200cخواهم", "👨\u200d👩\u200d👧 ❤\ufe0f می\u200cخواهم"},
		{"🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"},
	}
	for _, tt := range tests {
		if got := Sanitize(tt.in); got != tt.want {
			t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"\x02b\x02 \x1di\x1d \x1fu\x1f \x1es\x1e \x11m\x11 \x16r\x16 \x0f", "b i u s m r "},
		{"\x0304,12col\x03or", "color"},
		{"\x0399,99x", "x"},
		{"\x04ff00ff,000000hex\x04", "hex"},
		{"\x1b[31m", "\x1b[31m"}, // not formatting: Strip leaves it to Sanitize
	}
	for _, tt := range tests {
		if got := Strip(tt.in); got != tt.want {
			t.Errorf("Strip(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func joinRows(rows [][]Span) []string {
	var out []string
	for _, r := range rows {
		var b strings.Builder
		for _, s := range r {
			b.WriteString(s.Text)
		}
		out = append(out, b.String())
	}
	return out
}

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		width int
		want  []string
	}{
		{"fits", "hello world", 11, []string{"hello world"}},
		{"word wrap", "hello world foo", 11, []string{"hello world", "foo"}},
		{"spaces at break dropped", "aaa   bbb", 4, []string{"aaa", "bbb"}},
		{"leading spaces kept on first row", "  ab", 10, []string{"  ab"}},
		{"long word broken", "abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"cjk is two cells", "漢字漢字漢", 4, []string{"漢字", "漢字", "漢"}},
		{"cjk never straddles", "a漢字", 2, []string{"a", "漢", "字"}},
		{"emoji two cells", "😀😀😀", 5, []string{"😀😀", "😀"}},
		{"zwj family is one cluster", "👨‍👩‍👧 x", 6, []string{"👨‍👩‍👧", "x"}},
		{"cluster wider than the line stands as …", "👨‍👩‍👧 xyz", 3, []string{"…", "xyz"}},
		{"cjk in a one-cell line", "漢a", 1, []string{"…", "a"}},
		{"combining mark stays", "e\u0301e\u0301e\u0301", 2, []string{"e\u0301e\u0301", "e\u0301"}},
		{"word across formatting", "ab \x02cd\x02ef", 5, []string{"ab", "cdef"}},
		{"empty", "", 5, []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := Wrap(Parse(tt.in), tt.width)
			got := joinRows(rows)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
			}
			for i, r := range rows {
				if w := SpansWidth(r); w > tt.width {
					t.Errorf("row %d is %d cells, wider than %d", i, w, tt.width)
				}
			}
		})
	}
}

func TestWidth(t *testing.T) {
	// Clusters that terminals draw differently count at their widest
	// reading (see Width): never narrower than any terminal draws them.
	for s, want := range map[string]int{"abc": 3, "漢字": 4, "😀": 2, "e\u0301": 1, "": 0,
		"👍🏽":                 4, // emoji + skin tone: 2 joined, 4 in tmux 3.3
		"👨\u200d👩\u200d👧":    6, // ZWJ sequence: 2 joined, 6 as parts
		"🇫🇷":                 4, // regional indicators: 2 joined, 1 or 2 each
		"❤\ufe0f":            2, // VS16: 2 where honoured, 1 elsewhere
		"❤":                  1,
		"1\ufe0f\u20e3":      2, // keycap
		"\u1100\u1161\u11a8": 2, // conjoining Hangul: one syllable
		"क\u094dष":           2, // conjunct: 1 joined, 2 as parts
		"\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F": 2, // tag flag
	} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

// In a nick or channel name every invisible character shows, so that
// "adm\u200bin" cannot pass for "admin".
func TestSanitizeName(t *testing.T) {
	const R = Replacement
	tests := []struct{ in, want string }{
		{"admin", "admin"},
		{"#ferry", "#ferry"},
		{"Ünïcödé", "Ünïcödé"},
		{"日本語", "日本語"},
		{"adm\u200bin", "adm" + R + "in"},                   // zero-width space
		{"adm\u200cin", "adm" + R + "in"},                   // ZWNJ
		{"adm\u200din", "adm" + R + "in"},                   // ZWJ
		{"\ufeffadmin", R + "admin"},                        // BOM
		{"adm\u200ein\u200f", "adm" + R + "in" + R},         // LRM, RLM
		{"adm\u061cin", "adm" + R + "in"},                   // ALM
		{"admin\U000E0001", "admin" + R},                    // language tag
		{"adm\U000E0020\U000E007Fin", "adm" + R + R + "in"}, // tag block
		{"adm\u3164in", "adm" + R + "in"},                   // Hangul filler
		{"\u115f\u1160admin", R + R + "admin"},              // Hangul choseong/jungseong fillers
		{"adm\uffa0in", "adm" + R + "in"},                   // halfwidth Hangul filler
		{"a\u2060b\u2061c\u2062d\u2063e\u2064f", "a" + R + "b" + R + "c" + R + "d" + R + "e" + R + "f"},
		{"adm\u180ein", "adm" + R + "in"},            // Mongolian vowel separator
		{"adm\u00adin", "adm" + R + "in"},            // soft hyphen
		{"adm\u034fin", "adm" + R + "in"},            // combining grapheme joiner
		{"admin\ufe0f", "admin" + R},                 // variation selector
		{"admin\u00a0", "admin" + R},                 // no-break space
		{"adm\u2003in\u3000", "adm" + R + "in" + R},  // em space, ideographic space
		{"admin\u2800", "admin" + R},                 // Braille blank
		{"a\u202eb\u2066c", "a" + R + "b" + R + "c"}, // overrides and isolates, as in text
		// Formatting codes are shown, not interpreted: "#adm\x02in" is
		// not "#admin".
		{"#adm\x02in", "#adm␂in"},
		{"#a\x0304b\x0fc\x1dd", "#a␃04b␏c␝d"},
		{"n\x1b]0;x\x07\t", "n␛]0;x␇␉"},
		{"\u009b\xff", R + R},
	}
	for _, tt := range tests {
		if got := SanitizeName(tt.in); got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if SanitizeName("adm\u200bin") == SanitizeName("admin") {
		t.Error("adm\\u200bin and admin sanitise alike")
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"hello", 5, "hello"},
		{"hello!", 5, "hell…"},
		{"漢字漢字", 5, "漢字…"},
		{"ab", 0, ""},
	}
	for _, tt := range tests {
		got := joinRows([][]Span{Truncate(Parse(tt.in), tt.width, "…")})[0]
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}

// checkSafe fails when s has a control character, C1 control, bidi control
// or DEL, or an ESC that does not start a well-formed SGR sequence.
func checkSafe(t testing.TB, s string) {
	t.Helper()
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b:
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				t.Fatalf("ESC not followed by [ at %d in %q", i, s)
			}
			j++
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
				j++
			}
			if j >= len(s) || s[j] != 'm' {
				t.Fatalf("escape at %d is not an SGR sequence in %q", i, s)
			}
			i = j + 1
			continue
		case r == utf8.RuneError && size == 1:
			t.Fatalf("invalid UTF-8 at %d in %q", i, s)
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x200e, r == 0x200f, r == 0x061c:
			t.Fatalf("raw control %U at %d in %q", r, i, s)
		}
		i += size
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"\x1b[31mx", "\x0304,05\x02b\x1d\x16", "\u202e\u009b\x07", "https://x.y/(z)", "\xff\x04abcdef,", "漢😀",
		"A 👍🏽 end|", "👨\u200d👩\u200d👧 🇫🇷 ❤\ufe0f", "adm\u200bin\u200e\U000E0001\u3164"} {
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, s string, width int) {
		if width < 1 || width > 200 {
			width = 7
		}
		p := Painter{Profile: termenv.ANSI256, Control: Attr{Faint: true}, URL: Attr{Underline: true}}
		spans := Parse(s)
		for _, row := range Wrap(spans, width) {
			if w := SpansWidth(row); w > width {
				t.Fatalf("row %q wider than %d", joinRows([][]Span{row})[0], width)
			}
			checkSafe(t, p.Render(row, Attr{}))
		}
		checkSafe(t, Sanitize(s))
		name := SanitizeName(s)
		checkSafe(t, name)
		for _, r := range name {
			if invisible(r) {
				t.Fatalf("invisible %U left in name %q", r, name)
			}
		}
		if strings.Contains((Painter{Profile: termenv.Ascii}).Render(spans, Attr{}), "\x1b") {
			t.Fatal("Ascii painter emitted an escape")
		}
	})
}

func TestPainterLine(t *testing.T) {
	p := Painter{Profile: termenv.ANSI}
	if got := p.Line("\x02topic\x02 with \x1b[31m escape and more", Attr{}, 12); got != "\x1b[0;1mtopic\x1b[0m with …" {
		t.Errorf("Line = %q", got)
	}
	if got := p.Line("abc", Attr{}, -1); got != "abc" {
		t.Errorf("unlimited Line = %q", got)
	}
}

func TestMark(t *testing.T) {
	show := func(spans []Span) string {
		var b strings.Builder
		for _, s := range spans {
			if s.Match {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		return b.String()
	}
	tests := []struct{ in, q, want string }{
		{"hello world", "WORLD", "hello [world]"},
		{"abcabc", "bc", "a[bc]a[bc]"},
		{"aaa", "aa", "[aa]a"},
		{"wo\x02rld\x02 x", "world", "[wo][rld] x"}, // across a formatting change
		{"ÉCOLE école", "école", "[ÉCOLE] [école]"},
		{"Straße", "STRASSE", "Straße"}, // simple folding only: ß is not ss
		{"nothing", "", "nothing"},
		{"日本語", "本", "日[本]語"},
	}
	for _, tt := range tests {
		if got := show(Mark(Parse(tt.in), tt.q)); got != tt.want {
			t.Errorf("Mark(%q, %q) = %q, want %q", tt.in, tt.q, got, tt.want)
		}
	}
	p := Painter{Profile: termenv.ANSI, Match: Attr{Reverse: true}}
	if got := p.Render(Mark(Parse("a hit b"), "hit"), Attr{}); got != "a \x1b[0;7mhit\x1b[0m b" {
		t.Errorf("painted match %q", got)
	}
}
