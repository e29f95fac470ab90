package conn

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// network is one configured network: the goroutine running loop owns the
// session, the links and every field below; other goroutines talk to it only
// through mail (commands) and inbox (lines, link errors, dial results, timer
// fires).
type network struct {
	cfg   NetworkConfig
	pool  *Pool
	clock Clock
	log   Logger

	mail  *mailbox
	inbox chan any
	stop  chan struct{} // closed by Pool.Close or Pool.RemoveNetwork
	done  chan struct{} // closed when loop returns
	// flushMu orders flushEvents against Pool.RemoveNetwork: once gone is
	// set, nothing more of this network reaches Events.
	flushMu sync.Mutex
	gone    bool

	// children are the networks opened for a bouncer's networks (see
	// bouncer.go): bouncer network id -> Pool name.
	children map[string]string

	sess *session.Session
	out  []session.Outgoing // lines the session produced during the current call

	state   event.State
	want    bool // the user wants this network connected
	cur     *link
	handing *link // the link whose line is being handled (ClassConn replies go back to it)
	linkSeq uint64

	dialGen        uint64 // identifies the dial in flight; stale results are closed
	dialCancel     context.CancelFunc
	upgrade        int // STS: TLS port learned on a plaintext connection, 0 for none
	failures       int // consecutive failed attempts, for backoff
	retry          *armed
	ping           *armed
	dead           *armed
	closing        *link  // the link a QUIT was sent on, detached, until it is closed (awaitClose)
	closingWait    *armed // bounds the wait for closing
	rejoinWait     *armed // registered, waiting for the rejoin to finish
	quitReason     string // the last /disconnect's or /quit's, for the state once closing is closed
	quitFails      bool   // the user quit: lines left unsent fail (a /disconnect keeps them)
	pendingUpgrade int    // STS upgrade port found while handling the current line
	lastRead       time.Time
	redirectTo     *transport.DialConfig // a 010 being followed: the next connect goes there, once
	redirects      int                   // 010 hops followed since the last registration or backoff
	redirectSeen   bool                  // this connection's 010 was decided already
	followed       *transport.DialConfig // the last redirect followed, for an STS upgrade of its connection

	q   *sendq.Queue // every user and automatic line, from routing until written or failed
	mig *migration

	// unsent are the lines failQueue failed without sending them, in
	// order, for Pool.Undelivered (read only once the loop is done).
	unsent []Unsent

	evs []event.Event // events of the current loop step, flushed at its end

	// trace, when set (by this package's tests and benchmarks, before
	// Start), is called in the loop at named steps: "ready" (registered
	// and rejoined), "ok" (MIGRATE OK about to be written), "proceed"
	// (PROCEED received), "confirm-read" (CONFIRM received, before it is
	// acted on), "flushed" (the window's queue handed to NEW's writer),
	// "confirm" (the move completed). It costs nothing when nil.
	trace func(step string)

	// settleAfter, when set (by this package's tests), replaces
	// time.After for the bound on waiting for a closed link's write
	// (recoverUnsent).
	settleAfter func(time.Duration) <-chan time.Time
}

func (n *network) traceStep(step string) {
	if n.trace != nil {
		n.trace(step)
	}
}

// timerFired is posted by an armed timer; the armed's stopped flag (set
// and read only in the loop) discards a fire that raced with disarm.
type timerFired struct{ t *armed }

// armed is one running timer of the loop.
type armed struct {
	timer   Timer
	onFire  func()
	stopped bool
}

func (n *network) arm(d time.Duration, f func()) *armed {
	a := &armed{onFire: f}
	a.timer = n.clock.AfterFunc(d, func() { n.post(timerFired{a}) })
	return a
}

func disarm(a *armed) {
	if a != nil {
		a.stopped = true
		a.timer.Stop()
	}
}

// dialDone is the result of a connection attempt.
type dialDone struct {
	gen  uint64
	t    transport.Transport
	err  error
	addr string
	host string
}

func newNetwork(p *Pool, cfg NetworkConfig) *network {
	n := &network{
		cfg:   cfg.withDefaults(),
		pool:  p,
		clock: p.clock,
		log:   p.log,
		mail:  newMailbox(),
		inbox: make(chan any, 64),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		state: event.StateDisconnected,
	}
	sc := n.cfg.Session
	sc.Sender = senderFunc(func(o session.Outgoing) { n.out = append(n.out, o) })
	sc.Now = n.clock.Now
	sc.ExtraCaps = appendMissing(sc.ExtraCaps, "draft/migrate", "migrate")
	sc.OnSTS = n.onSTS
	if sc.Log == nil && p.log != nil {
		sc.Log = p.log
	}
	n.sess = session.New(sc)
	n.q = sendq.New(n.queueEvent)
	n.mig = newMigration(n)
	return n
}

