package testnet

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gopkg.in/irc.v4"
)

// ClusterOptions put a Network in cluster mode: this process runs exactly
// one node (Options.Nodes has one entry) and shares the network with the
// nodes of other processes through NATS with JetStream.
type ClusterOptions struct {
	// NATSURL is the NATS server (or comma-separated servers of a NATS
	// cluster) to join, e.g. "nats://127.0.0.1:4222". Credentials in it
	// (nats://user:pass@host, nats://token@host) are used as nats.go uses
	// them, ahead of Token, and never logged.
	NATSURL string
	// Token is the shared secret the NATS server wants (ferryd
	// -nats-token-file); "" sends none.
	Token string
	// TLS, when set, makes the link to NATS TLS only, verified with it
	// (ferryd -nats-ca); nil still follows a server that requires TLS,
	// verified against the system's roots.
	TLS *tls.Config
	// Prefix names the stream, KV buckets and subjects; "" means "ferry".
	// Networks with different prefixes can share one NATS server.
	Prefix string
	// StartTimeout bounds connecting to NATS and catching up with the
	// network's state at Start; 0 means 15 s.
	StartTimeout time.Duration
	// Replicas is how many servers of a NATS cluster keep the stream and
	// the KV buckets (JetStream replication); 0 means 1. Used when this
	// node creates them, that is when it is the first node of the network.
	Replicas int
	// RegistryTTL is how long a node's registry entry lives without a
	// refresh, and so how long a node that stopped without leaving (or
	// was cut from NATS) keeps its users before the others end them; 0
	// means 10 s. The entry is refreshed five times per TTL. Every node of
	// a network should use the same value; the registry bucket keeps the
	// one of the node that created it. Tests shorten it.
	RegistryTTL time.Duration
	// SnapshotEvery and SnapshotInterval say how often a node writes a
	// snapshot of the network's state (snapshot.go): after that many
	// events or that long, whichever comes first; 0 means 10 000 events
	// and 10 min. SnapshotKeep is how many events before a snapshot's
	// the stream keeps when it is purged; 0 means 100 000. Tests lower
	// them.
	SnapshotEvery    int
	SnapshotInterval time.Duration
	SnapshotKeep     int
}

// What lives in NATS (with Prefix "ferry"):
//
//	stream FERRY_EVENTS, subjects ferry.ev.<node>  every event (state changes, lines for users, history)
//	KV ferry-nicks     folded nick (hex) -> {nick, uid, node}; a registration is a create
//	KV ferry-chans     folded channel (hex) -> {name, topic, modes, members}
//	KV ferry-accounts  account (hex) -> SCRAM-SHA-256 verifier (verifier.go), seeded by every node from its flags
//	KV ferry-nodes     node name -> {incarnation, addresses, caps, draining}, 10 s TTL, refreshed every 2 s
//	KV ferry-reaped    hex node name "." incarnation -> who ended that incarnation's users (reap.go)
//	KV ferry-markers   hex account "." hex folded target -> read marker, the latest kept (natsmarkers.go)
//	KV ferry-snapshot  "latest" -> {version, event S, object}: the newest snapshot (snapshot.go)
//	objects ferry-snapshots  the snapshots' bodies: the stream's state as of event S
//	subject ferry.node.<name>.handover  request/reply carrying a migrating session
//	subject ferry.node.<name>.cancel    OLD kept a session it had offered (its answer came too late)
//	subject ferry.node.<name>.ping      answered by the running process of that node
//	subject ferry.node.<name>.migrate   the operator's migrate command for a user of that node
const (
	registryTTL   = 10 * time.Second
	natsOpTimeout = 3 * time.Second
	outboxLimit   = 100000
)

var (
	errNickTaken        = errors.New("nickname is already in use")
	errStateUnavailable = errors.New("the network state (NATS) is unreachable")
	errBadHandover      = errors.New("malformed hand-over")
	errHandoverGap      = errors.New("events after the hand-over point are no longer at hand")
)

