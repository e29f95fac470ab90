package session

import (
	"strings"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// echo is one of our lines awaiting its echo-message copy.
type echo struct {
	id      uint64
	part    int    // which line of the typed message (event.Message.Part)
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
func (s *Session) expectEcho(id uint64, part int, command, target, text string) {
	if !s.caps["echo-message"] && s.registered {
		return
	}
	s.pruneEchoes()
	if len(s.echoes) >= maxPendingEcho {
		s.echoes = append(s.echoes[:0], s.echoes[1:]...)
	}
	s.echoes = append(s.echoes, echo{id: id, part: part, command: command, target: clip(target, maxNameLen), text: text, at: s.now()})
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
	if !self {
		s.typingHeard(from)
	}
	kind := event.Privmsg
	if m.Command == "NOTICE" {
		kind = event.Notice
	}
	text := raw
	if strings.HasPrefix(raw, ircx.CTCPDelim) {
		cmd, args, _ := ircx.ParseCTCP(raw) // an empty verb is no ACTION either
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
	if s.duplicate(ev) {
		return // the server sent this message (by msgid) already
	}
	if self {
		if e, ok := s.matchEcho(m.Command, target, raw); ok && e.id != 0 {
			ev.LocalID, ev.Part, ev.Echo = e.id, e.part, true
		}
	} else {
		ev.Highlight = s.mentionsMe(text)
	}
	s.noteLive(ev, true)
	h.emit(ev)
}

// bufferFor decides which buffer a message belongs to: the channel, the
// other party of a private message, or the server buffer for messages from
// servers, to "*" or a "$mask" (global notices), or before registration.
//
// Services bots (NickServ!NickServ@services.) are users here: their
// NOTICEs open a query, so a reply sits beside the /msg that asked for it
// and /msg NickServ and its answers read as one conversation. irssi shows
// them in the active window instead, but the session has no notion of an
// active window, and a query keeps them findable later.
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
	if target == "*" || !s.registered || isServerPrefix(m) || strings.HasPrefix(target, "$") {
		return ""
	}
	return from
}

// isServerPrefix reports whether m comes from a server rather than a user:
// no prefix at all, a prefix without "!user" and "@host" (RFC 2812: a
// servername prefix has neither, and servers name themselves freely, "s1"
// or "localhost" as well as "irc.example.net"), or a name with a "." (no
// nick may contain one, so "irc.example.net!x@y" is a server or a forgery,
// and never a query partner).
func isServerPrefix(m *irc.Message) bool {
	p := m.Prefix
	if p == nil || p.Name == "" {
		return true
	}
	return p.User == "" && p.Host == "" || strings.Contains(p.Name, ".")
}

// matchEcho finds the oldest of our outstanding lines with the same command,
// target and text, removes it and returns it; ok is false when none
// matches (a line sent by another client of ours, or by /raw). This is the
// one place that decides which typed line an echo is: its event carries
// that line's LocalID and Part with Echo set, and no consumer compares
// texts again.
//
// When no line matches exactly, a second pass compares the texts without
// mIRC formatting and surrounding spaces: servers strip colours in some
// channels (InspIRCd's +S, +c) or trim text, and the echo of our line must
// still update our line rather than show it twice.
func (s *Session) matchEcho(command, target, text string) (e echo, ok bool) {
	s.pruneEchoes()
	if len(s.echoes) == 0 {
		return echo{}, false
	}
	f := s.fold(target)
	for i, e := range s.echoes {
		if e.command == command && e.text == text && s.fold(e.target) == f {
			return s.takeEcho(i), true
		}
	}
	plain := ircx.StripFormatting(text)
	for i, e := range s.echoes {
		if e.command == command && s.fold(e.target) == f && ircx.StripFormatting(e.text) == plain {
			return s.takeEcho(i), true
		}
	}
	return echo{}, false
}

func (s *Session) takeEcho(i int) echo {
	e := s.echoes[i]
	s.echoes = append(s.echoes[:i], s.echoes[i+1:]...)
	return e
}

// mentionsMe reports whether text names our nick as a word (the
// highlight rule, ircx.ContainsWord, under the server's case mapping).
func (s *Session) mentionsMe(text string) bool {
	return s.nick != "" && s.is.Casemap.ContainsWord(text, s.nick)
}
