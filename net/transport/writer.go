package transport

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"gopkg.in/irc.v4"
)

// Writer sends lines to a Transport from one goroutine, in the order they were
// queued, paced by a Limiter.
//
// Send never blocks: the queue is unbounded, because the session produces
// lines from the goroutine that also reads the connection, and blocking it on
// a slow or flood-limited socket would stop the read side too. SendNow puts a
// line ahead of the queue and past the limiter, for replies whose lateness
// costs the connection (PONG) and for QUIT.
//
// WriteNow is SendNow without the goroutine hop when the Writer is idle: the
// line is written on the caller's goroutine, for the few lines whose latency
// is the point (MIGRATE OK and RESUME: the migration window).
//
// All methods are safe for concurrent use.
type Writer struct {
	t     Transport
	bt    BoundedWriter // t, when it can bound a write (WriteNow); else nil
	l     *Limiter
	after func(time.Duration) <-chan time.Time

	mu       sync.Mutex
	urgent   []*irc.Message // SendNow, in order
	queue    []*irc.Message // Send, in order
	writing  bool           // a line has been taken and is being written
	closed   bool           // Close was called
	stopped  bool           // the goroutine has ended (Close or a write error)
	failed   bool           // a write failed
	werr     error          // the failed write (a *WriteError), for Err
	flushers []chan struct{}

	wake chan struct{} // capacity 1: "look at the queues again"
	quit chan struct{} // closed by Close
	done chan struct{} // closed when the goroutine has ended
	errc chan error
}

// WriteError is what Err delivers: the write that failed and why. Msg may or
// may not have reached the server; lines after it were never written and are
// returned by Unsent.
type WriteError struct {
	Msg *irc.Message
	Err error
}

func (e *WriteError) Error() string {
	return fmt.Sprintf("send %s: %v", e.Msg.Command, e.Err)
}

func (e *WriteError) Unwrap() error { return e.Err }

// NewWriter starts the writing goroutine for t. A nil l means no flood limit.
// The caller still owns t and closes it after (or instead of waiting for)
// the Writer.
func NewWriter(t Transport, l *Limiter) *Writer {
	return NewWriterAfter(t, l, time.After)
}

// NewWriterAfter is NewWriter with the timer injected: after(d) must return a
// channel that receives once d has passed. Tests pass a fake that fires when
// the test steps its clock, so the pacing is checked without sleeping.
func NewWriterAfter(t Transport, l *Limiter, after func(time.Duration) <-chan time.Time) *Writer {
	if after == nil {
		after = time.After
	}
	bt, _ := t.(BoundedWriter)
	w := &Writer{
		t:     t,
		bt:    bt,
		l:     l,
		after: after,
		wake:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
		errc:  make(chan error, 1),
	}
	go w.run()
	return w
}

// Send queues m behind every line queued before it. It never blocks. After
// Close, m is dropped.
func (w *Writer) Send(m *irc.Message) {
	w.push(m, false)
}

// SendNow queues m ahead of the lines waiting in Send's queue (behind earlier
// SendNow lines and a line already being written) and sends it without taking
// a flood token.
func (w *Writer) SendNow(m *irc.Message) {
	w.push(m, true)
}

// WriteNow is SendNow, except that when the Writer is idle (nothing queued
// by Send or SendNow, no line being written) m is written at once on the
// calling goroutine instead of being handed to the writing goroutine, which
// saves a wake-up of that goroutine (tens of microseconds when the caller
// has more work before it blocks). It reports whether m was written that way.
//
// Order is the same as SendNow's: m goes out after every line already
// written or being written, ahead of Send's queue (which is empty when the
// write is direct). The Writer's lock is held during the write, so nothing
// else is written meanwhile; other methods wait for it.
//
// The direct write is bounded by DirectTimeout, not WriteTimeout, so the
// caller is never held long by a peer that stopped reading; a write that
// fails or times out ends the Writer exactly like a failed write of its
// goroutine (Err, Unsent). When the Transport is not a BoundedWriter, or the
// Writer is busy or closed, m takes SendNow's path and false is returned.
func (w *Writer) WriteNow(m *irc.Message) (direct bool) {
	if m == nil {
		return false
	}
	w.mu.Lock()
	if w.bt == nil || w.closed || w.stopped || w.failed || !w.idleLocked() {
		w.mu.Unlock()
		w.push(m, true)
		return false
	}
	defer w.mu.Unlock()
	err := w.bt.WriteMessageWithin(m, DirectTimeout)
	if err != nil && !errors.Is(err, ErrBadLine) {
		// As in run: any error but an unframable line ends the Writer;
		// its goroutine reports werr on Err as it stops.
		w.failed = true
		w.werr = &WriteError{Msg: m, Err: err}
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
	w.notifyFlushersLocked()
	return true
}

func (w *Writer) push(m *irc.Message, urgent bool) {
	if m == nil {
		return
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	if urgent {
		w.urgent = append(w.urgent, m)
	} else {
		w.queue = append(w.queue, m)
	}
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Err receives the first write error (a *WriteError), then is closed. It is
// closed without a value when the Writer is closed without an error.
func (w *Writer) Err() <-chan error { return w.errc }

// Close stops the goroutine. Lines not yet taken for writing stay unwritten
// (see Unsent) and nothing more is written after Close returns, except a line
// whose write was already in progress: Close does not wait for that one,
// because a peer that stopped reading would hold it for up to WriteTimeout
// and Close is called from the connection owner's loop. Close the Transport
// to abort it. Close may be called more than once.
func (w *Writer) Close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.quit)
	}
	inFlight := w.writing
	w.mu.Unlock()
	if !inFlight {
		<-w.done
	}
}

