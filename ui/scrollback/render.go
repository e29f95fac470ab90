package scrollback

import (
	"strings"
	"time"

	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
)

// layout is the column geometry for one width and set of options.
type layout struct {
	width  int
	ts     bool
	tsW    int
	nickW  int
	indent int // cells before the text column (hanging indent)
	textW  int
}

// minText is the narrowest text column worth having; below it the nick
// column shrinks, then the timestamp goes.
const minText = 16

// minCompact is the narrowest text column kept beside the nick column;
// below it the view switches to inline nicks (a very narrow pane).
const minCompact = 8

func newLayout(o Options, width int) layout {
	l := layout{width: width, ts: o.TimeFormat != "-", nickW: o.NickWidth}
	if l.ts {
		l.tsW = format.Width(time.Date(2006, 12, 28, 23, 59, 59, 0, time.UTC).Format(o.TimeFormat))
	}
	l.fit()
	floor := min(4, o.NickWidth)
	if l.textW < minText {
		l.nickW = max(floor, l.nickW-(minText-l.textW))
		l.fit()
	}
	if l.textW < minText && l.ts {
		// Drop the timestamp and give the nick column back what it can use.
		l.ts, l.tsW = false, 0
		l.nickW = max(floor, min(o.NickWidth, width-1-minText))
		l.fit()
	}
	if l.textW < minCompact {
		// Too narrow for columns: the nick goes inline, text starts at
		// the left edge.
		l.indent, l.textW = 0, max(1, width)
	}
	return l
}

func (l *layout) fit() {
	l.indent = l.nickW + 1
	if l.ts {
		l.indent += l.tsW + 1
	}
	l.textW = l.width - l.indent
}

// attrs are the theme styles as format attributes, computed once per theme.
type attrs struct {
	text, timestamp, ownNick, ownText, action, notice, ctcp, event format.Attr
	topic, info, err, highlight, highlightNick, unread, day, gap   format.Attr
	pending, failed                                                format.Attr
	nicks                                                          []format.Attr
}

func newAttrs(st *themes.Styles) attrs {
	a := attrs{
		text: format.AttrOf(st.Text), timestamp: format.AttrOf(st.Timestamp),
		ownNick: format.AttrOf(st.OwnNick), ownText: format.AttrOf(st.OwnText),
		action: format.AttrOf(st.Action), notice: format.AttrOf(st.Notice),
		ctcp: format.AttrOf(st.CTCP), event: format.AttrOf(st.Event),
		topic: format.AttrOf(st.TopicChange), info: format.AttrOf(st.Info),
		err: format.AttrOf(st.Error), highlight: format.AttrOf(st.Highlight),
		highlightNick: format.AttrOf(st.HighlightNick), unread: format.AttrOf(st.UnreadMarker),
		day: format.AttrOf(st.DaySeparator), gap: format.AttrOf(st.Gap),
		pending: format.AttrOf(st.Pending), failed: format.AttrOf(st.Failed),
	}
	for _, n := range st.Nicks {
		a.nicks = append(a.nicks, format.AttrOf(n))
	}
	if len(a.nicks) == 0 {
		a.nicks = []format.Attr{{}}
	}
	return a
}

func (a *attrs) nick(name string) format.Attr {
	return a.nicks[themes.NickIndex(name, len(a.nicks))]
}

// Render returns the window: exactly height rows, top to bottom, each at
// most width cells wide, blank rows above the text when there is not enough
// of it. The cost is the visible rows (plus wrapping lines not seen at
// this width before), independent of the scrollback length. The returned
// slice is reused by the next Render.
func (v *View) Render() []string {
	v.clamp()
	out := v.rows[:0]
	for range v.height {
		out = append(out, "")
	}
	v.rows = out
	e, hidden, ok := v.position()
	if !ok {
		return out
	}
	y := v.height // next row to fill, from the bottom, exclusive
	for y > 0 {
		rows := v.entryRows(e)
		marker := v.markerAbove(e)
		n := len(rows)
		if marker {
			n++
		}
		n -= hidden
		hidden = 0
		for i := n - 1; i >= 0 && y > 0; i-- {
			y--
			if marker {
				if i == 0 {
					out[y] = v.ruleRow("new messages", v.attrs.unread)
				} else {
					out[y] = rows[i-1]
				}
			} else {
				out[y] = rows[i]
			}
		}
		p, ok := v.prev(e)
		if !ok {
			break
		}
		e = p
	}
	return out
}

// String is Render joined with newlines.
func (v *View) String() string { return strings.Join(v.Render(), "\n") }

