package testnet

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// pair starts alice (with every cap) on s1 and bob (no caps) on s2, both in #chan.
func pair(t *testing.T, opts Options) (*Network, *client, *client) {
	t.Helper()
	n := startNet(t, opts)
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#chan")
	b.join("#chan")
	a.barrier()
	return n, a, b
}

func fromAlice(cmds ...string) func(*irc.Message) bool {
	return func(m *irc.Message) bool {
		if m.Prefix == nil || m.Prefix.Name != "alice" {
			return false
		}
		for _, c := range cmds {
			if m.Command == c {
				return true
			}
		}
		return false
	}
}

var aliceVisible = fromAlice("QUIT", "JOIN", "NICK", "PART")

func TestRequestStartsMigration(t *testing.T) {
	n, a, b := pair(t, Options{})
	a.send("MIGRATE REQUEST s2")
	a2, _, start := migrateClient(t, a, nil)
	if start.Param(5) != "s2" || !validToken(start.Param(3)) || !validToken(start.Param(4)) || start.Param(3) == start.Param(4) {
		t.Fatalf("START = %s", start)
	}
	if node, _ := n.UserNode("alice"); node != "s2" {
		t.Fatalf("on %s", node)
	}
	// Back again, by request on the new node.
	a2.send("MIGRATE REQUEST s1")
	a3, _, _ := migrateClient(t, a2, nil)
	if st := n.Stats(); st.Started != 2 || st.Completed != 2 || st.Failed != 0 || st.Window <= 0 {
		t.Errorf("Stats = %+v", st)
	}
	a3.send("PRIVMSG #chan :home")
	b.expectCmd("PRIVMSG", "#chan", "home")
	b.expectNone("alice leaving or joining", aliceVisible)
}

func TestNakChangesNothing(t *testing.T) {
	n, a, b := pair(t, Options{})
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	start := a.expectCmd("MIGRATE", "START")
	a.send("MIGRATE NAK %s :not today", start.Param(3))
	a.send("PRIVMSG #chan :still on s1")
	b.expectCmd("PRIVMSG", "#chan", "still on s1")
	b.send("PRIVMSG alice :hi")
	a.expectCmd("PRIVMSG", "alice", "hi")
	if node, _ := n.UserNode("alice"); node != "s1" {
		t.Fatalf("after NAK alice is on %s", node)
	}
	// The migration is over: a new one may start, and the old token is dead.
	a.send("MIGRATE OK %s", start.Param(3))
	a.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", start.Param(3))
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatalf("a new migration after NAK: %v", err)
	}
	if st := n.Stats(); st.Declined != 1 || st.Started != 2 {
		t.Errorf("Stats = %+v", st)
	}
	migrateClient(t, a, nil)
	b.expectNone("alice leaving or joining", aliceVisible)
}

func TestFailCodes(t *testing.T) {
	n, a, b := pair(t, Options{Nodes: []NodeConfig{{Name: "s1"}, {Name: "s2"}, {Name: "s3", RefuseMigrations: true}}})
	a.send("MIGRATE REQUEST nowhere")
	a.expectCmd("FAIL", "MIGRATE", "UNKNOWN_SERVER", "nowhere")
	a.send("MIGRATE REQUEST s1")
	f := a.expectCmd("FAIL", "MIGRATE", "NOT_ALLOWED", "s1")
	if !strings.Contains(f.Trailing(), "already on s1") {
		t.Errorf("description %q", f.Trailing())
	}
	a.send("MIGRATE REQUEST s3")
	a.expectCmd("FAIL", "MIGRATE", "NOT_ALLOWED", "s3")
	a.send("MIGRATE REQUEST s2")
	a.expectCmd("MIGRATE", "START")
	a.send("MIGRATE REQUEST s2")
	a.expectCmd("FAIL", "MIGRATE", "IN_PROGRESS")
	if err := n.Migrate("alice", "s2"); !errors.Is(err, ErrInProgress) {
		t.Errorf("Migrate during a migration: %v", err)
	}
	// INVALID_TOKEN on RESUME to a node that holds nothing for the token.
	x := dialPlain(t, "x", n.Node("s2").Addr())
	x.send("MIGRATE RESUME bogusToken")
	x.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", "bogusToken")
	x.expectClosed()
	// A drained node refuses too.
	if err := n.Drain("s3"); err != nil {
		t.Fatal(err)
	}
	b.send("MIGRATE REQUEST s1")
	b.expectCmd("FAIL", "MIGRATE", "NOT_ALLOWED", "s1") // bob lacks the capability
	b.expectNone("any MIGRATE to a client without the capability", func(m *irc.Message) bool { return m.Command == "MIGRATE" })
}

