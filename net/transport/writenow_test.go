package transport

import (
	"bufio"
	"errors"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// boundedRecord is a recordTransport that can bound a write
// (BoundedWriter), recording the bound and the goroutine-independent fact
// that the write happened inside WriteMessageWithin.
type boundedRecord struct {
	*recordTransport
	bmu    sync.Mutex
	bounds []time.Duration
}

func (b *boundedRecord) WriteMessageWithin(m *irc.Message, d time.Duration) error {
	b.bmu.Lock()
	b.bounds = append(b.bounds, d)
	b.bmu.Unlock()
	return b.WriteMessage(m)
}

func (b *boundedRecord) boundsSeen() []time.Duration {
	b.bmu.Lock()
	defer b.bmu.Unlock()
	return append([]time.Duration(nil), b.bounds...)
}

// On an idle Writer, WriteNow has written the line, bounded by
// DirectTimeout, by the time it returns; the Writer goes on normally.
func TestWriteNowIdleWritesDirectly(t *testing.T) {
	r := &boundedRecord{recordTransport: newRecordTransport()}
	w := NewWriter(r, nil)
	defer w.Close()
	if !w.WriteNow(&irc.Message{Command: "MIGRATE", Params: []string{"OK", "tok"}}) {
		t.Fatal("WriteNow on an idle writer was not direct")
	}
	select {
	case got := <-r.written: // already there: no waiting on the goroutine
		if got != "MIGRATE OK tok" {
			t.Fatalf("wrote %q", got)
		}
	default:
		t.Fatal("WriteNow returned before the line was written")
	}
	if b := r.boundsSeen(); len(b) != 1 || b[0] != DirectTimeout {
		t.Fatalf("bounds = %v, want [%v]", b, DirectTimeout)
	}
	w.Send(privmsg(1))
	expectLine(t, r.recordTransport, privmsg(1).String())
	if !w.Flush(guard) {
		t.Fatal("Flush failed after a direct write")
	}
}

// While a line is being written (or lines are queued), WriteNow keeps
// SendNow's order: after the line in progress, ahead of Send's queue.
func TestWriteNowBusyKeepsOrder(t *testing.T) {
	r := &boundedRecord{recordTransport: newRecordTransport()}
	r.hold = make(chan struct{})
	w := NewWriter(r, nil)
	defer w.Close()
	w.Send(privmsg(0))
	<-r.entered // line 0 is being written, held
	w.Send(privmsg(1))
	if w.WriteNow(&irc.Message{Command: "MIGRATE", Params: []string{"RESUME", "tok"}}) {
		t.Fatal("WriteNow was direct while a line was being written")
	}
	for range 3 {
		r.hold <- struct{}{}
	}
	for _, want := range []string{privmsg(0).String(), "MIGRATE RESUME tok", privmsg(1).String()} {
		expectLine(t, r.recordTransport, want)
	}
	if len(r.boundsSeen()) != 0 {
		t.Error("a queued line was written through WriteMessageWithin")
	}
}

// A Transport that cannot bound a write never gets one on the caller's
// goroutine: WriteNow is SendNow.
func TestWriteNowUnboundedTransport(t *testing.T) {
	r := newRecordTransport()
	w := NewWriter(r, nil)
	defer w.Close()
	if w.WriteNow(&irc.Message{Command: "PONG", Params: []string{"x"}}) {
		t.Fatal("direct write through a Transport without a bound")
	}
	expectLine(t, r, "PONG x")
}

// A direct write that fails ends the Writer as a failed write of its
// goroutine does: Err reports it, later lines stay Unsent, Flush fails.
func TestWriteNowErrorStops(t *testing.T) {
	r := &boundedRecord{recordTransport: newRecordTransport()}
	r.failOn = "MIGRATE"
	w := NewWriter(r, nil)
	if !w.WriteNow(&irc.Message{Command: "MIGRATE", Params: []string{"OK", "tok"}}) {
		t.Fatal("not direct")
	}
	w.Send(privmsg(1))
	expectWriteError(t, w, "MIGRATE")
	w.Close()
	if un := w.Unsent(); len(un) != 1 || un[0].String() != privmsg(1).String() {
		t.Fatalf("Unsent = %v, want line 1", un)
	}
	if w.WriteNow(privmsg(2)) {
		t.Error("direct write on a failed writer")
	}
}

// WriteMessageWithin honours its bound: a peer that does not read makes
// it fail with a deadline error instead of blocking for WriteTimeout.
func TestWriteMessageWithinBound(t *testing.T) {
	client, server := net.Pipe() // unbuffered: nobody reads server
	defer server.Close()
	tr := NewTransport(client, false)
	defer tr.Close()
	bw, ok := tr.(BoundedWriter)
	if !ok {
		t.Fatal("transport is not a BoundedWriter")
	}
	err := bw.WriteMessageWithin(irc.MustParseMessage("MIGRATE OK tok"), time.Millisecond)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	// Within its bound, to a peer that reads, the line goes out whole.
	client2, server2 := net.Pipe()
	defer server2.Close()
	tr2 := NewTransport(client2, false)
	defer tr2.Close()
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(server2).ReadString('\n')
		got <- line
	}()
	if err := tr2.(BoundedWriter).WriteMessageWithin(irc.MustParseMessage("MIGRATE RESUME tok"), guard); err != nil {
		t.Fatal(err)
	}
	if line := <-got; line != "MIGRATE RESUME tok\r\n" {
		t.Fatalf("wrote %q", line)
	}
}
