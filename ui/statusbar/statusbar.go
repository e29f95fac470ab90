// Package statusbar draws the one-row status bar: the current network, our
// nick, the connection state, lag, and a transient note (a migration in
// progress or just finished, a failure) in the room the rest leaves. It is a pure function of a Bar
// value the root model fills; it keeps no timers (the root clears a note
// with a tea.Tick) and never imports net/.
package statusbar

import (
	"strconv"
	"strings"
	"time"

	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
)

// NoteKind says how a note is drawn.
type NoteKind int

const (
	NoteNone   NoteKind = iota
	NoteAccent          // an event in progress or done (migration)
	NoteError           // something failed
	NoteInfo            // neutral (a declined migration, a hint)
)

// Bar is what the status bar shows.
type Bar struct {
	Network string
	// Server is the name of the server we are on (it changes with a
	// migration: s1, then s2).
	Server string
	Nick   string
	// State is the connection state in words ("connected", "connecting",
	// "disconnected", "waiting"); "connected" is not shown, only departures
	// from it, so a healthy bar stays quiet.
	State  string
	Lag    time.Duration
	HasLag bool
	Away   bool
	// Buffer is the current buffer's name and Users its member count
	// (channels only, 0 hides it).
	Buffer string
	Users  int
	// Scrolled is set when the view is not at the bottom.
	Scrolled bool
	// Pending counts our lines queued and not yet delivered.
	Pending int
	// Search is the text being searched for in the current buffer.
	Search string
	// Fetching is set while older history of the current buffer is
	// being fetched from the server (the user scrolled past the top).
	Fetching bool
	// Activity lists the buffers with unread lines by their Alt+number,
	// for when the sidebar is hidden (narrow terminals), irssi style.
	Activity []Act
	// Typing says who is typing in the current buffer ("bob is
	// typing…"), "" for nobody.
	Typing   string
	Note     string
	NoteKind NoteKind
}

// Act is one buffer with unread lines.
type Act struct {
	Number    int
	Highlight bool
}

// Render returns the bar as exactly width cells.
func (b Bar) Render(st *themes.Styles, width int) string {
	if width <= 0 {
		return ""
	}
	var parts []part
	if b.Network != "" {
		n := format.SanitizeName(b.Network)
		if b.Server != "" {
			n += "/" + format.SanitizeName(b.Server)
		}
		parts = append(parts, part{"[" + n + "]", prioNetwork})
	}
	if b.Nick != "" {
		n := format.SanitizeName(b.Nick)
		if b.Away {
			n += " (away)"
		}
		parts = append(parts, part{n, prioNick})
	}
	if b.State != "" && b.State != "connected" {
		parts = append(parts, part{format.Sanitize(b.State), prioState})
	}
	if b.HasLag && b.State == "connected" {
		parts = append(parts, part{"lag " + lag(b.Lag), prioLag})
	}
	if b.Buffer != "" {
		s := format.SanitizeName(b.Buffer)
		if b.Users > 0 {
			s += " (" + strconv.Itoa(b.Users) + ")"
		}
		parts = append(parts, part{s, prioBuffer})
	}
	if b.Pending > 0 {
		parts = append(parts, part{strconv.Itoa(b.Pending) + " pending", prioPending})
	}
	if len(b.Activity) > 0 {
		var a strings.Builder
		a.WriteString("act ")
		for i, x := range b.Activity {
			if i > 0 {
				a.WriteByte(',')
			}
			if x.Highlight {
				a.WriteByte('!')
			}
			a.WriteString(strconv.Itoa(x.Number))
		}
		parts = append(parts, part{a.String(), prioActivity})
	}
	if b.Search != "" {
		parts = append(parts, part{"search “" + format.Sanitize(b.Search) + "”", prioSearch})
	}
	if b.Typing != "" {
		parts = append(parts, part{format.Sanitize(b.Typing), prioTyping})
	}
	if b.Scrolled {
		parts = append(parts, part{"-- more --", prioScrolled})
	}
	if b.Fetching {
		parts = append(parts, part{"fetching older messages…", prioFetching})
	}
	// The context (network, nick, state, channel, ...) is fitted first;
	// the note has its own segment in the room left, cut to it, so a long
	// note never pushes the context out.
	// Parts besides the context (pending, activity, search, ...) give way
	// to a note until it has noteRoom cells or all of its text.
	left := fit(parts, width)
	lw := format.Width(left)
	note := ""
	if b.Note != "" {
		note = " " + format.Sanitize(b.Note) + " "
	}
	for want := min(format.Width(note), noteRoom); note != "" && width-lw < want; {
		low := -1
		for i, p := range parts {
			if !context(p.prio) && (low < 0 || p.prio < parts[low].prio) {
				low = i
			}
		}
		if low < 0 {
			break
		}
		parts = append(parts[:low:low], parts[low+1:]...)
		left = fit(parts, width)
		lw = format.Width(left)
	}
	if room := width - lw; note != "" && room >= minNote {
		if format.Width(note) > room {
			note = cut(note, room-1) + " "
		}
	}
	nw := format.Width(note)
	fill := strings.Repeat(" ", max(0, width-lw-nw))
	out := st.StatusBar.Render(left + fill)
	if note != "" {
		ns := st.StatusAccent
		switch b.NoteKind {
		case NoteError:
			ns = st.StatusError
		case NoteInfo:
			ns = st.StatusBar.Bold(true)
		}
		out += ns.Render(note)
	}
	return out
}

// minNote is the least room worth showing a note in (cut to "… x…");
// noteRoom the room other parts than the context give up to a note.
const (
	minNote  = 4
	noteRoom = 24
)

// lag formats a round-trip time compactly: "42ms", "1.3s".
func lag(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// cut truncates plain text to width cells with "…".
func cut(s string, width int) string {
	if width <= 0 {
		return ""
	}
	spans := format.Truncate([]format.Span{{Text: s}}, width, "…")
	var b strings.Builder
	for _, sp := range spans {
		b.WriteString(sp.Text)
	}
	return b.String()
}

// Priorities of the bar's parts: when the bar is too narrow, the lowest
// go first, so a 40-column terminal still shows the state, activity and
// pending lines rather than the lag.
const (
	prioLag = iota
	prioTyping
	prioSearch
	prioScrolled
	prioFetching
	prioNick
	prioBuffer
	prioNetwork
	prioPending
	prioActivity
	prioState
)

// context reports whether a part of priority prio is the context (what
// and where: network, nick, channel, lag, state), never given up for a
// note; the other parts are, lowest priority first.
func context(prio int) bool {
	switch prio {
	case prioLag, prioNick, prioBuffer, prioNetwork, prioState:
		return true
	}
	return false
}

type part struct {
	text string
	prio int
}

// fit joins parts with " · ", dropping the lowest-priority ones until the
// result fits width (then cutting, if one part alone is too wide).
func fit(parts []part, width int) string {
	join := func() string {
		var b strings.Builder
		b.WriteByte(' ')
		for i, p := range parts {
			if i > 0 {
				b.WriteString(" · ")
			}
			b.WriteString(p.text)
		}
		b.WriteByte(' ')
		return b.String()
	}
	s := join()
	for format.Width(s) > width && len(parts) > 1 {
		low := 0
		for i, p := range parts {
			if p.prio < parts[low].prio {
				low = i
			}
		}
		parts = append(parts[:low:low], parts[low+1:]...)
		s = join()
	}
	return cut(s, width)
}
