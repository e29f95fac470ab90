package testnet

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// migration is one session's move from one node to another (net/migrate/SPEC.md
// section 5). Guarded by Network.mu.
type migration struct {
	from, to   *Node
	rtok, ctok string
	trigger    string
	old        *conn // OLD's connection, until PROCEED closes it
	held       bool  // flipped: NEW buffers every message for the session
	overflow   bool
	hold       []heldLine
	timer      *time.Timer // the answer wait before OK, the hold after it
	proceedT   *time.Timer
	flipping   bool       // cluster mode: OLD waits for NEW to take the session
	pending    []heldLine // lines for the session from the event stream while flipping
	tStart     time.Time
	tOK        time.Time
	tProceed   time.Time
	tResume    time.Time
}

type heldLine struct {
	m    *irc.Message
	x    msgCtx
	made bool // cluster mode: made on this node, not from the event stream
}

func (m *migration) stopTimers() {
	if m.timer != nil {
		m.timer.Stop()
	}
	if m.proceedT != nil {
		m.proceedT.Stop()
	}
}

func newToken() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Errors of the operator API (Migrate, Drain).
var (
	ErrNoSuchUser    = errors.New("no such user")
	ErrNoSuchNode    = errors.New("no such node")
	ErrSameNode      = errors.New("user is already on that node")
	ErrNoCapability  = errors.New("client has not enabled draft/migrate")
	ErrInProgress    = errors.New("a migration is already under way")
	ErrNotAccepting  = errors.New("node does not accept migrations")
	ErrNoOtherNode   = errors.New("no other node to move clients to")
	ErrNotConnected  = errors.New("user has no connection")
	ErrOtherProcess  = errors.New("that node runs in another process: give the command there")
	errNetworkClosed = errors.New("network closed")
)

// startMigration sends MIGRATE START to u (under Network.mu).
func (n *Network) startMigration(u *user, to *Node, trigger string) error {
	switch {
	case u.gone || !u.registered:
		return ErrNoSuchUser
	case u.conn == nil:
		return ErrNotConnected
	case !u.caps[capMigrate]:
		return ErrNoCapability
	case u.mig != nil:
		return ErrInProgress
	case to == u.node:
		return ErrSameNode
	case to.draining || to.cfg.RefuseMigrations || to.down:
		return ErrNotAccepting
	case to.remote && n.cl.down.Load():
		return errStateUnavailable // the session could not be handed over
	}
	f := n.faults
	port, plus := to.Port(), false
	if u.conn.isTLS && to.TLSAddr() != "" && !f.PlainTargetOnTLS {
		port, plus = to.TLSPort(), true
	}
	if f.UnreachableTarget {
		port = closedPort()
	}
	mig := &migration{
		from: u.node, to: to,
		rtok: newToken(), ctok: newToken(),
		trigger: trigger,
		tStart:  time.Now(),
	}
	u.mig = mig
	n.stats.Started++
	portStr := strconv.Itoa(port)
	if plus {
		portStr = "+" + portStr
	}
	n.fromServer(u, "MIGRATE", "START", to.host, portStr, mig.rtok, mig.ctok, to.name)
	mig.timer = time.AfterFunc(n.opts.HoldTimeout, func() {
		n.lock()
		defer n.unlock()
		if !n.closed && u.mig == mig && !mig.held {
			u.mig = nil
			n.stats.Declined++
			n.logf("migration %s %s→%s: no answer to START within %v", u.nick, mig.from.name, mig.to.name, n.opts.HoldTimeout)
		}
	})
	n.logf("migration %s %s→%s: START (%s%s)", u.nick, mig.from.name, to.name, trigger, faultNote(f))
	return nil
}

func faultNote(f Faults) string {
	var s []string
	for _, x := range []struct {
		on   bool
		name string
	}{
		{f.WrongConfirm, "wrong-confirm"}, {f.UnreachableTarget, "unreachable-target"},
		{f.PlainTargetOnTLS, "plain-target-on-tls"}, {f.AbortAfterOK, "abort-after-ok"},
		{f.NoProceed, "no-proceed"}, {f.DropOnResume, "drop-on-resume"},
		{f.InvalidTokenOnResume, "invalid-token-on-resume"}, {f.ProceedDelay > 0, "proceed-delay=" + f.ProceedDelay.String()},
	} {
		if x.on {
			s = append(s, x.name)
		}
	}
	if len(s) == 0 {
		return ""
	}
	return "; faults: " + strings.Join(s, ",")
}

// closedPort returns a loopback port nothing listens on (it was just
// opened and closed), for the UnreachableTarget fault.
func closedPort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 1
	}
	p := addrPort(ln.Addr().String())
	ln.Close()
	return p
}

