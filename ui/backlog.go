package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
)

// maxApply bounds the events one Update applies. The connection owner
// hands over everything gathered while the UI was busy as one batch, which
// under a flood can hold a hundred thousand events; applied in slices of
// maxApply, each in its own Update, a key press that arrived meanwhile is
// handled between two slices (Bubble Tea takes messages in arrival order)
// and a frame is drawn after each, while the events keep their order. The
// next batch is read only once the backlog is empty, so the owner keeps
// gathering meanwhile and ordering across batches holds.
const maxApply = 2048

// applyMoreMsg asks for the next slice of the backlog.
type applyMoreMsg struct{}

func applyMore() tea.Msg { return applyMoreMsg{} }

// backlog is the events received and not applied yet, in order.
type backlog struct {
	batches [][]event.Event
	pos     int  // events of batches[0] applied already
	rang    bool // the bell rang for what is being applied
}

func (b *backlog) empty() bool { return len(b.batches) == 0 }

// applySome applies up to maxApply events of the backlog and returns the
// commands that apply produced, plus the one that goes on: the next slice
// when events remain, else the event reader.
func (m *model) applySome() tea.Cmd {
	var cmds []tea.Cmd
	b := &m.backlog
	for left := maxApply; left > 0 && !b.empty(); {
		evs := b.batches[0][b.pos:]
		if len(evs) > left {
			evs = evs[:left]
		}
		cmds = append(cmds, m.apply(evs)...)
		clear(evs) // what was applied may go before the rest of a long batch is
		left -= len(evs)
		b.pos += len(evs)
		if b.pos == len(b.batches[0]) {
			b.batches[0] = nil
			b.batches, b.pos = b.batches[1:], 0
		}
	}
	cmds = append(cmds, m.flushNotify())
	if b.empty() {
		b.batches, b.rang = nil, false
		cmds = append(cmds, waitEvents(m.conn.Events()))
	} else {
		cmds = append(cmds, applyMore)
	}
	return tea.Batch(cmds...)
}
