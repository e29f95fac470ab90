package conn

import (
	"strings"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sendq"
)

// command runs one command from the mailbox, in the loop goroutine.
func (n *network) command(c command.Command) {
	switch c := c.(type) {
	case command.Connect:
		n.want = true
		n.failures = 0
		// While a QUIT's link is closing, the dial follows its close.
		if n.cur == nil && n.dialCancel == nil && n.closing == nil {
			n.connect()
		}
	case command.Reconnect:
		n.want = true
		n.failures = 0
		n.keep(n.mig.abandon())
		switch {
		case n.closing != nil:
			// Still waiting for a QUIT's close (a /reconnect's or a
			// /disconnect's): the dial follows it, with no second QUIT.
		case n.cur != nil:
			n.requeueUnsent(n.cur)
			n.quitLink("Reconnecting")
			l := n.cur
			n.detach(l)
			n.awaitClose(l)
		default:
			n.connect()
		}
	case command.Disconnect:
		n.stopNetwork(c.Reason, false)
	case command.Quit:
		n.stopNetwork(c.Reason, true)
	case command.Migrate:
		n.requestMigration(c.Server)
	case command.ToServer: // the session builds its lines
		n.submit(c)
	default:
		n.emit(event.Error{Text: "unsupported command"})
	}
}

// submit hands a user command to the session and routes its lines; the
// echo of lines that were queued is marked Pending.
func (n *network) submit(c command.Command) {
	inner := c
	if a, ok := c.(command.Asked); ok {
		inner = a.Cmd
	}
	if r, ok := inner.(command.Raw); ok && isRawMigrate(r.Line) {
		n.emit(event.Info{Code: "MIGRATE", Text: "use /migrate <server> to ask for a migration", Error: true})
		return
	}
	evs := n.sess.Submit(c)
	queued := n.routeOut()
	for i, e := range evs {
		if m, ok := e.(event.Message); ok && m.Self && queued[m.LocalID] && m.LocalID != 0 {
			m.Pending = true
			evs[i] = m
		}
	}
	n.emit(evs...)
}

func isRawMigrate(line string) bool {
	f := strings.Fields(line)
	return len(f) > 0 && strings.EqualFold(f[0], "MIGRATE")
}

// keep takes back the lines an abandoned migration held: they wait in
// their place in the queue, still pending for the user, and go out (or
// fail) with the rest of it.
func (n *network) keep(items []*sendq.Line) {
	for _, q := range items {
		n.q.Unhold(q)
	}
}

// requeueUnsent takes back the lines l's writer still holds for the flood
// limit: the user's among them wait again in their place in the queue
// (Requeued): a /reconnect closes l soon after its QUIT, and a line still
// held then would otherwise be neither sent nor reported. They go out
// once, in order, after the new connection's rejoin. Lines of the
// connection itself (PING, PONG, CAP, the rejoin) belong to the old
// connection and are dropped; the new registration makes its own.
func (n *network) requeueUnsent(l *link) {
	back := 0
	for _, m := range l.w.TakeQueued() {
		if !l.lines.take(m) {
			n.logf("reconnect: dropping queued %s to %s", maskLine(m), l.addr)
			continue
		}
		n.q.Requeue(n.q.Line(m))
		back++
	}
	if back > 0 {
		n.logf("reconnect: %d lines held by the flood limit sent after the rejoin", back)
	}
}

// awaitClose waits, after a QUIT on l (a /reconnect's, a /disconnect's or
// a /quit's), for the server to close l. l is detached already: lines it
// still reads are ignored (no MIGRATE START can begin a move on it), and
// lines typed meanwhile wait in the queue. The wait is bounded by
// closeGrace, past which l is closed here; the bound is tied to l, so it
// can never touch a later link. When l is closed (closed), the network
// dials again if the user wants it connected (a /reconnect, or a /connect
// during the wait): dialled at once, the new connection's NICK can reach
// the server before the QUIT is processed (a slow link, a busy server)
// and find our own nick still in use.
func (n *network) awaitClose(l *link) {
	n.endClosing() // never two: only a detached link waits here
	n.closing = l
	n.closingWait = n.arm(closeGrace, func() {
		if l != n.closing {
			return
		}
		n.closingWait = nil
		n.logf("%s still open %v after QUIT; closing it", l.addr, closeGrace)
		n.closed(l)
	})
}

// closed: the link a QUIT was sent on is gone (the server closed it, or
// the wait ran out). Its lines are settled, then the next connection is
// dialled, or, when the user left, the network is Disconnected.
func (n *network) closed(l *link) {
	if l != n.closing {
		return
	}
	n.endClosing()
	if n.want {
		if n.cur == nil && n.dialCancel == nil {
			n.connect()
		}
		return
	}
	if n.quitFails {
		n.failQueue(UnsentQuit, "not sent: you quit")
	}
	n.setState(event.ConnState{State: event.StateDisconnected, Reason: n.quitReason})
}

// endClosing closes the link a QUIT was sent on, if any, and settles its
// lines (recoverUnsent): a write under way ends Delivered or Failed, a
// line its writer never took waits again. Called when the wait ends, and
// by shutdown once it gave up waiting.
func (n *network) endClosing() {
	l := n.closing
	if l == nil {
		return
	}
	disarm(n.closingWait)
	n.closing, n.closingWait = nil, nil
	l.close()
	n.recoverUnsent(l)
}

// quitLink sends QUIT on the current link, behind the lines already handed
// to its writer (typed before the quit, they go first).
func (n *network) quitLink(reason string) {
	if n.cur == nil {
		return
	}
	n.sess.Submit(command.Quit{Reason: reason})
	for _, o := range n.out {
		if o.Msg.Command == "QUIT" {
			n.write(n.cur, o.Msg)
		}
	}
	n.out = nil
}

// stopNetwork sends QUIT and stays disconnected once the server has
// closed the link (awaitClose). With failQueued (the user quit) lines
// still waiting are reported Failed, and so are those typed during the
// wait; a /disconnect keeps them for the next /connect. During a wait for
// an earlier QUIT no second one is sent: that wait decides.
func (n *network) stopNetwork(reason string, failQueued bool) {
	n.want = false
	n.cancelDial()
	disarm(n.retry)
	n.retry = nil
	n.keep(n.mig.abandon())
	if failQueued {
		n.failQueue(UnsentQuit, "not sent: you quit")
	}
	n.quitReason, n.quitFails = reason, failQueued
	switch {
	case n.cur != nil:
		n.quitLink(reason)
		l := n.cur
		n.detach(l)
		n.awaitClose(l)
	case n.closing != nil:
		// The QUIT already sent ends this wait; the state follows it.
	default:
		n.setState(event.ConnState{State: event.StateDisconnected, Reason: reason})
	}
}

// requestMigration sends MIGRATE REQUEST when the network supports it.
func (n *network) requestMigration(server string) {
	switch {
	case server == "":
		n.emit(event.Info{Code: "MIGRATE", Text: "usage: /migrate <server>", Error: true})
	case n.cur == nil || !n.sess.Registered():
		n.emit(event.Info{Code: "MIGRATE", Text: "not connected", Error: true})
	case !n.migrateCap():
		n.emit(event.Info{Code: "MIGRATE", Text: "this server does not support migration", Error: true})
	default:
		n.mig.request(server)
	}
}

func (n *network) migrateCap() bool {
	return n.sess.HasCap("draft/migrate") || n.sess.HasCap("migrate")
}
