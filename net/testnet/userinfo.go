package testnet

import (
	"fmt"
	"strings"

	"gopkg.in/irc.v4"
)

// What a user's peers learn about it beyond its nick, per the IRCv3
// extensions each peer enabled: its account on every line it sends
// (account-tag), its account and realname on JOIN (extended-join), its
// account changes (account-notify: ACCOUNT), its realname changes
// (setname: SETNAME) and its user@host changes (chghost: CHGHOST).
// Accounts come from SASL; a host changes only through an operator's
// SetHost and an account after registration through SetAccount.

// maxRealname bounds a realname set with SETNAME, in bytes.
const maxRealname = 128

// withSender fills x.from with the user a live line comes from, found by
// the line's nick!user@host prefix. History replays keep their own past
// (no account is added to them).
func (n *Network) withSender(m *irc.Message, x msgCtx) msgCtx {
	if x.from != nil || x.batch != "" || m.Prefix == nil || m.Prefix.User == "" {
		return x
	}
	if s := n.users[fold(m.Prefix.Name)]; s != nil && s.username == m.Prefix.User {
		x.from = s
	}
	return x
}

// extendJoin returns a JOIN in its extended-join form ("JOIN #chan
// account :realname", account "*" when logged out) for a recipient that
// enabled extended-join; other lines and recipients get m as it is.
func extendJoin(u *user, m *irc.Message, x msgCtx) *irc.Message {
	if m.Command != "JOIN" || len(m.Params) != 1 || x.from == nil || !u.caps["extended-join"] {
		return m
	}
	acct := x.from.account
	if acct == "" {
		acct = "*"
	}
	out := *m
	out.Params = []string{m.Params[0], acct, x.from.realname}
	return &out
}

// toPeersWith sends m to u's peers (and u itself when self) that enabled
// capability name.
func (n *Network) toPeersWith(u *user, name string, m *irc.Message, self bool) {
	seen := map[*user]bool{}
	send := func(p *user) {
		if !seen[p] && p.caps[name] {
			seen[p] = true
			n.deliver(p, m, n.ctx(false))
		}
	}
	if self {
		send(u)
	}
	seen[u] = true
	for ch := range u.chans {
		for _, p := range ch.sortedMembers() {
			send(p)
		}
	}
}

// setName handles "SETNAME :realname" (setname).
func (n *Network) setName(u *user, m *irc.Message) {
	real := m.Param(0)
	switch {
	case !u.caps["setname"]:
		n.fromServer(u, "FAIL", "SETNAME", "CANNOT_CHANGE_REALNAME", "Enable the setname capability first")
		return
	case len(m.Params) == 0 || real == "" || len(real) > maxRealname:
		n.fromServer(u, "FAIL", "SETNAME", "INVALID_REALNAME", "Realname is not valid")
		return
	}
	u.realname = real
	n.toPeersWith(u, "setname", &irc.Message{Prefix: u.prefix(), Command: "SETNAME", Params: []string{real}}, true)
}

// SetHost changes nick's displayed host (an operator's command, like a
// vhost): peers with chghost, and nick itself, see CHGHOST.
func (n *Network) SetHost(nick, host string) error {
	n.lock()
	defer n.unlock()
	if n.closed {
		return errNetworkClosed
	}
	u := n.users[fold(nick)]
	if u == nil || u.local != nil {
		return fmt.Errorf("set host of %s: %w", nick, ErrNoSuchUser)
	}
	if host == "" || strings.ContainsAny(host, " !@:\r\n\x00") {
		return fmt.Errorf("set host of %s: %q is not a host", nick, host)
	}
	old := u.prefix()
	u.host = host
	n.toPeersWith(u, "chghost", &irc.Message{Prefix: old, Command: "CHGHOST", Params: []string{u.username, host}}, true)
	return nil
}

// SetAccount logs nick in to account ("" logs it out), as services
// would after a late login: peers with account-notify, and nick itself,
// see ACCOUNT.
func (n *Network) SetAccount(nick, account string) error {
	n.lock()
	defer n.unlock()
	if n.closed {
		return errNetworkClosed
	}
	u := n.users[fold(nick)]
	if u == nil || u.local != nil {
		return fmt.Errorf("set account of %s: %w", nick, ErrNoSuchUser)
	}
	if strings.ContainsAny(account, " *:\r\n\x00") {
		return fmt.Errorf("set account of %s: %q is not an account name", nick, account)
	}
	u.account = account
	param := account
	if param == "" {
		param = "*"
	}
	n.toPeersWith(u, "account-notify", &irc.Message{Prefix: u.prefix(), Command: "ACCOUNT", Params: []string{param}}, true)
	return nil
}
