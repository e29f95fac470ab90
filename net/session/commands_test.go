package session

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestSubmitIRCCommands checks the exact line built for each typed IRC
// command, and that bad input is refused with an error Info and no line.
func TestSubmitIRCCommands(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name    string
		isup    string // extra 005 tokens, "" for none
		cmd     command.Command
		sent    []string
		refused bool
	}{
		{"kick", "", command.Kick{Channel: "#c", Nick: "bob"}, []string{"KICK #c bob"}, false},
		{"kick reason", "", command.Kick{Channel: "#c", Nick: "bob", Reason: "be nice"}, []string{"KICK #c bob :be nice"}, false},
		{"kick reason colon", "", command.Kick{Channel: "#c", Nick: "bob", Reason: ":)"}, []string{"KICK #c bob ::)"}, false},
		{"kick space in nick", "", command.Kick{Channel: "#c", Nick: "bob x"}, nil, true},
		{"kick empty channel", "", command.Kick{Nick: "bob"}, nil, true},
		{"kick CRLF in reason", "", command.Kick{Channel: "#c", Nick: "bob", Reason: "bye\r\nQUIT"}, nil, true},
		{"kick LF in reason", "", command.Kick{Channel: "#c", Nick: "bob", Reason: "bye\nnow"}, nil, true},
		{"kick nick starting with colon", "", command.Kick{Channel: "#c", Nick: ":bob"}, nil, true},

		{"away", "", command.Away{Message: "lunch"}, []string{"AWAY lunch"}, false},
		{"away words", "", command.Away{Message: "out to lunch"}, []string{"AWAY :out to lunch"}, false},
		{"back", "", command.Away{}, []string{"AWAY"}, false},
		{"away NUL", "", command.Away{Message: "x\x00y"}, nil, true},

		{"names", "", command.Names{Channel: "#c"}, []string{"NAMES #c"}, false},
		{"names empty channel", "", command.Names{}, nil, true},
		{"names space", "", command.Names{Channel: "#c #d"}, nil, true},

		{"topic read", "", command.Topic{Channel: "#c"}, []string{"TOPIC #c"}, false},
		{"topic set", "", command.Topic{Channel: "#c", Text: "new topic", Set: true}, []string{"TOPIC #c :new topic"}, false},
		{"topic clear", "", command.Topic{Channel: "#c", Set: true}, []string{"TOPIC #c :"}, false},
		{"topic empty channel", "", command.Topic{Text: "x", Set: true}, nil, true},
		{"topic CR", "", command.Topic{Channel: "#c", Text: "a\rb", Set: true}, nil, true},

		{"mode read", "", command.Mode{Target: "#c"}, []string{"MODE #c"}, false},
		{"mode op", "", command.Mode{Target: "#c", Modes: "+o", Args: []string{"bob"}}, []string{"MODE #c +o bob"}, false},
		{"mode ban list", "", command.Mode{Target: "#c", Modes: "+b"}, []string{"MODE #c +b"}, false},
		{"mode user", "", command.Mode{Target: "me", Modes: "+i"}, []string{"MODE me +i"}, false},
		{"mode op 4 default MODES", "", command.Mode{Target: "#c", Modes: "+oooo", Args: []string{"a", "b", "c", "d"}},
			[]string{"MODE #c +ooo a b c", "MODE #c +o d"}, false},
		{"mode op 4 MODES=2", "MODES=2", command.Mode{Target: "#c", Modes: "+oooo", Args: []string{"a", "b", "c", "d"}},
			[]string{"MODE #c +oo a b", "MODE #c +oo c d"}, false},
		{"mode op 4 MODES=6", "MODES=6", command.Mode{Target: "#c", Modes: "+oooo", Args: []string{"a", "b", "c", "d"}},
			[]string{"MODE #c +oooo a b c d"}, false},
		{"mode op 5 no limit", "MODES", command.Mode{Target: "#c", Modes: "+ooooo", Args: []string{"a", "b", "c", "d", "e"}},
			[]string{"MODE #c +ooooo a b c d e"}, false},
		{"mode mixed signs split", "MODES=1", command.Mode{Target: "#c", Modes: "+o-v+m", Args: []string{"a", "b"}},
			[]string{"MODE #c +o a", "MODE #c -v+m b"}, false},
		{"mode param-less modes ride along", "", command.Mode{Target: "#c", Modes: "+mnt"}, []string{"MODE #c +mnt"}, false},
		{"mode -l takes no param", "MODES=1", command.Mode{Target: "#c", Modes: "+k-l", Args: []string{"key"}},
			[]string{"MODE #c +k-l key"}, false},
		{"mode args left over go as given", "", command.Mode{Target: "#c", Modes: "+m", Args: []string{"x"}}, []string{"MODE #c +m x"}, false},
		{"mode no sign goes as given", "", command.Mode{Target: "#c", Modes: "b"}, []string{"MODE #c b"}, false},
		{"mode space in nick", "", command.Mode{Target: "#c", Modes: "+o", Args: []string{"bob x"}}, nil, true},
		{"mode empty arg", "", command.Mode{Target: "#c", Modes: "+o", Args: []string{""}}, nil, true},
		{"mode empty target", "", command.Mode{Modes: "+o", Args: []string{"bob"}}, nil, true},
		{"mode args without modes", "", command.Mode{Target: "#c", Args: []string{"bob"}}, nil, true},
		{"mode CRLF in modes", "", command.Mode{Target: "#c", Modes: "+o\r\nQUIT"}, nil, true},

		{"invite", "", command.Invite{Nick: "bob", Channel: "#c"}, []string{"INVITE bob #c"}, false},
		{"invite empty channel", "", command.Invite{Nick: "bob"}, nil, true},
		{"invite space in nick", "", command.Invite{Nick: "b b", Channel: "#c"}, nil, true},

		{"whois", "", command.Whois{Nick: "bob"}, []string{"WHOIS bob"}, false},
		{"whois idle", "", command.Whois{Nick: "bob", Server: "bob"}, []string{"WHOIS bob bob"}, false},
		{"whois empty", "", command.Whois{}, nil, true},
		{"whois bad server", "", command.Whois{Nick: "bob", Server: "a b"}, nil, true},

		{"whowas", "", command.Whowas{Nick: "bob"}, []string{"WHOWAS bob"}, false},
		{"whowas count", "", command.Whowas{Nick: "bob", Count: 3}, []string{"WHOWAS bob 3"}, false},
		{"whowas space", "", command.Whowas{Nick: "bob\n"}, nil, true},

		{"list", "", command.List{}, []string{"LIST"}, false},
		{"list filter", "", command.List{Filter: "#go*"}, []string{"LIST #go*"}, false},
		{"list two words", "", command.List{Filter: "#a b"}, nil, true},

		{"ctcp", "", command.CTCP{Target: "bob", Verb: "VERSION"}, []string{"PRIVMSG bob \x01VERSION\x01"}, false},
		{"ctcp args upper-cased verb", "", command.CTCP{Target: "bob", Verb: "ping", Args: "12345"}, []string{"PRIVMSG bob :\x01PING 12345\x01"}, false},
		{"ctcp empty verb", "", command.CTCP{Target: "bob"}, nil, true},
		{"ctcp verb with space", "", command.CTCP{Target: "bob", Verb: "A B"}, nil, true},
		{"ctcp delimiter in args", "", command.CTCP{Target: "bob", Verb: "PING", Args: "a\x01b"}, nil, true},
		{"ctcp LF in args", "", command.CTCP{Target: "bob", Verb: "PING", Args: "a\nb"}, nil, true},
		{"ctcp bad target", "", command.CTCP{Target: "b b", Verb: "VERSION"}, nil, true},
		{"ctcp too long", "", command.CTCP{Target: "bob", Verb: "PING", Args: long}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.register("")
			if tt.isup != "" {
				sc.feed(":srv 005 me " + tt.isup + " :are supported by this server")
			}
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
			refused := len(infos) == 1 && infos[0].Error && len(evs) == 1
			if refused != tt.refused {
				t.Errorf("%#v: events %+v, want refused %v", tt.cmd, evs, tt.refused)
			}
		})
	}
}

// A long /op of long masks is split by the line length too, when MODES
// does not limit it.
func TestModeSplitByLineLength(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":srv 005 me MODES :are supported by this server")
	var masks []string
	for i := range 30 {
		masks = append(masks, strings.Repeat(string(rune('a'+i%26)), 40)+"!*@*")
	}
	sc.s.Submit(command.Mode{Target: "#c", Modes: "+" + strings.Repeat("b", len(masks)), Args: masks})
	got := sc.sent()
	if len(got) < 2 {
		t.Fatalf("sent %d lines, want the ban split over several", len(got))
	}
	var sent []string
	for _, l := range got {
		if len(l)+len("\r\n") > 512 {
			t.Errorf("line of %d bytes: %q", len(l), l)
		}
		f := strings.Fields(l)
		if len(f) < 3 || f[0] != "MODE" || f[1] != "#c" || f[2] != "+"+strings.Repeat("b", len(f)-3) {
			t.Errorf("malformed split line %q", l)
			continue
		}
		sent = append(sent, f[3:]...)
	}
	if strings.Join(sent, " ") != strings.Join(masks, " ") {
		t.Errorf("masks sent %q, want %q in order", sent, masks)
	}
}
