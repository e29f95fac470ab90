package testnet

import (
	"sort"
	"time"
)

// Channel state in cluster mode, and why every node ends with the same.
//
// A node changes a channel in its own view at once (the member who
// joins, parts, kicks, sets the topic or modes gets the answer without a
// round trip to NATS) and publishes the change as an event; the others
// apply it when they consume it. Applied that way alone, two changes made
// at once on two nodes land in opposite orders on the two: each node
// applies its own first and the other's second, so a topic set at once on
// s1 and s2 ends as s2's on s1 and as s1's on s2, a channel emptied on
// one node while a user joins it on the other loses its topic and modes
// on one side only, and so on, for good.
//
// So the stream decides. Each node keeps, beside its view, the channel as
// the stream has it (streamChan): every channel event, its own included,
// applied in stream order, which is the same order on every node; the
// events are keyed by uid and carry what they change (a MODE its delta),
// so applying one needs nothing else of the node's view. The view is
// that state with this node's own changes not yet consumed from the
// stream replayed on top (cluster.pend, in the order they were made), and
// it is rebuilt so after every channel event consumed (syncChan). An own
// change not yet consumed comes after everything consumed so far in the
// stream, so replaying it last is its place in stream order; once it is
// consumed, the view is the stream's state again. Once a node has
// consumed everything published, pend is empty and its view is exactly
// the stream-order state, the same on every node: race-free because no
// node ever orders two changes by anything but the stream.
//
// What members are told follows the same order: the line of a change
// made elsewhere reaches them as its origin made it, and when the stream
// has the channel otherwise (a change of this node's own won, the
// channel was emptied and made anew under a member who joined it here, a
// KICK crossed its target's PART and JOIN again) this server says the
// channel's state again (chanfix.go). Channel
// history takes the stream's order the same way (recordFromStream), and
// the channel's KV record is the stream's state (chanrec.go).
//
// What stays: a PRIVMSG to a channel reaches the members its sender's
// node knows of, so a member who joined on another node a moment earlier
// may miss it (not once the join is applied).
//
// Users who live on no node of the network (the chatter has no uid) are
// this node's own and stay in its view as they are.

// streamChan is a channel as the stream has it: members by uid.
type streamChan struct {
	name                  string
	created               time.Time
	topic, topicBy        string
	topicAt               time.Time
	noExternal, topicLock bool
	members               map[string]member
}

func (s *streamChan) clone() *streamChan {
	if s == nil {
		return nil
	}
	c := *s
	c.members = make(map[string]member, len(s.members))
	for uid, m := range s.members {
		c.members[uid] = m
	}
	return &c
}

// chanEvent reports whether events of kind change channels.
func chanEvent(kind string) bool {
	switch kind {
	case "join", "part", "kick", "quit", "topic", "mode":
		return true
	}
	return false
}

// step applies one channel event to s (the channel named e.Chan, or any
// channel for a quit) and returns the channel after it: nil when it is
// gone or never was. s is changed in place.
func step(s *streamChan, e *event) *streamChan {
	switch e.Kind {
	case "join":
		if e.UID == "" {
			return s
		}
		if s == nil {
			s = &streamChan{name: e.Chan, created: e.At, noExternal: true, topicLock: true, members: map[string]member{}}
		}
		if _, ok := s.members[e.UID]; !ok {
			s.members[e.UID] = member{op: e.Op}
		}
		return s
	case "part", "quit":
		return s.leave(e.UID)
	case "kick":
		return s.leave(e.Target)
	case "topic":
		if s != nil {
			s.topic, s.topicBy, s.topicAt = e.Text, e.By, e.At
		}
		return s
	case "mode":
		if s != nil {
			s.mode(e)
		}
		return s
	}
	return s
}

func (s *streamChan) leave(uid string) *streamChan {
	if s == nil || uid == "" {
		return s
	}
	delete(s.members, uid)
	if len(s.members) == 0 {
		return nil
	}
	return s
}

