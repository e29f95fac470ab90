// Package sendq is a network's one ordered queue of outgoing lines (an
// IRC client's send queue): every user and automatic line from the moment
// it is routed until it is written or fails, each with an explicit State.
// It is pure (no goroutines, no I/O): the connection owner (net/conn)
// moves lines between states as it carries out what happens to them, and
// the Queue reports what the user must see, by LocalID.
package sendq

import (
	"slices"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// State is where one outgoing line stands. A line moves between states
// only through the Queue's methods.
type State int

const (
	Waiting   State = iota // waiting offline for a usable connection
	Held                   // held by the migration machine (its Submit), until its Flush or Abandon
	Handed                 // handed to a link's writer, behind flood control
	Written                // written to the transport; its message is Delivered once every line is (unless it Failed)
	Delivered              // its message was reported Delivered (terminal)
	Failed                 // will not be sent, or may not have arrived: its message Failed (terminal)
)

func (s State) String() string {
	switch s {
	case Waiting:
		return "waiting"
	case Held:
		return "held"
	case Handed:
		return "handed"
	case Written:
		return "written"
	case Delivered:
		return "delivered"
	case Failed:
		return "failed"
	}
	return "unknown"
}

// Line is one line in the queue.
type Line struct {
	Out   session.Outgoing // as the session produced it; not to be changed once queued
	state State
}

// State reports where the line stands.
func (l *Line) State() State { return l.state }

// typedMessage is what the queue knows of one typed message (a LocalID),
// whose text the session may have split over several lines.
type typedMessage struct {
	lines   []*Line
	left    int  // lines not yet written nor failed
	pending int  // lines waiting or held
	failed  bool // Failed was reported: no Delivered will be
}

// Queue is a network's one ordered queue of outgoing lines: the user's
// (ClassUser), the automatic ones (ClassAuto) and whatever a migration
// takes back from a writer. It is not safe for concurrent use: one
// goroutine (the network's loop) calls every method. The lines go
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
type Queue struct {
	lines   []*Line // waiting, held or handed, in the order they go out
	byMsg   map[*irc.Message]*Line
	typed   map[uint64]*typedMessage
	waiting int // lines in Waiting
	emit    func(event.Event)
}

// New returns an empty queue reporting through emit, which its methods
// call synchronously.
func New(emit func(event.Event)) *Queue {
	return &Queue{byMsg: map[*irc.Message]*Line{}, typed: map[uint64]*typedMessage{}, emit: emit}
}

// Push adds o at the end of the queue, waiting.
func (q *Queue) Push(o session.Outgoing) *Line {
	l := q.track(o)
	q.lines = append(q.lines, l)
	return l
}

// PushBefore adds o, waiting, right before next (at the end when next is
// nil or not queued): a line of the connection's own that a migration
// takes back from a writer keeps its place among the user's.
func (q *Queue) PushBefore(next *Line, o session.Outgoing) *Line {
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

func (q *Queue) track(o session.Outgoing) *Line {
	l := &Line{Out: o, state: Waiting}
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

// Len is the number of lines waiting, held or handed to a writer.
func (q *Queue) Len() int { return len(q.lines) }

// Line returns the queued line of m, nil when m is not queued.
func (q *Queue) Line(m *irc.Message) *Line { return q.byMsg[m] }

// Waiting returns the waiting lines in queue order.
func (q *Queue) Waiting() []*Line {
	if q.waiting == 0 {
		return nil
	}
	out := make([]*Line, 0, q.waiting)
	for _, l := range q.lines {
		if l.state == Waiting {
			out = append(out, l)
		}
	}
	return out
}

// NumWaiting is the number of waiting lines.
func (q *Queue) NumWaiting() int { return q.waiting }

// Hold: the migration machine took l (Submit returned true). From
// Waiting (routed during a window, or taken back from a writer as a
// new line) or Handed (taken back from OLD's writer before MIGRATE
// OK: Requeued).
func (q *Queue) Hold(l *Line) bool {
	return q.move(l, Held, Waiting, Handed)
}

// Unhold: the machine gave l back without a link to send it on (Abandon,
// or a Flush while disconnected): it waits offline, in its place.
func (q *Queue) Unhold(l *Line) bool {
	return q.move(l, Waiting, Held)
}

// Hand: l is given to a link's writer (from the offline wait, or a
// migration's Flush).
func (q *Queue) Hand(l *Line) bool {
	return q.move(l, Handed, Waiting, Held)
}

// Requeue: l was taken back from a writer that had not written it (a
// /reconnect, or a closed link's settle): it waits for the next
// connection, in its place (Requeued).
func (q *Queue) Requeue(l *Line) bool {
	return q.move(l, Waiting, Handed)
}

func (q *Queue) move(l *Line, to State, from ...State) bool {
	if l == nil || q.byMsg[l.Out.Msg] != l || !slices.Contains(from, l.state) {
		return false
	}
	was := l.state
	pendingBefore, pendingAfter := was == Waiting || was == Held, to == Waiting || to == Held
	if was == Waiting {
		q.waiting--
	}
	if to == Waiting {
		q.waiting++
	}
	l.state = to
	if t := q.typed[l.Out.LocalID]; t != nil && pendingBefore != pendingAfter {
		if pendingAfter {
			if t.pending == 0 && !t.failed {
				q.emit(event.Requeued{LocalID: l.Out.LocalID})
			}
			t.pending++
		} else {
			t.pending--
		}
	}
	return true
}

// Written: the writer wrote m. Its message is Delivered when it was the
// last line not yet written. false for a message that is not a line handed
// to a writer (not queued, or already settled otherwise).
func (q *Queue) Written(m *irc.Message) bool {
	l := q.byMsg[m]
	if l == nil || l.state != Handed {
		return false
	}
	q.remove(l, Written)
	t := q.typed[l.Out.LocalID]
	if t == nil {
		l.state = Delivered // nothing to report for a line not typed
		return true
	}
	if t.left > 0 {
		return true
	}
	delete(q.typed, l.Out.LocalID)
	if t.failed {
		return true
	}
	for _, x := range t.lines {
		if x.state == Written {
			x.state = Delivered
		}
	}
	q.emit(event.Delivered{LocalID: l.Out.LocalID})
	return true
}

// Fail: l will not be sent (refused after the rejoin, the user quit, the
// Pool closed), or its write was cut and it may not have arrived. Its
// message is reported Failed with reason, once.
func (q *Queue) Fail(l *Line, reason string) bool {
	if l == nil || q.byMsg[l.Out.Msg] != l || l.state > Handed {
		return false
	}
	if t := q.typed[l.Out.LocalID]; t != nil && (l.state == Waiting || l.state == Held) {
		t.pending--
	}
	q.remove(l, Failed)
	t := q.typed[l.Out.LocalID]
	if t == nil {
		return true
	}
	if !t.failed {
		t.failed = true
		q.emit(event.Failed{LocalID: l.Out.LocalID, Reason: reason})
	}
	if t.left == 0 {
		delete(q.typed, l.Out.LocalID)
	}
	return true
}

// remove takes l out of the queue in its final state.
func (q *Queue) remove(l *Line, final State) {
	if l.state == Waiting {
		q.waiting--
	}
	l.state = final
	delete(q.byMsg, l.Out.Msg)
	if i := slices.Index(q.lines, l); i >= 0 {
		q.lines = slices.Delete(q.lines, i, i+1)
	}
	if t := q.typed[l.Out.LocalID]; t != nil {
		t.left--
	}
}