// cluster is a node's link to the rest of the network. Fields marked
// "Network.mu" are guarded by it; the outbox has its own lock so the
// publisher never waits for the network's.
type cluster struct {
	n        *Network
	prefix   string
	boot     string // this process's incarnation, to tell its own events from a predecessor's
	nc       *nats.Conn
	js       jetstream.JetStream
	nicks    jetstream.KeyValue
	chans    jetstream.KeyValue
	nodes    jetstream.KeyValue
	accts    jetstream.KeyValue
	cc       jetstream.ConsumeContext
	hsub     *nats.Subscription
	csub     *nats.Subscription
	psub     *nats.Subscription
	msub     *nats.Subscription
	reaped   jetstream.KeyValue
	markers  jetstream.KeyValue
	down     atomic.Bool
	stopping atomic.Bool
	ttl      time.Duration // of the registry entries

	// inc is this node's incarnation (Network.mu): boot, and a new one
	// each time the network ended the node's users while it was cut off.
	inc    string
	incGen int
	// watching is when this node last (re)joined NATS and its registry
	// watch (unix ns; 0 while NATS is away): it judges no other node
	// dead before it has watched for a whole TTL (reap.go).
	watching atomic.Int64
	// recheck: NATS is back; look whether this incarnation was reaped.
	recheck atomic.Bool

	applied  uint64      // Network.mu: last event applied
	applying bool        // Network.mu: a consumed event is being applied
	ring     []ringEntry // Network.mu: recent "to" events, every one from seq ringFrom on
	ringFrom uint64
	uidSeq   uint64
	lseq     uint64 // Network.mu: events published by this process

	streamChans map[string]*streamChan // Network.mu: channels as the stream has them (chanstate.go)
	pend        []*event               // Network.mu: own channel events not yet consumed
	recs        map[string]*chanRec    // omu: channel records to write, by KV key (chanrec.go)
	fixes       int                    // Network.mu: corrections made (chanfix.go)

	stream   streamState // Network.mu: users and history as the stream has them (snapshot.go)
	snap     snapStore
	snapAt   uint64    // Network.mu: the event of the last snapshot written or loaded
	snapTime time.Time // Network.mu: when
	gapSaid  bool      // Network.mu: a gap in the stream was logged

	// ownApplied is the Lseq of the last of this process's own events
	// applied (Network.mu): its "to" events up to it are in the ring.
	ownApplied uint64
	// appliedMore is closed when applied moves (Network.mu); nil until
	// someone waits (appliedUpTo). A migration's hand-over waits on it,
	// inside the window: a wake-up, not a poll, so the wait costs nothing
	// beyond the event itself.
	appliedMore chan struct{}

	omu     sync.Mutex
	outbox  []outItem
	owake   chan struct{}
	pending atomic.Int64 // items not yet stored in NATS
	stored  uint64       // omu: lseq of the last event stored
	storedS uint64       // omu: its stream sequence
	// storedMore is closed when stored moves (omu); nil until someone
	// waits (storedUpTo), as appliedMore.
	storedMore chan struct{}
	sentTo     []*sentLine // omu: recent "to" events of this process, by lseq
	quit       chan struct{}
}

// outItem is one thing to store in NATS, in the order it was made.
type outItem struct {
	subj string
	id   string
	lseq uint64
	data []byte
	kv   func(ctx context.Context) error
	what string
	sent *sentLine
}

// sentLine is a "to" event this process published: a hand-over to this
// node delivers the ones for the arriving user that it has not consumed
// yet, in order, before anything newer.
type sentLine struct {
	lseq, seq uint64 // seq is 0 until stored
	uid       string
	m         *irc.Message
	x         msgCtx
}

const sentLimit = 1 << 14

func (o *ClusterOptions) prefix() string {
	if o.Prefix == "" {
		return "ferry"
	}
	return o.Prefix
}

