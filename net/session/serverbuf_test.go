package session

import (
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// Lines from servers belong in the server buffer (""), whatever the
// server's name looks like; lines from users (nick!user@host) in a query
// named after them.
func TestServerLinesGoToServerBuffer(t *testing.T) {
	tests := []struct {
		name, line, want string
	}{
		{"notice from a dotted server name", ":irc.example.net NOTICE me :*** Looking up your hostname", ""},
		{"notice from a dotless server name", ":s1 NOTICE me :*** You are connected", ""},
		{"notice from the server named in 001", ":srv NOTICE me :*** Welcome", ""},
		{"notice from another server of the network", ":hub NOTICE me :*** routing", ""},
		{"notice to *", ":s1 NOTICE * :*** Checking ident", ""},
		{"notice to * from a user", ":bob!b@h NOTICE * :odd", ""},
		{"global notice to $*", ":oper!o@h NOTICE $* :maintenance tonight", ""},
		{"global privmsg to a server mask", ":oper!o@h PRIVMSG $*.example.net :hello all", ""},
		{"privmsg from a server", ":s1 PRIVMSG me :you have been scanned", ""},
		{"privmsg from a dotted name with a user part", ":irc.example.net!x@y PRIVMSG me :spoofed?", ""},
		{"notice without a prefix", "NOTICE me :*** from nowhere", ""},
		{"notice from a user", ":bob!b@h NOTICE me :psst", "bob"},
		{"privmsg from a user", ":bob!b@h PRIVMSG me :hi", "bob"},
		{"notice from a user with only a host", ":bob@h NOTICE me :hm", "bob"},
		// Services talk like users: the reply to /msg NickServ belongs
		// beside what the user sent it (see bufferFor).
		{"services notice", ":NickServ!NickServ@services. NOTICE me :This nickname is registered", "NickServ"},
		{"channel notice from a server", ":s1 NOTICE #c :*** channel notice", "#c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.register("")
			sc.feed(":me!u@h JOIN #c")
			m := one[event.Message](t, sc.feed(tt.line))
			if m.Buffer != tt.want {
				t.Errorf("%q went to buffer %q, want %q", tt.line, m.Buffer, tt.want)
			}
		})
	}
}

// Before 001 every private line goes to the server buffer: nothing is
// known yet about who is who.
func TestNoticeBeforeRegistration(t *testing.T) {
	for _, line := range []string{
		":s1 NOTICE * :*** Looking up your hostname...",
		":s1 NOTICE me :*** Found your hostname",
		":bob!b@h NOTICE me :early",
		"NOTICE AUTH :*** Processing connection",
	} {
		sc := newScript(t, Config{})
		sc.s.Register()
		sc.sent()
		if m := one[event.Message](t, sc.feed(line)); m.Buffer != "" {
			t.Errorf("%q before registration went to %q, want the server buffer", line, m.Buffer)
		}
	}
}
