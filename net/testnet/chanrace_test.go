package testnet

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// chanView is one node's view of a channel: members with their prefixes,
// the topic and the modes, as one comparable string.
func chanView(n *Network, name string) string {
	n.lock()
	defer n.unlock()
	ch := n.chans[fold(name)]
	if ch == nil {
		return "(none)"
	}
	var l []string
	for mu, m := range ch.members {
		l = append(l, m.prefix()+mu.nick)
	}
	sort.Strings(l)
	return strings.Join(l, " ") + " topic=" + ch.topic + " modes=" + ch.modeString()
}

// TestClusterSimultaneousJoin: two users join a new channel at once from
// two nodes; both nodes end with the same channel, and each member gets
// the other's lines.
func TestClusterSimultaneousJoin(t *testing.T) {
	s1, s2 := startClusterPair(t)
	a := register(t, s1.Node("s1").Addr(), "alice")
	b := register(t, s2.Node("s2").Addr(), "bob")
	waitFor(t, "both nodes to know both users", func() bool {
		_, ok1 := s1.UserNode("bob")
		_, ok2 := s2.UserNode("alice")
		return ok1 && ok2
	})
	for i := range 10 {
		name := "#r" + itoa(i)
		a.send("JOIN %s", name)
		b.send("JOIN %s", name)
		a.expectCmd("366", "alice", name)
		b.expectCmd("366", "bob", name)
		waitFor(t, "both nodes to agree on "+name, func() bool {
			v1, v2 := chanView(s1, name), chanView(s2, name)
			return v1 == v2 && strings.Contains(v1, "alice") && strings.Contains(v1, "bob")
		})
		b.send("PRIVMSG %s :from bob %d", name, i)
		a.expectCmd("PRIVMSG", name, "from bob "+itoa(i))
		a.send("PRIVMSG %s :from alice %d", name, i)
		b.expectCmd("PRIVMSG", name, "from alice "+itoa(i))
	}
}

// recordView is the channel's KV record in chanView's form.
func recordView(n *Network, name string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	e, err := n.cl.chans.Get(ctx, hexKey(fold(name)))
	if err != nil {
		return "(none)"
	}
	var r chanRec
	if json.Unmarshal(e.Value(), &r) != nil {
		return "(bad)"
	}
	var l []string
	for _, m := range r.Members {
		l = append(l, m.Prefix+m.Nick)
	}
	sort.Strings(l)
	return strings.Join(l, " ") + " topic=" + r.Topic + " modes=" + r.Modes
}

// quiet reports whether every node has stored what it published and
// applied everything any of them stored.
func quiet(nodes ...*Network) bool {
	var last uint64
	for _, n := range nodes {
		if n.cl.pending.Load() > 0 {
			return false
		}
		n.cl.omu.Lock()
		last = max(last, n.cl.storedS)
		n.cl.omu.Unlock()
	}
	for _, n := range nodes {
		n.lock()
		at := n.cl.applied
		n.unlock()
		if at < last {
			return false
		}
	}
	return true
}

// settle waits until the nodes are quiet and hold the same view of a
// channel, which the KV record shows too, then returns it.
func settle(t *testing.T, s1, s2 *Network, name string, ok func(string) bool) string {
	t.Helper()
	var v1, v2 string
	deadline := time.Now().Add(wait)
	for {
		q := quiet(s1, s2)
		v1, v2 = chanView(s1, name), chanView(s2, name)
		if q && v1 == v2 && ok(v1) && quiet(s1, s2) && recordView(s1, name) == v1 {
			return v1
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the nodes do not agree: s1 %q, s2 %q, the KV record %q", name, v1, v2, recordView(s1, name))
		}
		time.Sleep(time.Millisecond)
	}
}

