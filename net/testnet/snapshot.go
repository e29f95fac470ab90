package testnet

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"gopkg.in/irc.v4"
)

// Snapshots: the stream-derived state of the network as of one event, so
// that a node that starts need not replay the stream from its first
// event, and the stream need not keep every event for ever.
//
// A snapshot is what a node that had just replayed the stream up to
// sequence S would know, and nothing of any node's own view: the users
// (uid, nick, user@host, realname, account, away, caps, node and
// incarnation), the channels as the stream has them (streamChans) and the
// history of every target. Every node keeps that state beside its view
// (cluster.stream, updated for every event consumed, its own included,
// in stream order), so two nodes snapshotting at the same S write the
// same bytes. The price is a second copy of the history in memory: the
// view's has this node's own lines in the order it made them until the
// stream orders them, and lines of in-process users that never reach
// the stream. Read markers and nick claims live in KV buckets of their
// own; MONITOR lists are the users' sessions'; the ring of recent "to"
// events is not state (a hand-over that needs lines from before a
// node's first event fails with errHandoverGap, as it did before).
//
// Where it lives: the snapshot's body in the object store
// <prefix>-snapshots (a body outgrows a KV value), the KV record "latest"
// of bucket <prefix>-snapshot pointing at it with its S and format
// version. Every node writes one every snapshotEvery events, or at the
// first event after snapshotInterval, whichever comes first (a network
// with no events has nothing to snapshot); the pointer moves only
// forward (a compare-and-set on its revision that leaves a pointer at S
// or later alone), so concurrent writers are harmless and the newest
// wins. A node that starts loads the latest and consumes the stream from
// S+1.
//
// Why the stream is purged, not bounded by age or count: limits drop
// events whether or not a snapshot covers them (a network stopped for a
// week lost its every user and channel), a purge drops only what one
// does. After a writer moves the pointer to S, it purges the events
// before S-keep+1: keep (default snapshotKeep) recent events stay for a
// node that lags behind (its consumer resumes where it stopped) and for a
// node that loads the snapshot a moment before a newer one lands. Nothing
// else reads old events from the stream: hand-overs use the in-memory
// ring and sentTo lists, history is in memory. A node that finds a gap
// (events it needed were purged under it) says so in its log.

const (
	snapshotVersion  = 1
	snapshotEvery    = 10000
	snapshotInterval = 10 * time.Minute
	snapshotKeep     = 100000
	snapshotKey      = "latest"
)

// streamState is the network's state as the stream has it: every event
// applied in stream order, as a node that starts would (Network.mu).
type streamState struct {
	users  map[string]*snapUser // by uid
	nicks  map[string]string    // folded nick -> uid
	hist   map[string]*snapHistory
	histSq uint64 // numbers history entries in stream order
}

type snapUser struct {
	UID     string    `json:"uid"`
	Nick    string    `json:"nick"`
	User    string    `json:"user"`
	Host    string    `json:"host"`
	Real    string    `json:"real"`
	Account string    `json:"acct,omitempty"`
	Away    string    `json:"away,omitempty"`
	Caps    []string  `json:"caps,omitempty"`
	Node    string    `json:"node"`
	Inc     string    `json:"inc"`
	Signon  time.Time `json:"signon"`
}

type snapHistory struct {
	Key     string     `json:"key"`
	Entries []snapLine `json:"entries"`
	last    time.Time
}

// snapLine is one history line as its "hist" event had it.
type snapLine struct {
	Seq   uint64            `json:"seq"`
	At    time.Time         `json:"at"`
	MsgID string            `json:"id,omitempty"`
	By    string            `json:"by"`
	Cmd   string            `json:"cmd"`
	Chan  string            `json:"chan"`
	Text  string            `json:"text"`
	CTags map[string]string `json:"ctags,omitempty"`
}

type snapChan struct {
	Key     string       `json:"key"`
	Name    string       `json:"name"`
	Created time.Time    `json:"created"`
	Topic   string       `json:"topic,omitempty"`
	TopicBy string       `json:"topic_by,omitempty"`
	TopicAt time.Time    `json:"topic_at,omitzero"`
	NoExt   bool         `json:"noext"`
	TLock   bool         `json:"tlock"`
	Members []snapMember `json:"members"`
}

type snapMember struct {
	UID   string `json:"uid"`
	Op    bool   `json:"op,omitempty"`
	Voice bool   `json:"voice,omitempty"`
}

