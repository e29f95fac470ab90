package ui

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
)

// batched returns the members of cmd, a tea.Batch, without running them
// (a tick would sleep, the event reader block). cmd itself is run.
func batched(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	b, _ := cmd().(tea.BatchMsg)
	return b
}

// has reports whether cmds holds the function want (tea.DisableMouse...).
func has(cmds []tea.Cmd, want tea.Cmd) bool {
	for _, c := range cmds {
		if reflect.ValueOf(c).Pointer() == reflect.ValueOf(want).Pointer() {
			return true
		}
	}
	return false
}

// Alt+M turns mouse reporting off (the terminal selects text without
// Shift) and on again, each time with the Bubble Tea command that does it
// and a status bar note saying which; while off, the wheel does nothing.
func TestToggleMouse(t *testing.T) {
	hs := newHarness(t, 80, 12, Options{})
	hs.connected()
	for i := range 30 {
		hs.feed(event.Message{Meta: meta(i), Buffer: "#ferry", From: "bob", Text: "line " + strconv.Itoa(i)})
	}
	hs.keys("alt+2")
	cmds := batched(hs.send(keyMsg("alt+m")))
	if !has(cmds, tea.DisableMouse) || has(cmds, tea.EnableMouseCellMotion) {
		t.Fatalf("Alt+M from on: want tea.DisableMouse, got %d cmds", len(cmds))
	}
	if s := hs.screen(); !strings.Contains(s, "mouse off") {
		t.Errorf("no \"mouse off\" note:\n%s", s)
	}
	before := hs.screen()
	hs.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	if hs.screen() != before {
		t.Errorf("the wheel scrolled with the mouse off")
	}

	cmds = batched(hs.send(keyMsg("alt+m")))
	if !has(cmds, tea.EnableMouseCellMotion) || has(cmds, tea.DisableMouse) {
		t.Fatalf("Alt+M from off: want tea.EnableMouseCellMotion, got %d cmds", len(cmds))
	}
	if s := hs.screen(); !strings.Contains(s, "mouse on") {
		t.Errorf("no \"mouse on\" note:\n%s", s)
	}
	hs.send(tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelUp})
	if hs.screen() == before {
		t.Errorf("the wheel did not scroll with the mouse back on")
	}
}

// mouse = false in the config: Init asks for no mouse reporting, and the
// first Alt+M turns it on.
func TestMouseOffAtStart(t *testing.T) {
	hs := newHarness(t, 80, 12, Options{NoMouse: true})
	close(hs.conn.ch) // Init is then the event reader alone: let it return
	if has(batched(hs.m.Init()), tea.EnableMouseCellMotion) {
		t.Errorf("Init enables the mouse with NoMouse")
	}
	if !has(batched(hs.send(keyMsg("alt+m"))), tea.EnableMouseCellMotion) {
		t.Errorf("Alt+M from off did not enable the mouse")
	}
	on := newHarness(t, 80, 12, Options{})
	if !has(batched(on.m.Init()), tea.EnableMouseCellMotion) {
		t.Errorf("Init does not enable the mouse by default")
	}
}