// TestClusterSimultaneousTopicAndModes: the ops on two nodes change the
// topic, and then the modes and a member's voice, at once; both nodes end
// with the same ones, and so do the clients.
func TestClusterSimultaneousTopicAndModes(t *testing.T) {
	s1, s2 := startClusterPair(t)
	a := register(t, s1.Node("s1").Addr(), "alice")
	b := register(t, s2.Node("s2").Addr(), "bob")
	a.join("#x")
	waitFor(t, "s2 to see #x", func() bool { return chanView(s2, "#x") != "(none)" })
	b.join("#x")
	a.expectCmd("JOIN", "#x")
	settle(t, s1, s2, "#x", func(v string) bool { return strings.Contains(v, "bob") })
	a.send("MODE #x +o bob")
	a.expectCmd("MODE", "#x", "+o", "bob")
	c := register(t, s1.Node("s1").Addr(), "carol")
	c.join("#x")
	b.expectCmd("JOIN", "#x")
	settle(t, s1, s2, "#x", func(v string) bool { return strings.HasPrefix(v, "@alice @bob carol ") })
	any := func(string) bool { return true }
	// What each client makes of the lines it got: the topic, the modes
	// and the members' prefixes.
	seen := map[*client]*chanSeen{a: {modes: "+nt"}, b: {modes: "+nt"}}
	rosters := map[*client]*roster{}
	for c := range seen {
		rosters[c] = &roster{in: true, fresh: true, names: map[string]bool{}, ops: map[string]bool{}, voices: map[string]bool{}}
		c.send("NAMES #x")
		rosters[c].read(c.name, "#x", c.barrier())
	}
	read := func(c *client, ms []*irc.Message) {
		seen[c].read(ms)
		rosters[c].read(c.name, "#x", ms)
	}
	check := func(v string) {
		t.Helper()
		for c, cs := range seen {
			read(c, c.barrier())
			got := rosters[c].String() + " topic=" + cs.topic + " modes=" + cs.modes
			if got != v {
				t.Fatalf("%s sees %q, the network %q", c.name, got, v)
			}
		}
	}
	for i := range 20 {
		a.send("TOPIC #x :alice %d", i)
		b.send("TOPIC #x :bob %d", i)
		read(a, a.barrier())
		read(b, b.barrier())
		check(settle(t, s1, s2, "#x", any))
		if i%2 == 0 {
			a.send("MODE #x -t+v carol")
			b.send("MODE #x +t-v carol")
		} else {
			a.send("MODE #x +n-t-v carol")
			b.send("MODE #x -n+t+v carol")
		}
		read(a, a.barrier())
		read(b, b.barrier())
		check(settle(t, s1, s2, "#x", any))
	}
}

// chanSeen is a channel's topic and modes as a client has them from the
// TOPIC and MODE lines it got.
type chanSeen struct{ topic, modes string }

func (cs *chanSeen) read(ms []*irc.Message) {
	for _, m := range ms {
		switch m.Command {
		case "TOPIC":
			cs.topic = m.Param(1)
		case RPL_TOPIC:
			cs.topic = m.Param(2)
		case RPL_CHANNELMODEIS:
			cs.modes = m.Param(2)
		case "MODE":
			on := map[byte]bool{'n': strings.Contains(cs.modes, "n"), 't': strings.Contains(cs.modes, "t")}
			add := true
			for _, c := range []byte(m.Param(1)) {
				switch c {
				case '+', '-':
					add = c == '+'
				case 'n', 't':
					on[c] = add
				}
			}
			cs.modes = "+"
			for _, c := range []byte("nt") {
				if on[c] {
					cs.modes += string(c)
				}
			}
		}
	}
}

// TestClusterSimultaneousJoinPart: one user leaves a channel (its last
// member on that node) while a user of the other node joins it; the
// topic and modes survive, or the channel is new, the same on both.
func TestClusterSimultaneousJoinPart(t *testing.T) {
	s1, s2 := startClusterPair(t)
	a := register(t, s1.Node("s1").Addr(), "alice")
	b := register(t, s2.Node("s2").Addr(), "bob")
	waitFor(t, "s2 to know alice", func() bool { _, ok := s2.UserNode("alice"); return ok })
	for i := range 20 {
		name := "#p" + itoa(i)
		a.join(name)
		a.send("TOPIC %s :kept %d", name, i)
		a.send("MODE %s -n", name)
		a.expectCmd("MODE", name, "-n")
		settle(t, s1, s2, name, func(v string) bool { return strings.Contains(v, "modes=+t") })
		a.send("PART %s", name)
		b.send("JOIN %s", name)
		b.send("MODE %s", name)
		seen := &chanSeen{}
		seen.read(b.barrier())
		a.barrier()
		v := settle(t, s1, s2, name, func(v string) bool { return !strings.Contains(v, "alice") })
		if !strings.HasPrefix(v, "bob ") && !strings.HasPrefix(v, "@bob ") {
			t.Fatalf("%s: %q", name, v)
		}
		seen.read(b.barrier())
		if got := "topic=" + seen.topic + " modes=" + seen.modes; !strings.HasSuffix(v, " "+got) {
			t.Fatalf("%s: bob sees %q, the network %q", name, got, v)
		}
		b.send("PART %s", name)
		b.barrier()
		settle(t, s1, s2, name, func(v string) bool { return v == "(none)" })
	}
}

