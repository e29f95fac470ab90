package conn

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// only returns the events of type T in evs.
func only[T event.Event](evs []event.Event) []T {
	var out []T
	for _, e := range evs {
		if v, ok := e.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// queueRig is an outQueue recording its events.
type queueRig struct {
	q   *outQueue
	evs []event.Event
}

func newQueueRig() *queueRig {
	r := &queueRig{}
	r.q = newOutQueue(func(e event.Event) { r.evs = append(r.evs, e) })
	return r
}

func (r *queueRig) push(id uint64, text string) *outLine {
	return r.q.push(session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG", Params: []string{"#c", text}}, Class: session.ClassUser, LocalID: id})
}

// to brings l from waiting to state st by legal transitions, dropping the
// events they cause.
func (r *queueRig) to(t *testing.T, l *outLine, st lineState) {
	t.Helper()
	ok := true
	switch st {
	case lineWaiting:
	case lineHeld:
		ok = r.q.hold(l)
	case lineHanded:
		ok = r.q.hand(l)
	case lineDelivered:
		ok = r.q.hand(l) && r.q.written(l.o.Msg)
	case lineFailed:
		ok = r.q.fail(l, "setup")
	}
	if !ok || l.state != st {
		t.Fatalf("setup: could not bring a line to %v (at %v)", st, l.state)
	}
	r.evs = nil
}

// Every transition of a line, from every state: the legal ones change the
// state and report what the user must see (by LocalID); the others are
// refused and change nothing.
func TestQueueTransitions(t *testing.T) {
	type op struct {
		name string
		do   func(q *outQueue, l *outLine) bool
	}
	hold := op{"hold", func(q *outQueue, l *outLine) bool { return q.hold(l) }}
	unhold := op{"unhold", func(q *outQueue, l *outLine) bool { return q.unhold(l) }}
	hand := op{"hand", func(q *outQueue, l *outLine) bool { return q.hand(l) }}
	requeue := op{"requeue", func(q *outQueue, l *outLine) bool { return q.requeue(l) }}
	written := op{"written", func(q *outQueue, l *outLine) bool { return q.written(l.o.Msg) }}
	fail := op{"fail", func(q *outQueue, l *outLine) bool { return q.fail(l, "why") }}

	tests := []struct {
		from lineState
		op   op
		to   lineState // the state after; from when refused
		ok   bool
		evs  []event.Event
	}{
		{lineWaiting, hold, lineHeld, true, nil},
		{lineWaiting, unhold, lineWaiting, false, nil},
		{lineWaiting, hand, lineHanded, true, nil},
		{lineWaiting, requeue, lineWaiting, false, nil},
		{lineWaiting, written, lineWaiting, false, nil},
		{lineWaiting, fail, lineFailed, true, []event.Event{event.Failed{LocalID: 1, Reason: "why"}}},

		{lineHeld, hold, lineHeld, false, nil},
		{lineHeld, unhold, lineWaiting, true, nil},
		{lineHeld, hand, lineHanded, true, nil},
		{lineHeld, requeue, lineHeld, false, nil},
		{lineHeld, written, lineHeld, false, nil},
		{lineHeld, fail, lineFailed, true, []event.Event{event.Failed{LocalID: 1, Reason: "why"}}},

		{lineHanded, hold, lineHeld, true, []event.Event{event.Requeued{LocalID: 1}}},
		{lineHanded, unhold, lineHanded, false, nil},
		{lineHanded, hand, lineHanded, false, nil},
		{lineHanded, requeue, lineWaiting, true, []event.Event{event.Requeued{LocalID: 1}}},
		{lineHanded, written, lineDelivered, true, []event.Event{event.Delivered{LocalID: 1}}},
		{lineHanded, fail, lineFailed, true, []event.Event{event.Failed{LocalID: 1, Reason: "why"}}},

		{lineDelivered, hold, lineDelivered, false, nil},
		{lineDelivered, unhold, lineDelivered, false, nil},
		{lineDelivered, hand, lineDelivered, false, nil},
		{lineDelivered, requeue, lineDelivered, false, nil},
		{lineDelivered, written, lineDelivered, false, nil},
		{lineDelivered, fail, lineDelivered, false, nil},

		{lineFailed, hold, lineFailed, false, nil},
		{lineFailed, unhold, lineFailed, false, nil},
		{lineFailed, hand, lineFailed, false, nil},
		{lineFailed, requeue, lineFailed, false, nil},
		{lineFailed, written, lineFailed, false, nil},
		{lineFailed, fail, lineFailed, false, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%v_%s", tc.from, tc.op.name), func(t *testing.T) {
			r := newQueueRig()
			l := r.push(1, "hello")
			r.to(t, l, tc.from)
			if ok := tc.op.do(r.q, l); ok != tc.ok {
				t.Fatalf("%s from %v: ok %v, want %v", tc.op.name, tc.from, ok, tc.ok)
			}
			if l.state != tc.to {
				t.Errorf("%s from %v: state %v, want %v", tc.op.name, tc.from, l.state, tc.to)
			}
			if !reflect.DeepEqual(r.evs, tc.evs) {
				t.Errorf("%s from %v: events %v, want %v", tc.op.name, tc.from, r.evs, tc.evs)
			}
			live := tc.to <= lineHanded
			if got := r.q.line(l.o.Msg) == l; got != live {
				t.Errorf("%s from %v: still queued %v, want %v", tc.op.name, tc.from, got, live)
			}
			if want := map[bool]int{true: 1}[tc.to == lineWaiting]; r.q.numWaiting() != want || len(r.q.waitingLines()) != want {
				t.Errorf("%s from %v: %d waiting (%d listed), want %d", tc.op.name, tc.from, r.q.numWaiting(), len(r.q.waitingLines()), want)
			}
		})
	}
	// A line not in this queue is refused by every transition.
	r := newQueueRig()
	stranger := &outLine{o: session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG"}, LocalID: 9}}
	for _, o := range []op{hold, unhold, hand, requeue, written, fail} {
		if o.do(r.q, stranger) || o.name != "written" && o.do(r.q, nil) {
			t.Errorf("%s accepted a line that is not queued", o.name)
		}
	}
	if len(r.evs) != 0 {
		t.Errorf("events for a line not queued: %v", r.evs)
	}
}

// Delivered stays "the last line of the message was written" when the
// lines of a split message are taken back while its first line is being
// written: that write does not deliver the message; the write of the rest
// does, whether by NEW or OLD again (an aborted move flushes them back).
// The message is reported Requeued once, when its lines are taken back.
func TestQueueTakeBackSplitMessage(t *testing.T) {
	for _, abort := range []bool{false, true} {
		var evs []event.Event
		q := newOutQueue(func(e event.Event) { evs = append(evs, e) })
		old := newUserLines()
		parts := make([]*outLine, 3)
		for i := range parts {
			parts[i] = q.push(session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG", Params: []string{"#c", fmt.Sprint("part ", i)}}, Class: session.ClassUser, LocalID: 7})
			q.hand(parts[i])
			old.add(parts[i].o.Msg)
		}
		// Part 0 is being written; parts 1 and 2 are taken back.
		for _, l := range parts[1:] {
			if !old.take(l.o.Msg) || !q.hold(l) {
				t.Fatalf("abort=%v: taking back %v refused", abort, l.o.Msg)
			}
		}
		if old.take(parts[1].o.Msg) || q.hold(parts[1]) {
			t.Fatal("a line was taken back twice")
		}
		// NEW after CONFIRM, or OLD again: the machine flushes them.
		next := newUserLines()
		if abort {
			next = old
		}
		for _, l := range parts[1:] {
			q.hand(l)
			next.add(l.o.Msg)
		}
		if !old.end(parts[0].o.Msg, nil) || !q.written(parts[0].o.Msg) {
			t.Fatalf("abort=%v: the first line's write not recorded", abort)
		}
		if len(only[event.Delivered](evs)) != 0 {
			t.Fatalf("abort=%v: the in-flight first line reported the message delivered", abort)
		}
		q.written(parts[1].o.Msg)
		if len(only[event.Delivered](evs)) != 0 {
			t.Fatalf("abort=%v: delivered after the second of three lines", abort)
		}
		q.written(parts[2].o.Msg)
		want := []event.Event{event.Requeued{LocalID: 7}, event.Delivered{LocalID: 7}}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("abort=%v: events %v, want %v", abort, evs, want)
		}
		if len(q.lines)+len(q.byMsg)+len(q.typed)+q.numWaiting() != 0 {
			t.Errorf("abort=%v: bookkeeping left behind: %v %v %v", abort, q.lines, q.byMsg, q.typed)
		}
	}
}