// snapshot is the stored form: the state after applying the stream's
// events up to Seq, everything sorted so that equal states encode alike.
type snapshot struct {
	Version int            `json:"v"`
	Seq     uint64         `json:"seq"`
	Users   []snapUser     `json:"users"`
	Chans   []snapChan     `json:"chans"`
	Hist    []*snapHistory `json:"hist"`
}

// snapPointer is the KV record naming the latest snapshot.
type snapPointer struct {
	Version int    `json:"v"`
	Seq     uint64 `json:"seq"`
	Object  string `json:"object"`
}

// snapSettings are the writer's schedule and the purge's margin.
type snapSettings struct {
	every    uint64
	interval time.Duration
	keep     uint64
}

func (o *ClusterOptions) snapSettings() snapSettings {
	s := snapSettings{every: snapshotEvery, interval: snapshotInterval, keep: snapshotKeep}
	if o.SnapshotEvery > 0 {
		s.every = uint64(o.SnapshotEvery)
	}
	if o.SnapshotInterval > 0 {
		s.interval = o.SnapshotInterval
	}
	if o.SnapshotKeep > 0 {
		s.keep = uint64(o.SnapshotKeep)
	}
	return s
}

// track applies one consumed event to the stream's state of users and
// history (the channels follow in applyChan and reapSeats), as a node
// that has no user of its own would apply it (under Network.mu).
func (cl *cluster) track(e *event, seq uint64) {
	if cl.applied != 0 && seq > cl.applied+1 && !cl.gapSaid {
		cl.gapSaid = true
		cl.n.logf("%s: events %d to %d are gone from the stream (purged before this node applied them): its view may differ from the network's until it restarts", cl.n.nodes[0].name, cl.applied+1, seq-1)
	}
	st := &cl.stream
	if st.users == nil {
		st.users, st.nicks = map[string]*snapUser{}, map[string]string{}
	}
	u := st.users[e.UID]
	switch e.Kind {
	case "reg":
		if u == nil {
			u = &snapUser{UID: e.UID, Signon: e.At}
			st.users[e.UID] = u
		} else if st.nicks[fold(u.Nick)] == u.UID {
			delete(st.nicks, fold(u.Nick))
		}
		u.Nick, u.User, u.Host, u.Real, u.Account, u.Away = e.Nick, e.User, e.Host, e.Real, e.Account, e.Text
		u.Caps = append([]string(nil), e.Caps...)
		u.Node, u.Inc = e.Node, e.inc()
		st.claim(u)
	case "nick":
		if u == nil {
			return
		}
		if st.nicks[fold(u.Nick)] == u.UID {
			delete(st.nicks, fold(u.Nick))
		}
		u.Nick = e.Nick
		st.claim(u)
	case "away":
		if u != nil {
			u.Away = e.Text
		}
	case "move":
		if u != nil {
			u.Node, u.Inc = e.Node, e.inc()
		}
	case "quit":
		if u != nil {
			st.drop(u)
		}
	case "reap":
		var gone []*snapUser
		for _, x := range st.users {
			if x.Node == e.Dead && x.Inc == e.DeadInc {
				gone = append(gone, x)
			}
		}
		for _, x := range gone {
			st.drop(x)
		}
	case "hist":
		st.record(e.Key, snapLine{At: e.At.Truncate(time.Millisecond), MsgID: e.MsgID, By: e.By, Cmd: e.Cmd, Chan: e.Chan, Text: e.Text, CTags: e.CTags})
	}
}

// claim gives u its nick, ending the user who held it (as apply does).
func (st *streamState) claim(u *snapUser) {
	if o := st.nicks[fold(u.Nick)]; o != "" && o != u.UID {
		if x := st.users[o]; x != nil {
			st.drop(x)
		}
	}
	st.nicks[fold(u.Nick)] = u.UID
}

func (st *streamState) drop(u *snapUser) {
	if st.nicks[fold(u.Nick)] == u.UID {
		delete(st.nicks, fold(u.Nick))
	}
	delete(st.users, u.UID)
}

// record keeps a history line under the bounds record keeps the view's
// (a target evicted is the one least recently written, the smallest key
// among equals, so that every node evicts the same).
func (st *streamState) record(key string, l snapLine) {
	if st.hist == nil {
		st.hist = map[string]*snapHistory{}
	}
	h := st.hist[key]
	if h == nil {
		if len(st.hist) >= historyTargets {
			oldest := ""
			for k, v := range st.hist {
				if o := st.hist[oldest]; oldest == "" || v.last.Before(o.last) || v.last.Equal(o.last) && k < oldest {
					oldest = k
				}
			}
			delete(st.hist, oldest)
		}
		h = &snapHistory{Key: key}
		st.hist[key] = h
	}
	st.histSq++
	l.Seq = st.histSq
	h.Entries = append(h.Entries, l)
	if len(h.Entries) > historyLimit {
		h.Entries = append(h.Entries[:0:0], h.Entries[len(h.Entries)-historyLimit:]...)
	}
	h.last = l.At
}

