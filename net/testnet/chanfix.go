package testnet

import "gopkg.in/irc.v4"

// Setting clients right in cluster mode (chanstate.go has the state).
//
// The line of a change made on another node reaches this node's members
// as its origin made it (a "to" event, or tellUntold), and the channel
// then changes as the stream has it. The two differ when a change made
// here comes after the line's in the stream and wins (a topic or mode set
// at once on two nodes), or when the stream has the channel emptied and
// made anew under a member who joined it here (a PART on one node, a JOIN
// on the other at once): the members would keep the line's topic and
// modes, or the old channel's, while the network has others. So once the
// event is applied, what the members were told is compared with the
// channel as it is, and what differs is said again by this server, the
// way IRC servers settle a desync: a TOPIC with the channel's topic, a
// MODE with its modes and prefixes as they are.

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
		add, uids := true, e.Args
		for _, c := range e.Delta {
			switch c {
			case '+', '-':
				add = c == '+'
			case 'n':
				l.noExternal = add
			case 't':
				l.topicLock = add
			case 'o', 'v':
				if len(uids) == 0 {
					return true
				}
				u := n.uids[uids[0]]
				uids = uids[1:]
				if m, ok := l.prefixes[u]; ok {
					if c == 'o' {
						m.op = add
					} else {
						m.voice = add
					}
					l.prefixes[u] = m
				}
			}
		}
	}
	return true
}

// correct tells ch's local members what differs between the channel and
// what they were told of it (before, with the line of e), once e is
// applied (under Network.mu).
func (n *Network) correct(e *event, seq uint64, before *chanLook, ch *channel) {
	if before == nil || ch == nil || !before.told(n, e) {
		return
	}
	var fixes []*irc.Message
	if ch.topic != before.topic {
		by := &irc.Prefix{Name: n.nodes[0].name}
		if ch.topicBy != "" {
			by = irc.ParsePrefix(ch.topicBy)
		}
		fixes = append(fixes, &irc.Message{Prefix: by, Command: "TOPIC", Params: []string{ch.name, ch.topic}})
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
		if _, ok := before.prefixes[mu]; !ok {
			continue
		}
		if m.op != was.op {
			mf.put(m.op, 'o', mu.nick)
		}
		if m.voice != was.voice {
			mf.put(m.voice, 'v', mu.nick)
		}
	}
	for _, l := range mf.lines {
		fixes = append(fixes, &irc.Message{Prefix: &irc.Prefix{Name: n.nodes[0].name}, Command: "MODE", Params: append([]string{ch.name}, l...)})
	}
	if len(fixes) == 0 {
		return
	}
	n.cl.applying = true
	for _, r := range localMembers(ch) {
		if !r.gone && seq > r.skipUpTo {
			for _, m := range fixes {
				n.deliver(r, m, msgCtx{at: e.At})
			}
		}
	}
	n.cl.applying = false
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
