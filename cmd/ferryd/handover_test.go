package main

import (
	"encoding/base64"
	"net"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// handoverNodes starts nodes s1, s2 and s3 with the account alice and
// returns their addresses and the process of s1 (the only one, in one
// process mode) and of s2.
type handoverNodes func(t *testing.T) (addrs map[string]string, s1, s2 *proc)

const alicePass = "tea-and-cake"

func oneProcess(t *testing.T) (map[string]string, *proc, *proc) {
	addrs := map[string]string{}
	var spec []string
	for _, name := range []string{"s1", "s2", "s3"} {
		addrs[name] = freeAddr(t)
		spec = append(spec, name+"="+addrs[name])
	}
	p, _ := startProc(t, "ferryd", "s1", "-nodes", strings.Join(spec, ","), "-accounts", "alice:"+alicePass)
	for range 2 {
		select {
		case <-p.out:
		case <-time.After(procWait):
			t.Fatalf("ferryd did not list its nodes:\n%s", p.logText())
		}
	}
	return addrs, p, p
}

func processPerNode(t *testing.T) (map[string]string, *proc, *proc) {
	nw, procs := startNetworkArgs(t, []string{"-accounts", "alice:" + alicePass}, "s1", "s2", "s3")
	return nw.addrs, procs["s1"], procs["s2"]
}

// registerSASL connects nick to addr, logged in as nick with SASL PLAIN,
// with every capability of want the node offers (and sasl); it returns
// the client and the capabilities it enabled.
func registerSASL(t *testing.T, addr, nick, pass string, want ...string) (*ircClient, map[string]bool) {
	t.Helper()
	c := dialIRC(t, nick, addr)
	c.send("CAP LS 302")
	end := c.waitLine("CAP LS", 0, func(m *irc.Message) bool {
		return cmdIs(m, "CAP", "*", "LS") && len(m.Params) == 3
	})
	ls, _ := c.snapshot()
	offered := map[string]bool{}
	for _, m := range ls[:end+1] {
		if cmdIs(m, "CAP", "*", "LS") {
			for _, f := range strings.Fields(m.Trailing()) {
				name, _, _ := strings.Cut(f, "=")
				offered[name] = true
			}
		}
	}
	on := map[string]bool{"sasl": true}
	for _, w := range want {
		if offered[w] {
			on[w] = true
		}
	}
	var req []string
	for w := range on {
		req = append(req, w)
	}
	c.send("CAP REQ :%s", strings.Join(req, " "))
	c.waitLine("CAP ACK", end, func(m *irc.Message) bool { return cmdIs(m, "CAP", "*", "ACK") })
	c.send("NICK %s", nick)
	c.send("USER %s 0 * :%s", nick, nick)
	c.send("AUTHENTICATE PLAIN")
	c.waitLine("AUTHENTICATE +", end, func(m *irc.Message) bool { return cmdIs(m, "AUTHENTICATE", "+") })
	c.send("AUTHENTICATE %s", base64.StdEncoding.EncodeToString([]byte(nick+"\x00"+nick+"\x00"+pass)))
	c.waitLine("903", end, func(m *irc.Message) bool { return m.Command == "903" })
	c.send("CAP END")
	c.waitLine("001", end, func(m *irc.Message) bool { return m.Command == "001" })
	return c, on
}

// whois asks c for WHOIS nick and returns the reply's numerics by code.
func whois(c *ircClient, nick string) map[string]*irc.Message {
	c.t.Helper()
	ls, _ := c.snapshot()
	c.send("WHOIS %s", nick)
	from := len(ls)
	end := c.waitLine("318 "+nick, from, func(m *irc.Message) bool { return m.Command == "318" })
	out := map[string]*irc.Message{}
	ls, _ = c.snapshot()
	for _, m := range ls[from:end] {
		if len(m.Params) > 1 && strings.EqualFold(m.Params[1], nick) {
			out[m.Command] = m
		}
	}
	return out
}

// reply sends line and returns the first later line matching match.
func reply(c *ircClient, line, what string, match func(*irc.Message) bool) *irc.Message {
	c.t.Helper()
	ls, _ := c.snapshot()
	c.send("%s", line)
	i := c.waitLine(what, len(ls), match)
	ls, _ = c.snapshot()
	return ls[i]
}

// namesOf returns nick's entry (with its prefix) in c's NAMES of ch.
func namesOf(c *ircClient, ch, nick string) string {
	c.t.Helper()
	ls, _ := c.snapshot()
	c.send("NAMES %s", ch)
	end := c.waitLine("366 "+ch, len(ls), func(m *irc.Message) bool { return m.Command == "366" && m.Param(1) == ch })
	all, _ := c.snapshot()
	for _, m := range all[len(ls):end] {
		if m.Command == "353" && m.Param(2) == ch {
			for _, n := range strings.Fields(m.Trailing()) {
				if strings.TrimLeft(n, "@+") == nick {
					return n
				}
			}
		}
	}
	return ""
}

// streamFrom checks the numbered stream prefix in the PRIVMSGs from nick
// to target among ls.
func streamFrom(s *streamCheck, ls []*irc.Message, nick, target string) {
	for _, m := range ls {
		if m.Command == "PRIVMSG" && m.Prefix != nil && m.Prefix.Name == nick && m.Param(0) == target && len(m.Params) == 2 {
			s.see(m.Params[1])
		}
	}
}

var bufferedRE = regexp.MustCompile(`migration alice s1→s2: CONFIRM .*; (\d+) buffered lines`)

// TestHandoverCarriesSession moves a client with every piece of session
// state ferryd keeps from s1 to s2, in one process and with one process
// per node (asked for by the client, or s1's drain on SIGTERM), under
// traffic from users on s2 and s3, and checks each piece on the other
// side: identity, account, away, user modes, channel prefixes, the
// topic, the capabilities at work, and every line in both directions
// once and in order, including those the network buffered for the
// client between MIGRATE OK and CONFIRM.
func TestHandoverCarriesSession(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	for _, tc := range []struct {
		name    string
		start   handoverNodes
		sigterm bool // the move is s1's drain on SIGTERM, not alice's MIGRATE REQUEST
	}{
		{"one process", oneProcess, false},
		{"process per node", processPerNode, false},
		{"process per node, SIGTERM", processPerNode, true},
	} {
		t.Run(tc.name, func(t *testing.T) { testHandover(t, tc.start, tc.sigterm) })
	}
}

func testHandover(t *testing.T, start handoverNodes, sigterm bool) {
	addrs, s1proc, s2proc := start(t)
	caps := []string{"message-tags", "server-time", "echo-message", "account-tag", "away-notify", "batch", "labeled-response", "draft/migrate"}
	alice, on := registerSASL(t, addrs["s1"], "alice", alicePass, caps...)
	for _, c := range []string{"message-tags", "server-time", "echo-message", "account-tag", "labeled-response", "draft/migrate"} {
		if !on[c] {
			t.Fatalf("s1 does not offer %s", c)
		}
	}
	bob := registerIRC(t, addrs["s2"], "bob", "message-tags", "server-time", "account-tag")
	carol := registerIRC(t, addrs["s3"], "carol", "message-tags", "server-time", "account-tag")

	// alice: +iw, away, op in #a (which she made, with a topic), voiced
	// by carol in #b (carol's).
	reply(alice, "MODE alice +iw", "MODE alice", func(m *irc.Message) bool { return cmdIs(m, "MODE", "alice") })
	reply(alice, "AWAY :gone fishing", "306", func(m *irc.Message) bool { return m.Command == "306" })
	reply(alice, "MONITOR + bob,Dave", "731 Dave", func(m *irc.Message) bool { return cmdIs(m, "731", "alice", "Dave") })
	alice.join("#a")
	reply(alice, "TOPIC #a :the topic of a", "TOPIC", func(m *irc.Message) bool { return cmdIs(m, "TOPIC", "#a") })
	carol.join("#b")
	waitNames(t, alice, "#b", "@carol")
	alice.join("#b")
	waitNames(t, carol, "#b", "alice")
	reply(carol, "MODE #b +v alice", "MODE +v", func(m *irc.Message) bool { return cmdIs(m, "MODE", "#b", "+v", "alice") })
	waitNames(t, alice, "#b", "+alice")
	waitTopic(t, bob, "#a", "the topic of a")
	bob.join("#a")
	bob.join("#b")
	carol.join("#a")
	waitNames(t, alice, "#a", "bob")
	waitNames(t, alice, "#a", "carol")

	before := whois(bob, "alice")
	if before["311"] == nil || before["330"] == nil || before["301"] == nil {
		t.Fatalf("bob's WHOIS of alice on s1 lacks the user, account or away: %v", before)
	}
	if m := reply(alice, "MODE alice", "221", func(m *irc.Message) bool { return m.Command == "221" }); m.Param(1) != "+iw" {
		t.Fatalf("alice's modes on s1: %q, want +iw", m.Param(1))
	}

	// bob talks to alice and carol to #a, densely, through the move.
	bTalk := talk(time.Millisecond, func(i int) { bob.send("PRIVMSG alice :b %d", i) })
	cTalk := talk(2*time.Millisecond, func(i int) { carol.send("PRIVMSG #a :c %d", i) })
	time.Sleep(50 * time.Millisecond)

	moveAt := map[*ircClient]int{bob: len(snapshotOf(bob)), carol: len(snapshotOf(carol))}
	var st *irc.Message
	isStart := func(m *irc.Message) bool { return cmdIs(m, "MIGRATE", "START") }
	if sigterm {
		// s1 drains to s2 and s3 in turn: alice, first by nick, to s2.
		_ = s1proc.cmd.Process.Signal(syscall.SIGTERM)
		i := alice.waitLine("MIGRATE START", 0, isStart)
		st = snapshotOf(alice)[i]
	} else {
		st = reply(alice, "MIGRATE REQUEST s2", "MIGRATE START", isStart)
	}
	if st.Param(5) != "s2" {
		t.Fatalf("alice is offered %s, want s2", st.Param(5))
	}
	host, port, rtok, ctok := st.Param(1), strings.TrimPrefix(st.Param(2), "+"), st.Param(3), st.Param(4)
	alice2 := dialIRC(t, "alice", net.JoinHostPort(host, port))
	// Lines before OK go to s1 and are processed there.
	for i := range 10 {
		alice.send("PRIVMSG #a :a %d", i)
	}
	alice.send("MIGRATE OK %s", rtok)
	alice.waitLine("PROCEED", 0, func(m *irc.Message) bool { return cmdIs(m, "MIGRATE", "PROCEED", rtok) })
	alice.waitClosed()
	time.Sleep(100 * time.Millisecond) // bob's lines pile up on s2, held for alice
	alice2.send("MIGRATE RESUME %s", rtok)
	alice2.waitLine("CONFIRM", 0, func(m *irc.Message) bool { return cmdIs(m, "MIGRATE", "CONFIRM", ctok) })
	// The lines "typed" between OK and CONFIRM: ferry's queue, sent now.
	for i := 10; i < 20; i++ {
		alice2.send("PRIVMSG #a :a %d", i)
	}
	time.Sleep(100 * time.Millisecond)
	nb, nc := bTalk.end(), cTalk.end()
	alice2.send("PRIVMSG #a :alice done")
	bob.send("PRIVMSG alice :bob done")
	carol.send("PRIVMSG #a :carol done")
	for _, w := range []struct {
		c    *ircClient
		nick string
	}{{alice2, "bob"}, {alice2, "carol"}, {bob, "alice"}, {carol, "alice"}} {
		w.c.waitLine(w.nick+" done", 0, func(m *irc.Message) bool {
			return m.Command == "PRIVMSG" && m.Prefix.Name == w.nick && strings.HasSuffix(m.Trailing(), " done")
		})
	}

	if m := bufferedRE.FindStringSubmatch(s2proc.logText()); m == nil || m[1] == "0" {
		t.Errorf("s2 buffered no line for alice between OK and CONFIRM (log match %q)", m)
	}
	old, _ := alice.snapshot()
	got := append(old, snapshotOf(alice2)...)
	{
		s := &streamCheck{prefix: "b"}
		streamFrom(s, got, "bob", "alice")
		if s.next != nb || len(s.errs) > 0 {
			var seq []string
			for i, m := range got {
				if m.Command == "PRIVMSG" && m.Prefix.Name == "bob" || m.Command == "MIGRATE" {
					seq = append(seq, strconv.Itoa(i)+":"+m.Trailing())
				}
			}
			t.Logf("bob's lines and MIGRATE as alice got them (index:text; s1's up to %d): %v", len(old), seq)
			t.Errorf("alice got bob's lines up to %d of %d: %v", s.next, nb, s.errs)
		}
	}
	{
		s := &streamCheck{prefix: "c"}
		streamFrom(s, got, "carol", "#a")
		if s.next != nc || len(s.errs) > 0 {
			t.Errorf("alice got carol's lines up to %d of %d: %v", s.next, nc, s.errs)
		}
	}
	// echo-message and server-time on both sides of the move.
	{
		s := &streamCheck{prefix: "a"}
		streamFrom(s, got, "alice", "#a")
		if s.next != 20 || len(s.errs) > 0 {
			t.Errorf("alice's echoes up to %d of 20: %v", s.next, s.errs)
		}
	}
	for _, m := range snapshotOf(alice2) {
		if m.Command == "PRIVMSG" && (m.Tags["time"] == "" || m.Tags["msgid"] == "") {
			t.Errorf("alice on s2 got %v without time or msgid", m)
			break
		}
	}
	// account-tag: the others see alice's lines once, in order, tagged.
	for _, o := range []*ircClient{bob, carol} {
		ls := snapshotOf(o)
		s := &streamCheck{prefix: "a"}
		streamFrom(s, ls, "alice", "#a")
		if s.next != 20 || len(s.errs) > 0 {
			t.Errorf("%s got alice's lines up to %d of 20: %v", o.name, s.next, s.errs)
		}
		for _, m := range ls[moveAt[o]:] {
			if m.Command == "PRIVMSG" && m.Prefix.Name == "alice" && m.Tags["account"] != "alice" {
				t.Errorf("%s got %v without account=alice", o.name, m)
				break
			}
			if (m.Command == "QUIT" || m.Command == "JOIN" || m.Command == "PART" || m.Command == "NICK") && m.Prefix.Name == "alice" {
				t.Errorf("%s saw %v during the move", o.name, m)
			}
		}
	}

	// The session on s2, as alice and the others see it.
	for _, o := range []*ircClient{alice2, bob, carol} {
		w := whois(o, "alice")
		switch {
		case w["311"] == nil || w["311"].Param(2) != before["311"].Param(2) || w["311"].Param(3) != before["311"].Param(3) || w["311"].Trailing() != before["311"].Trailing():
			t.Errorf("%s: WHOIS alice user@host and realname %v, was %v", o.name, w["311"], before["311"])
		case w["330"] == nil || w["330"].Param(2) != "alice":
			t.Errorf("%s: WHOIS alice account %v, want alice", o.name, w["330"])
		case w["301"] == nil || w["301"].Trailing() != "gone fishing":
			t.Errorf("%s: WHOIS alice away %v, want gone fishing", o.name, w["301"])
		case w["312"] == nil || w["312"].Param(2) != "s2":
			t.Errorf("%s: WHOIS alice server %v, want s2", o.name, w["312"])
		}
		if got := namesOf(o, "#a", "alice"); got != "@alice" {
			t.Errorf("%s: alice in NAMES #a is %q, want @alice", o.name, got)
		}
		if got := namesOf(o, "#b", "alice"); got != "+alice" {
			t.Errorf("%s: alice in NAMES #b is %q, want +alice", o.name, got)
		}
	}
	if m := reply(alice2, "MODE alice", "221", func(m *irc.Message) bool { return m.Command == "221" }); m.Param(1) != "+iw" {
		t.Errorf("alice's modes on s2: %q, want +iw", m.Param(1))
	}
	if m := reply(alice2, "@label=w1 TOPIC #a", "332", func(m *irc.Message) bool { return m.Command == "332" || m.Command == "BATCH" }); m.Tags["label"] != "w1" {
		t.Errorf("labeled-response on s2: %v has no label", m)
	}
	waitTopic(t, alice2, "#a", "the topic of a")
	if m := reply(alice2, "MONITOR L", "732", func(m *irc.Message) bool { return m.Command == "732" || m.Command == "733" }); !cmdIs(m, "732", "alice", "bob,Dave") {
		t.Errorf("alice's MONITOR list on s2: %v, want bob,Dave", m)
	}
	// alice, as op of #a on s2, can still act as one.
	reply(alice2, "MODE #a +v bob", "MODE +v bob", func(m *irc.Message) bool { return cmdIs(m, "MODE", "#a", "+v", "bob") })
	carol.waitLine("alice's MODE from s2", 0, func(m *irc.Message) bool { return cmdIs(m, "MODE", "#a", "+v", "bob") })
	if sigterm {
		select {
		case <-s1proc.done:
			if s1proc.code != 0 {
				t.Errorf("s1 exited %d after SIGTERM", s1proc.code)
			}
		case <-time.After(procWait):
			t.Errorf("s1 still running %v after SIGTERM", procWait)
		}
	}
}

func snapshotOf(c *ircClient) []*irc.Message {
	ls, _ := c.snapshot()
	return ls
}

// waitClosed waits until the server closed c.
func (c *ircClient) waitClosed() {
	c.t.Helper()
	deadline := time.After(procWait)
	for {
		if _, closed := c.snapshot(); closed {
			return
		}
		select {
		case <-c.more:
		case <-deadline:
			c.t.Fatalf("%s: the server did not close the connection", c.name)
		}
	}
}

// waitNames waits until c's NAMES of ch lists entry (a nick with its prefix).
func waitNames(t *testing.T, c *ircClient, ch, entry string) {
	t.Helper()
	deadline := time.Now().Add(procWait)
	for namesOf(c, ch, strings.TrimLeft(entry, "@+")) != entry {
		if time.Now().After(deadline) {
			t.Fatalf("%s: NAMES %s never listed %s", c.name, ch, entry)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