// startCluster connects to NATS, makes sure the stream and buckets exist,
// replays the network's events into this process's view and starts the
// registry heartbeat. The node's listeners are open but not yet serving.
func (n *Network) startCluster(o *ClusterOptions) error {
	if len(n.nodes) != 1 {
		return errors.New("testnet: cluster mode runs exactly one node per process")
	}
	timeout := o.StartTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	cl := &cluster{n: n, prefix: o.prefix(), boot: hex.EncodeToString(b[:]), owake: make(chan struct{}, 1), quit: make(chan struct{}), ttl: o.RegistryTTL}
	if cl.ttl <= 0 {
		cl.ttl = registryTTL
	}
	cl.inc = cl.boot
	local := n.nodes[0]
	nopts := []nats.Option{
		nats.Name("ferryd " + local.name),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			cl.down.Store(true)
			cl.watching.Store(0)
			if cl.stopping.Load() {
				return
			}
			n.logf("%s: lost NATS (%v): refusing registrations; local users keep talking, lines for other nodes are buffered", local.name, err)
		}),
		nats.ReconnectHandler(func(c *nats.Conn) {
			cl.down.Store(false)
			cl.watching.Store(time.Now().UnixNano())
			cl.recheck.Store(true)
			n.logf("%s: NATS is back (%s): replaying %d buffered items", local.name, redactURL(c.ConnectedUrl()), cl.pending.Load())
			cl.wake()
		}),
	}
	if o.Token != "" {
		nopts = append(nopts, nats.Token(o.Token))
	}
	if o.TLS != nil {
		nopts = append(nopts, nats.Secure(o.TLS.Clone()))
	}
	nc, err := nats.Connect(o.NATSURL, nopts...)
	if err != nil {
		return connectError(o, err)
	}
	cl.nc = nc
	fail := func(err error) error {
		nc.Close()
		return fmt.Errorf("testnet: NATS: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return fail(err)
	}
	cl.js = js
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	// One process per node name: a running one answers on its subject.
	pctx, pcancel := context.WithTimeout(ctx, 500*time.Millisecond)
	reply, err := nc.RequestWithContext(pctx, cl.prefix+".node."+local.name+".ping", nil)
	pcancel()
	if err == nil {
		return fail(fmt.Errorf("node %s is already running (process %s)", local.name, reply.Data))
	}
	psub, err := nc.Subscribe(cl.prefix+".node."+local.name+".ping", func(m *nats.Msg) { _ = m.Respond([]byte(cl.boot)) })
	if err != nil {
		return fail(err)
	}
	cl.psub = psub
	// The first node of a network creates the stream and the buckets; the
	// others use them as they are (their replication included).
	stream := streamName(cl.prefix)
	if _, err := js.Stream(ctx, stream); errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(ctx, jetstream.StreamConfig{
			Name:       stream,
			Subjects:   []string{cl.prefix + ".ev.>"},
			Storage:    jetstream.FileStorage,
			Duplicates: 2 * time.Minute, // no age or count limit: snapshots purge it (snapshot.go)
			Replicas:   o.Replicas,
		})
		if err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return fail(fmt.Errorf("stream %s: %w", stream, err))
		}
	} else if err != nil {
		return fail(fmt.Errorf("stream %s: %w", stream, err))
	}
	for _, b := range []struct {
		kv   *jetstream.KeyValue
		name string
		ttl  time.Duration
	}{{&cl.nicks, "nicks", 0}, {&cl.chans, "chans", 0}, {&cl.accts, "accounts", 0}, {&cl.nodes, "nodes", cl.ttl}, {&cl.reaped, "reaped", reapedTTL}, {&cl.markers, "markers", 0}} {
		bucket := cl.prefix + "-" + b.name
		kv, err := js.KeyValue(ctx, bucket)
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, TTL: b.ttl, Storage: jetstream.FileStorage, Replicas: o.Replicas})
			if errors.Is(err, jetstream.ErrBucketExists) {
				kv, err = js.KeyValue(ctx, bucket)
			}
		}
		if err != nil {
			return fail(fmt.Errorf("KV %s: %w", bucket, err))
		}
		*b.kv = kv
	}
	// First writer wins: an account another node published stays as it is.
	for name, a := range n.accounts {
		_, _ = cl.accts.Create(ctx, hexKey(name), []byte(a.verifier()))
	}
	cl.upgradeAccounts(ctx)
	if err := cl.loadMarkers(ctx); err != nil {
		return fail(err)
	}
	n.cl, n.bb = cl, cl
	if n.uids == nil {
		n.uids = map[string]*user{}
	}
	info, err := js.Stream(ctx, stream)
	if err != nil {
		return fail(err)
	}
	if err := unbound(ctx, js, info); err != nil {
		return fail(fmt.Errorf("stream %s: %w", stream, err))
	}
	from, err := cl.startFrom(ctx, o, info.CachedInfo().State)
	if err != nil {
		return fail(err)
	}
	base := cl.snapAt // the snapshot's event, 0 without one
	last := info.CachedInfo().State.LastSeq
	if st := info.CachedInfo().State; st.Msgs == 0 || st.FirstSeq > st.LastSeq {
		last = base // nothing left to replay
	}
	cons, err := js.OrderedConsumer(ctx, stream, from)
	if err != nil {
		return fail(fmt.Errorf("consumer: %w", err))
	}
	cc, err := cons.Consume(cl.consume)
	if err != nil {
		return fail(fmt.Errorf("consume: %w", err))
	}
	cl.cc = cc
	if err := cl.appliedUpTo(ctx, last); err != nil {
		cc.Stop()
		return fail(fmt.Errorf("catching up with %d events: %w", last, err))
	}
	hsub, err := nc.Subscribe(cl.prefix+".node."+local.name+".handover", cl.serveHandover)
	if err != nil {
		cc.Stop()
		return fail(err)
	}
	cl.hsub = hsub
	csub, err := nc.Subscribe(cl.prefix+".node."+local.name+".cancel", func(m *nats.Msg) { n.cancelTakeOver(string(m.Data)) })
	if err != nil {
		cc.Stop()
		return fail(err)
	}
	cl.csub = csub
	msub, err := nc.Subscribe(cl.prefix+".node."+local.name+".migrate", cl.serveMigrate)
	if err != nil {
		cc.Stop()
		return fail(err)
	}
	cl.msub = msub
	n.wg.Add(1)
	go cl.publishLoop()
	ghosts, err := cl.reapPredecessors(ctx)
	if err == nil {
		err = cl.heartbeat(ctx)
	}
	if err != nil {
		close(cl.quit)
		cc.Stop()
		return fail(fmt.Errorf("registry: %w", err))
	}
	n.wg.Add(1)
	go cl.registryLoop()
	n.logf("%s: joined the network through NATS %s (%d events replayed%s)", local.name, redactURL(nc.ConnectedUrl()), last-min(last, base), suffix(ghosts > 0, ", "+strconv.Itoa(ghosts)+" users of a previous run ended"))
	return nil
}

