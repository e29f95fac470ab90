package session

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// soju.im/bouncer-networks (soju's doc/ext/bouncer-networks.md): a bouncer
// lists its upstream networks; a client shows each as a network of its own
// over a connection bound to it with BOUNCER BIND before registration ends.
// The session of the bouncer's own connection lists the networks and turns
// BOUNCER NETWORK lines into events; the owner opens the bound connections
// (Config.BouncerBind) and the session of each sends the BIND.

const (
	capBouncer       = "soju.im/bouncer-networks"
	capBouncerNotify = "soju.im/bouncer-networks-notify"
	bouncerBatch     = "soju.im/bouncer-networks" // the batch type of a full list
)

// Bounds on what a bouncer can make us keep.
const (
	maxBouncerNets  = 256 // networks remembered
	maxBouncerAttrs = 32  // attributes kept per network
)

// bouncerWanted reports whether capability name of this extension is
// requested: not at all when turned off; the notifications only on the
// bouncer's own connection, since a bound one shows a single network.
func (s *Session) bouncerWanted(name string) bool {
	if s.cfg.NoBouncerNetworks {
		return false
	}
	return name == capBouncer || s.cfg.BouncerBind == ""
}

// bouncerBind sends BOUNCER BIND, once per connection, before CAP END: a
// bound network whose bouncer no longer offers the extension cannot be
// reached, and registering unbound would show the wrong network in its
// place, so that is final.
func (s *Session) bouncerBind() {
	if s.cfg.BouncerBind == "" || s.bindSent {
		return
	}
	s.bindSent = true
	if !s.caps[capBouncer] {
		s.fatal = fmt.Errorf("the bouncer no longer offers %s, so its network %s cannot be reached", capBouncer, s.cfg.BouncerBind)
		s.send(ClassConn, "QUIT", "bouncer network unavailable")
		return
	}
	s.send(ClassConn, "BOUNCER", "BIND", s.cfg.BouncerBind)
}

// bouncerRegistered runs at 001: the bouncer's own connection asks for the
// list, unless the notifications (which start with it) were enabled.
func (s *Session) bouncerRegistered() {
	if s.cfg.BouncerBind == "" && s.caps[capBouncer] && !s.caps[capBouncerNotify] {
		s.send(ClassConn, "BOUNCER", "LISTNETWORKS")
	}
}

// handleBouncer handles BOUNCER NETWORK and the replies to our requests.
func (s *Session) handleBouncer(h *handling) {
	m := h.m
	switch sub := strings.ToUpper(m.Param(0)); sub {
	case "NETWORK":
		id := m.Param(1)
		if !validParam(id) || len(id) > maxNameLen || len(m.Params) < 3 {
			s.log.Printf("session: malformed BOUNCER NETWORK ignored")
			return
		}
		if m.Param(2) == "*" {
			delete(s.bouncerNets, id)
			h.emit(event.BouncerNetwork{Meta: h.meta, NetID: id, Removed: true})
			return
		}
		if b := s.batches[m.Tags["batch"]]; b != nil && b.listed != nil && len(b.listed) < maxBouncerNets {
			b.listed[id] = true
		}
		attrs := parseBouncerAttrs(m.Param(2))
		known := s.bouncerNets[id]
		if known == nil {
			if len(s.bouncerNets) >= maxBouncerNets {
				s.log.Printf("session: more than %d bouncer networks; %s ignored", maxBouncerNets, clip(id, 64))
				return
			}
			known = map[string]string{}
			s.bouncerNets[id] = known
		}
		for k, v := range attrs {
			switch {
			case v == "":
				delete(known, k)
			case len(known) < maxBouncerAttrs || known[k] != "":
				known[k] = v
			}
		}
		h.emit(event.BouncerNetwork{Meta: h.meta, NetID: id, Attrs: attrs})
	case "ADDNETWORK", "CHANGENETWORK", "DELNETWORK":
		verb := map[string]string{"ADDNETWORK": "added", "CHANGENETWORK": "changed", "DELNETWORK": "removed"}[sub]
		h.emit(event.Info{Meta: h.meta, Code: "BOUNCER", Text: fmt.Sprintf("the bouncer %s network %s", verb, clip(m.Param(1), 64))})
	default:
		s.log.Printf("session: BOUNCER %s ignored", clip(sub, 32))
	}
}