// markerAbove reports whether the unread marker is drawn above entry e.
// When joins are hidden and the first unread line is a hidden one, the
// marker moves down to the next visible entry.
func (v *View) markerAbove(e entry) bool {
	b := v.buf
	if !b.hasUnread || b.unread >= b.next || b.unread > e.end {
		return false
	}
	if b.unread >= e.start {
		return true
	}
	if v.opts.Joins != JoinsHide {
		return false
	}
	p, ok := v.prev(e)
	return !ok || b.unread > p.end
}

// rowCount is the number of rows entry e takes, marker included.
func (v *View) rowCount(e entry) int {
	n := len(v.entryRows(e))
	if v.markerAbove(e) {
		n++
	}
	return n
}

// entryRows returns the wrapped, styled rows of e, from the cache in the
// slot of its last line when still valid.
func (v *View) entryRows(e entry) []string {
	s := v.buf.slot(e.end)
	key := cacheKey{gen: v.gen, start: e.start}
	if s.key == key && s.rows != nil {
		return s.rows
	}
	rows := s.rows[:0]
	if e.start != e.end {
		rows = v.renderFold(rows, e)
	} else {
		rows = v.renderLine(rows, &s.Line)
	}
	s.rows, s.key = rows, key
	return rows
}

// column renders the nick column: text cut to the column width and
// right-aligned.
func (v *View) column(text string, a format.Attr) string {
	w := v.lay.nickW
	spans := format.Truncate([]format.Span{{Text: text}}, w, "…")
	pad := w - format.SpansWidth(spans)
	return strings.Repeat(" ", max(pad, 0)) + v.paint.Render(spans, a)
}

func (v *View) timestamp(t time.Time) string {
	if !v.lay.ts {
		return ""
	}
	s := ""
	if !t.IsZero() {
		s = format.Sanitize(t.In(v.opts.Location).Format(v.opts.TimeFormat))
	}
	spans := format.Truncate([]format.Span{{Text: s}}, v.lay.tsW, "")
	pad := v.lay.tsW - format.SpansWidth(spans)
	return v.paint.Render(spans, v.attrs.timestamp) + strings.Repeat(" ", max(pad, 0)) + " "
}

// renderLine lays out one line: timestamp, nick column, a mark column
// (pending/failed) and the wrapped text with a hanging indent.
func (v *View) renderLine(rows []string, l *Line) []string {
	a := &v.attrs
	switch l.Kind {
	case DaySeparator:
		return append(rows, v.ruleRow(l.Time.In(v.opts.Location).Format("Mon, 2 Jan 2006"), a.day))
	case Gap:
		label := "some history may be missing here"
		if l.Text != "" {
			label = format.Sanitize(l.Text)
		}
		return append(rows, v.ruleRow(label, a.gap))
	}
	nick := format.SanitizeName(l.Nick)
	var (
		col   string
		colA  format.Attr
		base  = a.text
		lead  []format.Span // text before the message body
		body  = l.Text
		trail string
	)
	nickA := a.nick(l.Nick)
	if l.Self {
		nickA = a.ownNick
	}
	switch l.Kind {
	case Message:
		col, colA = nick, nickA
		if l.Self {
			base = a.ownText
		}
		if l.Highlight {
			colA, base = a.highlightNick, a.highlight
		}
	case Action:
		col, colA, base = "*", a.action, a.action
		if l.Highlight {
			colA, base = a.highlightNick, a.highlight
		}
		lead = []format.Span{{Text: nick, Attr: nickA}, {Text: " "}}
	case Notice:
		col, colA, base = "-"+nick+"-", a.notice, a.notice
		if l.Highlight {
			colA = a.highlightNick
		}
	case CTCP:
		col, colA, base = "--", a.ctcp, a.ctcp
	case Join:
		col, colA, base = "-->", a.event, a.event
		lead = []format.Span{{Text: nick, Attr: nickA}}
		if l.Text != "" {
			lead = append(lead, format.Span{Text: " (" + format.Sanitize(l.Text) + ")"})
		}
		body, trail = "", " has joined"
	case Part, Quit:
		col, colA, base = "<--", a.event, a.event
		lead = []format.Span{{Text: nick, Attr: nickA}}
		verb := " has left"
		if l.Kind == Quit {
			verb = " has quit"
		}
		if l.Text != "" {
			lead = append(lead, format.Span{Text: verb + " ("})
			trail = ")"
		} else {
			lead = append(lead, format.Span{Text: verb})
			body = ""
		}
	case Nick:
		col, colA, base = "--", a.event, a.event
		lead = []format.Span{{Text: nick, Attr: nickA}, {Text: " is now known as "},
			{Text: format.SanitizeName(l.Text), Attr: a.nick(l.Text)}}
		body = ""
	case Host, Realname, Account:
		col, colA, base = "--", a.event, a.event
		lead, body = changeSpans(l, nickA), ""
	case Kick:
		col, colA, base = "<--", a.event, a.event
	case Topic:
		col, colA, base = "--", a.topic, a.topic
	case Mode:
		col, colA, base = "--", a.event, a.event
	case Info:
		col, colA, base = "--", a.info, a.info
	case Error:
		col, colA, base = "!!", a.err, a.err
	default:
		col, colA = "?", a.info
	}
	mark := " "
	switch {
	case l.Failed:
		base = a.failed
		mark = v.paint.Styled("✗", a.failed)
	case l.Pending:
		base = a.pending
		mark = v.paint.Styled("…", a.pending)
	}
	lay := v.lay
	prefix := ""
	if lay.indent > 0 {
		prefix = v.timestamp(l.Time) + v.column(col, colA) + mark
	}
	indent := strings.Repeat(" ", lay.indent)
	// A multiline message (its lines joined with "\n") is one entry: its
	// lines are rows under one timestamp and nick, each wrapped alone.
	paras := strings.Split(body, "\n")
	for pi, para := range paras {
		var spans []format.Span
		if pi == 0 {
			spans = lead
		}
		if para != "" {
			spans = format.AppendParse(spans, para)
		}
		if trail != "" && pi == len(paras)-1 {
			spans = append(spans, format.Span{Text: trail})
		}
		spans = format.Mark(spans, v.search)
		if lay.indent == 0 && pi == 0 {
			spans = append([]format.Span{{Text: format.Sanitize(col) + " ", Attr: colA}}, spans...)
		}
		for i, seg := range format.Wrap(spans, lay.textW) {
			p := indent
			if i == 0 && pi == 0 {
				p = prefix
			}
			rows = append(rows, p+v.paint.Render(seg, base))
		}
	}
	return rows
}

