package testnet

import (
	"net"
	"sort"
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// user is a client's session: its identity, capabilities and channels. It
// outlives the connection during a migration (conn is nil while held).
// All fields are guarded by Network.mu.
type user struct {
	nick, username, realname, host string
	account                        string
	away                           string
	modes                          string // user modes set with MODE nick, in order ("iw")
	node                           *Node
	conn                           *conn // nil while held by NEW, or for an in-process user
	registered                     bool
	caps                           map[string]bool
	cap302                         bool // negotiated with CAP LS 302: cap-notify is implied
	capHold                        bool // CAP LS/REQ seen before registration: wait for CAP END
	pass                           string
	sasl                           *saslState
	chans                          map[*channel]bool
	mig                            *migration
	local                          func(m *irc.Message) // in-process user (the chatter)
	signon                         time.Time
	gone                           bool
	// capture collects the lines u receives while a labelled command of
	// its own is handled (labeled.go); nil otherwise.
	capture *[]*irc.Message
	batch   *clientBatch      // a multiline batch being sent (multiline.go)
	bound   string            // soju.im/bouncer-networks: the network BOUNCER BIND chose (bouncer.go)
	monitor map[string]string // folded nick -> as given (monitor.go)

	// Cluster mode: the network-wide id events address the user by; remote
	// when the user is on another process's node (this is its view); the
	// last event already delivered to a session handed over to this node.
	uid      string
	remote   bool
	skipUpTo uint64
	ownSkip  uint64 // this process's "to" events up to here were delivered at the hand-over
	inc      string // of a remote user: the incarnation of its node it came with (reap.go)
}

func newPendingUser(c *conn) *user {
	host, _, err := net.SplitHostPort(c.remote)
	if err != nil {
		host = c.remote
	}
	return &user{
		node:   c.node,
		conn:   c,
		host:   host,
		caps:   map[string]bool{},
		chans:  map[*channel]bool{},
		signon: c.n.now(),
	}
}

func (u *user) prefix() *irc.Prefix {
	return &irc.Prefix{Name: u.nick, User: u.username, Host: u.host}
}

// target is how numerics address the user: the nick once known, else "*".
func (u *user) target() string {
	if u.nick == "" {
		return "*"
	}
	return u.nick
}

type member struct{ op, voice bool }

func (m *member) prefix() string {
	switch {
	case m.op:
		return "@"
	case m.voice:
		return "+"
	}
	return ""
}

type channel struct {
	name       string
	topic      string
	topicBy    string
	topicAt    time.Time
	created    time.Time
	members    map[*user]*member
	noExternal bool // +n
	topicLock  bool // +t
}

func (ch *channel) modeString() string {
	s := "+"
	if ch.noExternal {
		s += "n"
	}
	if ch.topicLock {
		s += "t"
	}
	return s
}

// sortedMembers returns members by nick, for stable NAMES/WHO output.
func (ch *channel) sortedMembers() []*user {
	out := make([]*user, 0, len(ch.members))
	for u := range ch.members {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return fold(out[i].nick) < fold(out[j].nick) })
	return out
}

// msgCtx is what a message carries for every recipient alike: when it was
// produced, its msgid (PRIVMSG/NOTICE) and the sender's client-only tags.
type msgCtx struct {
	at    time.Time
	msgid string
	ctags irc.Tags
	batch string // reference tag of the batch the line belongs to (chathistory replies)
	// from is the sending user, when a user sent the line: its account
	// (account-tag) and, for JOIN, its realname (extended-join) are
	// rendered per recipient (userinfo.go).
	from *user
	// concat tags a line of a multiline batch that continues the one
	// before it (draft/multiline-concat), for recipients given the batch.
	concat bool
}

func (n *Network) ctx(withID bool) msgCtx {
	x := msgCtx{at: n.now()}
	if withID {
		x.msgid = n.nextMsgID()
	}
	return x
}

