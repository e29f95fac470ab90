package conn

import (
	"strings"
	"sync"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// Delivery of the user's lines. A line handed to a link's writer may wait
// there (flood control) and is lost with the socket if the connection dies
// first. So a line counts as delivered only once the writer has written it
// (Delivered is emitted then, for the last line of a typed message), and
// when a link is lost the lines its writer never took (Writer.Unsent) go
// back to the front of the offline queue, to be sent once on the next
// connection. A line whose write was under way when the socket failed is
// neither: it may have reached the server, and sending it again could
// double it, so it is reported Failed.

// userLines tracks the user lines handed to one link's writer and not yet
// written. The writer goroutine (through trackedTransport) and the network
// loop both use it, hence the mutex.
type userLines struct {
	mu   sync.Mutex
	out  map[*irc.Message]session.Outgoing
	left map[uint64]int // per LocalID: lines not yet written
	// moved: typed messages some of whose lines were taken back (take)
	// while another was being written: that write completing is not the
	// message's delivery.
	moved map[uint64]bool
}

func newUserLines() *userLines {
	return &userLines{out: map[*irc.Message]session.Outgoing{}, left: map[uint64]int{}, moved: map[uint64]bool{}}
}

// add records o before it is handed to the writer.
func (u *userLines) add(o session.Outgoing) {
	u.mu.Lock()
	u.out[o.Msg] = o
	if o.LocalID != 0 {
		u.left[o.LocalID]++
		// Lines taken back and handed to this link again: its count is
		// the whole remainder of the message once more.
		delete(u.moved, o.LocalID)
	}
	u.mu.Unlock()
}

// written records that m was written; it returns the LocalID to report
// Delivered when m was the last unwritten line of a typed message.
func (u *userLines) written(m *irc.Message) (uint64, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	o, ok := u.out[m]
	if !ok {
		return 0, false
	}
	delete(u.out, m)
	if o.LocalID == 0 {
		return 0, false
	}
	u.left[o.LocalID]--
	if u.left[o.LocalID] > 0 {
		return 0, false
	}
	delete(u.left, o.LocalID)
	if u.moved[o.LocalID] {
		delete(u.moved, o.LocalID)
		return 0, false
	}
	return o.LocalID, true
}

// takeUnsent removes and returns, in order, the tracked lines among
// unsent (the writer's untaken queue), and the lines that are neither
// written nor unsent (a write under way when the link died).
func (u *userLines) takeUnsent(unsent []*irc.Message) (back, lost []session.Outgoing) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, m := range unsent {
		if o, ok := u.out[m]; ok {
			back = append(back, o)
			delete(u.out, m)
			if o.LocalID != 0 {
				u.left[o.LocalID]--
			}
		}
	}
	for m, o := range u.out {
		lost = append(lost, o)
		delete(u.out, m)
	}
	return back, lost
}

// take removes m from the tracked lines and returns it, for a line taken
// back from the writer before it was written (a migration holds it
// instead; it is tracked again by the link that writes it). ok is false
// for a line that was not a tracked user line.
func (u *userLines) take(m *irc.Message) (session.Outgoing, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	o, ok := u.out[m]
	if !ok {
		return session.Outgoing{}, false
	}
	delete(u.out, m)
	if o.LocalID != 0 {
		if u.left[o.LocalID]--; u.left[o.LocalID] <= 0 {
			delete(u.left, o.LocalID)
			delete(u.moved, o.LocalID)
		} else {
			// Another line of the message is still on this link (being
			// written): its completion must not report the message
			// delivered; the link that writes the rest will.
			u.moved[o.LocalID] = true
		}
	}
	return o, true
}

// pendingEcho is the update that shows the user's line o as pending again
// (MIGRATE.md step 3: lines held for the move are marked pending): the
// echo the session made for it, with Pending set. The UI matches it to the
// line it shows by LocalID and text. ok is false for lines the user does
// not see as a message (no LocalID, not PRIVMSG/NOTICE).
func (n *network) pendingEcho(o session.Outgoing) (event.Message, bool) {
	m := o.Msg
	if o.LocalID == 0 || len(m.Params) < 2 || (m.Command != "PRIVMSG" && m.Command != "NOTICE") {
		return event.Message{}, false
	}
	kind, text := event.Privmsg, m.Trailing()
	if m.Command == "NOTICE" {
		kind = event.Notice
	} else if body, ok := strings.CutPrefix(text, "\x01ACTION "); ok {
		kind, text = event.Action, strings.TrimSuffix(body, "\x01")
	}
	target := m.Param(0)
	buffer := target
	is := n.sess.ISupport()
	if ch := is.StripStatusMsg(target); is.IsChannel(ch) {
		buffer = ch
	}
	return event.Message{
		Kind: kind, Buffer: buffer, From: n.sess.Nick(), Target: target, Text: text,
		Self: true, LocalID: o.LocalID, Pending: true,
	}, true
}

// delivered is posted to the loop when the last line of a typed message
// has been written.
type delivered struct{ localID uint64 }

// trackedTransport is the Transport the writer of a link writes through:
// after each successful write it tells the loop about delivered lines.
type trackedTransport struct {
	transport.Transport
	lines *userLines
	post  func(any) bool
}

func (t trackedTransport) WriteMessage(m *irc.Message) error {
	err := t.Transport.WriteMessage(m)
	if err == nil {
		if id, ok := t.lines.written(m); ok {
			t.post(delivered{id})
		}
	}
	return err
}

// WriteMessageWithin makes the writer's direct path (Writer.WriteNow, run
// on the network loop) available when the wrapped Transport has it. Only
// untracked control lines take that path (network.write); should a tracked
// line ever do so, its Delivered is posted from a new goroutine, since the
// loop cannot post to itself without risking a full inbox.
func (t trackedTransport) WriteMessageWithin(m *irc.Message, d time.Duration) error {
	var err error
	if b, ok := t.Transport.(transport.BoundedWriter); ok {
		err = b.WriteMessageWithin(m, d)
	} else {
		err = t.Transport.WriteMessage(m)
	}
	if err == nil {
		if id, ok := t.lines.written(m); ok {
			go t.post(delivered{id})
		}
	}
	return err
}

// recoverUnsent runs when link l is gone (closed first, so its writer takes
// nothing more): lines never written go back to the front of the offline
// queue, in order; a line whose write was cut is reported Failed.
func (n *network) recoverUnsent(l *link) {
	back, lost := l.lines.takeUnsent(l.w.Unsent())
	if len(back) > 0 {
		n.logf("%d unsent lines from %s queued again", len(back), l.addr)
		n.q.lines = append(back, n.q.lines...)
	}
	seen := map[uint64]bool{}
	for _, o := range lost {
		if o.LocalID != 0 && !seen[o.LocalID] {
			seen[o.LocalID] = true
			n.emit(event.Failed{LocalID: o.LocalID, Reason: "the connection failed while the line was being sent; it may not have arrived"})
		}
	}
}
