package conn

import (
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
	"github.com/ferry-irc/ferry/net/migrate"
	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// routeOut sends the lines the session produced in its last call where they
// belong, and reports the LocalIDs of lines that wait in the queue rather
// than going to a writer now (their echo is shown pending).
//
//   - ClassConn lines belong to a connection: they go to the link whose line
//     is being handled (a PONG to the migration target goes back to it), else
//     to the current link, and are dropped when there is none.
//   - ClassRejoin lines (the rejoin after 001) are part of bringing the
//     link up: they go out directly, since the queue only opens once the
//     rejoin has completed; that includes the fallback reconnect of a
//     failed migration. Inside a migration window they are queued like the
//     user's: OLD processes nothing after OK.
//   - ClassUser and ClassAuto lines join the outgoing queue: held by the
//     migration machine when it holds lines, handed to the writer when the
//     link is up and nothing waits ahead of them, else waiting offline. An
//     automatic line made while there is no connection is dropped, not
//     kept for a later one.
func (n *network) routeOut() map[uint64]bool {
	var queued map[uint64]bool
	for len(n.out) > 0 {
		o := n.out[0]
		n.out = n.out[1:]
		switch {
		case o.Class == session.ClassConn && n.pendingUpgrade != 0:
			// The server just asked for TLS (STS): this link is about to
			// be dropped, and registration must not go on over it.
			n.logf("not sent before the STS upgrade: %s", o.Msg.Command)
		case o.Class == session.ClassConn:
			l := n.handing
			if l == nil {
				l = n.cur
			}
			if l == nil {
				n.logf("dropping %s: no connection", o.Msg.Command)
				continue
			}
			n.write(l, o.Msg)
		case o.Class == session.ClassRejoin && !n.mig.windowOpen():
			if n.cur != nil {
				n.write(n.cur, o.Msg)
			}
		case o.Class == session.ClassAuto && n.cur == nil && !n.mig.holding():
			n.logf("dropping automatic %s while offline", o.Msg.Command)
		default:
			l := n.q.Push(o)
			switch {
			case n.mig.submit(l):
				n.q.Hold(l)
			case n.canSend() && n.q.NumWaiting() == 1:
				n.hand(n.cur, l)
				continue
			default:
				n.logf("queued %s (%d waiting)", o.Msg.Command, n.q.NumWaiting())
			}
			if queued == nil {
				queued = map[uint64]bool{}
			}
			queued[o.LocalID] = true
		}
	}
	n.out = nil
	return queued
}

// canSend reports whether queued lines may go out now: a registered link
// that has finished rejoining, and no migration window open.
func (n *network) canSend() bool {
	return n.cur != nil && n.sess.Ready() && !n.mig.holding()
}

// hand gives a queued line to l's writer. Its write is posted back to the
// loop (written, see delivery.go).
func (n *network) hand(l *link, q *sendq.Line) {
	if !n.q.Hand(q) {
		n.logf("BUG: %s handed from state %v", q.Out.Msg.Command, q.State())
		return
	}
	l.lines.add(q.Out.Msg)
	n.write(l, q.Out.Msg)
}

// queueEvent reports what the queue says of a typed message. A Delivered
// is noted by the migration's watch for a late PROCEED (late.go).
func (n *network) queueEvent(e event.Event) {
	if d, ok := e.(event.Delivered); ok && n.mig != nil {
		n.mig.noteDelivered(d.LocalID)
	}
	n.emit(e)
}

// write queues m on l's writer. PING and PONG bypass the flood limiter
// (SendNow): a PONG held behind a paste could get us timed out, and our lag
// PING should measure the network, not our queue. So do the migration's
// control lines (see isMigrateControl). Everything else keeps the order it
// was produced in.
//
// The migration's control lines are moreover written on the loop itself
// when the link's writer is idle (Writer.WriteNow): OK and RESUME are the
// client's share of the migration window, and handing them to the writer
// goroutine cost a wake-up that ran only after the loop finished its step
// (25-45 µs here, as much as the write itself). The write is bounded by
// transport.DirectTimeout, so a peer that stopped reading cannot hold the
// loop; a busy writer (a line still being written) gets them as SendNow.
func (n *network) write(l *link, m *irc.Message) {
	if n.log != nil {
		n.logf("%s -> %s", l.addr, masked{m})
	}
	switch {
	case isMigrateControl(m):
		l.w.WriteNow(m)
	case m.Command == "PING", m.Command == "PONG":
		l.w.SendNow(m)
	default:
		l.w.Send(m)
	}
}

// isMigrateControl reports MIGRATE OK, NAK and RESUME, which never wait for
// flood tokens. OK may jump the queue because the driver first takes every
// line still waiting in OLD's writer back into the migration queue
// (migration.takeBack): OLD's queue is empty, so OK is still the last line
// OLD processes, and it is not held up for as long as the backlog would
// take to drain (a 100-line paste is 50 s at the default pace, longer than
// the network waits). NAK changes nothing on the server, so its place among
// the user's lines does not matter; RESUME is the first line on NEW.
// REQUEST, typed by the user, keeps its place among the user's lines.
func isMigrateControl(m *irc.Message) bool {
	if m.Command != "MIGRATE" {
		return false
	}
	switch m.Param(0) {
	case "OK", "NAK", "RESUME":
		return true
	}
	return false
}

// linkUp: the session is registered and rejoined; send the waiting lines
// in order.
func (n *network) linkUp() {
	n.mig.ready()
	n.flushQueue()
}

func (n *network) flushQueue() {
	if !n.canSend() {
		return
	}
	for _, q := range n.deliverable(n.q.Waiting()) {
		n.hand(n.cur, q)
	}
}

// failQueue reports every waiting line Failed (quit, registration failed
// for good, or the Pool closing: why), and keeps it for Pool.Undelivered.
func (n *network) failQueue(why UnsentWhy, reason string) {
	is := n.sess.ISupport()
	for _, q := range n.q.Waiting() {
		n.q.Fail(q, reason)
		if len(n.unsent) < maxUnsent {
			o := q.Out
			target, buffer := o.Msg.Param(0), o.Msg.Param(0)
			if ch := is.StripStatusMsg(target); is.IsChannel(ch) {
				buffer = ch // as the session shows it
			}
			n.unsent = append(n.unsent, Unsent{Network: n.cfg.Name, LocalID: o.LocalID, Target: target,
				Buffer: buffer, Nick: n.sess.Nick(), Time: o.At, Why: why, Msg: o.Msg})
		}
	}
}

// masked formats its line with maskLine only when the log formats it.
type masked struct{ m *irc.Message }

func (v masked) String() string { return maskLine(v.m) }

// maskLine renders m for the debug log with secrets hidden: MIGRATE tokens
// by migrate.Redact, everything else (PASS, AUTHENTICATE, OPER, lines to
// services and services aliases) by ircx.MaskSecrets, the one rule.
func maskLine(m *irc.Message) string {
	switch strings.ToUpper(m.Command) {
	case "MIGRATE":
		return redactMigrate(m)
	case "FAIL":
		if strings.EqualFold(m.Param(0), "MIGRATE") {
			return redactMigrate(m)
		}
	}
	return ircx.MaskSecrets(m)
}

// redactMigrate masks a MIGRATE or FAIL MIGRATE line's tokens where
// migrate.Redact says they are, with the debug log's usual "***".
func redactMigrate(m *irc.Message) string {
	return strings.ReplaceAll(migrate.Redact(m), migrate.Masked, ircx.Secret)
}

// deliverable drops the held lines the session says can no longer go out
// after the rejoin (Session.Undeliverable) and reports each of their
// messages Failed: never lost in silence, nor sent where the server would
// refuse it.
func (n *network) deliverable(lines []*sendq.Line) []*sendq.Line {
	if len(lines) == 0 {
		return lines
	}
	held := make([]session.Outgoing, len(lines))
	for i, q := range lines {
		held[i] = q.Out
	}
	refused := n.sess.Undeliverable(held)
	if len(refused) == 0 {
		return lines
	}
	out := lines[:0]
	for _, q := range lines {
		why, no := refused[q.Out.LocalID]
		if !no {
			out = append(out, q)
			continue
		}
		n.logf("a queued line to %s: %s", q.Out.Msg.Param(0), why)
		n.q.Fail(q, why)
	}
	return out
}