// take copies the stream's state as of the last event applied (under
// Network.mu). History lines are never changed once kept, so their
// slices are shared, cut to their length.
func (cl *cluster) take() *snapshot {
	s := &snapshot{Version: snapshotVersion, Seq: cl.applied}
	st := &cl.stream
	s.Users = make([]snapUser, 0, len(st.users))
	for _, u := range st.users {
		s.Users = append(s.Users, *u)
	}
	sort.Slice(s.Users, func(i, j int) bool { return s.Users[i].UID < s.Users[j].UID })
	s.Chans = make([]snapChan, 0, len(cl.streamChans))
	for key, c := range cl.streamChans {
		sc := snapChan{Key: key, Name: c.name, Created: c.created, Topic: c.topic, TopicBy: c.topicBy, TopicAt: c.topicAt, NoExt: c.noExternal, TLock: c.topicLock}
		sc.Members = make([]snapMember, 0, len(c.members))
		for uid, m := range c.members {
			sc.Members = append(sc.Members, snapMember{UID: uid, Op: m.op, Voice: m.voice})
		}
		sort.Slice(sc.Members, func(i, j int) bool { return sc.Members[i].UID < sc.Members[j].UID })
		s.Chans = append(s.Chans, sc)
	}
	sort.Slice(s.Chans, func(i, j int) bool { return s.Chans[i].Key < s.Chans[j].Key })
	s.Hist = make([]*snapHistory, 0, len(st.hist))
	for _, h := range st.hist {
		s.Hist = append(s.Hist, &snapHistory{Key: h.Key, Entries: h.Entries[:len(h.Entries):len(h.Entries)], last: h.last})
	}
	sort.Slice(s.Hist, func(i, j int) bool { return s.Hist[i].Key < s.Hist[j].Key })
	return s
}

// restore makes s this node's state, in place of a replay of the stream
// up to s.Seq (at Start, before anything is consumed; under Network.mu).
func (n *Network) restore(s *snapshot) {
	cl := n.cl
	st := &cl.stream
	st.users, st.nicks, st.hist = map[string]*snapUser{}, map[string]string{}, map[string]*snapHistory{}
	for i := range s.Users {
		su := s.Users[i]
		if su.UID == "" || !validNick(su.Nick) {
			continue
		}
		st.users[su.UID] = &su
		st.claim(&su)
		u := &user{uid: su.UID, remote: true, registered: true, chans: map[*channel]bool{}, signon: su.Signon}
		u.nick, u.username, u.host, u.realname, u.account, u.away = su.Nick, su.User, su.Host, su.Real, su.Account, su.Away
		u.caps = capSet(su.Caps)
		u.node, u.inc = n.remoteNode(su.Node), su.Inc
		n.uids[u.uid] = u
		n.users[fold(u.nick)] = u
	}
	// A user whose nick a later one took is not in the state; a snapshot
	// of this version holds none, but one read from NATS is input.
	for uid, u := range n.uids {
		if st.users[uid] == nil {
			delete(n.uids, uid)
			if n.users[fold(u.nick)] == u {
				delete(n.users, fold(u.nick))
			}
		}
	}
	cl.streamChans = map[string]*streamChan{}
	for _, c := range s.Chans {
		if c.Key == "" || len(c.Members) == 0 {
			continue
		}
		sc := &streamChan{name: c.Name, created: c.Created, topic: c.Topic, topicBy: c.TopicBy, topicAt: c.TopicAt, noExternal: c.NoExt, topicLock: c.TLock, members: map[string]member{}}
		for _, m := range c.Members {
			sc.members[m.UID] = member{op: m.Op, voice: m.Voice}
		}
		cl.streamChans[c.Key] = sc
	}
	keys := make([]string, 0, len(cl.streamChans))
	for k := range cl.streamChans {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n.syncChan(k)
	}
	// History in its stream order across targets, as a replay records it.
	type line struct {
		key string
		l   snapLine
	}
	var lines []line
	for i, h := range s.Hist {
		if h == nil || i >= historyTargets {
			continue
		}
		for _, l := range h.Entries {
			lines = append(lines, line{h.Key, l})
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].l.Seq < lines[j].l.Seq })
	for _, x := range lines {
		l := x.l
		var ct irc.Tags
		if len(l.CTags) > 0 {
			ct = irc.Tags{}
			for k, v := range l.CTags {
				ct[k] = v
			}
		}
		n.record(x.key, histEntry{at: l.At, msgid: l.MsgID, prefix: irc.ParsePrefix(l.By), cmd: l.Cmd, target: l.Chan, text: l.Text, ctags: ct})
		st.record(x.key, l)
	}
	cl.applied, cl.ringFrom = s.Seq, s.Seq+1
	cl.snapAt, cl.snapTime = s.Seq, time.Now()
}

