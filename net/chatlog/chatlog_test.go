package chatlog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

var t0 = time.Date(2026, 11, 26, 14, 3, 12, 0, time.UTC)

func at(sec int) event.Meta {
	return event.Meta{Network: "Libera", Time: t0.Add(time.Duration(sec) * time.Second)}
}

func openTest(t *testing.T, opts Options) (*Writer, string) {
	t.Helper()
	dir := t.TempDir()
	opts.Location = time.UTC
	opts.Now = func() time.Time { return t0 }
	w, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w, dir
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestSequence(t *testing.T) {
	w, dir := openTest(t, Options{})
	w.Write(event.Batch{Events: []event.Event{
		event.ISupport{Meta: at(0), ChanTypes: "#"},
		event.Registered{Meta: at(0), Nick: "me", ServerName: "s1.example"},
		event.Join{Meta: at(1), Channel: "#Ferry", Nick: "me", UserHost: "me@host", Self: true},
		event.Topic{Meta: at(1), Channel: "#ferry", Topic: "welcome \x02home\x02", SetBy: "op", SetAt: t0.Add(-time.Hour)},
		event.Message{Meta: at(2), Buffer: "#ferry", From: "alice", Text: "hello \x0304red\x03 world"},
		event.Message{Meta: at(3), Kind: event.Action, Buffer: "#ferry", From: "bob", Text: "waves"},
		event.Message{Meta: at(4), Kind: event.Notice, Buffer: "#ferry", From: "ChanServ", Text: "hi"},
		event.Message{Meta: at(5), Buffer: "#ferry", From: "me", Self: true, LocalID: 7, Text: "my line", Pending: true},
		// The echo-message update of the same line must not log it twice.
		event.Message{Meta: at(6), Buffer: "#ferry", From: "me", Self: true, LocalID: 7, Text: "my line", MsgID: "abc", Echo: true},
		event.Delivered{Meta: at(6), LocalID: 7},
		&event.Join{Meta: at(7), Channel: "#ferry", Nick: "carol", UserHost: "c@example.net"},
		event.NickChange{Meta: at(8), Old: "carol", New: "caro", Channels: []string{"#ferry"}},
		event.Mode{Meta: at(9), Target: "#ferry", By: "op", Modes: "+o", Params: []string{"caro"}},
		event.Topic{Meta: at(10), Channel: "#ferry", Topic: "new", SetBy: "caro", Changed: true},
		event.Kick{Meta: at(11), Channel: "#ferry", Nick: "bob", By: "caro", Reason: "bye"},
		event.Part{Meta: at(12), Channel: "#ferry", Nick: "alice"},
		event.Quit{Meta: at(13), Nick: "caro", Reason: "gone", Channels: []string{"#ferry"}},
		event.Message{Meta: at(14), Buffer: "Dave", From: "Dave", Text: "psst"},
		event.Info{Meta: at(15), Code: "372", Text: "motd line"},
		event.Migration{Meta: at(16), Step: event.MigrationResumed, Target: "s2", Window: 4 * time.Millisecond},
		event.Lag{Meta: at(17), RTT: time.Second},
	}})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	const opened = "--- Log opened Thu Nov 26 14:03:12 2026\n"
	const closed = "--- Log closed Thu Nov 26 14:03:12 2026\n"
	wantChan := opened +
		"2026-11-26 14:03:13 --> me (me@host) has joined #Ferry\n" +
		"2026-11-26 14:03:13 -!- Topic for #ferry: welcome home\n" +
		"2026-11-26 14:03:13 -!- Topic set by op [Thu Nov 26 13:03:12 2026]\n" +
		"2026-11-26 14:03:14 <alice> hello red world\n" +
		"2026-11-26 14:03:15 * bob waves\n" +
		"2026-11-26 14:03:16 -ChanServ- hi\n" +
		"2026-11-26 14:03:17 <me> my line\n" +
		"2026-11-26 14:03:19 --> carol (c@example.net) has joined #ferry\n" +
		"2026-11-26 14:03:20 -!- carol is now known as caro\n" +
		"2026-11-26 14:03:21 -!- mode/#ferry [+o caro] by op\n" +
		"2026-11-26 14:03:22 -!- caro changed the topic of #ferry to: new\n" +
		"2026-11-26 14:03:23 <-- bob was kicked from #ferry by caro (bye)\n" +
		"2026-11-26 14:03:24 <-- alice has left #ferry\n" +
		"2026-11-26 14:03:25 <-- caro has quit (gone)\n" +
		closed
	if got := read(t, filepath.Join(dir, "libera", "#ferry.log")); got != wantChan {
		t.Errorf("#ferry.log:\n%s\nwant:\n%s", got, wantChan)
	}
	wantQuery := opened + "2026-11-26 14:03:26 <Dave> psst\n" + closed
	if got := read(t, filepath.Join(dir, "libera", "dave.log")); got != wantQuery {
		t.Errorf("dave.log:\n%s\nwant:\n%s", got, wantQuery)
	}
	wantServer := opened +
		"2026-11-26 14:03:12 -!- Connected to s1.example as me\n" +
		"2026-11-26 14:03:27 -!- motd line\n" +
		"2026-11-26 14:03:28 -!- Moved to s2 (window 4ms)\n" +
		closed
	if got := read(t, filepath.Join(dir, "libera", ServerFile)); got != wantServer {
		t.Errorf("server log:\n%s\nwant:\n%s", got, wantServer)
	}
	fi, err := os.Stat(filepath.Join(dir, "libera", "dave.log"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("log file mode: %v %v", fi.Mode(), err)
	}
}

// TestFlushAndClose: Flush is a barrier (queued lines are in the file when
// it returns) and Close writes what is still queued; Write after Close is
// ignored without blocking.
func TestFlushAndClose(t *testing.T) {
	w, dir := openTest(t, Options{})
	path := filepath.Join(dir, "libera", "#a.log")
	w.Write(event.Batch{Events: []event.Event{event.Message{Meta: at(0), Buffer: "#a", From: "x", Text: "one"}}})
	w.Flush()
	if got := read(t, path); !strings.HasSuffix(got, "<x> one\n") {
		t.Errorf("after Flush: %q", got)
	}
	for i := range 100 {
		w.Write(event.Batch{Events: []event.Event{event.Message{Meta: at(i), Buffer: "#a", From: "x", Text: fmt.Sprint("line ", i)}}})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := read(t, path)
	if !strings.Contains(got, "<x> line 99\n--- Log closed") || strings.Count(got, "<x> line") != 100 {
		t.Errorf("after Close:\n%s", got)
	}
	w.Write(event.Batch{Events: []event.Event{event.Message{Meta: at(0), Buffer: "#a", From: "x", Text: "late"}}})
	w.Flush()
	if err := w.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if strings.Contains(read(t, path), "late") {
		t.Error("a line written after Close reached the file")
	}
}

// TestQueueBound: when the writer is stuck, a Write over the bound waits
// at most MaxWait, then queues its events anyway: once the writer moves
// again every event is logged, and a warning says the disk was slow.
func TestQueueBound(t *testing.T) {
	var logs testLog
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	dir := t.TempDir()
	const maxWait = 30 * time.Millisecond
	w, err := open(dir, Options{QueueLimit: 10, MaxWait: maxWait, Log: &logs, Location: time.UTC}, func() {
		once.Do(func() { close(reached); <-release })
	})
	if err != nil {
		t.Fatal(err)
	}
	evs := make([]event.Event, 26)
	for i := range evs {
		evs[i] = event.Message{Meta: at(i), Buffer: "#a", From: "x", Text: fmt.Sprint(i)}
	}
	w.Write(event.Batch{Events: evs[:1]})
	<-reached // the writer is stuck before taking the queue
	start := time.Now()
	w.Write(event.Batch{Events: evs[1:8]}) // under the bound: at once
	if d := time.Since(start); d >= maxWait {
		t.Errorf("a Write under the bound took %v", d)
	}
	w.Write(event.Batch{Events: evs[8:12]}) // reaches the bound: at once
	start = time.Now()
	w.Write(event.Batch{Events: evs[12:]}) // over it: waits MaxWait, then queues
	if d := time.Since(start); d < maxWait || d > maxWait+time.Second {
		t.Errorf("a Write over the bound took %v, want about %v", d, maxWait)
	}
	if w.Waited() < maxWait {
		t.Errorf("Waited = %v", w.Waited())
	}
	close(release)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := read(t, filepath.Join(dir, "libera", "#a.log"))
	if n := strings.Count(got, "<x>"); n != 26 || !strings.Contains(got, "<x> 25\n") {
		t.Errorf("logged %d lines, want 26:\n%s", n, got)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	if len(logs.lines) != 1 || !strings.Contains(logs.lines[0], "none lost") {
		t.Errorf("warnings = %q", logs.lines)
	}
}

// TestFloodLosesNothing feeds 100 000 JOINs in batches, as fast as a
// network loop hands them over, to a writer slowed as a busy disk is (each
// time it takes the queue it first waits 5 ms): every line reaches the
// file, in order, and no Write waits much longer than MaxWait.
func TestFloodLosesNothing(t *testing.T) {
	const n, batch, maxWait = 100_000, 250, 20 * time.Millisecond
	dir := t.TempDir()
	w, err := open(dir, Options{QueueLimit: 4096, MaxWait: maxWait, Location: time.UTC}, func() { time.Sleep(5 * time.Millisecond) })
	if err != nil {
		t.Fatal(err)
	}
	var slowest time.Duration
	start := time.Now()
	for i := 0; i < n; i += batch {
		evs := make([]event.Event, batch)
		for j := range evs {
			evs[j] = event.Join{Meta: at(0), Channel: "#flood", Nick: fmt.Sprint("n", i+j), UserHost: "u@h"}
		}
		t0 := time.Now()
		w.Write(event.Batch{Events: evs})
		slowest = max(slowest, time.Since(t0))
	}
	fed := time.Since(start)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("fed %d events in %v, all written after %v; the producer waited %v in all, %v at most at once",
		n, fed, time.Since(start), w.Waited(), slowest)
	if w.Waited() == 0 {
		t.Error("the producer never waited: the writer was not slower (the test proves nothing)")
	}
	// MaxWait plus scheduling on a busy machine.
	if slowest > maxWait+500*time.Millisecond {
		t.Errorf("one Write took %v, MaxWait is %v", slowest, maxWait)
	}
	lines := strings.Split(read(t, filepath.Join(dir, "libera", "#flood.log")), "\n")
	next := 0
	for _, l := range lines {
		if !strings.Contains(l, " has joined ") {
			continue
		}
		if want := fmt.Sprintf("--> n%d (u@h) has joined #flood", next); !strings.HasSuffix(l, want) {
			t.Fatalf("line %d: %q, want ...%q", next, l, want)
		}
		next++
	}
	if next != n {
		t.Errorf("%d join lines in the file, want %d", next, n)
	}
}

type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, v...))
}
