package testnet

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/irc.v4"
)

// handleChat handles the commands of a registered user (under Network.mu).
func (n *Network) handleChat(u *user, m *irc.Message) {
	switch m.Command {
	case "PASS", "USER":
		n.numeric(u, ERR_ALREADYREGISTERED, "You may not reregister")
	case "AUTHENTICATE":
		n.numeric(u, ERR_SASLALREADY, "You have already authenticated using SASL")
	case "NICK":
		n.changeNick(u, m.Param(0))
	case "JOIN":
		n.join(u, m)
	case "PART":
		n.part(u, m)
	case "TOPIC":
		n.topic(u, m)
	case "NAMES":
		for _, name := range splitList(m.Param(0), 10) {
			ch := n.chans[fold(name)]
			if ch != nil {
				n.names(u, ch)
			} else {
				n.numeric(u, RPL_ENDOFNAMES, name, "End of /NAMES list")
			}
		}
	case "PRIVMSG", "NOTICE", "TAGMSG":
		n.message(u, m)
	case "AWAY":
		u.away = m.Param(0)
		n.share(event{Kind: "away", UID: u.uid, Text: u.away})
		if u.away == "" {
			n.numeric(u, RPL_UNAWAY, "You are no longer marked as being away")
		} else {
			n.numeric(u, RPL_NOWAWAY, "You have been marked as being away")
		}
	case "INVITE":
		n.invite(u, m)
	case "CHATHISTORY":
		n.chathistory(u, m)
	case "SEARCH":
		n.search(u, m)
	case "MARKREAD":
		n.markRead(u, m)
	case "BATCH":
		n.openBatch(u, m)
	case "KICK":
		n.kick(u, m)
	case "MODE":
		n.mode(u, m)
	case "WHOIS":
		n.whois(u, m)
	case "WHO":
		n.who(u, m)
	case "LIST":
		n.list(u, m.Param(0))
	case "SETNAME":
		n.setName(u, m)
	case "MONITOR":
		n.monitor(u, m.Params)
	case "LINKS":
		for _, nd := range n.allNodes() {
			hops := "1"
			if nd == u.node {
				hops = "0"
			}
			n.numeric(u, RPL_LINKS, nd.name, u.node.name, hops+" "+networkName+" node "+nd.name)
		}
		n.numeric(u, RPL_ENDOFLINKS, "*", "End of /LINKS list")
	default:
		n.numeric(u, ERR_UNKNOWNCOMMAND, m.Command, "Unknown command")
	}
}

func (n *Network) changeNick(u *user, nick string) {
	switch {
	case nick == "":
		n.numeric(u, ERR_NONICKNAMEGIVEN, "No nickname given")
		return
	case !validNick(nick):
		n.numeric(u, ERR_ERRONEUSNICKNAME, nick, "Erroneous nickname")
		return
	case nick == u.nick:
		return
	}
	if o := n.users[fold(nick)]; o != nil && o != u {
		n.numeric(u, ERR_NICKNAMEINUSE, nick, "Nickname is already in use")
		return
	}
	if fold(nick) != fold(u.nick) {
		if err := n.bb.claimNick(nick, u); err != nil {
			if errors.Is(err, errNickTaken) {
				n.numeric(u, ERR_NICKNAMEINUSE, nick, "Nickname is already in use")
			} else {
				n.numeric(u, ERR_UNAVAILRESOURCE, nick, "Cannot change nick now: this server has lost the network state (NATS)")
			}
			return
		}
		n.bb.releaseNick(u.nick)
	}
	m := &irc.Message{Prefix: u.prefix(), Command: "NICK", Params: []string{nick}}
	if n.bb.shares() {
		// The others' views change before anyone elsewhere sees the line.
		n.share(event{Kind: "nick", UID: u.uid, Nick: nick, Line: m.String(), Told: peerUIDs(u)})
	}
	n.toPeers(u, m, n.ctx(false), true)
	n.monitorNotify(u, false)
	delete(n.users, fold(u.nick))
	u.nick = nick
	n.users[fold(nick)] = u
	n.monitorNotify(u, true)
	for ch := range u.chans {
		n.bb.changeChannel(ch, chanChange{rename: u})
	}
}

