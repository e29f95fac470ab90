package session

import (
	"strconv"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// Replies read as sentences (WHOIS, WHOWAS, a channel's modes, creation
// time and /list entry); a reply too short to read is shown with its
// parameters as they are, never dropped. WHOIS and WHOWAS replies are
// Replies (shown where the user asked); a channel's modes and creation
// time go to its buffer; /list entries stay together in the server buffer.
// We are in #in.
func TestReplyText(t *testing.T) {
	signon := time.Date(2026, 11, 20, 9, 5, 0, 0, time.Local).Unix()
	tests := []struct {
		line, want string
		buffer     string
		reply      bool
	}{
		{":srv 311 me bob ~b host.example * :Bob Builder", "bob (~b@host.example): Bob Builder", "", true},
		{":srv 314 me bob ~b old.example * :Bob Builder", "bob was (~b@old.example): Bob Builder", "", true},
		{":srv 319 me bob :@#ops  +#chat #other", "bob is in @#ops +#chat #other", "", true},
		{":srv 312 me bob irc.example :Example server", "bob is on irc.example (Example server)", "", true},
		{":srv 312 me bob irc.example :", "bob is on irc.example", "", true},
		{":srv 313 me bob :is an IRC operator", "bob is an IRC operator", "", true},
		{":srv 330 me bob bobacct :is logged in as", "bob is logged in as bobacct", "", true},
		{":srv 671 me bob :is using a secure connection", "bob is using a secure connection", "", true},
		{":srv 317 me bob 42 :seconds idle", "bob has been idle 42s", "", true},
		{":srv 317 me bob 303 " + itoa(signon) + " :seconds idle, signon time", "bob has been idle 5m 3s, signed on 20 Nov 2026 09:05", "", true},
		{":srv 317 me bob 7260 :seconds idle", "bob has been idle 2h 1m", "", true},
		{":srv 317 me bob 277200 :seconds idle", "bob has been idle 3d 5h", "", true},
		{":srv 317 me bob soon :seconds idle", "bob soon seconds idle", "", true}, // unreadable: as it came
		{":srv 338 me bob 192.0.2.1 :actually using host", "bob actually using host 192.0.2.1", "", true},
		{":srv 318 me bob :End of /WHOIS list.", "end of WHOIS for bob", "", true},
		{":srv 369 me bob :End of WHOWAS", "end of WHOWAS for bob", "", true},
		{":srv 401 me nobody :No such nick/channel", "nobody: No such nick/channel", "", true},
		{":srv 311 me bob :short", "bob short", "", true}, // too short for 311: as it came
		{":srv 324 me #in +ntk key", "#in modes: +ntk key", "#in", false},
		{":srv 329 me #in " + itoa(signon), "#in was created on 20 Nov 2026 09:05", "#in", false},
		{":srv 329 me #in never", "#in never", "#in", false},
		{":srv 322 me #in 12 :all about things", "#in (12): all about things", "", false},
		{":srv 322 me #in 3 :", "#in (3)", "", false},
	}
	for _, tt := range tests {
		sc := newScript(t, Config{})
		sc.register("")
		sc.feed(":me!u@h JOIN #in")
		info := one[event.Info](t, sc.feed(tt.line))
		if info.Text != tt.want || info.Buffer != tt.buffer || info.Reply != tt.reply {
			t.Errorf("%q: got %+v, want text %q in buffer %q, Reply %v", tt.line, info, tt.want, tt.buffer, tt.reply)
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
