package conn

import (
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/migrate"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// routeOut sends the lines the session produced in its last call where they
// belong, and reports the LocalIDs of lines that were queued rather than
// sent (their echo is shown pending).
//
//   - ClassConn lines belong to a connection: they go to the link whose line
//     is being handled (a PONG to the migration target goes back to it), else
//     to the current link, and are dropped when there is none.
//   - ClassRejoin lines (the rejoin after 001) are part of bringing the
//     link up: they go out directly, since the queue only opens once the
//     rejoin has completed; that includes the fallback reconnect of a
//     failed migration. Inside a migration window they are queued like the
//     user's: OLD processes nothing after OK.
//   - ClassUser and ClassAuto lines go through the queue, which
//     sends it now when the link is up and no migration window is open, and
//     holds it otherwise.
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
		default:
			if n.mig.submit(o) {
				if queued == nil {
					queued = map[uint64]bool{}
				}
				queued[o.LocalID] = true
				continue
			}
			if n.canSend() && n.q.len() == 0 {
				n.sendUser(n.cur, o)
				continue
			}
			if o.Class == session.ClassAuto && n.cur == nil {
				n.logf("dropping automatic %s while offline", o.Msg.Command)
				continue
			}
			n.q.push(o)
			if queued == nil {
				queued = map[uint64]bool{}
			}
			queued[o.LocalID] = true
			n.logf("queued %s (%d waiting)", o.Msg.Command, n.q.len())
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

// sendUser writes a queued or fresh user line to l. Delivered follows
// once the writer has written it (see delivery.go).
func (n *network) sendUser(l *link, o session.Outgoing) {
	l.lines.add(o)
	n.write(l, o.Msg)
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

// linkUp: the session is registered and rejoined; flush the offline queue
// in order.
func (n *network) linkUp() {
	n.mig.ready()
	n.flushQueue()
}

func (n *network) flushQueue() {
	if !n.canSend() {
		return
	}
	for _, o := range n.deliverable(n.q.takeAll()) {
		n.sendUser(n.cur, o)
		n.awaitEcho(o)
	}
}

// failQueue reports every queued line Failed (quit, or the Pool closing).
func (n *network) failQueue(reason string) {
	seen := map[uint64]bool{}
	for _, o := range n.q.takeAll() {
		if o.LocalID != 0 && !seen[o.LocalID] {
			seen[o.LocalID] = true
			n.emit(event.Failed{LocalID: o.LocalID, Reason: reason})
		}
	}
}

// masked formats its line with maskLine only when the log formats it.
type masked struct{ m *irc.Message }

func (v masked) String() string { return maskLine(v.m) }

// maskLine renders m for the debug log with secrets hidden: MIGRATE tokens
// (via migrate.Redact), PASS, AUTHENTICATE and OPER payloads, and the text
// of lines to services or of services commands (IDENTIFY, REGISTER, ...).
// The command is compared case-insensitively: a /raw line keeps the case
// the user typed.
func maskLine(m *irc.Message) string {
	switch cmd := strings.ToUpper(m.Command); cmd {
	case "PASS", "AUTHENTICATE", "OPER":
		return cmd + " ***"
	case "MIGRATE":
		return redactMigrate(m)
	case "FAIL":
		if strings.EqualFold(m.Param(0), "MIGRATE") {
			return redactMigrate(m)
		}
	case "PRIVMSG", "NOTICE":
		if len(m.Params) > 1 && isServiceTarget(m.Params[0]) {
			return cmd + " " + m.Params[0] + " ***"
		}
	case "NICKSERV", "NS", "CHANSERV", "CS", "AUTHSERV", "AS", "HOSTSERV", "HS", "MEMOSERV", "MS", "OPERSERV", "OS", "BOTSERV", "BS":
		// Server-side aliases for services: everything after the
		// command may hold a password.
		return cmd + " ***"
	}
	return m.String()
}

// redactMigrate masks a MIGRATE or FAIL MIGRATE line's tokens where
// migrate.Redact says they are, with the debug log's usual "***".
func redactMigrate(m *irc.Message) string {
	return strings.ReplaceAll(migrate.Redact(m), migrate.Masked, "***")
}

// isServiceTarget: lines to services may carry passwords (IDENTIFY,
// REGISTER, AUTH), whatever the case the user typed them in: any
// *Serv nick, NS/CS, and the Q and X bots of QuakeNet and Undernet.
func isServiceTarget(t string) bool {
	nick, _, _ := strings.Cut(t, "@")
	if len(nick) > 4 && strings.EqualFold(nick[len(nick)-4:], "serv") {
		return true
	}
	for _, s := range []string{"Q", "X", "NS", "CS"} {
		if strings.EqualFold(nick, s) {
			return true
		}
	}
	return false
}

// offlineQueue is the ordered queue of user lines waiting for a usable
// connection.
type offlineQueue struct{ lines []session.Outgoing }

func newOfflineQueue() *offlineQueue { return &offlineQueue{} }

func (q *offlineQueue) push(o session.Outgoing) { q.lines = append(q.lines, o) }
func (q *offlineQueue) len() int                { return len(q.lines) }
func (q *offlineQueue) takeAll() []session.Outgoing {
	l := q.lines
	q.lines = nil
	return l
}

// deliverable drops the held lines the session says can no longer go out
// after the rejoin (Session.Undeliverable) and reports each of their
// messages Failed: never lost in silence, nor sent where the server would
// refuse it.
func (n *network) deliverable(items []session.Outgoing) []session.Outgoing {
	refused := n.sess.Undeliverable(items)
	if len(refused) == 0 {
		return items
	}
	out := items[:0]
	for _, o := range items {
		why, no := refused[o.LocalID]
		if !no {
			out = append(out, o)
			continue
		}
		if why != "" {
			n.logf("a queued line to %s: %s", o.Msg.Param(0), why)
			n.emit(event.Failed{LocalID: o.LocalID, Reason: why})
			refused[o.LocalID] = ""
		}
	}
	return out
}
