package ui

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/ui/statusbar"
)

// search starts a search of the current buffer for q, newest hit first,
// or ends it when q is empty. Hits are marked in the view; Ctrl+F steps to
// older hits, Ctrl+G to newer ones, Esc ends the search.
func (m *model) search(q string) tea.Cmd {
	b := m.cur
	if q == "" {
		m.endSearch()
		return nil
	}
	b.search, b.searchHit = q, b.sb.Len()
	b.view.SetSearch(q)
	return m.searchStep(-1)
}

// searchStep moves to the next hit towards older (dir -1) or newer (+1)
// lines, wrapping around once.
func (m *model) searchStep(dir int) tea.Cmd {
	b := m.cur
	if b.search == "" {
		return nil
	}
	from := b.searchHit + dir
	i, ok := b.sb.Find(b.search, from, dir < 0)
	if !ok {
		// Wrap: from the other end up to the current hit (included, so
		// a lone hit is found again), which the first pass did not scan.
		start := b.sb.Len() - 1
		if dir > 0 {
			start = 0
		}
		i, ok = b.sb.FindWithin(b.search, start, b.searchHit, dir < 0)
	}
	if !ok {
		return m.setNote(b.net, "no match for “"+b.search+"”", statusbar.NoteInfo, noMatchNoteFor)
	}
	b.searchHit = i
	b.view.ScrollTo(i)
	return nil
}

func (m *model) endSearch() {
	b := m.cur
	b.search = ""
	b.view.SetSearch("")
	b.view.End()
}
