package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
)

func TestNotifyEscape(t *testing.T) {
	long := strings.Repeat("é", 300)
	for _, tc := range []struct {
		name, form  string
		tmux        bool
		title, body string
		want        string
	}{
		{"osc777", NotifyOSC777, false, "#ferry", "bob: hi there", "\x1b]777;notify;#ferry;bob: hi there\x1b\\"},
		{"osc9 joins title and body", NotifyOSC9, false, "#ferry", "bob: hi", "\x1b]9;#ferry: bob: hi\x1b\\"},
		{"osc9 without title", NotifyOSC9, false, "", "hi", "\x1b]9;hi\x1b\\"},
		{"no form", "", false, "t", "b", ""},
		{"unknown form", "osc99", false, "t", "b", ""},
		{"tmux passthrough doubles ESC", NotifyOSC777, true, "a", "b",
			"\x1bPtmux;\x1b\x1b]777;notify;a;b\x1b\x1b\\\x1b\\"},
		{"semicolons cannot add fields", NotifyOSC777, false, "a;b", "c;notify;d", "\x1b]777;notify;a,b;c,notify,d\x1b\\"},
		{"escape, BEL and ST cannot end the sequence", NotifyOSC777, false, "x\x1b\\y", "p\x07q\x1b]0;pwned\x07",
			"\x1b]777;notify;x\\y;pq]0,pwned\x1b\\"},
		{"C1 controls, bidi controls and line breaks", NotifyOSC9, false, "", "a\u009b31mb\u202ec\r\nd\te\u2028f",
			"\x1b]9;a31mbc  d ef\x1b\\"},
		{"mIRC formatting stripped", NotifyOSC9, false, "", "\x02bold\x02 \x0304,01red\x0f \x1ditalic", "\x1b]9;bold red italic\x1b\\"},
		{"invalid UTF-8 dropped", NotifyOSC9, false, "", "a\xffb\xc3", "\x1b]9;ab\x1b\\"},
		{"title bounded", NotifyOSC777, false, strings.Repeat("t", 100), "b",
			"\x1b]777;notify;" + strings.Repeat("t", notifyTitleMax-1) + "…;b\x1b\\"},
		{"body bounded in runes", NotifyOSC777, false, "t", long,
			"\x1b]777;notify;t;" + strings.Repeat("é", notifyBodyMax-1) + "…\x1b\\"},
		{"exactly at the bound is kept", NotifyOSC777, false, "t", strings.Repeat("x", notifyBodyMax),
			"\x1b]777;notify;t;" + strings.Repeat("x", notifyBodyMax) + "\x1b\\"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := notifyEscape(tc.form, tc.tmux, tc.title, tc.body)
			if got != tc.want {
				t.Errorf("notifyEscape = %q\nwant           %q", got, tc.want)
			}
			// Whatever the input, the payload has no control character
			// but the framing ESCs.
			inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(got, "\x1b]777;"), "\x1b]9;"), "\x1b\\")
			if !tc.tmux && strings.ContainsFunc(inner, func(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
				t.Errorf("payload %q has a control character", inner)
			}
		})
	}
}

