package testnet

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

func TestBadInputGetsRepliesAndDisturbsNobody(t *testing.T) {
	n, a, b := pair(t, Options{})
	bigToken := strings.Repeat("A", 10*1024)

	// Garbage on a registered connection.
	a.send("frobnicate the server")
	a.expectCmd("421", "alice", "FROBNICATE")
	a.send(":prefix-only")
	a.expectCmd("400", "alice", "*")
	a.send("@tag=only")
	a.expectCmd("400", "alice", "*")
	a.send("@a=b ") // irc.v4's parser panics on this one; the server must not
	a.expectCmd("400", "alice", "*")
	a.send("PRIVMSG \x00\x01 :\xff\xfe")
	a.expectCmd("401", "alice")
	a.send("MIGRATE")
	a.expectCmd("461", "alice", "MIGRATE")
	a.send("MIGRATE DANCE")
	a.expectCmd("421", "alice", "MIGRATE")
	a.send("NICK :a b")
	a.expectCmd("432", "alice", "a_b")
	a.send("JOIN :#a b")
	a.expectCmd("403", "alice", "#a_b")

	// RESUME with a 10 kB token: the line is over the limit, dropped with 417.
	a.send("MIGRATE RESUME %s", bigToken)
	a.expectCmd("417", "alice")
	// RESUME on a registered connection.
	a.send("MIGRATE RESUME abc")
	a.expectCmd("462", "alice")
	// REQUEST naming the current node.
	a.send("MIGRATE REQUEST s1")
	a.expectCmd("FAIL", "MIGRATE", "NOT_ALLOWED", "s1")
	// OK with a wrong token while a migration waits: refused, the right one still works.
	a.send("MIGRATE REQUEST s2")
	start := a.expectCmd("MIGRATE", "START")
	a.send("MIGRATE OK wrongToken")
	a.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", "wrongToken")
	a.send("MIGRATE OK %s", bigToken[:500])
	a.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", "*")
	a.send("MIGRATE NAK wrongToken")
	a.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", "wrongToken")
	if node, _ := n.UserNode("alice"); node != "s1" {
		t.Fatalf("a wrong token moved alice to %s", node)
	}
	a.send("MIGRATE NAK %s :fine, no", start.Param(3))

	// Unregistered connections.
	u := dialPlain(t, "u", n.Node("s2").Addr())
	u.send("MIGRATE RESUME %s", bigToken)
	u.expectCmd("417", "*")
	u.send("PRIVMSG #chan :sneaky")
	u.expectCmd("451", "*")
	u.send("MIGRATE OK abc")
	u.expectCmd("451", "*")
	u.send("NICK 9bad")
	u.expectCmd("432", "*", "9bad")
	u.send("NICK alice")
	u.expectCmd("433", "*", "alice")
	u.send("NICK carol")
	u.send("USER carol 0 * :C")
	u.expectCmd("001", "carol") // the connection survived all of it
	v := dialPlain(t, "v", n.Node("s2").Addr())
	v.send("MIGRATE RESUME not/ok!")
	v.expectCmd("FAIL", "MIGRATE", "INVALID_TOKEN", "*")
	v.expectClosed()

	// Nobody else noticed anything, and chat goes on.
	b.expectNone("anything from alice", func(m *irc.Message) bool { return m.Prefix != nil && m.Prefix.Name == "alice" })
	a.send("PRIVMSG #chan :all good")
	b.expectCmd("PRIVMSG", "#chan", "all good")
	b.send("PRIVMSG #chan :yes")
	a.expectCmd("PRIVMSG", "#chan", "yes")
}

func TestOversizedLinesAndNoCapClientStayBounded(t *testing.T) {
	n := startNet(t, Options{})
	c := register(t, n.Node("s1").Addr(), "alice")
	for i := 0; i < 3; i++ {
		c.send("PRIVMSG #x :%s", strings.Repeat("y", 100*1024))
		c.expectCmd("417", "alice")
	}
	c.send("PING :ok")
	c.expectCmd("PONG", "s1", "ok")
}

// With Debug on, every line read is logged through maskSecrets before it is
// handled; that parse must be as safe as the handler's (irc.v4 panics on
// "@a=b "), or one hostile line would crash the whole network.
func TestDebugLogSurvivesTagsOnlyLine(t *testing.T) {
	lg := &memLog{}
	n := startNet(t, Options{Log: lg, Debug: true})
	a := register(t, n.Node("s1").Addr(), "alice")
	a.send("@a=b ")
	a.expectCmd("400", "alice", "*")
	a.send("@a=b PASS :s3cret")
	a.expectCmd("462", "alice")
	a.barrier()
	if text := lg.text(); !strings.Contains(text, "@a=b ") || strings.Contains(text, "s3cret") {
		t.Errorf("debug log lacks the bad line or shows the password:\n%s", text)
	}
}
