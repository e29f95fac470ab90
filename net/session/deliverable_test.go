package session

import (
	"reflect"
	"testing"

	"gopkg.in/irc.v4"
)

func TestUndeliverable(t *testing.T) {
	line := func(id uint64, cmd string, params ...string) Outgoing {
		return Outgoing{Msg: &irc.Message{Command: cmd, Params: params}, Class: ClassUser, LocalID: id}
	}
	tests := []struct {
		name string
		held []Outgoing
		want map[uint64]string
	}{
		{"nothing held", nil, nil},
		{"joined channel", []Outgoing{line(1, "PRIVMSG", "#in", "hi")}, nil},
		{"joined channel in another case", []Outgoing{line(1, "PRIVMSG", "#IN", "hi")}, nil},
		{"statusmsg to a joined channel", []Outgoing{line(1, "NOTICE", "@#in", "hi")}, nil},
		{"private message", []Outgoing{line(1, "PRIVMSG", "bob", "hi")}, nil},
		{"not typed (no LocalID)", []Outgoing{line(0, "PRIVMSG", "#out", "hi")}, nil},
		{"channel not joined", []Outgoing{line(1, "PRIVMSG", "#out", "hi")},
			map[uint64]string{1: "not sent: you are not in #out"}},
		{"statusmsg to a channel not joined", []Outgoing{line(2, "NOTICE", "+#out", "hi")},
			map[uint64]string{2: "not sent: you are not in #out"}},
		{"JOIN queued before", []Outgoing{line(0, "JOIN", "#a,#out"), line(1, "PRIVMSG", "#out", "hi")}, nil},
		{"JOIN queued after", []Outgoing{line(1, "PRIVMSG", "#out", "hi"), line(0, "JOIN", "#out")},
			map[uint64]string{1: "not sent: you are not in #out"}},
		{"split message refused once", []Outgoing{line(3, "PRIVMSG", "#out", "a"), line(3, "PRIVMSG", "#out", "b"), line(4, "PRIVMSG", "#in", "c")},
			map[uint64]string{3: "not sent: you are not in #out"}},
		{"other commands pass", []Outgoing{line(0, "PART", "#out"), line(0, "NICK", "x")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.register("")
			sc.feed(":me!u@h JOIN #in")
			if got := sc.s.Undeliverable(tc.held); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Undeliverable = %v, want %v", got, tc.want)
			}
		})
	}
}