func TestNotifyForm(t *testing.T) {
	for _, tc := range []struct {
		setting string
		env     map[string]string
		form    string
		tmux    bool
	}{
		{"auto", map[string]string{"TERM": "foot"}, NotifyOSC777, false},
		{"auto", map[string]string{"TERM": "foot-extra"}, NotifyOSC777, false},
		{"auto", map[string]string{"TERM_PROGRAM": "WezTerm", "TERM": "xterm-256color"}, NotifyOSC777, false},
		{"auto", map[string]string{"TERM_PROGRAM": "ghostty", "TERM": "xterm-ghostty"}, NotifyOSC777, false},
		{"auto", map[string]string{"TERM": "rxvt-unicode-256color"}, NotifyOSC777, false},
		{"auto", map[string]string{"TERM_PROGRAM": "iTerm.app"}, NotifyOSC9, false},
		{"auto", map[string]string{"TERM": "xterm-kitty"}, NotifyOSC9, false},
		// In tmux, TERM and TERM_PROGRAM name tmux; the outer terminal's
		// own variables still tell.
		{"auto", map[string]string{"TERM_PROGRAM": "tmux", "TERM": "tmux-256color", "TMUX": "/tmp/tmux-1/default,1,0", "KITTY_WINDOW_ID": "1"}, NotifyOSC9, true},
		{"auto", map[string]string{"TERM_PROGRAM": "tmux", "TERM": "tmux-256color", "TMUX": "/tmp/tmux-1/default,1,0", "WEZTERM_PANE": "0"}, NotifyOSC777, true},
		{"auto", map[string]string{"TERM_PROGRAM": "tmux", "TERM": "screen", "TMUX": "x"}, "", true},
		// Unknown terminals get nothing.
		{"auto", map[string]string{"TERM": "xterm-256color"}, "", false},
		{"auto", map[string]string{"TERM": "xterm-256color", "WT_SESSION": "abc"}, "", false},
		{"auto", map[string]string{"TERM_PROGRAM": "Apple_Terminal"}, "", false},
		{"auto", map[string]string{}, "", false},
		// Forced forms apply everywhere; off is off.
		{"osc9", map[string]string{"TERM": "xterm"}, NotifyOSC9, false},
		{"osc777", map[string]string{"TMUX": "x"}, NotifyOSC777, true},
		{"off", map[string]string{"TERM": "foot"}, "", false},
		{"", map[string]string{"TERM": "foot"}, "", false},
	} {
		form, tmux := NotifyForm(tc.setting, func(k string) string { return tc.env[k] })
		if form != tc.form || tmux != tc.tmux {
			t.Errorf("NotifyForm(%q, %v) = %q, %v; want %q, %v", tc.setting, tc.env, form, tmux, tc.form, tc.tmux)
		}
	}
}

// The message text reaches notify_cmd as one argument of its own, exactly
// as typed minus control characters: no shell ever sees it.
func TestNotifyArgs(t *testing.T) {
	for _, tc := range []struct {
		name                        string
		cmd                         []string
		network, buffer, nick, text string
		want                        []string
	}{
		{"plain", []string{"/usr/bin/notifier", "--app", "ferry"}, "libera", "#ferry", "bob", "hi alice",
			[]string{"/usr/bin/notifier", "--app", "ferry", "libera", "#ferry", "bob", "hi alice"}},
		{"shell syntax stays text", []string{"/bin/n"}, "n", "bob", "bob", "$(rm -rf ~); `id` | tee x & 'q' \"d\"",
			[]string{"/bin/n", "n", "bob", "bob", "$(rm -rf ~); `id` | tee x & 'q' \"d\""}},
		{"leading dash is an argument, not split", []string{"/bin/n"}, "n", "#c", "-x", "--help me",
			[]string{"/bin/n", "n", "#c", "-x", "--help me"}},
		{"controls and formatting removed", []string{"/bin/n"}, "n", "#c", "bob", "\x02hi\x02\x00 there\x1b[31m\nnext",
			[]string{"/bin/n", "n", "#c", "bob", "hi there[31m next"}},
		{"empty text is still an argument", []string{"/bin/n"}, "n", "bob", "bob", "",
			[]string{"/bin/n", "n", "bob", "bob", ""}},
	} {
		got := notifyArgs(tc.cmd, tc.network, tc.buffer, tc.nick, tc.text)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: notifyArgs = %q\nwant %q", tc.name, got, tc.want)
		}
	}
	cmd := []string{"/bin/n", "a"}
	notifyArgs(cmd, "n", "b", "c", "d")
	if !reflect.DeepEqual(cmd, []string{"/bin/n", "a"}) {
		t.Errorf("notifyArgs changed the configured command: %q", cmd)
	}
	if got := notifyArgs(cmd, "n", "b", "c", strings.Repeat("x", 5000))[5]; len([]rune(got)) != notifyArgMax {
		t.Errorf("text argument of %d runes, want %d", len([]rune(got)), notifyArgMax)
	}
}

// runner records notify_cmd runs.
type runner struct {
	mu    sync.Mutex
	calls [][]string
	err   error
}

func (r *runner) run(_ context.Context, argv []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, argv)
	return r.err
}

