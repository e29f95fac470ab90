package ui

import (
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/ferry-irc/ferry/ui/members"
	"github.com/ferry-irc/ferry/ui/sidebar"
	"github.com/ferry-irc/ferry/ui/statusbar"
)

// Layout thresholds: below these widths the sidebar and the nick list are
// hidden so that the message view keeps a usable width (40 columns still
// work).
const (
	sidebarMinWidth = 60
	listMinWidth    = 80
)

// geometry is the frame's layout for the current size and buffer.
type geometry struct {
	sideW, listW, msgW, bodyH int
}

func (m *model) geometry() geometry {
	g := geometry{bodyH: max(0, m.height-3)}
	if m.width >= sidebarMinWidth {
		g.sideW = clamp(m.width/6, 12, 22)
	}
	if m.cur.kind == channelBuf && m.showList && m.width >= listMinWidth {
		g.listW = clamp(m.width/8, 12, 20)
	}
	g.msgW = m.width
	if g.sideW > 0 {
		g.msgW -= g.sideW + 1
	}
	if g.listW > 0 {
		g.msgW -= g.listW + 1
	}
	return g
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }

// layout brings what the frame shows in line with the model after Update
// changed it (a resize, an event batch, a key): the sidebar order and the
// current buffer, the message view's size, the nick list's scroll, the
// input's width and prompt. Update calls it last, so view only reads.
func (m *model) layout() {
	m.ordered()
	if m.cur == nil {
		return
	}
	g := m.geometry()
	m.cur.view.SetSize(g.msgW, g.bodyH)
	if m.cur.members != nil {
		m.cur.listTop = members.ClampOffset(m.cur.members.Len(), g.bodyH, m.cur.listTop)
	}
	m.in.SetSize(m.width)
	m.in.SetPrompt("[" + format.SanitizeName(m.cur.title()) + "] ")
}

// view draws the frame: topic, body (sidebar | messages | nick list),
// status bar, input. Every part renders only what is visible. It changes
// nothing in the model (layout did the fitting); the message view's wrap
// cache is the one thing a render fills.
func (m *model) view() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	if m.cur == nil {
		return "no networks configured"
	}
	st := m.styles
	g := m.geometry()
	msgs := m.cur.view.Render()
	var side, list []string
	if g.sideW > 0 {
		side = sidebar.Render(st, m.sidebarItems(), g.sideW, g.bodyH)
	}
	if g.listW > 0 {
		list = members.Render(st, m.cur.members, g.listW, g.bodyH, m.cur.listTop)
	}
	border := st.Border.Render("│")

	var b strings.Builder
	rows := 0
	emit := func(s string) {
		if rows > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
		rows++
	}
	if m.height >= 3 {
		emit(m.topicRow())
	}
	for i := 0; i < g.bodyH; i++ {
		var r strings.Builder
		if side != nil {
			r.WriteString(side[i])
			r.WriteString(border)
		}
		var row string
		if i < len(msgs) {
			row = msgs[i] // else a view not yet sized by layout: blank rows
		}
		r.WriteString(row)
		if w := format.RenderedWidth(row); w < g.msgW {
			r.WriteString(strings.Repeat(" ", g.msgW-w))
		}
		if list != nil {
			r.WriteString(border)
			r.WriteString(list[i])
		}
		emit(r.String())
	}
	if m.height >= 2 {
		emit(m.statusBar().Render(st, m.width))
	}
	emit(m.inputRow())
	return b.String()
}

// topicRow is the line above the messages: a channel's topic, a query's
// peer, or the server buffer's server.
func (m *model) topicRow() string {
	b := m.cur
	var text string
	switch b.kind {
	case channelBuf:
		// "(not joined)" before the topic: a long topic is cut at
		// the right edge and must not take the state with it.
		text = format.SanitizeName(b.name)
		if !b.joined {
			text += " (not joined)"
		}
		if b.topic != "" {
			text += " — " + format.Sanitize(b.topic)
		}
	case queryBuf:
		text = "conversation with " + format.SanitizeName(b.name)
	default:
		text = format.SanitizeName(b.net.label())
		if b.net.serverName != "" {
			text += " — " + format.SanitizeName(b.net.serverName)
		}
		if b.net.server != "" {
			text += " (" + format.SanitizeName(b.net.server) + ")"
		}
	}
	// Names show every invisible character (SanitizeName), the topic is
	// text (Sanitize).
	return fill(m.styles.Topic, " "+text, m.width)
}

func (m *model) statusBar() statusbar.Bar {
	n := m.cur.net
	bar := statusbar.Bar{Network: n.label(), Server: n.serverName, Nick: n.nick, Lag: n.lag, HasLag: n.hasLag,
		Away: n.away, Scrolled: !m.cur.view.AtBottom(), Note: n.note, NoteKind: n.noteKind,
		Pending: len(n.pending), Search: m.cur.search, Fetching: m.cur.fetching, Typing: m.typingLine()}
	if n.stateSeen {
		bar.State = n.state.String()
	}
	if m.cur.kind != serverBuf {
		bar.Buffer = m.cur.name
	}
	if m.width < sidebarMinWidth {
		for i, b := range m.order {
			if b != m.cur && (b.unread > 0 || b.highlight) {
				bar.Activity = append(bar.Activity, statusbar.Act{Number: i + 1, Highlight: b.highlight})
			}
		}
	}
	if m.cur.members != nil {
		bar.Users = m.cur.members.Len()
	}
	if bar.Note == "" {
		for _, o := range m.nets {
			if o.note != "" {
				bar.Note, bar.NoteKind = "["+o.name+"] "+o.note, o.noteKind
				break
			}
		}
	}
	return bar
}

func (m *model) inputRow() string {
	if m.quitAsk != nil {
		lines := strconv.Itoa(m.pendingCount()) + " lines"
		if m.pendingCount() == 1 {
			lines = "1 line"
		}
		q := " " + lines + " not sent yet; quit anyway? [y/n]"
		return fill(m.styles.InputPrompt, q, m.width)
	}
	if m.paste != nil {
		q := " send " + strconv.Itoa(len(m.paste)) + " pasted lines to " + format.SanitizeName(m.cur.title()) + "? [y/n]"
		return fill(m.styles.InputPrompt, q, m.width)
	}
	return m.in.View()
}

// sidebarItems lists the buffers in sidebar order as last fitted by
// layout (or by ordered, in Update).
func (m *model) sidebarItems() []sidebar.Item {
	order := m.order
	items := make([]sidebar.Item, len(order))
	for i, b := range order {
		items[i] = sidebar.Item{Label: b.title(), Network: b.kind == serverBuf, Active: b == m.cur,
			Unread: b.unread, Highlight: b.highlight, Number: i + 1}
		switch b.kind {
		case serverBuf:
			items[i].Disconnected = b.net.stateSeen && b.net.state != event.StateRegistered
		case channelBuf:
			items[i].Disconnected = !b.joined
		case queryBuf:
			if online, known := m.presenceOf(b); known {
				items[i].Online, items[i].Disconnected = online, !online
			}
		}
	}
	return items
}

// fill renders plain text in style s cut or padded to exactly width cells.
func fill(s interface{ Render(...string) string }, text string, width int) string {
	spans := format.Truncate([]format.Span{{Text: text}}, width, "…")
	var b strings.Builder
	for _, sp := range spans {
		b.WriteString(sp.Text)
	}
	t := b.String()
	return s.Render(t + strings.Repeat(" ", max(0, width-format.Width(t))))
}
