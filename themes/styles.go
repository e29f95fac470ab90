package themes

import (
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// StyleKeys lists every style a theme file may set under [style.<key>], in
// the order of the Styles fields they fill.
var StyleKeys = []string{
	"text", "timestamp", "own_nick", "own_text", "action", "notice", "ctcp", "event",
	"topic_change", "info", "error", "highlight", "highlight_nick", "unread_marker",
	"day_separator", "gap", "pending", "failed", "url", "placeholder", "search_match",
	"sidebar", "sidebar_network", "sidebar_item", "sidebar_active", "sidebar_unread",
	"sidebar_highlight", "sidebar_disconnected", "sidebar_count",
	"topic", "status_bar", "status_accent", "status_error",
	"input_prompt", "input_text", "input_pending", "border",
	"member", "member_away", "prefix_owner", "prefix_admin", "prefix_op", "prefix_halfop", "prefix_voice",
}

// Styles is a theme turned into lipgloss styles for one renderer. Build it
// once per theme and terminal (NewStyles) and share the pointer: components
// must not rebuild styles per frame. It is read-only after NewStyles, so it
// is safe to read from any goroutine.
type Styles struct {
	// Renderer is the renderer every style was created on; components that
	// make further styles should use Renderer.NewStyle.
	Renderer *lipgloss.Renderer
	// Profile is the colour depth the styles render at (Ascii: no escape
	// sequences at all).
	Profile termenv.Profile
	// NoColor is set when the user asked for no colours (NO_COLOR): styles
	// carry no colour, only attributes (bold, reverse, underline, faint),
	// and formatting colours in messages are dropped too.
	NoColor bool

	// Message view.
	Text          lipgloss.Style   // ordinary message text
	Timestamp     lipgloss.Style   // the time column
	Nicks         []lipgloss.Style // nick palette; use Nick(name)
	OwnNick       lipgloss.Style   // our own nick in the nick column
	OwnText       lipgloss.Style   // text of our own lines
	Action        lipgloss.Style   // /me lines
	Notice        lipgloss.Style   // NOTICE lines
	CTCP          lipgloss.Style   // CTCP requests/replies
	Event         lipgloss.Style   // join/part/quit/nick/kick/mode: dimmed
	TopicChange   lipgloss.Style   // "X changed the topic to ..."
	Info          lipgloss.Style   // client/server information lines
	Error         lipgloss.Style   // error lines
	Highlight     lipgloss.Style   // text of a line that mentions us
	HighlightNick lipgloss.Style   // nick column of such a line
	UnreadMarker  lipgloss.Style   // the "new messages" rule
	DaySeparator  lipgloss.Style   // the date rule between days
	Gap           lipgloss.Style   // "history missing here" rule
	Pending       lipgloss.Style   // our line not yet delivered (and its mark)
	Failed        lipgloss.Style   // our line that will never be delivered (and its mark)
	URL           lipgloss.Style   // added to URLs inside messages
	Placeholder   lipgloss.Style   // visible stand-ins for control characters
	SearchMatch   lipgloss.Style   // text matching the current search

	// Sidebar (buffer list).
	Sidebar             lipgloss.Style // the panel itself (background)
	SidebarNetwork      lipgloss.Style // a network header
	SidebarItem         lipgloss.Style // a buffer with nothing new
	SidebarActive       lipgloss.Style // the current buffer
	SidebarUnread       lipgloss.Style // a buffer with unread lines
	SidebarHighlight    lipgloss.Style // a buffer with a highlight
	SidebarDisconnected lipgloss.Style // a network or buffer not connected
	SidebarCount        lipgloss.Style // unread count badge

	// Bars and input.
	Topic        lipgloss.Style // topic line above the message view
	StatusBar    lipgloss.Style // status bar background/text
	StatusAccent lipgloss.Style // status bar events (migration in progress/done)
	StatusError  lipgloss.Style // status bar failure notes
	InputPrompt  lipgloss.Style // "[#chan] " before the input
	InputText    lipgloss.Style // typed text
	InputPending lipgloss.Style // "N lines queued" hint near the input
	Border       lipgloss.Style // separators between panels

	// Member list.
	Member       lipgloss.Style // a member with no prefix
	MemberAway   lipgloss.Style // an away member
	PrefixOwner  lipgloss.Style // ~
	PrefixAdmin  lipgloss.Style // &
	PrefixOp     lipgloss.Style // @
	PrefixHalfop lipgloss.Style // %
	PrefixVoice  lipgloss.Style // +
}

// NoColorEnv reports whether the NO_COLOR convention (https://no-color.org)
// asks for no colours: the variable is set and not empty.
func NoColorEnv() bool { return os.Getenv("NO_COLOR") != "" }

// Renderer returns a renderer for the terminal on stdout with its colour
// depth detected from the terminal (TERM, COLORTERM), not from NO_COLOR:
// under NO_COLOR ferry still uses bold and reverse for essentials, so it
// needs a profile that can emit them; NewStyles drops the colours.
func Renderer() *lipgloss.Renderer {
	r := lipgloss.NewRenderer(os.Stdout)
	r.SetColorProfile(r.Output().ColorProfile())
	return r
}

// essentials are the styles that must stay distinguishable without colour;
// under NoColor they fall back to these attributes.
var essentials = map[string]func(lipgloss.Style) lipgloss.Style{
	"own_nick":          func(s lipgloss.Style) lipgloss.Style { return s.Bold(true) },
	"highlight":         func(s lipgloss.Style) lipgloss.Style { return s.Bold(true) },
	"highlight_nick":    func(s lipgloss.Style) lipgloss.Style { return s.Reverse(true) },
	"unread_marker":     func(s lipgloss.Style) lipgloss.Style { return s.Bold(true) },
	"error":             func(s lipgloss.Style) lipgloss.Style { return s.Bold(true) },
	"failed":            func(s lipgloss.Style) lipgloss.Style { return s.Bold(true) },
	"pending":           func(s lipgloss.Style) lipgloss.Style { return s.Faint(true) },
	"event":             func(s lipgloss.Style) lipgloss.Style { return s.Faint(true) },
	"sidebar_active":    func(s lipgloss.Style) lipgloss.Style { return s.Reverse(true) },
	"sidebar_unread":    func(s lipgloss.Style) lipgloss.Style { return s.Bold(true) },
	"sidebar_highlight": func(s lipgloss.Style) lipgloss.Style { return s.Bold(true).Underline(true) },
	"status_bar":        func(s lipgloss.Style) lipgloss.Style { return s.Reverse(true) },
	"status_accent":     func(s lipgloss.Style) lipgloss.Style { return s.Reverse(true).Bold(true) },
	"status_error":      func(s lipgloss.Style) lipgloss.Style { return s.Reverse(true).Bold(true) },
	"input_prompt":      func(s lipgloss.Style) lipgloss.Style { return s.Bold(true) },
	"url":               func(s lipgloss.Style) lipgloss.Style { return s.Underline(true) },
	"placeholder":       func(s lipgloss.Style) lipgloss.Style { return s.Faint(true) },
	"search_match":      func(s lipgloss.Style) lipgloss.Style { return s.Reverse(true) },
}

// NewStyles builds the styles of t for renderer r (nil: lipgloss's default
// renderer). noColor drops every colour and keeps attributes, adding bold or
// reverse where a style would otherwise be told apart only by colour; pass
// NoColorEnv(). The colour depth is r's profile: tests force it with
// r.SetColorProfile.
func NewStyles(t *Theme, r *lipgloss.Renderer, noColor bool) *Styles {
	if r == nil {
		r = lipgloss.DefaultRenderer()
	}
	mk := func(key string) lipgloss.Style {
		spec := t.Style[key]
		s := r.NewStyle()
		if !noColor {
			if spec.FG != nil && spec.FG.lip() != "" {
				s = s.Foreground(lipgloss.Color(spec.FG.lip()))
			}
			if spec.BG != nil && spec.BG.lip() != "" {
				s = s.Background(lipgloss.Color(spec.BG.lip()))
			}
		}
		if spec.Bold != nil {
			s = s.Bold(*spec.Bold)
		}
		if spec.Faint != nil {
			s = s.Faint(*spec.Faint)
		}
		if spec.Italic != nil {
			s = s.Italic(*spec.Italic)
		}
		if spec.Underline != nil {
			s = s.Underline(*spec.Underline)
		}
		if spec.Reverse != nil {
			s = s.Reverse(*spec.Reverse)
		}
		if spec.Strike != nil {
			s = s.Strikethrough(*spec.Strike)
		}
		if noColor {
			if f, ok := essentials[key]; ok {
				s = f(s)
			}
		}
		return s
	}
	st := &Styles{Renderer: r, Profile: r.ColorProfile(), NoColor: noColor}
	fields := []*lipgloss.Style{
		&st.Text, &st.Timestamp, &st.OwnNick, &st.OwnText, &st.Action, &st.Notice, &st.CTCP, &st.Event,
		&st.TopicChange, &st.Info, &st.Error, &st.Highlight, &st.HighlightNick, &st.UnreadMarker,
		&st.DaySeparator, &st.Gap, &st.Pending, &st.Failed, &st.URL, &st.Placeholder, &st.SearchMatch,
		&st.Sidebar, &st.SidebarNetwork, &st.SidebarItem, &st.SidebarActive, &st.SidebarUnread,
		&st.SidebarHighlight, &st.SidebarDisconnected, &st.SidebarCount,
		&st.Topic, &st.StatusBar, &st.StatusAccent, &st.StatusError,
		&st.InputPrompt, &st.InputText, &st.InputPending, &st.Border,
		&st.Member, &st.MemberAway, &st.PrefixOwner, &st.PrefixAdmin, &st.PrefixOp, &st.PrefixHalfop, &st.PrefixVoice,
	}
	for i, p := range fields {
		*p = mk(StyleKeys[i])
	}
	if noColor || len(t.Nicks) == 0 {
		st.Nicks = []lipgloss.Style{r.NewStyle()}
	} else {
		for _, c := range t.Nicks {
			st.Nicks = append(st.Nicks, r.NewStyle().Foreground(lipgloss.Color(c.lip())))
		}
	}
	return st
}

// Nick returns the palette style for nick: the same nick (compared
// case-insensitively, RFC 1459 casemapping) always gets the same colour,
// across runs and machines.
func (s *Styles) Nick(nick string) lipgloss.Style {
	return s.Nicks[NickIndex(nick, len(s.Nicks))]
}

// NickIndex hashes the casefolded nick into [0, n): FNV-1a over the RFC 1459
// lower-case form, so "Alice" and "alice", or "[x]" and "{x}", share a
// colour. It is stable: it never depends on the process or a random seed.
func NickIndex(nick string, n int) int {
	if n <= 1 {
		return 0
	}
	const (
		offset = 2166136261
		prime  = 16777619
	)
	h := uint32(offset)
	for i := 0; i < len(nick); i++ {
		c := nick[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c == '[':
			c = '{'
		case c == ']':
			c = '}'
		case c == '\\':
			c = '|'
		case c == '~':
			c = '^'
		}
		h ^= uint32(c)
		h *= prime
	}
	return int(h % uint32(n))
}
