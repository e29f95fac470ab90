package testnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"gopkg.in/irc.v4"
)

// Reaping: a node that stops without leaving (kill -9, a crash, a lost
// machine, or a process cut from NATS) leaves its users in the other
// nodes' views, in channels, holding their nicks. Once its registry entry
// has not been refreshed for the TTL, the network ends them.
//
// What is ended is an incarnation, not a node name: every user carries
// the incarnation of the node it came with (from its "reg" or "move"
// event), and a node restarted, or back from a partition, serves under a
// new one. One "reap" event names the node and the incarnation. Every
// node applies it at its place in the stream, the reaper included, and
// ends in its own view the remote users of that incarnation, telling its
// own users who shared a channel with them (one QUIT each). All nodes
// apply one stream in one order, so their views agree on who goes, and a
// second reap of the same incarnation finds nobody left: the event is
// idempotent, which is what makes the QUIT exactly once even when two
// nodes reap at the same moment (a survivor and the node itself,
// restarted). A KV create of a marker per incarnation (bucket reaped)
// elects one survivor to publish, so the others add no empty events, and
// tells a node back from a partition that it was reaped.
//
// Before the event, the reaper frees the nicks (a compare-and-delete on
// the claim's uid, so a nick someone took since stays theirs) and takes
// the users out of the channel records; the outbox stores them in order,
// so a nick is free before anyone sees the QUIT.
//
// A node must not judge the others by its own trouble with NATS: it
// judges no other dead until it has been connected to NATS and watching
// the registry for a whole TTL (watching is reset when NATS goes away),
// and it reads the entry from KV, not from its watch, before it reaps.
// A node cut from NATS for longer than the TTL is reaped although it was
// alive (the others cannot tell a partition from a death): when it is
// back and learns so (the marker, or the reap event in the stream), it
// closes its users' links with an ERROR that says why, forgets them
// without a QUIT (the others saw one), and goes on as a new incarnation.
// What its users said while it was cut off is stored when NATS is back,
// and reaches the others after the QUIT.
//
// The QUIT reason is "<reaper> <dead node>": the two-server-name form of
// a netsplit, which clients know to show as one, with ferryd's node names
// as its server names. A node ending its own previous run says "Server
// restarted", as a restart did before.

// reapedTTL bounds how long a marker is kept: longer than any partition
// a node could come back from with its users still connected.
const reapedTTL = 7 * 24 * time.Hour

// reapMark is a marker's value: who ended the incarnation, and when.
type reapMark struct {
	By string    `json:"by"`
	At time.Time `json:"at"`
}

// reapKey is the marker key of node's incarnation inc.
func reapKey(node, inc string) string { return hexKey(node) + "." + inc }

// reapable reports whether u is a remote user of node's incarnation inc.
func reapable(u *user, node, inc string) bool {
	return u.remote && !u.gone && u.node != nil && u.node.name == node && u.inc == inc
}

// ghost is an incarnation of a node that this view holds users of.
type ghost struct {
	node, inc string
	users     int
}

// ghosts lists the incarnations this view holds users of that may be
// gone: a previous run of this node, or another node's whose entry this
// node has not seen refreshed within the TTL (under Network.mu). A node
// that runs again ends its previous run's users itself when it starts.
func (n *Network) ghosts() []ghost {
	cl, local := n.cl, n.nodes[0]
	count := map[[2]string]int{}
	for _, u := range n.uids {
		if !u.remote || u.gone || u.node == nil || u.inc == "" {
			continue
		}
		nd := u.node
		if nd != local && !nd.down && time.Since(nd.beat) <= cl.ttl {
			continue
		}
		count[[2]string{nd.name, u.inc}]++
	}
	out := make([]ghost, 0, len(count))
	for k, c := range count {
		out = append(out, ghost{node: k[0], inc: k[1], users: c})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].node < out[j].node || out[i].node == out[j].node && out[i].inc < out[j].inc
	})
	return out
}

// reapGone ends the users of the gone incarnations this node knows of,
// once it has watched the registry for a whole TTL (registryLoop's
// goroutine; it takes Network.mu itself).
func (cl *cluster) reapGone(ctx context.Context) {
	if !cl.watchedTTL() {
		return
	}
	n := cl.n
	n.lock()
	if n.closed {
		n.unlock()
		return
	}
	local := n.nodes[0].name
	gs := n.ghosts()
	n.unlock()
	for _, g := range gs {
		if g.node != local && cl.entryAlive(ctx, g.node) {
			continue
		}
		if !cl.claimReap(ctx, g) {
			continue
		}
		reason := local + " " + g.node
		if g.node == local {
			reason = "Server restarted"
		}
		n.lock()
		if !n.closed {
			n.logf("%s: ending the %d users of %s (incarnation %s), gone for %v: %q", local, g.users, g.node, g.inc, cl.ttl, reason)
			cl.reap(g.node, g.inc, reason)
		}
		n.unlock()
	}
}

