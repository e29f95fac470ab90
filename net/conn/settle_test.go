package conn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// holdMode is what heldTransport does with the write of one line.
type holdMode int

const (
	// writeAtOnce: the line goes on the wire and the write returns nil.
	writeAtOnce holdMode = iota
	// wireThenHold: the line goes on the wire, then the write call does
	// not return (nil) until the test frees it, whatever Close does: the
	// writer goroutine is held between the socket write and its
	// bookkeeping, which is the race of a line written just before the
	// connection drops.
	wireThenHold
	// wireThenClose: the line goes on the wire, and the write returns nil
	// when the transport is closed (a socket write finishing as the
	// connection is cut).
	wireThenClose
	// holdThenFail: the write blocks until the transport is closed and
	// then fails with nothing written (a write cut by the close).
	holdThenFail
	// holdForever: the write ignores Close and returns nil only when the
	// test releases it (a transport that does not honour Close).
	holdForever
)

// heldTransport is a Transport whose writes the test scripts per line
// text. Every write of a held line reports on started before it blocks, so
// the test knows the writer goroutine is inside it.
type heldTransport struct {
	modes   map[string]holdMode // by the line's last parameter
	started chan string
	closed  chan struct{}
	release chan struct{} // closed by free: ends holdForever writes
	once    sync.Once
	freed   sync.Once

	mu   sync.Mutex
	wire []string // last parameters of the lines written
}

func newHeldTransport(modes map[string]holdMode) *heldTransport {
	return &heldTransport{modes: modes, started: make(chan string, 8), closed: make(chan struct{}), release: make(chan struct{})}
}

func (h *heldTransport) WriteMessage(m *irc.Message) error {
	text := m.Trailing()
	mode := h.modes[text]
	if mode == wireThenHold || mode == wireThenClose || mode == writeAtOnce {
		h.mu.Lock()
		h.wire = append(h.wire, text)
		h.mu.Unlock()
	}
	if mode == writeAtOnce {
		return nil
	}
	h.started <- text
	switch mode {
	case wireThenClose:
		<-h.closed
		return nil
	case holdThenFail:
		<-h.closed
		return fmt.Errorf("write to fake: %w", net.ErrClosed)
	default:
		<-h.release
		return nil
	}
}

func (h *heldTransport) ReadMessage() (*irc.Message, error) {
	<-h.closed
	return nil, io.EOF
}

func (h *heldTransport) Close() error {
	h.once.Do(func() { close(h.closed) })
	return nil
}

// free lets holdForever writes return.
func (h *heldTransport) free() { h.freed.Do(func() { close(h.release) }) }

func (h *heldTransport) IsTLS() bool        { return false }
func (h *heldTransport) RemoteAddr() string { return "fake:6667" }

func (h *heldTransport) written() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.wire)
}

// settleRig is a network reduced to what recoverUnsent uses, with one
// link over a heldTransport whose writer has no flood limit. The test
// goroutine plays the network loop; Delivered posts land in posts.
type settleRig struct {
	n     *network
	l     *link
	ht    *heldTransport
	posts chan any
	ids   map[*irc.Message]uint64 // the LocalID of each line sent
}

func newSettleRig(t *testing.T, modes map[string]holdMode) *settleRig {
	r := &settleRig{n: &network{}, ht: newHeldTransport(modes), posts: make(chan any, 16), ids: map[*irc.Message]uint64{}}
	r.n.q = sendq.New(r.n.queueEvent)
	r.l = &link{id: 1, addr: "fake:6667", t: r.ht, lines: newUserLines(), closed: make(chan struct{})}
	post := func(v any) bool { r.posts <- v; return true }
	r.l.w = transport.NewWriter(trackedTransport{Transport: r.ht, lines: r.l.lines, post: post}, nil)
	t.Cleanup(func() {
		r.ht.free()
		r.l.close()
	})
	return r
}

// send queues o and hands it to the rig's link, as the loop does.
func (r *settleRig) send(o session.Outgoing) {
	r.ids[o.Msg] = o.LocalID
	r.n.hand(r.l, r.n.q.Push(o))
}

func userLine(id uint64, text string) session.Outgoing {
	return session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG", Params: []string{"#c", text}}, Class: session.ClassUser, LocalID: id}
}

// lose does what the loop does when the link is lost: close it, then
// recover its lines. It then waits for the writer goroutine to end (Err
// is closed then), so nothing it does later goes unchecked.
func (r *settleRig) lose() {
	r.n.drop(r.l)
	r.n.recoverUnsent(r.l)
	for range r.l.w.Err() {
	}
}