// bouncerListed runs at the end of a full list: networks known from an
// earlier one (say, before a reconnect) that it no longer names were
// removed meanwhile, and are reported so.
func (s *Session) bouncerListed(h *handling, listed map[string]bool) {
	var gone []string
	for id := range s.bouncerNets {
		if !listed[id] {
			gone = append(gone, id)
		}
	}
	sort.Strings(gone)
	for _, id := range gone {
		delete(s.bouncerNets, id)
		h.emit(event.BouncerNetwork{Meta: h.meta, NetID: id, Removed: true})
	}
}

// bouncerFailed handles FAIL BOUNCER: a refused BIND is final for the bound
// connection (the network is gone from the bouncer; retrying cannot help).
func (s *Session) bouncerFailed(h *handling) {
	m := h.m
	if s.cfg.BouncerBind == "" || s.registered || len(m.Params) < 3 || !strings.EqualFold(m.Param(2), "BIND") {
		return
	}
	s.fatal = fmt.Errorf("the bouncer refused to bind network %s: %s (%s)", s.cfg.BouncerBind, clip(m.Trailing(), 200), clip(m.Param(1), 32))
	s.send(ClassConn, "QUIT", "bouncer network unavailable")
}

// submitBouncer builds the /bouncer requests.
func (s *Session) submitBouncer(meta event.Meta, c command.Command) []event.Event {
	if !s.caps[capBouncer] {
		return s.refuse(meta, "this server is not a bouncer offering %s", capBouncer)
	}
	switch c := c.(type) {
	case command.BouncerListNetworks:
		s.send(ClassUser, "BOUNCER", "LISTNETWORKS")
	case command.BouncerAddNetwork:
		if c.Attrs["host"] == "" {
			return s.refuse(meta, "a bouncer network needs host=...")
		}
		for k := range c.Attrs {
			if !validAttrKey(k) {
				return s.refuse(meta, "%q is not a valid attribute name", k)
			}
		}
		s.send(ClassUser, "BOUNCER", "ADDNETWORK", formatBouncerAttrs(c.Attrs))
	case command.BouncerDelNetwork:
		id := s.bouncerNetID(c.Network)
		if id == "" {
			return s.refuse(meta, "the bouncer has no network %q", c.Network)
		}
		s.send(ClassUser, "BOUNCER", "DELNETWORK", id)
	}
	return nil
}

// bouncerNetID finds a network by id, else by name (case-insensitive).
func (s *Session) bouncerNetID(network string) string {
	if _, ok := s.bouncerNets[network]; ok {
		return network
	}
	var ids []string
	for id, attrs := range s.bouncerNets {
		if strings.EqualFold(attrs["name"], network) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 1 {
		return ids[0]
	}
	if len(ids) == 0 && validParam(network) && len(s.bouncerNets) == 0 {
		return network // the list is not known yet: let the bouncer judge
	}
	return ""
}

func validAttrKey(k string) bool {
	if k == "" || len(k) > 64 {
		return false
	}
	for _, r := range k {
		if !(r == '-' || r == '/' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// parseBouncerAttrs reads "k=v;k2=v2" in the message-tags format, values
// unescaped; "k" and "k=" both mean an empty value.
func parseBouncerAttrs(s string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(s, ";") {
		if part == "" || len(out) >= maxBouncerAttrs {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		out[clip(k, 64)] = clip(unescapeTag(v), maxStored)
	}
	return out
}

// formatBouncerAttrs writes attrs sorted by key, values escaped as tags.
func formatBouncerAttrs(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+escapeTag(attrs[k]))
	}
	return strings.Join(parts, ";")
}

var tagEscaper = strings.NewReplacer("\\", "\\\\", ";", "\\:", " ", "\\s", "\r", "\\r", "\n", "\\n")

func escapeTag(v string) string { return tagEscaper.Replace(v) }

func unescapeTag(v string) string {
	if !strings.Contains(v, "\\") {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			b.WriteByte(v[i])
			continue
		}
		i++
		if i == len(v) {
			break // a trailing backslash is dropped
		}
		switch v[i] {
		case ':':
			b.WriteByte(';')
		case 's':
			b.WriteByte(' ')
		case 'r', 'n':
			b.WriteByte(' ') // a line break has no place in a name or host
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}
