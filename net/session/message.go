package session

import (
	"strings"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/event"
)

// echo is one of our lines awaiting its echo-message copy.
type echo struct {
	id      uint64
	command string // PRIVMSG or NOTICE
	target  string // folded
	text    string // as sent, CTCP framing included
}

// handleText handles PRIVMSG and NOTICE: messages, actions, CTCP.
func (s *Session) handleText(h *handling) {
	m := h.m
	if len(m.Params) < 2 || m.Param(0) == "" {
		s.log.Printf("session: %s without target or text ignored", m.Command)
		return
	}
	target, raw := m.Param(0), m.Params[len(m.Params)-1]
	from := nickOf(m)
	self := s.isMe(from)
	kind := event.Privmsg
	if m.Command == "NOTICE" {
		kind = event.Notice
	}
	text := raw
	if strings.HasPrefix(raw, "\x01") {
		cmd, args := parseCTCP(raw)
		if cmd != "ACTION" {
			if self {
				return // the echo of a CTCP we sent
			}
			reply := m.Command == "NOTICE"
			h.emit(event.CTCP{Meta: h.meta, From: from, Target: target, Command: cmd, Args: args, Reply: reply})
			if !reply && from != "" {
				s.answerCTCP(from, cmd, args)
			}
			return
		}
		kind, text = event.Action, args
	}
	ev := event.Message{
		Meta:     h.meta,
		Kind:     kind,
		Buffer:   s.bufferFor(m, target, from, self),
		From:     from,
		FromHost: userHost(m),
		Account:  m.Tags["account"],
		Target:   target,
		Text:     text,
		Self:     self,
		MsgID:    m.Tags["msgid"],
	}
	if ev.Account != "" { // account-tag: keep the member list current, cheaply (this channel only)
		if ch := s.joinedChannel(ev.Buffer); ch != nil {
			if mb := ch.members[s.fold(from)]; mb != nil && mb.account != ev.Account {
				mb.account = clip(ev.Account, maxNameLen)
			}
		}
	}
	if self {
		ev.LocalID = s.matchEcho(m.Command, target, raw)
	} else {
		ev.Highlight = s.mentionsMe(text)
	}
	h.emit(ev)
}

// bufferFor decides which buffer a message belongs to: the channel, the
// other party of a private message, or the server buffer for messages from
// servers, to "*", or before registration.
func (s *Session) bufferFor(m *irc.Message, target, from string, self bool) string {
	if ch := s.is.StripStatusMsg(target); s.is.IsChannel(ch) {
		if c := s.joinedChannel(ch); c != nil {
			return c.name
		}
		return ch
	}
	if self {
		return target
	}
	if from == "" || target == "*" || !s.registered || isServerPrefix(m) || strings.HasPrefix(target, "$") {
		return ""
	}
	return from
}

// isServerPrefix reports whether m comes from a server rather than a user.
func isServerPrefix(m *irc.Message) bool {
	p := m.Prefix
	return p.User == "" && p.Host == "" && strings.Contains(p.Name, ".")
}

// matchEcho finds the oldest of our outstanding lines with the same command,
// target and text, removes it and returns its LocalID (0 if none: a line
// sent by another client of ours, or by /raw).
func (s *Session) matchEcho(command, target, text string) uint64 {
	f := s.fold(target)
	for i, e := range s.echoes {
		if e.command == command && e.target == f && e.text == text {
			s.echoes = append(s.echoes[:i], s.echoes[i+1:]...)
			return e.id
		}
	}
	return 0
}

// mentionsMe reports whether text names our nick as a word (case-mapped).
func (s *Session) mentionsMe(text string) bool {
	nick := s.fold(s.nick)
	if nick == "" || len(text) < len(nick) {
		return false
	}
	t := s.fold(text)
	for i := 0; ; {
		j := strings.Index(t[i:], nick)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(nick)
		if (start == 0 || !isNickByte(t[start-1])) && (end == len(t) || !isNickByte(t[end])) {
			return true
		}
		i = start + 1
	}
}

// isNickByte reports whether b can be part of a nick (RFC 2812 letters,
// digits and specials), so "bob" is not highlighted inside "bobby".
func isNickByte(b byte) bool {
	switch {
	case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z', b >= '0' && b <= '9':
		return true
	case strings.IndexByte("[]\\`_^{|}-", b) >= 0:
		return true
	}
	return b >= 0x80 // part of a non-ASCII letter: not a boundary
}

// parseCTCP splits "\x01CMD args\x01" (the closing \x01 is optional).
func parseCTCP(text string) (cmd, args string) {
	text = strings.TrimPrefix(text, "\x01")
	text = strings.TrimSuffix(text, "\x01")
	cmd, args, _ = strings.Cut(text, " ")
	return strings.ToUpper(cmd), args
}
