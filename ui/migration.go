package ui

import (
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/ferry-irc/ferry/ui/statusbar"
)

// How long transient status notes stay (net/migrate/SPEC.md: the result of a move
// is shown "for a few seconds"; a failure a little longer).
const (
	resumedNoteFor  = 5 * time.Second
	declinedNoteFor = 5 * time.Second
	failedNoteFor   = 10 * time.Second
	noMatchNoteFor  = 3 * time.Second
	// movingNoteFor only bounds "moving to s2…" should the network side
	// never report the outcome; net/migrate/SPEC.md's hold is 60 s.
	movingNoteFor = 90 * time.Second
)

// migration shows a migration step: a status note while it runs ("moving
// to s2…") and for a few seconds after, and one line in the network's
// server buffer for how it ended, so that the record stays after the note
// went: "moved to s2 (window 4 ms)", "move to s2 declined: <reason>", "move
// to s2 failed: <what happened> — <what was done>". Lines typed meanwhile
// arrive as Pending Self messages and need nothing here. No
// connection-state text is produced: the network side emits no ConnState
// for a migration, and neither does this.
func (m *model) migration(ev event.Migration) tea.Cmd {
	n := m.network(ev.Network)
	target := ev.Target
	if target == "" {
		target = ev.Host
	}
	if target == "" {
		target = "another server"
	}
	switch ev.Step {
	case event.MigrationOffered, event.MigrationAccepted, event.MigrationProceeding:
		return m.setNote(n, "moving to "+target+"…", statusbar.NoteAccent, movingNoteFor)
	case event.MigrationResumed:
		if ev.Host != "" {
			n.server = ev.Host
		}
		n.serverName = target
		m.line(n.server0, ev.Time, scrollback.Info, "", "moved to "+target+" (window "+windowText(ev.Window)+")")
		return m.setNote(n, "on "+target+" (window "+windowText(ev.Window)+")", statusbar.NoteAccent, resumedNoteFor)
	case event.MigrationDeclined:
		line := "move to " + target + " declined"
		text := "stayed: move to " + target + " declined"
		if ev.Reason != "" {
			line += ": " + ev.Reason
			text += " (" + ev.Reason + ")"
		}
		m.line(n.server0, ev.Time, scrollback.Info, "", line)
		return m.setNote(n, text, statusbar.NoteInfo, declinedNoteFor)
	case event.MigrationFailed:
		text := "move to " + target + " failed"
		if ev.Reason != "" {
			text += ": " + ev.Reason
		}
		if ev.Recovery != "" {
			text += " — " + ev.Recovery
		}
		m.line(n.server0, ev.Time, scrollback.Error, "", text)
		note := "move to " + target + " failed"
		if ev.Recovery != "" {
			note += "; " + ev.Recovery
		}
		return m.setNote(n, note, statusbar.NoteError, failedNoteFor)
	}
	return nil
}

// windowText formats the migration window: "4 ms", "<1 ms", "1.2 s".
func windowText(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1 ms"
	case d < 10*time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	}
}

// setNote shows text in n's status bar for d, unless another note
// replaces it first. Every note goes: Update clears it once d has passed
// on the model's clock (expireNotes), and the returned tick makes sure an
// Update comes then.
func (m *model) setNote(n *network, text string, kind statusbar.NoteKind, d time.Duration) tea.Cmd {
	m.noteSeq++
	n.note, n.noteKind, n.noteSeq = text, kind, m.noteSeq
	n.noteEnd, n.noteChannel = m.now().Add(d), ""
	msg := noteExpiredMsg{net: n.name, seq: m.noteSeq}
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}

// clearNote removes n's note.
func (n *network) clearNote() { n.note, n.noteChannel = "", "" }

// expireNotes clears the notes whose time is up.
func (m *model) expireNotes() {
	now := m.now()
	for _, n := range m.nets {
		if n.note != "" && !now.Before(n.noteEnd) {
			n.clearNote()
		}
	}
}
