package ui

import (
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/ui/statusbar"
)

// mouseNote is how long the status bar says what ToggleMouse did.
const mouseNote = 4 * time.Second

// toggleMouse turns mouse reporting off (the terminal selects text again,
// without Shift) or back on, and says which in the status bar.
func (m *model) toggleMouse() tea.Cmd {
	m.mouseOn = !m.mouseOn
	mode, text := tea.DisableMouse, "mouse off: the terminal selects text; "+m.keys.ToggleMouse.Help().Key+" turns it back on"
	if m.mouseOn {
		mode, text = tea.EnableMouseCellMotion, "mouse on: the wheel scrolls, a click in the sidebar switches buffer"
	}
	return tea.Batch(mode, m.setNote(m.cur.net, text, statusbar.NoteInfo, mouseNote))
}