func (r *runner) take() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// notifyHarness is a model sending OSC 777 to hs.bell and running
// notify_cmd through rn; the event channel is closed so that the commands
// Update returns can all be run.
func notifyHarness(t *testing.T, opts Options) (*harness, *runner) {
	rn := &runner{}
	opts.Notify = NotifyOSC777
	opts.NotifyCmd = []string{"/bin/notifier", "--flag"}
	opts.NotifyRun = rn.run
	hs := newHarness(t, 100, 20, opts)
	close(hs.conn.ch)
	hs.connected()
	return hs, rn
}

// runCmds runs cmd and every command it batches, and returns the messages
// they produce (nil ones left out).
func runCmds(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmds(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// deliver feeds evs as one batch, runs what Update returns, and hands the
// results (a notify_cmd failure) back to Update.
func deliver(hs *harness, evs ...event.Event) {
	for _, msg := range runCmds(hs.feed(evs...)) {
		if _, ok := msg.(connClosedMsg); ok {
			continue
		}
		hs.send(msg)
	}
}

func say(sec int, buffer, from, text string) event.Message {
	return event.Message{Meta: meta(sec), Buffer: buffer, From: from, FromHost: "u@h", Text: text}
}

func TestNotifyRules(t *testing.T) {
	hs, rn := notifyHarness(t, Options{Ignores: map[string][]string{"ferrynet": {"troll"}}})
	check := func(what string, wantOSC string, wantArgs []string) {
		t.Helper()
		osc := hs.bell.String()
		hs.bell.Reset()
		calls := rn.take()
		if osc != wantOSC {
			t.Errorf("%s: wrote %q, want %q", what, osc, wantOSC)
		}
		switch {
		case wantArgs == nil && len(calls) > 0:
			t.Errorf("%s: ran notify_cmd %q", what, calls)
		case wantArgs != nil && (len(calls) != 1 || !reflect.DeepEqual(calls[0], wantArgs)):
			t.Errorf("%s: ran %q, want %q", what, calls, wantArgs)
		}
	}

	deliver(hs, say(1, "#ferry", "bob", "hello all"))
	check("a plain channel line", "", nil)

	deliver(hs, say(2, "#ferry", "bob", "newcomer: ping"))
	check("a highlight in another buffer",
		"\x1b]777;notify;#ferry;bob: newcomer: ping\x1b\\",
		[]string{"/bin/notifier", "--flag", "ferrynet", "#ferry", "bob", "newcomer: ping"})

	deliver(hs, say(3, "carol", "carol", "psst"))
	check("a private message", "\x1b]777;notify;carol;psst\x1b\\",
		[]string{"/bin/notifier", "--flag", "ferrynet", "carol", "carol", "psst"})

	n := say(4, "carol", "carol", "newcomer: automatic reply")
	n.Kind = event.Notice
	deliver(hs, n)
	check("a notice, even one naming us", "", nil)

	self := say(5, "#ferry", "newcomer", "newcomer is me")
	self.Self = true
	deliver(hs, self)
	check("our own line", "", nil)

	deliver(hs, say(6, "#ferry", "troll", "newcomer: hey"))
	check("an ignored sender", "", nil)

	deliver(hs, event.History{Meta: meta(7), Buffer: "#ferry", Messages: []event.Message{
		say(7, "#ferry", "bob", "newcomer: old news"), say(7, "dave", "dave", "old private")}})
	check("history (chathistory, backlog)", "", nil)

	// The buffer on screen: no notification unless the terminal said it
	// lost focus.
	hs.keys("alt+2")
	if hs.m.m.cur.name != "#ferry" {
		t.Fatalf("current buffer %q, want #ferry", hs.m.m.cur.name)
	}
	deliver(hs, say(8, "#ferry", "bob", "newcomer: you there?"))
	check("the current buffer, focus unknown", "", nil)
	hs.send(tea.BlurMsg{})
	deliver(hs, say(9, "#ferry", "bob", "newcomer: you there?"))
	check("the current buffer, terminal unfocused", "\x1b]777;notify;#ferry;bob: newcomer: you there?\x1b\\",
		[]string{"/bin/notifier", "--flag", "ferrynet", "#ferry", "bob", "newcomer: you there?"})
	hs.send(tea.FocusMsg{})
	deliver(hs, say(10, "#ferry", "bob", "newcomer: back?"))
	check("the current buffer, terminal focused again", "", nil)
}

// A flood of highlights gives one notification per batch, saying how many
// more came with it, and at most notifyPerMinute a minute: it can neither
// bury the desktop nor start a process per line.
func TestNotifyFlood(t *testing.T) {
	hs, rn := notifyHarness(t, Options{})
	var flood []event.Event
	for range 50 {
		flood = append(flood, say(1, "#ferry", "bob", "newcomer: spam"))
	}
	deliver(hs, flood...)
	if got, want := hs.bell.String(), "\x1b]777;notify;#ferry;bob: newcomer: spam (+49 more)\x1b\\"; got != want {
		t.Errorf("one batch of 50: wrote %q, want %q", got, want)
	}
	if calls := rn.take(); len(calls) != 1 {
		t.Errorf("one batch of 50: %d runs, want 1", len(calls))
	}
	for range 20 {
		hs.now = hs.now.Add(time.Second)
		deliver(hs, say(2, "#ferry", "bob", "newcomer: spam"))
	}
	if calls := rn.take(); len(calls) != notifyPerMinute-1 {
		t.Errorf("20 more batches within a minute: %d runs, want %d", len(calls), notifyPerMinute-1)
	}
	if n := strings.Count(hs.bell.String(), "\x1b]777"); n != notifyPerMinute {
		t.Errorf("%d escapes within a minute, want %d", n, notifyPerMinute)
	}
	hs.now = hs.now.Add(time.Minute)
	deliver(hs, say(3, "#ferry", "bob", "newcomer: later"))
	if calls := rn.take(); len(calls) != 1 {
		t.Errorf("a minute later: %d runs, want 1", len(calls))
	}
}

// logRec is a Logger that keeps its lines.
type logRec struct{ lines []string }

func (l *logRec) Printf(format string, v ...any) {
	l.lines = append(l.lines, format)
}

// A failing notify_cmd is said once on screen; every failure is logged.
func TestNotifyCmdFailure(t *testing.T) {
	lg := &logRec{}
	hs, rn := notifyHarness(t, Options{Log: lg})
	rn.err = errors.New("exit status 3")
	deliver(hs, say(1, "carol", "carol", "one"))
	hs.now = hs.now.Add(time.Second)
	deliver(hs, say(2, "carol", "carol", "two"))
	if len(rn.take()) != 2 {
		t.Fatal("notify_cmd did not run twice")
	}
	if len(lg.lines) != 2 {
		t.Errorf("%d failures logged, want 2", len(lg.lines))
	}
	s := hs.screen()
	if c := strings.Count(s, "notify_cmd failed"); c != 1 || !strings.Contains(s, "exit status 3") {
		t.Errorf("failure shown %d times, want once with the error:\n%s", c, s)
	}
}

// Without Notify and NotifyCmd (the zero Options) nothing is written or
// run, whatever arrives.
func TestNotifyOff(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{})
	close(hs.conn.ch)
	hs.connected()
	deliver(hs, say(1, "carol", "carol", "newcomer: hi"))
	if hs.bell.Len() != 0 {
		t.Errorf("wrote %q with notifications off", hs.bell.String())
	}
}

// RunCommand runs the real program with the arguments as given (the
// script writes each on a line of its own: shell syntax in the text is
// never evaluated), reports a failing exit, and ends a program that
// outlives its context.
func TestRunCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "notifier")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nprintf '%s\\n' \"$@\" > \""+out+"\"\necho noise\necho more >&2\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	argv := notifyArgs([]string{script}, "net", "#c", "bob", "$(touch "+filepath.Join(dir, "pwned")+"); `id`")
	if err := RunCommand(context.Background(), argv); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := "net\n#c\nbob\n$(touch " + filepath.Join(dir, "pwned") + "); `id`\n"; string(got) != want {
		t.Errorf("the program got\n%q\nwant\n%q", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "pwned")); err == nil {
		t.Error("the message text was run by a shell")
	}

	if err := RunCommand(context.Background(), []string{"/bin/sh", "-c", "exit 3"}); err == nil {
		t.Error("a failing program reported no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := RunCommand(ctx, []string{"/bin/sh", "-c", "sleep 30"}); err == nil {
		t.Error("a program killed at its timeout reported no error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("RunCommand waited %v past the timeout", d)
	}
}
