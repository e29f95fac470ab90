package conn

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// Delivery of the user's lines. A line handed to a link's writer may wait
// there (flood control) and is lost with the socket if the connection dies
// first. So a line counts as delivered only once its write to the
// transport has returned without error (Delivered is emitted then, for the
// last line of a typed message). When a link is lost, each line it still
// tracks is settled (userLines.settle) only after the write under way, if
// any, has returned: the transport is closed first, so that write returns
// at once, and the wait is bounded (settleTimeout) all the same. Then:
//
//   - a line whose write returned nil is Delivered, never sent again,
//     even if the link died before the writer goroutine recorded it;
//   - a line never handed to the transport (still in the writer's queue,
//     or taken from it as the link closed) goes back to the front of the
//     offline queue, to be sent once on the next connection;
//   - a line whose write returned an error (or was still under way when
//     the bound ran out) may have reached the server, and sending it again
//     could double it, so it is reported Failed.

// settleTimeout bounds how long the loop waits, once a link is closed, for
// a write under way to return. Closing the transport makes that write
// return at once, so this only guards against a transport that does not
// honour Close; past it the line is reported Failed, as it may have
// arrived.
const settleTimeout = 2 * time.Second

// errLinkClosed is what trackedTransport returns, without writing, for a
// line the writer takes after its link was closed.
var errLinkClosed = errors.New("link closed")

// userLines tracks the user lines handed to one link's writer and not yet
// written. The writer goroutine (through trackedTransport) and the network
// loop both use it, hence the mutex.
type userLines struct {
	mu   sync.Mutex
	out  map[*irc.Message]trackedLine
	seq  uint64         // add order, to requeue lines in the order they were sent
	left map[uint64]int // per LocalID: lines not yet written
	// moved: typed messages some of whose lines were taken back (take)
	// while another was being written: that write completing is not the
	// message's delivery.
	moved map[uint64]bool

	// For settle: the lines (tracked or not) handed to the transport
	// whose write has not returned, closed idle when that set empties,
	// tracked lines whose write returned an error, whether the link is
	// closed (no line is handed to the transport any more), whether the
	// loop is settling the lines, and the messages a write that returned
	// meanwhile completed (reported by settle, not posted: the loop may
	// stop right after settling, on shutdown).
	writing  map[*irc.Message]bool
	idle     chan struct{} // nil while nothing is being written
	cut      map[*irc.Message]bool
	sealed   bool
	settling bool
	late     []uint64
}

// trackedLine is a user line and its place in the order lines were added.
type trackedLine struct {
	o   session.Outgoing
	seq uint64
}

func newUserLines() *userLines {
	return &userLines{
		out: map[*irc.Message]trackedLine{}, left: map[uint64]int{}, moved: map[uint64]bool{},
		writing: map[*irc.Message]bool{}, cut: map[*irc.Message]bool{},
	}
}

// add records o before it is handed to the writer.
func (u *userLines) add(o session.Outgoing) {
	u.mu.Lock()
	u.seq++
	u.out[o.Msg] = trackedLine{o, u.seq}
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
	return u.writtenLocked(m)
}

func (u *userLines) writtenLocked(m *irc.Message) (uint64, bool) {
	t, ok := u.out[m]
	if !ok {
		return 0, false
	}
	delete(u.out, m)
	o := t.o
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

// begin is called by the writing goroutine just before m is handed to the
// transport. It reports false, and m must not be written, once the link
// is closed: m then counts as never sent.
func (u *userLines) begin(m *irc.Message) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.sealed {
		return false
	}
	if len(u.writing) == 0 {
		u.idle = make(chan struct{})
	}
	u.writing[m] = true
	return true
}

// end records the result of m's write, begun by begin. It returns the
// LocalID to post Delivered for, as written does; while the loop settles
// the lines that Delivered is kept for settle to report instead. (Once
// settle is done, m is no longer tracked and nothing is reported.)
func (u *userLines) end(m *irc.Message, err error) (uint64, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.writing[m] {
		delete(u.writing, m)
		if len(u.writing) == 0 {
			close(u.idle)
			u.idle = nil
		}
	}
	if err != nil {
		if _, ok := u.out[m]; ok {
			u.cut[m] = true
		}
		return 0, false
	}
	id, ok := u.writtenLocked(m)
	if ok && u.settling {
		u.late = append(u.late, id)
		return 0, false
	}
	return id, ok
}

// seal marks the link closed: from now on no line is handed to the
// transport (begin refuses). Called before the transport is closed, so a
// line the writer takes meanwhile is never written to a dying socket.
func (u *userLines) seal() {
	u.mu.Lock()
	u.sealed = true
	u.mu.Unlock()
}