// handleMigrate handles MIGRATE lines from a client (under Network.mu).
func (n *Network) handleMigrate(c *conn, m *irc.Message) {
	u := c.u
	sub := strings.ToUpper(m.Param(0))
	if sub == "RESUME" {
		n.resume(c, m.Param(1))
		return
	}
	if !u.registered {
		n.numeric(u, ERR_NOTREGISTERED, "You have not registered")
		return
	}
	tok := m.Param(1)
	shown := tok
	if !validToken(tok) {
		shown = "*"
	}
	switch sub {
	case "REQUEST":
		n.request(u, m.Param(1))
	case "OK":
		mig := u.mig
		if mig == nil || mig.held || tok != mig.rtok {
			n.fromServer(u, "FAIL", "MIGRATE", "INVALID_TOKEN", shown, "No migration is waiting for that token")
			return
		}
		n.accepted(c, u, mig)
	case "NAK":
		mig := u.mig
		if mig == nil || mig.held || tok != mig.rtok {
			n.fromServer(u, "FAIL", "MIGRATE", "INVALID_TOKEN", shown, "No migration is waiting for that token")
			return
		}
		mig.stopTimers()
		u.mig = nil
		n.stats.Declined++
		n.logf("migration %s %s→%s: declined by the client after %v: %s", u.nick, mig.from.name, mig.to.name, ms(time.Since(mig.tStart)), m.Param(2))
		if n.stopping != "" && u.node.draining {
			// The node is going away and the client will not move: it is
			// told now rather than when the drain's bound ends (SPEC
			// section 5, "Triggers").
			n.quitUser(u, n.stopping)
		}
	case "":
		n.numeric(u, ERR_NEEDMOREPARAMS, "MIGRATE", "Not enough parameters")
	default:
		n.numeric(u, ERR_UNKNOWNCOMMAND, "MIGRATE", "Unknown MIGRATE subcommand "+m.Param(0))
	}
}

// request handles MIGRATE REQUEST <server-name> with the FAIL codes of
// net/migrate/SPEC.md section 2.
func (n *Network) request(u *user, name string) {
	if name == "" {
		n.numeric(u, ERR_NEEDMOREPARAMS, "MIGRATE", "Not enough parameters")
		return
	}
	if len(name) > 64 {
		name = name[:64]
	}
	to := n.anyNode(name)
	switch {
	case to == nil || to.remote && to.down:
		n.fromServer(u, "FAIL", "MIGRATE", "UNKNOWN_SERVER", name, "No server named "+name+" in this network")
	case !u.caps[capMigrate]:
		n.fromServer(u, "FAIL", "MIGRATE", "NOT_ALLOWED", name, "Enable the "+capMigrate+" capability first")
	case u.mig != nil:
		n.fromServer(u, "FAIL", "MIGRATE", "IN_PROGRESS", "A migration is already under way")
	case to == u.node:
		n.fromServer(u, "FAIL", "MIGRATE", "NOT_ALLOWED", name, "You are already on "+name)
	case to.draining || to.cfg.RefuseMigrations || to.down:
		n.fromServer(u, "FAIL", "MIGRATE", "NOT_ALLOWED", name, name+" does not accept migrations")
	default:
		if err := n.startMigration(u, to, "requested by the client"); err != nil {
			n.fromServer(u, "FAIL", "MIGRATE", "NOT_ALLOWED", name, err.Error())
		}
	}
}

// accepted is MIGRATE OK: the atomic flip. From this step NEW buffers
// every message for the session; OLD's queue holds everything produced
// before it, then PROCEED, then the connection closes. OK is the last line
// OLD reads.
func (n *Network) accepted(c *conn, u *user, mig *migration) {
	f := n.faults
	mig.stopTimers()
	mig.tOK = time.Now()
	if f.AbortAfterOK {
		u.mig = nil
		n.stats.Failed++
		n.fromServer(u, "FAIL", "MIGRATE", "ABORTED", mig.rtok, "Could not hand the session over; staying on "+u.node.name)
		n.logf("migration %s %s→%s: ABORTED after OK (fault)", u.nick, mig.from.name, mig.to.name)
		return
	}
	if f.NoProceed {
		// OLD never hands over: the session simply stays here and the
		// client's lines after its own timeout are processed as usual.
		u.mig = nil
		n.stats.Failed++
		n.logf("migration %s %s→%s: OK received, PROCEED withheld (fault)", u.nick, mig.from.name, mig.to.name)
		return
	}
	if mig.to.remote {
		n.handOver(c, u, mig)
		return
	}
	mig.held = true
	mig.old = c
	u.conn = nil
	u.node = mig.to
	n.tokens[mig.rtok] = u
	c.stopped = true
	mig.timer = time.AfterFunc(n.opts.HoldTimeout, func() {
		n.lock()
		defer n.unlock()
		if !n.closed && u.mig == mig && !u.gone {
			n.logf("migration %s %s→%s: no RESUME within %v", u.nick, mig.from.name, mig.to.name, n.opts.HoldTimeout)
			n.endHeld(u, "Migration timed out")
		}
	})
	proceed := func() {
		pm := &irc.Message{Prefix: &irc.Prefix{Name: mig.from.name}, Command: "MIGRATE", Params: []string{"PROCEED", mig.rtok}}
		c.sendLine(render(u, pm, n.ctx(false)).String())
		c.closeAfterFlush()
		mig.tProceed = time.Now()
	}
	if f.ProceedDelay > 0 {
		mig.proceedT = time.AfterFunc(f.ProceedDelay, func() {
			n.lock()
			defer n.unlock()
			if !n.closed && mig.tProceed.IsZero() {
				proceed()
			}
		})
		return
	}
	proceed()
}

