// Package chatlog writes plain-text chat logs, one file per buffer per
// network under <dir>/<network>/<buffer>.log, in irssi's style:
//
//	--- Log opened Thu Nov 26 14:03:12 2026
//	2026-11-26 14:03:12 <alice> hello
//	2026-11-26 14:03:15 * bob waves
//	2026-11-26 14:03:20 -ChanServ- welcome
//	2026-11-26 14:04:01 --> carol (carol@example.net) has joined #ferry
//	--- Log closed Thu Nov 26 15:00:00 2026
//
// Our own typed lines are written when the connection reports them
// Delivered, at the time typed; a line that never went out (Failed, or still
// waiting at Close) is written marked "-!- not sent: " (NotSent) instead.
//
// It consumes the same event batches the UI does, and never drops one:
// the batch is queued and one goroutine writes the files; Write waits
// (briefly, see Options.MaxWait) only while the writer is behind. Lines are written as
// plain text (mIRC formatting removed, control characters replaced), so
// `cat` on a log cannot drive the terminal. Secrets never reach a log: our
// own lines to services (NickServ IDENTIFY, REGISTER, ...) are masked, and
// migrate tokens are not part of any event.
package chatlog

import (
	"bufio"
	"container/list"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// Logger receives warnings: a writer far behind, files that cannot be
// written.
type Logger interface{ Printf(format string, v ...any) }

// Defaults for Options.
const (
	DefaultMaxOpen    = 64
	DefaultQueueLimit = 64 << 10
	DefaultMaxWait    = 20 * time.Millisecond
)

// Options tune a Writer; the zero value is usable.
type Options struct {
	// MaxOpen bounds the open log files; the least recently written is
	// closed (with a "Log closed" line) to open another. 0 = DefaultMaxOpen.
	MaxOpen int
	// QueueLimit is how many events may wait to be written before Write
	// makes its caller wait for the writer. 0 = DefaultQueueLimit.
	//
	// A log is a record: losing lines of it under a flood (a JOIN flood
	// of 100 000 nicks arrives faster than one goroutine formats and
	// writes them) makes it useless, so nothing is ever dropped. Over the
	// limit, Write waits for the writer to take the queue, but at most
	// MaxWait per call: its caller hands the same batches to the UI, which
	// must stay responsive, and the network must be read. After MaxWait
	// the batch is queued anyway, over the limit. So the queue is bounded
	// by the limit while the disk keeps up with the network on average,
	// which a local disk does by far (the writer writes hundreds of
	// thousands of lines a second); a stalled disk makes every Write wait
	// MaxWait (slowing the reading of the network to a batch per MaxWait,
	// which is the back-pressure) and the queue grow by what arrives
	// meanwhile, which a warning reports. Spilling to a file instead
	// would wait on the same stalled disk.
	QueueLimit int
	// MaxWait bounds how long one Write waits for room in the queue.
	// 0 = DefaultMaxWait.
	MaxWait time.Duration
	// Log receives warnings; nil discards them.
	Log Logger
	// Location is the time zone of timestamps; nil = time.Local.
	Location *time.Location
	// Now is the clock for events without a time and for the Log
	// opened/closed lines; nil = time.Now.
	Now func() time.Time
}

// Writer writes chat logs. Write and Close may be called from any
// goroutine.
type Writer struct {
	dir  string
	opts Options

	mu       sync.Mutex
	cond     *sync.Cond // the writer waits on it for events
	room     *sync.Cond // Write waits on it for the writer to take the queue
	queue    []item
	queued   int // events in queue
	closed   bool
	overfull bool // queued over the limit after a full MaxWait, not warned yet
	waited   time.Duration

	done chan struct{} // closed when the writer goroutine has finished
	err  error         // first error closing files; read after done

	// hold, when set (tests only), is called by the writer goroutine
	// before it takes queued items, without the lock.
	hold func()

	// Owned by the writer goroutine.
	files    map[string]*file
	lru      *list.List // of *file, most recently used at the front
	networks map[string]*netState
	failed   map[string]bool // paths whose open failed, warned once
}

// item is one queued event, or a flush request (done != nil).
type item struct {
	ev   event.Event
	done chan struct{}
}

type file struct {
	path string
	f    *os.File
	w    *bufio.Writer
	elem *list.Element
}

// Open starts a Writer logging under dir, which it creates (0700) if
// needed. Files are created 0600: logs are private conversations.
func Open(dir string, opts Options) (*Writer, error) {
	return open(dir, opts, nil)
}

func open(dir string, opts Options, hold func()) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("chat logs: %w", err)
	}
	if opts.MaxOpen <= 0 {
		opts.MaxOpen = DefaultMaxOpen
	}
	if opts.QueueLimit <= 0 {
		opts.QueueLimit = DefaultQueueLimit
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = DefaultMaxWait
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	w := &Writer{
		dir:      dir,
		opts:     opts,
		done:     make(chan struct{}),
		files:    map[string]*file{},
		lru:      list.New(),
		networks: map[string]*netState{},
		failed:   map[string]bool{},
		hold:     hold,
	}
	w.cond = sync.NewCond(&w.mu)
	w.room = sync.NewCond(&w.mu)
	go w.run()
	return w, nil
}

