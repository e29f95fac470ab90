package ui

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/muesli/termenv"
)

// hostile is text a malicious peer might send.
var hostile = []string{
	"\x1b[2J\x1b[H cleared your screen",
	"\x1b]0;owned\x07 title",
	"\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
	"\x1bP+q\x1b\\ dcs",
	"\u009b31m c1 csi \u009d osc \u0085 nel",
	"\xc2\x9b raw c1 and \x9b bare byte",
	"bell \x07\x07 del \x7f nul \x00",
	"\u202egnp.exe \u2066iso\u2069 \u202a\u202b\u202c\u202d",
	"line\rfeed\nnew",
	"marks \u200e \u200f \u061c reorder text",
	"\x1b7\x1b8 save restore \x1bc reset",
}

// assertSafe fails if frame carries anything but printable text and (when
// sgr) well-formed SGR sequences, row separators aside.
func assertSafe(t *testing.T, frame string, sgr bool) {
	t.Helper()
	for _, s := range strings.Split(frame, "\n") {
		for i := 0; i < len(s); {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == 0x1b {
				if !sgr {
					t.Fatalf("ESC in a no-colour frame: %q", s)
				}
				j := i + 1
				if j >= len(s) || s[j] != '[' {
					t.Fatalf("ESC not starting a CSI: %q", s[i:])
				}
				j++
				for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';') {
					j++
				}
				if j >= len(s) || s[j] != 'm' {
					t.Fatalf("escape is not an SGR sequence: %q", s[i:])
				}
				i = j + 1
				continue
			}
			switch {
			case r == utf8.RuneError && size == 1:
				t.Fatalf("invalid UTF-8 byte %#x: %q", s[i], s)
			case r < 0x20 || r == 0x7f:
				t.Fatalf("raw C0/DEL %U: %q", r, s)
			case r >= 0x80 && r <= 0x9f:
				t.Fatalf("raw C1 %U: %q", r, s)
			case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
				t.Fatalf("raw bidi control %U: %q", r, s)
			}
			i += size
		}
	}
}

// Every string a network controls, in every event that carries one, must
// reach the frame only as visible placeholders.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	for _, p := range []termenv.Profile{termenv.Ascii, termenv.ANSI, termenv.ANSI256, termenv.TrueColor} {
		hs := newHarness(t, 120, 60, Options{Styles: testStyles(t, p)})
		hs.connected()
		ch := "#ev\x1b[1mil\u202e"
		hs.feed(event.Join{Meta: meta(1), Channel: ch, Nick: "newcomer", Self: true})
		for i, h := range hostile {
			nick := "n\x1b]0;x\x07" + h[:2]
			m := meta(2 + i)
			hs.feed(
				event.Message{Meta: m, Buffer: ch, From: nick, Text: h},
				event.Message{Meta: m, Buffer: ch, From: nick, Text: h, Kind: event.Action},
				event.Message{Meta: m, Buffer: ch, From: nick, Text: h, Kind: event.Notice},
				event.Message{Meta: m, Buffer: "q\x1b[31m" + h[:1], From: "q\x1b[31m" + h[:1], Text: h},
				event.Topic{Meta: m, Channel: ch, Topic: h, SetBy: nick, Changed: true},
				event.Names{Meta: m, Channel: ch, Members: []event.Member{{Nick: nick, Prefixes: "@"}, {Nick: h}}},
				event.Join{Meta: m, Channel: ch, Nick: nick, UserHost: h},
				event.Part{Meta: m, Channel: ch, Nick: nick, Reason: h},
				event.Kick{Meta: m, Channel: ch, Nick: nick, By: h, Reason: h},
				event.Quit{Meta: m, Nick: nick, Reason: h, Channels: []string{ch}},
				event.NickChange{Meta: m, Old: nick, New: h, Channels: []string{ch}},
				event.Mode{Meta: m, Target: ch, By: nick, Modes: "+o", Params: []string{h}},
				event.Invite{Meta: m, By: nick, Nick: "newcomer", Channel: h},
				event.Info{Meta: m, Code: "372", Text: h},
				event.Info{Meta: m, Buffer: ch, Code: "404", Text: h, Error: true},
				event.Error{Meta: m, Text: h},
				event.CTCP{Meta: m, From: nick, Target: ch, Command: h, Args: h},
				event.Away{Meta: m, Nick: nick, Away: true, Message: h},
				event.Failed{Meta: m, LocalID: 99, Reason: h},
				event.Migration{Meta: m, Step: event.MigrationFailed, Target: h, Reason: h, Recovery: h},
				event.ConnState{Meta: m, State: event.StateWaiting, Server: h, Reason: h, RetryIn: time.Second},
				event.Registered{Meta: m, Nick: "newcomer", ServerName: h},
			)
		}
		// Every buffer, as current, including the topic line and the
		// status bar's note.
		hs.typeText("typed \x1b[31m\u202e text")
		order := hs.m.m.ordered()
		for i := range order {
			hs.m.m.switchTo(hs.m.m.ordered()[i])
			assertSafe(t, hs.m.View(), p != termenv.Ascii)
		}
	}
}