func TestCapabilityRules(t *testing.T) {
	n, a, b := pair(t, Options{BounceEvery: 20 * time.Millisecond})
	// bob never enabled draft/migrate: no MIGRATE reaches him by any trigger.
	if err := n.Migrate("bob", "s1"); !errors.Is(err, ErrNoCapability) {
		t.Fatalf("Migrate(bob) = %v", err)
	}
	// alice is bounced by the ticker; follow her once.
	a2, _, _ := migrateClient(t, a, nil)
	a2.send("PRIVMSG #chan :bounced")
	b.expectCmd("PRIVMSG", "#chan", "bounced")
	// Draining s2 moves alice back, and nobody else.
	if err := n.Drain("s2"); err != nil && !errors.Is(err, ErrInProgress) {
		t.Fatal(err)
	}
	a3, _, _ := migrateClient(t, a2, nil)
	a3.send("PRIVMSG #chan :drained")
	b.expectCmd("PRIVMSG", "#chan", "drained")
	b.expectNone("any MIGRATE to a client without the capability", func(m *irc.Message) bool { return m.Command == "MIGRATE" })
	if node, _ := n.UserNode("bob"); node != "s2" {
		t.Fatalf("bob moved to %s", node)
	}
}

func TestDrainMovesEveryCapableClient(t *testing.T) {
	n := startNet(t, Options{})
	var cs []*client
	for _, nick := range []string{"c1", "c2", "c3"} {
		c := register(t, n.Node("s1").Addr(), nick, capMigrate)
		c.join("#d")
		cs = append(cs, c)
	}
	if err := n.Drain("s1"); err != nil {
		t.Fatal(err)
	}
	for i, c := range cs {
		cs[i], _, _ = migrateClient(t, c, nil)
	}
	if r := n.Remaining("s1"); r != 0 {
		t.Fatalf("%d users left on s1", r)
	}
	if err := n.Drain("s2"); !errors.Is(err, ErrNoOtherNode) {
		t.Fatalf("draining the last node: %v", err)
	}
	cs[0].send("MIGRATE REQUEST s1")
	cs[0].expectCmd("FAIL", "MIGRATE", "NOT_ALLOWED", "s1")
	if err := n.Undrain("s1"); err != nil {
		t.Fatal(err)
	}
	cs[0].send("MIGRATE REQUEST s1")
	cs[0].expectCmd("MIGRATE", "START")
}

func TestHoldTimeoutEndsWithOneQuit(t *testing.T) {
	n, a, b := pair(t, Options{HoldTimeout: 50 * time.Millisecond})
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	start := a.expectCmd("MIGRATE", "START")
	a.send("MIGRATE OK %s", start.Param(3))
	a.expectCmd("MIGRATE", "PROCEED", start.Param(3))
	a.expectClosed()
	// Never RESUME: the held session ends as one ordinary QUIT.
	q, skipped := b.expect("QUIT of alice", fromAlice("QUIT"))
	if q.Trailing() != "Migration timed out" {
		t.Fatalf("QUIT reason %q", q.Trailing())
	}
	for _, m := range append(skipped, b.barrier()...) {
		if aliceVisible(m) {
			t.Fatalf("more than one visible event: %s", m)
		}
	}
	late := dialPlain(t, "late", n.Node("s2").Addr())
	late.send("MIGRATE RESUME %s", start.Param(3))
	late.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", start.Param(3))
	if _, ok := n.UserNode("alice"); ok {
		t.Fatal("alice still exists")
	}
}

func TestAnswerTimeoutClearsStart(t *testing.T) {
	n, a, _ := pair(t, Options{HoldTimeout: 30 * time.Millisecond})
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	start := a.expectCmd("MIGRATE", "START")
	// A client that never answers does not block migrations for ever.
	deadline := time.Now().Add(wait)
	for n.Migrate("alice", "s2") != nil {
		if time.Now().After(deadline) {
			t.Fatal("the unanswered START never expired")
		}
		time.Sleep(5 * time.Millisecond)
	}
	a.send("MIGRATE OK %s", start.Param(3))
	a.expect("INVALID_TOKEN for the expired START", func(m *irc.Message) bool {
		return is(m, "FAIL", "MIGRATE", "INVALID_TOKEN", start.Param(3))
	})
}

