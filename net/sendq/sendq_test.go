package sendq

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"gopkg.in/irc.v4"
)

// queueRig is an Queue recording its events.
type queueRig struct {
	q   *Queue
	evs []event.Event
}

func newQueueRig() *queueRig {
	r := &queueRig{}
	r.q = New(func(e event.Event) { r.evs = append(r.evs, e) })
	return r
}

func (r *queueRig) push(id uint64, text string) *Line {
	return r.q.Push(session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG", Params: []string{"#c", text}}, Class: session.ClassUser, LocalID: id})
}

// to brings l from waiting to state st by legal transitions, dropping the
// events they cause.
func (r *queueRig) to(t *testing.T, l *Line, st State) {
	t.Helper()
	ok := true
	switch st {
	case Waiting:
	case Held:
		ok = r.q.Hold(l)
	case Handed:
		ok = r.q.Hand(l)
	case Delivered:
		ok = r.q.Hand(l) && r.q.Written(l.Out.Msg)
	case Failed:
		ok = r.q.Fail(l, "setup")
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
		do   func(q *Queue, l *Line) bool
	}
	hold := op{"hold", func(q *Queue, l *Line) bool { return q.Hold(l) }}
	unhold := op{"unhold", func(q *Queue, l *Line) bool { return q.Unhold(l) }}
	hand := op{"hand", func(q *Queue, l *Line) bool { return q.Hand(l) }}
	requeue := op{"requeue", func(q *Queue, l *Line) bool { return q.Requeue(l) }}
	written := op{"written", func(q *Queue, l *Line) bool { return q.Written(l.Out.Msg) }}
	fail := op{"fail", func(q *Queue, l *Line) bool { return q.Fail(l, "why") }}

	tests := []struct {
		from State
		op   op
		to   State // the state after; from when refused
		ok   bool
		evs  []event.Event
	}{
		{Waiting, hold, Held, true, nil},
		{Waiting, unhold, Waiting, false, nil},
		{Waiting, hand, Handed, true, nil},
		{Waiting, requeue, Waiting, false, nil},
		{Waiting, written, Waiting, false, nil},
		{Waiting, fail, Failed, true, []event.Event{event.Failed{LocalID: 1, Reason: "why"}}},

		{Held, hold, Held, false, nil},
		{Held, unhold, Waiting, true, nil},
		{Held, hand, Handed, true, nil},
		{Held, requeue, Held, false, nil},
		{Held, written, Held, false, nil},
		{Held, fail, Failed, true, []event.Event{event.Failed{LocalID: 1, Reason: "why"}}},

		{Handed, hold, Held, true, []event.Event{event.Requeued{LocalID: 1}}},
		{Handed, unhold, Handed, false, nil},
		{Handed, hand, Handed, false, nil},
		{Handed, requeue, Waiting, true, []event.Event{event.Requeued{LocalID: 1}}},
		{Handed, written, Delivered, true, []event.Event{event.Delivered{LocalID: 1}}},
		{Handed, fail, Failed, true, []event.Event{event.Failed{LocalID: 1, Reason: "why"}}},

		{Delivered, hold, Delivered, false, nil},
		{Delivered, unhold, Delivered, false, nil},
		{Delivered, hand, Delivered, false, nil},
		{Delivered, requeue, Delivered, false, nil},
		{Delivered, written, Delivered, false, nil},
		{Delivered, fail, Delivered, false, nil},

		{Failed, hold, Failed, false, nil},
		{Failed, unhold, Failed, false, nil},
		{Failed, hand, Failed, false, nil},
		{Failed, requeue, Failed, false, nil},
		{Failed, written, Failed, false, nil},
		{Failed, fail, Failed, false, nil},
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
			live := tc.to <= Handed
			if got := r.q.Line(l.Out.Msg) == l; got != live {
				t.Errorf("%s from %v: still queued %v, want %v", tc.op.name, tc.from, got, live)
			}
			if want := map[bool]int{true: 1}[tc.to == Waiting]; r.q.NumWaiting() != want || len(r.q.Waiting()) != want {
				t.Errorf("%s from %v: %d waiting (%d listed), want %d", tc.op.name, tc.from, r.q.NumWaiting(), len(r.q.Waiting()), want)
			}
		})
	}
	// A line not in this queue is refused by every transition.
	r := newQueueRig()
	stranger := &Line{Out: session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG"}, LocalID: 9}}
	for _, o := range []op{hold, unhold, hand, requeue, written, fail} {
		if o.do(r.q, stranger) || o.name != "written" && o.do(r.q, nil) {
			t.Errorf("%s accepted a line that is not queued", o.name)
		}
	}
	if len(r.evs) != 0 {
		t.Errorf("events for a line not queued: %v", r.evs)
	}
}

func texts(ls []*Line) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Out.Msg.Trailing())
	}
	return out
}

// A line back from a writer waits in its place, ahead of the lines typed
// after it; a line of the connection's own taken back with it goes before
// the next one of the user's.
func TestQueueOrder(t *testing.T) {
	r := newQueueRig()
	a, b := r.push(1, "a"), r.push(2, "b")
	r.q.Hand(a)
	r.q.Hand(b)
	c := r.push(3, "c")
	r.q.Requeue(b)
	r.q.Requeue(a)
	if got := texts(r.q.Waiting()); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("waiting %q, want [a b c]", got)
	}
	join := r.q.PushBefore(b, session.Outgoing{Msg: &irc.Message{Command: "JOIN", Params: []string{"#c", "j"}}, Class: session.ClassConn})
	last := r.q.PushBefore(nil, session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG", Params: []string{"#c", "z"}}})
	if got := texts(r.q.Waiting()); !reflect.DeepEqual(got, []string{"a", "j", "b", "c", "z"}) {
		t.Errorf("waiting %q, want [a j b c z]", got)
	}
	if join.State() != Waiting || last.State() != Waiting || c.State() != Waiting || r.q.Len() != 5 {
		t.Errorf("states %v %v %v, %d queued", join.State(), last.State(), c.State(), r.q.Len())
	}
	want := []event.Event{event.Requeued{LocalID: 2}, event.Requeued{LocalID: 1}}
	if !reflect.DeepEqual(r.evs, want) {
		t.Errorf("events %v, want %v", r.evs, want)
	}
}

