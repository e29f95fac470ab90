package session

import (
	"strconv"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// WHOIS and WHOWAS replies read as sentences; a reply too short to read is
// shown with its parameters as they are, never dropped.
func TestWhoisText(t *testing.T) {
	signon := time.Date(2026, 11, 20, 9, 5, 0, 0, time.Local).Unix()
	tests := []struct{ line, want string }{
		{":srv 311 me bob ~b host.example * :Bob Builder", "bob (~b@host.example): Bob Builder"},
		{":srv 314 me bob ~b old.example * :Bob Builder", "bob was (~b@old.example): Bob Builder"},
		{":srv 319 me bob :@#ops  +#chat #other", "bob is in @#ops +#chat #other"},
		{":srv 312 me bob irc.example :Example server", "bob is on irc.example (Example server)"},
		{":srv 312 me bob irc.example :", "bob is on irc.example"},
		{":srv 313 me bob :is an IRC operator", "bob is an IRC operator"},
		{":srv 330 me bob bobacct :is logged in as", "bob is logged in as bobacct"},
		{":srv 671 me bob :is using a secure connection", "bob is using a secure connection"},
		{":srv 317 me bob 42 :seconds idle", "bob has been idle 42s"},
		{":srv 317 me bob 303 " + itoa(signon) + " :seconds idle, signon time", "bob has been idle 5m 3s, signed on 20 Nov 2026 09:05"},
		{":srv 317 me bob 7260 :seconds idle", "bob has been idle 2h 1m"},
		{":srv 317 me bob 277200 :seconds idle", "bob has been idle 3d 5h"},
		{":srv 317 me bob soon :seconds idle", "bob soon seconds idle"}, // unreadable: as it came
		{":srv 338 me bob 192.0.2.1 :actually using host", "bob actually using host 192.0.2.1"},
		{":srv 318 me bob :End of /WHOIS list.", "end of WHOIS for bob"},
		{":srv 369 me bob :End of WHOWAS", "end of WHOWAS for bob"},
		{":srv 401 me nobody :No such nick/channel", "nobody: No such nick/channel"},
		{":srv 311 me bob :short", "bob short"}, // too short for 311: as it came
	}
	channel := []struct{ line, want string }{
		{":srv 324 me #in +ntk key", "#in modes: +ntk key"},
		{":srv 329 me #in " + itoa(signon), "#in was created on 20 Nov 2026 09:05"},
		{":srv 329 me #in never", "#in never"},
	}
	// /list entries stay together in the server buffer, even for a
	// channel we are in.
	for _, tt := range []struct{ line, want string }{
		{":srv 322 me #in 12 :all about things", "#in (12): all about things"},
		{":srv 322 me #in 3 :", "#in (3)"},
	} {
		sc := newScript(t, Config{})
		sc.register("")
		sc.feed(":me!u@h JOIN #in")
		info := one[event.Info](t, sc.feed(tt.line))
		if info.Text != tt.want || info.Buffer != "" {
			t.Errorf("%q: got %+v, want text %q in the server buffer", tt.line, info, tt.want)
		}
	}
	for _, tt := range channel {
		sc := newScript(t, Config{})
		sc.register("")
		sc.feed(":me!u@h JOIN #in")
		info := one[event.Info](t, sc.feed(tt.line))
		if info.Text != tt.want || info.Buffer != "#in" {
			t.Errorf("%q: got %+v, want text %q in #in", tt.line, info, tt.want)
		}
	}
	for _, tt := range tests {
		sc := newScript(t, Config{})
		sc.register("")
		info := one[event.Info](t, sc.feed(tt.line))
		if info.Text != tt.want || !info.Reply || info.Buffer != "" {
			t.Errorf("%q: got %+v, want text %q, a Reply with no buffer", tt.line, info, tt.want)
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// A 301 answering a message to an away nick is shown once per away
// message; inside a WHOIS reply it is always shown.
func TestAwayReplyShownOnce(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	infos := func(lines ...string) int {
		n := 0
		for _, e := range sc.feed(lines...) {
			if i, ok := e.(event.Info); ok && i.Code == "301" {
				n++
			}
		}
		return n
	}
	if n := infos(":srv 301 me Bob :lunch"); n != 1 {
		t.Errorf("first 301: %d lines", n)
	}
	if n := infos(":srv 301 me bob :lunch", ":srv 301 me BOB :lunch"); n != 0 {
		t.Errorf("repeated 301: %d lines, want none", n)
	}
	if n := infos(":srv 301 me bob :gone home"); n != 1 {
		t.Errorf("a new away message: %d lines, want 1", n)
	}
	whois := []string{":srv 311 me bob b host * :Bob", ":srv 301 me bob :gone home", ":srv 318 me bob :End of /WHOIS list."}
	if n := infos(whois...); n != 1 {
		t.Errorf("301 inside a WHOIS: %d lines, want 1", n)
	}
	if n := infos(":srv 301 me bob :gone home"); n != 0 {
		t.Errorf("301 after the WHOIS: %d lines, want none", n)
	}
	// Away state still reaches the UI every time.
	if len(sc.feed(":srv 301 me bob :gone home")) != 1 {
		t.Error("the Away event is not emitted for a repeated 301")
	}
}
