package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/cmd/internal/journal"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui"
)

type quietConn struct{ ch chan event.Batch }

func (quietConn) Do(string, command.Command)   {}
func (c quietConn) Events() <-chan event.Batch { return c.ch }
func (quietConn) Networks() []string           { return []string{"fake"} }

// restoreJournal consumes a readable journal once its lines are handed to
// the UI, and moves a damaged one aside (saying so) instead of losing it.
func TestRestoreJournal(t *testing.T) {
	th, err := themes.Load(themes.Default, "")
	if err != nil {
		t.Fatal(err)
	}
	st := themes.NewStyles(th, themes.Renderer(), true)
	model := ui.New(quietConn{make(chan event.Batch)}, ui.Options{Styles: st})
	dir := t.TempDir()
	path := filepath.Join(dir, journal.FileName)

	if err := journal.Write(path, []journal.Line{{Network: "fake", Target: "#a", Kind: journal.Privmsg, Text: "kept", Time: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	restoreJournal(model, path, nil, &stderr)
	if _, err := os.Stat(path); !os.IsNotExist(err) || stderr.Len() != 0 {
		t.Errorf("journal not consumed: %v; stderr %q", err, stderr.String())
	}

	if err := os.WriteFile(path, []byte("{damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	restoreJournal(model, path, nil, &stderr)
	if b, err := os.ReadFile(path + ".damaged"); err != nil || string(b) != "{damaged" {
		t.Errorf("damaged journal not moved aside: %q %v", b, err)
	}
	if !strings.Contains(stderr.String(), "moved to") {
		t.Errorf("stderr %q does not say where the journal went", stderr.String())
	}
}