// outcome sums up the events recoverUnsent emitted, the posts of written
// lines the writer made (by LocalID), and the lines queued again.
func (r *settleRig) outcome() (done, failed, posted []uint64, queued []string) {
	for _, e := range r.n.evs {
		switch e := e.(type) {
		case event.Delivered:
			done = append(done, e.LocalID)
		case event.Failed:
			failed = append(failed, e.LocalID)
		}
	}
	for {
		select {
		case v := <-r.posts:
			if w, ok := v.(written); ok {
				posted = append(posted, r.ids[w.m])
			}
			continue
		default:
		}
		break
	}
	for _, q := range r.n.q.Waiting() {
		queued = append(queued, q.Out.Msg.Trailing())
	}
	return done, failed, posted, queued
}

// freeOnSettle makes the rig's loop free the held writes at the moment
// it starts waiting for them (settle calls settleAfter only then), so the
// write returns while the loop waits, never before: the race is run the
// same way every time. The returned channel is a backstop that fires only
// if the loop did not notice the write returning.
func (r *settleRig) freeOnSettle() *int {
	waits := new(int)
	r.n.settleAfter = func(d time.Duration) <-chan time.Time {
		*waits++
		r.ht.free()
		return time.After(d)
	}
	return waits
}

// The race behind TestE2ELineOnTheWireBeforeDropNotFailed (ui): line a
// is on the wire but the writer goroutine has not recorded it when the
// link is lost. The loop waits for that write: a is Delivered (once, by
// the loop: no post as well), never Failed and never queued again; b and
// c, which the writer never handed to the transport, are queued again in
// order and were not written.
func TestLinkLostLineWrittenButNotRecordedIsDelivered(t *testing.T) {
	r := newSettleRig(t, map[string]holdMode{"a": wireThenHold})
	waits := r.freeOnSettle()
	r.send(userLine(1, "a"))
	if got := <-r.ht.started; got != "a" {
		t.Fatalf("held write of %q, want a", got)
	}
	r.send(userLine(2, "b"))
	r.send(userLine(3, "c"))
	r.lose()
	done, failed, posted, queued := r.outcome()
	if *waits != 1 {
		t.Errorf("the loop waited %d times for the write under way, want once", *waits)
	}
	if !slices.Equal(done, []uint64{1}) || len(posted) != 0 {
		t.Errorf("Delivered by the loop %v, posted by the writer %v; want [1] once, by the loop", done, posted)
	}
	if len(failed) != 0 {
		t.Errorf("Failed %v for lines that were written or never sent", failed)
	}
	if !slices.Equal(queued, []string{"b", "c"}) {
		t.Errorf("queued again %q, want [b c]", queued)
	}
	if w := r.ht.written(); !slices.Equal(w, []string{"a"}) {
		t.Errorf("on the wire %q, want only a", w)
	}
}

// The same with a write that returns as the socket is closed: whether it
// returns before the loop settles (the writer posts Delivered) or while
// the loop waits (the loop reports it), a is Delivered exactly once.
func TestLinkLostLineWrittenAsTheSocketClosesIsDelivered(t *testing.T) {
	r := newSettleRig(t, map[string]holdMode{"a": wireThenClose})
	r.send(userLine(1, "a"))
	<-r.ht.started
	r.send(userLine(2, "b"))
	r.lose()
	done, failed, posted, queued := r.outcome()
	if all := append(done, posted...); !slices.Equal(all, []uint64{1}) {
		t.Errorf("Delivered by the loop %v, posted by the writer %v; want [1] once", done, posted)
	}
	if len(failed) != 0 || !slices.Equal(queued, []string{"b"}) {
		t.Errorf("Failed %v, queued again %q; want none failed, [b] queued", failed, queued)
	}
}

// A write the close cut (it returned an error) is the one case reported
// Failed: the line may have arrived, so it is not sent again. The lines
// behind it are queued again.
func TestLinkLostLineWhoseWriteFailedIsFailed(t *testing.T) {
	r := newSettleRig(t, map[string]holdMode{"a": holdThenFail})
	r.send(userLine(1, "a"))
	<-r.ht.started
	r.send(userLine(2, "b"))
	r.lose()
	delivered, failed, posted, queued := r.outcome()
	if len(delivered)+len(posted) != 0 {
		t.Errorf("Delivered %v, posted %v for a write that failed", delivered, posted)
	}
	if !slices.Equal(failed, []uint64{1}) {
		t.Errorf("Failed %v, want [1]", failed)
	}
	if !slices.Equal(queued, []string{"b"}) {
		t.Errorf("queued again %q, want [b]", queued)
	}
}

