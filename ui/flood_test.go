package ui

import (
	"io"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
)

// counting wraps the root model to count Updates and Views and to notice
// the marker event that ends the flood.
type counting struct {
	Model
	views, updates *atomic.Int64
	done           chan struct{}
}

func (c counting) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	c.updates.Add(1)
	if b, ok := msg.(batchMsg); ok {
		last := b[len(b)-1].Events
		if ct, ok := last[len(last)-1].(event.CTCP); ok && ct.Command == "VERSION" {
			defer close(c.done)
		}
	}
	_, cmd := c.Model.Update(msg)
	return c, cmd
}

func (c counting) View() string {
	c.views.Add(1)
	return c.Model.View()
}

// A flood of 100 000 lines in 100 batches, through a real Bubble Tea
// program, costs at most one Update and one View per batch (fewer when
// the reader merges waiting batches), never one per line.
func TestFloodRendersPerBatchNotPerLine(t *testing.T) {
	hs := newHarness(t, 120, 40, Options{NoMouse: true})
	hs.connected()
	hs.feed(event.Join{Meta: meta(0), Channel: "#ferry", Nick: "newcomer", Self: true})
	// Unbuffered, as the connection owner's channel may be: batches then
	// arrive one by one rather than all waiting for one drain.
	hs.conn.ch = make(chan event.Batch)
	c := counting{Model: hs.m, views: new(atomic.Int64), updates: new(atomic.Int64), done: make(chan struct{})}
	p := tea.NewProgram(c, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
	batches := floodBatches(100000, 1000)
	batches = append(batches, event.Batch{Events: []event.Event{event.CTCP{Meta: meta(1), From: "flooder", Target: "newcomer", Command: "VERSION"}}})
	go func() {
		for _, b := range batches {
			hs.conn.ch <- b
		}
	}()
	errc := make(chan error, 1)
	start := time.Now()
	go func() { _, err := p.Run(); errc <- err }()
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the flood was not processed within 30 s")
	}
	elapsed := time.Since(start)
	p.Quit()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	if ch.sb.Len() != ch.sb.Limit() {
		t.Errorf("#ferry keeps %d lines, want the full scrollback %d", ch.sb.Len(), ch.sb.Limit())
	}
	v, u := c.views.Load(), c.updates.Load()
	t.Logf("%d batches: %d Updates, %d Views; %v for 100 000 lines (%v a line, wall clock)",
		len(batches), u, v, elapsed.Round(time.Millisecond), elapsed/100000)
	if v > int64(len(batches))+5 {
		t.Errorf("%d Views for %d batches: rendering is not coalesced", v, len(batches))
	}
}
