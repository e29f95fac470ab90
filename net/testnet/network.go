// Package testnet is ferry's reference migrate-capable IRC network: several
// server nodes in one process sharing one network state (users, channels,
// topics), each with its own name and listeners. It implements the server
// side of the `migrate` extension as net/migrate/SPEC.md specifies it
// (sections 2 and 5, its per-session states drawn in section 7), plus
// enough IRC for a real client to chat, and fault injection for the
// failures of section 8.
//
// In cluster mode (Options.Cluster) a process runs one node of a network
// whose state and traffic live in NATS, so nodes can be separate processes
// on separate machines; cluster.go says how, natsbus.go does the I/O.
//
// Concurrency: every change of network state happens under one mutex
// (Network.mu), which gives the single order the migrate flip needs. Each
// connection has a reader goroutine (which handles lines under the mutex)
// and a writer goroutine (which drains that connection's bounded queue).
// Delivering a message never blocks: it is queued, or buffered for a held
// session. Replies to the reader's own connection are written by the
// reader itself once it has released the mutex, when no write is in
// progress, which saves the hand-off to the writer on every round trip;
// they still go through the queue, so order is unchanged (see conn).
package testnet

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Network is a running test network. Its methods are safe for concurrent use.
type Network struct {
	opts      Options
	log       Logger
	now       func() time.Time
	tlsConf   *tls.Config
	ss        *selfSigned
	msgPrefix string
	created   time.Time

	mu       sync.Mutex
	nodes    []*Node
	users    map[string]*user // folded nick -> registered (or held) user
	chans    map[string]*channel
	tokens   map[string]*user // resume token -> held user
	conns    map[*conn]struct{}
	faults   Faults
	closed   bool
	stopping string // why Shutdown drains ("" before): a client declining a move off a draining node leaves at once
	msgSeq   uint64
	after    []func() // work deferred until the current locked operation ends
	chatter  *chatter
	stats    Stats
	hist     map[string]*history // chathistory, by historyKey
	histSeq  uint64
	batchSeq uint64
	markers  map[string]map[string]time.Time // read markers: account -> folded target -> time (readmarker.go)
	accounts map[string]account              // SASL accounts, as salted keys (scram.go)
	bouncers map[string]*bouncerList         // fake bouncer networks by account (bouncer.go)

	bb     backbone         // what lies beyond this process: inProcess, or cl
	cl     *cluster         // cluster mode's link to NATS; nil in-process
	remote map[string]*Node // cluster mode: the other processes' nodes
	uids   map[string]*user // cluster mode: every user by network-wide id

	quit      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// Node is one server of the network.
type Node struct {
	n        *Network
	name     string
	host     string
	cfg      NodeConfig
	ln       net.Listener
	tlsLn    net.Listener
	caps     map[string]bool
	isupport []string // ordered tokens for 005
	draining bool     // guarded by n.mu

	// A node of another process (cluster mode), as its registry entry
	// describes it; guarded by n.mu.
	remote        bool
	down          bool // not in the registry (any more)
	boot          string
	inc           string // the incarnation whose users are on it (reap.go)
	beat          time.Time
	addr, tlsAddr string
}

// Start opens every node's listeners and returns once they accept
// connections. Close the Network when done.
func Start(opts Options) (*Network, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.HoldTimeout <= 0 {
		opts.HoldTimeout = defaultHoldTimeout
	}
	if opts.BufferLimit <= 0 {
		opts.BufferLimit = defaultBufferLimit
	}
	if opts.MaxClients <= 0 {
		opts.MaxClients = defaultMaxClients
	}
	if opts.SendQ <= 0 {
		opts.SendQ = defaultSendQ
	}
	if opts.PingInterval <= 0 {
		opts.PingInterval = defaultPingInterval
	}
	if len(opts.Nodes) == 0 {
		opts.Nodes = []NodeConfig{{Name: "s1"}, {Name: "s2"}}
	}
	tlsConf, ss, err := serverTLS(&opts, now())
	if err != nil {
		return nil, fmt.Errorf("testnet: %w", err)
	}
	if opts.STS != nil && tlsConf == nil {
		return nil, errors.New("testnet: an STS policy needs TLS")
	}
	var idb [4]byte
	_, _ = rand.Read(idb[:])
	if opts.Cluster != nil && len(opts.Nodes) != 1 {
		return nil, errors.New("testnet: cluster mode runs exactly one node per process")
	}
	n := &Network{
		opts:      opts,
		log:       opts.Log,
		now:       now,
		tlsConf:   tlsConf,
		ss:        ss,
		msgPrefix: hex.EncodeToString(idb[:]),
		created:   now(),
		users:     map[string]*user{},
		chans:     map[string]*channel{},
		tokens:    map[string]*user{},
		conns:     map[*conn]struct{}{},
		faults:    opts.Faults,
		quit:      make(chan struct{}),
		accounts:  map[string]account{},
		bb:        inProcess{},
	}
	for name, pass := range opts.Accounts {
		n.accounts[name] = newAccount(pass)
	}
	n.opts.Accounts = nil // the salted keys are all ferryd needs from here on
	seen := map[string]bool{}
	for _, nc := range opts.Nodes {
		if nc.Name == "" || !validServerName(nc.Name) {
			n.closeListeners()
			return nil, fmt.Errorf("testnet: invalid node name %q", nc.Name)
		}
		if seen[nc.Name] {
			n.closeListeners()
			return nil, fmt.Errorf("testnet: node %s listed twice", nc.Name)
		}
		seen[nc.Name] = true
		nd, err := n.openNode(nc)
		if err != nil {
			n.closeListeners()
			return nil, err
		}
		n.nodes = append(n.nodes, nd)
	}
	if opts.Cluster != nil {
		if err := n.startCluster(opts.Cluster); err != nil {
			n.closeListeners()
			return nil, err
		}
	}
	for _, nd := range n.nodes {
		n.serve(nd, nd.ln, false)
		if nd.tlsLn != nil {
			n.serve(nd, nd.tlsLn, true)
		}
		n.logf("node %s listening on %s%s", nd.name, nd.Addr(), suffix(nd.tlsLn != nil, " and TLS "+nd.TLSAddr()))
	}
	if opts.Chatter != nil {
		n.startChatter(*opts.Chatter)
	}
	if opts.BounceEvery > 0 {
		n.wg.Add(1)
		go n.bounceLoop(opts.BounceEvery)
	}
	return n, nil
}

func validServerName(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return len(s) <= 63
}

func (n *Network) openNode(nc NodeConfig) (*Node, error) {
	addr := nc.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("testnet: node %s: listen %s: %w", nc.Name, addr, err)
	}
	nd := &Node{n: n, name: nc.Name, cfg: nc, ln: ln}
	lhost, _, _ := net.SplitHostPort(ln.Addr().String())
	if n.tlsConf != nil {
		taddr := nc.TLSAddr
		if taddr == "" {
			taddr = net.JoinHostPort(lhost, "0")
		}
		tln, err := net.Listen("tcp", taddr)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("testnet: node %s: listen TLS %s: %w", nc.Name, taddr, err)
		}
		nd.tlsLn = tln
	}
	nd.host = nc.Host
	if nd.host == "" {
		ip := net.ParseIP(lhost)
		switch {
		case ip == nil:
			nd.host = lhost
		case ip.IsUnspecified():
			nd.host = "127.0.0.1"
		default:
			nd.host = ip.String()
		}
	}
	nd.caps = map[string]bool{}
	for _, c := range []string{"cap-notify", "server-time", "message-tags", "echo-message", "batch", capChathistory, capSearch, capMigrate,
		capLabeled, "setname", "chghost", "account-notify", "account-tag", "extended-join", capReadMarker, capMultiline} {
		nd.caps[c] = true
	}
	if len(n.accounts) > 0 || n.opts.Cluster != nil {
		nd.caps["sasl"] = true
	}
	if n.opts.STS != nil {
		nd.caps["sts"] = true
	}
	if len(n.opts.BouncerNetworks) > 0 {
		nd.caps[capBouncerNetworks], nd.caps[capBouncerNotify] = true, true
	}
	for _, c := range nc.WithoutCaps {
		delete(nd.caps, c)
	}
	if !nd.caps[capChathistory] {
		delete(nd.caps, capSearch) // it searches the same history
	}
	nd.isupport = mergeISupport(defaultISupport(), nc.ISupport)
	return nd, nil
}

