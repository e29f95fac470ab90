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
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, input string) {
		rec := &recorder{}
		s := New(Config{Nick: "me", User: "u", Sender: rec, Autojoin: []Channel{{"#c", "k"}},
			SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: "b"}, OnSTS: func(string) {}})
		s.Register()
		for _, l := range []string{":srv CAP * LS :echo-message multi-prefix sasl", ":srv CAP * ACK :echo-message multi-prefix sasl", "AUTHENTICATE +", ":srv 903 me :ok", ":srv 001 me :hi"} {
			s.Handle(irc.MustParseMessage(l))
		}
		for _, line := range strings.Split(input, "\n") {
			m, err := ircx.ParseMessage(line)
			if err != nil {
				continue
			}
			s.Handle(m)
			if len(rec.out) > 1000 {
				rec.out = rec.out[:0]
			}
		}
		s.Submit(command.SendText{ID: 1, Target: "#c", Text: input})
		s.Ping()
		checkBounds(t, s)
		_ = s.Channels()
	})
}
