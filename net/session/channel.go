package session

import (
	"sort"
	"strings"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/event"
)

// channel is a channel we are in (joined) or were in and will rejoin.
type channel struct {
	name      string // as the server spells it
	key       string
	seq       uint64 // join order, for Channels()
	joined    bool
	members   map[string]*member // folded nick -> member
	namesDone bool               // the last 366 arrived; a new 353 starts a fresh list
	dropped   int                // members past maxMembers: named by the last NAMES or joined since, less those who left by PART or KICK

	topic        string
	topicBy      string
	topicAt      time.Time
	topicPending bool // 332 seen, waiting for 333 to emit one Topic
	topicMeta    event.Meta
}

// member is one user in a channel.
type member struct {
	nick, prefixes, user, host, account string
	away                                bool
}

// joinedChannel returns the channel if we are in it now.
func (s *Session) joinedChannel(name string) *channel {
	if ch := s.channels[s.fold(name)]; ch != nil && ch.joined {
		return ch
	}
	return nil
}

// Channels returns the channels we are in, or will rejoin after the next
// registration, with their keys, in the order they were joined.
func (s *Session) Channels() []Channel {
	var out []Channel
	for _, ch := range s.sortedChannels() {
		out = append(out, Channel{Name: ch.name, Key: ch.key})
	}
	return out
}

func (s *Session) sortedChannels() []*channel {
	chans := make([]*channel, 0, len(s.channels))
	for _, ch := range s.channels {
		chans = append(chans, ch)
	}
	sort.Slice(chans, func(i, j int) bool { return chans[i].seq < chans[j].seq })
	return chans
}

// addMember adds or updates a member, within maxMembers, and reports
// whether it is tracked. maxMembers is the one cap on a member list: the
// events say which members are past it (Join.Untracked, Names.Untracked),
// so a consumer's list holds what this one holds.
func (s *Session) addMember(ch *channel, nick string) (*member, bool) {
	f := s.fold(nick)
	if mb := ch.members[f]; mb != nil {
		return mb, true
	}
	if len(ch.members) >= maxMembers {
		if ch.dropped == 0 {
			s.log.Printf("session: %s has more than %d members; not tracking the rest", clip(ch.name, maxNameLen), maxMembers)
		}
		ch.dropped++
		return &member{nick: nick}, false // updated by the caller, never stored
	}
	mb := &member{nick: clip(nick, maxNameLen)}
	ch.members[f] = mb
	return mb, true
}

