package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ferry-irc/ferry/cmd/internal/journal"
	"github.com/ferry-irc/ferry/cmd/internal/logfile"
	"github.com/ferry-irc/ferry/config"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui"
)

// endSignals end ferry the orderly way, as Ctrl+C and /quit do: QUIT on
// every connection, the terminal restored, undelivered lines journaled.
// SIGHUP is the terminal closing; SIGINT only arrives from kill (in raw
// mode Ctrl+C is a key).
var endSignals = []os.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT}

// endGrace bounds how long the program may take to end after a signal
// before it is killed (the terminal is still restored then).
const endGrace = 2 * time.Second

// endMsg tells the program that a signal asked ferry to end.
type endMsg struct{ sig os.Signal }

// app is the UI with the signal message handled: ui.Model.Shutdown sends
// QUIT everywhere and ends the program, without the pending-lines question
// (nobody is there to answer it).
type app struct{ ui.Model }

func (a app) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(endMsg); ok {
		return a, a.Model.Shutdown()
	}
	m, cmd := a.Model.Update(msg)
	if um, ok := m.(ui.Model); ok {
		a.Model = um
	}
	return a, cmd
}

// signalWatch turns the first end signal into an endMsg for the program,
// and kills the program (which still restores the terminal) when it has
// not ended endGrace later, or at a second signal. Signals stay caught
// until stop, so that one arriving while the Pool closes does not cut the
// QUITs short: that part is bounded by itself.
type signalWatch struct {
	ch   chan os.Signal
	got  atomic.Bool
	quit chan struct{}
	done chan struct{}
}

func watchSignals(prog *tea.Program, log *logfile.Logger) *signalWatch {
	w := &signalWatch{ch: make(chan os.Signal, 2), quit: make(chan struct{}), done: make(chan struct{})}
	signal.Notify(w.ch, endSignals...)
	go func() {
		defer close(w.done)
		var kill <-chan time.Time
		for {
			select {
			case s := <-w.ch:
				if w.got.Swap(true) {
					log.Printf("signal %v again: ending at once", s)
					prog.Kill() // after Run has returned, this does nothing
					continue
				}
				log.Printf("signal %v: ending", s)
				go prog.Send(endMsg{s}) // returns once the program reads it or has ended
				t := time.NewTimer(endGrace)
				defer t.Stop()
				kill = t.C
			case <-kill:
				kill = nil
				prog.Kill()
			case <-w.quit:
				return
			}
		}
	}()
	return w
}

// signalled reports whether an end signal came.
func (w *signalWatch) signalled() bool { return w.got.Load() }

// stop ends the watch; signals get their default action again.
func (w *signalWatch) stop() {
	signal.Stop(w.ch)
	close(w.quit)
	<-w.done
}

// journalPath is where the lines not delivered at exit wait for the next
// start.
func journalPath() string { return filepath.Join(config.StateDir(), journal.FileName) }

// restoreJournal shows the previous run's undelivered lines in model and
// consumes the journal: they are in the scrollback now, marked not sent,
// for /resend. A journal that cannot be read is moved aside, not lost.
func restoreJournal(model ui.Model, path string, log *logfile.Logger, stderr io.Writer) {
	lines, err := journal.Read(path)
	if err != nil {
		aside := path + ".damaged"
		if rerr := os.Rename(path, aside); rerr == nil {
			err = fmt.Errorf("%w (moved to %s)", err, aside)
		}
		log.Warnf("%v", err)
		fmt.Fprintf(stderr, "ferry: %v\n", err)
		return
	}
	if len(lines) == 0 {
		return
	}
	shown := make([]ui.NotSent, 0, len(lines))
	for _, l := range lines {
		shown = append(shown, ui.NotSent{Network: l.Network, Buffer: l.Target, Nick: l.Nick,
			Kind: msgKind(l.Kind), Text: l.Text, Time: l.Time})
	}
	model.ShowNotSent(shown)
	if err := journal.Remove(path); err != nil {
		log.Warnf("%v", err)
	}
	log.Printf("journal: %d lines not sent when ferry last ended shown again", len(lines))
}

// saveJournal writes the lines not delivered at exit (none: no journal).
func saveJournal(path string, lines []journal.Line, log *logfile.Logger, stderr io.Writer) {
	if err := journal.Write(path, lines); err != nil {
		log.Errorf("%v", err)
		fmt.Fprintf(stderr, "ferry: %d lines were not sent and could not be kept: %v\n", len(lines), err)
		return
	}
	if len(lines) > 0 {
		log.Printf("journal: %d lines not sent kept for the next start", len(lines))
	}
}

func journalKind(k event.MsgKind) journal.Kind {
	switch k {
	case event.Notice:
		return journal.Notice
	case event.Action:
		return journal.Action
	}
	return journal.Privmsg
}

func msgKind(k journal.Kind) event.MsgKind {
	switch k {
	case journal.Notice:
		return event.Notice
	case journal.Action:
		return event.Action
	}
	return event.Privmsg
}
