package testnet

import (
	"context"
	"sort"
	"strconv"
	"time"

	"gopkg.in/irc.v4"
)

// Cluster mode: each process runs one node; the network state of record
// and the traffic between nodes live in NATS (natsbus.go does the I/O).
//
// The per-node connection handling (registration, chat, the client side
// of a migration, history, search) is the same code as in-process mode. It
// works on this process's view of the network: local users with their
// connections, and remote users and channel members as the event stream
// of the network describes them. What differs goes through the backbone
// (backbone.go):
//
//   - deliver to a remote user publishes a "to" event addressed to the
//     user's uid; whichever node has the user locally when it consumes the
//     event delivers it (so nobody needs to know where a user is);
//   - a state change made here (registration, JOIN, PART, TOPIC, ...) is
//     published so the other nodes' views follow, in one stream order;
//   - a nick is claimed with a JetStream KV create before it is used;
//   - channel state and history end in the stream's order on every node,
//     changes made at once on two nodes included (chanstate.go).
//
// Exactly once across a migration: every event has its stream sequence.
// OLD hands over at a point where it has applied every event up to N and
// none after; NEW delivers to the session exactly the "to" events after N:
// the ones it had consumed already (its ring), then its own not yet
// consumed ones (sentTo), then everything newer, and it skips the ones up
// to N it consumes later. Lines OLD makes for the session while the
// hand-over is in flight are published at once, so their sequence numbers
// are past N too. Per-sender order: NEW takes over only once it has
// applied every event OLD made before the flip, so the user's lines from
// NEW cannot overtake those it sent on OLD.

// event is one entry of the network's event stream.
type event struct {
	Boot string `json:"b"`           // origin process incarnation
	Inc  string `json:"i,omitempty"` // origin node incarnation, when not Boot (see reap.go)
	Node string `json:"n"`           // origin node
	Kind string `json:"k"`           // reg, to, nick, join, part, kick, quit, topic, mode, away, move, hist, reap, mark
	Lseq uint64 `json:"l"`           // the origin process's own count
	UID  string `json:"u,omitempty"` // the user the event is about (or addressed to)

	Nick    string   `json:"nick,omitempty"`
	User    string   `json:"user,omitempty"`
	Host    string   `json:"host,omitempty"`
	Real    string   `json:"real,omitempty"`
	Account string   `json:"acct,omitempty"`
	Caps    []string `json:"caps,omitempty"`

	Chan   string   `json:"chan,omitempty"`
	Op     bool     `json:"op,omitempty"`
	Voice  bool     `json:"voice,omitempty"`
	Target string   `json:"tgt,omitempty"` // uid of a KICK's target
	Text   string   `json:"text,omitempty"`
	By     string   `json:"by,omitempty"`
	NoExt  bool     `json:"noext,omitempty"`
	TLock  bool     `json:"tlock,omitempty"`
	Ops    []string `json:"ops,omitempty"`    // a MODE's prefixes after it, as the origin
	Voices []string `json:"voices,omitempty"` // saw them (what an older ferryd applies)
	Delta  string   `json:"delta,omitempty"`  // a MODE's change, "+o-t"
	Args   []string `json:"args,omitempty"`   // the uids of its o and v changes
	// Told lists the users the origin sent Line to (each as a "to"
	// event): the ones it knew of. A node whose view had more members
	// (the origin had not yet seen their JOIN) tells its own.
	Told []string `json:"told,omitempty"`

	// A line for one user ("to") or a history entry ("hist").
	Line  string            `json:"line,omitempty"`
	At    time.Time         `json:"at,omitempty"`
	MsgID string            `json:"id,omitempty"`
	CTags map[string]string `json:"ctags,omitempty"`
	Batch string            `json:"batch,omitempty"`
	Key   string            `json:"key,omitempty"` // history key
	Cmd   string            `json:"cmd,omitempty"`

	// A reap: the node incarnation whose users the network ends.
	Dead    string `json:"dead,omitempty"`
	DeadInc string `json:"dinc,omitempty"`
}

