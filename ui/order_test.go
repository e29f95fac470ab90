package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// titles lists the buffers in sidebar order as network:name.
func (hs *harness) titles() []string {
	var out []string
	for _, b := range hs.m.m.ordered() {
		out = append(out, b.net.name+":"+b.name)
	}
	return out
}

// run types line and presses Enter.
func (hs *harness) run(line string) {
	hs.typeText(line)
	hs.keys("enter")
}

// lastLine is the newest line of the current buffer.
func (hs *harness) lastLine() scrollback.Line {
	b := hs.m.m.cur
	return b.sb.Line(b.sb.Len() - 1)
}

// TestBufferNumbersStable: a new buffer goes last in its network, so the
// numbers of the others do not change; the sidebar shows them and Alt+N
// follows them.
func TestBufferNumbersStable(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{}, "ferrynet", "libera")
	hs.connected()
	hs.feed(
		event.Join{Meta: meta(1), Channel: "#test", Nick: "newcomer", Self: true},
		event.Join{Meta: meta(1), Channel: "#alpha", Nick: "newcomer", Self: true},
		event.Message{Meta: meta(2), Buffer: "bob", From: "bob", Text: "psst"},
		event.Join{Meta: meta(3), Channel: "#aardvark", Nick: "newcomer", Self: true},
	)
	want := []string{"ferrynet:", "ferrynet:#test", "ferrynet:#alpha", "ferrynet:bob", "ferrynet:#aardvark", "libera:"}
	if got := hs.titles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	s := hs.screen()
	for _, row := range []string{"1 ferrynet", "2  #test", "3  #alpha", "4  bob", "5  #aardvark", "6 libera"} {
		if !strings.Contains(s, row) {
			t.Errorf("sidebar lacks %q:\n%s", row, s)
		}
	}
	hs.keys("alt+2")
	if c := hs.current(); c != "ferrynet:#test" {
		t.Errorf("alt+2: %s, want ferrynet:#test", c)
	}
}

// TestBufferCommands: /buffer and /window go to a buffer by number or
// name (a unique beginning will do); move renumbers within the network.
func TestBufferCommands(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{}, "ferrynet", "libera")
	hs.connected()
	hs.feed(
		event.Join{Meta: meta(1), Channel: "#test", Nick: "newcomer", Self: true},
		event.Join{Meta: meta(1), Channel: "#alpha", Nick: "newcomer", Self: true},
		event.Join{Meta: meta(1), Channel: "#alps", Nick: "newcomer", Self: true},
		event.Message{Meta: meta(2), Buffer: "bob", From: "bob", Text: "psst"},
	)
	steps := []struct {
		line, want string
		err        string // substring of the error line, "" for none
	}{
		{"/buffer 2", "ferrynet:#test", ""},
		{"/window 1", "ferrynet:", ""},
		{"/buffer #ALPH", "ferrynet:#alpha", ""},
		{"/buffer bo", "ferrynet:bob", ""},
		{"/buffer libera", "libera:", ""},
		{"/buffer te", "ferrynet:#test", ""},
		{"/buffer #al", "ferrynet:#test", "#alpha, #alps"},
		{"/buffer 42", "ferrynet:#test", "no buffer 42"},
		{"/buffer nothere", "ferrynet:#test", "no buffer"},
	}
	for _, s := range steps {
		before := hs.m.m.cur.sb.Len()
		hs.run(s.line)
		if c := hs.current(); c != s.want {
			t.Errorf("%s: current %s, want %s", s.line, c, s.want)
		}
		gotErr := hs.m.m.cur.sb.Len() > before && hs.lastLine().Kind == scrollback.Error
		if (s.err != "") != gotErr || gotErr && !strings.Contains(hs.lastLine().Text, s.err) {
			t.Errorf("%s: error line %v %q, want %q", s.line, gotErr, hs.lastLine().Text, s.err)
		}
	}

	hs.run("/buffer #alps")
	hs.run("/window move 2")
	want := []string{"ferrynet:", "ferrynet:#alps", "ferrynet:#test", "ferrynet:#alpha", "ferrynet:bob", "libera:"}
	if got := hs.titles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after /window move 2: %v, want %v", got, want)
	}
	hs.run("/buffer move 5")
	want = []string{"ferrynet:", "ferrynet:#test", "ferrynet:#alpha", "ferrynet:bob", "ferrynet:#alps", "libera:"}
	if got := hs.titles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after /buffer move 5: %v, want %v", got, want)
	}
	for _, bad := range []string{"/buffer move 1", "/buffer move 6", "/buffer move x"} {
		before := hs.m.m.cur.sb.Len()
		hs.run(bad)
		if hs.m.m.cur.sb.Len() == before || hs.lastLine().Kind != scrollback.Error {
			t.Errorf("%s: no error line", bad)
		}
		if got := hs.titles(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s moved: %v", bad, got)
		}
	}
	hs.keys("alt+5")
	if c := hs.current(); c != "ferrynet:#alps" {
		t.Errorf("alt+5 after the move: %s, want ferrynet:#alps", c)
	}
}

