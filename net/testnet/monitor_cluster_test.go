package testnet

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

// isMonitorNotice matches MONITOR's online and offline numerics.
func isMonitorNotice(m *irc.Message) bool {
	return m.Command == RPL_MONONLINE || m.Command == RPL_MONOFFLINE
}

// expectMonitor reads c's next 730 or 731 and checks it is code about
// nick (a 730 carries the nick's mask).
func expectMonitor(t *testing.T, c *client, code, nick string) {
	t.Helper()
	m, _ := c.expect(code+" "+nick, isMonitorNotice)
	target := m.Trailing()
	if code == RPL_MONONLINE {
		target, _, _ = strings.Cut(target, "!")
	}
	if m.Command != code || !strings.EqualFold(target, nick) {
		t.Fatalf("%s: got %s, want %s about %s", c.name, m, code, nick)
	}
}

// TestClusterMonitor: a watcher is told of changes made on another
// process's node (registration, nick change, QUIT) from the network's
// event stream, MONITOR + and S answer from the network's view, and a
// migration between the processes tells nobody anything.
func TestClusterMonitor(t *testing.T) {
	s1, s2 := startClusterPair(t)
	w1 := register(t, s1.Node("s1").Addr(), "w1")
	w2 := register(t, s2.Node("s2").Addr(), "w2")
	w2.send("MONITOR + bob,carol")
	w2.expectCmd(RPL_MONOFFLINE, "w2", "bob,carol")

	b := register(t, s1.Node("s1").Addr(), "bob")
	expectMonitor(t, w2, RPL_MONONLINE, "bob")
	w2.send("MONITOR S")
	expectMonitor(t, w2, RPL_MONONLINE, "bob")
	expectMonitor(t, w2, RPL_MONOFFLINE, "carol")

	b.send("NICK carol")
	expectMonitor(t, w2, RPL_MONOFFLINE, "bob")
	expectMonitor(t, w2, RPL_MONONLINE, "carol")

	b.send("QUIT :bye")
	expectMonitor(t, w2, RPL_MONOFFLINE, "carol")

	// A nick online on the other process answers MONITOR + as online.
	d := register(t, s1.Node("s1").Addr(), "dave", allCaps...)
	waitFor(t, "s2 to see dave", func() bool { _, ok := s2.UserNode("dave"); return ok })
	w2.send("MONITOR + dave")
	expectMonitor(t, w2, RPL_MONONLINE, "dave")
	w1.send("MONITOR + dave")
	expectMonitor(t, w1, RPL_MONONLINE, "dave")

	// dave moves s1 -> s2: neither process's watchers hear of it.
	d.send("MIGRATE REQUEST s2")
	nd, _, _ := migrateClient(t, d, nil)
	waitFor(t, "s1 to see dave on s2", func() bool { node, _ := s1.UserNode("dave"); return node == "s2" })
	nd.barrier()
	for _, w := range []*client{w1, w2} {
		w.expectNone("MONITOR notice for a migration", isMonitorNotice)
	}
	w2.send("MONITOR S")
	expectMonitor(t, w2, RPL_MONONLINE, "dave")
	w2.expectCmd(RPL_MONOFFLINE, "w2", "bob,carol")

	// dave quits on s2: s1's watcher is told from the stream.
	nd.send("QUIT :done")
	expectMonitor(t, w1, RPL_MONOFFLINE, "dave")
	expectMonitor(t, w2, RPL_MONOFFLINE, "dave")
}

// TestClusterMonitorWatcherMoves: a watcher that moved to the other
// process keeps its list there and is told once of a change on the
// process it left (not once by each).
func TestClusterMonitorWatcherMoves(t *testing.T) {
	s1, s2 := startClusterPair(t)
	w := register(t, s1.Node("s1").Addr(), "w", allCaps...)
	w.send("MONITOR + erin")
	w.expectCmd(RPL_MONOFFLINE, "w", "erin")
	w.send("MIGRATE REQUEST s2")
	nw, _, _ := migrateClient(t, w, nil)
	waitFor(t, "s1 to see w on s2", func() bool { node, _ := s1.UserNode("w"); return node == "s2" })

	e := register(t, s1.Node("s1").Addr(), "erin")
	expectMonitor(t, nw, RPL_MONONLINE, "erin")
	e.send("QUIT :bye")
	expectMonitor(t, nw, RPL_MONOFFLINE, "erin")
	waitFor(t, "s2 to see erin gone", func() bool { _, ok := s2.UserNode("erin"); return !ok })
	nw.expectNone("a second MONITOR notice", isMonitorNotice)
}
