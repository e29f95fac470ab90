package chatlog

import (
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// BenchmarkWrite measures what the UI's goroutine pays per event (Write)
// and, with the Flush at the end, the writer's throughput.
func BenchmarkWrite(b *testing.B) {
	w, err := Open(b.TempDir(), Options{Location: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	batch := make([]event.Event, 100)
	for i := range batch {
		batch[i] = event.Message{Meta: event.Meta{Network: "n", Time: t0}, Buffer: "#flood", From: "talker", Text: "a line of ordinary chat text of ordinary length"}
	}
	b.ResetTimer()
	queued := 0
	for i := 0; i < b.N; i += len(batch) {
		w.Write(event.Batch{Events: batch})
		if queued += len(batch); queued >= 32<<10 {
			w.Flush() // stay under the queue bound: measure writing, not waiting
			queued = 0
		}
	}
	w.Flush()
	b.StopTimer()
	if d := w.Waited(); d != 0 {
		b.Logf("Write waited %v", d)
	}
	w.Close()
}