func (n *Network) serve(nd *Node, ln net.Listener, isTLS bool) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				select {
				case <-n.quit:
					return
				default:
				}
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				if errors.Is(err, net.ErrClosed) {
					return
				}
				time.Sleep(10 * time.Millisecond) // e.g. EMFILE: back off, then keep serving
				continue
			}
			if isTLS {
				nc = tls.Server(nc, n.tlsConf)
			}
			n.accept(nd, nc, isTLS)
		}
	}()
}

// Name is the node's network-internal name (s1, s2, ...).
func (nd *Node) Name() string { return nd.name }

// Addr is the node's plain listen address, e.g. "127.0.0.1:40123".
func (nd *Node) Addr() string {
	if nd.ln == nil {
		return nd.addr
	}
	return nd.ln.Addr().String()
}

// TLSAddr is the node's TLS listen address, or "" without TLS.
func (nd *Node) TLSAddr() string {
	if nd.tlsLn == nil {
		return nd.tlsAddr
	}
	return nd.tlsLn.Addr().String()
}

// Port is the node's plain port; TLSPort its TLS port (0 without TLS).
func (nd *Node) Port() int { return addrPort(nd.Addr()) }

// TLSPort is the node's TLS port, 0 without TLS.
func (nd *Node) TLSPort() int { return addrPort(nd.TLSAddr()) }

