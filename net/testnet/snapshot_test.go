package testnet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/natsd"
)

// startSnapNode starts a cluster node with the snapshot schedule given.
func startSnapNode(t testing.TB, ns *natsd.Server, name string, every, keep int) *Network {
	t.Helper()
	return startNet(t, Options{Nodes: []NodeConfig{{Name: name}}, Cluster: &ClusterOptions{NATSURL: ns.URL(), SnapshotEvery: every, SnapshotKeep: keep, StartTimeout: 5 * time.Second}})
}

// natsJS is a NATS client of the test's own, to look at the stream.
func natsJS(t testing.TB, ns *natsd.Server) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func evState(t testing.TB, js jetstream.JetStream) jetstream.StreamState {
	t.Helper()
	st, err := js.Stream(contextWithTimeout(t, wait), streamName("ferry"))
	if err != nil {
		t.Fatal(err)
	}
	return st.CachedInfo().State
}

func latestPointer(t testing.TB, js jetstream.JetStream) (snapPointer, bool) {
	t.Helper()
	ctx := contextWithTimeout(t, wait)
	kv, err := js.KeyValue(ctx, "ferry-snapshot")
	if err != nil {
		return snapPointer{}, false
	}
	e, err := kv.Get(ctx, snapshotKey)
	if err != nil {
		return snapPointer{}, false
	}
	var p snapPointer
	if err := json.Unmarshal(e.Value(), &p); err != nil {
		t.Fatal(err)
	}
	return p, true
}

// viewDump is a node's view of the network, for comparing two nodes
// whose users are all elsewhere: users, channels, history.
func viewDump(n *Network) string {
	n.lock()
	defer n.unlock()
	var b strings.Builder
	var uids []string
	for uid := range n.uids {
		uids = append(uids, uid)
	}
	sort.Strings(uids)
	for _, uid := range uids {
		u := n.uids[uid]
		nodeName := ""
		if u.node != nil {
			nodeName = u.node.name
		}
		fmt.Fprintf(&b, "user %s %s!%s@%s %q acct=%q away=%q caps=%v node=%s inc=%s signon=%s remote=%v byNick=%v\n", uid, u.nick, u.username, u.host, u.realname, u.account, u.away, capList(u.caps), nodeName, u.inc, u.signon.UTC().Format(time.RFC3339Nano), u.remote, n.users[fold(u.nick)] == u)
	}
	var keys []string
	for k := range n.chans {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ch := n.chans[k]
		var ms []string
		for mu, m := range ch.members {
			ms = append(ms, m.prefix()+mu.uid)
		}
		sort.Strings(ms)
		fmt.Fprintf(&b, "chan %s %s created=%s topic=%q by=%q at=%s modes=%s members=%v\n", k, ch.name, ch.created.UTC().Format(time.RFC3339Nano), ch.topic, ch.topicBy, ch.topicAt.UTC().Format(time.RFC3339Nano), ch.modeString(), ms)
	}
	keys = keys[:0]
	for k := range n.hist {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h := n.hist[k]
		fmt.Fprintf(&b, "hist %q last=%s\n", k, h.last.UTC().Format(time.RFC3339Nano))
		for _, e := range h.entries {
			fmt.Fprintf(&b, "  %s %s %s %s %s %q %v\n", e.at.UTC().Format(time.RFC3339Nano), e.msgid, e.prefix, e.cmd, e.target, e.text, e.ctags)
		}
	}
	return b.String()
}

func appliedOf(n *Network) uint64 {
	n.lock()
	defer n.unlock()
	return n.cl.applied
}

// waitApplied waits until every node has applied the stream's last event.
func waitApplied(t testing.TB, js jetstream.JetStream, nodes ...*Network) uint64 {
	t.Helper()
	last := evState(t, js).LastSeq
	for _, n := range nodes {
		waitFor(t, n.nodes[0].name+" to apply event "+itoa(int(last)), func() bool { return appliedOf(n) >= last })
	}
	return last
}

