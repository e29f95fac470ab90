package testnet

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

func TestMonitorAcrossNodes(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	a.send("MONITOR + Bob,carol")
	a.expectCmd("731", "alice", "Bob,carol")
	// bob connects on the other node: alice is told, with his mask.
	b := register(t, n.Node("s2").Addr(), "bob")
	if m := a.expectCmd("730", "alice"); !strings.HasPrefix(m.Trailing(), "bob!") {
		t.Fatalf("730 = %s", m)
	}
	a.send("MONITOR S")
	a.expectCmd("730", "alice")
	a.expectCmd("731", "alice", "carol")
	a.send("MONITOR L")
	a.expectCmd("732", "alice", "Bob,carol")
	a.expectCmd("733", "alice")
	// A nick change: offline under the old nick, online under the new.
	b.send("NICK carol")
	a.expectCmd("731", "alice", "bob")
	if m := a.expectCmd("730", "alice"); !strings.HasPrefix(m.Trailing(), "carol!") {
		t.Fatalf("730 = %s", m)
	}
	b.send("QUIT :bye")
	a.expectCmd("731", "alice", "carol")
	// Removal and clear: nothing more is said.
	a.send("MONITOR - carol")
	a.send("MONITOR C")
	a.send("MONITOR L")
	a.expectCmd("733", "alice")
	register(t, n.Node("s2").Addr(), "carol")
	a.expectNone("a 730 after the list was cleared", func(m *irc.Message) bool { return m.Command == "730" })
	a.send("MONITOR")
	a.expectCmd("461", "alice", "MONITOR")
	a.send("MONITOR X")
	a.expectCmd("421", "alice", "MONITOR")
}

func TestMonitorLimitAdvertised(t *testing.T) {
	n := startNet(t, Options{})
	c := dialPlain(t, "alice", n.Node("s1").Addr())
	c.send("NICK alice")
	c.send("USER alice 0 * :A")
	c.expectCmd("001", "alice")
	var found bool
	for !found {
		m, _ := c.expect("005", func(m *irc.Message) bool { return m.Command == "005" })
		for _, p := range m.Params {
			found = found || p == "MONITOR="+itoa(monitorLimit)
		}
	}
	var names []string
	for i := 0; i < monitorLimit+3; i++ {
		names = append(names, "n"+itoa(i))
	}
	c.send("MONITOR + %s", strings.Join(names[:monitorLimit+1], ","))
	c.expectCmd("734", "alice", itoa(monitorLimit), names[monitorLimit])
	c.send("MONITOR L")
	got := 0
	for {
		m, _ := c.expect("732 or 733", func(m *irc.Message) bool { return m.Command == "732" || m.Command == "733" })
		if m.Command == "733" {
			break
		}
		got += len(strings.Split(m.Trailing(), ","))
	}
	if got != monitorLimit {
		t.Fatalf("list holds %d, want %d", got, monitorLimit)
	}
}

func TestMonitorKeptAcrossMigration(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	a.send("MONITOR + bob")
	a.expectCmd("731", "alice", "bob")
	a.send("MIGRATE REQUEST s2")
	a2, _, _ := migrateClient(t, a, nil)
	register(t, n.Node("s1").Addr(), "bob")
	if m := a2.expectCmd("730", "alice"); !strings.HasPrefix(m.Trailing(), "bob!") || m.Prefix.Name != "s2" {
		t.Fatalf("730 after the migration = %s", m)
	}
}

func TestTypingRelayed(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", "message-tags")
	b := register(t, n.Node("s2").Addr(), "bob", "message-tags")
	a.send("@+typing=active TAGMSG bob")
	m := b.expectCmd("TAGMSG", "bob")
	if m.Tags["+typing"] != "active" || m.Prefix.Name != "alice" {
		t.Fatalf("relayed %s", m)
	}
	a.join("#t")
	b.join("#t")
	b.send("@+typing=done TAGMSG #t")
	if m := a.expectCmd("TAGMSG", "#t"); m.Tags["+typing"] != "done" {
		t.Fatalf("relayed %s", m)
	}
}