type senderFunc func(session.Outgoing)

func (f senderFunc) Send(o session.Outgoing) { f(o) }

func appendMissing(list []string, names ...string) []string {
	out := append([]string(nil), list...)
	for _, name := range names {
		found := false
		for _, have := range out {
			if have == name {
				found = true
				break
			}
		}
		if !found {
			out = append(out, name)
		}
	}
	return out
}

func (n *network) logf(format string, v ...any) {
	if n.log != nil {
		n.log.Printf("conn %s: "+format, append([]any{n.cfg.Name}, v...)...)
	}
}

// post hands an input to the loop; false once the loop has stopped.
func (n *network) post(v any) bool {
	select {
	case n.inbox <- v:
		return true
	case <-n.done:
		return false
	}
}

func (n *network) emit(evs ...event.Event) { n.evs = append(n.evs, evs...) }

func (n *network) flushEvents() {
	if len(n.evs) == 0 {
		return
	}
	n.followBouncer()
	n.flushMu.Lock()
	defer n.flushMu.Unlock()
	if n.gone {
		n.evs = nil
		return
	}
	now := n.clock.Now()
	for i, e := range n.evs {
		n.evs[i] = withMeta(e, n.cfg.Name, now)
	}
	n.pool.box.add(n.evs...)
	n.evs = nil
}

// loop is the network's goroutine.
func (n *network) loop(autoConnect bool) {
	defer close(n.done)
	if autoConnect {
		n.want = true
		n.connect()
		n.flushEvents()
	}
	for {
		select {
		case <-n.stop:
			n.shutdown()
			n.flushEvents()
			return
		case <-n.mail.wake:
			for _, c := range n.mail.takeAll() {
				n.command(c)
			}
		case in := <-n.inbox:
			n.input(in)
		}
		n.flushEvents()
	}
}

func (n *network) input(in any) {
	switch v := in.(type) {
	case lineIn:
		n.line(v.l, v.msg)
	case linkLost:
		n.lost(v.l, v.err)
	case dialDone:
		n.dialed(v)
	case timerFired:
		if !v.t.stopped {
			v.t.stopped = true
			v.t.onFire()
		}
	case migDialDone:
		n.mig.dialed(v)
	case written:
		n.q.Written(v.m)
	}
}

// target is the configured server as it will really be dialled (STS
// applied), and its host:port for display.
func (n *network) target() (transport.DialConfig, string) {
	cfg := n.cfg.Dial
	if n.redirectTo != nil {
		cfg = *n.redirectTo
	} else if n.upgrade != 0 {
		cfg.TLS, cfg.Port = true, n.upgrade
	}
	cfg.STS = n.pool.sts.Lookup
	if port, ok := n.pool.sts.Lookup(cfg.Host); ok {
		cfg.TLS, cfg.Port = true, port
	}
	return cfg, net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
}

// connect starts a connection attempt to the configured server now.
func (n *network) connect() {
	disarm(n.retry)
	n.retry = nil
	n.cancelDial()
	cfg, addr := n.target()
	n.redirectTo = nil // a redirect is followed once; a retry goes to the configured server
	n.dialGen++
	gen := n.dialGen
	ctx, cancel := context.WithTimeout(context.Background(), n.cfg.DialTimeout)
	n.dialCancel = cancel
	n.setState(event.ConnState{State: event.StateConnecting, Server: addr, TLS: cfg.TLS})
	n.logf("dialling %s (tls=%v)", addr, cfg.TLS)
	go func() {
		t, err := transport.Dial(ctx, cfg)
		cancel() // the context bounds the dial only
		if !n.post(dialDone{gen: gen, t: t, err: err, addr: addr, host: cfg.Host}) && t != nil {
			t.Close()
		}
	}()
}

func (n *network) cancelDial() {
	if n.dialCancel != nil {
		n.dialCancel()
		n.dialCancel = nil
	}
	n.dialGen++
}

func (n *network) setState(cs event.ConnState) {
	n.state = cs.State
	n.emit(cs)
}

