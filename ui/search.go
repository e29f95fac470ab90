package ui

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
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
	if b.kind != serverBuf {
		// The server may keep more than the scrollback: a server that
		// offers search answers with an event.SearchResults.
		m.conn.Do(b.net.name, command.Search{Buffer: b.name, Text: q})
	}
	return m.searchStep(-1)
}

// searchResults shows the server's answer to a /search under the
// buffer's lines: a header, then one line per message with its date,
// oldest first. The running search marks and reaches them as any line.
func (m *model) searchResults(ev event.SearchResults) tea.Cmd {
	n := m.network(ev.Network)
	b := n.find(ev.Buffer)
	if b == nil {
		b = n.server0
	}
	if ev.Failed != "" {
		m.line(b, ev.Time, scrollback.Error, "", "the server could not search for “"+ev.Text+"”: "+ev.Failed)
		return nil
	}
	if len(ev.Messages) == 0 {
		m.line(b, ev.Time, scrollback.Info, "", "the server's history has no message with “"+ev.Text+"”")
		return nil
	}
	m.line(b, ev.Time, scrollback.Info, "", fmt.Sprintf("the server's history has %d message(s) with “%s”:", len(ev.Messages), ev.Text))
	for _, msg := range ev.Messages {
		at := msg.Time.In(m.loc).Format("2 Jan 2006 15:04")
		who := "<" + msg.From + ">"
		switch msg.Kind {
		case event.Action:
			who = "* " + msg.From
		case event.Notice:
			who = "-" + msg.From + "-"
		}
		m.line(b, ev.Time, scrollback.Info, "", "  "+at+" "+who+" "+msg.Text)
	}
	if b != m.cur || b.search == "" {
		return nil
	}
	return m.setNote(n, fmt.Sprintf("%d message(s) from the server's history, below", len(ev.Messages)), statusbar.NoteInfo, noMatchNoteFor)
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
