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

// joinedSession is a registered session in #c with n other members.
func joinedSession(b *testing.B, n int) *Session {
	b.Helper()
	s := New(Config{Nick: "me", User: "u", Sender: &recorder{}})
	s.Register()
	for _, l := range []string{":srv CAP * LS :", ":srv 001 me :hi", ":me!u@h JOIN #c"} {
		s.Handle(irc.MustParseMessage(l))
	}
	for i := 0; i < n; i++ {
		s.Handle(irc.MustParseMessage(fmt.Sprintf(":m%d!u@h JOIN #c", i)))
	}
	return s
}

// BenchmarkJoin measures the session's Handle of membership lines in a
// channel of 1 000 and of 100 000 members: the cost must not grow with
// the channel. join is a JOIN of a new nick followed by its PART (one op,
// so the channel keeps its size), rejoin a JOIN of a nick already there.
// The session tracks at most maxMembers per channel; beyond that a JOIN
// is counted, not stored.
func BenchmarkJoin(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		s := joinedSession(b, n)
		const fresh = 4096
		joins := make([]*irc.Message, fresh)
		parts := make([]*irc.Message, fresh)
		for i := range joins {
			joins[i] = irc.MustParseMessage(fmt.Sprintf(":new%d!u@h JOIN #c", i))
			parts[i] = irc.MustParseMessage(fmt.Sprintf(":new%d!u@h PART #c :bye", i))
		}
		b.Run(fmt.Sprintf("join+part/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if evs := s.Handle(joins[i%fresh]); len(evs) != 1 {
					b.Fatal(evs)
				}
				if evs := s.Handle(parts[i%fresh]); len(evs) != 1 {
					b.Fatal(evs)
				}
				i++
			}
		})
		again := irc.MustParseMessage(fmt.Sprintf(":m%d!u@h JOIN #c", n/2))
		b.Run(fmt.Sprintf("rejoin/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if evs := s.Handle(again); len(evs) != 1 {
					b.Fatal(evs)
				}
			}
		})
	}
}