func (n *network) newLink(t transport.Transport, addr, host string) *link {
	n.linkSeq++
	now := n.clock.Now
	l := &link{
		id:     n.linkSeq,
		addr:   addr,
		host:   host,
		t:      t,
		lines:  newUserLines(),
		closed: make(chan struct{}),
	}
	tt := trackedTransport{Transport: t, lines: l.lines, post: n.post}
	l.w = transport.NewWriter(tt, transport.NewLimiter(n.cfg.Flood.Burst, n.cfg.Flood.Interval, now))
	l.start(n.post)
	return l
}

func (n *network) dialed(d dialDone) {
	if d.gen != n.dialGen || !n.want {
		if d.t != nil {
			d.t.Close()
		}
		return
	}
	n.dialCancel = nil
	if d.err != nil {
		n.logf("dial %s: %v", d.addr, d.err)
		n.emit(event.Error{Text: fmt.Sprintf("Could not connect to %s: %s", d.addr, transport.Reason(d.err))})
		n.scheduleRetry(d.err.Error())
		return
	}
	n.cur = n.newLink(d.t, d.addr, d.host)
	n.redirectSeen = false
	n.lastRead = n.clock.Now()
	n.armDead()
	n.armRegDeadline(n.cur)
	n.setState(event.ConnState{State: event.StateRegistering, Server: d.addr, TLS: d.t.IsTLS()})
	n.sess.Register()
	n.routeOut()
}

// scheduleRetry waits the backoff delay, then connects again.
func (n *network) scheduleRetry(reason string) {
	d := n.cfg.Backoff.delay(n.failures, n.pool.rand)
	n.failures++
	cfg, addr := n.target()
	n.setState(event.ConnState{State: event.StateWaiting, Server: addr, TLS: cfg.TLS, Reason: reason, RetryIn: d})
	n.retry = n.arm(d, func() {
		n.retry = nil
		n.redirects = 0
		if n.want {
			n.connect()
		}
	})
}

// armDead (re)arms the dead-connection check: it fires DeadAfter after the
// last line read, and re-arms itself for the remainder when lines arrived.
func (n *network) armDead() {
	disarm(n.dead)
	wait := n.cfg.DeadAfter - n.clock.Now().Sub(n.lastRead)
	if wait < 0 {
		wait = 0
	}
	n.dead = n.arm(wait, func() {
		n.dead = nil
		if n.cur == nil {
			return
		}
		if silent := n.clock.Now().Sub(n.lastRead); silent >= n.cfg.DeadAfter {
			n.logf("no line from %s for %v: connection dead", n.cur.addr, silent)
			n.lost(n.cur, fmt.Errorf("no reply from the server for %v", silent.Round(time.Second)))
			return
		}
		n.armDead()
	})
}

func (n *network) armPing() {
	disarm(n.ping)
	n.ping = n.arm(n.cfg.PingInterval, func() {
		n.ping = nil
		if n.cur == nil || !n.sess.Registered() {
			return
		}
		if n.mig.windowOpen() {
			// After MIGRATE OK, OLD reads nothing more (net/migrate/SPEC.md
			// section 5) and NEW is not ours until CONFIRM: the lag is
			// measured again one interval later, on whichever holds
			// the session then.
			n.armPing()
			return
		}
		n.emit(n.sess.Ping()...)
		n.routeOut()
		n.armPing()
	})
}

// line handles one line read from l.
func (n *network) line(l *link, m *irc.Message) {
	if l != n.cur {
		if n.mig.owns(l) {
			n.mig.lineFromTarget(l, m)
		}
		return // a stale link: ignore
	}
	n.lastRead = n.clock.Now()
	if n.log != nil {
		n.logf("%s <- %s", l.addr, masked{m})
	}
	if isMigrateLine(m) {
		switch {
		case n.migrateCap():
			n.mig.line(l, m)
			return
		case m.Command == "MIGRATE":
			// net/migrate/SPEC.md section 1: ignored unless negotiated.
			n.logf("ignored MIGRATE: the capability was not negotiated")
			return
		}
		// A FAIL MIGRATE without the capability is an ordinary standard
		// reply: the session shows it.
	}
	n.handing = l
	before := n.sess.Stage()
	evs := n.sess.Handle(m)
	n.routeOut()
	n.handing = nil
	n.emit(evs...)
	n.afterHandle(before)
}