func (n *Network) join(u *user, m *irc.Message) {
	if len(m.Params) == 0 {
		n.numeric(u, ERR_NEEDMOREPARAMS, "JOIN", "Not enough parameters")
		return
	}
	if m.Param(0) == "0" {
		for _, ch := range userChannels(u) {
			n.partOne(u, ch, "Left all channels")
		}
		return
	}
	// Every target is handled: no TARGMAX is advertised for JOIN, so a
	// client may put as many channels on one line as fit, and the line
	// length (maxLineLen) and CHANLIMIT (405 per channel past it) bound the
	// work. Silently dropping targets past a count would leave a client's
	// rejoin waiting for answers that never come.
	for _, name := range splitList(m.Param(0), 0) {
		n.joinOne(u, name)
	}
}

// joinOne adds u to a channel (creating it with u as operator).
func (n *Network) joinOne(u *user, name string) {
	if !validChannel(name) {
		n.numeric(u, ERR_NOSUCHCHANNEL, name, "No such channel")
		return
	}
	ch := n.chans[fold(name)]
	if ch != nil && ch.members[u] != nil {
		return
	}
	if len(u.chans) >= maxChannelsPerUser {
		n.numeric(u, ERR_TOOMANYCHANNELS, name, "You have joined too many channels")
		return
	}
	if ch == nil {
		ch = &channel{name: name, created: n.now(), members: map[*user]*member{}, noExternal: true, topicLock: true}
		n.chans[fold(name)] = ch
		ch.members[u] = &member{op: true}
	} else {
		ch.members[u] = &member{}
	}
	u.chans[ch] = true
	jm := &irc.Message{Prefix: u.prefix(), Command: "JOIN", Params: []string{ch.name}}
	n.toChannel(ch, jm, n.ctx(false), nil)
	n.markerOnJoin(u, ch)
	if n.bb.shares() {
		n.share(event{Kind: "join", UID: u.uid, Chan: ch.name, Op: ch.members[u].op, Line: jm.String(), Told: remoteUIDs(ch)})
		n.bb.changeChannel(ch, chanChange{join: u})
	}
	if ch.topic != "" {
		n.numeric(u, RPL_TOPIC, ch.name, ch.topic)
		n.numeric(u, RPL_TOPICWHOTIME, ch.name, ch.topicBy, strconv.FormatInt(ch.topicAt.Unix(), 10))
	}
	n.names(u, ch)
}

func userChannels(u *user) []*channel {
	out := make([]*channel, 0, len(u.chans))
	for ch := range u.chans {
		out = append(out, ch)
	}
	return out
}

func (n *Network) names(u *user, ch *channel) {
	var line []string
	size := 0
	flush := func() {
		if len(line) > 0 {
			n.numeric(u, RPL_NAMREPLY, "=", ch.name, strings.Join(line, " "))
		}
		line, size = nil, 0
	}
	for _, mu := range ch.sortedMembers() {
		e := ch.members[mu].prefix() + mu.nick
		if size+len(e)+1 > 400 {
			flush()
		}
		line = append(line, e)
		size += len(e) + 1
	}
	flush()
	n.numeric(u, RPL_ENDOFNAMES, ch.name, "End of /NAMES list")
}

func (n *Network) part(u *user, m *irc.Message) {
	if len(m.Params) == 0 {
		n.numeric(u, ERR_NEEDMOREPARAMS, "PART", "Not enough parameters")
		return
	}
	for _, name := range splitList(m.Param(0), 10) {
		ch := n.chans[fold(name)]
		switch {
		case ch == nil:
			n.numeric(u, ERR_NOSUCHCHANNEL, name, "No such channel")
		case ch.members[u] == nil:
			n.numeric(u, ERR_NOTONCHANNEL, ch.name, "You're not on that channel")
		default:
			n.partOne(u, ch, m.Param(1))
		}
	}
}

func (n *Network) partOne(u *user, ch *channel, reason string) {
	params := []string{ch.name}
	if reason != "" {
		params = append(params, reason)
	}
	pm := &irc.Message{Prefix: u.prefix(), Command: "PART", Params: params}
	n.toChannel(ch, pm, n.ctx(false), nil)
	n.removeMember(ch, u)
	if n.bb.shares() {
		n.share(event{Kind: "part", UID: u.uid, Chan: ch.name, Line: pm.String(), Told: remoteUIDs(ch)})
		n.bb.changeChannel(ch, chanChange{leave: u})
	}
}

