package testnet

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

func TestRegistrationAndISupport(t *testing.T) {
	n := startNet(t, Options{})
	c := dialPlain(t, "alice", n.Node("s1").Addr())
	c.send("CAP LS 302")
	ls := c.expectCmd("CAP", "*", "LS")
	for _, want := range allCaps {
		if !strings.Contains(" "+ls.Trailing()+" ", " "+want+" ") {
			t.Errorf("CAP LS %q lacks %s", ls.Trailing(), want)
		}
	}
	if strings.Contains(ls.Trailing(), "sts") || strings.Contains(ls.Trailing(), "sasl") {
		t.Errorf("CAP LS offers sts/sasl without configuration: %q", ls.Trailing())
	}
	c.send("CAP REQ :server-time bogus-cap")
	c.expectCmd("CAP", "*", "NAK", "server-time bogus-cap")
	c.send("CAP REQ :server-time message-tags")
	c.expectCmd("CAP", "*", "ACK", "server-time message-tags")
	c.send("NICK alice")
	c.send("USER alice 0 * :Alice")
	c.expectNone("001 before CAP END", func(m *irc.Message) bool { return m.Command == "001" })
	c.send("CAP END")
	w := c.expectCmd("001", "alice")
	if w.Prefix.Name != "s1" || w.Tags["time"] == "" {
		t.Errorf("001 = %s, want from s1 with a time tag", w)
	}
	var tokens []string
	for {
		m, _ := c.expect("005 or 376", func(m *irc.Message) bool { return m.Command == "005" || m.Command == "376" })
		if m.Command == "376" {
			break
		}
		tokens = append(tokens, m.Params[1:len(m.Params)-1]...)
	}
	joined := " " + strings.Join(tokens, " ") + " "
	for _, want := range []string{"CASEMAPPING=rfc1459", "PREFIX=(ov)@+", "CHANTYPES=#", "NETWORK=ferrynet"} {
		if !strings.Contains(joined, " "+want+" ") {
			t.Errorf("005 lacks %s: %s", want, joined)
		}
	}
	// A nick in use, under rfc1459 case mapping.
	b := dialPlain(t, "b", n.Node("s2").Addr())
	b.send("NICK ALICE")
	b.expectCmd("433", "*", "ALICE")
	b.send("NICK al{ce")
	b.send("USER b 0 * :B")
	b.expectCmd("001", "al{ce")
	b.send("NICK AL[CE")
	b.expectNone("433 for own nick in another case", func(m *irc.Message) bool { return m.Command == "433" })
}

func TestChatAcrossNodes(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#chan")
	b.send("JOIN #chan")
	j := a.expectCmd("JOIN", "#chan")
	if j.Prefix.Name != "bob" {
		t.Fatalf("JOIN from %s", j.Prefix)
	}
	names, _ := b.expect("NAMES", func(m *irc.Message) bool { return m.Command == "353" })
	if names.Trailing() != "@alice bob" {
		t.Errorf("NAMES = %q", names.Trailing())
	}
	b.send("PRIVMSG #chan :hello from s2")
	m := a.expectCmd("PRIVMSG", "#chan", "hello from s2")
	if m.Tags["msgid"] == "" || m.Tags["time"] == "" {
		t.Errorf("PRIVMSG lacks msgid/time for a message-tags client: %s", m)
	}
	a.send("@+draft/reply=x PRIVMSG #chan :hi bob")
	echo := a.expectCmd("PRIVMSG", "#chan", "hi bob")
	if echo.Tags["msgid"] == "" || echo.Tags["+draft/reply"] != "x" {
		t.Errorf("echo lacks msgid or client tag: %s", echo)
	}
	got := b.expectCmd("PRIVMSG", "#chan", "hi bob")
	if len(got.Tags) != 0 {
		t.Errorf("tags sent to a client without caps: %s", got)
	}
	a.send("PRIVMSG bob :private")
	b.expectCmd("PRIVMSG", "bob", "private")
	a.send("NOTICE bob :note")
	b.expectCmd("NOTICE", "bob", "note")
	a.send("TOPIC #chan :the topic")
	b.expectCmd("TOPIC", "#chan", "the topic")
	b.send("TOPIC #chan :not allowed")
	b.expectCmd("482", "bob", "#chan")
	b.send("TOPIC #chan")
	b.expectCmd("332", "bob", "#chan", "the topic")
	a.send("MODE #chan +v bob")
	b.expectCmd("MODE", "#chan", "+v", "bob")
	b.send("NICK bobby")
	a.expectCmd("NICK", "bobby")
	b.expectCmd("NICK", "bobby")
	b.send("WHOIS alice")
	b.expectCmd("312", "bobby", "alice", "s1")
	b.expectCmd("318", "bobby", "alice")
	a.join("#other")
	b.send("LIST")
	b.expectCmd("321", "bobby")
	b.expectCmd("322", "bobby", "#chan", "2", "the topic")
	b.expectCmd("322", "bobby", "#other", "1", "")
	b.expectCmd("323", "bobby")
	b.send("LIST #other,#nosuch")
	b.expectCmd("321", "bobby")
	b.expectCmd("322", "bobby", "#other", "1", "")
	b.expectCmd("323", "bobby")
	b.send("LINKS")
	b.expectCmd("364", "bobby", "s1", "s2")
	b.expectCmd("364", "bobby", "s2", "s2")
	b.expectCmd("365", "bobby")
	a.send("KICK #chan bobby :out")
	b.expectCmd("KICK", "#chan", "bobby", "out")
	b.send("PRIVMSG #chan :still here?")
	b.expectCmd("404", "bobby", "#chan")
	b.send("JOIN #chan")
	a.expectCmd("JOIN", "#chan")
	b.send("PART #chan :bye")
	a.expectCmd("PART", "#chan", "bye")
	a.send("@+typing=active TAGMSG #chan")
	// bob has no message-tags: he never sees a TAGMSG; a barrier proves it below.
	b.send("AWAY :lunch")
	b.expectCmd("306", "bobby")
	a.send("PRIVMSG bobby :there?")
	a.expectCmd("301", "alice", "bobby", "lunch")
	b.send("AWAY")
	b.expectCmd("305", "bobby")
	b.send("TAGMSG #chan")
	b.expectCmd("421", "bobby", "TAGMSG")
	b.expectNone("a TAGMSG without message-tags", func(m *irc.Message) bool { return m.Command == "TAGMSG" })
	a.send("INVITE bobby #chan")
	a.expectCmd("341", "alice", "bobby", "#chan")
	b.expectCmd("INVITE", "bobby", "#chan")
	b.send("PRIVMSG nobody :x")
	b.expectCmd("401", "bobby", "nobody")
	b.send("QUIT :done")
	b.expectCmd("ERROR")
	b.expectClosed()
	a.send("PRIVMSG bobby :gone?")
	a.expectCmd("401", "alice", "bobby")
}

