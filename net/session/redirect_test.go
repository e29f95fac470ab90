package session

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

func TestRedirect(t *testing.T) {
	type want struct {
		host string
		port int
		tls  bool
		ok   bool
	}
	tests := []struct {
		name string
		line string
		want want
		info bool // an Info line is emitted (and no redirect recorded)
	}{
		{"plain", ":srv 010 me irc2.example.net 6667 :Server full, try this one", want{"irc2.example.net", 6667, false, true}, false},
		{"TLS", ":srv 010 * irc2.example.net +6697 :Server full", want{"irc2.example.net", 6697, true, true}, false},
		{"IPv4", ":srv 010 me 192.0.2.7 7000 :go", want{"192.0.2.7", 7000, false, true}, false},
		{"bracketed IPv6", ":srv 010 me [2001:db8::1] +6697 :go", want{"2001:db8::1", 6697, true, true}, false},
		{"no info", ":srv 010 me irc2.example.net 6667", want{"irc2.example.net", 6667, false, true}, false},
		{"port 0", ":srv 010 me irc2.example.net 0 :x", want{}, true},
		{"port too big", ":srv 010 me irc2.example.net 65536 :x", want{}, true},
		{"port not a number", ":srv 010 me irc2.example.net six :x", want{}, true},
		{"double plus", ":srv 010 me irc2.example.net ++6697 :x", want{}, true},
		{"signed", ":srv 010 me irc2.example.net -6697 :x", want{}, true},
		{"bare plus", ":srv 010 me irc2.example.net + :x", want{}, true},
		{"missing port", ":srv 010 me irc2.example.net :x", want{}, true},
		{"empty host", ":srv 010 me  6667 :x", want{}, true},
		{"host with slash", ":srv 010 me evil/host 6667 :x", want{}, true},
		{"host with @", ":srv 010 me user@host 6667 :x", want{}, true},
		{"host starting with dash", ":srv 010 me -oProxyCommand 6667 :x", want{}, true},
		{"host too long", ":srv 010 me " + strings.Repeat("a", 254) + " 6667 :x", want{}, true},
		{"nothing", ":srv 010", want{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.s.Register()
			sc.sent()
			evs := sc.feed(":srv CAP * LS :server-time", tt.line)
			var got want
			got.host, got.port, got.tls, got.ok = sc.s.Redirect()
			if got != tt.want {
				t.Errorf("Redirect() = %+v, want %+v", got, tt.want)
			}
			infos := only[event.Info](evs)
			if tt.info != (len(infos) == 1) || len(infos) > 1 {
				t.Errorf("Info events %+v, want one: %v", infos, tt.info)
			}
			if tt.info && !infos[0].Error {
				t.Errorf("malformed 010 not reported as an error: %+v", infos[0])
			}
			checkBounds(t, sc.s)
		})
	}
}

func TestRedirectLifecycle(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv 010 me a.example 6667 :first", ":srv 010 me b.example +6697 :second")
	if host, port, tls, ok := sc.s.Redirect(); !ok || host != "b.example" || port != 6697 || !tls {
		t.Errorf("the latest 010 wins: %q %d %v %v", host, port, tls, ok)
	}
	sc.expect() // the session never dials nor answers: the owner decides
	// A malformed 010 after a valid one leaves the valid one.
	sc.feed(":srv 010 me c.example 0 :bad")
	if host, _, _, _ := sc.s.Redirect(); host != "b.example" {
		t.Errorf("malformed 010 replaced the redirect: %q", host)
	}
	sc.s.Register()
	if _, _, _, ok := sc.s.Redirect(); ok {
		t.Error("Register did not clear the redirect")
	}
	// After 001 a 010 is only an Info line.
	sc.register("")
	info := one[event.Info](t, sc.feed(":srv 010 me c.example 6667 :later"))
	if info.Code != "010" || info.Error || !strings.Contains(info.Text, "c.example 6667") {
		t.Errorf("010 after 001: %+v", info)
	}
	if _, _, _, ok := sc.s.Redirect(); ok {
		t.Error("a 010 after 001 recorded a redirect")
	}
}
