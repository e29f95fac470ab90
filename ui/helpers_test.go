package ui

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/themes"
	"github.com/muesli/termenv"
)

// updating reports whether -update was given: rewrite the golden files in
// testdata/. The flag is teatest's (its golden package defines it) when
// that is linked in, else ours.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata/")
	}
}

// t0 is the fixed clock of the tests.
var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// sent is one Do call recorded by fakeConn.
type sent struct {
	net string
	cmd command.Command
}

// fakeConn records Do calls and lets a test push batches.
type fakeConn struct {
	mu   sync.Mutex
	nets []string
	ch   chan event.Batch
	did  []sent
	// typing holds the typing notifications apart from did: they go
	// out as the user types, and tests of other commands count did.
	typing []sent
	// onDo, when set, is called after each Do is recorded (from the
	// goroutine that called Do).
	onDo func()
}

func newFakeConn(nets ...string) *fakeConn {
	return &fakeConn{nets: nets, ch: make(chan event.Batch, 1024)}
}

func (f *fakeConn) Do(network string, c command.Command) {
	f.mu.Lock()
	if _, ok := c.(command.Typing); ok {
		f.typing = append(f.typing, sent{network, c})
		f.mu.Unlock()
		return
	}
	f.did = append(f.did, sent{network, c})
	f.mu.Unlock()
	if f.onDo != nil {
		f.onDo()
	}
}

// takeTyping returns and forgets the recorded typing notifications.
func (f *fakeConn) takeTyping() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.typing
	f.typing = nil
	return d
}

func (f *fakeConn) Events() <-chan event.Batch { return f.ch }
func (f *fakeConn) Networks() []string         { return f.nets }

// take returns and forgets the recorded Do calls.
func (f *fakeConn) take() []sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.did
	f.did = nil
	return d
}

func testStyles(t testing.TB, p termenv.Profile) *themes.Styles {
	t.Helper()
	th, err := themes.Load("dark", "")
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return themes.NewStyles(th, r, false)
}

// harness is a model under test with its fake connection.
type harness struct {
	t    testing.TB
	conn *fakeConn
	m    Model
	bell *bytes.Buffer
	now  time.Time
}

func newHarness(t testing.TB, w, h int, opts Options, nets ...string) *harness {
	t.Helper()
	if len(nets) == 0 {
		nets = []string{"ferrynet"}
	}
	hs := &harness{t: t, conn: newFakeConn(nets...), bell: &bytes.Buffer{}, now: t0}
	if opts.Styles == nil {
		opts.Styles = testStyles(t, termenv.Ascii)
	}
	opts.Now = func() time.Time { return hs.now }
	opts.Location = time.UTC
	opts.BellOut = hs.bell
	hs.m = New(hs.conn, opts)
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// send delivers msg to Update and runs the returned command when it is
// quick (bell writes); ticks and the event reader are not run.
func (hs *harness) send(msg tea.Msg) tea.Cmd {
	_, cmd := hs.m.Update(msg)
	return cmd
}

// feed applies events as one batch (ev.Network defaults to ferrynet),
// all of them: a batch larger than one Update applies is continued until
// the backlog is empty, as the applyMore commands would.
func (hs *harness) feed(evs ...event.Event) tea.Cmd {
	evs = slices.Clone(evs) // the model clears what it applied; the caller's slice stays
	cmds := []tea.Cmd{hs.send(batchMsg{{Events: evs}})}
	for !hs.m.m.backlog.empty() {
		cmds = append(cmds, hs.send(applyMoreMsg{}))
	}
	return tea.Batch(cmds...)
}

func (hs *harness) keys(ks ...string) {
	for _, k := range ks {
		hs.send(keyMsg(k))
	}
}

// typeText types s rune by rune.
func (hs *harness) typeText(s string) {
	for _, r := range s {
		if r == ' ' {
			hs.send(tea.KeyMsg{Type: tea.KeySpace, Runes: []rune{' '}})
			continue
		}
		hs.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

// keyMsg builds a key message from its String() form ("ctrl+f", "alt+3",
// "shift+tab", "pgup", or text), as Bubble Tea would deliver the key: every
// name Bubble Tea gives a key type is looked up, so a chord is never sent
// as typed text.
func keyMsg(k string) tea.KeyMsg {
	if t, ok := keyTypes()[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	alt := false
	if strings.HasPrefix(k, "alt+") && k != "alt+" {
		alt, k = true, k[4:]
	}
	if t, ok := keyTypes()[k]; ok {
		return tea.KeyMsg{Type: t, Alt: alt}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k), Alt: alt}
}

// keyTypes maps Bubble Tea's key names to their types.
var keyTypes = sync.OnceValue(func() map[string]tea.KeyType {
	names := map[string]tea.KeyType{}
	for t := tea.KeyType(-200); t <= 200; t++ {
		if t == tea.KeyRunes {
			continue
		}
		if name := (tea.KeyMsg{Type: t}).String(); name != "" && names[name] == 0 {
			names[name] = t
		}
	}
	return names
})

// screen is View with trailing spaces trimmed from each row.
func (hs *harness) screen() string {
	rows := strings.Split(hs.m.View(), "\n")
	for i, r := range rows {
		rows[i] = strings.TrimRight(r, " ")
	}
	return strings.Join(rows, "\n")
}

// golden compares the screen with testdata/name.golden (rewritten with
// -update).
func (hs *harness) golden(name string) {
	t := hs.t
	t.Helper()
	got := hs.screen()
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("screen %s differs from golden:\n%s\n--- want:\n%s", name, got, want)
	}
}

// meta is the event metadata of network ferrynet at t0+sec seconds.
func meta(sec int) event.Meta {
	return event.Meta{Network: "ferrynet", Time: t0.Add(time.Duration(sec) * time.Second)}
}

// connected brings ferrynet to registered as nick "newcomer" in #ferry
// with a chatter.
func (hs *harness) connected() {
	hs.feed(
		event.ConnState{Meta: meta(0), State: event.StateConnecting, Server: "127.0.0.1:6697", TLS: true},
		event.ConnState{Meta: meta(0), State: event.StateRegistering, Server: "127.0.0.1:6697", TLS: true},
		event.ConnState{Meta: meta(0), State: event.StateRegistered, Server: "127.0.0.1:6697", TLS: true},
		event.Registered{Meta: meta(0), Nick: "newcomer", ServerName: "s1"},
		event.ISupport{Meta: meta(0), Casemap: "rfc1459", Prefixes: "~&@%+", PrefixModes: "qaohv", ChanTypes: "#", NetworkName: "ferrynet", LineLen: 512},
		event.Lag{Meta: meta(0), RTT: 3 * time.Millisecond},
	)
}