// Flush waits until every line queued so far has been written, and reports
// whether that happened: false on timeout, on a write error, or when the
// Writer stopped with lines unwritten. Used before closing for QUIT.
func (w *Writer) Flush(timeout time.Duration) bool {
	w.mu.Lock()
	if w.idleLocked() {
		ok := !w.failed
		w.mu.Unlock()
		return ok
	}
	if w.stopped {
		w.mu.Unlock()
		return false
	}
	ch := make(chan struct{})
	w.flushers = append(w.flushers, ch)
	w.mu.Unlock()
	select {
	case <-ch:
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.idleLocked() && !w.failed
	case <-w.after(timeout):
		return false
	}
}

// TakeQueued atomically removes and returns, in order, every line queued
// by Send that the goroutine has not yet taken for writing: the lines
// still waiting for a flood token. The line being written, if any, is not
// returned and completes before any line sent later; SendNow lines are not
// returned either (they never wait for the limiter and are written ahead
// of the queue anyway). The Writer stays usable.
//
// A migration uses it when the client accepts a move (net/migrate/SPEC.md step 3):
// lines the user typed that OLD has not received yet must not hold back
// MIGRATE OK, and OLD must not process them after OK; the owner queues
// them for NEW instead, where they go out exactly once, in order. A Flush
// under way counts the returned lines as no longer queued.
func (w *Writer) TakeQueued() []*irc.Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	if w.idleLocked() {
		w.notifyFlushersLocked()
	}
	return q
}

// Unsent returns, in the order they would have been written, the lines that
// were queued but never handed to the Transport. Meaningful once the Writer
// has stopped (after Close, or after Err delivered an error): the owner may
// re-queue them elsewhere, for example on a new connection, so that no typed
// line is lost.
func (w *Writer) Unsent() []*irc.Message {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]*irc.Message, 0, len(w.urgent)+len(w.queue))
	out = append(out, w.urgent...)
	return append(out, w.queue...)
}

func (w *Writer) idleLocked() bool {
	return len(w.urgent) == 0 && len(w.queue) == 0 && !w.writing
}

func (w *Writer) notifyFlushersLocked() {
	for _, ch := range w.flushers {
		close(ch)
	}
	w.flushers = nil
}

func (w *Writer) run() {
	defer func() {
		w.mu.Lock()
		w.stopped = true
		w.writing = false
		w.notifyFlushersLocked()
		werr := w.werr
		w.mu.Unlock()
		if werr != nil {
			w.errc <- werr
		}
		close(w.errc)
		close(w.done)
	}()
	for {
		m, ok := w.next()
		if !ok {
			return
		}
		err := w.t.WriteMessage(m)
		w.mu.Lock()
		w.writing = false
		if err != nil && !errors.Is(err, ErrBadLine) {
			// A line that cannot be framed is dropped (the connection is
			// fine); any other error ends the Writer.
			w.failed = true
			w.werr = &WriteError{Msg: m, Err: err}
			w.mu.Unlock()
			return
		}
		if w.idleLocked() {
			w.notifyFlushersLocked()
		}
		w.mu.Unlock()
	}
}

// next waits for the next line to write, honouring the limiter for Send's
// queue, and marks it as being written. ok is false when the Writer closes.
func (w *Writer) next() (m *irc.Message, ok bool) {
	for {
		w.mu.Lock()
		if w.closed || w.failed {
			// failed: a WriteNow on another goroutine failed.
			w.mu.Unlock()
			return nil, false
		}
		if len(w.urgent) > 0 {
			m = popFront(&w.urgent)
			w.writing = true
			w.mu.Unlock()
			return m, true
		}
		if len(w.queue) == 0 {
			w.notifyFlushersLocked()
			w.mu.Unlock()
			select {
			case <-w.wake:
			case <-w.quit:
			}
			continue
		}
		w.mu.Unlock()
		if d := w.l.Take(); d > 0 {
			w.waitToken(d)
			continue
		}
		w.mu.Lock()
		if w.closed || w.failed {
			// The token is spent for nothing; harmless.
			w.mu.Unlock()
			return nil, false
		}
		if len(w.queue) == 0 {
			// TakeQueued emptied the queue while the token was taken;
			// that token is spent for nothing, which only errs on the
			// side of the server's flood limit.
			w.mu.Unlock()
			continue
		}
		m = popFront(&w.queue)
		w.writing = true
		w.mu.Unlock()
		return m, true
	}
}

// waitToken waits d for a flood token; a SendNow line or Close cuts the wait
// short, more Send lines do not (they wait for the same token).
func (w *Writer) waitToken(d time.Duration) {
	timer := w.after(d)
	for {
		select {
		case <-timer:
			return
		case <-w.quit:
			return
		case <-w.wake:
			w.mu.Lock()
			cut := len(w.urgent) > 0 || w.closed || w.failed
			w.mu.Unlock()
			if cut {
				return
			}
		}
	}
}

// popFront removes the first line of q. The slot is cleared and an emptied
// queue dropped, so written lines (and a paste's worth of backing array) do
// not stay reachable for the life of the connection.
func popFront(q *[]*irc.Message) *irc.Message {
	m := (*q)[0]
	(*q)[0] = nil
	*q = (*q)[1:]
	if len(*q) == 0 {
		*q = nil
	}
	return m
}
