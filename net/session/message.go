package session

import (
	"strings"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/event"
)

// echo is one of our lines awaiting its echo-message copy.
type echo struct {
	id      uint64
	command string // PRIVMSG or NOTICE
	// target as sent, folded when compared: an entry can outlive the
	// connection (and case mapping) it was recorded under.
	target string
	text   string    // as sent, CTCP framing included
	at     time.Time // when submitted, for aging out (maxEchoAge)
}

// maxEchoAge is how long a line of ours waits for its echo. Entries are
// kept across Register, because a line typed while disconnected is
// submitted before the reconnect and written only after the new
// registration; but a line that died with its connection must not match,
// much later, an identical line sent again, so entries this old are
// dropped whenever one is added or matched.
const maxEchoAge = 10 * time.Minute

// expectEcho records a line we sent, to match its echo-message copy. Before
// registration the line is recorded whether or not echo-message is on: the
// line waits for the connection being registered, whose capabilities are
// not known yet (welcome drops the entries if it comes without the cap).
func (s *Session) expectEcho(id uint64, command, target, text string) {
	if !s.caps["echo-message"] && s.registered {
		return
	}
	s.pruneEchoes()
	if len(s.echoes) >= maxPendingEcho {
		s.echoes = append(s.echoes[:0], s.echoes[1:]...)
	}
	s.echoes = append(s.echoes, echo{id: id, command: command, target: clip(target, maxNameLen), text: text, at: s.now()})
}

// pruneEchoes drops the entries older than maxEchoAge.
func (s *Session) pruneEchoes() {
	now := s.now()
	kept := s.echoes[:0]
	for _, e := range s.echoes {
		if now.Sub(e.at) <= maxEchoAge {
			kept = append(kept, e)
		}
	}
	clear(s.echoes[len(kept):])
	s.echoes = kept
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
	s.noteLive(ev, true)
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
//
// When no line matches exactly, a second pass compares the texts without
// mIRC formatting and surrounding spaces: servers strip colours in some
// channels (InspIRCd's +S, +c) or trim text, and the echo of our line must
// still update our line rather than show it twice.
func (s *Session) matchEcho(command, target, text string) uint64 {
	s.pruneEchoes()
	if len(s.echoes) == 0 {
		return 0
	}
	f := s.fold(target)
	for i, e := range s.echoes {
		if e.command == command && e.text == text && s.fold(e.target) == f {
			return s.takeEcho(i)
		}
	}
	plain := stripFormatting(text)
	for i, e := range s.echoes {
		if e.command == command && s.fold(e.target) == f && stripFormatting(e.text) == plain {
			return s.takeEcho(i)
		}
	}
	return 0
}

func (s *Session) takeEcho(i int) uint64 {
	id := s.echoes[i].id
	s.echoes = append(s.echoes[:i], s.echoes[i+1:]...)
	return id
}

// stripFormatting removes mIRC formatting codes (bold, colour with its
// numbers, hex colour, italics, underline, strikethrough, monospace,
// reverse, reset) and surrounding spaces. CTCP \x01 framing is kept.
func stripFormatting(v string) string {
	if !strings.ContainsAny(v, "\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f") {
		return strings.TrimSpace(v)
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		switch c := v[i]; c {
		case 0x02, 0x0f, 0x11, 0x16, 0x1d, 0x1e, 0x1f:
		case 0x03: // \x03[N[N]][,N[N]]
			i = skipDigits(v, i+1, 2) - 1
			if i+2 < len(v) && v[i+1] == ',' && isDigit(v[i+2]) {
				i = skipDigits(v, i+2, 2) - 1
			}
		case 0x04: // \x04[RRGGBB[,RRGGBB]]
			i = skipHex(v, i+1) - 1
			if i+2 < len(v) && v[i+1] == ',' && isHex(v[i+2]) {
				i = skipHex(v, i+2) - 1
			}
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// skipDigits returns the index after at most n digits from i.
func skipDigits(v string, i, n int) int {
	for ; n > 0 && i < len(v) && isDigit(v[i]); n-- {
		i++
	}
	return i
}

// skipHex returns the index after six hex digits at i, or i if there are not six.
func skipHex(v string, i int) int {
	for j := 0; j < 6; j++ {
		if i+j >= len(v) || !isHex(v[i+j]) {
			return i
		}
	}
	return i + 6
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
