package conn

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// slowRelay is a TCP relay in front of a server whose connections can
// each be given a delay on the way to the server (a slow uplink), in the
// order they were accepted. The server's side passes at once, and when the
// server closes, the client's connection is closed.
type slowRelay struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	delays []*atomic.Int64 // per accepted connection, in nanoseconds
	conns  []net.Conn
}

func newSlowRelay(t *testing.T, target string) *slowRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &slowRelay{ln: ln, target: target}
	go r.accept()
	t.Cleanup(func() {
		ln.Close()
		r.mu.Lock()
		for _, c := range r.conns {
			c.Close()
		}
		r.mu.Unlock()
	})
	return r
}

func (r *slowRelay) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

// slow delays what connection i (0 for the first accepted) sends to the
// server from now on by d.
func (r *slowRelay) slow(i int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delays[i].Store(int64(d))
}

// accepted is the number of connections accepted so far.
func (r *slowRelay) accepted() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.delays)
}

func (r *slowRelay) accept() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", r.target)
		if err != nil {
			c.Close()
			continue
		}
		delay := new(atomic.Int64)
		r.mu.Lock()
		r.delays = append(r.delays, delay)
		r.conns = append(r.conns, c, up)
		r.mu.Unlock()
		go func() { // the server's side, at once; its close closes the client
			io.Copy(c, up)
			c.Close()
		}()
		go func() { // the client's side, each chunk delayed as set when read
			type chunk struct {
				due time.Time
				b   []byte
			}
			q := make(chan chunk, 1024)
			go func() {
				defer close(q)
				for {
					b := make([]byte, 4096)
					n, err := c.Read(b)
					if n > 0 {
						q <- chunk{time.Now().Add(time.Duration(delay.Load())), b[:n]}
					}
					if err != nil {
						return
					}
				}
			}()
			for ch := range q {
				time.Sleep(time.Until(ch.due))
				if _, err := up.Write(ch.b); err != nil {
					break
				}
			}
			up.(*net.TCPConn).CloseWrite()
		}()
	}
}

// A /reconnect over a slow link keeps the nick: the new connection is
// dialled only once the server has processed the old one's QUIT and closed
// it, so the new NICK never finds our own nick still in use. (Dialled at
// once, the new NICK arrived long before the delayed QUIT and the server
// answered 433.)
func TestReconnectWaitsForQuitBeforeDialling(t *testing.T) {
	tn := startTestnet(t, testnet.Options{})
	r := newSlowRelay(t, tn.Node("s1").Addr())
	cfg := tnConfig(t, tn, "s1", "kim", false)
	cfg.Dial.Host, cfg.Dial.Port = "127.0.0.1", r.port()
	p, c := startPoolWith(t, testLogger{t}, nil, cfg)
	first := c.wait(10*time.Second, "registered", func(e event.Event) bool { _, ok := e.(event.Registered); return ok }).(event.Registered)
	if first.Nick != "kim" {
		t.Fatalf("registered as %q, want kim", first.Nick)
	}
	const uplink = 400 * time.Millisecond
	r.slow(0, uplink)
	start := time.Now()
	p.Do("tn", command.Reconnect{})
	c.waitCond(10*time.Second, "registered again", func() bool {
		return c.count(func(e event.Event) bool { _, ok := e.(event.Registered); return ok }) == 2
	})
	var nicks []string
	for _, e := range c.snapshot() {
		if reg, ok := e.(event.Registered); ok {
			nicks = append(nicks, reg.Nick)
		}
	}
	if nicks[1] != "kim" {
		t.Errorf("registered again as %q, want kim (the old connection's QUIT had not been processed)", nicks[1])
	}
	if took := time.Since(start); took < uplink {
		t.Errorf("registered again after %v, before the QUIT could reach the server (%v)", took, uplink)
	}
	if n := r.accepted(); n != 2 {
		t.Errorf("%d connections, want 2", n)
	}
}

// A server that does not close after QUIT: the next connection is dialled
// once closeGrace has passed (the old one closed by us), not before.
func TestReconnectDialsAfterCloseGraceWhenServerKeepsLink(t *testing.T) {
	srv := newRelay(t)
	srv.set(func(r *relay) {
		r.onLine = func(_ *relayClient, m *irc.Message) bool { return m.Command == "QUIT" } // swallowed
	})
	clk := NewManualClock(time.Unix(1000, 0))
	p, c := startPoolWith(t, testLogger{t}, clk, plainNet("net", "lou", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Reconnect{})
	srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("lou", "QUIT")) == 1 })
	time.Sleep(50 * time.Millisecond) // a dial started at once would be seen by now
	if n := c.states("net", event.StateConnecting); n != 1 {
		t.Fatalf("%d Connecting states before closeGrace, want only the first connection's", n)
	}
	clk.Advance(closeGrace)
	c.waitCond(5*time.Second, "registered again", func() bool { return c.states("net", event.StateRegistered) == 2 })
}