// afterHandle reacts to session state changes caused by the line just
// handled; before is the session's Stage before it.
func (n *network) afterHandle(before session.Stage) {
	if n.cur == nil {
		return
	}
	if err := n.sess.Fatal(); err != nil {
		n.logf("registration failed for good: %v", err)
		n.emit(event.Error{Text: err.Error(), Fatal: true})
		n.dropSettled(n.cur)
		n.want = false
		n.cancelDial()
		// No reconnect will come: what waited for one fails now.
		n.keep(n.mig.abandon())
		n.failQueue(UnsentFatal, "not sent: "+err.Error())
		n.setState(event.ConnState{State: event.StateDisconnected, Reason: err.Error()})
		return
	}
	if n.pendingUpgrade != 0 {
		port := n.pendingUpgrade
		n.pendingUpgrade = 0
		if n.redirectTo == nil {
			// The configured server's upgrade (a redirect target's is
			// in redirectTo, set by onSTS).
			n.upgrade = port
		}
		n.logf("STS: upgrading to TLS on port %d", port)
		n.dropSettled(n.cur)
		n.connect()
		return
	}
	if before < session.StageRegistered && n.checkRedirect() {
		return
	}
	now := n.sess.Stage()
	if before < session.StageRegistered && now >= session.StageRegistered {
		disarmRegDeadline(n.cur)
		n.failures = 0
		n.redirects = 0
		n.setState(event.ConnState{State: event.StateRegistered, Server: n.cur.addr, TLS: n.cur.t.IsTLS()})
		n.armPing()
		n.armRejoinWait()
	}
	if before < session.StageReady && now == session.StageReady {
		disarm(n.rejoinWait)
		n.rejoinWait = nil
		n.traceStep("ready")
		n.linkUp()
	}
}

// lost handles the failure of link l.
func (n *network) lost(l *link, err error) {
	if l == n.closing {
		n.closed(l)
		return
	}
	if l != n.cur {
		if n.mig.owns(l) {
			n.mig.targetLost(l, err)
		}
		return
	}
	reason := "connection lost"
	if err != nil {
		reason = err.Error()
	}
	n.logf("link to %s lost: %v", l.addr, err)
	if l.t.IsTLS() {
		n.pool.sts.Disconnected(l.host)
	}
	n.drop(l)
	n.recoverUnsent(l)
	if took, retry := n.mig.oldLost(); took {
		// The migration machine handles it: RESUME on NEW, or its
		// fallback reconnect, which retries with the usual backoff.
		if retry && n.want {
			n.scheduleRetry(reason)
		}
		return
	}
	if n.want {
		n.scheduleRetry(reason)
	} else {
		n.setState(event.ConnState{State: event.StateDisconnected, Reason: reason})
	}
}

// drop closes l and, if it is the current link, forgets the connection.
func (n *network) drop(l *link) {
	l.close()
	n.detach(l)
}

// dropSettled drops l and settles the lines handed to it (recoverUnsent),
// for a connection replaced or given up while registered: none of them is
// left handed to a writer that is gone.
func (n *network) dropSettled(l *link) {
	n.drop(l)
	n.recoverUnsent(l)
}

// detach forgets l if it is the current link (timers, registration) without
// closing it.
func (n *network) detach(l *link) {
	disarmRegDeadline(l)
	if l == n.cur {
		n.cur = nil
		n.mig.forgetLate() // no PROCEED can come on a link that is gone
		disarm(n.ping)
		disarm(n.dead)
		disarm(n.rejoinWait)
		n.ping, n.dead, n.rejoinWait = nil, nil, nil
	}
}

// armRejoinWait bounds the wait for the rejoin after registration. A server
// that never answers one of our JOINs (some drop targets past a limit
// without a numeric) would otherwise keep the queued lines waiting forever;
// after rejoinTimeout the queue goes out to whatever was joined.
func (n *network) armRejoinWait() {
	disarm(n.rejoinWait)
	n.rejoinWait = n.arm(rejoinTimeout, func() {
		n.rejoinWait = nil
		if n.cur == nil || n.sess.Stage() != session.StageRegistered {
			return
		}
		n.logf("rejoin not finished after %v; sending queued lines anyway", rejoinTimeout)
		n.emit(event.Info{Text: "some channels did not answer the rejoin; sending queued lines now"})
		n.sess.StopRejoinWait()
		n.traceStep("ready")
		n.linkUp()
	})
}
