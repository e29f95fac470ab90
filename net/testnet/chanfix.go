package testnet

import (
	"sort"
	"strconv"

	"gopkg.in/irc.v4"
)

// Setting clients right in cluster mode (chanstate.go has the state).
//
// The line of a change made on another node reaches this node's members
// as its origin made it (a "to" event, or tellUntold), and the channel
// then changes as the stream has it. The two differ when a change made
// here comes after the line's in the stream and wins (a topic or mode set
// at once on two nodes), or when the stream has the channel emptied and
// made anew under a member who joined it here (a PART on one node, a JOIN
// on the other at once): the members would keep the line's topic and
// modes, or the old channel's, while the network has others; and a KICK
// that crossed its target's PART and JOIN again leaves the target in the
// channel, as the stream has it, though everyone saw the KICK. So once
// the event is applied, what the members were told is compared with the
// channel as it is, and what differs is said again by this server, the
// way IRC servers settle a desync: a KICK or JOIN for the members, a
// TOPIC with the channel's topic, a MODE with its modes and prefixes.
// Only a change that lost a race makes one: otherwise the channel is what
// the lines said.

// chanLook is what a channel's members were told of it: its topic, modes
// and the members' prefixes.
type chanLook struct {
	topic                 string
	noExternal, topicLock bool
	prefixes              map[*user]member
}

func lookOf(ch *channel) *chanLook {
	if ch == nil {
		return nil
	}
	l := &chanLook{topic: ch.topic, noExternal: ch.noExternal, topicLock: ch.topicLock, prefixes: make(map[*user]member, len(ch.members))}
	for mu, m := range ch.members {
		l.prefixes[mu] = *m
	}
	return l
}

// told applies what the line of e told the members; false when the line
// says nothing that can be compared (a MODE event of an older ferryd).
func (l *chanLook) told(n *Network, e *event) bool {
	switch e.Kind {
	case "join":
		if u := n.uids[e.UID]; u != nil {
			if _, ok := l.prefixes[u]; !ok {
				l.prefixes[u] = member{} // a JOIN line shows no prefix
			}
		}
	case "part", "quit":
		delete(l.prefixes, n.uids[e.UID])
	case "kick":
		delete(l.prefixes, n.uids[e.Target])
	case "topic":
		l.topic = e.Text
	case "mode":
		if e.Delta == "" {
			return false
		}
		eachMode(e, &l.noExternal, &l.topicLock, func(uid string, set func(*member)) {
			u := n.uids[uid]
			if m, ok := l.prefixes[u]; ok {
				set(&m)
				l.prefixes[u] = m
			}
		})
	}
	return true
}

// correct tells ch's local members what differs between the channel and
// what they were told of it (before, with the line of e), once e is
// applied (under Network.mu): a member they were told of who is not in
// the channel leaves it by a KICK from this server, one they were not told
// of joins it (and, here, gets the channel's topic and names), then the
// topic and modes as they are.
func (n *Network) correct(e *event, seq uint64, before *chanLook, ch *channel) {
	if before == nil || ch == nil || !before.told(n, e) {
		return
	}
	server := &irc.Prefix{Name: n.nodes[0].name}
	var lines []*irc.Message
	kicked := map[*user]*irc.Message{}
	told := make([]*user, 0, len(before.prefixes))
	for mu := range before.prefixes {
		told = append(told, mu)
	}
	sort.Slice(told, func(i, j int) bool { return fold(told[i].nick) < fold(told[j].nick) })
	for _, mu := range told {
		if ch.members[mu] == nil && !mu.gone && mu.uid != "" {
			k := &irc.Message{Prefix: server, Command: "KICK", Params: []string{ch.name, mu.nick, "Changed on another server at the same time"}}
			lines = append(lines, k)
			kicked[mu] = k
		}
	}
	joined := map[*user]bool{}
	from := map[*irc.Message]*user{}
	for _, mu := range ch.sortedMembers() {
		if _, ok := before.prefixes[mu]; !ok && mu.uid != "" {
			j := &irc.Message{Prefix: mu.prefix(), Command: "JOIN", Params: []string{ch.name}}
			lines = append(lines, j)
			from[j] = mu
			before.prefixes[mu] = member{} // a JOIN line shows no prefix
			joined[mu] = true
		}
	}
	if ch.topic != before.topic {
		by := server
		if ch.topicBy != "" {
			by = irc.ParsePrefix(ch.topicBy)
		}
		lines = append(lines, &irc.Message{Prefix: by, Command: "TOPIC", Params: []string{ch.name, ch.topic}})
	}
	var mf modeFix
	if ch.noExternal != before.noExternal {
		mf.put(ch.noExternal, 'n', "")
	}
	if ch.topicLock != before.topicLock {
		mf.put(ch.topicLock, 't', "")
	}
	for _, mu := range ch.sortedMembers() {
		m, was := ch.members[mu], before.prefixes[mu]
		if m.op != was.op {
			mf.put(m.op, 'o', mu.nick)
		}
		if m.voice != was.voice {
			mf.put(m.voice, 'v', mu.nick)
		}
	}
	for _, l := range mf.lines {
		lines = append(lines, &irc.Message{Prefix: server, Command: "MODE", Params: append([]string{ch.name}, l...)})
	}
	if len(lines) == 0 {
		return
	}
	n.cl.fixes++
	n.cl.applying = true
	defer func() { n.cl.applying = false }()
	for _, r := range localMembers(ch) {
		if r.gone || seq <= r.skipUpTo {
			continue
		}
		for _, m := range lines {
			n.deliver(r, m, msgCtx{at: e.At, from: from[m]})
		}
		if joined[r] {
			if ch.topic != "" {
				n.numeric(r, RPL_TOPIC, ch.name, ch.topic)
				n.numeric(r, RPL_TOPICWHOTIME, ch.name, ch.topicBy, strconv.FormatInt(ch.topicAt.Unix(), 10))
			}
			n.names(r, ch)
		}
	}
	for mu, k := range kicked {
		if !mu.remote && seq > mu.skipUpTo {
			n.deliver(mu, k, msgCtx{at: e.At})
		}
	}
}

// modeFix builds MODE parameters, at most four nick arguments a line.
type modeFix struct {
	lines [][]string
	last  byte
}

func (f *modeFix) put(on bool, c byte, nick string) {
	if len(f.lines) == 0 || nick != "" && len(f.lines[len(f.lines)-1]) == 5 {
		f.lines = append(f.lines, []string{""})
		f.last = 0
	}
	l := f.lines[len(f.lines)-1]
	sign := byte('-')
	if on {
		sign = '+'
	}
	if sign != f.last {
		l[0] += string(sign)
		f.last = sign
	}
	l[0] += string(c)
	if nick != "" {
		l = append(l, nick)
	}
	f.lines[len(f.lines)-1] = l
}
