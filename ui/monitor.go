package ui

import (
	"strings"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// cmdMonitor parses /monitor: "+a,-b" (a sign per nick, or one sign for
// all: "+ a b"), a bare nick list (added), "list" (also /monitor alone),
// "clear" and "status".
func cmdMonitor(_ cmdContext, a string) (request, error) {
	one := func(op command.MonitorOp) (request, error) {
		return request{cmds: []command.Command{command.Monitor{Op: op}}}, nil
	}
	switch strings.ToLower(strings.TrimSpace(a)) {
	case "", "list", "l":
		return one(command.MonitorList)
	case "clear", "c":
		return one(command.MonitorClear)
	case "status", "s":
		return one(command.MonitorStatus)
	}
	var add, remove []string
	sign := byte('+')
	for _, f := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == ' ' }) {
		if f == "+" || f == "-" {
			sign = f[0]
			continue
		}
		s := sign
		if f[0] == '+' || f[0] == '-' {
			s, f = f[0], f[1:]
		}
		if f == "" {
			return request{}, errUsage
		}
		if s == '+' {
			add = append(add, f)
		} else {
			remove = append(remove, f)
		}
	}
	var r request
	if len(add) > 0 {
		r.cmds = append(r.cmds, command.Monitor{Op: command.MonitorAdd, Nicks: add})
	}
	if len(remove) > 0 {
		r.cmds = append(r.cmds, command.Monitor{Op: command.MonitorRemove, Nicks: remove})
	}
	if len(r.cmds) == 0 {
		return request{}, errUsage
	}
	return r, nil
}

// presenceKey names a nick of a network in model.presence.
func presenceKey(n *network, nick string) string { return n.name + "\x00" + n.fold(nick) }

// presenceEvent keeps the online state of monitored nicks (for the
// sidebar) and says each change in the nick's query buffer, or in the
// server buffer when there is none.
func (m *model) presenceEvent(e event.Event) {
	ev, ok := e.(event.Presence)
	if !ok {
		return
	}
	n := m.network(ev.Network)
	key := presenceKey(n, ev.Nick)
	if ev.Removed {
		delete(m.presence, key)
		return
	}
	if m.presence == nil {
		m.presence = make(map[string]bool)
	}
	m.presence[key] = ev.Online
	b := n.server0
	if q := n.find(ev.Nick); q != nil && q.kind == queryBuf {
		b = q
	}
	text := ev.Nick + " is offline"
	if ev.Online {
		text = ev.Nick + " is online"
		if ev.Host != "" {
			text = ev.Nick + " (" + ev.Host + ") is online"
		}
	}
	m.line(b, ev.Time, scrollback.Info, "", text)
}

// presenceOf reports a query buffer's peer as monitored (known) and
// online.
func (m *model) presenceOf(b *buffer) (online, known bool) {
	if b.kind != queryBuf {
		return false, false
	}
	online, known = m.presence[presenceKey(b.net, b.name)]
	return online, known
}