// seen is a row as the eye sees it: escape sequences and characters that
// take no cell removed.
func seen(row string) string {
	var b strings.Builder
	for _, r := range ansi.Strip(row) {
		if ansi.StringWidth(string(r)) > 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// A nick with an invisible character must not pass for another nick: in
// the nick list, the message lines, the sidebar and the topic row,
// "adm\u200bin" must look different from "admin".
func TestInvisibleCharactersDoNotSpoofNicks(t *testing.T) {
	for _, fake := range []string{"adm\u200bin", "adm\u200din", "admin\u2060", "\ufeffadmin", "adm\u200ein",
		"admin\U000E0001", "adm\u3164in", "\u115fadmin", "adm\u180ein", "admin\u00a0"} {
		hs := newHarness(t, 100, 16, Options{Styles: testStyles(t, termenv.ANSI)})
		hs.connected()
		hs.feed(
			event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", Self: true},
			event.Names{Meta: meta(1), Channel: "#ferry", Members: []event.Member{{Nick: "newcomer"}, {Nick: "admin"}, {Nick: fake}}},
			event.Message{Meta: meta(2), Buffer: "#ferry", From: "admin", Text: "said the real one"},
			event.Message{Meta: meta(3), Buffer: "#ferry", From: fake, Text: "said the fake one"},
			event.Message{Meta: meta(4), Buffer: fake, From: fake, Text: "psst"},
		)
		rows := strings.Split(hs.m.View(), "\n")
		var real, spoof, list []string
		for _, r := range rows {
			s := seen(r)
			switch {
			case strings.Contains(s, "said the real one"):
				real = append(real, s)
			case strings.Contains(s, "said the fake one"):
				spoof = append(spoof, s)
			}
			if i := strings.LastIndex(s, "│"); i >= 0 {
				list = append(list, strings.TrimSpace(s[i+len("│"):]))
			}
		}
		if len(real) != 1 || len(spoof) != 1 {
			t.Fatalf("%q: message rows not found:\n%s", fake, hs.screen())
		}
		nickOf := func(row, text string) string {
			f := strings.Fields(row[:strings.Index(row, text)])
			return f[len(f)-1]
		}
		if a, b := nickOf(real[0], "said"), nickOf(spoof[0], "said"); a == b {
			t.Errorf("%q: message lines show both nicks as %q", fake, a)
		}
		admins := 0
		for _, n := range list {
			if n == "admin" {
				admins++
			}
		}
		if admins != 1 {
			t.Errorf("%q: %d nick list rows read \"admin\", want 1: %q", fake, admins, list)
		}
		// The query's sidebar entry.
		for _, r := range rows {
			s := seen(r)
			i := strings.Index(s, "│")
			if i < 0 {
				continue
			}
			if f := strings.Fields(s[:i]); len(f) > 0 && f[0] == "admin" {
				t.Errorf("%q: the sidebar shows the query as \"admin\": %q", fake, s)
			}
		}
	}
}

// In message text the bidi marks are neutralised like the overrides, and
// the invisibles that emoji and scripts need stay: a ZWJ family is still
// one family, a ZWNJ still shapes Persian.
func TestMessageTextKeepsEmojiJoinsAndDropsBidiMarks(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	hs.connected()
	hs.feed(
		event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", Self: true},
		event.Message{Meta: meta(2), Buffer: "#ferry", From: "alice", Text: "family 👨\u200d👩\u200d👧 ok"},
		event.Message{Meta: meta(3), Buffer: "#ferry", From: "alice", Text: "می\u200cخواهم"},
		event.Message{Meta: meta(4), Buffer: "#ferry", From: "alice", Text: "x\u200ey\u200fz\u061cw"},
	)
	s := hs.m.View()
	for _, want := range []string{"👨\u200d👩\u200d👧 ok", "می\u200cخواهم", "x\uFFFDy\uFFFDz\uFFFDw"} {
		if !strings.Contains(s, want) {
			t.Errorf("frame lacks %q:\n%s", want, s)
		}
	}
	assertSafe(t, s, false)
}
