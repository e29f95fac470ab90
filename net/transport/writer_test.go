package transport

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// recordTransport records written lines; WriteMessage can be made to fail or
// to block until released.
type recordTransport struct {
	mu      sync.Mutex
	lines   []string
	written chan string
	failOn  string        // a Command whose write fails
	hold    chan struct{} // when non-nil, each write waits for a receive
	entered chan struct{} // receives as each write starts
}

func newRecordTransport() *recordTransport {
	return &recordTransport{written: make(chan string, 1000), entered: make(chan struct{}, 1000)}
}

func (r *recordTransport) ReadMessage() (*irc.Message, error) { select {} }
func (r *recordTransport) Close() error                       { return nil }
func (r *recordTransport) IsTLS() bool                        { return false }
func (r *recordTransport) RemoteAddr() string                 { return "fake" }

func (r *recordTransport) WriteMessage(m *irc.Message) error {
	r.entered <- struct{}{}
	if r.hold != nil {
		<-r.hold
	}
	if m.Command == "BAD" {
		return fmt.Errorf("BAD: %w", ErrBadLine)
	}
	if m.Command == r.failOn {
		return errors.New("connection reset by peer")
	}
	r.mu.Lock()
	r.lines = append(r.lines, m.String())
	r.mu.Unlock()
	r.written <- m.String()
	return nil
}

// guard bounds a test's wait on the goroutine under test; it is a hang
// detector, not a timing assertion.
const guard = 10 * time.Second

func expectLine(t *testing.T, r *recordTransport, want string) {
	t.Helper()
	select {
	case got := <-r.written:
		if got != want {
			t.Fatalf("wrote %q, want %q", got, want)
		}
	case <-time.After(guard):
		t.Fatalf("nothing written, want %q", want)
	}
}

func privmsg(i int) *irc.Message {
	return &irc.Message{Command: "PRIVMSG", Params: []string{"#c", fmt.Sprintf("line %d", i)}}
}

// fakeAfter hands each timer request to the test, which fires it by hand.
type fakeAfter struct {
	reqs chan timerReq
}

type timerReq struct {
	d    time.Duration
	fire chan time.Time
}

func newFakeAfter() *fakeAfter { return &fakeAfter{reqs: make(chan timerReq, 100)} }

func (f *fakeAfter) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	f.reqs <- timerReq{d, ch}
	return ch
}

func (f *fakeAfter) next(t *testing.T) timerReq {
	t.Helper()
	select {
	case r := <-f.reqs:
		return r
	case <-time.After(guard):
		t.Fatal("the writer never waited on a timer")
		return timerReq{}
	}
}

func TestWriterOrderUnlimited(t *testing.T) {
	r := newRecordTransport()
	w := NewWriter(r, nil)
	defer w.Close()
	for i := range 500 {
		w.Send(privmsg(i))
	}
	if !w.Flush(guard) {
		t.Fatal("Flush failed")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.lines) != 500 {
		t.Fatalf("wrote %d lines, want 500", len(r.lines))
	}
	for i, l := range r.lines {
		if want := privmsg(i).String(); l != want {
			t.Fatalf("line %d = %q, want %q", i, l, want)
		}
	}
}

func TestWriterPacedByLimiter(t *testing.T) {
	clk := newFakeClock()
	fa := newFakeAfter()
	r := newRecordTransport()
	w := NewWriterAfter(r, NewLimiter(2, 2*time.Second, clk.Now), fa.After)
	defer w.Close()

	for i := range 4 {
		w.Send(privmsg(i))
	}
	expectLine(t, r, privmsg(0).String())
	expectLine(t, r, privmsg(1).String())

	// The bucket is empty: the writer asks to wait one interval.
	req := fa.next(t)
	if req.d != 2*time.Second {
		t.Fatalf("waits %v, want 2s", req.d)
	}
	select {
	case l := <-r.written:
		t.Fatalf("wrote %q before the timer fired", l)
	default:
	}

	// SendNow cuts the wait short and bypasses the empty bucket.
	w.SendNow(&irc.Message{Command: "PONG", Params: []string{"x"}})
	expectLine(t, r, "PONG x")
	req = fa.next(t) // still no token: waiting again
	clk.Advance(2 * time.Second)
	req.fire <- clk.Now()
	expectLine(t, r, privmsg(2).String())
	req = fa.next(t)
	clk.Advance(2 * time.Second)
	req.fire <- clk.Now()
	expectLine(t, r, privmsg(3).String())
	if !w.Flush(guard) {
		t.Fatal("Flush failed")
	}
}

func TestWriterSendNowAheadOfQueue(t *testing.T) {
	r := newRecordTransport()
	r.hold = make(chan struct{})
	w := NewWriter(r, nil)
	defer w.Close()
	w.Send(privmsg(0))
	<-r.entered // line 0 is being written, held in WriteMessage
	w.Send(privmsg(1))
	w.Send(privmsg(2))
	w.SendNow(&irc.Message{Command: "PONG", Params: []string{"a"}})
	w.SendNow(&irc.Message{Command: "QUIT", Params: []string{"bye"}})
	for range 5 {
		r.hold <- struct{}{}
	}
	want := []string{privmsg(0).String(), "PONG a", "QUIT bye", privmsg(1).String(), privmsg(2).String()}
	for _, l := range want {
		expectLine(t, r, l)
	}
}