func TestBufferLimitEndsWithOneQuit(t *testing.T) {
	n, a, b := pair(t, Options{BufferLimit: 5})
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	start := a.expectCmd("MIGRATE", "START")
	a.send("MIGRATE OK %s", start.Param(3))
	a.expectCmd("MIGRATE", "PROCEED", start.Param(3))
	for i := 0; i < 6; i++ {
		b.send("PRIVMSG #chan :line %d", i)
	}
	q, _ := b.expect("QUIT of alice", fromAlice("QUIT"))
	if q.Trailing() != "Migration timed out" {
		t.Fatalf("QUIT reason %q", q.Trailing())
	}
	b.expectNone("a second event", aliceVisible)
}

func TestCapDelAndISupportAfterMigration(t *testing.T) {
	n := startNet(t, Options{Nodes: []NodeConfig{
		{Name: "s1"},
		{Name: "s2", WithoutCaps: []string{"server-time"}, ISupport: []string{"LINELEN=2048", "NICKLEN=20", "-TOPICLEN"}},
	}})
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	a.send("MIGRATE REQUEST s2")
	a2, _, _ := migrateClient(t, a, nil)
	del := a2.expectCmd("CAP", "*", "DEL")
	if del.Trailing() != "server-time" {
		t.Fatalf("CAP DEL %q", del.Trailing())
	}
	is5 := a2.expectCmd("005", "alice")
	got := strings.Join(is5.Params[1:len(is5.Params)-1], " ")
	if got != "NICKLEN=20 LINELEN=2048 -TOPICLEN" {
		t.Fatalf("005 diff %q", got)
	}
	a2.send("CAP LIST")
	l := a2.expectCmd("CAP", "alice", "LIST")
	if strings.Contains(l.Trailing(), "server-time") {
		t.Fatalf("server-time still enabled: %q", l.Trailing())
	}
	a2.send("PING :t")
	if p := a2.expectCmd("PONG"); p.Tags["time"] != "" {
		t.Fatalf("time tag after CAP DEL: %s", p)
	}
	// And back: s1 offers server-time again, announced with CAP NEW.
	a2.send("MIGRATE REQUEST s1")
	a3, _, _ := migrateClient(t, a2, nil)
	nw := a3.expectCmd("CAP", "*", "NEW")
	if nw.Trailing() != "server-time" {
		t.Fatalf("CAP NEW %q", nw.Trailing())
	}
}

func TestTLSMigrationNamesTLSPort(t *testing.T) {
	n := startNet(t, Options{SelfSigned: true, STS: &STSPolicy{Duration: time.Hour}})
	pool := n.CAPool()
	if pool == nil || len(n.CAPEM()) == 0 {
		t.Fatal("no CA")
	}
	a := dialTLS(t, "alice", n.Node("s1").TLSAddr(), pool)
	a.send("CAP LS 302")
	ls := a.expectCmd("CAP", "*", "LS")
	if !strings.Contains(ls.Trailing(), "sts=duration=3600") || strings.Contains(ls.Trailing(), "port=") {
		t.Fatalf("TLS CAP LS %q", ls.Trailing())
	}
	a.send("CAP REQ :%s", capMigrate)
	a.send("CAP END")
	a.send("NICK alice")
	a.send("USER a 0 * :A")
	a.expectCmd("001")
	a.send("MIGRATE REQUEST s2")
	a2, _, start := migrateClient(t, a, pool)
	if start.Param(2) != "+"+itoa(n.Node("s2").TLSPort()) {
		t.Fatalf("START port %q, want +%d", start.Param(2), n.Node("s2").TLSPort())
	}
	a2.send("WHOIS alice")
	a2.expectCmd("312", "alice", "alice", "s2")

	p := dialPlain(t, "p", n.Node("s2").Addr())
	p.send("CAP LS 302")
	pls := p.expectCmd("CAP", "*", "LS")
	if !strings.Contains(pls.Trailing(), "sts=port="+itoa(n.Node("s2").TLSPort())+",duration=3600") {
		t.Fatalf("plaintext CAP LS %q", pls.Trailing())
	}
}

