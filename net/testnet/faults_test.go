package testnet

import (
	"net"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// startAndOK gets START for alice and answers OK, returning START.
func startAndOK(t *testing.T, n *Network, a *client, to string) *irc.Message {
	t.Helper()
	if err := n.Migrate("alice", to); err != nil {
		t.Fatal(err)
	}
	start := a.expectCmd("MIGRATE", "START")
	a.send("MIGRATE OK %s", start.Param(3))
	return start
}

func TestFaultWrongConfirm(t *testing.T) {
	n, a, b := pair(t, Options{Faults: Faults{WrongConfirm: true}})
	start := startAndOK(t, n, a, "s2")
	a.expectCmd("MIGRATE", "PROCEED", start.Param(3))
	a.expectClosed()
	a2 := dialPlain(t, "alice", n.Node("s2").Addr())
	a2.send("MIGRATE RESUME %s", start.Param(3))
	c := a2.expectCmd("MIGRATE", "CONFIRM")
	if c.Param(1) == start.Param(4) || !validToken(c.Param(1)) {
		t.Fatalf("CONFIRM token %q should differ from START's", c.Param(1))
	}
	// The client distrusts it and leaves; an ordinary reconnect follows.
	a2.nc.Close()
	q, _ := b.expect("QUIT of alice", fromAlice("QUIT"))
	_ = q
	register(t, n.Node("s1").Addr(), "alice", allCaps...)
}

func TestFaultUnreachableTarget(t *testing.T) {
	n, a, b := pair(t, Options{Faults: Faults{UnreachableTarget: true}})
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	start := a.expectCmd("MIGRATE", "START")
	addr := net.JoinHostPort(start.Param(1), start.Param(2))
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("START target %s accepts connections", addr)
	}
	a.send("MIGRATE NAK %s :target unreachable", start.Param(3))
	a.send("PRIVMSG #chan :still here")
	b.expectCmd("PRIVMSG", "#chan", "still here")
	if node, _ := n.UserNode("alice"); node != "s1" {
		t.Fatalf("alice on %s", node)
	}
}

func TestFaultPlainTargetOnTLS(t *testing.T) {
	n := startNet(t, Options{SelfSigned: true, Faults: Faults{PlainTargetOnTLS: true}})
	a := dialTLS(t, "alice", n.Node("s1").TLSAddr(), n.CAPool())
	a.handshake("alice", capMigrate)
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	start := a.expectCmd("MIGRATE", "START")
	if start.Param(2) != itoa(n.Node("s2").Port()) {
		t.Fatalf("START port %q, want the plain port %d without +", start.Param(2), n.Node("s2").Port())
	}
	a.send("MIGRATE NAK %s :insecure target", start.Param(3))
	a.send("PING :alive")
	a.expectCmd("PONG", "s1", "alive")
}

func TestFaultAbortAfterOK(t *testing.T) {
	n, a, b := pair(t, Options{Faults: Faults{AbortAfterOK: true}})
	start := startAndOK(t, n, a, "s2")
	a.expectCmd("FAIL", "MIGRATE", "ABORTED", start.Param(3))
	// Normal traffic resumes on the same connection.
	a.send("PRIVMSG #chan :after abort")
	b.expectCmd("PRIVMSG", "#chan", "after abort")
	b.send("PRIVMSG alice :to you")
	a.expectCmd("PRIVMSG", "alice", "to you")
	if node, _ := n.UserNode("alice"); node != "s1" {
		t.Fatalf("alice on %s", node)
	}
	b.expectNone("alice leaving", aliceVisible)
}

func TestFaultNoProceed(t *testing.T) {
	n, a, b := pair(t, Options{Faults: Faults{NoProceed: true}})
	startAndOK(t, n, a, "s2")
	b.send("PRIVMSG #chan :while waiting")
	a.expectCmd("PRIVMSG", "#chan", "while waiting") // OLD still delivers
	a.expectNone("PROCEED", func(m *irc.Message) bool { return is(m, "MIGRATE", "PROCEED") })
	// The client gives up after its own timeout and flushes its queue to OLD.
	a.send("PRIVMSG #chan :queued line")
	b.expectCmd("PRIVMSG", "#chan", "queued line")
	if node, _ := n.UserNode("alice"); node != "s1" {
		t.Fatalf("alice on %s", node)
	}
}

func TestFaultDropOnResume(t *testing.T) {
	n, a, b := pair(t, Options{Faults: Faults{DropOnResume: true}})
	start := startAndOK(t, n, a, "s2")
	a.expectCmd("MIGRATE", "PROCEED", start.Param(3))
	a2 := dialPlain(t, "alice", n.Node("s2").Addr())
	a2.send("MIGRATE RESUME %s", start.Param(3))
	if got := a2.expectClosed(); len(got) > 0 {
		t.Fatalf("lines before the drop: %s", lines(got))
	}
	b.expect("QUIT of alice", fromAlice("QUIT"))
	if st := n.Stats(); st.Failed != 1 || st.Completed != 0 {
		t.Errorf("Stats = %+v", st)
	}
	// The nick is free for the client's fallback reconnect.
	register(t, n.Node("s1").Addr(), "alice", allCaps...)
}

func TestFaultInvalidTokenOnResume(t *testing.T) {
	n, a, b := pair(t, Options{Faults: Faults{InvalidTokenOnResume: true}})
	start := startAndOK(t, n, a, "s2")
	a.expectCmd("MIGRATE", "PROCEED", start.Param(3))
	a2 := dialPlain(t, "alice", n.Node("s2").Addr())
	a2.send("MIGRATE RESUME %s", start.Param(3))
	a2.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", start.Param(3))
	a2.expectClosed()
	b.expect("QUIT of alice", fromAlice("QUIT"))
	register(t, n.Node("s1").Addr(), "alice", allCaps...)
}

func TestFaultProceedDelay(t *testing.T) {
	const delay = 100 * time.Millisecond
	n, a, b := pair(t, Options{Faults: Faults{ProceedDelay: delay}})
	ok := time.Now()
	start := startAndOK(t, n, a, "s2")
	waitFor(t, "the flip", func() bool { node, _ := n.UserNode("alice"); return node == "s2" })
	b.send("PRIVMSG #chan :in the window")
	_, before := a.expect("PROCEED", func(m *irc.Message) bool { return is(m, "MIGRATE", "PROCEED") })
	if since := time.Since(ok); since < delay {
		t.Fatalf("PROCEED after %v, want at least %v", since, delay)
	}
	for _, m := range before {
		if m.Command == "PRIVMSG" {
			t.Fatalf("OLD delivered a line produced after the flip: %s", m)
		}
	}
	a.expectClosed()
	a2 := dialPlain(t, "alice", n.Node("s2").Addr())
	a2.send("MIGRATE RESUME %s", start.Param(3))
	a2.expectCmd("MIGRATE", "CONFIRM", start.Param(4))
	a2.expectCmd("PRIVMSG", "#chan", "in the window")
}

func TestSetFaultsAtRunTime(t *testing.T) {
	n, a, _ := pair(t, Options{})
	n.SetFaults(Faults{AbortAfterOK: true})
	start := startAndOK(t, n, a, "s2")
	a.expectCmd("FAIL", "MIGRATE", "ABORTED", start.Param(3))
	n.SetFaults(Faults{})
	a.send("MIGRATE REQUEST s2")
	a2, _, _ := migrateClient(t, a, nil)
	a2.send("WHOIS alice")
	if m := a2.expectCmd("312"); !strings.Contains(m.Param(2), "s2") {
		t.Fatalf("WHOIS server %s", m)
	}
}