// Host is the host MIGRATE START names for this node.
func (nd *Node) Host() string { return nd.host }

func addrPort(a string) int {
	_, p, err := net.SplitHostPort(a)
	if err != nil {
		return 0
	}
	v, _ := strconv.Atoi(p)
	return v
}

// Node returns the node with that name, or nil.
func (n *Network) Node(name string) *Node {
	for _, nd := range n.nodes {
		if nd.name == name {
			return nd
		}
	}
	return nil
}

// Nodes returns the nodes in configuration order.
func (n *Network) Nodes() []*Node { return append([]*Node(nil), n.nodes...) }

// CAPool is the generated CA as a pool (SelfSigned), or nil.
func (n *Network) CAPool() *x509.CertPool {
	if n.ss == nil {
		return nil
	}
	return n.ss.pool
}

// CAPEM is the generated CA certificate in PEM (SelfSigned), or nil.
func (n *Network) CAPEM() []byte {
	if n.ss == nil {
		return nil
	}
	return append([]byte(nil), n.ss.caPEM...)
}

// SetFaults replaces the fault injection settings; they apply to
// migrations started (or steps taken) from now on.
func (n *Network) SetFaults(f Faults) {
	n.mu.Lock()
	n.faults = f
	n.mu.Unlock()
}

// Stats counts migrations since Start, for tests and demos that want to
// know what the network did without parsing its log.
type Stats struct {
	Started   int           // START sent
	Completed int           // CONFIRM sent
	Declined  int           // NAK received, or START never answered
	Failed    int           // ABORTED, PROCEED withheld, resume refused or dropped, hold or buffer limit reached
	Window    time.Duration // OK→CONFIRM of the last completed migration, as the server saw it
}

// Stats returns the migration counters.
func (n *Network) Stats() Stats {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.stats
}

// Users returns the nicks of registered users (held sessions included), sorted.
func (n *Network) Users() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []string
	for _, u := range n.users {
		out = append(out, u.nick)
	}
	sort.Strings(out)
	return out
}

// UserNode returns the name of the node the user is on (for a held session,
// the node that holds it) and whether the nick exists.
func (n *Network) UserNode(nick string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	u := n.users[fold(nick)]
	if u == nil {
		return "", false
	}
	return u.node.name, true
}

// Close stops every listener, connection, timer-driven task and goroutine
// of the network and waits for them. It is safe to call more than once.
func (n *Network) Close() {
	n.closeOnce.Do(func() {
		n.closeListeners()
		if n.cl != nil {
			n.leaveCluster()
		}
		close(n.quit)
		n.mu.Lock()
		n.closed = true
		conns := make([]*conn, 0, len(n.conns))
		for c := range n.conns {
			conns = append(conns, c)
		}
		for _, u := range n.users {
			if u.mig != nil {
				u.mig.stopTimers()
			}
		}
		n.mu.Unlock()
		for _, c := range conns {
			c.sendLine("ERROR :Closing link (server shutting down)")
			c.closeAfterFlush()
		}
		deadline := time.After(2 * time.Second)
		for _, c := range conns {
			select {
			case <-c.done:
			case <-deadline:
			}
		}
		for _, c := range conns {
			c.kill()
		}
		n.wg.Wait()
		n.logf("network closed")
	})
}

func (n *Network) closeListeners() {
	for _, nd := range n.nodes {
		if nd.ln != nil {
			nd.ln.Close()
		}
		if nd.tlsLn != nil {
			nd.tlsLn.Close()
		}
	}
}

// suffix is s when cond holds, for optional parts of log lines.
func suffix(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

func (n *Network) logf(format string, v ...any) {
	if n.log != nil {
		n.log.Printf(format, v...)
	}
}

// lock and unlock bracket every state change; unlock runs the work that
// was deferred with later (e.g. ending a session whose buffer overflowed
// while a broadcast was iterating a member list).
func (n *Network) lock() { n.mu.Lock() }

func (n *Network) unlock() {
	for len(n.after) > 0 {
		f := n.after[0]
		n.after = n.after[1:]
		f()
	}
	n.mu.Unlock()
}

func (n *Network) later(f func()) { n.after = append(n.after, f) }

// nextMsgID returns a network-unique msgid.
func (n *Network) nextMsgID() string {
	n.msgSeq++
	return n.msgPrefix + "-" + strconv.FormatUint(n.msgSeq, 36)
}
