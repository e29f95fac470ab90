package ui

import (
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Changes other users make to themselves while we share a channel
// (IRCv3 chghost, setname, account-notify) are shown as lines in those
// channels, folded with joins and parts when show_joins folds them, and
// the account is kept per member for the nick list's mark
// (members.LoggedIn). Our own changes are one line in the server buffer.

// memberChange appends l to the channels ev names (and to the nick's
// query buffer) and applies set to each channel's member entry.
func (m *model) memberChange(n *network, nick string, chans []string, l scrollback.Line, set func(b *buffer)) {
	for _, b := range m.sharedChannels(n, nick, chans) {
		b.sb.Append(l)
		if set != nil && b.members != nil {
			set(b)
		}
	}
	if q := n.find(nick); q != nil && q.kind == queryBuf {
		q.sb.Append(l)
	}
}

func (m *model) hostChange(ev event.HostChange) {
	n := m.network(ev.Network)
	if ev.Self {
		m.line(n.server0, ev.Time, scrollback.Info, "", "your host is now "+ev.User+"@"+ev.Host)
		return
	}
	l := scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Host, Nick: ev.Nick, Text: ev.User + "@" + ev.Host}
	m.memberChange(n, ev.Nick, ev.Channels, l, nil)
}

func (m *model) realnameChange(ev event.RealnameChange) {
	n := m.network(ev.Network)
	if ev.Self {
		m.line(n.server0, ev.Time, scrollback.Info, "", "your realname is now "+ev.Realname)
		return
	}
	l := scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Realname, Nick: ev.Nick, Text: ev.Realname}
	m.memberChange(n, ev.Nick, ev.Channels, l, nil)
}

func (m *model) accountChange(ev event.AccountChange) {
	n := m.network(ev.Network)
	if ev.Self {
		text := "you are logged out of your account"
		if ev.Account != "" {
			text = "you are logged in as " + ev.Account
		}
		m.line(n.server0, ev.Time, scrollback.Info, "", text)
		return
	}
	l := scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Account, Nick: ev.Nick, Text: ev.Account}
	m.memberChange(n, ev.Nick, ev.Channels, l, func(b *buffer) { b.members.SetAccount(ev.Nick, ev.Account) })
}

// messageAccount keeps the nick list's mark current from a message's
// account tag, without a line: the sender's account did not change, we
// only learnt it.
func (m *model) messageAccount(ev event.Message) {
	if ev.Account == "" || ev.Self {
		return
	}
	n := m.network(ev.Network)
	if b := n.find(ev.Buffer); b != nil && b.members != nil {
		if mb, ok := b.members.Get(ev.From); ok && mb.Account != ev.Account {
			b.members.SetAccount(ev.From, ev.Account)
		}
	}
}
