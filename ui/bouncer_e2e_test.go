package ui

import (
	"encoding/base64"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// dialBouncerUser registers nick on the bouncer at addr as account alice
// (SASL PLAIN) with soju.im/bouncer-networks, unbound.
func dialBouncerUser(t *testing.T, addr, nick string, wake chan<- struct{}) *rawUser {
	t.Helper()
	u := connectRaw(t, addr, nick, wake)
	u.send("CAP LS 302")
	u.send("CAP REQ :sasl soju.im/bouncer-networks")
	u.send("NICK " + nick)
	u.send("USER " + nick + " 0 * :" + nick)
	u.send("AUTHENTICATE PLAIN")
	u.send("AUTHENTICATE " + base64.StdEncoding.EncodeToString([]byte("\x00alice\x00wonderland")))
	u.send("CAP END")
	u.waitFor(nick+" registered", func(m *irc.Message) bool { return m.Command == "001" })
	return u
}

// titles are the networks' names as the sidebar shows them, in order.
func (f *ferry) titles() []string {
	var out []string
	for _, it := range f.m.m.sidebarItems() {
		if it.Network {
			out = append(out, it.Label)
		}
	}
	return out
}

// registered reports whether every network the UI shows is registered.
func (f *ferry) allRegistered() bool {
	for _, n := range f.m.m.nets {
		if n.state != event.StateRegistered {
			return false
		}
	}
	return true
}

func TestE2EBouncerNetworks(t *testing.T) {
	tn, err := testnet.Start(testnet.Options{Log: tnLog{t}, Accounts: map[string]string{"alice": "wonderland"},
		BouncerNetworks: []string{"Libera", "OFTC"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tn.Close)
	addr := tn.Node("s1").Addr()
	_, ps, _ := net.SplitHostPort(addr)
	port := 0
	for _, r := range ps {
		port = port*10 + int(r-'0')
	}
	cfg := conn.NetworkConfig{
		Name: "bnc",
		Dial: transport.DialConfig{Host: "127.0.0.1", Port: port, Timeout: 5 * time.Second},
		Session: session.Config{Nick: "alice", User: "alice", Realname: "alice",
			SASL: &session.SASL{Mechanism: "SCRAM-SHA-256", Username: "alice", Password: "wonderland", Required: true}},
		Backoff: conn.Backoff{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		Flood:   conn.Flood{Burst: 100, Interval: time.Millisecond},
	}
	wake := make(chan struct{}, 1)
	f := startFerryConfig(t, cfg, wake)

	// The bouncer's two networks, each over its own bound connection: three
	// networks in the sidebar.
	f.until("3 networks, all registered", func() bool { return len(f.m.m.nets) == 3 && f.allRegistered() })
	if got, want := f.titles(), []string{"bnc", "Libera", "OFTC"}; !slices.Equal(got, want) {
		t.Fatalf("sidebar networks %q, want %q", got, want)
	}
	if n := len(tn.Users()); n != 3 {
		t.Errorf("%d users on the bouncer (%v), want 3 connections", n, tn.Users())
	}
	if !strings.Contains(f.screen(), "OFTC") {
		t.Errorf("OFTC not on screen:\n%s", f.screen())
	}

	// A second connection of the account adds a network: a fourth.
	other := dialBouncerUser(t, addr, "alice-phone", wake)
	other.send(`BOUNCER ADDNETWORK host=irc.example.org;name=Example`)
	f.until("4 networks, all registered", func() bool { return len(f.m.m.nets) == 4 && f.allRegistered() })
	if got, want := f.titles(), []string{"bnc", "Libera", "OFTC", "Example"}; !slices.Equal(got, want) {
		t.Fatalf("sidebar networks %q, want %q", got, want)
	}
	// ... and renames one.
	other.send(`BOUNCER CHANGENETWORK 2 name=OFTC\s2`)
	f.until("OFTC renamed", func() bool { return slices.Contains(f.titles(), "OFTC 2") })

	// /bouncer delnetwork typed in a bound network goes to the bouncer's
	// own connection; the network and its connection go away.
	for _, n := range f.m.m.nets {
		if n.title == "Example" {
			f.m.m.cur = n.server0
		}
	}
	f.typeLine("/bouncer delnetwork Libera")
	f.until("Libera removed", func() bool { return len(f.m.m.nets) == 3 })
	if got, want := f.titles(), []string{"bnc", "OFTC 2", "Example"}; !slices.Equal(got, want) {
		t.Fatalf("sidebar networks %q, want %q", got, want)
	}
	// bnc, OFTC, Example and alice-phone stay (no event wakes until: poll).
	for deadline := time.Now().Add(e2eDeadline); len(tn.Users()) != 4; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("Libera's connection not closed: users %v", tn.Users())
		}
	}
	if f.m.m.netBy["bnc/1"] != nil {
		t.Error("the removed network is still known to the UI")
	}
	if slices.Contains(f.pool.Networks(), "bnc/1") {
		t.Errorf("the Pool still has bnc/1: %q", f.pool.Networks())
	}
}