// entryAlive reads node's registry entry from KV (the watch may lag) and
// reports whether it was refreshed within the TTL, whichever incarnation
// wrote it (a node back as a new one ends its old one's users itself);
// when NATS cannot answer it says alive: nothing is reaped on doubt.
func (cl *cluster) entryAlive(ctx context.Context, node string) bool {
	gctx, cancel := context.WithTimeout(ctx, natsOpTimeout)
	defer cancel()
	e, err := cl.nodes.Get(gctx, node)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false
	}
	if err != nil {
		return true
	}
	return e.Operation() == jetstream.KeyValuePut && time.Since(e.Created()) <= cl.ttl
}

// claimReap creates g's marker. It reports false when another node made
// it less than a TTL ago (its reap event is on its way) or NATS cannot
// answer; a marker older than that whose users are still here means its
// maker stopped before publishing, and reaping again is harmless.
func (cl *cluster) claimReap(ctx context.Context, g ghost) bool {
	cctx, cancel := context.WithTimeout(ctx, natsOpTimeout)
	defer cancel()
	data, _ := json.Marshal(reapMark{By: cl.n.nodes[0].name, At: time.Now()})
	key := reapKey(g.node, g.inc)
	_, err := cl.reaped.Create(cctx, key, data)
	if err == nil {
		return true
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return false
	}
	e, err := cl.reaped.Get(cctx, key)
	return err == nil && time.Since(e.Created()) > cl.ttl
}

// reap frees the nicks of node's incarnation inc and publishes the event
// that ends its users everywhere; their channel seats go when each node
// applies it (reapSeats) (under Network.mu).
func (cl *cluster) reap(node, inc, reason string) {
	n := cl.n
	for _, u := range n.uids {
		if !reapable(u, node, inc) {
			continue
		}
		cl.dropClaim(hexKey(fold(u.nick)), u.uid)
	}
	n.share(event{Kind: "reap", Dead: node, DeadInc: inc, Text: reason})
}

// reapPredecessors ends the users this node's previous runs left behind
// (it stopped without telling the network and no survivor has ended them
// yet), and waits until this node has applied that, so a restarted node
// serves with their nicks free. It returns how many it ended.
func (cl *cluster) reapPredecessors(ctx context.Context) (int, error) {
	n := cl.n
	n.lock()
	local := n.nodes[0].name
	var mine []ghost
	total := 0
	for _, g := range n.ghosts() {
		if g.node == local {
			mine = append(mine, g)
			total += g.users
		}
	}
	n.unlock()
	if len(mine) == 0 {
		return 0, nil
	}
	for _, g := range mine {
		// The marker keeps survivors from publishing as well; losing the
		// race to one is fine, the second event ends nobody.
		mctx, cancel := context.WithTimeout(ctx, natsOpTimeout)
		data, _ := json.Marshal(reapMark{By: local, At: time.Now()})
		_, _ = cl.reaped.Create(mctx, reapKey(g.node, g.inc), data)
		cancel()
	}
	n.lock()
	for _, g := range mine {
		cl.reap(g.node, g.inc, "Server restarted")
	}
	lseq := cl.lseq
	n.unlock()
	seq, err := cl.storedUpTo(ctx, lseq)
	if err == nil {
		err = cl.appliedUpTo(ctx, seq)
	}
	if err != nil {
		return 0, fmt.Errorf("ending the users of a previous run: %w", err)
	}
	return total, nil
}

// applyReap applies a reap event: the remote users of the incarnation go
// from this view, with one QUIT to each user of this node who shared a
// channel with them (and MONITOR's offline to its watchers); when the
// incarnation is this node's own, it was cut off and its users were ended
// elsewhere (under Network.mu).
func (n *Network) applyReap(e *event, seq uint64) {
	cl, local := n.cl, n.nodes[0]
	if e.Dead == local.name && e.DeadInc == cl.inc {
		n.reapSeats(e)
		n.reapedHere(e.Node)
		return
	}
	var ending []*user
	for _, u := range n.uids {
		if reapable(u, e.Dead, e.DeadInc) {
			ending = append(ending, u)
		}
	}
	if len(ending) == 0 {
		n.reapSeats(e)
		return
	}
	sort.Slice(ending, func(i, j int) bool { return fold(ending[i].nick) < fold(ending[j].nick) })
	recips := make([][]*user, len(ending))
	for i, u := range ending {
		recips[i] = localPeers(u) // before the seats go: they are who shared a channel
	}
	n.reapSeats(e)
	x := msgCtx{at: e.At}
	cl.applying = true
	for i, u := range ending {
		m := &irc.Message{Prefix: u.prefix(), Command: "QUIT", Params: []string{e.Text}}
		recips := recips[i]
		n.dropRemote(u)
		for _, r := range recips {
			if !r.gone && seq > r.skipUpTo {
				n.deliver(r, m, x)
			}
		}
		n.monitorApplied(u, false, seq)
	}
	cl.applying = false
	n.logf("%s: %d users of %s (incarnation %s) ended by %s: %s", local.name, len(ending), e.Dead, e.DeadInc, e.Node, e.Text)
}

