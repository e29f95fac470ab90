package ui

import (
	"bytes"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// The whole program: Init starts the event reader, batches pushed on the
// connection's channel reach the screen (the reader re-arms after each),
// and Ctrl+C sends QUIT to the network and ends the program. The waits are
// barriers on the output, bounded in time; nothing sleeps.
func TestProgramReadsEventsAndQuits(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{NoMouse: true})
	tm := teatest.NewTestModel(t, hs.m, teatest.WithInitialTermSize(100, 20))
	hs.conn.ch <- event.Batch{Events: []event.Event{
		event.Registered{Meta: meta(0), Nick: "newcomer", ServerName: "s1"},
		event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", Self: true},
	}}
	hs.conn.ch <- event.Batch{Events: []event.Event{
		event.Message{Meta: meta(2), Buffer: "#ferry", From: "chatter", Text: "first batch arrived"},
	}}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("first batch arrived")) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	// A later batch proves the reader was re-armed.
	hs.conn.ch <- event.Batch{Events: []event.Event{
		event.Message{Meta: meta(3), Buffer: "#ferry", From: "chatter", Text: "second batch arrived"},
	}}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("second batch arrived")) },
		teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	found := false
	for _, s := range hs.conn.take() {
		if _, ok := s.cmd.(command.Quit); ok && s.net == "ferrynet" {
			found = true
		}
	}
	if !found {
		t.Error("no Quit sent to ferrynet")
	}
}