// snapStore is where snapshots live in NATS.
type snapStore struct {
	ptr  jetstream.KeyValue
	obj  jetstream.ObjectStore
	set  snapSettings
	busy bool // Network.mu: a write is under way
}

// openSnapshots makes sure the snapshot buckets exist.
func (cl *cluster) openSnapshots(ctx context.Context, o *ClusterOptions) error {
	cl.snap.set = o.snapSettings()
	cl.snapTime = time.Now()
	bucket := cl.prefix + "-snapshot"
	kv, err := cl.js.KeyValue(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = cl.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, Storage: jetstream.FileStorage, Replicas: o.Replicas})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = cl.js.KeyValue(ctx, bucket)
		}
	}
	if err != nil {
		return fmt.Errorf("KV %s: %w", bucket, err)
	}
	bucket = cl.prefix + "-snapshots"
	obj, err := cl.js.ObjectStore(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		obj, err = cl.js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: bucket, Storage: jetstream.FileStorage, Replicas: o.Replicas})
		if errors.Is(err, jetstream.ErrBucketExists) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			obj, err = cl.js.ObjectStore(ctx, bucket)
		}
	}
	if err != nil {
		return fmt.Errorf("object store %s: %w", bucket, err)
	}
	cl.snap.ptr, cl.snap.obj = kv, obj
	return nil
}

// unbound lifts the age and count limits an older ferryd gave the
// stream: they drop events no snapshot may cover yet (a network stopped
// for longer than the age loses everything); purges take their place.
func unbound(ctx context.Context, js jetstream.JetStream, stream jetstream.Stream) error {
	cfg := stream.CachedInfo().Config
	if cfg.MaxAge == 0 && cfg.MaxMsgs <= 0 {
		return nil
	}
	cfg.MaxAge, cfg.MaxMsgs = 0, -1
	_, err := js.UpdateStream(ctx, cfg)
	return err
}

// loadSnapshot reads the latest snapshot, if any; nil when there is none
// or it cannot be used (then the node replays the whole stream).
func (cl *cluster) loadSnapshot(ctx context.Context) (*snapshot, error) {
	for range 5 {
		e, err := cl.snap.ptr.Get(ctx, snapshotKey)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("snapshot pointer: %w", err)
		}
		var p snapPointer
		if err := json.Unmarshal(e.Value(), &p); err != nil || p.Version != snapshotVersion {
			cl.n.logf("%s: snapshot pointer of another format (%v): replaying the stream", cl.n.nodes[0].name, err)
			return nil, nil
		}
		data, err := cl.snap.obj.GetBytes(ctx, p.Object)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			continue // replaced by a newer one between the two reads
		}
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", p.Object, err)
		}
		s, err := decodeSnapshot(data)
		if err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", p.Object, err)
		}
		if s.Seq != p.Seq {
			return nil, fmt.Errorf("snapshot %s holds event %d, not %d", p.Object, s.Seq, p.Seq)
		}
		return s, nil
	}
	return nil, errors.New("snapshot: replaced too often while loading")
}

func encodeSnapshot(s *snapshot) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(s); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeSnapshot(data []byte) (*snapshot, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	var s snapshot
	if err := json.NewDecoder(io.LimitReader(zr, 1<<32)).Decode(&s); err != nil {
		return nil, err
	}
	if s.Version != snapshotVersion {
		return nil, fmt.Errorf("format %d, want %d", s.Version, snapshotVersion)
	}
	return &s, nil
}

// maybeSnapshot starts a snapshot write when one is due (after an event
// is applied; under Network.mu). Only the copy is made under the lock;
// encoding and storing happen on a goroutine of their own.
func (cl *cluster) maybeSnapshot() {
	set := &cl.snap.set
	if cl.snap.ptr == nil || cl.snap.busy || cl.applied <= cl.snapAt || cl.n.closed {
		return
	}
	if cl.applied-cl.snapAt < set.every && time.Since(cl.snapTime) < set.interval {
		return
	}
	s := cl.take()
	cl.snap.busy = true
	cl.snapAt, cl.snapTime = s.Seq, time.Now()
	cl.n.wg.Add(1)
	go func() {
		defer cl.n.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 4*natsOpTimeout)
		err := cl.writeSnapshot(ctx, s)
		cancel()
		if err != nil {
			cl.n.logf("%s: snapshot at event %d: %v", cl.n.nodes[0].name, s.Seq, err)
		}
		cl.n.lock()
		cl.snap.busy = false
		cl.maybeSnapshot() // events applied meanwhile may make one due
		cl.n.unlock()
	}()
}