// reapSeats takes the users of the reaped incarnation out of the stream's
// channel state (chanstate.go) at the reap event's place in the stream,
// on every node alike, the dead one included, so the channels' members,
// and whether a channel empties, stay the same everywhere; then this
// node's view and the channels' records follow (under Network.mu).
func (n *Network) reapSeats(e *event) {
	cl, local := n.cl, n.nodes[0]
	var keys []string
	seen := map[string]bool{}
	for _, u := range n.uids {
		home, inc := local.name, cl.inc // this node's own users are of its current run
		if u.remote {
			home, inc = "", u.inc
			if u.node != nil {
				home = u.node.name
			}
		}
		if u.uid == "" || home != e.Dead || inc != e.DeadInc {
			continue
		}
		q := &event{Kind: "quit", UID: u.uid}
		ks := cl.chanKeys(q)
		cl.streamChange(q, ks)
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		n.syncChan(k)
		n.markRecord(k)
	}
}

// checkReaped looks, once NATS is back, whether the network reaped this
// node's incarnation while it was cut off (registryLoop's goroutine).
func (cl *cluster) checkReaped(ctx context.Context) {
	n := cl.n
	n.lock()
	inc, local := cl.inc, n.nodes[0].name
	n.unlock()
	gctx, cancel := context.WithTimeout(ctx, natsOpTimeout)
	defer cancel()
	e, err := cl.reaped.Get(gctx, reapKey(local, inc))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		cl.recheck.Store(false)
		return
	}
	if err != nil {
		return // again at the next heartbeat
	}
	cl.recheck.Store(false)
	var m reapMark
	_ = json.Unmarshal(e.Value(), &m)
	n.lock()
	if !n.closed && cl.inc == inc {
		n.reapedHere(m.By)
	}
	n.unlock()
}

// reapedHere is this node learning that the network ended its users
// while it was cut from NATS (by names the reaper): on the other nodes
// they quit, so keeping them here would split the network in two. Their
// links close with an ERROR saying why (clients reconnect), and the node
// goes on as a new incarnation, so that the users who register now are
// not the reaped ones (under Network.mu).
func (n *Network) reapedHere(by string) {
	cl, local := n.cl, n.nodes[0]
	old := cl.inc
	cl.incGen++
	cl.inc = cl.boot + "-" + strconv.Itoa(cl.incGen)
	reason := local.name + " was cut from the network for longer than " + cl.ttl.String() + " and its users were ended; please reconnect"
	closed := 0
	for _, u := range n.sortedUsers() {
		if u.remote || u.gone || u.uid == "" || u.local != nil {
			continue
		}
		n.endSplit(u, reason)
		closed++
	}
	n.logf("%s: the network ended this node's users (incarnation %s, by %s) while it was cut from NATS: closed %d links; serving new registrations as incarnation %s", local.name, old, by, closed, cl.inc)
}

// endSplit closes the link of a local user the network has reaped
// already: no QUIT line (the others saw one); its nick claim and channel
// seats go only if still its own (under Network.mu).
func (n *Network) endSplit(u *user, reason string) {
	cl := n.cl
	if u.mig != nil {
		u.mig.stopTimers()
		if n.tokens[u.mig.rtok] == u {
			delete(n.tokens, u.mig.rtok)
		}
		u.mig = nil
	}
	cl.dropClaim(hexKey(fold(u.nick)), u.uid)
	// Without a line: a node that still knows the user (it registered
	// after the reap) forgets it quietly.
	n.share(event{Kind: "quit", UID: u.uid, Text: reason})
	chans := make([]*channel, 0, len(u.chans))
	for ch := range u.chans {
		chans = append(chans, ch)
	}
	for _, ch := range chans {
		n.removeMember(ch, u)
		cl.changeChannel(ch, chanChange{leave: u})
	}
	delete(n.uids, u.uid)
	if n.users[fold(u.nick)] == u {
		delete(n.users, fold(u.nick))
	}
	if c := u.conn; c != nil {
		c.sendLine("ERROR :Closing link (" + u.host + ") [" + reason + "]")
		c.closeAfterFlush()
	}
	u.gone = true
	n.logf("%s: %s closed: %s", n.nodes[0].name, u.nick, reason)
}
