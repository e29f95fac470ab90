package session

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// relayed is the line as the server relays it to others, CRLF included.
func relayed(prefix string, o Outgoing) int {
	return len(":"+prefix+" ") + len(o.Msg.String()) + 2
}

func TestSendTextSplitting(t *testing.T) {
	words := strings.Repeat("lorem ipsum dolor sit amet ", 60)
	tests := []struct {
		name     string
		isupport string // extra 005 tokens
		host     string // our host learnt via 396, "" = unknown
		kind     event.MsgKind
		target   string
		text     string
		joinWith string // how the pieces reassemble to text
		lineLen  int
		maxLines int
	}{
		{"ascii words", "", "", event.Privmsg, "#c", strings.TrimSpace(words), " ", 512, 4},
		{"multi-byte no spaces", "", "", event.Privmsg, "#c", strings.Repeat("é€𝄞", 200), "", 512, 6},
		{"multi-byte words", "", "", event.Notice, "bob", strings.TrimSpace(strings.Repeat("ünïcödé wörds ", 100)), " ", 512, 5},
		{"action keeps framing", "", "", event.Action, "#c", strings.TrimSpace(words), " ", 512, 4},
		{"LINELEN", "LINELEN=2048", "", event.Privmsg, "#c", strings.TrimSpace(words), " ", 2048, 1},
		{"known short host", "", "h", event.Privmsg, "#c", strings.Repeat("x", 1000), "", 512, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.register("")
			if tt.isupport != "" {
				sc.feed(":srv 005 me " + tt.isupport + " :are supported by this server")
			}
			prefix := "me!~u@" + strings.Repeat("h", assumedHostLen)
			if tt.host != "" {
				sc.feed(":srv 396 me " + tt.host + " :is now your displayed host")
				prefix = "me!~u@" + tt.host
			}
			evs := sc.s.Submit(command.SendText{ID: 5, Target: tt.target, Text: tt.text, Kind: tt.kind})
			out := sc.rec.out
			if len(out) < 2 && tt.maxLines > 1 || len(out) > tt.maxLines {
				t.Fatalf("%d lines, want 2..%d", len(out), tt.maxLines)
			}
			msgs := only[event.Message](evs)
			if len(msgs) != len(out) {
				t.Fatalf("%d echo events for %d lines", len(msgs), len(out))
			}
			var pieces []string
			for i, o := range out {
				if n := relayed(prefix, o); n > tt.lineLen {
					t.Errorf("line %d relayed is %d bytes > %d", i, n, tt.lineLen)
				}
				if o.Class != ClassUser || o.LocalID != 5 {
					t.Errorf("line %d class %v LocalID %d", i, o.Class, o.LocalID)
				}
				text := o.Msg.Param(1)
				if !utf8.ValidString(text) {
					t.Errorf("line %d cut inside a character", i)
				}
				if tt.kind == event.Action {
					if !strings.HasPrefix(text, "\x01ACTION ") || !strings.HasSuffix(text, "\x01") {
						t.Errorf("line %d lost its CTCP framing: %q", i, text)
					}
					text = strings.TrimSuffix(strings.TrimPrefix(text, "\x01ACTION "), "\x01")
				}
				if msgs[i].Text != text || !msgs[i].Self || msgs[i].LocalID != 5 || msgs[i].Kind != tt.kind {
					t.Errorf("echo %d %+v for %q", i, msgs[i], text)
				}
				pieces = append(pieces, text)
			}
			if got := strings.Join(pieces, tt.joinWith); got != tt.text {
				t.Errorf("pieces do not reassemble the text:\n got  %q\n want %q", got, tt.text)
			}
			// Lines are nearly full: splitting wastes little.
			if len(out) > 1 {
				if n := relayed(prefix, out[0]); n < tt.lineLen-20 {
					t.Errorf("first line only %d bytes of %d", n, tt.lineLen)
				}
			}
		})
	}
}

func TestSendTextNewlinesAndControl(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	evs := sc.s.Submit(command.SendText{ID: 1, Target: "#c", Text: "one\r\ntwo\n\nthree\x00!"})
	sc.expect("PRIVMSG #c one", "PRIVMSG #c two", "PRIVMSG #c three!")
	if len(evs) != 3 {
		t.Errorf("%d events", len(evs))
	}
}

func TestSubmitCommands(t *testing.T) {
	tests := []struct {
		cmd  command.Command
		sent []string
		err  bool
	}{
		{command.Join{Channel: "#c"}, []string{"JOIN #c"}, false},
		{command.Join{Channel: "#c", Key: "k"}, []string{"JOIN #c k"}, false},
		{command.Join{Channel: "#c d"}, nil, true},
		{command.Part{Channel: "#c", Reason: "bye now"}, []string{"PART #c :bye now"}, false},
		{command.Part{Channel: "#c"}, []string{"PART #c"}, false},
		{command.SetNick{Nick: "new"}, []string{"NICK new"}, false},
		{command.SetNick{Nick: ""}, nil, true},
		{command.Raw{Line: "MODE #c +o bob"}, []string{"MODE #c +o bob"}, false},
		{command.Raw{Line: "WHOIS bob\r\nQUIT"}, []string{"WHOIS bob QUIT"}, false},
		{command.Raw{Line: ""}, nil, true},
		{command.Raw{Line: "@a=b "}, nil, true}, // irc.v4 alone panics on a tags-only line
		{command.Raw{Line: "@a=b \u0085"}, nil, true},
		{command.Quit{Reason: "off\nnow"}, []string{"QUIT :off now"}, false},
		{command.Quit{}, []string{"QUIT"}, false},
		{command.SendText{ID: 1, Target: "bad target", Text: "x"}, nil, true},
		{command.SendText{ID: 1, Target: ":x", Text: "x"}, nil, true},
		{command.SendText{ID: 1, Target: "bob", Text: ""}, nil, false},
		{command.Connect{}, nil, false},
		{command.Migrate{Server: "s2"}, nil, false},
	}
	for _, tt := range tests {
		sc := newScript(t, Config{})
		sc.register("")
		evs := sc.s.Submit(tt.cmd)
		for _, o := range sc.rec.out {
			if o.Class != ClassUser {
				t.Errorf("%#v: class %v", tt.cmd, o.Class)
			}
		}
		got := sc.sent()
		if strings.Join(got, "|") != strings.Join(tt.sent, "|") {
			t.Errorf("%#v: sent %q, want %q", tt.cmd, got, tt.sent)
		}
		infos := only[event.Info](evs)
		if tt.err != (len(infos) == 1 && infos[0].Error) {
			t.Errorf("%#v: events %+v, want error %v", tt.cmd, evs, tt.err)
		}
	}
}