// mode applies a MODE event: its delta (Delta, with the uids of the o and
// v changes in Args), or for an event of an older ferryd the modes and
// prefixes it lists.
func (s *streamChan) mode(e *event) {
	if e.Delta == "" {
		s.noExternal, s.topicLock = e.NoExt, e.TLock
		ops, voices := capSet(e.Ops), capSet(e.Voices)
		for uid, m := range s.members {
			m.op, m.voice = ops[uid], voices[uid]
			s.members[uid] = m
		}
		return
	}
	eachMode(e, &s.noExternal, &s.topicLock, func(uid string, set func(*member)) {
		if m, ok := s.members[uid]; ok {
			set(&m)
			s.members[uid] = m
		}
	})
}

// eachMode applies a MODE event's delta ("+o-t", its o and v arguments
// uids in e.Args) in order: n and t to the flags given, o and v to the
// member of each uid through prefix, which hands set to the member it
// finds (the stream's channel and a member's view of it keep members
// differently). A delta that runs out of arguments stops there.
func eachMode(e *event, noExternal, topicLock *bool, prefix func(uid string, set func(*member))) {
	add, args := true, e.Args
	for _, c := range e.Delta {
		switch c {
		case '+', '-':
			add = c == '+'
		case 'n':
			*noExternal = add
		case 't':
			*topicLock = add
		case 'o', 'v':
			if len(args) == 0 {
				return
			}
			uid := args[0]
			args = args[1:]
			op, on := c == 'o', add
			prefix(uid, func(m *member) {
				if op {
					m.op = on
				} else {
					m.voice = on
				}
			})
		}
	}
}

// modeDelta is the change a MODE line made ("+o-t" and its arguments), its
// nicks given as uids, for the stream.
func (n *Network) modeDelta(params []string) (delta string, uids []string) {
	if len(params) < 2 {
		return "", nil
	}
	delta, args := params[1], params[2:]
	for _, c := range delta {
		if (c == 'o' || c == 'v') && len(args) > 0 {
			uid := ""
			if u := n.users[fold(args[0])]; u != nil {
				uid = u.uid
			}
			uids = append(uids, uid)
			args = args[1:]
		}
	}
	return delta, uids
}

// ownChange notes a channel event this process publishes (under
// Network.mu): its view has the change already; the stream has it once
// the event is consumed.
func (cl *cluster) ownChange(e event) {
	if chanEvent(e.Kind) {
		cl.pend = append(cl.pend, &e)
	}
}

