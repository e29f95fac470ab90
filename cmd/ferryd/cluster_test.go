package main

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

var migrateCaps = []string{"server-time", "message-tags", "batch", "draft/chathistory", "draft/migrate"}

// TestRollingRestart is the scenario the migrate extension was written
// for, with real processes: a NATS-only process and nodes s1 and s2.
// SIGTERM to s1 moves its migrate-capable client (ferry's own Pool) to s2
// under two-way traffic with nothing lost or doubled and no QUIT or JOIN
// seen; the client without the capability is told the server restarts
// and reconnects to s2; s1 exits 0, comes back with the same flags, and
// the client moves back with MIGRATE REQUEST s1.
func TestRollingRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	nw, procs := startNetwork(t, "s1", "s2")
	s1, s2 := nw.addrs["s1"], nw.addrs["s2"]

	bob := registerIRC(t, s2, "bob", migrateCaps...)
	bob.join("#x")
	bob.send("TOPIC #x :rolling restarts")
	carol := registerIRC(t, s1, "carol")
	waitTopic(t, carol, "#x", "rolling restarts") // s1 has seen it
	carol.join("#x")
	alice := startPool(t, s1, "alice")
	alice.do(command.Join{Channel: "#x"})
	alice.waitCount("join", 1, func(e event.Event) bool { j, ok := e.(event.Join); return ok && j.Self })
	alice.waitCount("topic", 1, func(e event.Event) bool {
		tp, ok := e.(event.Topic)
		return ok && tp.Topic == "rolling restarts"
	})
	joinedAt := bob.waitLine("alice's JOIN", 0, func(m *irc.Message) bool { return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == "alice" })

	aTalk := talk(3*time.Millisecond, func(i int) { alice.do(command.SendText{Target: "#x", Text: "a " + itoa(i)}) })
	bTalk := talk(3*time.Millisecond, func(i int) { bob.send("PRIVMSG #x :b %d", i) })
	time.Sleep(200 * time.Millisecond)

	if code := procs["s1"].stop(syscall.SIGTERM); code != 0 {
		t.Fatalf("s1 exited %d after SIGTERM", code)
	}
	if !strings.Contains(procs["s1"].logText(), "handed over") {
		t.Fatalf("s1 did not hand alice over:\n%s", procs["s1"].logText())
	}
	alice.waitCount("migration to s2", 1, isResumed)
	errAt := carol.waitLine("ERROR", 0, func(m *irc.Message) bool { return m.Command == "ERROR" })
	if ls, _ := carol.snapshot(); !strings.Contains(ls[errAt].Trailing(), "restarting") {
		t.Fatalf("carol's ERROR %q does not say the server is restarting", ls[errAt].Trailing())
	}
	time.Sleep(200 * time.Millisecond) // traffic after the move
	na, nb := aTalk.end(), bTalk.end()

	// Markers after the streams: when they arrive, so has everything before.
	alice.do(command.SendText{Target: "#x", Text: "alice done"})
	bob.send("PRIVMSG #x :bob done")
	bob.waitLine("alice's end", joinedAt, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", "alice done") })
	alice.waitCount("bob's end", 1, func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Text == "bob done" })

	if s := ircStream(bob, "a"); s.next != na || len(s.errs) > 0 {
		t.Errorf("bob got alice's lines up to %d of %d: %v", s.next, na, s.errs)
	}
	if s := poolStream(alice, "bob", "b"); s.next != nb || len(s.errs) > 0 {
		t.Errorf("alice got bob's lines up to %d of %d: %v", s.next, nb, s.errs)
	}
	ls, _ := bob.snapshot()
	for _, m := range ls[joinedAt+1:] {
		if (m.Command == "QUIT" || m.Command == "JOIN" || m.Command == "PART") && m.Prefix.Name == "alice" {
			t.Errorf("bob saw %v", m)
		}
	}
	// Her own first JOIN is the only one: no rejoin after the move, and bob
	// (in the channel before her) never quit or joined.
	if k := alice.count(func(e event.Event) bool {
		switch e := e.(type) {
		case event.Quit:
			return e.Nick == "bob"
		case event.Join:
			return e.Nick == "bob" || e.Self
		}
		return false
	}); k != 1 {
		t.Errorf("alice saw %d joins and quits, want only her own first JOIN", k)
	}
	t.Logf("%d lines from alice and %d from bob across the restart", na, nb)

	// carol, without the capability, comes back on s2 under her own nick.
	carol2 := registerIRC(t, s2, "carol")
	carol2.send("JOIN #x")
	carol2.waitLine("topic", 0, func(m *irc.Message) bool { return cmdIs(m, "332", "carol", "#x", "rolling restarts") })

	// s1 again, same flags: it rejoins, and alice moves back.
	procs["s1"] = nw.startNode("s1")
	waitLinks(t, bob, "s1")
	resumed := alice.count(isResumed)
	alice.do(command.Migrate{Server: "s1"})
	alice.waitCount("migration back to s1", resumed+1, isResumed)
	alice.do(command.SendText{Target: "#x", Text: "back on s1"})
	bob.waitLine("alice from s1", joinedAt, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", "back on s1") })

	// The topic and the history are the network's: s1 serves them.
	dave := registerIRC(t, s1, "dave", migrateCaps...)
	dave.send("JOIN #x")
	dave.waitLine("topic on s1", 0, func(m *irc.Message) bool { return cmdIs(m, "332", "dave", "#x", "rolling restarts") })
	dave.send("CHATHISTORY LATEST #x * 100")
	end := dave.waitLine("history batch end", 0, func(m *irc.Message) bool { return m.Command == "BATCH" && strings.HasPrefix(m.Params[0], "-") })
	ls, _ = dave.snapshot()
	var texts []string
	for _, m := range ls[:end] {
		if m.Command == "PRIVMSG" && m.Tags["batch"] != "" {
			texts = append(texts, m.Params[1])
		}
	}
	if len(texts) == 0 || texts[len(texts)-1] != "back on s1" || !contains(texts, "bob done") || !contains(texts, "alice done") {
		t.Fatalf("history on the restarted s1 lacks the latest lines: %q", texts)
	}
}