func streamName(prefix string) string {
	b := []byte(prefix)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		default:
			b[i] = '_'
		}
	}
	return string(b) + "_EVENTS"
}

// hexKey makes any nick, channel or account name a valid KV key.
func hexKey(s string) string { return hex.EncodeToString([]byte(s)) }

// unhexKey undoes hexKey (for a log line; a key that is not hex stays as is).
func unhexKey(k string) string {
	b, err := hex.DecodeString(k)
	if err != nil {
		return k
	}
	return string(b)
}

// consume applies one event from the stream, in stream order.
func (cl *cluster) consume(msg jetstream.Msg) {
	md, err := msg.Metadata()
	if err != nil {
		return
	}
	var e event
	if err := json.Unmarshal(msg.Data(), &e); err != nil {
		cl.n.logf("event %d: %v", md.Sequence.Stream, err)
		return
	}
	n := cl.n
	n.lock()
	if !n.closed && md.Sequence.Stream > cl.applied {
		n.apply(&e, md.Sequence.Stream)
	}
	n.unlock()
}

// publish queues an event (under Network.mu); the publisher stores it.
func (cl *cluster) publish(e event) {
	cl.publishLine(e, nil, msgCtx{})
}

// publishLine publishes e; for a "to" event, m and x are its line.
func (cl *cluster) publishLine(e event, m *irc.Message, x msgCtx) {
	local := cl.n.nodes[0]
	cl.lseq++
	e.Boot, e.Node, e.Lseq = cl.boot, local.name, cl.lseq
	if e.At.IsZero() {
		e.At = cl.n.now()
	}
	if cl.inc != cl.boot {
		e.Inc = cl.inc
	}
	data, err := json.Marshal(e)
	if err != nil {
		return
	}
	cl.ownChange(e)
	it := outItem{subj: cl.prefix + ".ev." + local.name, id: cl.boot + "-" + strconv.FormatUint(cl.lseq, 10), lseq: cl.lseq, data: data, what: e.Kind}
	if m != nil {
		it.sent = &sentLine{lseq: cl.lseq, uid: e.UID, m: m, x: x}
		cl.omu.Lock()
		cl.sentTo = append(cl.sentTo, it.sent)
		if len(cl.sentTo) > sentLimit {
			cl.sentTo = append(cl.sentTo[:0:0], cl.sentTo[len(cl.sentTo)-sentLimit/2:]...)
		}
		cl.omu.Unlock()
	}
	cl.enqueue(it)
}

