package testnet

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/natsd"
)

// startNATSForTest runs an embedded NATS server with JetStream for one test.
func startNATSForTest(t testing.TB) *natsd.Server {
	t.Helper()
	ns, err := natsd.Start("127.0.0.1:0", t.TempDir())
	if err != nil {
		t.Fatalf("natsd.Start: %v", err)
	}
	t.Cleanup(ns.Close)
	return ns
}

// startClusterNode starts one node of a multi-process network in this
// process (the other "processes" are other Networks on the same NATS).
func startClusterNode(t testing.TB, ns *natsd.Server, name string) *Network {
	t.Helper()
	return startNet(t, Options{Nodes: []NodeConfig{{Name: name}}, Cluster: &ClusterOptions{NATSURL: ns.URL()}})
}

// waitPeer waits until n's registry lists the node of peer as it runs now.
func waitPeer(t testing.TB, n, peer *Network) {
	t.Helper()
	name, boot := peer.nodes[0].name, peer.cl.boot
	deadline := time.Now().Add(wait)
	for {
		n.lock()
		nd := n.remote[name]
		ok := nd != nil && !nd.down && nd.boot == boot && !nd.draining
		state := "unknown"
		if nd != nil {
			state = sprintf("down=%v boot=%s (want %s) draining=%v", nd.down, nd.boot, boot, nd.draining)
		}
		n.unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not see %s as it runs now: %s", n.nodes[0].name, name, state)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestClusterTwoNodesOneNetwork(t *testing.T) {
	s1, s2 := startClusterPair(t)

	a := register(t, s1.Node("s1").Addr(), "alice", allCaps...)
	b := register(t, s2.Node("s2").Addr(), "bob")

	// One nick per network, whichever node is asked.
	dup := dialPlain(t, "alice2", s2.Node("s2").Addr())
	dup.send("NICK alice")
	dup.send("USER x 0 * :x")
	dup.expectCmd("433")

	a.join("#x")
	a.send("TOPIC #x :across processes")
	a.expectCmd("TOPIC", "#x", "across processes")
	waitFor(t, "s2 to see the topic", func() bool {
		s2.lock()
		defer s2.unlock()
		ch := s2.chans["#x"]
		return ch != nil && ch.topic == "across processes"
	})
	b.send("JOIN #x")
	b.expectCmd("332", "bob", "#x", "across processes")
	_, names := b.expectCmd("366", "bob", "#x"), b.barrier()
	_ = names
	a.expectCmd("JOIN", "#x")
	b.send("PRIVMSG #x :hello from s2")
	a.expectCmd("PRIVMSG", "#x", "hello from s2")
	a.send("PRIVMSG #x :hello from s1")
	b.expectCmd("PRIVMSG", "#x", "hello from s1")
	a.send("PRIVMSG bob :private")
	b.expectCmd("PRIVMSG", "bob", "private")

	// The session moves to the other process: nobody sees QUIT or JOIN.
	a.send("MIGRATE REQUEST s2")
	na, _, start := migrateClient(t, a, nil)
	if start.Param(5) != "s2" || !strings.HasSuffix(start.Param(2), itoa(s2.Node("s2").Port())) {
		t.Fatalf("START %v does not name s2's address", start)
	}
	b.send("PRIVMSG #x :after the move")
	na.expectCmd("PRIVMSG", "#x", "after the move")
	na.send("PRIVMSG #x :still alice")
	_, seen := b.expect("alice's line", func(m *irc.Message) bool { return is(m, "PRIVMSG", "#x", "still alice") })
	for _, m := range seen {
		if m.Command == "QUIT" || m.Command == "JOIN" {
			t.Fatalf("bob saw %v", m)
		}
	}
	waitFor(t, "s1 to see alice on s2", func() bool { nd, _ := s1.UserNode("alice"); return nd == "s2" })

	// History is the network's, not a node's.
	waitFor(t, "s1 to record s2's lines", func() bool {
		s1.lock()
		defer s1.unlock()
		h := s1.hist["#x"]
		return h != nil && len(h.entries) == 4
	})
	c := register(t, s1.Node("s1").Addr(), "carol", "batch", "server-time", "message-tags", capChathistory)
	c.join("#x")
	c.send("CHATHISTORY LATEST #x * 10")
	_, hist := c.expect("end of history batch", func(m *irc.Message) bool { return m.Command == "BATCH" && strings.HasPrefix(m.Param(0), "-") })
	var texts []string
	for _, m := range hist {
		if m.Command == "PRIVMSG" {
			texts = append(texts, m.Param(1))
		}
	}
	if want := "hello from s2|hello from s1|after the move|still alice"; strings.Join(texts, "|") != want {
		t.Fatalf("history %q, want %q", strings.Join(texts, "|"), want)
	}
}

// TestClusterShutdownMovesClients is a rolling restart inside one test:
// s1 shuts down, its migrate-capable client lands on s2, the other is
// told the server is restarting, and a new s1 finds the channel intact.
func TestClusterShutdownMovesClients(t *testing.T) {
	ns := startNATSForTest(t)
	s1, err := Start(Options{Nodes: []NodeConfig{{Name: "s1"}}, Cluster: &ClusterOptions{NATSURL: ns.URL()}, Log: &tlog{t: t, on: true}})
	if err != nil {
		t.Fatal(err)
	}
	s2 := startClusterNode(t, ns, "s2")
	waitPeer(t, s1, s2)
	addr := s1.Node("s1").Addr()
	a := register(t, addr, "alice", allCaps...)
	p := register(t, addr, "plain")
	b := register(t, s2.Node("s2").Addr(), "bob")
	a.join("#x")
	a.send("TOPIC #x :kept")
	p.join("#x")
	waitFor(t, "s2 to see #x", func() bool {
		s2.lock()
		defer s2.unlock()
		ch := s2.chans["#x"]
		return ch != nil && len(ch.members) == 2
	})
	b.join("#x")
	a.expectCmd("JOIN", "#x")
	a.barrier()

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		done <- s1.Shutdown(ctx)
	}()
	na, _, _ := migrateClient(t, a, nil)
	_, rest := p.expect("ERROR", func(m *irc.Message) bool { return m.Command == "ERROR" && strings.Contains(m.Param(0), "restarting") })
	_ = rest
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Shutdown did not return")
	}
	na.send("PRIVMSG #x :on s2 now")
	_, seen := b.expect("alice's line", func(m *irc.Message) bool { return is(m, "PRIVMSG", "#x", "on s2 now") })
	for _, m := range seen {
		if m.Command == "JOIN" || m.Command == "QUIT" && m.Prefix.Name == "alice" {
			t.Fatalf("bob saw %v", m)
		}
	}
	p2 := register(t, s2.Node("s2").Addr(), "plain")
	p2.send("JOIN #x")
	p2.expectCmd("332", "plain", "#x", "kept")

	s1b := startNet(t, Options{Nodes: []NodeConfig{{Name: "s1", Addr: addr}}, Cluster: &ClusterOptions{NATSURL: ns.URL()}})
	waitPeer(t, s2, s1b)
	waitPeer(t, s1b, s2)
	na.send("MIGRATE REQUEST s1")
	back, _, _ := migrateClient(t, na, nil)
	back.send("TOPIC #x")
	back.expectCmd("332", "alice", "#x", "kept")
	b.send("PRIVMSG #x :welcome back")
	back.expectCmd("PRIVMSG", "#x", "welcome back")
}

