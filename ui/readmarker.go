package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Read markers (draft/read-marker): a buffer counts as read up to its
// newest message once it is on screen and scrolled to the bottom; the
// network is told (command.MarkRead) at most once per readDelay while the
// user reads, and at once when the user leaves the buffer. Markers from
// the server, also set by the user's other clients, move the "new
// messages" rule and the unread count forward; they never move back.

// readDelay is how long a read buffer waits before its marker is sent, so
// a busy channel watched for a minute costs a few MARKREADs, not one per
// line.
const readDelay = 2 * time.Second

// markReadMsg fires readDelay after the current buffer was seen read.
type markReadMsg struct{}

// scanRead bounds how far back a buffer's lines are read to place a
// marker: older lines are taken as read.
const scanRead = 2000

// readNow is called after every Update: when the current buffer shows its
// newest message and the marker is behind it, a MarkRead is due within
// readDelay.
func (m *model) readNow() tea.Cmd {
	if m.readArmed || m.readDue(m.cur).IsZero() {
		return nil
	}
	m.readArmed = true
	return tea.Tick(readDelay, func(time.Time) tea.Msg { return markReadMsg{} })
}

// readDue is the time b's marker should move to: its newest message's,
// when b is current, scrolled to the bottom, on a network that syncs
// markers, and the marker is behind it; zero otherwise.
func (m *model) readDue(b *buffer) time.Time {
	if b == nil || b != m.cur || b.kind == serverBuf || !b.net.readMarkers || !b.view.AtBottom() {
		return time.Time{}
	}
	t := newestMessage(b)
	if !t.After(b.readAt) {
		return time.Time{}
	}
	return t
}

// sendRead moves b's marker to its newest message when due.
func (m *model) sendRead(b *buffer) {
	t := m.readDue(b)
	if t.IsZero() {
		return
	}
	b.readAt = t
	m.conn.Do(b.net.name, command.MarkRead{Buffer: b.name, Time: t})
}

// newestMessage is the server time of b's newest message: ours count
// once echoed with a msgid (before that their time is our clock's).
func newestMessage(b *buffer) time.Time {
	for i, n := b.sb.Len()-1, 0; i >= 0 && n < scanRead; i, n = i-1, n+1 {
		l := b.sb.Line(i)
		if isMessageLine(l) && (!l.Self || l.MsgID != "") {
			return l.Time
		}
	}
	return time.Time{}
}

func isMessageLine(l scrollback.Line) bool {
	switch l.Kind {
	case scrollback.Message, scrollback.Action, scrollback.Notice:
		return true
	}
	return false
}

// readMarker applies a marker from the server: the lines up to it are
// read, here too.
func (m *model) readMarker(ev event.ReadMarker) {
	n := m.network(ev.Network)
	b := n.find(ev.Buffer)
	if b == nil || !ev.Time.After(b.readAt) {
		return
	}
	b.readAt = ev.Time
	m.followMarker(b)
}

// followMarker fits b's unread count and rule to its marker (readAt): the
// count of a buffer not shown becomes the messages after it, and the
// rule moves down to the first of them, or past the end when none is left.
// It is also run when history fills a gap, whose lines the marker may
// cover.
func (m *model) followMarker(b *buffer) {
	first, unread, hl := b.sb.Len(), 0, false
	for i, k := b.sb.Len()-1, 0; i >= 0 && k < scanRead; i, k = i-1, k+1 {
		l := b.sb.Line(i)
		if !isMessageLine(l) {
			continue
		}
		if !l.Time.After(b.readAt) {
			break
		}
		first = i
		if !l.Self {
			unread++
			hl = hl || l.Highlight || b.kind == queryBuf && l.Kind != scrollback.Notice
		}
	}
	if b != m.cur {
		b.unread, b.highlight = unread, hl
	}
	at, has := b.sb.Unread()
	switch {
	case first >= b.sb.Len():
		if has || b != m.cur {
			b.sb.MarkUnread()
		}
	case !has || at < first:
		if has || b != m.cur {
			b.sb.MarkUnreadAt(first)
		}
	}
}

// readMarkersOn records whether a network syncs markers; when it starts
// to, the markers of the open queries are asked for (the server sends a
// channel's by itself on JOIN).
func (m *model) readMarkersOn(ev event.ReadMarkers) {
	n := m.network(ev.Network)
	n.readMarkers = ev.On
	if !ev.On {
		return
	}
	for _, b := range n.bufs {
		if b.kind == queryBuf {
			m.conn.Do(n.name, command.MarkRead{Buffer: b.name})
		}
	}
}

// askMarker asks for the marker of a query opened now.
func (m *model) askMarker(b *buffer) {
	if b.kind == queryBuf && b.net.readMarkers {
		m.conn.Do(b.net.name, command.MarkRead{Buffer: b.name})
	}
}
