package session

import (
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestStandardRepliesPlaced(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #c", ":bob!b@h PRIVMSG me :hi")
	sc.sent()
	tests := []struct {
		line string
		want event.Info
	}{
		{":srv FAIL JOIN CHANNEL_FULL #c :Cannot join channel", event.Info{Buffer: "#c", Code: "FAIL", Text: "JOIN: Cannot join channel (CHANNEL_FULL)", Error: true}},
		{":srv FAIL PRIVMSG TARGET_GONE Bob :Bob is not online", event.Info{Buffer: "Bob", Code: "FAIL", Text: "PRIVMSG: Bob is not online (TARGET_GONE)", Error: true}},
		{":srv WARN NICK SPAMMY #nope :Be careful with nick changes", event.Info{Code: "WARN", Text: "NICK: Be careful with nick changes (SPAMMY)", Warn: true}},
		{":srv NOTE * NOTICE_OF_MAINTENANCE :Restart in 5 minutes", event.Info{Code: "NOTE", Text: "Restart in 5 minutes (NOTICE_OF_MAINTENANCE)"}},
		{":srv FAIL SETNAME INVALID_REALNAME :Realname is not valid", event.Info{Code: "FAIL", Text: "SETNAME: Realname is not valid (INVALID_REALNAME)", Error: true}},
		{":srv FAIL * ACCOUNT_REQUIRED :You need an account", event.Info{Code: "FAIL", Text: "You need an account (ACCOUNT_REQUIRED)", Error: true}},
		{":srv NOTE :odd", event.Info{Code: "NOTE", Text: "odd"}},
	}
	for _, tt := range tests {
		info := one[event.Info](t, sc.feed(tt.line))
		tt.want.Meta = info.Meta
		if info != tt.want {
			t.Errorf("%q:\n got  %+v\n want %+v", tt.line, info, tt.want)
		}
	}
	// FAIL SETNAME answering our /setname, and a setname-less server refusing locally.
	info := one[event.Info](t, sc.s.Submit(command.SetName{Realname: "New Name"}))
	if !info.Error || info.Code != "ferry" {
		t.Errorf("SETNAME without the cap: %+v", info)
	}
	sc.expect()
}