// TestBufferNameWithoutChannelType: a name matching a channel without its
// type is exact, before a longer name it begins.
func TestBufferNameWithoutChannelType(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	demoChannel(hs)
	hs.run("/buffer 1")
	hs.run("/buffer ferry")
	if c := hs.current(); c != "ferrynet:#ferry" {
		t.Errorf("/buffer ferry: current %s, want ferrynet:#ferry", c)
	}
}

// TestBufferOrderRemembered: the order is written to the state file
// (private, keyed by network and folded name) and a new start places the
// buffers by it, whatever order they come back in.
func TestBufferOrderRemembered(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry", "buffers.json")
	hs := newHarness(t, 100, 20, Options{OrderFile: path}, "ferrynet", "libera")
	hs.connected()
	hs.feed(
		event.Join{Meta: meta(1), Channel: "#test", Nick: "newcomer", Self: true},
		event.Join{Meta: meta(1), Channel: "#Alpha", Nick: "newcomer", Self: true},
		event.Message{Meta: meta(2), Buffer: "bob", From: "bob", Text: "psst"},
	)
	hs.run("/buffer bob")
	hs.typeText("/buffer move 2")
	cmd := hs.send(keyMsg("enter"))
	if cmd == nil {
		t.Fatal("no command to write the order after /buffer move")
	}
	if msg, ok := cmd().(orderSavedMsg); !ok || msg.err != nil {
		t.Fatalf("writing the order: %#v", msg)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), `"#alpha"`) {
		t.Errorf("state file %s does not key by the folded name", data)
	}

	hs2 := newHarness(t, 100, 20, Options{OrderFile: path}, "ferrynet", "libera")
	hs2.connected()
	hs2.feed(
		event.Join{Meta: meta(1), Channel: "#ALPHA", Nick: "newcomer", Self: true},
		event.Message{Meta: meta(2), Buffer: "carol", From: "carol", Text: "hi"},
		event.Join{Meta: meta(1), Channel: "#test", Nick: "newcomer", Self: true},
		event.Message{Meta: meta(2), Buffer: "Bob", From: "Bob", Text: "again"},
	)
	want := []string{"ferrynet:", "ferrynet:Bob", "ferrynet:#test", "ferrynet:#ALPHA", "ferrynet:carol", "libera:"}
	if got := hs2.titles(); !reflect.DeepEqual(got, want) {
		t.Errorf("order after a restart %v, want %v", got, want)
	}
}

// TestBufferOrderDamagedFile: a damaged state file is reported and the
// order starts afresh.
func TestBufferOrderDamagedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "buffers.json")
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, 100, 20, Options{OrderFile: path})
	b := hs.m.m.nets[0].server0
	found := false
	for i := 0; i < b.sb.Len(); i++ {
		if l := b.sb.Line(i); l.Kind == scrollback.Error && strings.Contains(l.Text, "buffer order") {
			found = true
		}
	}
	if !found {
		t.Error("no error line for a damaged buffer order file")
	}
}

// TestBufferOrderWrittenOnQuit: a change just before quitting is written
// before the program ends, not by a command that may never run.
func TestBufferOrderWrittenOnQuit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "buffers.json")
	hs := newHarness(t, 100, 20, Options{OrderFile: path})
	hs.m.m.ensure(hs.m.m.nets[0], "#late")
	hs.run("/quit")
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), `"#late"`) {
		t.Errorf("order file after /quit: %q, %v", data, err)
	}
}