func TestWriterErrorStops(t *testing.T) {
	r := newRecordTransport()
	r.failOn = "FAIL"
	r.hold = make(chan struct{})
	w := NewWriter(r, nil)
	w.Send(privmsg(0))
	w.Send(&irc.Message{Command: "BAD"}) // unframable: dropped, not fatal
	w.Send(privmsg(1))
	w.Send(&irc.Message{Command: "FAIL"})
	w.Send(privmsg(2))
	w.Send(privmsg(3))
	for range 4 {
		r.hold <- struct{}{}
	}
	expectLine(t, r, privmsg(0).String())
	expectLine(t, r, privmsg(1).String())
	expectWriteError(t, w, "FAIL")
	w.Send(privmsg(4)) // not closed yet: kept for Unsent
	w.Close()
	w.Send(privmsg(5)) // closed: dropped
	un := w.Unsent()
	if len(un) != 3 || un[0].String() != privmsg(2).String() || un[2].String() != privmsg(4).String() {
		t.Fatalf("Unsent = %v, want lines 2, 3, 4", un)
	}
}

func TestWriterCloseKeepsUnsent(t *testing.T) {
	clk := newFakeClock()
	fa := newFakeAfter()
	r := newRecordTransport()
	w := NewWriterAfter(r, NewLimiter(1, time.Second, clk.Now), fa.After)
	w.Send(privmsg(0))
	w.Send(privmsg(1))
	w.Send(privmsg(2))
	expectLine(t, r, privmsg(0).String())
	fa.next(t) // waiting for a token
	w.Close()
	w.Close() // twice is fine
	if _, open := <-w.Err(); open {
		t.Error("Err delivered a value on a clean Close")
	}
	un := w.Unsent()
	if len(un) != 2 || un[0].String() != privmsg(1).String() {
		t.Fatalf("Unsent = %v", un)
	}
	if w.Flush(guard) {
		t.Error("Flush true with lines unwritten after Close")
	}
}

func TestWriterFlushTimeout(t *testing.T) {
	fa := newFakeAfter()
	r := newRecordTransport()
	r.hold = make(chan struct{})
	w := NewWriterAfter(r, nil, fa.After)
	w.SendNow(&irc.Message{Command: "QUIT"})
	res := make(chan bool)
	go func() { res <- w.Flush(time.Second) }()
	req := fa.next(t)
	req.fire <- time.Time{}
	if <-res {
		t.Fatal("Flush true while the write is still held")
	}
	close(r.hold)
	expectLine(t, r, "QUIT")
	if !w.Flush(guard) {
		t.Fatal("Flush false once written")
	}
	w.Close()
	if !w.Flush(guard) {
		t.Fatal("Flush false on an empty closed writer")
	}
}

func TestWriterCloseDuringWrite(t *testing.T) {
	r := newRecordTransport()
	r.hold = make(chan struct{})
	w := NewWriter(r, nil)
	w.Send(privmsg(0))
	<-r.entered // line 0 is being written and is stuck
	w.Send(privmsg(1))
	w.Close() // returns although the write is stuck
	close(r.hold)
	expectLine(t, r, privmsg(0).String())
	if _, open := <-w.Err(); open { // closed once the goroutine has ended
		t.Error("Err delivered a value")
	}
	select {
	case l := <-r.written:
		t.Fatalf("wrote %q after Close", l)
	default:
	}
	if un := w.Unsent(); len(un) != 1 || un[0].String() != privmsg(1).String() {
		t.Fatalf("Unsent = %v", un)
	}
}