func TestNormalMigration(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#chan")
	b.join("#chan")
	a.barrier()
	if err := n.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	b.send("PRIVMSG #chan :during")
	a2, before, start := migrateClient(t, a, nil)
	if start.Prefix.Name != "s1" || start.Param(1) != "127.0.0.1" || start.Param(2) != itoa(n.Node("s2").Port()) || start.Param(5) != "s2" {
		t.Errorf("START = %s", start)
	}
	// bob's barrier: his line has been handled (delivered by OLD, held by
	// NEW, or sent on a2) before a2's barrier collects what a2 was sent.
	seenByBob := b.barrier()
	seen := false
	for _, m := range append(before, a2.barrier()...) {
		if is(m, "PRIVMSG", "#chan", "during") {
			if seen {
				t.Fatal("message delivered twice")
			}
			seen = true
		}
	}
	if !seen {
		t.Fatal("message sent during the migration was lost")
	}
	if node, _ := n.UserNode("alice"); node != "s2" {
		t.Fatalf("alice on %s", node)
	}
	a2.send("PRIVMSG #chan :after")
	b.expectCmd("PRIVMSG", "#chan", "after")
	a2.send("WHOIS alice")
	a2.expectCmd("312", "alice", "alice", "s2")
	aliceChanged := func(m *irc.Message) bool {
		return m.Prefix != nil && m.Prefix.Name == "alice" && (m.Command == "QUIT" || m.Command == "JOIN" || m.Command == "NICK" || m.Command == "PART")
	}
	for _, m := range seenByBob {
		if aliceChanged(m) {
			t.Fatalf("bob saw %s", m)
		}
	}
	b.expectNone("QUIT/JOIN/NICK of alice", aliceChanged)
}

func TestTagmsgReachesOnlyMessageTagsClients(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", "message-tags")
	c := register(t, n.Node("s2").Addr(), "carol", "message-tags")
	b := register(t, n.Node("s2").Addr(), "bob")
	for _, x := range []*client{a, c, b} {
		x.join("#t")
	}
	a.barrier()
	a.send("@+typing=active TAGMSG #t")
	m := c.expectCmd("TAGMSG", "#t")
	if m.Tags["+typing"] != "active" || m.Tags["msgid"] == "" || m.Prefix.Name != "alice" {
		t.Fatalf("TAGMSG = %s", m)
	}
	a.send("@+typing=paused TAGMSG carol")
	if m := c.expectCmd("TAGMSG", "carol"); m.Tags["+typing"] != "paused" {
		t.Fatalf("TAGMSG = %s", m)
	}
	b.expectNone("TAGMSG", func(m *irc.Message) bool { return m.Command == "TAGMSG" })
}

// A JOIN of many channels handles every target, in order: no TARGMAX is
// advertised for JOIN, so dropping targets past a count would leave a
// client's rejoin waiting for answers that never come. CHANLIMIT (100)
// still bounds membership, with a 405 for each channel past it.
func TestJoinHandlesEveryTarget(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice")
	var names []string
	for i := 0; i <= maxChannelsPerUser; i++ {
		names = append(names, "#c"+itoa(i))
	}
	a.send("JOIN %s", strings.Join(names, ","))
	for _, ch := range names[:maxChannelsPerUser] {
		a.expectCmd("JOIN", ch)
		a.expectCmd("366", "alice", ch)
	}
	a.expectCmd(ERR_TOOMANYCHANNELS, "alice", names[maxChannelsPerUser])
	n.lock()
	got := len(n.users[fold("alice")].chans)
	n.unlock()
	if got != maxChannelsPerUser {
		t.Errorf("alice is on %d channels, want %d", got, maxChannelsPerUser)
	}
}