func (n *Network) topic(u *user, m *irc.Message) {
	if len(m.Params) == 0 {
		n.numeric(u, ERR_NEEDMOREPARAMS, "TOPIC", "Not enough parameters")
		return
	}
	ch := n.chans[fold(m.Param(0))]
	if ch == nil {
		n.numeric(u, ERR_NOSUCHCHANNEL, m.Param(0), "No such channel")
		return
	}
	if len(m.Params) == 1 {
		if ch.topic == "" {
			n.numeric(u, RPL_NOTOPIC, ch.name, "No topic is set")
			return
		}
		n.numeric(u, RPL_TOPIC, ch.name, ch.topic)
		n.numeric(u, RPL_TOPICWHOTIME, ch.name, ch.topicBy, strconv.FormatInt(ch.topicAt.Unix(), 10))
		return
	}
	mem := ch.members[u]
	switch {
	case mem == nil:
		n.numeric(u, ERR_NOTONCHANNEL, ch.name, "You're not on that channel")
		return
	case ch.topicLock && !mem.op:
		n.numeric(u, ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator")
		return
	}
	text := m.Param(1)
	if len(text) > maxTopicLen {
		text = text[:maxTopicLen]
	}
	ch.topic, ch.topicBy, ch.topicAt = text, u.prefix().String(), n.now()
	tm := &irc.Message{Prefix: u.prefix(), Command: "TOPIC", Params: []string{ch.name, text}}
	n.toChannel(ch, tm, n.ctx(false), nil)
	if n.bb.shares() {
		n.share(event{Kind: "topic", UID: u.uid, Chan: ch.name, Text: ch.topic, By: ch.topicBy, At: ch.topicAt, Line: tm.String(), Told: remoteUIDs(ch)})
		n.bb.changeChannel(ch, chanChange{topic: true})
	}
}

// message relays PRIVMSG/NOTICE. Each target gets its own msgid; the
// sender gets the same line back with echo-message.
func (n *Network) message(u *user, m *irc.Message) {
	notice := m.Command == "NOTICE"
	if len(m.Params) == 0 || m.Param(0) == "" {
		if !notice {
			n.numeric(u, ERR_NORECIPIENT, "No recipient given (PRIVMSG)")
		}
		return
	}
	if m.Command != "TAGMSG" && (len(m.Params) < 2 || m.Param(1) == "") {
		if !notice {
			n.numeric(u, ERR_NOTEXTTOSEND, "No text to send")
		}
		return
	}
	if n.bb.full() {
		if !notice {
			n.numeric(u, ERR_CANNOTSENDTOCHAN, m.Param(0), "Cannot send now: this server has lost the network state (NATS) and cannot buffer more")
		}
		return
	}
	tagOnly := m.Command == "TAGMSG"
	if tagOnly && !u.caps["message-tags"] {
		n.numeric(u, ERR_UNKNOWNCOMMAND, "TAGMSG", "Enable message-tags first")
		return
	}
	text := m.Param(1)
	for _, target := range splitList(m.Param(0), 4) {
		x := n.ctx(true)
		x.from = u // account-tag: the sender is known, no lookup per recipient
		if u.caps["message-tags"] {
			for k, v := range m.Tags {
				if strings.HasPrefix(k, "+") {
					if x.ctags == nil {
						x.ctags = irc.Tags{}
					}
					x.ctags[k] = v
				}
			}
		}
		out := &irc.Message{Prefix: u.prefix(), Command: m.Command, Params: []string{target, text}}
		if tagOnly {
			out.Params = out.Params[:1]
		}
		if strings.HasPrefix(target, "#") {
			ch := n.chans[fold(target)]
			if ch == nil {
				if !notice {
					n.numeric(u, ERR_NOSUCHCHANNEL, target, "No such channel")
				}
				continue
			}
			if ch.noExternal && ch.members[u] == nil {
				if !notice {
					n.numeric(u, ERR_CANNOTSENDTOCHAN, ch.name, "Cannot send to channel")
				}
				continue
			}
			out.Params[0] = ch.name
			if !tagOnly {
				n.record(historyKey(ch.name, ""), histEntry{at: x.at, msgid: x.msgid, prefix: u.prefix(), cmd: m.Command, target: ch.name, text: text, ctags: x.ctags})
				n.shareHist(historyKey(ch.name, ""), u, m.Command, ch.name, text, x)
			}
			for _, mu := range ch.sortedMembers() {
				if mu != u && (!tagOnly || mu.caps["message-tags"]) {
					n.deliver(mu, out, x)
				}
			}
		} else {
			t := n.users[fold(target)]
			if t == nil {
				if !notice {
					n.numeric(u, ERR_NOSUCHNICK, target, "No such nick/channel")
				}
				continue
			}
			out.Params[0] = t.nick
			if !tagOnly && u.local == nil && t.local == nil {
				n.record(historyKey(u.nick, t.nick), histEntry{at: x.at, msgid: x.msgid, prefix: u.prefix(), cmd: m.Command, target: t.nick, text: text, ctags: x.ctags})
				n.shareHist(historyKey(u.nick, t.nick), u, m.Command, t.nick, text, x)
			}
			if !tagOnly || t.caps["message-tags"] {
				n.deliver(t, out, x)
			}
			if t.away != "" && m.Command == "PRIVMSG" {
				n.numeric(u, RPL_AWAY, t.nick, t.away)
			}
		}
		if u.caps["echo-message"] {
			n.deliver(u, out, x)
		}
	}
}

func (n *Network) kick(u *user, m *irc.Message) {
	if len(m.Params) < 2 {
		n.numeric(u, ERR_NEEDMOREPARAMS, "KICK", "Not enough parameters")
		return
	}
	ch := n.chans[fold(m.Param(0))]
	if ch == nil {
		n.numeric(u, ERR_NOSUCHCHANNEL, m.Param(0), "No such channel")
		return
	}
	mem := ch.members[u]
	if mem == nil {
		n.numeric(u, ERR_NOTONCHANNEL, ch.name, "You're not on that channel")
		return
	}
	if !mem.op {
		n.numeric(u, ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator")
		return
	}
	reason := m.Param(2)
	if reason == "" {
		reason = u.nick
	}
	for _, nick := range splitList(m.Param(1), 4) {
		t := n.users[fold(nick)]
		if t == nil || ch.members[t] == nil {
			n.numeric(u, ERR_USERNOTINCHANNEL, nick, ch.name, "They aren't on that channel")
			continue
		}
		km := &irc.Message{Prefix: u.prefix(), Command: "KICK", Params: []string{ch.name, t.nick, reason}}
		n.toChannel(ch, km, n.ctx(false), nil)
		n.removeMember(ch, t)
		if n.bb.shares() {
			told := remoteUIDs(ch)
			if t.remote {
				told = append(told, t.uid)
			}
			n.share(event{Kind: "kick", UID: u.uid, Target: t.uid, Chan: ch.name, Line: km.String(), Told: told})
			n.bb.changeChannel(ch, chanChange{leave: t})
		}
	}
}

func (n *Network) mode(u *user, m *irc.Message) {
	if len(m.Params) == 0 {
		n.numeric(u, ERR_NEEDMOREPARAMS, "MODE", "Not enough parameters")
		return
	}
	target := m.Param(0)
	if !strings.HasPrefix(target, "#") {
		n.userMode(u, target, m.Params[1:])
		return
	}
	ch := n.chans[fold(target)]
	if ch == nil {
		n.numeric(u, ERR_NOSUCHCHANNEL, target, "No such channel")
		return
	}
	if len(m.Params) == 1 {
		n.numeric(u, RPL_CHANNELMODEIS, ch.name, ch.modeString())
		n.numeric(u, RPL_CREATIONTIME, ch.name, strconv.FormatInt(ch.created.Unix(), 10))
		return
	}
	modes, args := m.Param(1), m.Params[2:]
	if strings.Trim(modes, "+") == "b" && len(args) == 0 {
		n.numeric(u, RPL_ENDOFBANLIST, ch.name, "End of channel ban list")
		return
	}
	mem := ch.members[u]
	if mem == nil || !mem.op {
		n.numeric(u, ERR_CHANOPRIVSNEEDED, ch.name, "You're not channel operator")
		return
	}
	adding := true
	applied, appliedArgs, lastSign := "", []string{}, byte(0)
	sign := func(add bool) {
		s := byte('-')
		if add {
			s = '+'
		}
		if s != lastSign {
			applied += string(s)
			lastSign = s
		}
	}
	for i := 0; i < len(modes) && i < 20; i++ {
		switch c := modes[i]; c {
		case '+':
			adding = true
		case '-':
			adding = false
		case 'n', 't':
			if c == 'n' {
				ch.noExternal = adding
			} else {
				ch.topicLock = adding
			}
			sign(adding)
			applied += string(c)
		case 'o', 'v':
			if len(args) == 0 {
				continue
			}
			nick := args[0]
			args = args[1:]
			t := n.users[fold(nick)]
			if t == nil || ch.members[t] == nil {
				n.numeric(u, ERR_USERNOTINCHANNEL, nick, ch.name, "They aren't on that channel")
				continue
			}
			if c == 'o' {
				ch.members[t].op = adding
			} else {
				ch.members[t].voice = adding
			}
			sign(adding)
			applied += string(c)
			appliedArgs = append(appliedArgs, t.nick)
		case 'b':
			// Bans are not kept; a listed change is silently ignored.
			if len(args) > 0 {
				args = args[1:]
			}
		default:
			n.numeric(u, ERR_UNKNOWNMODE, string(c), "is unknown mode char to me")
		}
	}
	if strings.Trim(applied, "+-") == "" {
		return
	}
	mm := &irc.Message{Prefix: u.prefix(), Command: "MODE", Params: append([]string{ch.name, applied}, appliedArgs...)}
	n.toChannel(ch, mm, n.ctx(false), nil)
	n.shareModes(ch, mm)
}

func (n *Network) userMode(u *user, target string, rest []string) {
	if fold(target) != fold(u.nick) {
		if n.users[fold(target)] == nil {
			n.numeric(u, ERR_NOSUCHNICK, target, "No such nick/channel")
		} else {
			n.numeric(u, ERR_USERSDONTMATCH, "Can't change mode for other users")
		}
		return
	}
	if len(rest) == 0 {
		n.numeric(u, RPL_UMODEIS, "+"+u.modes)
		return
	}
	for _, c := range strings.Trim(rest[0], "+-") {
		if c != 'i' && c != 'w' && c != '+' && c != '-' {
			n.numeric(u, ERR_UMODEUNKNOWNFLAG, "Unknown MODE flag")
			return
		}
	}
	// The modes a user may set on itself (+i, +w) are kept and reported
	// as given; ferryd gives them no other effect.
	sign, changed, lastSign := byte('+'), "", byte(0)
	for i := 0; i < len(rest[0]); i++ {
		c := rest[0][i]
		has := strings.IndexByte(u.modes, c) >= 0
		switch {
		case c == '+' || c == '-':
			sign = c
			continue
		case (sign == '+') == has:
			continue // no change
		case sign == '+':
			u.modes = sortedModes(u.modes + string(c))
		default:
			u.modes = strings.ReplaceAll(u.modes, string(c), "")
		}
		if sign != lastSign {
			changed += string(sign)
			lastSign = sign
		}
		changed += string(c)
	}
	if changed != "" {
		n.deliver(u, &irc.Message{Prefix: u.prefix(), Command: "MODE", Params: []string{u.nick, changed}}, n.ctx(false))
	}
}

// userModes keeps the user modes of s ferryd knows (from a hand-over).
func userModes(s string) string {
	return sortedModes(strings.Map(func(r rune) rune {
		if r == 'i' || r == 'w' {
			return r
		}
		return -1
	}, s))
}

// sortedModes returns the mode letters of s in order.
func sortedModes(s string) string {
	b := []byte(s)
	sort.Slice(b, func(i, j int) bool { return b[i] < b[j] })
	return string(b)
}

func (n *Network) whois(u *user, m *irc.Message) {
	if len(m.Params) == 0 {
		n.numeric(u, ERR_NONICKNAMEGIVEN, "No nickname given")
		return
	}
	nick := m.Params[len(m.Params)-1]
	if i := strings.IndexByte(nick, ','); i >= 0 {
		nick = nick[:i]
	}
	t := n.users[fold(nick)]
	if t == nil {
		n.numeric(u, ERR_NOSUCHNICK, nick, "No such nick/channel")
		n.numeric(u, RPL_ENDOFWHOIS, nick, "End of /WHOIS list")
		return
	}
	n.numeric(u, RPL_WHOISUSER, t.nick, t.username, t.host, "*", t.realname)
	var chans []string
	for ch := range t.chans {
		chans = append(chans, ch.members[t].prefix()+ch.name)
	}
	if len(chans) > 0 {
		sort.Strings(chans)
		n.numeric(u, RPL_WHOISCHANNELS, t.nick, strings.Join(chans, " "))
	}
	n.numeric(u, RPL_WHOISSERVER, t.nick, t.node.name, networkName+" node "+t.node.name)
	if t.away != "" {
		n.numeric(u, RPL_AWAY, t.nick, t.away)
	}
	if t.account != "" {
		n.numeric(u, RPL_WHOISACCOUNT, t.nick, t.account, "is logged in as")
	}
	n.numeric(u, RPL_ENDOFWHOIS, t.nick, "End of /WHOIS list")
}

func (n *Network) who(u *user, m *irc.Message) {
	mask := m.Param(0)
	row := func(chName string, t *user, mem *member) {
		flags := "H"
		if mem != nil {
			flags += mem.prefix()
		}
		n.numeric(u, RPL_WHOREPLY, chName, t.username, t.host, t.node.name, t.nick, flags, "0 "+t.realname)
	}
	if ch := n.chans[fold(mask)]; ch != nil {
		for _, t := range ch.sortedMembers() {
			row(ch.name, t, ch.members[t])
		}
	} else if t := n.users[fold(mask)]; t != nil {
		row("*", t, nil)
	}
	if mask == "" {
		mask = "*"
	}
	n.numeric(u, RPL_ENDOFWHO, mask, "End of /WHO list")
}

// invite tells a user about a channel (no +i mode exists here, so it is
// only a notification, as on ngircd for an open channel).
func (n *Network) invite(u *user, m *irc.Message) {
	if len(m.Params) < 2 {
		n.numeric(u, ERR_NEEDMOREPARAMS, "INVITE", "Not enough parameters")
		return
	}
	t := n.users[fold(m.Param(0))]
	if t == nil {
		n.numeric(u, ERR_NOSUCHNICK, m.Param(0), "No such nick/channel")
		return
	}
	ch := n.chans[fold(m.Param(1))]
	switch {
	case ch == nil:
		n.numeric(u, ERR_NOSUCHCHANNEL, m.Param(1), "No such channel")
		return
	case ch.members[u] == nil:
		n.numeric(u, ERR_NOTONCHANNEL, ch.name, "You're not on that channel")
		return
	case ch.members[t] != nil:
		n.numeric(u, ERR_USERONCHANNEL, t.nick, ch.name, "is already on channel")
		return
	}
	n.numeric(u, RPL_INVITING, t.nick, ch.name)
	n.deliver(t, &irc.Message{Prefix: u.prefix(), Command: "INVITE", Params: []string{t.nick, ch.name}}, n.ctx(false))
}

// list answers LIST [#chan[,#chan]]: every channel (or the named ones)
// with its member count and topic, sorted by name. The network has no
// secret channels, so every channel is listed.
func (n *Network) list(u *user, names string) {
	var chans []*channel
	if names == "" {
		for _, ch := range n.chans {
			chans = append(chans, ch)
		}
	} else {
		for _, name := range splitList(names, 10) {
			if ch := n.chans[fold(name)]; ch != nil {
				chans = append(chans, ch)
			}
		}
	}
	sort.Slice(chans, func(i, j int) bool { return chans[i].name < chans[j].name })
	n.numeric(u, RPL_LISTSTART, "Channel", "Users  Name")
	for _, ch := range chans {
		n.numeric(u, RPL_LIST, ch.name, strconv.Itoa(len(ch.members)), ch.topic)
	}
	n.numeric(u, RPL_LISTEND, "End of /LIST")
}
