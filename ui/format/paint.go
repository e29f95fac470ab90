package format

import (
	"strconv"
	"strings"
	"sync"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/muesli/termenv"
)

// Painter writes spans as terminal text with SGR sequences for one colour
// profile. It emits only well-formed SGR sequences (ESC [ params m) and, for
// the Ascii profile, no escape sequence at all. Note that termenv's zero
// Profile is TrueColor: set Profile explicitly.
type Painter struct {
	Profile termenv.Profile
	// NoColor drops colours (NO_COLOR) and keeps the other attributes.
	NoColor bool
	// Control is laid over placeholder spans (e.g. faint), URL over links,
	// Match over search hits.
	Control Attr
	URL     Attr
	Match   Attr
}

// Render returns spans as one styled line: each span's attributes laid over
// base, the placeholder and URL attributes added where they apply. The
// result ends with a reset when any attribute was set, so lines can be
// concatenated safely.
func (p Painter) Render(spans []Span, base Attr) string {
	var b strings.Builder
	p.Write(&b, spans, base)
	return b.String()
}

// Write is Render into b.
func (p Painter) Write(b *strings.Builder, spans []Span, base Attr) {
	var cur Attr
	for _, sp := range spans {
		if sp.Text == "" {
			continue
		}
		a := sp.Attr.over(base)
		if sp.Control {
			a = p.Control.over(a)
		}
		if sp.URL {
			a = p.URL.over(a)
		}
		if sp.Match {
			a = p.Match.over(a)
		}
		if a != cur {
			p.sgr(b, a)
			cur = a
		}
		b.WriteString(sp.Text)
	}
	if cur != (Attr{}) {
		p.sgr(b, Attr{})
	}
}

// Styled returns text (which must already be safe: sanitised) in attribute a.
func (p Painter) Styled(text string, a Attr) string {
	if text == "" {
		return ""
	}
	var b strings.Builder
	p.sgr(&b, a)
	b.WriteString(text)
	if a != (Attr{}) {
		p.sgr(&b, Attr{})
	}
	return b.String()
}

// sgr writes the sequence that switches to exactly a (from any state).
func (p Painter) sgr(b *strings.Builder, a Attr) {
	if p.Profile == termenv.Ascii {
		return
	}
	if p.NoColor {
		a.FG, a.BG = "", ""
	}
	b.WriteString("\x1b[0")
	flag := func(on bool, code string) {
		if on {
			b.WriteByte(';')
			b.WriteString(code)
		}
	}
	flag(a.Bold, "1")
	flag(a.Faint, "2")
	flag(a.Italic, "3")
	flag(a.Underline, "4")
	flag(a.Reverse, "7")
	flag(a.Strike, "9")
	p.color(b, a.FG, false)
	p.color(b, a.BG, true)
	b.WriteByte('m')
}

func (p Painter) color(b *strings.Builder, c string, bg bool) {
	if c == "" {
		return
	}
	// Fast path for 0-15: the basic palette is what mIRC colours 0-15 use.
	if n, err := strconv.Atoi(c); err == nil && n < 16 {
		base := 30
		if n >= 8 {
			base, n = 90, n-8
		}
		if bg {
			base += 10
		}
		b.WriteByte(';')
		b.WriteString(strconv.Itoa(base + n))
		return
	}
	if s := colorSequence(p.Profile, c, bg); s != "" {
		b.WriteByte(';')
		b.WriteString(s)
	}
}

// colorCache memoises colour conversions: degrading a hex colour to 256 or
// 16 colours searches the palette in a perceptual colour space, which
// would otherwise dominate the cost of drawing a line. It is bounded
// because hex colours (\x04) come from the network.
var colorCache struct {
	sync.Mutex
	m map[colorKey]string
}

type colorKey struct {
	profile termenv.Profile
	color   string
	bg      bool
}

const colorCacheMax = 4096

func colorSequence(p termenv.Profile, c string, bg bool) string {
	k := colorKey{p, c, bg}
	colorCache.Lock()
	s, ok := colorCache.m[k]
	colorCache.Unlock()
	if ok {
		return s
	}
	if col := p.Color(c); col != nil {
		s = col.Sequence(bg)
	}
	colorCache.Lock()
	if colorCache.m == nil {
		colorCache.m = make(map[colorKey]string)
	}
	if len(colorCache.m) < colorCacheMax {
		colorCache.m[k] = s
	}
	colorCache.Unlock()
	return s
}

// AttrOf returns the attributes of a lipgloss style (colours given as
// lipgloss.Color; other colour kinds are ignored), so theme styles can be
// used as the base of Render.
func AttrOf(s lipgloss.Style) Attr {
	a := Attr{
		Bold:      s.GetBold(),
		Faint:     s.GetFaint(),
		Italic:    s.GetItalic(),
		Underline: s.GetUnderline(),
		Strike:    s.GetStrikethrough(),
		Reverse:   s.GetReverse(),
	}
	if c, ok := s.GetForeground().(lipgloss.Color); ok {
		a.FG = string(c)
	}
	if c, ok := s.GetBackground().(lipgloss.Color); ok {
		a.BG = string(c)
	}
	return a
}

// PainterFor returns the Painter matching a theme's styles: its colour
// profile, NO_COLOR choice, and its placeholder, URL and search-hit looks. Build it
// once per Styles, like the styles themselves.
func PainterFor(st *themes.Styles) Painter {
	return Painter{Profile: st.Profile, NoColor: st.NoColor,
		Control: AttrOf(st.Placeholder), URL: AttrOf(st.URL), Match: AttrOf(st.SearchMatch)}
}

// Line renders network text s (mIRC formatting interpreted, sanitised) on
// one line of at most width cells, cut with "…": for topics, away
// messages, the status bar. width < 0 means no limit.
func (p Painter) Line(s string, base Attr, width int) string {
	spans := Parse(s)
	if width >= 0 {
		spans = Truncate(spans, width, "…")
	}
	return p.Render(spans, base)
}
