package session

import (
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// What other users change about themselves while we share a channel:
// their account (IRCv3 account-notify; account-tag and extended-join
// feed the same member field), their realname (setname) and their user
// and host (chghost). Each is kept per member and reported with the
// channels we share, so the UI shows it where the user looks rather than
// applying it silently.

// handleAccount handles "ACCOUNT <account>" ("*" when logged out).
func (s *Session) handleAccount(h *handling) {
	m := h.m
	nick, acct := nickOf(m), m.Param(0)
	if nick == "" || acct == "" {
		return
	}
	if acct == "*" {
		acct = ""
	}
	acct = clip(acct, maxNameLen)
	if s.isMe(nick) {
		s.setAccount(h, acct)
	}
	chans := s.forMember(nick, func(_ *channel, _ string, mb *member) { mb.account = acct })
	h.emit(event.AccountChange{Meta: h.meta, Nick: nick, Account: acct, Channels: chans, Self: s.isMe(nick)})
}

// handleChghost handles "CHGHOST <user> <host>".
func (s *Session) handleChghost(h *handling) {
	m := h.m
	nick, user, host := nickOf(m), m.Param(0), m.Param(1)
	if nick == "" || user == "" || host == "" {
		return
	}
	user, host = clip(user, maxNameLen), clip(host, maxNameLen)
	self := s.isMe(nick)
	if self {
		s.user, s.host = user, host
	}
	chans := s.forMember(nick, func(_ *channel, _ string, mb *member) { mb.user, mb.host = user, host })
	h.emit(event.HostChange{Meta: h.meta, Nick: nick, User: user, Host: host, Channels: chans, Self: self})
}

// handleSetName handles "SETNAME :<realname>".
func (s *Session) handleSetName(h *handling) {
	m := h.m
	nick := nickOf(m)
	if nick == "" || len(m.Params) == 0 {
		return
	}
	real := clip(m.Trailing(), maxStored)
	chans := s.forMember(nick, nil)
	h.emit(event.RealnameChange{Meta: h.meta, Nick: nick, Realname: real, Channels: chans, Self: s.isMe(nick)})
}

// submitSetName sends SETNAME where the server offers setname; elsewhere
// the realname can only change at the next registration, and the user is
// told so.
func (s *Session) submitSetName(meta event.Meta, c command.SetName) []event.Event {
	if c.Realname == "" || !validText(c.Realname) {
		return s.refuse(meta, "cannot set the realname: it is empty or holds a line break or NUL")
	}
	if !s.caps["setname"] {
		return s.refuse(meta, "this server does not offer setname: the realname cannot change while connected")
	}
	s.send(ClassUser, "SETNAME", c.Realname)
	return nil
}

// accountOf returns the account nick is logged in as, when a shared
// channel's member list knows it ("" otherwise).
func (s *Session) accountOf(nick string) string {
	acct := ""
	s.forMember(nick, func(_ *channel, _ string, mb *member) {
		if mb.account != "" {
			acct = mb.account
		}
	})
	return acct
}

// whoisAccount adds, at the end of a WHOIS reply (318) that named no
// account (330), the account we know nick by from account-notify,
// account-tag or extended-join: servers without 330 still show it.
func (s *Session) whoisAccount(h *handling) {
	nick := h.m.Param(1)
	if s.whoisAcct || nick == "" || s.whoisOpen != s.fold(nick) {
		return
	}
	if acct := s.accountOf(nick); acct != "" {
		h.emit(event.Info{Meta: h.meta, Code: "330", Text: nick + " is logged in as " + acct, Reply: true})
	}
}