func stateJSON(t testing.TB, n *Network) []byte {
	t.Helper()
	n.lock()
	s := n.cl.take()
	n.unlock()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// busyNetwork makes users, channels (topic, modes, prefixes, a kick, a
// part), nick and away changes, a quit, and history on n.
func busyNetwork(t *testing.T, n *Network) (alice, bob *client) {
	t.Helper()
	addr := n.nodes[0].Addr()
	alice = register(t, addr, "alice", allCaps...)
	bob = register(t, addr, "bob")
	dave := register(t, addr, "dave")
	alice.join("#a")
	alice.send("TOPIC #a :the topic of #a")
	alice.expectCmd("TOPIC", "#a", "the topic of #a")
	bob.join("#a")
	dave.join("#a")
	alice.send("MODE #a +ov-t bob dave")
	alice.expectCmd("MODE", "#a", "+ov-t", "bob", "dave")
	alice.send("PRIVMSG #a :first line")
	bob.expectCmd("PRIVMSG", "#a", "first line")
	bob.send("PRIVMSG #a :second line")
	alice.send("PRIVMSG bob :a private line")
	bob.expectCmd("PRIVMSG", "bob", "a private line")
	bob.join("#b")
	dave.join("#b")
	bob.send("KICK #b dave :out")
	bob.expectCmd("KICK", "#b", "dave", "out")
	dave.send("PART #a")
	dave.expectCmd("PART", "#a")
	bob.send("NICK robert")
	bob.expectCmd("NICK", "robert")
	bob.send("AWAY :lunch")
	bob.expectCmd("306")
	dave.send("QUIT :bye")
	dave.expectClosed()
	carol := register(t, addr, "carol")
	carol.join("#c")
	carol.send("PRIVMSG #c :alone here")
	carol.barrier()
	return alice, bob
}

// TestClusterSnapshotEqualsReplay: a node started from the snapshot plus
// the stream's tail has the view a node replaying the whole stream has,
// and the stream's state of both encodes as that of the node that made
// the events.
func TestClusterSnapshotEqualsReplay(t *testing.T) {
	ns := startNATSForTest(t)
	js := natsJS(t, ns)
	s1 := startSnapNode(t, ns, "s1", 7, 1<<30)
	alice, _ := busyNetwork(t, s1)
	waitFor(t, "a snapshot", func() bool { _, ok := latestPointer(t, js); return ok })
	alice.send("PRIVMSG #a :after the snapshot")
	alice.send("AWAY :gone")
	alice.expectCmd("306")
	p, _ := latestPointer(t, js)
	last := waitApplied(t, js, s1)
	if p.Seq >= last {
		t.Fatalf("snapshot at %d leaves no tail (last event %d)", p.Seq, last)
	}

	s2 := startSnapNode(t, ns, "s2", 0, 0)
	if s2.cl.snapAt == 0 {
		t.Fatal("s2 did not start from the snapshot")
	}
	// The same stream, without the snapshot: a whole replay.
	ctx := contextWithTimeout(t, wait)
	kv, err := js.KeyValue(ctx, "ferry-snapshot")
	if err != nil {
		t.Fatal(err)
	}
	if err := kv.Purge(ctx, snapshotKey); err != nil {
		t.Fatal(err)
	}
	s3 := startSnapNode(t, ns, "s3", 0, 0)
	if s3.cl.snapAt != 0 {
		t.Fatalf("s3 started from a snapshot at %d", s3.cl.snapAt)
	}
	waitApplied(t, js, s1, s2, s3)
	if a, b := viewDump(s2), viewDump(s3); a != b {
		t.Fatalf("views differ\nsnapshot and tail:\n%s\nwhole replay:\n%s", a, b)
	}
	dump := viewDump(s2)
	for _, want := range []string{"robert!", `away="lunch"`, `topic="the topic of #a"`, "modes=+n ", `"after the snapshot"`, `"a private line"`, "chan #c"} {
		if !strings.Contains(dump, want) {
			t.Errorf("view lacks %s:\n%s", want, dump)
		}
	}
	if strings.Contains(dump, "dave!") {
		t.Errorf("view keeps the user who quit:\n%s", dump)
	}
	a, b, c := stateJSON(t, s1), stateJSON(t, s2), stateJSON(t, s3)
	if !bytes.Equal(a, b) || !bytes.Equal(a, c) {
		t.Fatalf("stream states differ at one event\ns1 %s\ns2 %s\ns3 %s", a, b, c)
	}
}

// TestClusterStartAfterPurge: once the stream is purged below a
// snapshot, a node that starts knows the users, channels and history of
// the network all the same.
func TestClusterStartAfterPurge(t *testing.T) {
	ns := startNATSForTest(t)
	js := natsJS(t, ns)
	s1 := startSnapNode(t, ns, "s1", 5, 1)
	busyNetwork(t, s1)
	waitFor(t, "the stream to be purged", func() bool { return evState(t, js).FirstSeq > 12 }) // past the registrations, JOINs, TOPIC

	s2 := startSnapNode(t, ns, "s2", 0, 0)
	e := register(t, s2.nodes[0].Addr(), "erin", "batch", "server-time", "message-tags", capChathistory)
	e.send("JOIN #a")
	e.expectCmd("332", "erin", "#a", "the topic of #a")
	names := e.expectCmd(RPL_NAMREPLY, "erin", "=", "#a")
	if got := strings.Fields(names.Param(3)); !sameSet(got, []string{"@alice", "@robert", "erin"}) {
		t.Fatalf("NAMES #a: %v", got)
	}
	e.expectCmd("366", "erin", "#a")
	e.send("MODE #a")
	e.expectCmd("324", "erin", "#a", "+n")
	e.send("CHATHISTORY LATEST #a * 10")
	_, hist := e.expect("end of history batch", func(m *irc.Message) bool { return m.Command == "BATCH" && strings.HasPrefix(m.Param(0), "-") })
	var texts []string
	for _, m := range hist {
		if m.Command == "PRIVMSG" {
			texts = append(texts, m.Param(1))
		}
	}
	if strings.Join(texts, "|") != "first line|second line" {
		t.Fatalf("history of #a: %q", texts)
	}
	e.send("WHOIS robert")
	e.expectCmd(RPL_WHOISUSER, "erin", "robert", "bob")
	e.expectCmd(RPL_WHOISSERVER, "erin", "robert", "s1")
	e.send("NICK alice")
	e.expectCmd("433")
	e.send("PRIVMSG #a :from s2")
	_, _ = e.barrier(), waitApplied(t, js, s1, s2)
}

func sameSet(a, b []string) bool {
	a, b = append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(a)
	sort.Strings(b)
	return strings.Join(a, " ") == strings.Join(b, " ")
}

// TestClusterStartOnEmptyStream: a node starts when the stream holds no
// event at all, with a snapshot and without one.
func TestClusterStartOnEmptyStream(t *testing.T) {
	for _, snap := range []bool{true, false} {
		t.Run(fmt.Sprint("snapshot=", snap), func(t *testing.T) {
			ns := startNATSForTest(t)
			js := natsJS(t, ns)
			every := 1 << 30
			if snap {
				every = 3
			}
			s1 := startSnapNode(t, ns, "s1", every, 1<<30)
			addr := s1.nodes[0].Addr()
			a := register(t, addr, "alice")
			a.join("#e")
			a.send("TOPIC #e :kept")
			a.expectCmd("TOPIC", "#e", "kept")
			b := startSnapNode(t, ns, "s0", 0, 0) // a node that stays: its user stays
			bob := register(t, b.nodes[0].Addr(), "bob")
			bob.join("#e")
			waitApplied(t, js, s1, b)
			if _, ok := latestPointer(t, js); ok != snap {
				t.Fatalf("snapshot written: %v", ok)
			}
			s1.Close()
			ctx := contextWithTimeout(t, wait)
			st, err := js.Stream(ctx, streamName("ferry"))
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Purge(ctx); err != nil {
				t.Fatal(err)
			}
			if s := evState(t, js); s.Msgs != 0 {
				t.Fatalf("stream after the purge: %+v", s)
			}
			s2 := startSnapNode(t, ns, "s2", 0, 0)
			c := register(t, s2.nodes[0].Addr(), "carol")
			c.send("WHOIS bob")
			if snap {
				c.expectCmd(RPL_WHOISSERVER, "carol", "bob", "s0")
			} else {
				c.expectCmd("401", "carol", "bob") // nothing covers bob's registration
			}
		})
	}
}

// TestSnapshotWritersMonotonic: writers racing with snapshots of
// different events leave the pointer at the latest, and it never moves
// back.
func TestSnapshotWritersMonotonic(t *testing.T) {
	ns := startNATSForTest(t)
	js := natsJS(t, ns)
	s1 := startSnapNode(t, ns, "s1", 1<<30, 0)
	s2 := startSnapNode(t, ns, "s2", 1<<30, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	kv, err := js.KeyValue(ctx, "ferry-snapshot")
	if err != nil {
		t.Fatal(err)
	}
	w, err := kv.Watch(ctx, snapshotKey)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = w.Stop() }()
	var seen []uint64
	var mu sync.Mutex
	go func() {
		for e := range w.Updates() {
			if e == nil {
				continue
			}
			var p snapPointer
			if json.Unmarshal(e.Value(), &p) == nil {
				mu.Lock()
				seen = append(seen, p.Seq)
				mu.Unlock()
			}
		}
	}()
	const top = 24
	var wg sync.WaitGroup
	for i := range top {
		seq := uint64((i*7)%top + 1) // 1 to top, out of order
		cl := s1.cl
		if i%2 == 1 {
			cl = s2.cl
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &snapshot{Version: snapshotVersion, Seq: seq, Users: []snapUser{{UID: "u" + itoa(int(seq)), Nick: "n" + itoa(int(seq))}}}
			if err := cl.writeSnapshot(ctx, s); err != nil {
				t.Errorf("write %d: %v", seq, err)
			}
		}()
	}
	wg.Wait()
	p, ok := latestPointer(t, js)
	if !ok || p.Seq != top {
		t.Fatalf("pointer %+v after writes up to %d", p, top)
	}
	got, err := s1.cl.loadSnapshot(ctx)
	if err != nil || got == nil || got.Seq != top || len(got.Users) != 1 || got.Users[0].Nick != "n24" {
		t.Fatalf("latest snapshot: %+v %v", got, err)
	}
	waitFor(t, "the watch to see the latest", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) > 0 && seen[len(seen)-1] == top
	})
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("pointer moved from %d to %d: %v", seen[i-1], seen[i], seen)
		}
	}
	// Only the latest body is left.
	obj, err := js.ObjectStore(ctx, "ferry-snapshots")
	if err != nil {
		t.Fatal(err)
	}
	infos, err := obj.List(ctx)
	if err != nil || len(infos) != 1 || infos[0].Name != p.Object {
		var names []string
		for _, i := range infos {
			names = append(names, i.Name)
		}
		t.Fatalf("objects %v (%v), want only %s", names, err, p.Object)
	}
}

// TestClusterLiftsStreamLimits: the age and count limits an older ferryd
// gave the stream go when a node starts, so that only purges drop events.
func TestClusterLiftsStreamLimits(t *testing.T) {
	ns := startNATSForTest(t)
	js := natsJS(t, ns)
	ctx := contextWithTimeout(t, wait)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: streamName("ferry"), Subjects: []string{"ferry.ev.>"}, MaxAge: 7 * 24 * time.Hour, MaxMsgs: 2_000_000}); err != nil {
		t.Fatal(err)
	}
	startSnapNode(t, ns, "s1", 0, 0)
	st, err := js.Stream(ctx, streamName("ferry"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg := st.CachedInfo().Config; cfg.MaxAge != 0 || cfg.MaxMsgs > 0 {
		t.Fatalf("stream limits after start: age %v, messages %d", cfg.MaxAge, cfg.MaxMsgs)
	}
}