// inc is the incarnation of the node that made e: the one its users
// belong to until it is reaped.
func (e *event) inc() string {
	if e.Inc != "" {
		return e.Inc
	}
	return e.Boot
}

// ringEntry is a consumed "to" event kept for a hand-over that needs
// lines it already passed.
type ringEntry struct {
	seq uint64
	uid string
	m   *irc.Message
	x   msgCtx
}

const ringSize = 1 << 15

// handover is the session OLD gives NEW (net/migrate/SPEC.md section 5):
// everything the user is, and the event sequence up to which OLD
// delivered.
type handover struct {
	UID, Nick, User, Host, Real, Account, Away string
	Modes                                      string   // the user's own modes ("iw")
	Monitor                                    []string // the user's MONITOR list, as given
	Caps                                       []string
	Cap302                                     bool
	Chans                                      []handoverChan
	Signon                                     time.Time
	From                                       string
	FromCaps, FromISupport                     []string
	RTok, CTok, Trigger                        string
	After                                      uint64 // OLD delivered every event up to this one
	Stored                                     uint64 // OLD's own events before the flip are stored up to here
}

type handoverChan struct {
	Name      string
	Op, Voice bool
}

// share publishes a state change made on this node (under Network.mu).
func (n *Network) share(e event) {
	if n.bb.shares() {
		n.bb.publish(e)
	}
}

