package conn

import (
	"strconv"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// BenchmarkIncomingFlood measures the connection owner's share of a flood:
// lines read from a loopback server, handled by the session and delivered
// to the Events channel as batches (ns per line; the UI's cost is not in
// it). The lines are written by the fake server ahead of time so the
// client, not the server, is what is measured.
func BenchmarkIncomingFlood(b *testing.B) {
	srv := newRelay(b)
	p := NewPool(PoolOptions{Networks: []NetworkConfig{plainNet("net", "flo", srv.port())}})
	p.Start()
	defer p.Close()
	// Wait for registration.
	for {
		select {
		case batch := <-p.Events():
			for _, e := range batch.Events {
				if cs, ok := e.(event.ConnState); ok && cs.State == event.StateRegistered {
					goto registered
				}
			}
		case <-time.After(5 * time.Second):
			b.Fatal("not registered")
		}
	}
registered:
	cl := srv.client("flo")
	go func() {
		for i := 0; i < b.N; i++ {
			cl.send(":other!u@h PRIVMSG #flood :line number " + strconv.Itoa(i) + " with some ordinary chat text in it")
		}
	}()
	b.ResetTimer()
	got, batches := 0, 0
	for got < b.N {
		select {
		case batch := <-p.Events():
			batches++
			for _, e := range batch.Events {
				if _, ok := e.(event.Message); ok {
					got++
				}
			}
		case <-time.After(10 * time.Second):
			b.Fatalf("%d of %d lines arrived", got, b.N)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/float64(max(batches, 1)), "lines/batch")
}