// settleNet is a network of an unstarted Pool whose loop the test plays:
// its current link writes through a heldTransport, and the inputs the
// link's goroutines post are handled by step.
type settleNet struct {
	n  *network
	ht *heldTransport
	l  *link
}

func newSettleNet(t *testing.T, modes map[string]holdMode, clk Clock) *settleNet {
	t.Helper()
	p := NewPool(PoolOptions{Clock: clk, Log: testLogger{t}, Networks: []NetworkConfig{{
		Name: "net",
		// Nothing listens there: the new connection's dial fails, which
		// this test does not look at.
		Dial: transport.DialConfig{Host: "127.0.0.1", Port: 1},
	}}})
	t.Cleanup(p.Close)
	s := &settleNet{n: p.networks["net"], ht: newHeldTransport(modes)}
	s.n.want = true
	s.l = s.n.newLink(s.ht, "fake:6667", "fake")
	s.n.cur = s.l
	t.Cleanup(func() { s.ht.free(); s.l.close() })
	return s
}

// step handles the loop's inputs until cond holds or d has passed.
func (s *settleNet) step(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(d)
	for !cond() {
		select {
		case in := <-s.n.inbox:
			s.n.input(in)
		case <-deadline:
			t.Fatalf("%s: not within %v", what, d)
		}
	}
}

// A line whose write is under way when /reconnect runs, and whose write
// then fails as the old link closes, ends Failed (it may have arrived) and
// is never left handed to a writer that is gone; the line behind it, which
// the writer never took, waits again for the new connection.
func TestReconnectSettlesWriteCutByClose(t *testing.T) {
	clk := NewManualClock(time.Unix(1000, 0))
	s := newSettleNet(t, map[string]holdMode{"a": holdThenFail}, clk)
	n := s.n
	var lines []*sendq.Line
	for i, text := range []string{"a", "b"} {
		l := n.q.Push(userLine(uint64(i+1), text))
		n.hand(s.l, l)
		lines = append(lines, l)
		if i == 0 {
			if got := <-s.ht.started; got != "a" {
				t.Fatalf("held write of %q, want a", got)
			}
		}
	}
	n.command(command.Reconnect{})
	// The server never closes this link (it never reads the QUIT, stuck
	// behind a): past closeGrace it is closed here, which cuts a's write.
	clk.Advance(closeGrace)
	s.step(t, 5*time.Second, "a settled", func() bool { return lines[0].State() == sendq.Failed })
	if st := lines[1].State(); st != sendq.Waiting {
		t.Errorf("b is %v, want waiting for the next connection", st)
	}
	var failed []uint64
	for _, e := range n.evs {
		if f, ok := e.(event.Failed); ok {
			failed = append(failed, f.LocalID)
		}
	}
	if len(failed) != 1 || failed[0] != 1 {
		t.Errorf("Failed %v, want [1]", failed)
	}
	for _, w := range s.ht.written() {
		if w == "b" {
			t.Error("b was written to the old link")
		}
	}
}

// An STS upgrade advertised after registration (CAP NEW) replaces the
// connection: the lines its writer still held for the flood limit wait
// again (Requeued) for the TLS connection, rather than staying handed to
// a writer that is gone.
func TestSTSUpgradeAfterRegistrationRequeuesHeldLines(t *testing.T) {
	srv := newRelay(t)
	cfg := plainNet("net", "max", srv.port())
	// Registration takes three tokens (CAP LS, NICK, USER), the first
	// line the last one: the other two wait in the writer.
	cfg.Flood = Flood{Burst: 4, Interval: time.Hour}
	p, c := startPool(t, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	for id := uint64(1); id <= 3; id++ {
		p.Do("net", command.SendText{ID: id, Target: "bob", Text: "held " + string(rune('0'+id))})
	}
	c.wait(5*time.Second, "first line delivered", isDelivered(1))
	c.wait(5*time.Second, "echo of the last line", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.Self && m.LocalID == 3
	})
	// Nothing listens on port 1: the upgrade's dial fails and retries,
	// which this test does not look at.
	srv.client("max").send(":srv CAP max NEW :sts=port=1,duration=300")
	for id := uint64(2); id <= 3; id++ {
		c.wait(5*time.Second, "line "+string(rune('0'+id))+" requeued", func(e event.Event) bool {
			r, ok := e.(event.Requeued)
			return ok && r.LocalID == id
		})
	}
}