// Write queues the batch's events for logging. While the queue holds
// QueueLimit events or more it first waits for the writer to take them,
// at most MaxWait; then it queues the batch regardless: no event is ever
// dropped. After Close everything is ignored. The caller must not change
// the events afterwards (the net/event contract).
func (w *Writer) Write(b event.Batch) {
	if len(b.Events) == 0 {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.queued >= w.opts.QueueLimit && !w.closed {
		start := time.Now()
		// sync.Cond has no timeout: a timer wakes us at the deadline.
		expired := false
		t := time.AfterFunc(w.opts.MaxWait, func() {
			w.mu.Lock()
			expired = true
			w.mu.Unlock()
			w.room.Broadcast()
		})
		for w.queued >= w.opts.QueueLimit && !w.closed && !expired {
			w.room.Wait()
		}
		t.Stop()
		w.waited += time.Since(start)
		if expired && w.queued >= w.opts.QueueLimit {
			w.overfull = true
		}
	}
	if w.closed {
		return
	}
	for _, ev := range b.Events {
		w.queue = append(w.queue, item{ev: ev})
	}
	w.queued += len(b.Events)
	w.cond.Signal()
}

// Waited is the total time Write spent waiting for the writer: the cost
// of never dropping a line, which a flood benchmark reports.
func (w *Writer) Waited() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waited
}

// Flush waits until every event queued before it is written to the files
// (not fsynced). It returns at once after Close.
func (w *Writer) Flush() {
	done := make(chan struct{})
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.queue = append(w.queue, item{done: done})
	w.cond.Signal()
	w.mu.Unlock()
	select {
	case <-done:
	case <-w.done:
	}
}

// Close writes everything queued, adds a "Log closed" line to each open
// file and closes it. It returns the first error closing a file. Calling
// it again returns the same result.
func (w *Writer) Close() error {
	w.mu.Lock()
	w.closed = true
	w.cond.Signal()
	w.room.Broadcast()
	w.mu.Unlock()
	<-w.done
	return w.err
}

func (w *Writer) run() {
	defer close(w.done)
	var spare []item
	for {
		w.mu.Lock()
		for len(w.queue) == 0 && !w.closed {
			w.cond.Wait()
		}
		if w.hold != nil {
			w.mu.Unlock()
			w.hold()
			w.mu.Lock()
		}
		q := w.queue
		w.queue, spare = spare[:0], nil
		w.queued = 0
		w.room.Broadcast()
		closed := w.closed
		overfull := w.overfull
		w.overfull = false
		w.mu.Unlock()

		if overfull {
			w.warn("chat logs: the disk is slow, %d events were waiting to be written (none lost)", len(q))
		}
		for i, it := range q {
			if it.done != nil {
				w.flushAll()
				close(it.done)
			} else {
				w.write(it.ev)
			}
			q[i] = item{}
		}
		w.flushAll()
		spare = q
		if closed {
			w.mu.Lock()
			rest := len(w.queue)
			w.mu.Unlock()
			if rest == 0 {
				w.unsent()
				w.closeAll()
				return
			}
		}
	}
}

func (w *Writer) warn(format string, v ...any) {
	if w.opts.Log != nil {
		w.opts.Log.Printf(format, v...)
	}
}

// line appends one timestamped line to network's buffer log.
func (w *Writer) line(network, buffer string, t time.Time, text string) {
	f := w.file(network, buffer)
	if f == nil {
		return
	}
	if t.IsZero() {
		t = w.opts.Now()
	}
	stamp := t.In(w.opts.Location).Format("2006-01-02 15:04:05")
	for row := range strings.SplitSeq(text, "\n") {
		f.w.WriteString(stamp)
		f.w.WriteByte(' ')
		f.w.WriteString(row)
		f.w.WriteByte('\n')
	}
}

// file returns the open log of network's buffer, opening it (and closing
// the least recently used one) as needed; nil when it cannot be opened.
func (w *Writer) file(network, buffer string) *file {
	dir := DirName(network)
	name := FileName(w.net(network).casemap, buffer)
	if buffer == "" {
		name = ServerFile
	}
	path := filepath.Join(w.dir, dir, name)
	if f, ok := w.files[path]; ok {
		w.lru.MoveToFront(f.elem)
		return f
	}
	if err := os.MkdirAll(filepath.Join(w.dir, dir), 0o700); err != nil {
		w.openFailed(path, err)
		return nil
	}
	osf, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		w.openFailed(path, err)
		return nil
	}
	delete(w.failed, path)
	for w.lru.Len() >= w.opts.MaxOpen {
		w.closeFile(w.lru.Back().Value.(*file))
	}
	f := &file{path: path, f: osf, w: bufio.NewWriter(osf)}
	f.elem = w.lru.PushFront(f)
	w.files[path] = f
	fmt.Fprintf(f.w, "--- Log opened %s\n", w.opts.Now().In(w.opts.Location).Format("Mon Jan 02 15:04:05 2006"))
	return f
}

func (w *Writer) openFailed(path string, err error) {
	if !w.failed[path] {
		w.failed[path] = true
		w.warn("chat logs: %v", err)
	}
}

func (w *Writer) closeFile(f *file) error {
	fmt.Fprintf(f.w, "--- Log closed %s\n", w.opts.Now().In(w.opts.Location).Format("Mon Jan 02 15:04:05 2006"))
	err := f.w.Flush()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		w.warn("chat logs: %s: %v", f.path, err)
	}
	w.lru.Remove(f.elem)
	delete(w.files, f.path)
	return err
}

func (w *Writer) flushAll() {
	for _, f := range w.files {
		if err := f.w.Flush(); err != nil && !w.failed[f.path] {
			w.failed[f.path] = true
			w.warn("chat logs: %s: %v", f.path, err)
		}
	}
}

func (w *Writer) closeAll() {
	var errs []error
	for w.lru.Len() > 0 {
		if err := w.closeFile(w.lru.Back().Value.(*file)); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		w.err = fmt.Errorf("chat logs: %w", errors.Join(errs...))
	}
}