// histTexts lists the texts of a node's history of a channel, in order.
func histTexts(n *Network, name string) string {
	n.lock()
	defer n.unlock()
	h := n.hist[fold(name)]
	if h == nil {
		return ""
	}
	var l []string
	for _, e := range h.entries {
		l = append(l, e.text)
	}
	return strings.Join(l, "|")
}

// TestClusterHistoryInStreamOrder: lines sent at once from two nodes are
// in the history of both in the same order (the stream's).
func TestClusterHistoryInStreamOrder(t *testing.T) {
	s1, s2 := startClusterPair(t)
	a := register(t, s1.Node("s1").Addr(), "alice")
	b := register(t, s2.Node("s2").Addr(), "bob")
	a.join("#h")
	waitFor(t, "s2 to see #h", func() bool { return chanView(s2, "#h") != "(none)" })
	b.join("#h")
	a.expectCmd("JOIN", "#h")
	// The JOIN line reaches alice just before s1 applies the join itself.
	settle(t, s1, s2, "#h", func(v string) bool { return strings.Contains(v, "bob") })
	const k = 50
	for i := range k {
		a.send("PRIVMSG #h :a%d", i)
		b.send("PRIVMSG #h :b%d", i)
	}
	a.expectCmd("PRIVMSG", "#h", "b"+itoa(k-1))
	b.expectCmd("PRIVMSG", "#h", "a"+itoa(k-1))
	var h1, h2 string
	deadline := time.Now().Add(wait)
	for {
		h1, h2 = histTexts(s1, "#h"), histTexts(s2, "#h")
		if h1 == h2 && strings.Count(h1, "|") == 2*k-1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("histories differ:\ns1 %s\ns2 %s", h1, h2)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestClusterNickRace: two nodes register the same nick at once, and two
// users change to the same nick at once: exactly one gets it each time,
// the other 433.
func TestClusterNickRace(t *testing.T) {
	s1, s2 := startClusterPair(t)
	for i := range 10 {
		nick := "racer" + itoa(i)
		c1 := dialPlain(t, "c1", s1.Node("s1").Addr())
		c2 := dialPlain(t, "c2", s2.Node("s2").Addr())
		c1.send("NICK %s", nick)
		c2.send("NICK %s", nick)
		c1.send("USER x 0 * :x")
		c2.send("USER x 0 * :x")
		first := func(m *irc.Message) bool { return m.Command == "001" || m.Command == "433" }
		m1, _ := c1.expect("001 or 433", first)
		m2, _ := c2.expect("001 or 433", first)
		if (m1.Command == "001") == (m2.Command == "001") {
			t.Fatalf("%s: s1 said %s, s2 said %s", nick, m1.Command, m2.Command)
		}
		c1.nc.Close()
		c2.nc.Close()
	}
	a := register(t, s1.Node("s1").Addr(), "alice")
	b := register(t, s2.Node("s2").Addr(), "bob")
	for i := range 10 {
		nick := "same" + itoa(i)
		a.send("NICK %s", nick)
		b.send("NICK %s", nick)
		own := func(c *client, old string) func(m *irc.Message) bool {
			return func(m *irc.Message) bool {
				return m.Command == "433" || m.Command == "NICK" && m.Prefix.Name == old
			}
		}
		m1, _ := a.expect("NICK or 433", own(a, a.name))
		m2, _ := b.expect("NICK or 433", own(b, b.name))
		if (m1.Command == "NICK") == (m2.Command == "NICK") {
			t.Fatalf("%s: alice got %s, bob got %s", nick, m1, m2)
		}
		if m1.Command == "NICK" {
			a.name = nick
		} else {
			b.name = nick
		}
	}
}

// TestClusterChurnThenLines: four users on two nodes join, part and kick
// in one channel at once and set its topic; once the nodes agree, each
// client's member list (from the lines it got) is the network's, and
// every member gets every other member's line exactly once.
func TestClusterChurnThenLines(t *testing.T) {
	s1, s2 := startClusterPair(t)
	cs := map[string]*client{
		"a1": register(t, s1.Node("s1").Addr(), "a1"),
		"a2": register(t, s1.Node("s1").Addr(), "a2"),
		"b1": register(t, s2.Node("s2").Addr(), "b1"),
		"b2": register(t, s2.Node("s2").Addr(), "b2"),
	}
	nicks := []string{"a1", "a2", "b1", "b2"}
	waitFor(t, "both nodes to know everyone", func() bool {
		for _, nick := range nicks {
			if _, ok := s1.UserNode(nick); !ok {
				return false
			}
			if _, ok := s2.UserNode(nick); !ok {
				return false
			}
		}
		return true
	})
	for i := range 10 {
		name := "#m" + itoa(i)
		cs["a1"].send("JOIN %s", name)
		cs["b1"].send("JOIN %s", name)
		cs["a2"].send("JOIN %s", name)
		cs["b2"].send("JOIN %s", name)
		cs["a2"].send("PART %s", name)
		cs["b2"].send("PART %s", name)
		cs["b2"].send("JOIN %s", name)
		cs["a1"].send("KICK %s b1", name)
		cs["b1"].send("KICK %s a2", name)
		cs["b1"].send("TOPIC %s :b1 %d", name, i)
		cs["a1"].send("TOPIC %s :a1 %d", name, i)
		seenLines := map[string][]*irc.Message{}
		for _, nick := range nicks {
			seenLines[nick] = cs[nick].barrier()
		}
		v := settle(t, s1, s2, name, func(string) bool { return true })
		want := strings.SplitN(v, " topic=", 2)[0]
		for _, nick := range nicks {
			r := &roster{}
			r.read(nick, name, seenLines[nick])
			r.read(nick, name, cs[nick].barrier())
			in := strings.Contains(" "+want+" ", " "+nick+" ") || strings.Contains(" "+want+" ", " @"+nick+" ")
			if got := r.String(); in && got != want || !in && r.in {
				t.Fatalf("%s: %s sees %q (in: %v), the network %q", name, nick, got, r.in, want)
			}
		}
		var members []string
		for _, nick := range nicks {
			if strings.Contains(" "+v+" ", " "+nick+" ") || strings.Contains(" "+v+" ", " @"+nick+" ") {
				members = append(members, nick)
			}
		}
		for _, nick := range members {
			cs[nick].send("PRIVMSG %s :line from %s %d", name, nick, i)
			cs[nick].send("PRIVMSG %s :end from %s %d", name, nick, i)
		}
		for _, nick := range members {
			got := map[string]int{}
			ends := 0
			for ends < len(members)-1 {
				m, _ := cs[nick].expect("a line in "+name+" (view "+v+")", func(m *irc.Message) bool { return is(m, "PRIVMSG", name) })
				got[m.Param(1)]++
				if strings.HasPrefix(m.Param(1), "end from ") {
					ends++
				}
			}
			for _, o := range members {
				if o == nick {
					continue
				}
				if k := got["line from "+o+" "+itoa(i)]; k != 1 {
					t.Fatalf("%s: %s got %s's line %d times (members %v, view %q)", name, nick, o, k, members, v)
				}
			}
		}
	}
}

// TestClusterChatterKeepsItsTopic: the chatter of a cluster node sets its
// channel's topic without an event; users joining on that node, whose
// joins rebuild the view from the stream, still see it.
func TestClusterChatterKeepsItsTopic(t *testing.T) {
	ns := startNATSForTest(t)
	s1 := startNet(t, Options{Nodes: []NodeConfig{{Name: "s1"}}, Cluster: &ClusterOptions{NATSURL: ns.URL()}, Chatter: &Chatter{Every: time.Hour}})
	for _, nick := range []string{"alice", "bob"} {
		c := register(t, s1.Node("s1").Addr(), nick)
		c.send("JOIN #ferry")
		if topic := c.expectCmd("332", nick, "#ferry"); !strings.Contains(topic.Trailing(), "demo network") {
			t.Fatalf("%s: topic %q", nick, topic.Trailing())
		}
		c.barrier()
		waitFor(t, "s1 to apply the join", func() bool { return quiet(s1) })
		if v := chanView(s1, "#ferry"); !strings.Contains(v, "topic=Welcome") {
			t.Fatalf("after %s joined: %q", nick, v)
		}
	}
}

// roster is a channel's member list as a client makes it out of the
// lines it gets.
type roster struct {
	in          bool
	fresh       bool // the next 353 starts the list anew
	ops, voices map[string]bool
	names       map[string]bool
}

func (r *roster) read(self, name string, ms []*irc.Message) {
	for _, m := range ms {
		nick := ""
		if m.Prefix != nil {
			nick = m.Prefix.Name
		}
		switch {
		case is(m, "JOIN", name) && nick == self:
			r.in, r.fresh = true, true
			r.names, r.ops, r.voices = map[string]bool{self: true}, map[string]bool{}, map[string]bool{}
		case !r.in:
		case is(m, "JOIN", name):
			r.names[nick], r.ops[nick], r.voices[nick] = true, false, false
		case is(m, "PART", name) && nick == self, is(m, "KICK", name, self):
			r.in = false
		case is(m, "PART", name), m.Command == "QUIT":
			delete(r.names, nick)
		case is(m, "KICK", name):
			delete(r.names, m.Param(1))
		case is(m, RPL_NAMREPLY, self, "=", name):
			if r.fresh {
				r.names, r.ops, r.voices, r.fresh = map[string]bool{}, map[string]bool{}, map[string]bool{}, false
			}
			for _, e := range strings.Fields(m.Param(3)) {
				n := strings.TrimLeft(e, "@+")
				r.names[n] = true
				r.ops[n], r.voices[n] = strings.HasPrefix(e, "@"), strings.HasPrefix(e, "+")
			}
		case is(m, "MODE", name):
			add, args := true, m.Params[2:]
			for _, c := range m.Param(1) {
				switch c {
				case '+', '-':
					add = c == '+'
				case 'o', 'v':
					if len(args) == 0 {
						break
					}
					if c == 'o' {
						r.ops[args[0]] = add
					} else {
						r.voices[args[0]] = add
					}
					args = args[1:]
				}
			}
		}
	}
}

// String is the list in chanView's form.
func (r *roster) String() string {
	var l []string
	for n := range r.names {
		p := ""
		if r.ops[n] {
			p = "@"
		} else if r.voices[n] {
			p = "+"
		}
		l = append(l, p+n)
	}
	sort.Strings(l)
	return strings.Join(l, " ")
}

// TestClusterNoCorrectionsWithoutRaces: changes made one after the other
// on two nodes (each seen everywhere before the next) never make a
// correction.
func TestClusterNoCorrectionsWithoutRaces(t *testing.T) {
	s1, s2 := startClusterPair(t)
	a := register(t, s1.Node("s1").Addr(), "alice")
	b := register(t, s2.Node("s2").Addr(), "bob")
	c := register(t, s2.Node("s2").Addr(), "carol")
	step := func(c *client, line string) {
		t.Helper()
		c.send("%s", line)
		c.barrier()
		waitFor(t, "the nodes to apply "+line, func() bool { return quiet(s1, s2) })
	}
	step(a, "JOIN #q")
	step(b, "JOIN #q")
	step(c, "JOIN #q")
	step(a, "TOPIC #q :one")
	step(a, "MODE #q +o-t bob")
	step(b, "TOPIC #q :two")
	step(b, "MODE #q +v-o carol alice")
	step(b, "KICK #q carol")
	step(c, "JOIN #q")
	step(a, "PART #q")
	step(b, "NICK robert")
	step(a, "JOIN #q")
	c.send("QUIT :bye")
	c.expectClosed()
	waitFor(t, "the nodes to apply the QUIT", func() bool { _, ok := s1.UserNode("carol"); return !ok && quiet(s1, s2) })
	step(b, "PART #q")
	step(a, "TOPIC #q :three")
	v := settle(t, s1, s2, "#q", func(string) bool { return true })
	if v != "alice topic=three modes=+n" {
		t.Fatalf("#q: %q", v)
	}
	for _, n := range []*Network{s1, s2} {
		n.lock()
		fixes := n.cl.fixes
		n.unlock()
		if fixes != 0 {
			t.Errorf("%s made %d corrections", n.nodes[0].name, fixes)
		}
	}
}
