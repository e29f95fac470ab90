package session

import (
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// typingTag is the typing client tag (IRCv3 typing); draftTypingTag is
// the name some software used before the spec was final, accepted when
// received.
const (
	typingTag      = "+typing"
	draftTypingTag = "+draft/typing"
)

func validTypingState(v string) bool {
	return v == "active" || v == "paused" || v == "done"
}

// handleTagmsg handles TAGMSG: a typing notification becomes an
// event.Typing for the channel or query it belongs to. Our own (echoed)
// and a server's are ignored, and so are tags we do not know.
func (s *Session) handleTagmsg(h *handling) {
	m := h.m
	state, ok := m.Tags[typingTag]
	if !ok {
		state, ok = m.Tags[draftTypingTag]
	}
	target, from := m.Param(0), nickOf(m)
	if !ok || !validTypingState(state) || target == "" || s.isMe(from) || isServerPrefix(m) {
		return
	}
	buffer := s.bufferFor(m, target, from, false)
	if buffer == "" {
		return
	}
	h.emit(event.Typing{Meta: h.meta, Buffer: buffer, Nick: clip(from, maxNameLen), State: state})
}

// typingState remembers, per connection, where our typing notifications
// went and which targets refused them, so that typing in the query of a
// nick who left costs one "no such nick", not one every few seconds.
type typingState struct {
	sent  map[string]time.Time // folded target -> our last notification
	muted map[string]bool      // folded target -> refused it (401, 404)
}

// typingRefusal is how long after our notification a 401 or 404 naming
// its target is taken as the answer to it.
const typingRefusal = 30 * time.Second

// maxTypingTargets bounds the targets remembered.
const maxTypingTargets = 256

// typing sends our typing notification as a TAGMSG, when it can reach
// anyone: message-tags enabled, the tag not in CLIENTTAGDENY, the
// connection ready, and the target not one that refused the last. Otherwise
// it is dropped, never queued: a late typing notice is wrong, not late.
func (s *Session) typing(c command.Typing) {
	if !s.ready || !s.caps["message-tags"] || !s.is.ClientTagAllowed("typing") ||
		!validParam(c.Target) || !validTypingState(c.State) {
		return
	}
	f := s.fold(c.Target)
	if s.typ.muted[f] {
		return
	}
	if s.typ.sent == nil || len(s.typ.sent) >= maxTypingTargets {
		s.typ.sent = make(map[string]time.Time)
	}
	s.typ.sent[f] = s.now()
	s.sendMsg(Outgoing{Msg: &irc.Message{Tags: irc.Tags{typingTag: c.State}, Prefix: &irc.Prefix{},
		Command: "TAGMSG", Params: []string{c.Target}}, Class: ClassAuto})
}

// typingRefused notes a 401 (no such nick) or 404 (cannot send to
// channel) for target: if our typing notification went there lately, no
// more go until the target is heard from or the user writes to it.
func (s *Session) typingRefused(target string) {
	f := s.fold(target)
	if at, ok := s.typ.sent[f]; !ok || s.now().Sub(at) > typingRefusal {
		return
	}
	if s.typ.muted == nil || len(s.typ.muted) >= maxTypingTargets {
		s.typ.muted = make(map[string]bool)
	}
	s.typ.muted[f] = true
}

// typingHeard lifts a refusal: a line from target, or one of ours to it.
func (s *Session) typingHeard(target string) {
	delete(s.typ.muted, s.fold(target))
}
