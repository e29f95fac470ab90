package ui

import (
	"errors"
	"slices"
	"strings"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Bouncer networks (soju.im/bouncer-networks): the connection owner opens
// a network of its own for each of a bouncer's networks (NetworkAdded) and
// closes it when the bouncer removes it (NetworkRemoved); the bouncer's
// BouncerNetwork lines rename them and report their state at the bouncer.

// label is the network's name as shown: a bouncer network's name, with its
// upstream state when it is not connected.
func (n *network) label() string {
	l := n.name
	if n.title != "" {
		l = n.title
	}
	if n.upstream != "" && n.upstream != "connected" {
		l += " (" + n.upstream + ")"
	}
	return l
}

// networkAdded shows a bouncer network added at run time.
func (m *model) networkAdded(ev event.NetworkAdded) {
	n := m.network(ev.Network)
	n.title, n.parent, n.netID, n.upstream = ev.Title, ev.Parent, ev.NetID, ev.Upstream
	m.line(n.server0, ev.Time, scrollback.Info, "", "bouncer network "+ev.Title+" (id "+ev.NetID+"), reached through "+ev.Parent)
	if p, ok := m.netBy[ev.Parent]; ok {
		m.line(p.server0, ev.Time, scrollback.Info, "", "the bouncer's network "+ev.Title+" is shown as its own network")
	}
}

// networkRemoved drops a network the bouncer removed, and its buffers.
func (m *model) networkRemoved(ev event.NetworkRemoved) {
	n, ok := m.netBy[ev.Network]
	if !ok {
		return
	}
	delete(m.netBy, ev.Network)
	m.nets = slices.DeleteFunc(m.nets, func(x *network) bool { return x == n })
	m.order = nil
	if m.cur != nil && m.cur.net == n {
		m.cur = nil
		if p, ok := m.netBy[ev.Parent]; ok {
			m.cur = p.server0
		} else if len(m.nets) > 0 {
			m.cur = m.nets[0].server0
		}
	}
	if p, ok := m.netBy[ev.Parent]; ok {
		m.line(p.server0, ev.Time, scrollback.Info, "", "the bouncer removed its network "+n.label())
	}
	if m.cur == nil {
		// The last network went: keep an empty one so the model stays usable.
		m.cur = m.network(ev.Parent).server0
	}
}

// bouncerNetwork applies a bouncer's rename or state change to the network
// shown for it.
func (m *model) bouncerNetwork(ev event.BouncerNetwork) {
	if ev.Removed {
		return // NetworkRemoved follows from the owner
	}
	for _, n := range m.nets {
		if n.parent != ev.Network || n.netID != ev.NetID {
			continue
		}
		if name := ev.Attrs["name"]; name != "" && name != n.title {
			m.line(n.server0, ev.Time, scrollback.Info, "", "the bouncer renamed "+n.title+" to "+name)
			n.title = name
		}
		if st, ok := ev.Attrs["state"]; ok && st != n.upstream {
			n.upstream = st
			text := "the bouncer's connection to " + n.title + " is " + st
			if e := ev.Attrs["error"]; e != "" {
				text += ": " + e
			}
			m.line(n.server0, ev.Time, scrollback.Info, "", text)
		}
	}
}

// cmdBouncer parses /bouncer listnetworks|addnetwork|delnetwork.
func cmdBouncer(ctx cmdContext, a string) (request, error) {
	f := strings.Fields(a)
	if len(f) == 0 {
		return request{}, errUsage
	}
	switch strings.ToLower(f[0]) {
	case "listnetworks", "list":
		return one(command.BouncerListNetworks{}), nil
	case "addnetwork", "add":
		attrs := map[string]string{}
		_, rest, _ := strings.Cut(strings.TrimSpace(a), " ")
		for _, kv := range attrWords(rest) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return request{}, errors.New(`/bouncer addnetwork takes key=value attributes, e.g. host=irc.example.org name="My Network"`)
			}
			attrs[k] = v
		}
		if attrs["host"] == "" {
			return request{}, errors.New("/bouncer addnetwork needs a host, e.g. host=irc.example.org")
		}
		return one(command.BouncerAddNetwork{Attrs: attrs}), nil
	case "delnetwork", "del":
		if len(f) != 2 {
			return request{}, errUsage
		}
		return one(command.BouncerDelNetwork{Network: f[1]}), nil
	}
	return request{}, errUsage
}

// attrWords splits key=value words; a value in double quotes may hold
// spaces (name="My Network").
func attrWords(s string) []string {
	var out []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range s {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}
