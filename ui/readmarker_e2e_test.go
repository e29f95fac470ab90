package ui

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"gopkg.in/irc.v4"
)

// TestE2EReadMarkerFromSecondConnection: ferry (the real Pool and model)
// is logged in to an account on ferryd; a second connection of the same
// account marks #rm read; ferry's unread count and "new messages" rule
// for #rm clear without the user looking at it.
func TestE2EReadMarkerFromSecondConnection(t *testing.T) {
	tn, err := testnet.Start(testnet.Options{Log: tnLog{t}, Accounts: map[string]string{"acct": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tn.Close)
	addr := tn.Node("s1").Addr()
	wake := make(chan struct{}, 1)
	other := dialRaw(t, addr, "other", wake)
	other.send("JOIN #rm")
	other.waitFor("other in #rm", func(m *irc.Message) bool { return m.Command == "366" })

	port := tn.Node("s1").Port()
	f := startFerryConfig(t, conn.NetworkConfig{
		Name: e2eNet,
		Dial: transport.DialConfig{Host: "127.0.0.1", Port: port, Timeout: 5 * time.Second},
		Session: session.Config{Nick: "you", User: "you", Realname: "you", Autojoin: []session.Channel{{Name: "#rm"}},
			SASL: &session.SASL{Mechanism: "PLAIN", Username: "acct", Password: "pw", Required: true}},
		Backoff: conn.Backoff{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		Flood:   conn.Flood{Burst: 100, Interval: time.Millisecond},
	}, wake)
	f.until("you joined #rm with read markers on", func() bool {
		return f.net() != nil && f.joined("#rm") && f.net().readMarkers
	})
	laptop := dialRawWith(t, addr, "laptop", wake,
		"CAP LS 302", "CAP REQ :sasl draft/read-marker", "AUTHENTICATE PLAIN",
		"AUTHENTICATE "+base64.StdEncoding.EncodeToString([]byte("\x00acct\x00pw")), "CAP END")

	f.focus("") // the server buffer: #rm is not looked at
	for _, text := range []string{"one", "two", "three"} {
		other.send("PRIVMSG #rm :" + text)
	}
	rm := f.buf("#rm")
	f.until("three unread in #rm", func() bool { return rm.unread == 3 })
	if _, ok := rm.sb.Unread(); !ok {
		t.Fatal("no new-messages rule in #rm")
	}
	last := rm.sb.Line(rm.sb.Len() - 1)
	if last.Text != "three" {
		t.Fatalf("newest line of #rm is %q", last.Text)
	}

	// Read on the laptop (the partial case, a marker between lines, is
	// TestReadMarkerFromAnotherClient's: here the lines share a millisecond).
	laptop.send("MARKREAD #rm timestamp=" + last.Time.UTC().Format("2006-01-02T15:04:05.000Z"))
	f.until("nothing unread after the laptop read all", func() bool { return rm.unread == 0 })
	if _, ok := rm.sb.Unread(); ok {
		t.Error("a new-messages rule is left in #rm")
	}
	f.focus("#rm")
	if s := f.screen(); strings.Contains(s, "new messages") {
		t.Errorf("a new-messages rule is drawn in #rm:\n%s", s)
	}

	// The other way: ferry reads #rm (focused, at the bottom) and, after
	// its debounce, the laptop hears the marker at the newest message.
	other.send("PRIVMSG #rm :four")
	f.until("four shown", func() bool { return rm.sb.Line(rm.sb.Len()-1).Text == "four" })
	four := rm.sb.Line(rm.sb.Len() - 1).Time.UTC().Format("2006-01-02T15:04:05.000Z")
	f.until("the laptop hears ferry's marker", func() bool {
		return len(laptop.find(func(m *irc.Message) bool {
			return m.Command == "MARKREAD" && m.Param(0) == "#rm" && m.Param(1) == "timestamp="+four
		})) == 1
	})
}

// TestE2EGuestReadsWithoutMarkerErrors: ferry as a guest on ferryd (not
// logged in, as in the demo) types in #ferry and reads a reply past the
// read delay: no MARKREAD goes out, so no "!!" FAIL appears in the
// channel or the server buffer. A late login (services, account-notify)
// turns markers on: the next read reaches the account's other client,
// still without an error line.
func TestE2EGuestReadsWithoutMarkerErrors(t *testing.T) {
	tn, err := testnet.Start(testnet.Options{Log: tnLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tn.Close)
	addr := tn.Node("s1").Addr()
	wake := make(chan struct{}, 1)
	other := dialRaw(t, addr, "other", wake)
	other.send("JOIN #ferry")
	other.waitFor("other in #ferry", func(m *irc.Message) bool { return m.Command == "366" })
	f := startFerry(t, tn.Node("s1").Port(), "you", wake, "#ferry")
	f.until("you joined #ferry", func() bool { return f.net() != nil && f.joined("#ferry") })
	f.focus("#ferry")
	f.typeLine("hello from a guest")
	other.send("PRIVMSG #ferry :welcome, guest")
	f.until("the reply shown", func() bool { return f.count("#ferry", "welcome, guest") == 1 })

	// Past the read delay: an older ferry sent MARKREAD here and showed
	// ferryd's FAIL in the channel.
	f.wait(readDelay + 500*time.Millisecond)
	f.written("#ferry") // ferry's connection: an answer to a MARKREAD would be in
	noErrors := func(when string) {
		t.Helper()
		for _, name := range []string{"#ferry", ""} { // "": the server buffer
			if l := f.lines(name, func(l scrollback.Line) bool {
				return l.Kind == scrollback.Error || strings.Contains(l.Text, "MARKREAD")
			}); len(l) != 0 {
				t.Errorf("%s: %s has %+v", when, name, l)
			}
		}
		if s := f.screen(); strings.Contains(s, "!!") {
			t.Errorf("%s: an error on screen:\n%s", when, s)
		}
	}
	noErrors("as a guest")
	if f.net().readMarkers {
		t.Error("read markers on for a guest")
	}

	laptop := dialRawWith(t, addr, "laptop", wake, "CAP LS 302", "CAP REQ :draft/read-marker", "CAP END")
	for _, nick := range []string{"laptop", "you"} {
		if err := tn.SetAccount(nick, "acct"); err != nil {
			t.Fatalf("log %s in: %v", nick, err)
		}
	}
	f.until("read markers on after the login", func() bool { return f.net().readMarkers })
	other.send("PRIVMSG #ferry :now you are somebody")
	rm := f.buf("#ferry")
	f.until("the line shown", func() bool { return rm.sb.Line(rm.sb.Len()-1).Text == "now you are somebody" })
	stamp := "timestamp=" + rm.sb.Line(rm.sb.Len()-1).Time.UTC().Format("2006-01-02T15:04:05.000Z")
	f.until("the laptop hears ferry's marker", func() bool {
		return len(laptop.find(func(m *irc.Message) bool {
			return m.Command == "MARKREAD" && m.Param(0) == "#ferry" && m.Param(1) == stamp
		})) == 1
	})
	f.written("#ferry")
	noErrors("logged in")
}

// wait applies messages as they come for d.
func (f *ferry) wait(d time.Duration) {
	f.t.Helper()
	end := time.Now().Add(d)
	timer := time.AfterFunc(d, func() {
		select {
		case f.wake <- struct{}{}:
		default:
		}
	})
	defer timer.Stop()
	f.until(fmt.Sprint(d, " to pass"), func() bool { return !time.Now().Before(end) })
}
