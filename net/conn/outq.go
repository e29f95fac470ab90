package conn

import (
	"slices"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// lineState is where one outgoing line stands. Every user or automatic
// line the session produces lives in its network's outQueue from the
// moment it is routed until it is written or fails, and moves between
// these states only through the queue's methods.
type lineState int

const (
	lineWaiting   lineState = iota // waiting offline for a usable connection
	lineHeld                       // held by the migration machine (Submit), until its Flush or Abandon
	lineHanded                     // handed to a link's writer, behind flood control
	lineWritten                    // written to the transport; its message is Delivered once every line is
	lineDelivered                  // its message was reported Delivered (terminal)
	lineFailed                     // will not be sent, or may not have arrived: its message Failed (terminal)
)

func (s lineState) String() string {
	switch s {
	case lineWaiting:
		return "waiting"
	case lineHeld:
		return "held"
	case lineHanded:
		return "handed"
	case lineWritten:
		return "written"
	case lineDelivered:
		return "delivered"
	case lineFailed:
		return "failed"
	}
	return "unknown"
}

// outLine is one line in the queue.
type outLine struct {
	o     session.Outgoing
	state lineState
}

// typedMessage is what the queue knows of one typed message (a LocalID),
// whose text the session may have split over several lines.
type typedMessage struct {
	lines   []*outLine
	left    int  // lines not yet written nor failed
	pending int  // lines waiting or held
	failed  bool // Failed was reported: no Delivered will be
}

// outQueue is a network's one ordered queue of outgoing lines: the user's
// (ClassUser), the automatic ones (ClassAuto) and whatever a migration
// takes back from a writer. It is owned by the network loop. The lines go
// out in queue order; a line keeps its place when it comes back from a
// writer (a closed link, a /reconnect, a migration taking it back), so it
// goes out again ahead of the lines typed after it.
//
// The migration machine still decides what it holds (its Submit, Flush and
// Abandon contract); the queue records that a line is held and gets it
// back through Flush (handed) or Abandon (waiting again).
//
// Events for a typed message, by its LocalID: Requeued when a line of it
// handed to a writer is waiting or held again while none was; Delivered
// once every line is written; Failed, once, when a line fails. A message
// that failed is never Delivered. The queue reports nothing else: the
// first Pending echo is the session's, at submit time.
type outQueue struct {
	lines   []*outLine // waiting, held or handed, in the order they go out
	byMsg   map[*irc.Message]*outLine
	typed   map[uint64]*typedMessage
	waiting int // lines in lineWaiting
	emit    func(event.Event)
}

func newOutQueue(emit func(event.Event)) *outQueue {
	return &outQueue{byMsg: map[*irc.Message]*outLine{}, typed: map[uint64]*typedMessage{}, emit: emit}
}

// push adds o at the end of the queue, waiting.
func (q *outQueue) push(o session.Outgoing) *outLine {
	l := q.track(o)
	q.lines = append(q.lines, l)
	return l
}

// pushBefore adds o, waiting, right before next (at the end when next is
// nil or not queued): a line of the connection's own that a migration
// takes back from a writer keeps its place among the user's.
func (q *outQueue) pushBefore(next *outLine, o session.Outgoing) *outLine {
	l := q.track(o)
	i := len(q.lines)
	if next != nil {
		if j := slices.Index(q.lines, next); j >= 0 {
			i = j
		}
	}
	q.lines = slices.Insert(q.lines, i, l)
	return l
}

func (q *outQueue) track(o session.Outgoing) *outLine {
	l := &outLine{o: o, state: lineWaiting}
	q.byMsg[o.Msg] = l
	q.waiting++
	if id := o.LocalID; id != 0 {
		t := q.typed[id]
		if t == nil {
			t = &typedMessage{}
			q.typed[id] = t
		}
		t.lines = append(t.lines, l)
		t.left++
		t.pending++
	}
	return l
}

// line returns the queued line of m, nil when m is not queued.
func (q *outQueue) line(m *irc.Message) *outLine { return q.byMsg[m] }

// waitingLines returns the waiting lines in queue order.
func (q *outQueue) waitingLines() []*outLine {
	if q.waiting == 0 {
		return nil
	}
	out := make([]*outLine, 0, q.waiting)
	for _, l := range q.lines {
		if l.state == lineWaiting {
			out = append(out, l)
		}
	}
	return out
}

// numWaiting is the number of waiting lines.
func (q *outQueue) numWaiting() int { return q.waiting }

// hold: the migration machine took l (Submit returned true). From
// lineWaiting (routed during a window, or taken back from a writer as a
// new line) or lineHanded (taken back from OLD's writer before MIGRATE
// OK: Requeued).
func (q *outQueue) hold(l *outLine) bool {
	return q.move(l, lineHeld, lineWaiting, lineHanded)
}

// unhold: the machine gave l back without a link to send it on (Abandon,
// or a Flush while disconnected): it waits offline, in its place.
func (q *outQueue) unhold(l *outLine) bool {
	return q.move(l, lineWaiting, lineHeld)
}

// hand: l is given to a link's writer (from the offline wait, or a
// migration's Flush).
func (q *outQueue) hand(l *outLine) bool {
	return q.move(l, lineHanded, lineWaiting, lineHeld)
}

// requeue: l was taken back from a writer that had not written it (a
// /reconnect, or a closed link's settle): it waits for the next
// connection, in its place (Requeued).
func (q *outQueue) requeue(l *outLine) bool {
	return q.move(l, lineWaiting, lineHanded)
}

func (q *outQueue) move(l *outLine, to lineState, from ...lineState) bool {
	if l == nil || q.byMsg[l.o.Msg] != l || !slices.Contains(from, l.state) {
		return false
	}
	was := l.state
	pendingBefore, pendingAfter := was == lineWaiting || was == lineHeld, to == lineWaiting || to == lineHeld
	if was == lineWaiting {
		q.waiting--
	}
	if to == lineWaiting {
		q.waiting++
	}
	l.state = to
	if t := q.typed[l.o.LocalID]; t != nil && pendingBefore != pendingAfter {
		if pendingAfter {
			if t.pending == 0 && !t.failed {
				q.emit(event.Requeued{LocalID: l.o.LocalID})
			}
			t.pending++
		} else {
			t.pending--
		}
	}
	return true
}

// written: the writer wrote m. Its message is Delivered when it was the
// last line not yet written. false for a message that is not a line handed
// to a writer (not queued, or already settled otherwise).
func (q *outQueue) written(m *irc.Message) bool {
	l := q.byMsg[m]
	if l == nil || l.state != lineHanded {
		return false
	}
	q.remove(l, lineWritten)
	t := q.typed[l.o.LocalID]
	if t == nil {
		l.state = lineDelivered // nothing to report for a line not typed
		return true
	}
	if t.left > 0 {
		return true
	}
	delete(q.typed, l.o.LocalID)
	if t.failed {
		return true
	}
	for _, x := range t.lines {
		if x.state == lineWritten {
			x.state = lineDelivered
		}
	}
	q.emit(event.Delivered{LocalID: l.o.LocalID})
	return true
}

// fail: l will not be sent (refused after the rejoin, the user quit, the
// Pool closed), or its write was cut and it may not have arrived. Its
// message is reported Failed with reason, once.
func (q *outQueue) fail(l *outLine, reason string) bool {
	if l == nil || q.byMsg[l.o.Msg] != l || l.state > lineHanded {
		return false
	}
	if t := q.typed[l.o.LocalID]; t != nil && (l.state == lineWaiting || l.state == lineHeld) {
		t.pending--
	}
	q.remove(l, lineFailed)
	t := q.typed[l.o.LocalID]
	if t == nil {
		return true
	}
	if !t.failed {
		t.failed = true
		q.emit(event.Failed{LocalID: l.o.LocalID, Reason: reason})
	}
	if t.left == 0 {
		delete(q.typed, l.o.LocalID)
	}
	return true
}

// remove takes l out of the queue in its final state.
func (q *outQueue) remove(l *outLine, final lineState) {
	if l.state == lineWaiting {
		q.waiting--
	}
	l.state = final
	delete(q.byMsg, l.o.Msg)
	if i := slices.Index(q.lines, l); i >= 0 {
		q.lines = slices.Delete(q.lines, i, i+1)
	}
	if t := q.typed[l.o.LocalID]; t != nil {
		t.left--
	}
}
