package ui

import (
	"fmt"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
	"github.com/ferry-irc/ferry/net/session"
)

type discardSender struct{}

func (discardSender) Send(session.Outgoing) {}

// sessionEvents registers a real session whose server sends isupport in
// its 005, then has it join a and hear bob in b; it returns every event,
// and whether the session put b's message in channel a.
func sessionEvents(t *testing.T, isupport, a, b string) ([]event.Event, bool) {
	t.Helper()
	s := session.New(session.Config{Nick: "me", User: "u", Realname: "Me", Sender: discardSender{}})
	s.Register()
	var evs []event.Event
	for _, line := range []string{
		":srv CAP * LS :",
		":srv 001 me :Welcome",
		":srv 005 me CHANTYPES=# " + isupport + " :are supported by this server",
		":me!u@h JOIN " + a,
		":bob!b@h PRIVMSG " + b + " :hi",
	} {
		m, err := ircx.ParseMessage(line)
		if err != nil {
			t.Fatalf("test line %q: %v", line, err)
		}
		evs = append(evs, s.Handle(m)...)
	}
	var msg *event.Message
	for _, e := range evs {
		if m, ok := e.(event.Message); ok {
			msg = &m
		}
	}
	if msg == nil {
		t.Fatalf("no Message from the session: %#v", evs)
	}
	same := msg.Buffer == a
	if n := len(s.Channels()); n != 1 {
		t.Fatalf("session in %d channels after one JOIN", n)
	}
	return evs, same
}

// The session and the UI decide with one rule (ircx.Casemap, chosen from
// the 005 by the session and handed to the UI in event.ISupport) which
// names are one channel and one buffer: absent CASEMAPPING is rfc1459, the
// token is read in any case, rfc7613 folds Unicode but not []\~, and an
// unknown value is ascii.
func TestCasemapSessionAndUIAgree(t *testing.T) {
	pairs := [][2]string{{"#[a]", "#{a}"}, {"#Foo", "#foo"}, {"#Ä", "#ä"}, {"#x~", "#x^"}}
	tests := []struct {
		isupport string
		same     []bool // for each pair: one channel/buffer
	}{
		{"", []bool{true, true, false, true}}, // no CASEMAPPING: rfc1459
		{"CASEMAPPING=rfc1459", []bool{true, true, false, true}},
		{"CASEMAPPING=RFC1459", []bool{true, true, false, true}},
		{"CASEMAPPING=rfc1459-strict", []bool{true, true, false, false}},
		{"CASEMAPPING=ascii", []bool{false, true, false, false}},
		{"CASEMAPPING=rfc7613", []bool{false, true, true, false}},
		{"CASEMAPPING=RFC7613", []bool{false, true, true, false}},
		{"CASEMAPPING=x-unknown-9", []bool{false, true, false, false}}, // unknown: ascii
	}
	for _, tt := range tests {
		for i, p := range pairs {
			a, b := p[0], p[1]
			t.Run(fmt.Sprintf("%s/%s~%s", tt.isupport, a, b), func(t *testing.T) {
				evs, sessSame := sessionEvents(t, tt.isupport, a, b)
				hs := newHarness(t, 100, 12, Options{})
				hs.feed(evs...)
				n := hs.m.m.netBy[""]
				if n == nil {
					t.Fatal("the UI has no network for the session's events")
				}
				ba, bb := n.find(a), n.find(b)
				if ba == nil || bb == nil {
					t.Fatalf("UI buffers %q=%v %q=%v", a, ba, b, bb)
				}
				uiSame := ba == bb
				if want := map[bool]int{true: 1, false: 2}[uiSame]; len(n.bufs) != want {
					t.Errorf("UI has %d buffers, want %d", len(n.bufs), want)
				}
				if sessSame != uiSame {
					t.Errorf("session says one channel %v, UI says one buffer %v", sessSame, uiSame)
				}
				if sessSame != tt.same[i] {
					t.Errorf("one channel %v, want %v", sessSame, tt.same[i])
				}
			})
		}
	}
}