// forMember calls fn for each channel that has nick as a member, and
// returns those channels' names in join order.
func (s *Session) forMember(nick string, fn func(ch *channel, f string, mb *member)) []string {
	f := s.fold(nick)
	var found []*channel
	for _, ch := range s.channels {
		if mb := ch.members[f]; mb != nil && ch.joined {
			found = append(found, ch)
			if fn != nil {
				fn(ch, f, mb)
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	sort.Slice(found, func(i, j int) bool { return found[i].seq < found[j].seq })
	names := make([]string, len(found))
	for i, ch := range found {
		names[i] = ch.name
	}
	return names
}

func (s *Session) handleJoin(h *handling) {
	name := h.m.Param(0)
	if name == "" {
		s.log.Printf("session: JOIN without a channel ignored")
		return
	}
	// Some servers echo a multi-channel JOIN as one line.
	for _, n := range strings.Split(name, ",") {
		if n != "" {
			s.joinOne(h, n)
		}
	}
}

func (s *Session) joinOne(h *handling, name string) {
	m := h.m
	nick := nickOf(m)
	ev := event.Join{Meta: h.meta, Channel: name, Nick: nick, UserHost: userHost(m)}
	if len(m.Params) >= 3 { // extended-join: JOIN #chan account :realname
		if a := m.Param(1); a != "*" {
			ev.Account = a
		}
		ev.Realname = m.Param(2)
	}
	if s.isMe(nick) {
		ev.Self = true
		f := s.fold(name)
		ch := s.channels[f]
		if ch == nil {
			if len(s.channels) >= maxChannels {
				s.log.Printf("session: more than %d channels; not tracking %q", maxChannels, clip(name, maxNameLen))
				s.joinAnswered(name)
				return
			}
			s.joinSeq++
			ch = &channel{seq: s.joinSeq}
			s.channels[f] = ch
		}
		ch.name = clip(name, maxNameLen)
		ch.joined = true
		ch.members = make(map[string]*member)
		ch.namesDone = true
		ch.dropped = 0
		if k, ok := s.keys[f]; ok {
			ch.key = k.Key
			delete(s.keys, f)
		}
		if m.Prefix.User != "" && m.Prefix.Host != "" {
			s.user, s.host = clip(m.Prefix.User, maxNameLen), clip(m.Prefix.Host, maxNameLen)
		}
		s.joinAnswered(name)
		s.joinedWithoutHistory(ch)
	}
	ch := s.joinedChannel(name)
	if ch == nil {
		s.log.Printf("session: JOIN of %s to %q, a channel we are not in, ignored", clip(nick, maxNameLen), clip(name, maxNameLen))
		return
	}
	ev.Channel = ch.name
	mb, tracked := s.addMember(ch, nick)
	ev.Untracked = !tracked
	mb.user, mb.host = clip(m.Prefix.User, maxNameLen), clip(m.Prefix.Host, maxNameLen)
	if ev.Account != "" {
		mb.account = clip(ev.Account, maxNameLen)
	} else if a := m.Tags["account"]; a != "" {
		mb.account = clip(a, maxNameLen)
		ev.Account = a
	}
	h.emit(ev)
}

func userHost(m *irc.Message) string {
	if m.Prefix.User == "" && m.Prefix.Host == "" {
		return ""
	}
	return m.Prefix.User + "@" + m.Prefix.Host
}

func (s *Session) handlePart(h *handling) {
	m := h.m
	nick := nickOf(m)
	for _, name := range strings.Split(m.Param(0), ",") {
		ch := s.joinedChannel(name)
		if ch == nil {
			s.log.Printf("session: PART from %q, a channel we are not in, ignored", clip(name, maxNameLen))
			continue
		}
		ev := event.Part{Meta: h.meta, Channel: ch.name, Nick: nick}
		if len(m.Params) >= 2 {
			ev.Reason = m.Param(1)
		}
		if s.isMe(nick) {
			ev.Self = true
			delete(s.channels, s.fold(name))
		} else {
			s.removeMember(ch, nick)
		}
		h.emit(ev)
	}
}

// removeMember forgets nick, who left ch; one who was past maxMembers
// leaves the count of those.
func (s *Session) removeMember(ch *channel, nick string) {
	f := s.fold(nick)
	if ch.members[f] != nil {
		delete(ch.members, f)
	} else if ch.dropped > 0 {
		ch.dropped--
	}
}

func (s *Session) handleKick(h *handling) {
	m := h.m
	ch := s.joinedChannel(m.Param(0))
	victim := m.Param(1)
	if ch == nil || victim == "" {
		s.log.Printf("session: KICK for a channel we are not in, or without a nick, ignored")
		return
	}
	ev := event.Kick{Meta: h.meta, Channel: ch.name, Nick: victim, By: nickOf(m)}
	if len(m.Params) >= 3 {
		ev.Reason = m.Param(2)
	}
	if s.isMe(victim) {
		ev.Self = true
		delete(s.channels, s.fold(ch.name))
	} else {
		s.removeMember(ch, victim)
	}
	h.emit(ev)
}

func (s *Session) handleQuit(h *handling) {
	m := h.m
	nick := nickOf(m)
	if nick == "" {
		return
	}
	chans := s.forMember(nick, func(ch *channel, f string, _ *member) { delete(ch.members, f) })
	h.emit(event.Quit{Meta: h.meta, Nick: nick, Reason: m.Param(0), Channels: chans})
}

func (s *Session) handleNick(h *handling) {
	m := h.m
	old, nw := nickOf(m), m.Param(0)
	if old == "" || nw == "" {
		s.log.Printf("session: NICK without old or new nick ignored")
		return
	}
	self := s.isMe(old)
	nf := s.fold(nw)
	chans := s.forMember(old, func(ch *channel, f string, mb *member) {
		delete(ch.members, f)
		mb.nick = clip(nw, maxNameLen)
		ch.members[nf] = mb
	})
	if self {
		s.nick = clip(nw, maxNameLen)
	}
	h.emit(event.NickChange{Meta: h.meta, Old: old, New: nw, Self: self, Channels: chans})
}

// names handles 353 RPL_NAMREPLY: "353 me = #chan :@nick +other!u@h".
func (s *Session) names(h *handling) {
	m := h.m
	if len(m.Params) < 3 {
		s.log.Printf("session: 353 with too few parameters ignored")
		return
	}
	chName := m.Param(len(m.Params) - 2)
	ch := s.joinedChannel(chName)
	if ch == nil {
		s.log.Printf("session: 353 for %q, a channel we are not in: shown as info", clip(chName, maxNameLen))
		h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: clip(chName+": "+m.Trailing(), maxLine)})
		return
	}
	if ch.namesDone { // a fresh NAMES reply replaces the list
		ch.namesDone = false
		ch.members = make(map[string]*member)
		ch.dropped = 0
	}
	for _, item := range strings.Fields(m.Trailing()) {
		i := 0
		for i < len(item) && strings.IndexByte(s.is.Prefixes, item[i]) >= 0 {
			i++
		}
		prefixes, rest := item[:i], item[i:]
		nick, uh, _ := strings.Cut(rest, "!") // userhost-in-names
		if nick == "" {
			continue
		}
		mb, _ := s.addMember(ch, nick)
		mb.prefixes = s.sortPrefixes(prefixes)
		if u, host, ok := strings.Cut(uh, "@"); ok {
			mb.user, mb.host = clip(u, maxNameLen), clip(host, maxNameLen)
		}
	}
}

// endOfNames handles 366: the member list is complete.
func (s *Session) endOfNames(h *handling) {
	ch := s.joinedChannel(h.m.Param(1))
	if ch == nil {
		s.notIn(h)
		return
	}
	ch.namesDone = true
	h.emit(s.namesEvent(h.meta, ch))
}

// namesEvent snapshots ch's member list, sorted by rank then nick.
func (s *Session) namesEvent(meta event.Meta, ch *channel) event.Names {
	ms := make([]event.Member, 0, len(ch.members))
	for _, mb := range ch.members {
		ms = append(ms, event.Member{Nick: mb.nick, Prefixes: mb.prefixes, User: mb.user, Host: mb.host, Account: mb.account, Away: mb.away})
	}
	rank := func(mb event.Member) int {
		if mb.Prefixes == "" {
			return len(s.is.Prefixes)
		}
		return s.is.PrefixRank(mb.Prefixes[0])
	}
	sort.Slice(ms, func(i, j int) bool {
		ri, rj := rank(ms[i]), rank(ms[j])
		if ri != rj {
			return ri < rj
		}
		return s.fold(ms[i].Nick) < s.fold(ms[j].Nick)
	})
	return event.Names{Meta: meta, Channel: ch.name, Members: ms, Untracked: ch.dropped}
}

// sortPrefixes orders prefix characters highest first, without duplicates.
func (s *Session) sortPrefixes(p string) string {
	if len(p) <= 1 {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(s.is.Prefixes); i++ {
		if strings.IndexByte(p, s.is.Prefixes[i]) >= 0 {
			b.WriteByte(s.is.Prefixes[i])
		}
	}
	return b.String()
}

func (s *Session) handleMode(h *handling) {
	m := h.m
	target := m.Param(0)
	if target == "" || len(m.Params) < 2 {
		s.log.Printf("session: MODE without target or modes ignored")
		return
	}
	ev := event.Mode{Meta: h.meta, Target: target, By: nickOf(m), Modes: m.Param(1), Params: append([]string(nil), m.Params[2:]...)}
	if ch := s.joinedChannel(target); ch != nil {
		ev.Target = ch.name
		s.applyModes(ch, m.Param(1), m.Params[2:])
	}
	// The Mode event is the whole news, also of members' prefixes: a
	// consumer applies "+o bob" to bob alone. No Names snapshot follows
	// it: a snapshot costs O(n) for one member's change.
	h.emit(ev)
}

// applyModes updates prefix modes and the key of ch.
func (s *Session) applyModes(ch *channel, modes string, params []string) {
	adding := true
	next := 0
	param := func() (string, bool) {
		if next >= len(params) {
			return "", false
		}
		next++
		return params[next-1], true
	}
	for i := 0; i < len(modes); i++ {
		c := modes[i]
		switch c {
		case '+':
			adding = true
			continue
		case '-':
			adding = false
			continue
		}
		if !s.is.ModeTakesParam(c, adding) {
			continue
		}
		arg, ok := param()
		if !ok {
			return
		}
		if p := s.is.PrefixForMode(c); p != 0 {
			mb := ch.members[s.fold(arg)]
			if mb == nil {
				continue
			}
			has := strings.IndexByte(mb.prefixes, p) >= 0
			switch {
			case adding && !has:
				mb.prefixes = s.sortPrefixes(mb.prefixes + string(p))
			case !adding && has:
				mb.prefixes = strings.ReplaceAll(mb.prefixes, string(p), "")
			}
			continue
		}
		if c == 'k' {
			if adding && arg != "*" {
				ch.key = clip(arg, maxNameLen)
			} else if !adding {
				ch.key = ""
			}
		}
	}
}

func (s *Session) handleTopic(h *handling) {
	m := h.m
	ch := s.joinedChannel(m.Param(0))
	if ch == nil {
		s.log.Printf("session: TOPIC for a channel we are not in ignored")
		return
	}
	ch.topic, ch.topicBy, ch.topicAt = clip(m.Param(1), maxStored), nickOf(m), h.meta.Time
	ch.topicPending = false
	h.emit(event.Topic{Meta: h.meta, Channel: ch.name, Topic: m.Param(1), SetBy: ch.topicBy, SetAt: ch.topicAt, Changed: true})
}

// topicReply handles 332: the topic is held until 333 (who and when) or
// the next other line, so the UI gets one Topic event.
func (s *Session) topicReply(h *handling) {
	ch := s.joinedChannel(h.m.Param(1))
	if ch == nil {
		s.notIn(h)
		return
	}
	ch.topic, ch.topicBy, ch.topicAt = clip(h.m.Trailing(), maxStored), "", time.Time{}
	if len(h.m.Params) < 3 {
		ch.topic = ""
	}
	if !ch.topicPending && len(s.topicsPending) < maxChannels {
		ch.topicPending = true
		s.topicsPending = append(s.topicsPending, ch)
	}
	ch.topicMeta = h.meta
}

// topicWhoTime handles 333 "333 me #chan setter unixtime".
func (s *Session) topicWhoTime(h *handling) {
	ch := s.joinedChannel(h.m.Param(1))
	if ch == nil {
		s.notIn(h)
		return
	}
	ch.topicBy = clip(h.m.Param(2), maxNameLen)
	if sec, err := parseInt(h.m.Param(3)); err == nil {
		ch.topicAt = time.Unix(sec, 0)
	}
	if ch.topicPending {
		ch.topicPending = false
		h.emit(event.Topic{Meta: ch.topicMeta, Channel: ch.name, Topic: ch.topic, SetBy: ch.topicBy, SetAt: ch.topicAt})
	}
}

// flushTopics emits a 332 topic that no 333 followed.
func (s *Session) flushTopics(h *handling) {
	if len(s.topicsPending) == 0 {
		return
	}
	for _, ch := range s.topicsPending {
		if ch.topicPending && ch.joined && s.channels[s.fold(ch.name)] == ch {
			ch.topicPending = false
			h.emit(event.Topic{Meta: ch.topicMeta, Channel: ch.name, Topic: ch.topic})
		}
	}
	s.topicsPending = s.topicsPending[:0]
}

func (s *Session) handleAway(h *handling) {
	m := h.m
	nick := nickOf(m)
	if nick == "" {
		return
	}
	away := len(m.Params) > 0
	msg := m.Param(0)
	s.forMember(nick, func(_ *channel, _ string, mb *member) { mb.away = away })
	h.emit(event.Away{Meta: h.meta, Nick: nick, Away: away, Message: msg, Self: s.isMe(nick)})
}

func (s *Session) handleInvite(h *handling) {
	m := h.m
	nick, chName := m.Param(0), m.Param(1)
	if nick == "" || chName == "" {
		return
	}
	h.emit(event.Invite{Meta: h.meta, By: nickOf(m), Nick: nick, Channel: chName, Self: s.isMe(nick)})
}

// notIn shows a channel numeric for a channel we are not in as Info, and
// notes it in the debug log (a server bug, or a reply to /names #other).
func (s *Session) notIn(h *handling) {
	s.log.Printf("session: %s for %q, a channel we are not in: shown as info", h.m.Command, clip(h.m.Param(1), maxNameLen))
	s.info(h, false)
}