// A split message: Requeued once while any of its lines waits, Delivered
// once the last is written, Failed once when one fails and then never
// Delivered; nothing is remembered once every line is done.
func TestQueueSplitMessage(t *testing.T) {
	r := newQueueRig()
	p1, p2 := r.push(5, "one"), r.push(5, "two")
	r.q.Hand(p1)
	r.q.Hand(p2)
	r.q.Requeue(p2)
	r.q.Requeue(p1)
	r.q.Hand(p1)
	r.q.Hand(p2)
	r.q.Written(p1.Out.Msg)
	r.q.Written(p2.Out.Msg)
	want := []event.Event{event.Requeued{LocalID: 5}, event.Delivered{LocalID: 5}}
	if !reflect.DeepEqual(r.evs, want) || p1.State() != Delivered || p2.State() != Delivered {
		t.Errorf("events %v (states %v %v), want %v", r.evs, p1.State(), p2.State(), want)
	}
	r.evs = nil
	f1, f2, f3 := r.push(6, "one"), r.push(6, "two"), r.push(6, "three")
	r.q.Hand(f1)
	r.q.Fail(f1, "cut")
	r.q.Hand(f2)
	r.q.Written(f2.Out.Msg)
	r.q.Fail(f3, "quit")
	want = []event.Event{event.Failed{LocalID: 6, Reason: "cut"}}
	if !reflect.DeepEqual(r.evs, want) {
		t.Errorf("events %v, want %v", r.evs, want)
	}
	if len(r.q.typed)+len(r.q.byMsg)+r.q.Len()+r.q.NumWaiting() != 0 {
		t.Errorf("left behind: %v %v", r.q.typed, r.q.byMsg)
	}
}

// FuzzQueue applies any sequence of transitions to a few lines of a few
// messages (and lines pushed meanwhile) and checks the queue's promises: a refused transition changes
// nothing; each message ends with at most one of Delivered or Failed,
// reported once, and only when every line is done; Requeued never
// follows the message's end; waiting lines keep the order they were
// pushed in; the counts agree with the lines' states.
func FuzzQueue(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte{0x10, 0x21, 0x32, 0x13, 0x24, 0x35, 0x06, 0x17, 0x28, 0x39})
	f.Fuzz(func(t *testing.T, ops []byte) {
		r := newQueueRig()
		var lines []*Line
		for i := range 6 {
			lines = append(lines, r.push(uint64(i/2+1), fmt.Sprint(i))) // three messages of two lines
		}
		ended := map[uint64]bool{}
		for _, b := range ops {
			l := lines[int(b>>4)%len(lines)]
			before := l.State()
			n := len(r.evs)
			var ok bool
			switch b % 7 {
			case 0:
				ok = r.q.Hold(l)
			case 1:
				ok = r.q.Unhold(l)
			case 2:
				ok = r.q.Hand(l)
			case 3:
				ok = r.q.Requeue(l)
			case 4:
				ok = r.q.Written(l.Out.Msg)
			case 5:
				ok = r.q.Fail(l, "x")
			case 6:
				lines = append(lines, r.push(uint64(100+len(lines)), fmt.Sprint(len(lines)))) // a message of its own
				continue
			}
			if !ok && (l.State() != before || len(r.evs) != n) {
				t.Fatalf("refused %d from %v changed state to %v or reported %v", b%7, before, l.State(), r.evs[n:])
			}
			for _, e := range r.evs[n:] {
				switch e := e.(type) {
				case event.Delivered:
					if ended[e.LocalID] {
						t.Fatalf("message %d Delivered after its end", e.LocalID)
					}
					ended[e.LocalID] = true
				case event.Failed:
					if ended[e.LocalID] {
						t.Fatalf("message %d Failed after its end", e.LocalID)
					}
					ended[e.LocalID] = true
				case event.Requeued:
					if ended[e.LocalID] {
						t.Fatalf("message %d Requeued after its end", e.LocalID)
					}
				}
			}
		}
		waiting, queued := 0, 0
		done := map[uint64]bool{}
		for _, l := range lines {
			switch l.State() {
			case Waiting:
				waiting++
				queued++
			case Held, Handed:
				queued++
			}
			if l.State() <= Handed {
				done[l.Out.LocalID] = false
			} else if _, seen := done[l.Out.LocalID]; !seen {
				done[l.Out.LocalID] = true
			}
		}
		order := map[*Line]int{}
		for i, l := range lines {
			order[l] = i
		}
		w := r.q.Waiting()
		for i := 1; i < len(w); i++ {
			if order[w[i-1]] > order[w[i]] {
				t.Fatalf("waiting lines out of order: %q", texts(w))
			}
		}
		if waiting != r.q.NumWaiting() || waiting != len(w) || queued != r.q.Len() {
			t.Fatalf("counts: %d waiting (%d, %d listed), %d queued (%d)", waiting, r.q.NumWaiting(), len(r.q.Waiting()), queued, r.q.Len())
		}
		for id, allDone := range done {
			if ended[id] && !allDone && !r.q.typed[id].failed {
				t.Fatalf("message %d ended with lines still queued", id)
			}
		}
	})
}