// endHeld ends a handed-over session that was never resumed: one ordinary
// QUIT for the others, the only case in which they notice anything.
func (n *Network) endHeld(u *user, reason string) {
	mig := u.mig
	if mig != nil {
		n.stats.Failed++
		mig.stopTimers()
		delete(n.tokens, mig.rtok)
		if mig.old != nil && mig.tProceed.IsZero() {
			mig.old.sendLine("ERROR :Closing link (" + u.host + ") [" + reason + "]")
			mig.old.closeAfterFlush()
		}
		mig.hold = nil
	}
	n.quitUser(u, reason)
}

// resume is MIGRATE RESUME on a new connection to NEW.
func (n *Network) resume(c *conn, tok string) {
	pending := c.u
	if pending.registered {
		n.numeric(pending, ERR_ALREADYREGISTERED, "You may not reregister")
		return
	}
	fail := func(shown, why string) {
		n.fromServer(pending, "FAIL", "MIGRATE", "INVALID_TOKEN", shown, why)
		c.closeAfterFlush()
		delete(n.conns, c)
		c.stopped = true
	}
	if !validToken(tok) {
		fail("*", "Malformed resume token")
		return
	}
	u := n.tokens[tok]
	if u == nil || u.mig == nil || u.mig.to != c.node {
		fail(tok, "This server holds no session for that token")
		return
	}
	mig := u.mig
	f := n.faults
	switch {
	case f.DropOnResume:
		n.logf("migration %s %s→%s: connection dropped on RESUME (fault)", u.nick, mig.from.name, mig.to.name)
		n.endHeld(u, "Migration failed")
		c.kill()
		delete(n.conns, c)
		c.stopped = true
		return
	case f.InvalidTokenOnResume:
		n.logf("migration %s %s→%s: RESUME refused with INVALID_TOKEN (fault)", u.nick, mig.from.name, mig.to.name)
		n.endHeld(u, "Migration failed")
		fail(tok, "This server holds no session for that token")
		return
	}
	mig.stopTimers()
	delete(n.tokens, tok)
	mig.tResume = time.Now()
	if mig.tProceed.IsZero() && mig.old != nil {
		// RESUME before PROCEED (a client ahead of itself): OLD's link is done anyway.
		mig.old.closeAfterFlush()
		mig.tProceed = mig.tResume
	}
	u.mig = nil
	u.conn = c
	c.u = u
	ctok := mig.ctok
	if f.WrongConfirm {
		ctok = newToken()
	}
	n.fromServer(u, "MIGRATE", "CONFIRM", ctok)
	n.capDiff(c, u, mig.from, mig.to)
	if d := isupportDiff(mig.from.isupport, mig.to.isupport); len(d) > 0 {
		n.sendISupport(u, d)
	}
	for _, h := range mig.hold {
		n.deliver(u, h.m, h.x)
	}
	done := time.Now()
	n.stats.Completed++
	n.stats.Window = done.Sub(mig.tOK)
	n.logf("migration %s %s→%s: CONFIRM (%s) START→OK %v, OK→PROCEED %v, PROCEED→RESUME %v, RESUME→CONFIRM %v; window %v; %d buffered lines%s",
		u.nick, mig.from.name, mig.to.name, mig.trigger,
		ms(mig.tOK.Sub(mig.tStart)), ms(mig.tProceed.Sub(mig.tOK)), ms(mig.tResume.Sub(mig.tProceed)), ms(done.Sub(mig.tResume)),
		ms(done.Sub(mig.tOK)), len(mig.hold), suffix(f.WrongConfirm, " (wrong confirm token sent: fault)"))
}

func ms(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }

// capDiff tells a resumed client what NEW offers differently (net/migrate/SPEC.md
// section 5): CAP DEL for enabled capabilities NEW lacks, CAP NEW for ones
// it adds (with cap-notify).
func (n *Network) capDiff(c *conn, u *user, from, to *Node) {
	var del, add []string
	for name := range u.caps {
		if !to.caps[name] {
			del = append(del, name)
			delete(u.caps, name)
		}
	}
	for name := range to.caps {
		if !from.caps[name] {
			add = append(add, name)
		}
	}
	if len(del) > 0 {
		sort.Strings(del)
		n.fromServer(u, "CAP", "*", "DEL", strings.Join(del, " "))
	}
	if len(add) > 0 && (u.cap302 || u.caps["cap-notify"]) {
		n.fromServer(u, "CAP", "*", "NEW", n.capList(c, to, add, u.cap302))
	}
}
