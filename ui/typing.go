package ui

import (
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/typing"
)

// typingUI is the model's side of typing notifications: what we tell
// others while the user types (the rules in ui/typing), and who is
// typing in each buffer, shown in the status bar. Both follow the model's
// clock; one tick at a time is armed for the next thing due.
type typingUI struct {
	send  typing.Sender
	shown typing.Shown
	armed time.Time // when the armed tick fires (zero: none)
	buf   *buffer   // the buffer the input line was last seen in
	last  string    // the input line as last seen
}

// typingTickMsg wakes the model when a held notification or an expiry
// is due.
type typingTickMsg struct{}

// typingOn reports whether typing notifications are sent and shown.
func (m *model) typingOn() bool { return !m.opts.NoTyping }

// typingKey names a buffer in typing.Shown: network and folded name.
func typingKey(n *network, buffer string) string { return n.name + "\x00" + n.fold(buffer) }

// typingInput is called after every key: when the input line changed in a
// channel or query, the sender decides what to say (never in the server
// buffer, where nobody reads).
func (m *model) typingInput() tea.Cmd {
	b := m.cur
	if !m.typingOn() || b == nil {
		return nil
	}
	v := m.in.Value()
	if b != m.typ.buf {
		// Another buffer: the text came along but was not typed here.
		// The old target hears paused from Tick once the line is idle.
		m.typ.buf, m.typ.last = b, v
		return nil
	}
	if v == m.typ.last || !m.typingReaches(b) {
		m.typ.last = v
		return nil
	}
	m.typ.last = v
	m.typingSend(m.typ.send.Changed(b.net.name+"\x00"+b.name, v, m.now()))
	return m.typingArm()
}

// typingReaches reports whether a typing notification to b can reach
// anyone: a channel we are in, or a query whose peer is not known to be
// offline (MONITOR); never the server buffer.
func (m *model) typingReaches(b *buffer) bool {
	switch b.kind {
	case channelBuf:
		return b.joined
	case queryBuf:
		online, known := m.presenceOf(b)
		return online || !known
	}
	return false
}

// typingSent is called when line is submitted in the current buffer: as a
// message it ends our typing there by itself.
func (m *model) typingSent(line string) {
	if b := m.cur; b != nil && b.kind != serverBuf && typing.IsText(line) {
		m.typ.send.Sent(b.net.name + "\x00" + b.name)
	}
}

func (m *model) typingSend(notes []typing.Note) {
	for _, nt := range notes {
		net, target, _ := strings.Cut(nt.Target, "\x00")
		if _, ok := m.netBy[net]; ok {
			m.conn.Do(net, command.Typing{Target: target, State: nt.State})
		}
	}
}

// typingTick sends what the throttle held or a due paused, and forgets
// expired typists.
func (m *model) typingTick() tea.Cmd {
	m.typ.armed = time.Time{}
	now := m.now()
	m.typingSend(m.typ.send.Tick(now))
	m.typ.shown.Prune(now)
	return m.typingArm()
}

// typingArm arms one tick for the next thing due, unless one is armed
// for it already.
func (m *model) typingArm() tea.Cmd {
	next := m.typ.send.Next()
	if e := m.typ.shown.Next(); !e.IsZero() && (next.IsZero() || e.Before(next)) {
		next = e
	}
	if next.IsZero() || !m.typ.armed.IsZero() && !next.Before(m.typ.armed) {
		return nil
	}
	m.typ.armed = next
	d := max(next.Sub(m.now()), time.Millisecond)
	return tea.Tick(d, func(time.Time) tea.Msg { return typingTickMsg{} })
}

// typingEvent notes who is typing where, and clears a typist whose
// message arrived or who left.
func (m *model) typingEvent(e event.Event) tea.Cmd {
	if !m.typingOn() {
		return nil
	}
	switch ev := e.(type) {
	case event.Typing:
		n := m.network(ev.Network)
		if n.ignored(ev.Nick, "") {
			return nil
		}
		m.typ.shown.Set(typingKey(n, ev.Buffer), n.fold(ev.Nick), ev.Nick, ev.State, m.now())
		return m.typingArm()
	case event.Message:
		if !ev.Self {
			n := m.network(ev.Network)
			m.typ.shown.Clear(typingKey(n, ev.Buffer), n.fold(ev.From))
		}
	case event.Part:
		n := m.network(ev.Network)
		m.typ.shown.Clear(typingKey(n, ev.Channel), n.fold(ev.Nick))
	case event.Kick:
		n := m.network(ev.Network)
		m.typ.shown.Clear(typingKey(n, ev.Channel), n.fold(ev.Nick))
	case event.Quit:
		n := m.network(ev.Network)
		m.typ.shown.ClearEverywhere(n.name+"\x00", n.fold(ev.Nick))
	case event.NickChange:
		n := m.network(ev.Network)
		m.typ.shown.ClearEverywhere(n.name+"\x00", n.fold(ev.Old))
	}
	return nil
}

// typingLine is the status bar's "bob is typing…" for the current buffer.
func (m *model) typingLine() string {
	if !m.typingOn() || m.cur == nil || m.cur.kind == serverBuf {
		return ""
	}
	return typing.Line(m.typ.shown.Who(typingKey(m.cur.net, m.cur.name), m.now()))
}
