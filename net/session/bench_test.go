package session

import (
	"fmt"
	"testing"

	"gopkg.in/irc.v4"
)

// BenchmarkHandlePrivmsg measures the session's share of a channel flood:
// one tagged PRIVMSG in a joined channel of 500 members, per op.
func BenchmarkHandlePrivmsg(b *testing.B) {
	s := New(Config{Nick: "me", User: "u", Sender: &recorder{}})
	s.Register()
	for _, l := range []string{":srv CAP * LS :", ":srv 001 me :hi", ":me!u@h JOIN #c"} {
		s.Handle(irc.MustParseMessage(l))
	}
	for i := 0; i < 500; i++ {
		s.Handle(irc.MustParseMessage(fmt.Sprintf(":n%d!u@h JOIN #c", i)))
	}
	m := irc.MustParseMessage("@time=2026-01-01T00:00:00.000Z;msgid=abc;account=n1 :n1!u@h PRIVMSG #c :hello there, how is everyone doing today?")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if evs := s.Handle(m); len(evs) != 1 {
			b.Fatal(evs)
		}
	}
}