// writeSnapshot stores s and points "latest" at it unless the pointer
// is at s.Seq or later already; then it purges the events s covers but
// for the margin. Safe to call from several nodes (or goroutines) at once.
func (cl *cluster) writeSnapshot(ctx context.Context, s *snapshot) error {
	if p, _, err := cl.pointer(ctx); err != nil {
		return err
	} else if p.Seq >= s.Seq {
		return nil
	}
	data, err := encodeSnapshot(s)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	name := "s-" + strconv.FormatUint(s.Seq, 10) + "-" + cl.boot
	if _, err := cl.snap.obj.PutBytes(ctx, name, data); err != nil {
		return fmt.Errorf("store %s: %w", name, err)
	}
	ptr, _ := json.Marshal(snapPointer{Version: snapshotVersion, Seq: s.Seq, Object: name})
	for range 20 {
		p, rev, err := cl.pointer(ctx)
		if err != nil {
			return err
		}
		if p.Seq >= s.Seq {
			_ = cl.snap.obj.Delete(ctx, name) // a newer one won
			return nil
		}
		if rev == 0 {
			_, err = cl.snap.ptr.Create(ctx, snapshotKey, ptr)
		} else {
			_, err = cl.snap.ptr.Update(ctx, snapshotKey, ptr, rev)
		}
		if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue
		}
		if err != nil {
			return fmt.Errorf("pointer: %w", err)
		}
		if p.Object != "" {
			_ = cl.snap.obj.Delete(ctx, p.Object)
		}
		return cl.purge(ctx, s.Seq)
	}
	return errors.New("pointer: too many concurrent writers")
}

// pointer reads the "latest" record and its revision (0: none yet).
func (cl *cluster) pointer(ctx context.Context) (snapPointer, uint64, error) {
	var p snapPointer
	e, err := cl.snap.ptr.Get(ctx, snapshotKey)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return p, 0, nil
	}
	if err != nil {
		return p, 0, fmt.Errorf("pointer: %w", err)
	}
	if json.Unmarshal(e.Value(), &p) != nil || p.Version != snapshotVersion {
		p = snapPointer{} // another format: this version's replaces it
	}
	return p, e.Revision(), nil
}

// purge drops the events before seq, but for the margin.
func (cl *cluster) purge(ctx context.Context, seq uint64) error {
	keep := cl.snap.set.keep
	if seq+1 <= keep {
		return nil
	}
	st, err := cl.js.Stream(ctx, streamName(cl.prefix))
	if err != nil {
		return fmt.Errorf("purge: %w", err)
	}
	if err := st.Purge(ctx, jetstream.WithPurgeSequence(seq+1-keep)); err != nil {
		return fmt.Errorf("purge before %d: %w", seq+1-keep, err)
	}
	return nil
}

// startFrom opens the snapshot buckets, makes the latest snapshot this
// node's state and says where its consumer starts: after the snapshot,
// or at the stream's first event when there is none (at Start).
func (cl *cluster) startFrom(ctx context.Context, o *ClusterOptions, st jetstream.StreamState) (jetstream.OrderedConsumerConfig, error) {
	n, name := cl.n, cl.n.nodes[0].name
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if err := cl.openSnapshots(ctx, o); err != nil {
		return cfg, err
	}
	s, err := cl.loadSnapshot(ctx)
	if err != nil {
		return cfg, err
	}
	var after uint64
	if s != nil {
		after = s.Seq
	}
	if first := st.FirstSeq; st.LastSeq > after && (st.Msgs == 0 || first > after+1) {
		n.logf("%s: events %d to %d are gone from the stream and no snapshot covers them: this node's view may lack users and channels of the network", name, after+1, min(first, st.LastSeq+1)-1)
	}
	if s == nil {
		return cfg, nil
	}
	n.lock()
	n.restore(s)
	n.unlock()
	n.logf("%s: loaded the network's snapshot as of event %d (%d users, %d channels)", name, s.Seq, len(s.Users), len(s.Chans))
	return jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverByStartSequencePolicy, OptStartSeq: s.Seq + 1}, nil
}