// render produces the line u receives: tags follow u's capabilities
// (server-time: time; message-tags: msgid and client-only tags).
func render(u *user, m *irc.Message, x msgCtx) *irc.Message {
	m = extendJoin(u, m, x)
	st, mt, bt := u.caps["server-time"], u.caps["message-tags"], u.caps["batch"] && x.batch != ""
	at := u.caps["account-tag"] && x.from != nil && x.from.account != ""
	if !st && !mt && !bt && !at {
		return m
	}
	out := *m
	out.Tags = irc.Tags{}
	if at {
		out.Tags["account"] = x.from.account
	}
	if bt {
		out.Tags["batch"] = x.batch
		if x.concat {
			out.Tags[tagConcat] = ""
		}
	}
	if st && !x.at.IsZero() {
		out.Tags["time"] = x.at.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	if mt {
		if x.msgid != "" {
			out.Tags["msgid"] = x.msgid
		}
		for k, v := range x.ctags {
			out.Tags[k] = v
		}
	}
	return &out
}

// deliver hands one message to u: to its connection's queue, to the hold
// buffer while a migration holds the session (net/migrate/SPEC.md section 5), or to
// the in-process handler. It never blocks.
func (n *Network) deliver(u *user, m *irc.Message, x msgCtx) {
	if u.gone {
		return
	}
	x = n.withSender(m, x)
	if u.remote {
		n.bb.sendTo(u, m, x)
		return
	}
	if u.mig != nil && u.mig.flipping {
		// Cluster mode, OLD handing the session over: what arrives from
		// the stream is NEW's to deliver (kept only in case the hand-over
		// fails); what is made here goes out as events at once, in order
		// with everything else this node publishes, for whichever node
		// ends up with the session.
		if n.cl.applying {
			u.mig.pending = append(u.mig.pending, heldLine{m: m, x: x})
		} else {
			n.bb.sendTo(u, m, x)
		}
		return
	}
	if u.mig != nil && u.mig.held {
		u.mig.hold = append(u.mig.hold, heldLine{m: m, x: x, made: n.cl != nil && !n.cl.applying})
		if len(u.mig.hold) > n.opts.BufferLimit && !u.mig.overflow {
			u.mig.overflow = true
			mig := u.mig
			n.later(func() {
				if u.mig == mig && !u.gone {
					n.logf("migration %s %s→%s: buffer limit (%d lines) exceeded", u.nick, mig.from.name, mig.to.name, n.opts.BufferLimit)
					n.endHeld(u, "Migration timed out")
				}
			})
		}
		return
	}
	if u.local != nil {
		u.local(m)
		return
	}
	if u.capture != nil {
		*u.capture = append(*u.capture, render(u, m, x))
		return
	}
	if u.conn != nil {
		u.conn.sendLine(render(u, m, x).String())
	}
}

// numeric sends a server reply from u's current node.
func (n *Network) numeric(u *user, code string, params ...string) {
	n.fromServer(u, code, append([]string{u.target()}, params...)...)
}

// fromServer sends a line from u's current node (numerics, CAP, FAIL,
// MIGRATE, ...). Middle parameters may echo client input: they are made
// safe so the reply keeps its framing.
func (n *Network) fromServer(u *user, command string, params ...string) {
	for i := 0; i < len(params)-1; i++ {
		params[i] = middleParam(params[i])
	}
	if k := len(params) - 1; k >= 0 {
		params[k] = strings.Map(func(r rune) rune {
			if r == '\r' || r == '\n' || r == 0 {
				return -1
			}
			return r
		}, params[k])
	}
	m := &irc.Message{Prefix: &irc.Prefix{Name: u.node.name}, Command: command, Params: params}
	n.deliver(u, m, n.ctx(false))
}

func middleParam(p string) string {
	p = strings.TrimLeft(p, ":")
	p = strings.Map(func(r rune) rune {
		switch r {
		case ' ':
			return '_'
		case '\r', '\n', 0:
			return -1
		}
		return r
	}, p)
	if p == "" {
		return "*"
	}
	return p
}

func (n *Network) toChannel(ch *channel, m *irc.Message, x msgCtx, except *user) {
	x = n.withSender(m, x) // once for the channel, not per member
	for _, mu := range ch.sortedMembers() {
		if mu != except {
			n.deliver(mu, m, x)
		}
	}
}

// toPeers sends m once to every user sharing a channel with u (and to u
// itself when self is set).
func (n *Network) toPeers(u *user, m *irc.Message, x msgCtx, self bool) {
	x = n.withSender(m, x)
	seen := map[*user]bool{u: true}
	if self {
		n.deliver(u, m, x)
	}
	for ch := range u.chans {
		for _, p := range ch.sortedMembers() {
			if !seen[p] {
				seen[p] = true
				n.deliver(p, m, x)
			}
		}
	}
}

// quitUser ends a registered session: peers see one QUIT, the nick is
// freed, the connection (if any) gets ERROR and is closed.
func (n *Network) quitUser(u *user, reason string) {
	if u.gone {
		return
	}
	m := &irc.Message{Prefix: u.prefix(), Command: "QUIT", Params: []string{reason}}
	if u.uid != "" && n.bb.shares() {
		// The nick is free and the others' views updated before anyone
		// elsewhere sees the QUIT line.
		n.bb.releaseNick(u.nick)
		n.share(event{Kind: "quit", UID: u.uid, Text: reason, Line: m.String(), Told: peerUIDs(u)})
	}
	n.toPeers(u, m, n.ctx(false), false)
	if u.registered {
		n.monitorNotify(u, false)
	}
	var left []*channel
	for ch := range u.chans {
		n.removeMember(ch, u)
		left = append(left, ch)
	}
	if u.uid != "" {
		for _, ch := range left {
			n.bb.changeChannel(ch, chanChange{leave: u})
		}
		delete(n.uids, u.uid)
	}
	if n.users[fold(u.nick)] == u {
		delete(n.users, fold(u.nick))
	}
	if u.mig != nil {
		u.mig.stopTimers()
		if n.tokens[u.mig.rtok] == u {
			delete(n.tokens, u.mig.rtok)
		}
		u.mig = nil
	}
	if c := u.conn; c != nil {
		c.sendLine("ERROR :Closing link (" + u.host + ") [" + reason + "]")
		c.closeAfterFlush()
	}
	u.gone = true
	n.logf("%s: %s quit: %s", u.node.name, u.nick, reason)
}

func (n *Network) removeMember(ch *channel, u *user) {
	delete(ch.members, u)
	delete(u.chans, ch)
	if len(ch.members) == 0 {
		delete(n.chans, fold(ch.name))
	}
}

// splitList splits a comma list, at most max items (0: all of them), so one
// line cannot fan out without bound where the command has a target limit.
func splitList(s string, max int) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, p)
		}
		if len(out) == max {
			break
		}
	}
	return out
}