// foldNames is how many nicks a folded line names per kind of change.
const foldNames = 8

// renderFold summarises a group of join/part/quit/nick lines in one
// (wrapped) line: "alice, bob joined · carol left · dave → dave_".
func (v *View) renderFold(rows []string, e entry) []string {
	b := v.buf
	var spans []format.Span
	for _, g := range foldSummary(b, e.start, e.end) {
		if spans != nil {
			spans = append(spans, format.Span{Text: " · "})
		}
		for i, n := range g.names {
			if i == foldNames {
				break
			}
			if i > 0 {
				spans = append(spans, format.Span{Text: ", "})
			}
			spans = append(spans, format.Span{Text: format.SanitizeName(n.Nick), Attr: v.attrs.nick(n.Nick)})
			if n.To != "" {
				spans = append(spans, format.Span{Text: " → "},
					format.Span{Text: format.SanitizeName(n.To), Attr: v.attrs.nick(n.To)})
			}
		}
		if len(g.names) > foldNames {
			spans = append(spans, format.Span{Text: " and " + itoa(len(g.names)-foldNames) + " more"})
		}
		spans = append(spans, format.Span{Text: g.verb})
	}
	last := b.slot(e.end).Time
	lay := v.lay
	prefix := ""
	if lay.indent > 0 {
		prefix = v.timestamp(last) + v.column("--", v.attrs.event) + " "
	}
	indent := strings.Repeat(" ", lay.indent)
	for i, seg := range format.Wrap(spans, lay.textW) {
		p := indent
		if i == 0 {
			p = prefix
		}
		rows = append(rows, p+v.paint.Render(seg, v.attrs.event))
	}
	return rows
}

// ruleRow draws a full-width rule with a centred label, for day
// separators, the unread marker and gaps.
func (v *View) ruleRow(label string, a format.Attr) string {
	w := v.width
	spans := format.Truncate([]format.Span{{Text: " " + label + " "}}, w, "…")
	lw := format.SpansWidth(spans)
	left := (w - lw) / 2
	right := w - lw - left
	all := make([]format.Span, 0, 3)
	all = append(all, format.Span{Text: strings.Repeat("─", max(left, 0))})
	all = append(all, spans...)
	all = append(all, format.Span{Text: strings.Repeat("─", max(right, 0))})
	return v.paint.Render(all, a)
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}

// changeSpans is the sentence of a member's host, realname or account
// change: "bob changed host to b@example.org", "bob is now known as Bob
// Smith (realname)", "bob logged in as robert", "bob logged out".
func changeSpans(l *Line, nickA format.Attr) []format.Span {
	spans := []format.Span{{Text: format.SanitizeName(l.Nick), Attr: nickA}}
	switch {
	case l.Kind == Host:
		return append(spans, format.Span{Text: " changed host to " + format.Sanitize(l.Text)})
	case l.Kind == Realname:
		return append(spans, format.Span{Text: " is now known as " + format.Sanitize(l.Text) + " (realname)"})
	case l.Text != "":
		return append(spans, format.Span{Text: " logged in as " + format.SanitizeName(l.Text)})
	}
	return append(spans, format.Span{Text: " logged out"})
}