// TestClusterAccountsInKV: an account given to one node's process
// authenticates on another node, which had none of its own.
func TestClusterAccountsInKV(t *testing.T) {
	ns := startNATSForTest(t)
	startNet(t, Options{Nodes: []NodeConfig{{Name: "s1"}}, Accounts: map[string]string{"alice": "wonderland"}, Cluster: &ClusterOptions{NATSURL: ns.URL()}})
	s2 := startClusterNode(t, ns, "s2")
	c := dialPlain(t, "alice", s2.Node("s2").Addr())
	c.send("CAP REQ :sasl")
	c.expectCmd("CAP", "*", "ACK")
	c.send("AUTHENTICATE PLAIN")
	c.expectCmd("AUTHENTICATE", "+")
	c.send("AUTHENTICATE %s", b64("\x00alice\x00wonderland"))
	c.expectCmd("903")
	d := dialPlain(t, "mallory", s2.Node("s2").Addr())
	d.send("CAP REQ :sasl")
	d.expectCmd("CAP", "*", "ACK")
	d.send("AUTHENTICATE PLAIN")
	d.expectCmd("AUTHENTICATE", "+")
	d.send("AUTHENTICATE %s", b64("\x00alice\x00guess"))
	d.expectCmd("904")
}

// TestClusterCancelledTakeOver: NEW took a session over but OLD, not
// hearing back in time, kept it. OLD's cancel gives it back, and a line
// NEW made for the user while holding it reaches the user once, on OLD.
func TestClusterCancelledTakeOver(t *testing.T) {
	s1, s2 := startClusterPair(t)
	a := register(t, s1.Node("s1").Addr(), "alice", allCaps...)
	b := register(t, s2.Node("s2").Addr(), "bob")
	a.join("#x")
	waitChan(t, s2, "#x")
	b.join("#x")
	a.expectCmd("JOIN", "#x")

	s1.lock()
	u := s1.users["alice"]
	h := handover{UID: u.uid, Nick: u.nick, User: u.username, Host: u.host, Caps: capList(u.caps), Chans: []handoverChan{{Name: "#x", Op: true}},
		From: "s1", FromCaps: capList(s1.nodes[0].caps), RTok: newToken(), CTok: newToken(), After: s1.cl.applied}
	s1.unlock()
	waitFor(t, "s2 to apply what s1 has", func() bool {
		s2.lock()
		defer s2.unlock()
		return s2.cl.applied >= h.After
	})
	if err := s2.takeOver(&h); err != nil {
		t.Fatal(err)
	}
	b.send("PRIVMSG #x :held on s2")
	b.barrier()
	s2.cancelTakeOver(h.RTok)
	a.expectCmd("PRIVMSG", "#x", "held on s2")
	b.send("PRIVMSG #x :after the cancel")
	_, seen := a.expect("the next line", func(m *ircMessage) bool { return is(m, "PRIVMSG", "#x", "after the cancel") })
	for _, m := range seen {
		if is(m, "PRIVMSG", "#x", "held on s2") {
			t.Fatalf("alice got the held line twice")
		}
	}
}

