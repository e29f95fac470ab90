package session

import (
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

// typing sends our typing notification as a TAGMSG, when it can reach
// anyone: message-tags enabled, the tag not in CLIENTTAGDENY, and the
// connection ready. Otherwise it is dropped, never queued: a late typing
// notice is wrong, not late.
func (s *Session) typing(c command.Typing) {
	if !s.ready || !s.caps["message-tags"] || !s.is.ClientTagAllowed("typing") ||
		!validParam(c.Target) || !validTypingState(c.State) {
		return
	}
	s.sendMsg(Outgoing{Msg: &irc.Message{Tags: irc.Tags{typingTag: c.State}, Prefix: &irc.Prefix{},
		Command: "TAGMSG", Params: []string{c.Target}}, Class: ClassAuto})
}