// Lines written before the loss keep the Delivered the writer posted, the
// one whose write the loop waited for is Delivered by the loop; none is
// queued again or failed, and the link's bookkeeping is empty.
func TestLinkLostAfterWritesCompleted(t *testing.T) {
	r := newSettleRig(t, map[string]holdMode{"b": wireThenHold})
	r.freeOnSettle()
	r.send(userLine(1, "a"))
	r.send(userLine(2, "b"))
	<-r.ht.started // a's write has returned and been recorded
	r.lose()
	delivered, failed, posted, queued := r.outcome()
	if !slices.Equal(posted, []uint64{1}) || !slices.Equal(delivered, []uint64{2}) {
		t.Errorf("posted %v and Delivered by the loop %v, want [1] and [2]", posted, delivered)
	}
	if len(failed)+len(queued) != 0 {
		t.Errorf("Failed %v, queued again %q; want neither", failed, queued)
	}
	u := r.l.lines
	if len(u.out)+len(u.writing)+len(u.cut) != 0 {
		t.Errorf("bookkeeping left behind: %v %v %v", u.out, u.writing, u.cut)
	}
}

// A transport that does not honour Close: the loop stops waiting at the
// bound (an injected timer, fired at once here) and reports the line
// Failed, as it may have arrived. When the write returns nil later, the
// line is not reported Delivered as well.
func TestLinkLostWriteNotReturningIsFailedAtTheBound(t *testing.T) {
	r := newSettleRig(t, map[string]holdMode{"a": holdForever})
	var bound time.Duration
	r.n.settleAfter = func(d time.Duration) <-chan time.Time {
		bound = d
		c := make(chan time.Time, 1)
		c <- time.Time{}
		return c
	}
	r.send(userLine(1, "a"))
	<-r.ht.started
	r.n.drop(r.l)
	r.n.recoverUnsent(r.l)
	if bound != settleTimeout {
		t.Errorf("waited with bound %v, want settleTimeout (%v)", bound, settleTimeout)
	}
	r.ht.free()
	for range r.l.w.Err() {
	}
	delivered, failed, posted, _ := r.outcome()
	if !slices.Equal(failed, []uint64{1}) || len(delivered)+len(posted) != 0 {
		t.Errorf("Failed %v, Delivered %v, posted %v; want Failed [1] only", failed, delivered, posted)
	}
}

// Once the link is closed no line is handed to the transport: one the
// writer takes then is refused and counts as never sent. Lines are queued
// again in the order they were handed to the link, whatever the order of
// the writer's queues.
func TestUserLinesSealRefusesAndSettleKeepsOrder(t *testing.T) {
	u := newUserLines()
	lines := []session.Outgoing{userLine(1, "a"), userLine(2, "b"), userLine(2, "c"), userLine(3, "d")}
	for _, o := range lines {
		u.add(o.Msg)
	}
	if !u.begin(lines[0].Msg) {
		t.Fatal("begin refused before the link closed")
	}
	if !u.end(lines[0].Msg, nil) {
		t.Fatal("end(a) = false, want true: a was written")
	}
	u.seal()
	if u.begin(lines[2].Msg) {
		t.Fatal("begin accepted a line after the link closed")
	}
	noTimer := func() <-chan time.Time { t.Fatal("settle waited with no write under way"); return nil }
	back, cut, delivered, timedOut := u.settle(noTimer)
	var got []string
	for _, m := range back {
		got = append(got, m.Trailing())
	}
	if !slices.Equal(got, []string{"b", "c", "d"}) || len(cut)+len(delivered) != 0 || timedOut {
		t.Errorf("settle = back %q, cut %v, delivered %v, timed out %v; want back [b c d] only", got, cut, delivered, timedOut)
	}
	if u.end(lines[1].Msg, errors.New("late")) {
		t.Error("a write ending after settle reported something")
	}
	if len(u.out)+len(u.cut) != 0 {
		t.Errorf("bookkeeping left behind: %v %v", u.out, u.cut)
	}
}

// The lines a lost link never wrote wait again, and the user sees them
// pending again (Requeued, by LocalID, once per message); the line it
// wrote is not requeued.
func TestLinkLostUnsentLinesAreRequeued(t *testing.T) {
	r := newSettleRig(t, map[string]holdMode{"a": wireThenHold})
	r.freeOnSettle()
	r.send(userLine(1, "a"))
	<-r.ht.started
	r.send(userLine(2, "b1"))
	r.send(userLine(2, "b2"))
	r.send(userLine(3, "c"))
	r.lose()
	var requeued []uint64
	for _, e := range r.n.evs {
		if e, ok := e.(event.Requeued); ok {
			requeued = append(requeued, e.LocalID)
		}
	}
	if !slices.Equal(requeued, []uint64{2, 3}) {
		t.Errorf("Requeued %v, want [2 3]", requeued)
	}
	if _, _, _, queued := r.outcome(); !slices.Equal(queued, []string{"b1", "b2", "c"}) {
		t.Errorf("queued again %q, want [b1 b2 c]", queued)
	}
}