func TestSASLAndPassword(t *testing.T) {
	n := startNet(t, Options{Accounts: map[string]string{"alice": "wonderland"}, Password: "letmein"})
	c := dialPlain(t, "alice", n.Node("s1").Addr())
	c.send("PASS letmein")
	c.send("CAP LS 302")
	ls := c.expectCmd("CAP", "*", "LS")
	if !strings.Contains(ls.Trailing(), "sasl=PLAIN") {
		t.Fatalf("CAP LS %q", ls.Trailing())
	}
	c.send("CAP REQ :sasl")
	c.expectCmd("CAP", "*", "ACK")
	c.send("NICK alice")
	c.send("USER alice 0 * :A")
	c.send("AUTHENTICATE EXTERNAL")
	c.expectCmd("908", "alice", "PLAIN,SCRAM-SHA-256")
	c.expectCmd("904")
	c.send("AUTHENTICATE PLAIN")
	c.expectCmd("AUTHENTICATE", "+")
	c.send("AUTHENTICATE %s", b64("\x00alice\x00wrong"))
	c.expectCmd("904")
	c.send("AUTHENTICATE PLAIN")
	c.expectCmd("AUTHENTICATE", "+")
	c.send("AUTHENTICATE %s", b64("\x00alice\x00wonderland"))
	c.expectCmd("900", "alice", "alice!alice@127.0.0.1", "alice")
	c.expectCmd("903")
	c.send("CAP END")
	c.expectCmd("001", "alice")
	c.send("WHOIS alice")
	c.expectCmd("330", "alice", "alice", "alice")

	bad := dialPlain(t, "bad", n.Node("s1").Addr())
	bad.send("PASS nope")
	bad.send("NICK bad")
	bad.send("USER bad 0 * :B")
	bad.expectCmd("464")
	bad.expectClosed()
}

func TestChatterTalksAndAnswers(t *testing.T) {
	n := startNet(t, Options{Chatter: &Chatter{Every: 10 * time.Millisecond}})
	c := register(t, n.Node("s2").Addr(), "alice")
	c.send("JOIN #ferry")
	topic := c.expectCmd("332", "alice", "#ferry")
	if topic.Trailing() == "" {
		t.Fatal("no topic")
	}
	first, _ := c.expect("a line from the chatter", func(m *irc.Message) bool {
		return is(m, "PRIVMSG", "#ferry") && m.Prefix.Name == "ferrybot"
	})
	second, _ := c.expect("another line", func(m *irc.Message) bool {
		return is(m, "PRIVMSG", "#ferry") && m.Prefix.Name == "ferrybot"
	})
	if first.Trailing() == second.Trailing() {
		t.Errorf("chatter repeats itself: %q", first.Trailing())
	}
	c.send("PRIVMSG #ferry :ferrybot: ping?")
	c.expect("an answer", func(m *irc.Message) bool {
		return is(m, "PRIVMSG", "#ferry", "alice: pong") && m.Prefix.Name == "ferrybot"
	})
	c.send("PRIVMSG ferrybot :hello there")
	c.expect("a private answer", func(m *irc.Message) bool { return is(m, "PRIVMSG", "alice") && m.Prefix.Name == "ferrybot" })
	if err := n.Migrate("ferrybot", "s2"); err == nil {
		t.Fatal("the in-process chatter cannot migrate")
	}
}

func TestCloseTwiceAndShutdownDrains(t *testing.T) {
	n, a, _ := pair(t, Options{})
	done := make(chan error, 1)
	go func() {
		done <- n.Shutdown(contextWithTimeout(t, wait))
	}()
	_, _, start := migrateClient(t, a, nil)
	if start.Param(5) != "s2" {
		t.Fatalf("shutdown moved alice to %s", start.Param(5))
	}
	if err := <-done; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	n.Close()
	if _, err := net.DialTimeout("tcp", n.Node("s1").Addr(), time.Second); err == nil {
		t.Fatal("listener still open after Close")
	}
	if err := n.Migrate("alice", "s1"); err == nil {
		t.Fatal("Migrate after Close succeeded")
	}
}
