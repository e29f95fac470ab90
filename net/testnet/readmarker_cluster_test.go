package testnet

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/natsd"
)

// startAccountNode is startClusterNode with SASL accounts.
func startAccountNode(t *testing.T, ns *natsd.Server, name string, accounts map[string]string) *Network {
	t.Helper()
	return startNet(t, Options{Nodes: []NodeConfig{{Name: name}}, Cluster: &ClusterOptions{NATSURL: ns.URL()}, Accounts: accounts})
}

func isMarkRead(m *irc.Message) bool { return m.Command == "MARKREAD" }

// expectMarker reads c's next MARKREAD and checks it is target's at ts.
func expectMarker(t *testing.T, c *client, target, ts string) {
	t.Helper()
	m, _ := c.expect("MARKREAD "+target, isMarkRead)
	if !is(m, "MARKREAD", target, ts) {
		t.Fatalf("%s: got %s, want MARKREAD %s %s", c.name, m, target, ts)
	}
}

// TestClusterReadMarker: an account's marker is the network's: a move on
// one process reaches the account's connection on the other, the later
// of two markers wins wherever it is set, and a session that migrates
// finds its markers on the node it lands on.
func TestClusterReadMarker(t *testing.T) {
	ns := startNATSForTest(t)
	accounts := map[string]string{"acct": "pw"}
	s1 := startAccountNode(t, ns, "s1", accounts)
	s2 := startAccountNode(t, ns, "s2", nil) // finds the account in NATS
	waitPeer(t, s1, s2)
	waitPeer(t, s2, s1)
	a := loginAs(t, s1.Node("s1").Addr(), "phone", "acct", "pw", append([]string{capReadMarker}, allCaps...)...)
	b := loginAs(t, s2.Node("s2").Addr(), "laptop", "acct", "pw", capReadMarker)

	const t1, t2, t3, t4 = "timestamp=2026-01-01T00:00:00.000Z", "timestamp=2026-01-02T00:00:00.000Z",
		"timestamp=2026-01-03T00:00:00.000Z", "timestamp=2026-01-04T00:00:00.000Z"
	a.send("MARKREAD #x %s", t2)
	expectMarker(t, a, "#x", t2)
	expectMarker(t, b, "#x", t2)

	// An earlier marker on the other process: its sender learns the kept one.
	b.send("MARKREAD #x %s", t1)
	expectMarker(t, b, "#x", t2)
	b.send("MARKREAD #x %s", t3)
	expectMarker(t, b, "#x", t3)
	expectMarker(t, a, "#x", t3)
	a.send("MARKREAD #x")
	expectMarker(t, a, "#x", t3)

	// A marker moved on s1 right before the session moves to s2 is there.
	a.send("MARKREAD #y %s", t4)
	expectMarker(t, a, "#y", t4)
	a.send("MIGRATE REQUEST s2")
	na, _, _ := migrateClient(t, a, nil)
	na.send("MARKREAD #y")
	expectMarker(t, na, "#y", t4)
	expectMarker(t, b, "#y", t4)
	na.send("MARKREAD #x")
	expectMarker(t, na, "#x", t3)

	// Told once, by the node the connection is on.
	waitFor(t, "s1 to see phone on s2", func() bool { node, _ := s1.UserNode("phone"); return node == "s2" })
	b.send("MARKREAD #z %s", t1)
	expectMarker(t, b, "#z", t1)
	expectMarker(t, na, "#z", t1)
	for _, c := range []*client{na, b} {
		c.expectNone("a second MARKREAD", isMarkRead)
	}

	// The network's record keeps the latest.
	waitFor(t, "the record of #x to be stored", func() bool {
		e, err := s1.cl.markers.Get(contextWithTimeout(t, time.Second), markerKey("acct", "#X"))
		if err != nil {
			return false
		}
		var rec markerRec
		return json.Unmarshal(e.Value(), &rec) == nil && rec.At.Format(markerLayout) == t3[len("timestamp="):]
	})
}

// TestClusterReadMarkerOutlivesStream: a node that starts after the
// stream has lost the "mark" events (its retention) still serves the
// markers, from the network's KV record.
func TestClusterReadMarkerOutlivesStream(t *testing.T) {
	ns := startNATSForTest(t)
	accounts := map[string]string{"acct": "pw"}
	s1 := startAccountNode(t, ns, "s1", accounts)
	a := loginAs(t, s1.Node("s1").Addr(), "phone", "acct", "pw", capReadMarker)
	a.send("MARKREAD #x timestamp=2026-01-02T00:00:00.000Z")
	expectMarker(t, a, "#x", "timestamp=2026-01-02T00:00:00.000Z")
	a.send("MARKREAD #x timestamp=2026-01-01T00:00:00.000Z") // earlier: not stored
	expectMarker(t, a, "#x", "timestamp=2026-01-02T00:00:00.000Z")
	s1.Close()

	nc, err := nats.Connect(ns.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := contextWithTimeout(t, wait)
	st, err := js.Stream(ctx, streamName("ferry"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if info, err := st.Info(ctx); err != nil || info.State.Msgs != 0 {
		t.Fatalf("stream after the purge: %v %v", info, err)
	}
	s2 := startAccountNode(t, ns, "s2", accounts)
	b := loginAs(t, s2.Node("s2").Addr(), "laptop", "acct", "pw", capReadMarker)
	b.send("MARKREAD #X")
	expectMarker(t, b, "#X", "timestamp=2026-01-02T00:00:00.000Z")
}