// settle runs on the loop once the link is closed. It seals the lines,
// waits until the write under way (if any) has returned or the channel
// timeout returns (called only when there is a write to wait for) fires,
// and then empties the tracking: back are the lines never handed to the
// transport, in the order they were added (to be sent again); cut are the
// lines whose write failed or had not returned by the timeout (they may
// have arrived); delivered are the messages whose last line was written
// after the link was closed (their Delivered was not posted). A line
// whose write returned nil is in none of them: it was written, whether or
// not the writing goroutine had recorded it when the link died. A write
// that returns after settle finds its line gone and reports nothing.
func (u *userLines) settle(timeout func() <-chan time.Time) (back, cut []session.Outgoing, delivered []uint64, timedOut bool) {
	u.mu.Lock()
	u.sealed, u.settling = true, true
	idle := u.idle
	u.mu.Unlock()
	if idle != nil {
		select {
		case <-idle:
		case <-timeout():
			timedOut = true
		}
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	lines := make([]trackedLine, 0, len(u.out))
	for _, t := range u.out {
		lines = append(lines, t)
	}
	slices.SortFunc(lines, func(a, b trackedLine) int { return cmp.Compare(a.seq, b.seq) })
	for _, t := range lines {
		m := t.o.Msg
		if u.cut[m] || u.writing[m] {
			cut = append(cut, t.o)
		} else {
			back = append(back, t.o)
		}
		delete(u.out, m)
	}
	// The link is done with: the lines sent again are counted by the
	// link that writes them.
	clear(u.left)
	clear(u.moved)
	clear(u.cut)
	delivered, u.late = u.late, nil
	return back, cut, delivered, timedOut
}

// take removes m from the tracked lines and returns it, for a line taken
// back from the writer before it was written (a migration holds it
// instead; it is tracked again by the link that writes it). ok is false
// for a line that was not a tracked user line.
func (u *userLines) take(m *irc.Message) (session.Outgoing, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	t, ok := u.out[m]
	if !ok {
		return session.Outgoing{}, false
	}
	o := t.o
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

// delivered is posted to the loop when the last line of a typed message
// has been written.
type delivered struct{ localID uint64 }

// trackedTransport is the Transport the writer of a link writes through:
// it tells userLines when a write begins and how it ended, and the loop
// about delivered lines. Once the link is closed it writes nothing.
type trackedTransport struct {
	transport.Transport
	lines *userLines
	post  func(any) bool
}

func (t trackedTransport) WriteMessage(m *irc.Message) error {
	if !t.lines.begin(m) {
		return errLinkClosed
	}
	err := t.Transport.WriteMessage(m)
	if id, ok := t.lines.end(m, err); ok {
		t.post(delivered{id})
	}
	return err
}

// WriteMessageWithin makes the writer's direct path (Writer.WriteNow, run
// on the network loop) available when the wrapped Transport has it. Only
// untracked control lines take that path (network.write); should a tracked
// line ever do so, its Delivered is posted from a new goroutine, since the
// loop cannot post to itself without risking a full inbox.
func (t trackedTransport) WriteMessageWithin(m *irc.Message, d time.Duration) error {
	if !t.lines.begin(m) {
		return errLinkClosed
	}
	var err error
	if b, ok := t.Transport.(transport.BoundedWriter); ok {
		err = b.WriteMessageWithin(m, d)
	} else {
		err = t.Transport.WriteMessage(m)
	}
	if id, ok := t.lines.end(m, err); ok {
		go t.post(delivered{id})
	}
	return err
}

// recoverUnsent runs on the loop when link l is gone (closed first: its
// writer takes nothing more and a write under way returns at once). It
// waits for that write (bounded by settleTimeout), then: lines never handed
// to the transport go back to the front of the offline queue, in order;
// lines written after all are reported Delivered; a line whose write
// failed is reported Failed.
func (n *network) recoverUnsent(l *link) {
	after := n.settleAfter
	if after == nil {
		after = time.After
	}
	back, cut, done, timedOut := l.lines.settle(func() <-chan time.Time { return after(settleTimeout) })
	if timedOut {
		n.logf("a write to %s did not return within %v of closing it", l.addr, settleTimeout)
	}
	for _, id := range done {
		n.emit(event.Delivered{LocalID: id})
	}
	if len(back) > 0 {
		n.logf("%d unsent lines from %s queued again", len(back), l.addr)
		n.q.lines = append(back, n.q.lines...)
	}
	seen := map[uint64]bool{}
	for _, o := range cut {
		if o.LocalID != 0 && !seen[o.LocalID] {
			seen[o.LocalID] = true
			n.emit(event.Failed{LocalID: o.LocalID, Reason: "the connection failed while the line was being sent; it may not have arrived"})
		}
	}
}
