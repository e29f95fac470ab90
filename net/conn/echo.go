package conn

import (
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
)

// Echoes of queued lines. With echo-message the server sends our own line
// back (with its msgid and time) and the session matches it to the line's
// LocalID, so the UI updates the line instead of showing it twice. The
// session only expects echoes of lines submitted while echo-message was on
// and forgets them at Register, so a line that waited in a queue across a
// reconnect (the offline queue, or a migration's fallback reconnect) comes
// back unmatched (LocalID 0). Until the session keeps such lines itself,
// the connection owner, which knows when a queued line really goes out,
// remembers those lines and gives an unmatched echo its LocalID.

const maxAwaitedEchoes = 256

// awaitedEcho is a queued line written to the server, awaiting its echo.
type awaitedEcho struct {
	command, target, text string
	localID               uint64
}

// awaitEcho records o, a line from a queue just handed to the writer, when
// the server will echo it.
func (n *network) awaitEcho(o session.Outgoing) {
	if o.LocalID == 0 || !n.sess.HasCap("echo-message") {
		return
	}
	switch o.Msg.Command {
	case "PRIVMSG", "NOTICE":
	default:
		return
	}
	if len(n.echoes) >= maxAwaitedEchoes {
		n.echoes = n.echoes[1:]
	}
	n.echoes = append(n.echoes, awaitedEcho{
		command: o.Msg.Command,
		target:  o.Msg.Param(0),
		text:    o.Msg.Trailing(),
		localID: o.LocalID,
	})
}

// matchEchoes gives unmatched echoes of queued lines their LocalID, and
// forgets awaited lines whose echo the session matched itself.
func (n *network) matchEchoes(evs []event.Event) {
	if len(n.echoes) == 0 {
		return
	}
	for i, e := range evs {
		m, ok := e.(event.Message)
		if !ok || !m.Self || m.MsgID == "" {
			continue
		}
		command, text := "PRIVMSG", m.Text
		switch m.Kind {
		case event.Notice:
			command = "NOTICE"
		case event.Action:
			text = "\x01ACTION " + m.Text + "\x01"
		}
		for j, a := range n.echoes {
			if a.command != command || a.text != text || !strings.EqualFold(a.target, m.Target) {
				continue
			}
			if m.LocalID != 0 && m.LocalID != a.localID {
				continue
			}
			if m.LocalID == 0 {
				m.LocalID = a.localID
				evs[i] = m
			}
			n.echoes = append(n.echoes[:j], n.echoes[j+1:]...)
			break
		}
	}
}
