package main

import (
	"cmp"
	"slices"
	"sync"

	"github.com/ferry-irc/ferry/cmd/internal/journal"
	"github.com/ferry-irc/ferry/net/event"
)

// undelivered follows our typed lines through the events, to know at exit
// which never reached a server: a line (a Self message with a LocalID) is
// outstanding until its Delivered. A Failed while ferry runs is the UI's
// business (the line is shown not sent, /resend sends it again); a Failed
// once the user quit that network or ferry is closing, and a line still
// outstanding when the Pool has closed, are undelivered at exit and go to
// the journal.
//
// It sees every event before the UI does (relay), so nothing the UI no
// longer reads at exit escapes it. Its methods may be called from any
// goroutine.
type undelivered struct {
	mu        sync.Mutex
	seq       uint64
	open      map[uint64][]pendingLine // LocalID -> its lines, not yet settled
	delivered map[uint64]bool          // recently delivered LocalIDs, bounded
	order     []uint64                 // delivered keys, oldest first
	lost      []pendingLine            // failed by the quit or the close
	quitting  map[string]bool          // networks the user (or a signal) quit
	closing   bool                     // the program has ended
}

type pendingLine struct {
	seq  uint64 // typing order
	line journal.Line
}

// maxDelivered bounds the remembered delivered LocalIDs: enough to skip an
// update of a line that comes after its Delivered.
const maxDelivered = 4096

func newUndelivered() *undelivered {
	return &undelivered{open: map[uint64][]pendingLine{}, delivered: map[uint64]bool{}, quitting: map[string]bool{}}
}

// quit notes that QUIT was asked on network: lines failed from now on were
// dropped by the quit, not refused.
func (u *undelivered) quit(network string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.quitting[network] = true
}

// close notes that the program has ended and the Pool is closing.
func (u *undelivered) close() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.closing = true
}

// batch takes the events of one batch, in order.
func (u *undelivered) batch(b event.Batch) {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, e := range b.Events {
		u.event(e)
	}
}

func (u *undelivered) event(e event.Event) {
	switch ev := e.(type) {
	case event.Message:
		if !ev.Self || ev.LocalID == 0 || u.delivered[ev.LocalID] {
			return
		}
		if ev.MsgID != "" || ev.Buffer == "" {
			// The server's echo: it has the line. (A line to the
			// server buffer has no target to send it to again.)
			return
		}
		for _, p := range u.open[ev.LocalID] {
			if p.line.Text == ev.Text {
				return // an update of a line already followed
			}
		}
		u.seq++
		u.open[ev.LocalID] = append(u.open[ev.LocalID], pendingLine{seq: u.seq, line: journal.Line{
			Network: ev.Network, Target: ev.Buffer, Nick: ev.From, Kind: journalKind(ev.Kind), Text: ev.Text, Time: ev.Time}})
	case event.Delivered:
		delete(u.open, ev.LocalID)
		if len(u.order) >= maxDelivered {
			delete(u.delivered, u.order[0])
			u.order = u.order[1:]
		}
		u.delivered[ev.LocalID] = true
		u.order = append(u.order, ev.LocalID)
	case event.Failed:
		if u.closing || u.quitting[ev.Network] {
			u.lost = append(u.lost, u.open[ev.LocalID]...)
		}
		delete(u.open, ev.LocalID)
	}
}

// journal is the lines undelivered at exit, in the order typed. Call it
// once the events have ended (the Pool closed).
func (u *undelivered) journal() []journal.Line {
	u.mu.Lock()
	defer u.mu.Unlock()
	all := append([]pendingLine(nil), u.lost...)
	for _, ps := range u.open {
		all = append(all, ps...)
	}
	slices.SortFunc(all, func(a, b pendingLine) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]journal.Line, len(all))
	for i, p := range all {
		out[i] = p.line
	}
	return out
}