// storedUpTo waits until every event up to lseq is stored and returns
// the stream sequence of the last one stored.
func (cl *cluster) storedUpTo(ctx context.Context, lseq uint64) (uint64, error) {
	for {
		cl.omu.Lock()
		done, seq := cl.stored >= lseq, cl.storedS
		if !done && cl.storedMore == nil {
			cl.storedMore = make(chan struct{})
		}
		more := cl.storedMore
		cl.omu.Unlock()
		if done {
			return seq, nil
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("events not yet stored in NATS: %w", ctx.Err())
		case <-more:
		}
	}
}

// appliedUpTo waits until this node has applied the event seq.
func (cl *cluster) appliedUpTo(ctx context.Context, seq uint64) error {
	for {
		cl.n.lock()
		at := cl.applied
		if at < seq && cl.appliedMore == nil {
			cl.appliedMore = make(chan struct{})
		}
		more := cl.appliedMore
		cl.n.unlock()
		if at >= seq {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("event %d not yet applied here (at %d): %w", seq, at, ctx.Err())
		case <-more:
		}
	}
}

func (cl *cluster) enqueue(it outItem) {
	cl.omu.Lock()
	cl.outbox = append(cl.outbox, it)
	cl.omu.Unlock()
	cl.pending.Add(1)
	cl.wake()
}

func (cl *cluster) wake() {
	select {
	case cl.owake <- struct{}{}:
	default:
	}
}

// full reports whether this node must refuse what it cannot store: NATS
// is away and the buffer is at its bound.
func (cl *cluster) full() bool { return cl.pending.Load() >= outboxLimit }

// publishLoop stores queued items in NATS in order: runs of events are
// published pipelined and acknowledged as a batch; a batch is cut at the
// first item NATS did not acknowledge, which is retried (with its id, so
// JetStream drops a copy it already has) until it is stored. Nothing
// queued is dropped while NATS is away.
func (cl *cluster) publishLoop() {
	defer cl.n.wg.Done()
	failing := false
	for {
		cl.omu.Lock()
		batch := make([]outItem, 0, publishBatch)
		for _, it := range cl.outbox {
			if len(batch) == publishBatch || it.kv != nil && len(batch) > 0 {
				break
			}
			batch = append(batch, it)
			if it.kv != nil {
				break
			}
		}
		cl.omu.Unlock()
		if len(batch) == 0 {
			select {
			case <-cl.quit:
				return
			case <-cl.owake:
			}
			continue
		}
		stored, err := cl.store(batch)
		if stored > 0 {
			cl.omu.Lock()
			for i := range stored {
				cl.outbox[i] = outItem{}
			}
			cl.outbox = cl.outbox[stored:]
			cl.omu.Unlock()
			cl.pending.Add(-int64(stored))
		}
		if err == nil {
			if failing {
				failing = false
				cl.n.logf("NATS: storing again; %d items still buffered", cl.pending.Load())
			}
			continue
		}
		if !failing {
			failing = true
			cl.n.logf("NATS: cannot store %s yet (%v); %d items buffered, retrying", batch[stored].what, err, cl.pending.Load())
		}
		select {
		case <-cl.quit:
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

const publishBatch = 256

// store stores batch (one KV operation, or events) and returns how many
// items, from the first, are stored.
func (cl *cluster) store(batch []outItem) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), natsOpTimeout)
	defer cancel()
	if it := batch[0]; it.kv != nil {
		err := it.kv(ctx)
		if err != nil && !retriable(err) {
			cl.n.logf("NATS: %s: %v (skipped)", it.what, err)
			err = nil
		}
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
	futs := make([]jetstream.PubAckFuture, 0, len(batch))
	for _, it := range batch {
		f, err := cl.js.PublishMsgAsync(&nats.Msg{Subject: it.subj, Data: it.data}, jetstream.WithMsgID(it.id))
		if err != nil {
			break
		}
		futs = append(futs, f)
	}
	stored := 0
	var ferr error
	for i, f := range futs {
		var ack *jetstream.PubAck
		select {
		case ack = <-f.Ok():
		case err := <-f.Err():
			ferr = err
		case <-ctx.Done():
			ferr = ctx.Err()
		}
		if ferr != nil {
			break
		}
		it := batch[i]
		cl.omu.Lock()
		cl.stored, cl.storedS = it.lseq, ack.Sequence
		if cl.storedMore != nil {
			close(cl.storedMore)
			cl.storedMore = nil
		}
		if it.sent != nil {
			it.sent.seq = ack.Sequence
		}
		cl.omu.Unlock()
		stored++
	}
	if ferr == nil && stored < len(batch) {
		ferr = errors.New("publish refused")
	}
	return stored, ferr
}

func retriable(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrConnectionClosed) || errors.Is(err, nats.ErrDisconnected) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.Is(err, nats.ErrConnectionReconnecting)
}

