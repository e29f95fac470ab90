package conn

import (
	"slices"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/migrate"
	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// This file is the driver half of the migration: it turns what happens on
// the network's links into inputs of net/migrate's Machine and carries out
// the actions the machine returns, in order. The machine decides; the
// driver only dials, writes, closes, swaps links and arms timers.

// maxEarlyLines bounds the lines a target may send before CONFIRM that are
// kept for the session (net/migrate/SPEC.md has NEW send nothing before CONFIRM;
// whatever a server sends anyway is handed over after promotion rather than
// lost, within this bound).
const maxEarlyLines = 256

func newMachine(n *network) *migrate.Machine[*sendq.Line] {
	return migrate.NewMachine[*sendq.Line](migrate.Config{
		Policy:         n.cfg.Policy,
		ConfiguredHost: n.cfg.Dial.Host,
		STS:            n.pool.sts.Lookup,
		DialTimeout:    n.cfg.DialTimeout,
	})
}

// line handles a MIGRATE or FAIL MIGRATE line from the current link. The
// caller checked that the capability was negotiated.
func (g *migration) line(l *link, m *irc.Message) {
	now := g.n.clock.Now()
	if m.Command == "MIGRATE" {
		switch m.Param(0) {
		case "START":
			g.forgetLate()
			g.apply(g.m.Start(now, m, l.t.IsTLS()))
			return
		case "PROCEED":
			if g.lateProceedLine(m.Param(1)) {
				return
			}
			g.n.traceStep("proceed")
		}
	}
	g.apply(g.m.Line(now, migrate.LinkOld, m))
}

// lineFromTarget handles a line read from the target before it is
// promoted: MIGRATE lines go to the machine, a PING is answered on that
// link (the one automatic reply NEW may get before CONFIRM), anything else
// is kept for the session until promotion.
func (g *migration) lineFromTarget(l *link, m *irc.Message) {
	switch {
	case isMigrateLine(m):
		if m.Command == "MIGRATE" && m.Param(0) == "CONFIRM" {
			g.n.traceStep("confirm-read")
		}
		g.n.logf("%s <- %s", l.addr, masked{m})
		g.apply(g.m.Line(g.n.clock.Now(), migrate.LinkNew, m))
	case m.Command == "PING":
		g.n.write(l, &irc.Message{Command: "PONG", Params: m.Params})
	default:
		if len(g.early) < maxEarlyLines {
			g.early = append(g.early, m)
		} else {
			g.n.logf("target %s: dropped early %s", l.addr, m.Command)
		}
	}
}

// targetLost: the idle or resuming target connection dropped by itself.
func (g *migration) targetLost(l *link, err error) {
	g.n.logf("migration: target %s lost: %v", l.addr, err)
	l.close()
	if g.target != l {
		return
	}
	g.target, g.targetID, g.early = nil, 0, nil
	g.apply(g.m.NewLost(g.n.clock.Now()))
}

// oldLost is told that the current link died (already dropped). It reports
// true when the machine handles the loss: no ordinary reconnect may start
// unless the machine was in its fallback reconnect, which retries with the
// usual backoff (retry says so).
func (g *migration) oldLost() (took, retry bool) {
	was := g.m.State()
	acts, took := g.m.OldLost(g.n.clock.Now())
	g.apply(acts)
	return took, took && was == migrate.Reconnecting
}

// submit offers a queued line to the machine; true when the machine holds
// it for the window (the caller records that: outQueue.hold).
func (g *migration) submit(q *sendq.Line) bool { return g.m.Submit(q) }

// holding reports an open migration window (or fallback reconnect): lines
// must wait in the machine's queue.
func (g *migration) holding() bool { return g.m.Holding() }

// windowOpen reports the migration window proper (OK sent, CONFIRM not yet
// received): nothing but MIGRATE lines and PONGs may go to either server.
func (g *migration) windowOpen() bool {
	st := g.m.State()
	return st == migrate.Window || st == migrate.Resuming
}

// ready is told that the session is registered and rejoined on the current
// link; after a fallback reconnect that is when the queue goes out.
func (g *migration) ready() {
	if g.m.State() == migrate.Reconnecting {
		g.afterReconnect = true
		g.apply(g.m.Reconnected(g.n.clock.Now()))
		g.afterReconnect = false
	}
}

// abandon ends any migration (quit, /disconnect, /reconnect, close) and
// returns the lines it held, in order, for the caller to keep (keep).
func (g *migration) abandon() []*sendq.Line {
	items, acts := g.m.Abandon(g.n.clock.Now())
	g.apply(acts)
	g.closeTarget()
	for id, a := range g.timers {
		disarm(a)
		delete(g.timers, id)
	}
	return items
}

// request sends MIGRATE REQUEST <server> (the /migrate command).
func (g *migration) request(server string) {
	n := g.n
	if g.m.State() != migrate.Idle {
		n.emit(event.Info{Code: "MIGRATE", Text: "a migration is already under way", Error: true})
		return
	}
	n.write(n.cur, &irc.Message{Command: "MIGRATE", Params: []string{"REQUEST", server}})
}

// dialed takes the result of a target dial.
func (g *migration) dialed(d migDialDone) {
	if g.cancelled[d.id] || d.gen != g.dialGen {
		delete(g.cancelled, d.id)
		if d.t != nil {
			d.t.Close()
		}
		return
	}
	g.cancel = nil
	if d.err != nil {
		g.n.logf("migration: dial %s: %v", d.addr, d.err)
		g.apply(g.m.DialDone(g.n.clock.Now(), d.id, d.err))
		return
	}
	g.closeTarget()
	g.target = g.n.newLink(d.t, d.addr, d.host)
	g.targetID = d.id
	g.apply(g.m.DialDone(g.n.clock.Now(), d.id, nil))
}

// apply carries out the machine's actions in order.
func (g *migration) apply(acts []migrate.Action) {
	n := g.n
	for _, a := range acts {
		switch a := a.(type) {
		case migrate.Dial:
			g.dial(a)
		case migrate.Send:
			g.send(a)
		case migrate.CloseNew:
			if a.ID == g.targetID {
				g.closeTarget()
			} else if g.pendingID == a.ID {
				g.stopDial()
				g.cancelled[a.ID] = true
			}
		case migrate.Promote:
			if a.ID == g.targetID {
				g.promote()
			}
		case migrate.Reconnect:
			// The Warn before it said why, in the log and the server buffer.
			g.reconnectConfigured()
		case migrate.Flush[*sendq.Line]:
			g.flush(a.Items)
		case migrate.StartTimer:
			g.startTimer(a.ID, a)
		case migrate.StopTimer:
			if t := g.timers[a.ID]; t != nil {
				disarm(t)
				delete(g.timers, a.ID)
			}
		case migrate.Emit:
			n.emit(a.Event)
			if a.Event.Step == event.MigrationResumed {
				n.traceStep("confirm")
			}
		case migrate.Warn:
			n.logf("migration: %s", a.Text)
			n.emit(event.Info{Code: "MIGRATE", Text: a.Text})
		case migrate.Info:
			n.emit(event.Info{Code: "MIGRATE", Text: a.Text, Error: true})
		default:
			n.logf("migration: unknown action %T", a)
		}
	}
}

func (g *migration) startTimer(id migrate.TimerID, a migrate.StartTimer) {
	if old := g.timers[id]; old != nil {
		disarm(old)
	}
	g.timers[id] = g.n.arm(a.After, func() {
		delete(g.timers, id)
		acts := g.m.Timer(g.n.clock.Now(), id)
		if id.Kind == migrate.TimerProceed && g.m.State() == migrate.Idle {
			g.gaveUp() // before the queue goes to OLD: its lines are watched too
		}
		g.apply(acts)
	})
}

// send writes a MIGRATE line (OK/NAK to OLD, RESUME to NEW) at once,
// without waiting for flood tokens (write, isMigrateControl). Before OK,
// the lines still waiting in OLD's writer are taken back into the
// migration queue (takeBack), so OK is both immediate and the last line
// OLD processes. (net/migrate's Send doc asks for OK behind every line
// queued; emptying the queue first keeps what that rule protects, "OLD
// processes everything sent before OK and nothing after", without making
// the window wait for a flood-limited backlog.)
func (g *migration) send(a migrate.Send) {
	var l *link
	switch a.To {
	case migrate.LinkOld:
		l = g.n.cur
	case migrate.LinkNew:
		l = g.target
	}
	if l == nil {
		g.n.logf("migration: %s dropped, the %s link is gone", maskLine(a.Msg), a.To)
		return
	}
	if a.To == migrate.LinkOld && a.Msg.Command == "MIGRATE" && a.Msg.Param(0) == "OK" {
		g.takeBack(l)
		g.okToken, g.okAt = a.Msg.Param(1), g.n.clock.Now()
		// The window starts as OK goes into the socket: network.write
		// writes it on this goroutine (the writer is idle once takeBack
		// emptied its queue, unless a line is still being written).
		g.n.traceStep("ok")
	}
	g.n.write(l, a.Msg)
}

// takeBack runs right before MIGRATE OK goes to OLD (the machine is in its
// window already, holding lines): every line still waiting in OLD's writer
// for a flood token was never seen by OLD, and after OK OLD would not
// process it. It moves into the machine's queue, in order and ahead of
// every line typed later (the queue is empty: nothing is held while
// dialling), so it goes out exactly once: to NEW after CONFIRM, back to OLD
// when the move is aborted, to the fresh connection after a fallback
// reconnect. The line being written, if any, completes first, before OK.
//
// The user's lines are no longer on their way: the queue reports them
// Requeued (their Delivered comes when a link writes them). PING and
// PONG never wait in that queue (SendNow), so they are not taken back; a
// MIGRATE REQUEST still waiting there is pointless once we agreed to move
// and is dropped. The rest of a multiline batch whose opening line OLD
// already has stays on OLD (multiline.go). Lines of the connection's own (the rejoin after 001, a
// CAP REQ) were not processed by OLD either and follow the same path as
// the user's.
func (g *migration) takeBack(l *link) {
	n := g.n
	msgs := l.w.TakeQueued()
	if len(msgs) == 0 {
		return
	}
	// The queued line of each message, nil for a line of the connection's
	// own (not tracked), which joins the queue before the next tracked one.
	lines := make([]*sendq.Line, len(msgs))
	for i, m := range msgs {
		if l.lines.take(m) {
			lines[i] = n.q.Line(m)
		}
	}
	moved := 0
	opened := batchesOpened(lines)
	for i, m := range msgs {
		q := lines[i]
		if begunElsewhere(q, opened) {
			// The rest of a multiline batch OLD has begun: it ends on
			// OLD, never half on each server, and ahead of OK, which
			// follows it as SendNow does (a batch is within the
			// server's max-lines, and counts as one message there).
			n.logf("%s -> %s (the rest of a batch, before OK)", l.addr, masked{m})
			l.lines.add(m)
			l.w.SendNow(m)
			continue
		}
		if q == nil {
			switch m.Command {
			case "PING", "PONG", "MIGRATE":
				n.logf("migration: dropping queued %s to %s: we are leaving it", maskLine(m), l.addr)
				continue
			}
			var next *sendq.Line
			if j := slices.IndexFunc(lines[i:], func(x *sendq.Line) bool { return x != nil }); j >= 0 {
				next = lines[i+j]
			}
			q = n.q.PushBefore(next, session.Outgoing{Msg: m, Class: session.ClassConn})
		}
		if !g.m.Submit(q) {
			// Not holding (cannot happen before OK): keep the line on
			// OLD, still ahead of OK.
			if q.State() == sendq.Handed {
				l.lines.add(m)
				n.write(l, m)
			} else {
				n.hand(l, q)
			}
			continue
		}
		n.q.Hold(q)
		moved++
	}
	n.logf("migration: %d lines waiting for %s's flood limit held for after the move", moved, l.addr)
}
