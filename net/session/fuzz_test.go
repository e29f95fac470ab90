package session

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/ircx"
)

// FuzzHandle feeds arbitrary lines (parsed with ircx.ParseMessage, as a
// transport must: irc.ParseMessage itself panics on some inputs) (several per input, so state builds up)
// to a registered session: it must not panic and its state must stay within
// its bounds.
//
// Long stretches of "0/sec" in the fuzz log are the fuzzer minimizing a new
// interesting input, not a slow input: minimizing runs in the worker and its
// executions are counted only when it ends, and its pass over every pair of
// cut points is quadratic in the input's length, so a few-kilobyte input
// keeps the worker for all of -fuzzminimizetime (60 s by default). Each
// input runs in time linear in its length (about 0.2 ms for 2.5 kB). Run
// with -fuzzminimizetime=5s (or a count, 2000x) to keep the worker fuzzing.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{
		":me!u@h JOIN #c\n:srv 353 me = #c :@me +bob!b@h\n:srv 366 me #c :end",
		":bob!b@h PRIVMSG #c :\x01ACTION hi\x01\n:bob!b@h PRIVMSG me :\x01VERSION\x01",
		":srv 005 me CASEMAPPING=ascii PREFIX=(qaohv)~&@%+ CHANMODES=b,k,l,imnst LINELEN=600 :are supported",
		":alice!a@h MODE #c +ov-k+b bob bob key mask!*@*",
		"CAP * LS * :sasl=PLAIN\nCAP * LS :sts=port=6697\nCAP * NEW :away-notify\nCAP * DEL :sasl",
		"@time=2026-01-01T00:00:00Z;msgid=x :me!u@h PRIVMSG #c :text",
		":srv 433 * me :in use\n:srv 904 me :fail\nAUTHENTICATE +",
		":bob!b@h NICK me\n:me!u@h NICK bob\n:bob!b@h QUIT :x",
		":srv 332 me #c :t\n:srv 333 me #c x notanumber",
		"PING\nPONG\nERROR\nFAIL\n:srv 001\n:srv 999",
		"\xff\xfe:\x00 PRIVMSG \xe9 :\xe9",
		":srv BATCH +h chathistory #c\n@batch=h;msgid=1;time=2026-01-01T00:00:00Z :bob!b@h PRIVMSG #c :old\n@batch=h :me!u@h PART #c\n:srv BATCH -h",
		":srv BATCH +o chathistory #c\n@batch=o :srv BATCH +i x\n:srv BATCH -o\n@batch=i :bob!b@h PRIVMSG #c :late\n:srv BATCH -i\n:srv BATCH -zz\n:srv BATCH +\n:srv BATCH x",
		":srv BATCH +n chathistory\n@batch=n :bob!b@h NOTICE me :x\n:srv BATCH -n\n@batch=ghost :bob!b@h PRIVMSG #c :x",
		":srv FAIL CHATHISTORY INVALID_TARGET BEFORE #c :no\n:srv 421 me CHATHISTORY :unknown\n:srv 005 me CHATHISTORY=5 MSGREFTYPES=timestamp :ok\n:srv 376 me :end",
		":srv 010 me irc2.example.net +6697 :full\n:srv 010 me [::1] 0 :bad\n:srv 010 me -x 99999\n:srv 010",
		"@msgid=z :bob!b@h BATCH +m draft/multiline #c\n@batch=m :bob!b@h PRIVMSG #c :a\n@batch=m;draft/multiline-concat :bob!b@h PRIVMSG #c b\n@batch=m :bob!b@h JOIN #c\n:bob!b@h BATCH -m\n:srv BATCH +e draft/multiline\n:srv BATCH -e",
		":srv MARKREAD #c timestamp=2026-01-01T00:00:00.000Z\n:srv MARKREAD #c *\n:srv MARKREAD bob timestamp=bad\n:srv MARKREAD\n:srv MARKREAD #c",
		":srv BOUNCER NETWORK 1 name=a\\sb;state=connected;x\n:srv BOUNCER NETWORK 1 *\n:srv BOUNCER NETWORK 2 name=\\\n:srv BOUNCER\n:srv FAIL BOUNCER INVALID_NETID BIND 2 :no",
		"AUTHENTICATE cj1ub25jZSxzPWEsaT0x\nAUTHENTICATE +\nAUTHENTICATE =",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		rec := &recorder{}
		s := New(Config{Nick: "me", User: "u", Sender: rec, Autojoin: []Channel{{"#c", "k"}},
			SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: "b"}, OnSTS: func(string) {}})
		s.Register()
		caps := "echo-message multi-prefix sasl batch server-time message-tags draft/chathistory draft/read-marker draft/multiline"
		for _, l := range []string{":srv CAP * LS :" + caps, ":srv CAP * ACK :" + caps, "AUTHENTICATE +", ":srv 903 me :ok", ":srv 001 me :hi"} {
			s.Handle(irc.MustParseMessage(l))
		}
		lines := strings.Split(input, "\n")
		// Twice: on the first connection, then after a reconnect, so the
		// gap fill runs over whatever state the input built.
		for round := 0; round < 2; round++ {
			if round == 1 {
				s.Register()
				if _, _, _, ok := s.Redirect(); ok {
					t.Fatal("Register left a redirect")
				}
				for _, l := range []string{":srv CAP * LS :" + caps, ":srv CAP * ACK :" + caps, "AUTHENTICATE +", ":srv 903 me :ok", ":srv 001 me :hi", ":me!u@h JOIN #c", ":srv 376 me :end"} {
					s.Handle(irc.MustParseMessage(l))
				}
			}
			for _, line := range lines {
				m, err := ircx.ParseMessage(line)
				if err != nil {
					continue
				}
				s.Handle(m)
				if len(rec.out) > 1000 {
					rec.out = rec.out[:0]
				}
			}
			checkBounds(t, s)
		}
		s.Submit(command.FetchHistory{Buffer: "#c", BeforeID: input})
		s.Submit(command.SendText{ID: 1, Target: "#c", Text: input})
		s.Ping()
		checkBounds(t, s)
		_ = s.Channels()
	})
}
