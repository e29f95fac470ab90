package ui

import (
	"context"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Desktop notifications: on a live highlight or private message the UI
// asks the terminal for a desktop notification with an OSC escape, and/or
// runs the user's notify_cmd. What qualifies is decided where the bell is
// (message: not our own line, not an ignored sender, never history), plus:
//
//   - notices do not notify (services greet every connection with them);
//   - a line in the buffer on screen does not notify unless the terminal
//     reported that it lost focus (focus reporting; when the terminal never
//     says, it is taken to be focused);
//   - at most one notification per batch of events (the first, saying how
//     many more came with it) and at most notifyPerMinute a minute, so a
//     flood can neither fill the desktop nor fork a process per line.

// Forms of the notification escape (Options.Notify).
const (
	NotifyOSC777 = "osc777" // ESC ] 777 ; notify ; TITLE ; BODY ST
	NotifyOSC9   = "osc9"   // ESC ] 9 ; BODY ST
)

// Bounds on what a notification carries, in runes.
const (
	notifyTitleMax = 64
	notifyBodyMax  = 200
	notifyArgMax   = 1000 // the text given to notify_cmd
)

// notifyPerMinute bounds notifications (escape and command alike).
const notifyPerMinute = 6

// notifyCmdTimeout bounds one run of notify_cmd; the process is killed
// after it.
const notifyCmdTimeout = 10 * time.Second

// Runner runs argv (a program and its arguments, no shell) until it ends
// or ctx is done. Options.NotifyRun injects it; RunCommand is the default.
type Runner func(ctx context.Context, argv []string) error

// RunCommand runs argv with exec.CommandContext, its input, output and
// errors discarded (/dev/null): a notifier must not draw on ferry's screen.
func RunCommand(ctx context.Context, argv []string) error {
	if len(argv) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = time.Second
	return cmd.Run()
}

// NotifyForm turns the config's [ui] notify setting ("auto", "osc777",
// "osc9", "off") into the escape to send, "" for none, and whether to wrap
// it for tmux ($TMUX is set: tmux passes it on to the outer terminal when
// its allow-passthrough option is on). getenv is os.Getenv outside tests.
//
// "auto" goes by what the terminal says about itself in the environment
// and picks a form only for terminals documented to show it: OSC 777 for
// foot, WezTerm, Ghostty and urxvt (whose notify extension shows it; it is
// ignored without), OSC 9 for iTerm2 and kitty. Anything else gets none: a
// terminal that does not know the escape may print it, and Windows
// Terminal reads OSC 9 as ConEmu's family of commands.
func NotifyForm(setting string, getenv func(string) string) (form string, tmux bool) {
	tmux = getenv("TMUX") != ""
	switch setting {
	case NotifyOSC777, NotifyOSC9:
		return setting, tmux
	case "auto":
		return detectNotifyForm(getenv), tmux
	}
	return "", false
}

func detectNotifyForm(getenv func(string) string) string {
	prog, term := getenv("TERM_PROGRAM"), getenv("TERM")
	switch {
	case prog == "WezTerm" || getenv("WEZTERM_PANE") != "":
		return NotifyOSC777
	case prog == "ghostty" || term == "xterm-ghostty" || getenv("GHOSTTY_RESOURCES_DIR") != "":
		return NotifyOSC777
	case term == "foot" || strings.HasPrefix(term, "foot-"):
		return NotifyOSC777
	case strings.HasPrefix(term, "rxvt-unicode"):
		return NotifyOSC777
	case prog == "iTerm.app" || getenv("LC_TERMINAL") == "iTerm2" || getenv("ITERM_SESSION_ID") != "":
		return NotifyOSC9
	case term == "xterm-kitty" || getenv("KITTY_WINDOW_ID") != "":
		return NotifyOSC9
	}
	return ""
}

// notifyEscape is the escape sequence asking the terminal for a desktop
// notification, or "" for an unknown form. Title and body are made safe
// here: no control characters (so nothing can end the sequence early), no
// ';' (which would split OSC 777's fields, and starts ConEmu's commands in
// OSC 9), bounded length.
func notifyEscape(form string, tmux bool, title, body string) string {
	title = oscText(title, notifyTitleMax)
	body = oscText(body, notifyBodyMax)
	var seq string
	switch form {
	case NotifyOSC777:
		seq = "\x1b]777;notify;" + title + ";" + body + "\x1b\\"
	case NotifyOSC9:
		if title != "" {
			body = oscText(title+": "+body, notifyBodyMax)
		}
		seq = "\x1b]9;" + body + "\x1b\\"
	default:
		return ""
	}
	if tmux {
		// tmux's passthrough: DCS tmux; <sequence, each ESC doubled> ST.
		seq = "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
	}
	return seq
}

// oscText is plainText with ';' replaced: it may sit in an OSC field.
func oscText(s string, limit int) string {
	return plainText(strings.ReplaceAll(s, ";", ","), limit)
}

// plainText is s without mIRC formatting, control characters (C0, DEL,
// C1; tabs and line breaks become spaces), bidi controls or invalid UTF-8,
// cut to at most limit runes (the last one then "…").
func plainText(s string, limit int) string {
	s = format.Strip(s)
	var b strings.Builder
	n := 0
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			r = ' '
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == 0x2028 || r == 0x2029:
			continue
		}
		if n == limit {
			// One rune too many: the last one kept gives way to "…".
			rs := []rune(b.String())
			return string(rs[:limit-1]) + "…"
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// notifyArgs is the argument list of one notify_cmd run: the configured
// program and arguments, then network, buffer, nick and text as separate
// arguments (never a shell string built from message text).
func notifyArgs(cmd []string, network, buffer, nick, text string) []string {
	argv := append([]string(nil), cmd...)
	return append(argv,
		plainText(network, notifyTitleMax),
		plainText(buffer, notifyTitleMax),
		plainText(nick, notifyTitleMax),
		plainText(text, notifyArgMax))
}

// notification is one line that asks for a desktop notification.
type notification struct {
	network, buffer, nick, text string
	private                     bool
}

// termFocus is what the terminal last said about its focus.
type termFocus int

const (
	focusUnknown termFocus = iota // it never said: taken as focused
	focusIn
	focusOut
)

// notifyFailedMsg reports a notify_cmd run that failed.
type notifyFailedMsg struct{ err error }

// notifyLine notes the message line l just added to b for a notification
// when it asks for one (see the rules above). The batch's notifications
// go out in flushNotify.
func (m *model) notifyLine(b *buffer, l scrollback.Line, private bool) {
	if m.opts.Notify == "" && len(m.opts.NotifyCmd) == 0 {
		return
	}
	if l.Self || l.Kind == scrollback.Notice || !(l.Highlight || private) {
		return
	}
	if b == m.cur && m.focus != focusOut {
		return
	}
	if m.notifyCount == 0 {
		m.notifyFirst = notification{network: b.net.name, buffer: b.name, nick: l.Nick, text: l.Text, private: private}
	}
	m.notifyCount++
}

// flushNotify returns the command sending the first notification the
// batch asked for (nil when none, or over the rate limit).
func (m *model) flushNotify() tea.Cmd {
	if m.notifyCount == 0 {
		return nil
	}
	first, more := m.notifyFirst, m.notifyCount-1
	m.notifyFirst, m.notifyCount = notification{}, 0
	now := m.now()
	recent := m.notified[:0]
	for _, t := range m.notified {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	m.notified = recent
	if len(m.notified) >= notifyPerMinute {
		return nil
	}
	m.notified = append(m.notified, now)

	title, body := first.buffer, first.nick+": "+first.text
	if first.private {
		title, body = first.nick, first.text
	}
	if len(m.nets) > 1 {
		title += " (" + first.network + ")"
	}
	if more > 0 {
		body += " (+" + strconv.Itoa(more) + " more)"
	}
	var cmds []tea.Cmd
	if seq := notifyEscape(m.opts.Notify, m.opts.NotifyTmux, title, body); seq != "" {
		w := m.bell
		cmds = append(cmds, func() tea.Msg {
			// One Write: a terminal write is not split, so the renderer's
			// frames cannot land inside the sequence.
			_, _ = w.Write([]byte(seq))
			return nil
		})
	}
	if len(m.opts.NotifyCmd) > 0 {
		argv := notifyArgs(m.opts.NotifyCmd, first.network, first.buffer, first.nick, first.text)
		run := m.opts.NotifyRun
		if run == nil {
			run = RunCommand
		}
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := context.WithTimeout(context.Background(), notifyCmdTimeout)
			defer cancel()
			if err := run(ctx, argv); err != nil {
				return notifyFailedMsg{err}
			}
			return nil
		})
	}
	return tea.Batch(cmds...)
}

// notifyFailed logs a failed notify_cmd run, and shows the first failure
// in the current network's server buffer: one line, not one per message.
func (m *model) notifyFailed(err error) {
	if m.opts.Log != nil {
		m.opts.Log.Printf("notify_cmd: %v", err)
	}
	if m.notifyErrShown || m.cur == nil {
		return
	}
	m.notifyErrShown = true
	text := "notify_cmd failed: " + err.Error() + " (later failures go to the debug log only)"
	m.line(m.cur.net.server0, time.Time{}, scrollback.Error, "", text)
}