// TakeQueued hands back, in order, the lines waiting for flood tokens;
// a line sent after it (SendNow or Send) goes out next, and the taken lines
// are never written.
func TestWriterTakeQueued(t *testing.T) {
	clk := newFakeClock()
	fa := newFakeAfter()
	r := newRecordTransport()
	w := NewWriterAfter(r, NewLimiter(1, time.Second, clk.Now), fa.After)
	defer w.Close()
	if got := w.TakeQueued(); len(got) != 0 {
		t.Fatalf("TakeQueued on an empty writer = %v", got)
	}
	for i := range 5 {
		w.Send(privmsg(i))
	}
	expectLine(t, r, privmsg(0).String())
	req := fa.next(t) // lines 1-4 wait for a token

	got := w.TakeQueued()
	if len(got) != 4 {
		t.Fatalf("TakeQueued = %v, want lines 1-4", got)
	}
	for i, m := range got {
		if want := privmsg(i + 1).String(); m.String() != want {
			t.Fatalf("TakeQueued[%d] = %q, want %q", i, m, want)
		}
	}
	if again := w.TakeQueued(); len(again) != 0 {
		t.Fatalf("second TakeQueued = %v, want nothing", again)
	}
	// The control line goes out at once, with no token.
	w.SendNow(&irc.Message{Command: "MIGRATE", Params: []string{"OK", "tok"}})
	expectLine(t, r, "MIGRATE OK tok")
	// The writer still works: a later line waits for the next token and
	// is written next, not one of the taken lines.
	w.Send(privmsg(5))
	for {
		clk.Advance(time.Second)
		req.fire <- clk.Now()
		select {
		case l := <-r.written:
			if want := privmsg(5).String(); l != want {
				t.Fatalf("wrote %q, want %q", l, want)
			}
			if !w.Flush(guard) {
				t.Fatal("Flush failed")
			}
			if un := w.Unsent(); len(un) != 0 {
				t.Fatalf("Unsent = %v after TakeQueued and a flush", un)
			}
			return
		case req = <-fa.reqs:
			// the wake of Send(5) restarted the wait; fire that one
		}
	}
}

// The line being written when TakeQueued is called is not returned; it
// completes before a line sent afterwards, and a Flush waiting for the
// queue ends once it is written.
func TestWriterTakeQueuedDuringWrite(t *testing.T) {
	r := newRecordTransport()
	r.hold = make(chan struct{})
	w := NewWriter(r, nil)
	defer w.Close()
	w.Send(privmsg(0))
	<-r.entered // line 0 is being written, held
	w.Send(privmsg(1))
	w.Send(privmsg(2))
	flushed := make(chan bool, 1)
	go func() { flushed <- w.Flush(guard) }()
	got := w.TakeQueued()
	if len(got) != 2 || got[0].String() != privmsg(1).String() || got[1].String() != privmsg(2).String() {
		t.Fatalf("TakeQueued = %v, want lines 1, 2", got)
	}
	w.SendNow(&irc.Message{Command: "MIGRATE", Params: []string{"OK", "tok"}})
	close(r.hold)
	expectLine(t, r, privmsg(0).String())
	expectLine(t, r, "MIGRATE OK tok")
	select {
	case ok := <-flushed:
		if !ok {
			t.Fatal("Flush false")
		}
	case <-time.After(guard):
		t.Fatal("Flush never returned")
	}
	select {
	case l := <-r.written:
		t.Fatalf("wrote %q, a line that was taken back", l)
	default:
	}
}

// Concurrent Send and TakeQueued, with the writer racing for tokens: every
// line is either written or taken back, exactly once, and each side keeps
// the order lines were sent in (the race detector checks the locking).
func TestWriterTakeQueuedRace(t *testing.T) {
	r := newRecordTransport()
	r.written = make(chan string, 10000)
	r.entered = make(chan struct{}, 10000)
	w := NewWriter(r, NewLimiter(4, time.Microsecond, nil))
	const total = 2000
	var taken []*irc.Message
	for i := range total {
		w.Send(privmsg(i))
		if i%7 == 0 {
			taken = append(taken, w.TakeQueued()...)
		}
	}
	// Wait for the writer to drain what is left, then stop it.
	if !w.Flush(guard) {
		t.Fatal("Flush failed")
	}
	w.Close()
	r.mu.Lock()
	written := append([]string(nil), r.lines...)
	r.mu.Unlock()
	seen := map[string]int{}
	check := func(side string, lines []string) {
		last := -1
		for _, l := range lines {
			seen[l]++
			var i int
			if _, err := fmt.Sscanf(l, "PRIVMSG #c :line %d", &i); err != nil {
				t.Fatalf("%s %q: %v", side, l, err)
			}
			if i <= last {
				t.Fatalf("%s out of order: line %d after %d", side, i, last)
			}
			last = i
		}
	}
	var tk []string
	for _, m := range taken {
		tk = append(tk, m.String())
	}
	check("written", written)
	check("taken", tk)
	for i := range total {
		if n := seen[privmsg(i).String()]; n != 1 {
			t.Fatalf("line %d seen %d times (written or taken), want 1", i, n)
		}
	}
	if len(tk) == 0 || len(written) == 0 {
		t.Logf("written %d, taken %d: one side got nothing this run", len(written), len(tk))
	}
}

// expectWriteError checks that w reports one *WriteError for a line with
// command cmd, then closes Err, and that Flush no longer reports success.
func expectWriteError(t *testing.T, w *Writer, cmd string) {
	t.Helper()
	var err error
	select {
	case err = <-w.Err():
	case <-time.After(guard):
		t.Fatal("no error delivered")
	}
	var we *WriteError
	if !errors.As(err, &we) || we.Msg.Command != cmd {
		t.Fatalf("Err = %v, want a *WriteError for %s", err, cmd)
	}
	if _, open := <-w.Err(); open {
		t.Error("Err not closed after the error")
	}
	if w.Flush(guard) {
		t.Error("Flush reports success after a write error")
	}
}
