package conn

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// Delivery of the user's lines. A line handed to a link's writer may wait
// there (flood control) and is lost with the socket if the connection dies
// first. So a line counts as written only once its write to the transport
// has returned without error (the outQueue reports Delivered when every
// line of a typed message is). When a link is lost, each line it still
// tracks is settled (userLines.settle) only after the write under way, if
// any, has returned: the transport is closed first, so that write returns
// at once, and the wait is bounded (settleTimeout) all the same. Then:
//
//   - a line whose write returned nil is Delivered, never sent again,
//     even if the link died before the writer goroutine recorded it;
//   - a line never handed to the transport (still in the writer's queue,
//     or taken from it as the link closed) waits again in its place in the
//     outQueue (Requeued), to be sent once on the next connection;
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

// userLines is the writer's side of the lines one link was handed: which
// were handed and not yet written, which write is under way, which failed.
// It decides nothing (the outQueue holds each line's state); it is what
// the writer goroutine (through trackedTransport) and the network loop
// share, hence the mutex.
type userLines struct {
	mu  sync.Mutex
	out map[*irc.Message]uint64 // handed and not yet written, with the order they were added in
	seq uint64

	// For settle: the lines (tracked or not) handed to the transport
	// whose write has not returned, closed idle when that set empties,
	// tracked lines whose write returned an error, whether the link is
	// closed (no line is handed to the transport any more), whether the
	// loop is settling the lines, and the lines a write that returned
	// meanwhile completed (reported by settle, not posted: the loop may
	// stop right after settling, on shutdown).
	writing  map[*irc.Message]bool
	idle     chan struct{} // nil while nothing is being written
	cut      map[*irc.Message]bool
	sealed   bool
	settling bool
	late     []*irc.Message
}

func newUserLines() *userLines {
	return &userLines{out: map[*irc.Message]uint64{}, writing: map[*irc.Message]bool{}, cut: map[*irc.Message]bool{}}
}

// add records m before it is handed to the writer.
func (u *userLines) add(m *irc.Message) {
	u.mu.Lock()
	u.seq++
	u.out[m] = u.seq
	u.mu.Unlock()
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

// end records the result of m's write, begun by begin. It reports true
// when m was a tracked line written without error, for the caller to post
// it to the loop; while the loop settles the lines it is kept for settle
// to report instead. (Once settle is done, m is no longer tracked and
// nothing is reported.)
func (u *userLines) end(m *irc.Message, err error) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.writing[m] {
		delete(u.writing, m)
		if len(u.writing) == 0 {
			close(u.idle)
			u.idle = nil
		}
	}
	if _, ok := u.out[m]; !ok {
		return false
	}
	if err != nil {
		u.cut[m] = true
		return false
	}
	delete(u.out, m)
	if u.settling {
		u.late = append(u.late, m)
		return false
	}
	return true
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
// have arrived); written are the lines written after the link was closed
// (not posted). A line whose write returned nil before is in none of
// them: its post is on its way to the loop. A write that returns after
// settle finds its line gone and reports nothing.
func (u *userLines) settle(timeout func() <-chan time.Time) (back, cut, written []*irc.Message, timedOut bool) {
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
	lines := make([]*irc.Message, 0, len(u.out))
	for m := range u.out {
		lines = append(lines, m)
	}
	slices.SortFunc(lines, func(a, b *irc.Message) int { return cmp.Compare(u.out[a], u.out[b]) })
	for _, m := range lines {
		if u.cut[m] || u.writing[m] {
			cut = append(cut, m)
		} else {
			back = append(back, m)
		}
		delete(u.out, m)
	}
	clear(u.cut)
	written, u.late = u.late, nil
	return back, cut, written, timedOut
}

// take removes m from the tracked lines, for a line taken back from the
// writer before it was written (it is tracked again by the link that
// writes it). It reports false for a line that was not a tracked one.
func (u *userLines) take(m *irc.Message) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	_, ok := u.out[m]
	delete(u.out, m)
	return ok
}

// written is posted to the loop when a tracked line has been written.
type written struct{ m *irc.Message }

// trackedTransport is the Transport the writer of a link writes through:
// it tells userLines when a write begins and how it ended, and the loop
// about written lines. Once the link is closed it writes nothing.
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
	if t.lines.end(m, err) {
		t.post(written{m})
	}
	return err
}

// WriteMessageWithin makes the writer's direct path (Writer.WriteNow, run
// on the network loop) available when the wrapped Transport has it. Only
// untracked control lines take that path (network.write); should a tracked
// line ever do so, its post is made from a new goroutine, since the loop
// cannot post to itself without risking a full inbox.
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
	if t.lines.end(m, err) {
		go t.post(written{m})
	}
	return err
}

// recoverUnsent runs on the loop when link l is gone (closed first: its
// writer takes nothing more and a write under way returns at once). It
// waits for that write (bounded by settleTimeout), then: lines written
// after all are written (their message Delivered when complete); lines
// never handed to the transport wait again in their place in the queue; a
// line whose write failed is Failed.
func (n *network) recoverUnsent(l *link) {
	after := n.settleAfter
	if after == nil {
		after = time.After
	}
	back, cut, done, timedOut := l.lines.settle(func() <-chan time.Time { return after(settleTimeout) })
	if timedOut {
		n.logf("a write to %s did not return within %v of closing it", l.addr, settleTimeout)
	}
	for _, m := range done {
		n.q.Written(m)
	}
	if len(back) > 0 {
		n.logf("%d unsent lines from %s queued again", len(back), l.addr)
	}
	requeue := make([]*sendq.Line, len(back))
	for i, m := range back {
		requeue[i] = n.q.Line(m)
	}
	opened := batchesOpened(requeue)
	for _, q := range requeue {
		if begunElsewhere(q, opened) {
			n.q.Fail(q, "the connection failed in the middle of a multiline message; its start may have arrived")
			continue
		}
		n.q.Requeue(q)
	}
	for _, m := range cut {
		n.q.Fail(n.q.Line(m), "the connection failed while the line was being sent; it may not have arrived")
	}
}