func TestClusterOneProcessPerNodeName(t *testing.T) {
	ns := startNATSForTest(t)
	startClusterNode(t, ns, "s1")
	_, err := Start(Options{Nodes: []NodeConfig{{Name: "s1"}}, Cluster: &ClusterOptions{NATSURL: ns.URL()}, Log: discard{}})
	if err == nil || !strings.Contains(err.Error(), "node s1 is already running") {
		t.Fatalf("second s1: %v", err)
	}
}

// TestClusterChannelRecord: the channel's KV record follows changes made
// on both nodes (members by nick with their prefixes, topic, modes), and
// goes when the channel empties.
func TestClusterChannelRecord(t *testing.T) {
	ns := startNATSForTest(t)
	s1 := startClusterNode(t, ns, "s1")
	s2 := startClusterNode(t, ns, "s2")
	a := register(t, s1.Node("s1").Addr(), "alice")
	b := register(t, s2.Node("s2").Addr(), "bob")
	a.join("#x")
	waitChan(t, s2, "#x")
	b.join("#x")
	a.send("TOPIC #x :recorded")
	a.send("MODE #x -t")
	record := func() (chanRec, bool) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		e, err := s1.cl.chans.Get(ctx, hexKey("#x"))
		if err != nil {
			return chanRec{}, false
		}
		var r chanRec
		return r, json.Unmarshal(e.Value(), &r) == nil
	}
	members := func(r chanRec) string {
		var l []string
		for _, m := range r.Members {
			l = append(l, m.Prefix+m.Nick)
		}
		sort.Strings(l)
		return strings.Join(l, " ")
	}
	waitFor(t, "the record with both members, the topic and -t", func() bool {
		r, ok := record()
		return ok && members(r) == "@alice bob" && r.Topic == "recorded" && r.Modes == "+n"
	})
	b.send("NICK robert")
	waitFor(t, "the rename", func() bool { r, ok := record(); return ok && members(r) == "@alice robert" })
	b.send("PART #x")
	a.send("PART #x")
	waitFor(t, "the record to go", func() bool { _, ok := record(); return !ok })
}

// TestClusterOperatorMigrate: the operator's migrate command, given to
// any node's process, moves a user of another process's node.
func TestClusterOperatorMigrate(t *testing.T) {
	s1, s2 := startClusterPair(t)
	a := register(t, s1.Node("s1").Addr(), "alice", allCaps...)
	waitFor(t, "s2 to know alice", func() bool { _, ok := s2.UserNode("alice"); return ok })
	if err := s2.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	migrateClient(t, a, nil)
	if err := s2.Migrate("nobody", "s1"); !errors.Is(err, ErrNoSuchUser) {
		t.Fatalf("migrate nobody: %v", err)
	}
}

// TestClusterTakeOverPastStateEvents: NEW may have applied events past
// OLD's cut that carry no line for anyone (registrations, joins); they
// leave no gap in what it can replay.
func TestClusterTakeOverPastStateEvents(t *testing.T) {
	ns := startNATSForTest(t)
	s1 := startClusterNode(t, ns, "s1")
	s2 := startClusterNode(t, ns, "s2")
	register(t, s1.Node("s1").Addr(), "alice", allCaps...)
	s1.lock()
	u := s1.users["alice"]
	h := handover{UID: u.uid, Nick: u.nick, User: u.username, Host: u.host, Caps: capList(u.caps),
		From: "s1", FromCaps: capList(s1.nodes[0].caps), RTok: newToken(), CTok: newToken(), After: s1.cl.applied}
	s1.unlock()
	b := register(t, s2.Node("s2").Addr(), "bob")
	b.join("#y")
	waitChan(t, s1, "#y")
	c := register(t, s1.Node("s1").Addr(), "carol")
	c.join("#y")
	b.expectCmd("JOIN", "#y") // a "to" event, well past the cut
	waitFor(t, "s2 to be past the cut with a line in its ring", func() bool {
		s2.lock()
		defer s2.unlock()
		return len(s2.cl.ring) > 0 && s2.cl.ring[0].seq > h.After+1
	})
	if err := s2.takeOver(&h); err != nil {
		t.Fatalf("takeOver: %v", err)
	}
	s2.cancelTakeOver(h.RTok)
}

// startClusterPair starts nodes s1 and s2 of one network over a NATS
// server of the test's own, each knowing the other.
func startClusterPair(t *testing.T) (s1, s2 *Network) {
	t.Helper()
	ns := startNATSForTest(t)
	s1 = startClusterNode(t, ns, "s1")
	s2 = startClusterNode(t, ns, "s2")
	waitPeer(t, s1, s2)
	waitPeer(t, s2, s1)
	return s1, s2
}