// flush waits until everything queued is stored, or ctx ends.
func (cl *cluster) flush(ctx context.Context) error {
	for cl.pending.Load() > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d items not stored in NATS: %w", cl.pending.Load(), ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

type nickRec struct {
	Nick string `json:"nick"`
	UID  string `json:"uid"`
	Node string `json:"node"`
}

func (cl *cluster) shares() bool { return true }

// claimNick takes nick for u with a KV create (under Network.mu; it waits
// for NATS at most natsOpTimeout, and not at all while NATS is away).
func (cl *cluster) claimNick(nick string, u *user) error {
	if cl.down.Load() || !cl.nc.IsConnected() {
		return errStateUnavailable
	}
	uid := u.uid
	if uid == "" {
		uid = cl.n.uidFor()
	}
	data, _ := json.Marshal(nickRec{Nick: nick, UID: uid, Node: cl.n.nodes[0].name})
	ctx, cancel := context.WithTimeout(context.Background(), natsOpTimeout)
	defer cancel()
	_, err := cl.nicks.Create(ctx, hexKey(fold(nick)), data)
	switch {
	case errors.Is(err, jetstream.ErrKeyExists):
		return errNickTaken
	case err != nil:
		// The create may still reach NATS (the client buffers what it
		// sends while reconnecting, and a timed-out request may have been
		// applied): once NATS is back, take back a claim that names this
		// attempt, so a refused registration leaves no nick taken.
		cl.dropClaim(hexKey(fold(nick)), uid)
		return fmt.Errorf("%w: %v", errStateUnavailable, err)
	}
	if u.uid == "" {
		u.uid = uid
		cl.n.uids[uid] = u
	}
	return nil
}

// dropClaim deletes the nick record at key if it is still the one made
// for uid (compare-and-delete on its revision), when NATS can be reached.
func (cl *cluster) dropClaim(key, uid string) {
	cl.enqueue(outItem{what: "refused nick claim", kv: func(ctx context.Context) error {
		e, err := cl.nicks.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var rec nickRec
		if json.Unmarshal(e.Value(), &rec) != nil || rec.UID != uid {
			return nil // someone else's claim
		}
		err = cl.nicks.Delete(ctx, key, jetstream.LastRevision(e.Revision()))
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		return err
	}})
}

// sendTo publishes a line for a user on another node as a "to" event.
func (cl *cluster) sendTo(u *user, m *irc.Message, x msgCtx) {
	cl.publishLine(event{Kind: "to", UID: u.uid, Line: m.String(), At: x.at, MsgID: x.msgid, CTags: x.ctags, Batch: x.batch}, m, x)
}

// releaseNick frees a nick once the events before it are stored.
func (cl *cluster) releaseNick(nick string) {
	key := hexKey(fold(nick))
	cl.enqueue(outItem{what: "nick release", kv: func(ctx context.Context) error {
		err := cl.nicks.Delete(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		return err
	}})
}

// saveNick records where a nick's user now is.
func (cl *cluster) saveNick(u *user) {
	data, _ := json.Marshal(nickRec{Nick: u.nick, UID: u.uid, Node: cl.n.nodes[0].name})
	key := hexKey(fold(u.nick))
	cl.enqueue(outItem{what: "nick record", kv: func(ctx context.Context) error {
		_, err := cl.nicks.Put(ctx, key, data)
		return err
	}})
}

// chanRec is a channel's KV record: what a tool (or a person with the
// nats CLI) reads to see the network's channels. It is the channel as the
// stream has it, as of the event Seq (chanrec.go).
type chanRec struct {
	Name    string                `json:"name"`
	Topic   string                `json:"topic,omitempty"`
	TopicBy string                `json:"topic_by,omitempty"`
	TopicAt time.Time             `json:"topic_at,omitzero"`
	Created time.Time             `json:"created"`
	Modes   string                `json:"modes"`
	Members map[string]chanMember `json:"members"` // by uid
	Seq     uint64                `json:"seq"`
}

type chanMember struct {
	Nick   string `json:"nick"`
	Prefix string `json:"prefix,omitempty"` // "@", "+" or ""
}

// changeChannel has nothing to do at the change: the record follows the
// stream's state once the change's event is consumed (chanrec.go), so
// that changes made on different nodes at once land in stream order.
func (cl *cluster) changeChannel(*channel, chanChange) {}

// account looks an account up in the network's KV (for a node started
// without it in its own flags). A clear password left there by an older
// ferryd still authenticates, and is replaced by its verifier.
func (cl *cluster) account(name string) (account, bool) {
	if cl.down.Load() {
		return account{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), natsOpTimeout)
	defer cancel()
	e, err := cl.accts.Get(ctx, hexKey(name))
	if err != nil {
		return account{}, false
	}
	a, legacy, err := storedAccount(e.Value())
	if err != nil {
		cl.n.logf("%s: account %q in NATS: %v", cl.n.nodes[0].name, name, err)
		return account{}, false
	}
	if legacy {
		cl.upgradeAccount(ctx, name, e.Revision(), a)
	}
	return a, true
}

// nodeRec is a node's registry entry: what MIGRATE START and CAP DEL need.
type nodeRec struct {
	Name     string   `json:"name"`
	Boot     string   `json:"boot"`
	Inc      string   `json:"inc,omitempty"` // when not Boot
	Host     string   `json:"host"`
	Addr     string   `json:"addr"`
	TLSAddr  string   `json:"tls_addr,omitempty"`
	Caps     []string `json:"caps"`
	ISupport []string `json:"isupport"`
	Draining bool     `json:"draining,omitempty"`
}

func (cl *cluster) heartbeat(ctx context.Context) error {
	n := cl.n
	n.lock()
	nd := n.nodes[0]
	r := nodeRec{Name: nd.name, Boot: cl.boot, Inc: cl.inc, Host: nd.host, Addr: nd.Addr(), TLSAddr: nd.TLSAddr(), Caps: capList(nd.caps), ISupport: nd.isupport, Draining: nd.draining || nd.cfg.RefuseMigrations}
	n.unlock()
	data, _ := json.Marshal(r)
	_, err := cl.nodes.Put(ctx, nd.name, data)
	return err
}

// registryLoop refreshes this node's entry and follows the other nodes'
// entries with a KV watch; an entry whose heartbeat is older than the
// TTL counts as gone even before NATS expires it, and the users of its
// node are ended (reap.go).
func (cl *cluster) registryLoop() {
	defer cl.n.wg.Done()
	hb := time.NewTicker(cl.ttl / 5)
	defer hb.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var updates <-chan jetstream.KeyValueEntry
	for {
		if updates == nil {
			if w, err := cl.nodes.WatchAll(ctx); err == nil {
				updates = w.Updates()
				if !cl.down.Load() {
					cl.watching.Store(time.Now().UnixNano())
				}
			}
		}
		select {
		case <-cl.quit:
			return
		case e, ok := <-updates:
			if !ok {
				updates = nil
				continue
			}
			if e != nil {
				cl.registryEntry(e)
			}
		case <-hb.C:
			hctx, hcancel := context.WithTimeout(ctx, natsOpTimeout)
			_ = cl.heartbeat(hctx)
			hcancel()
			cl.expireNodes()
			if cl.recheck.Load() && !cl.down.Load() {
				cl.checkReaped(ctx)
			}
			cl.reapGone(ctx)
		}
	}
}

func (cl *cluster) registryEntry(e jetstream.KeyValueEntry) {
	n := cl.n
	n.lock()
	defer n.unlock()
	local := n.nodes[0]
	name := e.Key()
	if name == local.name {
		return
	}
	if e.Operation() != jetstream.KeyValuePut {
		if nd := n.remote[name]; nd != nil && !nd.down {
			nd.down = true
			n.logf("%s: node %s left the registry", local.name, name)
		}
		return
	}
	var r nodeRec
	if json.Unmarshal(e.Value(), &r) != nil || r.Name != name {
		return
	}
	nd := n.remoteNode(name)
	if nd.down || nd.boot != r.Boot {
		n.logf("%s: node %s is up at %s", local.name, name, r.Addr)
	}
	nd.down, nd.boot, nd.inc, nd.beat = false, r.Boot, r.Inc, e.Created()
	if nd.inc == "" {
		nd.inc = r.Boot
	}
	nd.host, nd.addr, nd.tlsAddr = r.Host, r.Addr, r.TLSAddr
	nd.caps, nd.isupport, nd.draining = capSet(r.Caps), r.ISupport, r.Draining
}

// expireNodes marks down the nodes whose entry this node has not seen
// refreshed within the TTL; not before it has watched the registry for a
// TTL itself, or every node looks gone right after NATS comes back.
func (cl *cluster) expireNodes() {
	if !cl.watchedTTL() {
		return
	}
	n := cl.n
	n.lock()
	defer n.unlock()
	for name, nd := range n.remote {
		if !nd.down && time.Since(nd.beat) > cl.ttl {
			nd.down = true
			n.logf("%s: node %s stopped refreshing its registry entry", n.nodes[0].name, name)
		}
	}
}

// watchedTTL reports whether this node has been connected to NATS and
// watching the registry for at least the TTL.
func (cl *cluster) watchedTTL() bool {
	since := cl.watching.Load()
	return !cl.down.Load() && since != 0 && time.Since(time.Unix(0, since)) >= cl.ttl
}

// handover sends a session to node to and waits for it to be held there.
// lseq is this process's last event before the flip: NEW waits until it
// has applied them all, so the user's own lines from NEW cannot overtake
// the ones it sent here.
func (cl *cluster) handover(to string, h *handover, lseq uint64) error {
	if cl.down.Load() {
		return errStateUnavailable
	}
	ctx, cancel := context.WithTimeout(context.Background(), natsOpTimeout)
	defer cancel()
	var err error
	if h.Stored, err = cl.storedUpTo(ctx, lseq); err != nil {
		return err
	}
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	reply, err := cl.nc.RequestWithContext(ctx, cl.prefix+".node."+to+".handover", data)
	if err != nil {
		return fmt.Errorf("hand-over to %s: %w", to, err)
	}
	if s := string(reply.Data); s != "ok" {
		return fmt.Errorf("hand-over to %s: %s", to, s)
	}
	return nil
}

// operate asks node's process to start a migration (the operator's
// migrate command given on another node's process).
func (cl *cluster) operate(node, nick, to string) error {
	ctx, cancel := context.WithTimeout(context.Background(), natsOpTimeout)
	defer cancel()
	data, _ := json.Marshal([2]string{nick, to})
	reply, err := cl.nc.RequestWithContext(ctx, cl.prefix+".node."+node+".migrate", data)
	if err != nil {
		return err
	}
	if s := string(reply.Data); s != "ok" {
		return errors.New(s)
	}
	return nil
}

func (cl *cluster) serveMigrate(m *nats.Msg) {
	var req [2]string
	answer := "ok"
	if err := json.Unmarshal(m.Data, &req); err != nil {
		answer = "malformed request"
	} else if err := cl.n.migrate(req[0], req[1], false); err != nil {
		answer = err.Error()
	}
	_ = m.Respond([]byte(answer))
}

// cancel tells NEW that OLD kept a session after all (its answer came
// too late, or not at all).
func (cl *cluster) cancel(to, rtok string) {
	_ = cl.nc.Publish(cl.prefix+".node."+to+".cancel", []byte(rtok))
}

func (cl *cluster) serveHandover(m *nats.Msg) {
	var h handover
	err := json.Unmarshal(m.Data, &h)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), natsOpTimeout)
		// Lines this node made before the request may be stored, and
		// delivered by OLD, before their stream sequence is known here:
		// wait until it is, so takeOver can tell them from the lines
		// after OLD's cut (whatever is made from now on comes after it).
		cl.n.lock()
		made := cl.lseq
		cl.n.unlock()
		_, err = cl.storedUpTo(ctx, made)
		if err == nil {
			err = cl.appliedUpTo(ctx, h.Stored)
		}
		cancel()
	}
	if err == nil {
		err = cl.n.takeOver(&h)
	}
	answer := "ok"
	if err != nil {
		answer = err.Error()
	}
	_ = m.Respond([]byte(answer))
}

// stop ends the cluster link once the network has stopped using it.
func (cl *cluster) stop() {
	cl.stopping.Store(true)
	close(cl.quit)
	if cl.cc != nil {
		cl.cc.Stop()
	}
	for _, sub := range []*nats.Subscription{cl.psub, cl.csub, cl.msub} {
		if sub != nil {
			_ = sub.Unsubscribe()
		}
	}
	if cl.hsub != nil {
		_ = cl.hsub.Unsubscribe()
	}
	if !cl.down.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = cl.nodes.Delete(ctx, cl.n.nodes[0].name)
		cancel()
	}
	cl.nc.Close()
}
