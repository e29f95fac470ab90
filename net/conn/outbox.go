package conn

import (
	"sync"

	"github.com/ferry-irc/ferry/net/event"
)

// outbox coalesces the events of every network into batches for the one
// Events channel. Producers (network loops) append under a mutex and never
// block on the consumer; a single forwarding goroutine hands everything
// gathered since the previous receive over as one Batch. A slow UI therefore
// costs memory for pending events, never a stalled network loop, and a flood
// of N lines arrives as a handful of batches, not N sends.
type outbox struct {
	mu      sync.Mutex
	pending []event.Event
	wake    chan struct{} // capacity 1: "pending is non-empty"
	out     chan event.Batch
	stop    chan struct{} // closed by close(): the forwarder gives up
	done    chan struct{} // closed when the forwarder has exited and out is closed
}

func newOutbox() *outbox {
	b := &outbox{
		wake: make(chan struct{}, 1),
		out:  make(chan event.Batch),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go b.forward()
	return b
}

// add queues events for the next batch. Safe from any goroutine.
func (b *outbox) add(evs ...event.Event) {
	if len(evs) == 0 {
		return
	}
	b.mu.Lock()
	b.pending = append(b.pending, evs...)
	b.mu.Unlock()
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

func (b *outbox) take() []event.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	evs := b.pending
	b.pending = nil
	return evs
}

func (b *outbox) forward() {
	defer close(b.done)
	defer close(b.out)
	for {
		select {
		case <-b.wake:
		case <-b.stop:
			return
		}
		evs := b.take()
		if len(evs) == 0 {
			continue
		}
		select {
		case b.out <- event.Batch{Events: evs}:
		case <-b.stop:
			return
		}
	}
}

// close stops the forwarder without waiting for a reader; events still
// pending are dropped (the Pool is shutting down). The Events channel is
// closed so a consumer ranging over it ends.
func (b *outbox) close() {
	select {
	case <-b.stop:
	default:
		close(b.stop)
	}
	<-b.done
}
