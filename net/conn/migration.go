package conn

import (
	"context"
	"net"
	"strconv"
	"time"

	"github.com/ferry-irc/ferry/net/migrate"
	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// isMigrateLine reports lines that belong to the migration machine rather
// than the session: MIGRATE and FAIL MIGRATE.
func isMigrateLine(m *irc.Message) bool {
	return m.Command == "MIGRATE" || (m.Command == "FAIL" && m.Param(0) == "MIGRATE")
}

// migDialDone is the result of dialling a migration target.
type migDialDone struct {
	id   migrate.DialID
	gen  uint64
	t    transport.Transport
	err  error
	addr string
	host string
}

// migration drives net/migrate's machine for one network: it feeds the
// machine its inputs (MIGRATE lines, target dial results, timer fires, link
// losses, user lines) and carries out the actions it returns. It lives in
// the network loop goroutine, like everything it touches.
type migration struct {
	n *network
	m *migrate.Machine[*sendq.Line]

	target   *link          // the connection opened to NEW, idle until PROCEED
	targetID migrate.DialID // the Dial that opened target
	early    []*irc.Message // lines NEW sent before CONFIRM, for the session

	pendingID migrate.DialID // the dial under way, if any
	dialGen   uint64         // guards against results of superseded dials
	cancel    context.CancelFunc
	cancelled map[migrate.DialID]bool // dials the machine gave up on while under way

	timers map[migrate.TimerID]*armed

	// afterReconnect is set while the machine flushes after its fallback
	// reconnect: the rejoin may have been refused, so lines are checked
	// as the waiting lines are.
	afterReconnect bool

	// okToken and okAt are the resume token and time of our last MIGRATE
	// OK; late watches for its PROCEED after a proceed timeout (late.go).
	okToken string
	okAt    time.Time
	late    *lateProceed
}

func newMigration(n *network) *migration {
	return &migration{
		n:         n,
		m:         newMachine(n),
		cancelled: map[migrate.DialID]bool{},
		timers:    map[migrate.TimerID]*armed{},
	}
}

// owns reports whether l is the migration target link.
func (g *migration) owns(l *link) bool { return l != nil && l == g.target }

// targetConfig is how a migration target is dialled (net/migrate/SPEC.md section 4).
// The machine already applied STS and the no-downgrade rule to host, port
// and useTLS; the store is consulted again by transport.Dial, which can
// only make the connection stricter. Certificates are fully verified
// against host whatever tls_verify says for the configured server; the
// configured extra roots are kept (the demo's throwaway CA); no client
// certificate is presented: a certificate is a credential, and RESUME is
// the only identity NEW gets.
func (g *migration) targetConfig(host string, port int, useTLS bool) transport.DialConfig {
	c := g.n.cfg
	return transport.DialConfig{
		Host:    host,
		Port:    port,
		TLS:     useTLS,
		CAFile:  c.Dial.CAFile,
		RootCAs: c.Dial.RootCAs,
		Timeout: c.DialTimeout,
		STS:     g.n.pool.sts.Lookup,
	}
}

// dial opens the connection to NEW in the background (make before break);
// the result comes back to the loop as migDialDone. Nothing is sent on it
// until the machine says RESUME.
func (g *migration) dial(a migrate.Dial) {
	g.stopDial()
	cfg := g.targetConfig(a.Host, a.Port, a.TLS)
	if a.Timeout > 0 {
		cfg.Timeout = a.Timeout
	}
	addr := net.JoinHostPort(a.Host, strconv.Itoa(a.Port))
	g.dialGen++
	gen, id := g.dialGen, a.ID
	g.pendingID = id
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	g.cancel = cancel
	n := g.n
	n.logf("migration: dialling target %s (tls=%v)", addr, a.TLS)
	go func() {
		t, err := transport.Dial(ctx, cfg)
		cancel()
		if !n.post(migDialDone{id: id, gen: gen, t: t, err: err, addr: addr, host: a.Host}) && t != nil {
			t.Close()
		}
	}()
}

// stopDial cancels the dial under way, if any; its result will be closed.
func (g *migration) stopDial() {
	if g.cancel != nil {
		g.cancel()
		g.cancel = nil
	}
	g.pendingID = 0
	g.dialGen++
}

// closeTarget closes the idle or resuming connection to NEW and cancels a
// dial under way.
func (g *migration) closeTarget() {
	g.stopDial()
	if g.target != nil {
		g.n.logf("migration: closing target link %s", g.target.addr)
		g.target.close()
		g.target = nil
	}
	g.targetID = 0
	g.early = nil
}

// promote makes the target link the network's current link under the same
// session: no registration, no ConnState event (the user never left
// Registered), lag and dead-connection timers restarted for the new link.
// OLD, if still open, is closed and its errors are ignored from now on.
func (g *migration) promote() {
	n := g.n
	t := g.target
	if t == nil {
		return
	}
	early := g.early
	g.target, g.targetID, g.early = nil, 0, nil
	if n.cur != nil && n.cur != t {
		old := n.cur
		n.cur = nil
		old.close()
	}
	n.cur = t
	n.failures = 0
	n.lastRead = n.clock.Now()
	n.sess.Resumed()
	if n.sess.Stage() == session.StageRegistered {
		// Moved before the rejoin was answered: NEW holds the session as
		// it is, and the lines held for the move go out to it now.
		disarm(n.rejoinWait)
		n.rejoinWait = nil
		n.sess.StopRejoinWait()
	}
	n.armDead()
	n.armPing()
	n.logf("migration: now on %s", t.addr)
	for _, m := range early {
		n.line(t, m)
	}
}

// reconnectConfigured is the fallback after a failure past PROCEED: drop
// every link and connect to the configured server (never to NEW) at once,
// with a full registration; the machine is told once the session is Ready
// again (migration.ready).
func (g *migration) reconnectConfigured() {
	n := g.n
	g.closeTarget()
	if l := n.cur; l != nil {
		n.drop(l)
		n.recoverUnsent(l)
	}
	n.failures = 0
	n.want = true
	n.connect()
}

// flush sends the lines the machine held, in order, to the current link,
// after any older line still waiting in the queue; with no link they wait
// in the queue. Each is reported Delivered once the link's writer has
// written it (delivery.go).
func (g *migration) flush(items []*sendq.Line) {
	n := g.n
	if n.cur == nil {
		for _, q := range items {
			n.q.Unhold(q)
		}
		return
	}
	all := append(n.q.Waiting(), items...)
	if g.afterReconnect {
		all = n.deliverable(all)
	}
	if len(all) > 0 {
		n.traceStep("flushed")
	}
	for _, q := range all {
		n.hand(n.cur, q)
	}
}