func isFailed(e event.Event) bool {
	m, ok := e.(event.Migration)
	return ok && m.Step == event.MigrationFailed
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func itoa(i int) string { return strconv.Itoa(i) }

// waitTopic asks c's server for ch's topic until it is text.
func waitTopic(t testing.TB, c *ircClient, ch, text string) {
	t.Helper()
	askTopic(t, c, ch, "topic of "+ch+" never became "+strconv.Quote(text), func(m *irc.Message) bool {
		return cmdIs(m, "332", c.name, ch, text)
	})
}

// askTopic asks c's server for ch's topic until done accepts the reply
// (332, 331 or 403), or fails the test with never past procWait.
func askTopic(t testing.TB, c *ircClient, ch, never string, done func(*irc.Message) bool) {
	t.Helper()
	deadline := time.Now().Add(procWait)
	for {
		ls, _ := c.snapshot()
		c.send("TOPIC %s", ch)
		i := c.waitLine("topic reply", len(ls), func(m *irc.Message) bool {
			return m.Command == "332" || m.Command == "331" || m.Command == "403"
		})
		ls, _ = c.snapshot()
		if done(ls[i]) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", c.name, never)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitLinks waits until c's server lists node in LINKS (the registry).
func waitLinks(t testing.TB, c *ircClient, node string) {
	t.Helper()
	deadline := time.Now().Add(procWait)
	for {
		ls, _ := c.snapshot()
		c.send("LINKS")
		end := c.waitLine("LINKS end", len(ls), func(m *irc.Message) bool { return m.Command == "365" })
		ls, _ = c.snapshot()
		for i := end - 1; i >= 0 && ls[i].Command == "364"; i-- {
			if ls[i].Params[1] == node {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never lists %s in LINKS", c.name, node)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNATSLoss kills the NATS process under two nodes: registrations are
// refused with a clear ERROR, users on one node keep talking, lines for
// the other node are held and arrive exactly once when NATS is back.
func TestNATSLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	nw, procs := startNetwork(t, "s1", "s2")
	s1, s2 := nw.addrs["s1"], nw.addrs["s2"]
	alice := registerIRC(t, s1, "alice")
	carol := registerIRC(t, s1, "carol")
	dana := registerIRC(t, s1, "dana", migrateCaps...)
	bob := registerIRC(t, s2, "bob")
	waitLinks(t, dana, "s2")
	alice.join("#x")
	carol.join("#x")
	bob.join("#x")
	for _, nick := range []string{"bob", "carol"} {
		alice.waitLine(nick+"'s JOIN", 0, func(m *irc.Message) bool { return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == nick })
	}
	bob.waitLine("carol in #x", 0, func(m *irc.Message) bool { // she may have joined before him
		return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == "carol" || m.Command == "353" && strings.Contains(" "+m.Trailing()+" ", " carol ")
	})

	if code := nw.nats.stop(syscall.SIGKILL); code == 0 {
		t.Fatalf("NATS exited 0 after SIGKILL")
	}
	refused := registrationRefused(t, s1, "erin")
	if !strings.Contains(refused, "NATS") {
		t.Fatalf("ERROR %q does not say why", refused)
	}

	// No hand-over without NATS: refused up front, the session stays.
	dana.send("MIGRATE REQUEST s2")
	dana.waitLine("FAIL MIGRATE", 0, func(m *irc.Message) bool {
		return cmdIs(m, "FAIL", "MIGRATE", "NOT_ALLOWED") && strings.Contains(m.Trailing(), "NATS")
	})

	const k = 20
	for i := 0; i < k; i++ {
		alice.send("PRIVMSG #x :a %d", i)
		bob.send("PRIVMSG #x :b %d", i)
	}
	alice.send("PRIVMSG bob :while NATS was away")
	carol.waitLine("alice's last line, on the same node", 0, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", "a "+itoa(k-1)) })
	for _, p := range []*proc{procs["s1"], procs["s2"]} {
		p.waitLog("lost NATS")
	}

	nw.startNATS()
	bob.waitLine("alice's private line", 0, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "bob", "while NATS was away") })
	bob.waitLine("alice's last line", 0, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", "a "+itoa(k-1)) })
	for _, c := range []*ircClient{alice, carol} {
		c.waitLine("bob's last line", 0, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", "b "+itoa(k-1)) })
		if s := ircStream(c, "b"); s.next != k || len(s.errs) > 0 {
			t.Errorf("%s got bob's lines up to %d of %d: %v", c.name, s.next, k, s.errs)
		}
	}
	for _, c := range []*ircClient{bob, carol} {
		if s := ircStream(c, "a"); s.next != k || len(s.errs) > 0 {
			t.Errorf("%s got alice's lines up to %d of %d: %v", c.name, s.next, k, s.errs)
		}
	}
	// Registrations work again, and the nick claims are the network's.
	deadline := time.Now().Add(procWait)
	for {
		c := dialIRC(t, "erin", s2)
		c.send("NICK alice")
		c.send("USER erin 0 * :erin")
		i := c.waitLine("433 or ERROR", 0, func(m *irc.Message) bool { return m.Command == "433" || m.Command == "ERROR" || m.Command == "001" })
		ls, _ := c.snapshot()
		if ls[i].Command == "001" {
			t.Fatalf("s2 let erin register as alice")
		}
		if ls[i].Command == "433" {
			c.send("NICK erin")
			c.waitLine("001", i, func(m *irc.Message) bool { return m.Command == "001" })
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("registrations still refused after NATS came back")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	// Nothing twice, even after the replay settled.
	if s := ircStream(bob, "a"); s.next != k || len(s.errs) > 0 {
		t.Errorf("bob: %v", s.errs)
	}
}

// registrationRefused registers nick on addr until the node refuses (it
// may take a moment to notice NATS is gone) and returns the ERROR text.
func registrationRefused(t testing.TB, addr, nick string) string {
	t.Helper()
	deadline := time.Now().Add(procWait)
	for {
		c := dialIRC(t, nick, addr)
		c.send("NICK %s", nick)
		c.send("USER %s 0 * :%s", nick, nick)
		i := c.waitLine("001 or ERROR", 0, func(m *irc.Message) bool { return m.Command == "001" || m.Command == "ERROR" })
		ls, _ := c.snapshot()
		if ls[i].Command == "ERROR" {
			return ls[i].Trailing()
		}
		c.send("QUIT")
		if time.Now().After(deadline) {
			t.Fatal("registrations still accepted without NATS")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMigrationChaos moves two Pool clients back and forth between the
// s1 and s2 processes, 200 migrations in all, while both talk to a
// channel and a raw client on s2 talks back: every stream arrives
// complete, in order, and once.
func TestMigrationChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	const perClient = 100
	const maxFailed = 5 // a hand-over may fail (FAIL ABORTED, the session stays); it must stay rare
	nw, procs := startNetwork(t, "s1", "s2")
	s1, s2 := nw.addrs["s1"], nw.addrs["s2"]
	bob := registerIRC(t, s2, "bob", migrateCaps...)
	bob.join("#x")
	waitLinks(t, bob, "s1")
	movers := []*poolClient{startPool(t, s1, "alice"), startPool(t, s2, "bea")}
	for _, pc := range movers {
		pc.do(command.Join{Channel: "#x"})
	}
	for _, nick := range []string{"alice", "bea"} {
		bob.waitLine(nick+"'s JOIN", 0, func(m *irc.Message) bool { return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == nick })
	}
	// Each mover knows the other (and bob) before the streams start.
	for i, pc := range movers {
		for _, nick := range []string{[]string{"bea", "alice"}[i], "bob"} {
			pc.waitCount(nick+" in #x", 1, func(e event.Event) bool {
				switch e := e.(type) {
				case event.Join:
					return e.Nick == nick
				case event.Names:
					for _, m := range e.Members {
						if m.Nick == nick {
							return true
						}
					}
				}
				return false
			})
		}
	}
	start := time.Now()

	talkers := []*talker{
		talk(3*time.Millisecond, func(i int) { movers[0].do(command.SendText{Target: "#x", Text: "a " + itoa(i)}) }),
		talk(3*time.Millisecond, func(i int) { movers[1].do(command.SendText{Target: "#x", Text: "e " + itoa(i)}) }),
		talk(3*time.Millisecond, func(i int) { bob.send("PRIVMSG #x :b %d", i) }),
	}
	done := make(chan struct{}, len(movers))
	for k, pc := range movers {
		go func() {
			defer func() { done <- struct{}{} }()
			at := []string{"s1", "s2"}[k]
			resumed, failed := 0, 0
			for resumed < perClient && failed <= maxFailed {
				to := "s1"
				if at == "s1" {
					to = "s2"
				}
				time.Sleep(10 * time.Millisecond) // a few lines each way between moves
				pc.do(command.Migrate{Server: to})
				r, f := pc.waitMigrated(resumed, failed)
				if r == resumed && f == failed {
					return // timed out (reported)
				}
				if r > resumed {
					at = to
				}
				resumed, failed = r, f
			}
		}()
	}
	for range movers {
		select {
		case <-done:
		case <-time.After(2 * procWait):
			t.Fatal("migrations did not finish")
		}
	}
	moved := time.Since(start)
	sent := []int{talkers[0].end(), talkers[1].end(), talkers[2].end()}
	movers[0].do(command.SendText{Target: "#x", Text: "alice done"})
	movers[1].do(command.SendText{Target: "#x", Text: "bea done"})
	bob.send("PRIVMSG #x :bob done")
	for _, nick := range []string{"alice", "bea"} {
		bob.waitLine(nick+" done", 0, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", nick+" done") })
	}
	for i, pc := range movers {
		other := []string{"bea", "alice"}[i]
		for _, nick := range []string{other, "bob"} {
			pc.waitCount(nick+" done", 1, func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Text == nick+" done" })
		}
	}
	check := func(who string, s *streamCheck, want int) {
		if s.next != want || len(s.errs) > 0 {
			t.Errorf("%s got %q lines up to %d of %d: %v", who, s.prefix, s.next, want, s.errs)
		}
	}
	check("bob", ircStream(bob, "a"), sent[0])
	check("bob", ircStream(bob, "e"), sent[1])
	check("alice", poolStream(movers[0], "bea", "e"), sent[1])
	if testing.Verbose() && t.Failed() {
		for _, e := range movers[0].snapshot() {
			switch e := e.(type) {
			case event.Message:
				if e.From == "bea" {
					t.Logf("alice: %s %s", e.Text, e.Time.Format("05.000000"))
				}
			case event.Migration:
				t.Logf("alice: migration %v %s", e.Step, e.Target)
			}
		}
	}
	check("alice", poolStream(movers[0], "bob", "b"), sent[2])
	check("bea", poolStream(movers[1], "alice", "a"), sent[0])
	check("bea", poolStream(movers[1], "bob", "b"), sent[2])
	ls, _ := bob.snapshot()
	for _, m := range ls {
		if m.Command == "QUIT" {
			t.Errorf("bob saw %v", m)
		}
	}
	if n := movers[0].count(isResumed) + movers[1].count(isResumed); n != 2*perClient {
		t.Errorf("%d migrations, want %d", n, 2*perClient)
	}
	failed := movers[0].count(isFailed) + movers[1].count(isFailed)
	if failed > maxFailed {
		t.Errorf("%d migrations failed", failed)
	}
	windows, ring := 0, 0 // how often lines fell into a window: held by NEW, or replayed from its ring
	for _, p := range procs {
		for _, l := range strings.Split(p.logText(), "\n") {
			if strings.Contains(l, "CONFIRM") && !strings.Contains(l, "; 0 buffered lines") {
				windows++
			}
			if strings.Contains(l, "taken over") && !strings.Contains(l, "(0 lines from the ring, 0 of") {
				ring++
			}
		}
	}
	t.Logf("%d migrations (%d failed and retried) in %v under %d+%d+%d lines; lines held in %d windows, replayed at %d hand-overs",
		2*perClient, failed, moved.Round(time.Millisecond), sent[0], sent[1], sent[2], windows, ring)
}

// crashTTL is the registry TTL (-registry-ttl) of the tests of a node
// killed outright: how long the others wait before they end its users.
const crashTTL = 2 * time.Second

// TestNodeCrash: a node killed without a chance to drain and started again
// at once. Its users are ended exactly once network-wide, whichever side
// ends them first: the restarted node (its previous run's users) or a
// survivor (once the registry entry is older than the TTL); the other
// finds nobody left to end. Their nicks are free again.
func TestNodeCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	nw, procs := startNetworkArgs(t, []string{"-registry-ttl", crashTTL.String()}, "s1", "s2")
	alice := registerIRC(t, nw.addrs["s1"], "alice")
	alice.join("#x")
	bob := registerIRC(t, nw.addrs["s2"], "bob")
	waitTopicless(t, bob, "#x")
	bob.join("#x")
	alice.waitLine("bob's JOIN", 0, func(m *irc.Message) bool { return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == "bob" })
	procs["s1"].stop(syscall.SIGKILL)

	procs["s1"] = nw.startNode("s1")
	bob.waitLine("alice's QUIT", 0, func(m *irc.Message) bool { return m.Command == "QUIT" && m.Prefix.Name == "alice" })
	again := registerIRC(t, nw.addrs["s2"], "alice")
	again.join("#x")
	// Past the TTL and a few heartbeats: a survivor that had not ended
	// her yet has judged by now.
	time.Sleep(2 * crashTTL)
	bob.send("PING :settled")
	bob.waitLine("PONG settled", 0, func(m *irc.Message) bool { return m.Command == "PONG" && m.Trailing() == "settled" })
	ls, _ := bob.snapshot()
	quits := 0
	for _, m := range ls {
		if m.Command == "QUIT" && m.Prefix.Name == "alice" {
			quits++
		}
	}
	if quits != 1 {
		t.Fatalf("bob saw alice quit %d times:\n%s", quits, dump(ls))
	}
	if strings.Contains(procs["s1"].logText(), "users of a previous run ended") {
		t.Log("the restarted s1 ended her")
	} else {
		t.Log("s2 ended her")
	}
}

// TestNodeLost: a node killed outright that does not come back. Within
// the registry TTL and a bound, the surviving node ends its user: each
// member of her channel sees one QUIT with the netsplit reason "s2 s1",
// NAMES no longer lists her, and her nick can be taken. Started again
// later, the node does not end her a second time.
func TestNodeLost(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	nw, procs := startNetworkArgs(t, []string{"-registry-ttl", crashTTL.String()}, "s1", "s2")
	alice := registerIRC(t, nw.addrs["s1"], "alice")
	alice.join("#x")
	bob := registerIRC(t, nw.addrs["s2"], "bob")
	waitTopicless(t, bob, "#x")
	bob.join("#x")
	carol := registerIRC(t, nw.addrs["s2"], "carol")
	carol.join("#x")
	alice.waitLine("carol's JOIN", 0, func(m *irc.Message) bool { return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == "carol" })
	procs["s1"].stop(syscall.SIGKILL)
	killed := time.Now()

	isQuit := func(m *irc.Message) bool { return m.Command == "QUIT" && m.Prefix.Name == "alice" }
	for _, c := range []*ircClient{bob, carol} {
		i := c.waitLine("alice's QUIT", 0, isQuit)
		ls, _ := c.snapshot()
		if r := ls[i].Trailing(); r != "s2 s1" {
			t.Errorf("%s: QUIT reason %q, want \"s2 s1\"", c.name, r)
		}
	}
	// The entry was refreshed at most a fifth of the TTL before the kill;
	// then a heartbeat's tick, a KV read and create, and the stream.
	took := time.Since(killed)
	if bound := crashTTL + 3*time.Second; took > bound {
		t.Errorf("alice ended %v after the kill, want within %v", took, bound)
	}
	t.Logf("alice ended %v after the kill (TTL %v)", took.Round(time.Millisecond), crashTTL)

	ls, _ := bob.snapshot()
	bob.send("NAMES #x")
	i := bob.waitLine("NAMES #x", len(ls), func(m *irc.Message) bool { return cmdIs(m, "353") })
	ls, _ = bob.snapshot()
	for _, nick := range strings.Fields(ls[i].Trailing()) {
		if strings.TrimLeft(nick, "@+") == "alice" {
			t.Fatalf("NAMES #x still lists alice: %s", ls[i])
		}
	}
	bob.send("NICK alice")
	bob.waitLine("bob's NICK to alice", i, func(m *irc.Message) bool { return cmdIs(m, "NICK", "alice") && m.Prefix.Name == "bob" })
	carol.waitLine("bob's NICK to alice", 0, func(m *irc.Message) bool { return cmdIs(m, "NICK", "alice") && m.Prefix.Name == "bob" })

	// s1 started again much later finds nobody of its own left to end,
	// and leaves the new alice (bob) alone.
	procs["s1"] = nw.startNode("s1")
	if strings.Contains(procs["s1"].logText(), "users of a previous run ended") {
		t.Errorf("the restarted s1 ended users again:\n%s", procs["s1"].logText())
	}
	dave := registerIRC(t, nw.addrs["s1"], "dave")
	dave.join("#x")
	bob.waitLine("dave's JOIN", i, func(m *irc.Message) bool { return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == "dave" })
	time.Sleep(crashTTL)
	for _, c := range []*ircClient{bob, carol} {
		c.send("PING :settled")
		c.waitLine("PONG settled", 0, func(m *irc.Message) bool { return m.Command == "PONG" && m.Trailing() == "settled" })
		ls, _ := c.snapshot()
		n := 0
		for _, m := range ls {
			if isQuit(m) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s saw alice quit %d times", c.name, n)
		}
	}
}

// waitTopicless waits until c's server knows channel ch exists.
func waitTopicless(t testing.TB, c *ircClient, ch string) {
	t.Helper()
	askTopic(t, c, ch, ch+" never appeared", func(m *irc.Message) bool { return m.Command != "403" })
}

// TestRestartDuringNATSLoss: SIGTERM reaches s1 while NATS is away. It
// cannot hand its client over yet; when NATS is back (within the drain
// timeout) it does, stores what it had buffered, and exits 0.
func TestRestartDuringNATSLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	nw, procs := startNetwork(t, "s1", "s2")
	bob := registerIRC(t, nw.addrs["s2"], "bob")
	bob.join("#x")
	waitLinks(t, bob, "s1")
	alice := startPool(t, nw.addrs["s1"], "alice")
	alice.do(command.Join{Channel: "#x"})
	bob.waitLine("alice's JOIN", 0, func(m *irc.Message) bool { return cmdIs(m, "JOIN", "#x") && m.Prefix.Name == "alice" })

	nw.nats.stop(syscall.SIGKILL)
	alice.do(command.SendText{Target: "#x", Text: "while NATS was away"})
	time.Sleep(100 * time.Millisecond)
	_ = procs["s1"].cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(300 * time.Millisecond)
	nw.startNATS()

	alice.waitCount("the move to s2", 1, isResumed)
	select {
	case <-procs["s1"].done:
		if procs["s1"].code != 0 {
			t.Fatalf("s1 exited %d", procs["s1"].code)
		}
	case <-time.After(procWait):
		t.Fatal("s1 did not exit")
	}
	bob.waitLine("alice's line", 0, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", "while NATS was away") })
	alice.do(command.SendText{Target: "#x", Text: "from s2"})
	i := bob.waitLine("alice from s2", 0, func(m *irc.Message) bool { return cmdIs(m, "PRIVMSG", "#x", "from s2") })
	ls, _ := bob.snapshot()
	n := 0
	for _, m := range ls[:i] {
		if cmdIs(m, "PRIVMSG", "#x", "while NATS was away") {
			n++
		}
		if m.Prefix != nil && m.Prefix.Name == "alice" && (m.Command == "QUIT" || m.Command == "JOIN" && n > 0) {
			t.Errorf("bob saw %v", m)
		}
	}
	if n != 1 {
		t.Fatalf("bob got alice's line %d times", n)
	}
}
