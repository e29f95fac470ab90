package testnet

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/natsd"
)

// natsProxy stands between one node and NATS so that a test can cut that
// node off (a partition: its process and its clients keep running) and
// heal it again.
type natsProxy struct {
	t     testing.TB
	ln    net.Listener
	to    string
	mu    sync.Mutex
	cut   bool
	conns []net.Conn
}

func startNATSProxy(t testing.TB, ns *natsd.Server) *natsProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &natsProxy{t: t, ln: ln, to: strings.TrimPrefix(ns.URL(), "nats://")}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.sever()
	})
	return p
}

func (p *natsProxy) url() string { return "nats://" + p.ln.Addr().String() }

func (p *natsProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.cut {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.DialTimeout("tcp", p.to, wait)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

// partition drops the node's NATS connections and refuses new ones.
func (p *natsProxy) partition() {
	p.mu.Lock()
	p.cut = true
	p.mu.Unlock()
	p.sever()
}

func (p *natsProxy) sever() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// heal lets the node reconnect.
func (p *natsProxy) heal() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

// reapTTL is the registry TTL of the reaping tests: short, so that they
// are bounded by a few seconds.
const reapTTL = time.Second

// startReapNodes starts one cluster node per name with reapTTL, each over
// its own proxy to one NATS server, and waits until they all see each
// other.
func startReapNodes(t *testing.T, names ...string) ([]*Network, []*natsProxy) {
	t.Helper()
	ns := startNATSForTest(t)
	var nets []*Network
	var pxs []*natsProxy
	for _, name := range names {
		px := startNATSProxy(t, ns)
		nets = append(nets, startNet(t, Options{Nodes: []NodeConfig{{Name: name}}, Cluster: &ClusterOptions{NATSURL: px.url(), RegistryTTL: reapTTL}}))
		pxs = append(pxs, px)
	}
	for _, a := range nets {
		for _, b := range nets {
			if a != b {
				waitPeer(t, a, b)
			}
		}
	}
	return nets, pxs
}

// quitOf matches nick's QUIT.
func quitOf(nick string) func(*irc.Message) bool {
	return func(m *irc.Message) bool { return m.Command == "QUIT" && m.Prefix != nil && m.Prefix.Name == nick }
}

// none fails if a line of ms matches.
func none(t *testing.T, who, desc string, ms []*irc.Message, match func(*irc.Message) bool) {
	t.Helper()
	for _, m := range ms {
		if match(m) {
			t.Fatalf("%s: unexpected %s: %s", who, desc, m)
		}
	}
}

// startReapScene starts s1, s2 and s3 with alice on s1 in #x and alone in
// #solo (with a topic: once she is ended it must be gone everywhere, as
// an emptied channel is), bob on s2 and carol on s3 in #x, every node
// having seen it all.
func startReapScene(t *testing.T) (nets []*Network, pxs []*natsProxy, alice, bob, carol *client) {
	t.Helper()
	nets, pxs = startReapNodes(t, "s1", "s2", "s3")
	s1, s2, s3 := nets[0], nets[1], nets[2]
	alice = register(t, s1.Node("s1").Addr(), "alice")
	alice.join("#x")
	alice.join("#solo")
	alice.send("TOPIC #solo :alice's own")
	alice.expectCmd("TOPIC", "#solo")
	for _, n := range []*Network{s2, s3} {
		waitFor(t, n.nodes[0].name+" to see #x and #solo's topic", func() bool {
			n.lock()
			defer n.unlock()
			return n.chans["#x"] != nil && n.chans["#solo"] != nil && n.chans["#solo"].topic == "alice's own"
		})
	}
	bob = register(t, s2.Node("s2").Addr(), "bob")
	bob.join("#x")
	carol = register(t, s3.Node("s3").Addr(), "carol")
	carol.join("#x")
	alice.expect("carol's JOIN", func(m *irc.Message) bool { return is(m, "JOIN", "#x") && m.Prefix.Name == "carol" })
	bob.expect("carol's JOIN", func(m *irc.Message) bool { return is(m, "JOIN", "#x") && m.Prefix.Name == "carol" })
	return nets, pxs, alice, bob, carol
}

// TestClusterReapPartition: s1 is cut from NATS for longer than the
// registry TTL. The other nodes end its user network-wide, once: every
// member elsewhere sees one QUIT with the netsplit reason of one reaper,
// her nick is free, NAMES no longer lists her. When s1 is back it closes
// her link with an ERROR that says why, leaves the nick to whoever took
// it, serves new registrations and does not end the others' users; cut
// off again, it loses only the user it took since.
func TestClusterReapPartition(t *testing.T) {
	nets, pxs, alice, bob, carol := startReapScene(t)
	s1, s2, s3 := nets[0], nets[1], nets[2]
	carol.send("MONITOR + alice")
	carol.expectCmd("730")

	cut := time.Now()
	pxs[0].partition()
	var reasons []string
	for _, c := range []*client{bob, carol} {
		q, _ := c.expect("alice's QUIT", quitOf("alice"))
		reasons = append(reasons, q.Param(0))
	}
	took := time.Since(cut)
	carol.expectCmd("731", "carol", "alice")
	if reasons[0] != reasons[1] || reasons[0] != "s2 s1" && reasons[0] != "s3 s1" {
		t.Fatalf("QUIT reasons %q: want one reaper's \"<survivor> s1\"", reasons)
	}
	t.Logf("alice ended %v after the cut (TTL %v), reason %q", took.Round(time.Millisecond), reapTTL, reasons[0])

	again := register(t, s2.Node("s2").Addr(), "alice")
	bob.send("NAMES #x")
	names := bob.expectCmd("353")
	for _, nick := range strings.Fields(names.Trailing()) {
		if strings.TrimLeft(nick, "@+") == "alice" {
			t.Fatalf("NAMES #x still lists alice: %s", names)
		}
	}
	carol.send("JOIN #solo")
	if m, _ := carol.expect("#solo's NAMES or topic", func(m *irc.Message) bool {
		return m.Command == "353" || m.Command == "332"
	}); m.Command != "353" || m.Trailing() != "@carol" {
		t.Fatalf("carol joined #solo after alice was ended and got %s; want a new channel: no topic, NAMES @carol", m)
	}
	waitFor(t, "s2 to see carol make #solo anew", func() bool {
		s2.lock()
		defer s2.unlock()
		ch := s2.chans["#solo"]
		return ch != nil && len(ch.members) == 1 && ch.topic == ""
	})
	seen := bob.barrier()

	pxs[0].heal()
	errLine, _ := alice.expect("ERROR", func(m *irc.Message) bool { return m.Command == "ERROR" })
	if !strings.Contains(errLine.Trailing(), "cut from the network") {
		t.Fatalf("ERROR %q does not say why", errLine.Trailing())
	}
	alice.expectClosed()

	// s1 serves again, the nick stays the new alice's, and s1's return
	// ends nobody (it watches the registry for a TTL before it judges).
	erin := register(t, s1.Node("s1").Addr(), "erin")
	erin.join("#x")
	seen = append(seen, bob.expectCmd("JOIN", "#x"))
	dup := dialPlain(t, "alice3", s3.Node("s3").Addr())
	dup.send("NICK alice")
	dup.send("USER x 0 * :x")
	dup.expectCmd("433")
	time.Sleep(3 * reapTTL)
	none(t, "erin", "QUIT", erin.barrier(), func(m *irc.Message) bool { return m.Command == "QUIT" })
	bob.send("PRIVMSG #x :still here")
	erin.expectCmd("PRIVMSG", "#x", "still here")
	again.send("PRIVMSG erin :the new alice")
	erin.expectCmd("PRIVMSG", "erin", "the new alice")

	seen = append(seen, bob.barrier()...)
	none(t, "bob", "second QUIT of alice", seen, quitOf("alice"))
	none(t, "carol", "QUIT", carol.barrier(), func(m *irc.Message) bool { return m.Command == "QUIT" })

	// s1 serves as a new incarnation: cut off again, its new user is
	// ended in turn, and only she.
	pxs[0].partition()
	q, skipped := bob.expect("erin's QUIT", func(m *irc.Message) bool { return m.Command == "QUIT" })
	if q.Prefix.Name != "erin" {
		t.Fatalf("bob saw %s, want erin's QUIT", q)
	}
	none(t, "bob", "QUIT", append(skipped, bob.barrier()...), func(m *irc.Message) bool { return m.Command == "QUIT" })
	pxs[0].heal()
	erin.expect("ERROR", func(m *irc.Message) bool { return m.Command == "ERROR" })
}

// TestClusterNoReapAfterNATSLoss: NATS goes away under every node for
// longer than the TTL. When it is back, every node's view of the registry
// is stale, but none ends another's users: each waits a whole TTL of
// watching before it judges, and by then everyone has refreshed.
func TestClusterNoReapAfterNATSLoss(t *testing.T) {
	nets, pxs := startReapNodes(t, "s1", "s2")
	s1, s2 := nets[0], nets[1]
	alice := register(t, s1.Node("s1").Addr(), "alice")
	alice.join("#x")
	waitChan(t, s2, "#x")
	bob := register(t, s2.Node("s2").Addr(), "bob")
	bob.join("#x")
	alice.expect("bob's JOIN", func(m *irc.Message) bool { return is(m, "JOIN", "#x") && m.Prefix.Name == "bob" })

	for _, px := range pxs {
		px.partition()
	}
	time.Sleep(2 * reapTTL)
	alice.barrier()
	bob.barrier()
	for _, px := range pxs {
		px.heal()
	}
	waitPeer(t, s1, s2)
	waitPeer(t, s2, s1)
	time.Sleep(3 * reapTTL)
	none(t, "alice", "QUIT", alice.barrier(), func(m *irc.Message) bool { return m.Command == "QUIT" })
	none(t, "bob", "QUIT", bob.barrier(), func(m *irc.Message) bool { return m.Command == "QUIT" })
	alice.send("PRIVMSG #x :after NATS came back")
	bob.expectCmd("PRIVMSG", "#x", "after NATS came back")
}

// TestClusterReapTwiceOneQuit: two reap events for one incarnation (two
// nodes judged at once, or a survivor and the node itself restarted)
// end its users once: the second finds nobody. The node whose live
// incarnation was reaped learns it from the stream and closes the link.
func TestClusterReapTwiceOneQuit(t *testing.T) {
	nets, _, alice, bob, carol := startReapScene(t)
	s1, s2, s3 := nets[0], nets[1], nets[2]

	s1.lock()
	inc := s1.cl.inc
	s1.unlock()
	// Both published before s1, learning it was reaped, forgets alice
	// with a quit event of its own.
	lseqs := map[*Network]uint64{}
	for _, n := range []*Network{s2, s3} {
		n.lock()
		n.cl.reap("s1", inc, n.nodes[0].name+" s1")
		lseqs[n] = n.cl.lseq
		n.unlock()
	}
	var last uint64
	for n, lseq := range lseqs {
		seq, err := n.cl.storedUpTo(contextWithTimeout(t, wait), lseq)
		if err != nil {
			t.Fatal(err)
		}
		last = max(last, seq)
	}
	for _, n := range nets {
		if err := n.cl.appliedUpTo(contextWithTimeout(t, wait), last); err != nil {
			t.Fatal(err)
		}
	}
	alice.expect("ERROR", func(m *irc.Message) bool { return m.Command == "ERROR" })
	after := map[*client][]*irc.Message{}
	for _, c := range []*client{bob, carol} {
		c.expect("alice's QUIT", quitOf("alice"))
		after[c] = c.barrier()
	}
	again := register(t, s1.Node("s1").Addr(), "alice")
	again.join("#x")
	for _, c := range []*client{bob, carol} {
		_, skipped := c.expect("the new alice's JOIN", func(m *irc.Message) bool { return is(m, "JOIN", "#x") && m.Prefix.Name == "alice" })
		after[c] = append(after[c], skipped...)
	}
	bob.send("PRIVMSG #x :after both")
	carol.expectCmd("PRIVMSG", "#x", "after both")
	again.expectCmd("PRIVMSG", "#x", "after both")
	for _, c := range []*client{bob, carol} {
		none(t, c.name, "second QUIT of alice", append(after[c], c.barrier()...), quitOf("alice"))
	}
}

// TestClusterReapedMarkerOnReconnect: a node back on NATS looks for its
// incarnation's marker before the reap event reaches it; finding one, it
// closes its users' links and takes a new incarnation.
func TestClusterReapedMarkerOnReconnect(t *testing.T) {
	nets, pxs := startReapNodes(t, "s1", "s2")
	s1, s2 := nets[0], nets[1]
	alice := register(t, s1.Node("s1").Addr(), "alice")
	s1.lock()
	inc := s1.cl.inc
	s1.unlock()
	data := []byte(`{"by":"s2"}`)
	if _, err := s2.cl.reaped.Create(contextWithTimeout(t, wait), reapKey("s1", inc), data); err != nil {
		t.Fatal(err)
	}
	pxs[0].partition()
	pxs[0].heal()
	m, _ := alice.expect("ERROR", func(m *irc.Message) bool { return m.Command == "ERROR" })
	if !strings.Contains(m.Trailing(), "cut from the network") {
		t.Fatalf("ERROR %q does not say why", m.Trailing())
	}
	s1.lock()
	now := s1.cl.inc
	s1.unlock()
	if now == inc {
		t.Fatalf("s1 still runs as incarnation %s", inc)
	}
	register(t, s1.Node("s1").Addr(), "erin")
}