func capList(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k, on := range m {
		if on {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func capSet(l []string) map[string]bool {
	m := make(map[string]bool, len(l))
	for _, c := range l {
		m[c] = true
	}
	return m
}

// shareReg publishes a registration (or a user's full identity).
func (n *Network) shareReg(u *user, kind string) {
	n.share(event{Kind: kind, UID: u.uid, Nick: u.nick, User: u.username, Host: u.host, Real: u.realname, Account: u.account, Caps: capList(u.caps), Text: u.away})
}

// shareModes publishes a channel's modes and its members' prefixes.
func (n *Network) shareModes(ch *channel, m *irc.Message) {
	if !n.bb.shares() {
		return
	}
	e := event{Kind: "mode", Chan: ch.name, NoExt: ch.noExternal, TLock: ch.topicLock, Line: m.String(), Told: remoteUIDs(ch)}
	e.Delta, e.Args = n.modeDelta(m.Params)
	for mu, m := range ch.members { // for nodes of an older ferryd, during a rolling upgrade
		if m.op {
			e.Ops = append(e.Ops, mu.uid)
		}
		if m.voice {
			e.Voices = append(e.Voices, mu.uid)
		}
	}
	n.share(e)
	n.bb.changeChannel(ch, chanChange{modes: true})
}

// remoteNode returns the node named name, creating a placeholder for a
// node this process has not yet seen in the registry (under Network.mu).
func (n *Network) remoteNode(name string) *Node {
	if nd := n.anyNode(name); nd != nil {
		return nd
	}
	nd := &Node{n: n, name: name, remote: true, caps: map[string]bool{}, down: true}
	if n.remote == nil {
		n.remote = map[string]*Node{}
	}
	n.remote[name] = nd
	return nd
}

// anyNode is Node including the other processes' nodes (under Network.mu).
func (n *Network) anyNode(name string) *Node {
	if nd := n.Node(name); nd != nil {
		return nd
	}
	return n.remote[name]
}

// allNodes lists this process's nodes, then the live remote ones by name
// (under Network.mu).
func (n *Network) allNodes() []*Node {
	out := append([]*Node(nil), n.nodes...)
	var names []string
	for name, nd := range n.remote {
		if !nd.down {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		out = append(out, n.remote[name])
	}
	return out
}

// apply applies one consumed event (under Network.mu). Events this
// process published itself changed its view when they were made.
func (n *Network) apply(e *event, seq uint64) {
	cl := n.cl
	cl.track(e, seq)
	defer cl.maybeSnapshot()
	cl.applied = seq
	if cl.appliedMore != nil {
		close(cl.appliedMore)
		cl.appliedMore = nil
	}
	if e.Boot == cl.boot {
		cl.ownApplied = e.Lseq
	}
	if cl.ringFrom == 0 {
		cl.ringFrom = seq // the first event this process saw
	}
	if e.Kind == "to" {
		m, err := irc.ParseMessage(e.Line)
		if err != nil {
			return
		}
		x := msgCtx{at: e.At, msgid: e.MsgID, batch: e.Batch}
		if len(e.CTags) > 0 {
			x.ctags = irc.Tags{}
			for k, v := range e.CTags {
				x.ctags[k] = v
			}
		}
		cl.ring = append(cl.ring, ringEntry{seq: seq, uid: e.UID, m: m, x: x})
		if len(cl.ring) > ringSize {
			drop := len(cl.ring) - ringSize/2
			cl.ringFrom = cl.ring[drop-1].seq + 1
			cl.ring = append(cl.ring[:0:0], cl.ring[drop:]...)
		}
		u := n.uids[e.UID]
		if u == nil || u.remote || u.gone || seq <= u.skipUpTo || e.Boot == cl.boot && e.Lseq <= u.ownSkip {
			return
		}
		cl.applying = true
		n.deliver(u, m, x)
		cl.applying = false
		return
	}
	if e.Kind == "reap" {
		n.applyReap(e, seq) // from this process too: it ends users at the event's place in the stream
		return
	}
	if chanEvent(e.Kind) {
		n.applyChan(e, seq)
		return
	}
	if e.Boot == cl.boot {
		switch e.Kind {
		case "hist":
			n.settleOwn(e.Key, e.Lseq)
		case "nick":
			n.markNick(e.UID)
		}
		return
	}
	u := n.uids[e.UID]
	if u != nil && !u.remote && seq <= u.skipUpTo {
		return // about a session handed over to us with this already in it
	}
	if u != nil && !u.remote && e.Kind != "hist" {
		return // stale: the user lives here now
	}
	switch e.Kind {
	case "reg":
		// MONITOR's watchers here learn of a new user, or of one known
		// under another nick, as of this event.
		renamed := true
		if u == nil {
			u = &user{uid: e.UID, remote: true, registered: true, chans: map[*channel]bool{}, signon: e.At}
			n.uids[e.UID] = u
		} else if o := n.users[fold(u.nick)]; o == u {
			delete(n.users, fold(u.nick))
			if renamed = fold(u.nick) != fold(e.Nick); renamed {
				n.monitorApplied(u, false, seq)
			}
		}
		u.nick, u.username, u.host, u.realname, u.account, u.away = e.Nick, e.User, e.Host, e.Real, e.Account, e.Text
		u.caps = capSet(e.Caps)
		u.node, u.inc = n.remoteNode(e.Node), e.inc()
		if o := n.users[fold(u.nick)]; o != nil && o != u && o.remote {
			n.dropRemote(o)
			n.monitorApplied(o, false, seq)
		}
		n.users[fold(u.nick)] = u
		if renamed {
			n.monitorApplied(u, true, seq)
		}
	case "nick":
		if u == nil {
			return
		}
		if n.users[fold(u.nick)] == u {
			delete(n.users, fold(u.nick))
		}
		n.monitorApplied(u, false, seq)
		u.nick = e.Nick
		if o := n.users[fold(u.nick)]; o != nil && o != u && o.remote {
			n.dropRemote(o)
		}
		n.users[fold(u.nick)] = u
		n.monitorApplied(u, true, seq)
		n.markNick(u.uid)
		n.tellUntold(e, seq, localPeers(u))
	case "away":
		if u != nil {
			u.away = e.Text
		}
	case "mark":
		n.applyMarker(e, seq)
	case "move":
		if u != nil {
			u.node, u.inc = n.remoteNode(e.Node), e.inc()
		}
	case "hist":
		p := irc.ParsePrefix(e.By)
		var ct irc.Tags
		if len(e.CTags) > 0 {
			ct = irc.Tags{}
			for k, v := range e.CTags {
				ct[k] = v
			}
		}
		n.recordFromStream(e.Key, histEntry{at: e.At, msgid: e.MsgID, prefix: p, cmd: e.Cmd, target: e.Chan, text: e.Text, ctags: ct})
	}
}

// dropRemote removes a remote user from this node's view, without a
// QUIT line: the node it was on told its peers (they got "to" events).
func (n *Network) dropRemote(u *user) {
	for ch := range u.chans {
		n.removeMember(ch, u)
	}
	if n.users[fold(u.nick)] == u {
		delete(n.users, fold(u.nick))
	}
	delete(n.uids, u.uid)
	u.gone = true
}

// handOver is MIGRATE OK when NEW is another process: the session goes to
// NEW through NATS before PROCEED (under Network.mu, which it releases
// while it waits for NEW's answer; the client's reader is parked on this
// line meanwhile, as OK is the last line OLD reads).
func (n *Network) handOver(c *conn, u *user, mig *migration) {
	cl := n.cl
	mig.flipping = true
	h := handover{
		UID: u.uid, Nick: u.nick, User: u.username, Host: u.host, Real: u.realname, Account: u.account, Away: u.away, Modes: u.modes,
		Caps: capList(u.caps), Cap302: u.cap302, Signon: u.signon, Monitor: monitorNicks(u),
		From: mig.from.name, FromCaps: capList(mig.from.caps), FromISupport: mig.from.isupport,
		RTok: mig.rtok, CTok: mig.ctok, Trigger: mig.trigger, After: cl.applied,
	}
	for ch := range u.chans {
		m := ch.members[u]
		h.Chans = append(h.Chans, handoverChan{Name: ch.name, Op: m != nil && m.op, Voice: m != nil && m.voice})
	}
	lseq := cl.lseq
	n.unlock()
	err := cl.handover(mig.to.name, &h, lseq)
	n.lock()
	mig.flipping = false
	pending := mig.pending
	mig.pending = nil
	if n.closed || u.gone || u.mig != mig {
		return
	}
	if err != nil {
		u.mig = nil
		n.stats.Failed++
		cl.cancel(mig.to.name, mig.rtok) // in case NEW took it after all
		n.share(event{Kind: "move", UID: u.uid})
		cl.saveNick(u)
		n.fromServer(u, "FAIL", "MIGRATE", "ABORTED", mig.rtok, "Could not hand the session over; staying on "+u.node.name)
		for _, p := range pending {
			n.deliver(u, p.m, p.x)
		}
		n.logf("migration %s %s→%s: ABORTED after OK: %v", u.nick, mig.from.name, mig.to.name, err)
		return
	}
	mig.stopTimers()
	u.mig = nil
	u.conn = nil
	u.remote = true
	u.node, u.inc = mig.to, mig.to.inc // as the registry has it; NEW's "move" event confirms
	c.stopped = true
	pm := &irc.Message{Prefix: &irc.Prefix{Name: mig.from.name}, Command: "MIGRATE", Params: []string{"PROCEED", mig.rtok}}
	c.sendLine(render(u, pm, n.ctx(false)).String())
	c.closeAfterFlush()
	n.logf("migration %s %s→%s: handed over after event %d, PROCEED after %v", u.nick, mig.from.name, mig.to.name, h.After, ms(time.Since(mig.tOK)))
}

// takeOver is NEW's side of handOver: the session is held here, with
// every line after OLD's cut, until RESUME.
func (n *Network) takeOver(h *handover) error {
	n.lock()
	defer n.unlock()
	cl := n.cl
	local := n.nodes[0]
	switch {
	case n.closed:
		return errNetworkClosed
	case local.draining || local.cfg.RefuseMigrations:
		return ErrNotAccepting
	case !validNick(h.Nick) || !validToken(h.RTok) || !validToken(h.CTok):
		return errBadHandover
	case cl.applied > h.After && h.After+1 < cl.ringFrom:
		return errHandoverGap
	}
	u := n.uids[h.UID]
	if u == nil {
		u = &user{uid: h.UID, chans: map[*channel]bool{}}
		n.uids[h.UID] = u
	} else if !u.remote {
		return ErrInProgress
	}
	if n.users[fold(u.nick)] == u {
		delete(n.users, fold(u.nick))
	}
	if o := n.users[fold(h.Nick)]; o != nil && o != u && o.remote {
		n.dropRemote(o)
	}
	u.nick, u.username, u.host, u.realname, u.account, u.away = h.Nick, h.User, h.Host, h.Real, h.Account, h.Away
	u.caps, u.cap302, u.signon, u.modes = capSet(h.Caps), h.Cap302, h.Signon, userModes(h.Modes)
	u.monitor = nil
	for _, nick := range h.Monitor {
		if validNick(nick) && len(u.monitor) < monitorLimit {
			if u.monitor == nil {
				u.monitor = map[string]string{}
			}
			u.monitor[fold(nick)] = nick
		}
	}
	u.registered, u.remote, u.gone, u.conn = true, false, false, nil
	u.node = local
	u.skipUpTo = h.After
	n.users[fold(u.nick)] = u
	want := map[string]handoverChan{}
	for _, hc := range h.Chans {
		want[fold(hc.Name)] = hc
	}
	for ch := range u.chans {
		if _, ok := want[fold(ch.name)]; !ok {
			n.removeMember(ch, u)
		}
	}
	for key, hc := range want {
		ch := n.chans[key]
		if ch == nil {
			ch = &channel{name: hc.Name, created: n.now(), members: map[*user]*member{}, noExternal: true, topicLock: true}
			n.chans[key] = ch
		}
		ch.members[u] = &member{op: hc.Op, voice: hc.Voice}
		u.chans[ch] = true
	}
	from := n.remoteNode(h.From)
	if from.remote && len(h.FromCaps) > 0 {
		from.caps, from.isupport = capSet(h.FromCaps), h.FromISupport
	}
	now := time.Now()
	mig := &migration{from: from, to: local, rtok: h.RTok, ctok: h.CTok, trigger: h.Trigger, held: true, tStart: now, tOK: now, tProceed: now}
	u.mig = mig
	n.tokens[h.RTok] = u
	mig.timer = time.AfterFunc(n.opts.HoldTimeout, func() {
		n.lock()
		defer n.unlock()
		if !n.closed && u.mig == mig && !u.gone {
			n.logf("migration %s %s→%s: no RESUME within %v", u.nick, mig.from.name, mig.to.name, n.opts.HoldTimeout)
			n.endHeld(u, "Migration timed out")
		}
	})
	// Every line for the session after OLD's cut, in order: the events
	// this node consumed already, then its own not yet consumed.
	replayed := 0
	cl.applying = true // lines from elsewhere, not made here (see cancelTakeOver)
	defer func() { cl.applying = false }()
	for _, r := range cl.ring {
		if r.seq > h.After && r.uid == h.UID {
			n.deliver(u, r.m, r.x)
			replayed++
		}
	}
	cl.omu.Lock()
	var own []*sentLine
	for _, sl := range cl.sentTo {
		// Not yet consumed here (a consumed one is in the ring, even
		// when its stream sequence is not yet known to this node), and
		// after OLD's cut (serveHandover waited until every line made
		// before the request had its sequence).
		if sl.uid == h.UID && sl.lseq > cl.ownApplied && (sl.seq == 0 || sl.seq > h.After) {
			own = append(own, sl)
		}
	}
	cl.omu.Unlock()
	for _, sl := range own {
		n.deliver(u, sl.m, sl.x)
	}
	u.ownSkip = cl.lseq
	n.share(event{Kind: "move", UID: u.uid})
	cl.saveNick(u)
	n.logf("migration %s %s→%s: session taken over after event %d (%d lines from the ring, %d of this node's in flight)", u.nick, h.From, local.name, h.After, replayed, len(own))
	return nil
}

// uidFor gives a new local user its network-wide id (cluster mode).
func (n *Network) uidFor() string {
	n.cl.uidSeq++
	return n.nodes[0].name + "." + n.cl.boot + "." + strconv.FormatUint(n.cl.uidSeq, 36)
}

// shareHist publishes a history entry recorded here.
func (n *Network) shareHist(key string, u *user, cmd, target, text string, x msgCtx) {
	if !n.bb.shares() || u.local != nil {
		return
	}
	n.share(event{Kind: "hist", Key: key, By: u.prefix().String(), Cmd: cmd, Chan: target, Text: text, At: x.at, MsgID: x.msgid, CTags: x.ctags})
	if h := n.hist[key]; h != nil && len(h.entries) > 0 {
		h.entries[len(h.entries)-1].pend = n.cl.lseq // until the event is consumed (recordFromStream)
		h.pending++
	}
}

// leaveCluster ends this node's part in the network (from Close): users
// still here quit (the others see QUIT, the nicks are freed), what this
// node accepted is stored in NATS (bounded), and its registry entry goes.
func (n *Network) leaveCluster() {
	n.lock()
	for _, u := range n.sortedUsers() {
		if !u.remote && u.uid != "" && !u.gone && u.local == nil {
			if u.mig != nil {
				u.mig.stopTimers()
				if n.tokens[u.mig.rtok] == u {
					delete(n.tokens, u.mig.rtok)
				}
				u.mig = nil
			}
			n.quitUser(u, "Server restarting")
		}
	}
	n.unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	if err := n.cl.flush(ctx); err != nil {
		n.logf("%s: leaving the network: %v", n.nodes[0].name, err)
	}
	cancel()
	n.cl.stop()
}

// remoteUIDs lists ch's members on other nodes: the ones a broadcast to
// ch reached through "to" events.
func remoteUIDs(ch *channel) []string {
	var out []string
	for mu := range ch.members {
		if mu.remote {
			out = append(out, mu.uid)
		}
	}
	return out
}

// peerUIDs lists the users on other nodes sharing a channel with u.
func peerUIDs(u *user) []string {
	seen := map[*user]bool{u: true}
	var out []string
	for ch := range u.chans {
		for mu := range ch.members {
			if !seen[mu] {
				seen[mu] = true
				if mu.remote {
					out = append(out, mu.uid)
				}
			}
		}
	}
	return out
}

// localPeers lists the users of this node sharing a channel with u.
func localPeers(u *user) []*user {
	seen := map[*user]bool{u: true}
	var out []*user
	for ch := range u.chans {
		for _, mu := range ch.sortedMembers() {
			if !seen[mu] {
				seen[mu] = true
				if !mu.remote {
					out = append(out, mu)
				}
			}
		}
	}
	return out
}

func localMembers(ch *channel) []*user {
	var out []*user
	if ch == nil {
		return nil
	}
	for _, mu := range ch.sortedMembers() {
		if !mu.remote {
			out = append(out, mu)
		}
	}
	return out
}

// tellUntold delivers a remote event's line to this node's users that
// its origin did not know were there (seq is the event's).
func (n *Network) tellUntold(e *event, seq uint64, recips []*user) {
	if e.Line == "" || len(recips) == 0 {
		return
	}
	m, err := irc.ParseMessage(e.Line)
	if err != nil {
		return
	}
	told := capSet(e.Told)
	x := msgCtx{at: e.At}
	n.cl.applying = true
	for _, r := range recips {
		if !r.remote && !r.gone && !told[r.uid] && r.uid != e.UID && seq > r.skipUpTo {
			n.deliver(r, m, x)
		}
	}
	n.cl.applying = false
}

// cancelTakeOver drops a session taken over whose OLD kept it after all
// (it gave up waiting for this node's answer): the user is OLD's again,
// and the lines this node made for it while holding it go there.
func (n *Network) cancelTakeOver(rtok string) {
	n.lock()
	defer n.unlock()
	u := n.tokens[rtok]
	if n.closed || u == nil || u.mig == nil || !u.mig.held || u.mig.old != nil || !u.mig.from.remote {
		return
	}
	mig := u.mig
	mig.stopTimers()
	delete(n.tokens, rtok)
	u.mig = nil
	u.remote, u.node, u.inc = true, mig.from, mig.from.inc
	for _, h := range mig.hold {
		if h.made {
			n.deliver(u, h.m, h.x)
		}
	}
	n.logf("migration %s %s→%s: cancelled by %s, which kept the session", u.nick, mig.from.name, mig.to.name, mig.from.name)
}