// chanKeys lists the channels a consumed event changes in the stream's
// state: its channel, or for a quit every channel the user is in.
func (cl *cluster) chanKeys(e *event) []string {
	if e.Kind != "quit" {
		return []string{fold(e.Chan)}
	}
	var keys []string
	for key, s := range cl.streamChans {
		if _, ok := s.members[e.UID]; ok {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

// streamChange applies a consumed channel event to the stream's state of
// the channels keys and, for an own event, takes it off the pending list
// (under Network.mu).
func (cl *cluster) streamChange(e *event, keys []string) {
	if cl.streamChans == nil {
		cl.streamChans = map[string]*streamChan{}
	}
	if e.Boot == cl.boot {
		i := 0
		for i < len(cl.pend) && cl.pend[i].Lseq <= e.Lseq {
			i++
		}
		cl.pend = append(cl.pend[:0:0], cl.pend[i:]...)
	}
	for _, key := range keys {
		if s := step(cl.streamChans[key], e); s != nil {
			cl.streamChans[key] = s
		} else {
			delete(cl.streamChans, key)
		}
	}
}

// syncChan rebuilds this node's view of the channel key: the stream's
// state with the own changes not yet consumed replayed on top (under
// Network.mu).
func (n *Network) syncChan(key string) {
	cl := n.cl
	s := cl.streamChans[key].clone()
	for _, e := range cl.pend {
		if e.Kind == "quit" || fold(e.Chan) == key {
			s = step(s, e)
		}
	}
	ch := n.chans[key]
	if s == nil {
		if ch == nil {
			return
		}
		for mu := range ch.members {
			if mu.uid != "" {
				n.removeMember(ch, mu)
			}
		}
		return
	}
	if ch == nil {
		ch = &channel{members: map[*user]*member{}}
		n.chans[key] = ch
	}
	ch.name, ch.created = s.name, s.created
	if s.topic != "" || !ownTopic(ch) {
		ch.topic, ch.topicBy, ch.topicAt = s.topic, s.topicBy, s.topicAt
	}
	ch.noExternal, ch.topicLock = s.noExternal, s.topicLock
	for mu := range ch.members {
		if _, ok := s.members[mu.uid]; !ok && mu.uid != "" {
			delete(ch.members, mu)
			delete(mu.chans, ch)
		}
	}
	for uid, m := range s.members {
		u := n.uids[uid]
		if u == nil || u.gone {
			continue
		}
		if ch.members[u] == nil {
			ch.members[u] = &member{}
		}
		*ch.members[u] = m
		u.chans[ch] = true
	}
	if len(ch.members) == 0 {
		delete(n.chans, key)
	}
}

// applyChan applies a consumed channel event (under Network.mu): to the
// stream's state, then to this node's view; for another process's event
// it tells this node's users what the origin did not tell them, and sets
// right what the line told them wrongly (chanfix.go).
func (n *Network) applyChan(e *event, seq uint64) {
	cl := n.cl
	key := fold(e.Chan)
	u := n.uids[e.UID]
	keys := cl.chanKeys(e)
	looks := make([]*chanLook, len(keys))
	for i, k := range keys {
		looks[i] = lookOf(n.chans[k])
	}
	before := n.chans[key]
	var recips []*user
	var was bool // the user the event is about was a member
	switch e.Kind {
	case "join", "part":
		was = before != nil && u != nil && before.members[u] != nil
	case "kick":
		t := n.uids[e.Target]
		was = before != nil && t != nil && before.members[t] != nil
		recips = localMembers(before)
	case "quit":
		if u != nil {
			recips = localPeers(u)
		}
	}
	cl.streamChange(e, keys)
	for _, k := range keys {
		n.syncChan(k)
		n.markRecord(k)
	}
	if e.Boot == cl.boot {
		return // made here: the view had it, and its users were told
	}
	if u != nil && !u.remote && seq <= u.skipUpTo {
		return // about a session handed over to us with this already in it
	}
	stale := u != nil && !u.remote // the user lives here now
	after := n.chans[key]
	switch e.Kind {
	case "join":
		if !stale && u != nil && !was && after != nil && after.members[u] != nil {
			n.tellUntold(e, seq, localMembers(after))
		}
	case "part":
		if !stale && was && (after == nil || after.members[u] == nil) {
			n.tellUntold(e, seq, localMembers(after))
		}
	case "kick":
		if t := n.uids[e.Target]; was && (after == nil || after.members[t] == nil) {
			n.tellUntold(e, seq, recips)
		}
	case "quit":
		if stale || u == nil {
			return
		}
		n.dropRemote(u)
		n.tellUntold(e, seq, recips)
		n.monitorApplied(u, false, seq)
	case "topic", "mode":
		if after != nil {
			n.tellUntold(e, seq, localMembers(after))
		}
	}
	for i, k := range keys {
		n.correct(e, seq, looks[i], n.chans[k])
	}
}

// ownTopic reports whether ch's topic was set by one of this node's own
// users (the chatter, which sets it without an event): it stays until the
// network has one.
func ownTopic(ch *channel) bool {
	for mu := range ch.members {
		if mu.uid == "" && ch.topic != "" && mu.prefix().String() == ch.topicBy {
			return true
		}
	}
	return false
}
