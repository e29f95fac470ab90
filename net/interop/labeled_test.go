//go:build interop

package interop

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestLabeledWhois (InspIRCd, ircv3_labeledresponse): a /whois asked from
// the channel buffer goes out labelled, and InspIRCd's answer (a
// labeled-response batch) comes back as Infos placed in that buffer, not
// as replies for the UI to place by guess. The same WHOIS unlabelled is
// placed as before.
func TestLabeledWhois(t *testing.T) {
	srv := startServer(t, "inspircd")
	alice, _ := pair(t, srv)
	isWhois := func(code string) func(event.Event) bool {
		return func(e event.Event) bool {
			i, ok := e.(event.Info)
			return ok && i.Code == code && strings.Contains(i.Text, "bob")
		}
	}
	alice.do(command.Asked{Buffer: channel, Cmd: command.Whois{Nick: "bob"}})
	alice.wait("end of WHOIS", isWhois("318"))
	for _, e := range alice.snapshot() {
		if i, ok := e.(event.Info); ok && (i.Code == "311" || i.Code == "318" || i.Code == "312") {
			if i.Buffer != channel || i.Reply {
				t.Errorf("labelled WHOIS reply %s placed %+v", i.Code, i)
			}
		}
	}
	if alice.count(isWhois("311")) != 1 {
		t.Errorf("no 311 in the labelled answer")
	}
	// Unlabelled: a reply for the UI's guess.
	alice.do(command.Whois{Nick: "bob"})
	alice.waitCount("the second end of WHOIS", 2, isWhois("318"))
	var last event.Info
	for _, e := range alice.snapshot() {
		if isWhois("318")(e) {
			last = e.(event.Info)
		}
	}
	if last.Buffer != "" || !last.Reply {
		t.Errorf("unlabelled 318 placed %+v", last)
	}
	// A labelled request answered with an error numeric, and one with no
	// answer at all (ACK): the error goes to the buffer, the ACK is silent.
	alice.do(command.Asked{Buffer: channel, Cmd: command.Whois{Nick: "nobody-here"}})
	e := alice.wait("401", func(e event.Event) bool { i, ok := e.(event.Info); return ok && i.Code == "401" }).(event.Info)
	if e.Buffer != channel || e.Reply {
		t.Errorf("labelled 401 placed %+v", e)
	}
	// The 318 that ends that WHOIS comes after the 401: wait for it, so
	// that what follows holds only the answers to the next requests.
	alice.wait("the end of WHOIS for nobody-here", func(e event.Event) bool {
		i, ok := e.(event.Info)
		return ok && i.Code == "318" && strings.Contains(i.Text, "nobody-here")
	})
	before := len(alice.snapshot())
	alice.do(command.Asked{Buffer: channel, Cmd: command.Raw{Line: "PONG :insp.test"}})
	alice.do(command.Asked{Buffer: channel, Cmd: command.Whois{Nick: "bob"}}) // a barrier: answered after the ACK
	alice.waitCount("the third end of WHOIS", 3, isWhois("318"))
	for _, e := range alice.snapshot()[before:] {
		if i, ok := e.(event.Info); ok && !strings.Contains(i.Text, "bob") {
			t.Errorf("the ACK showed as %+v", i)
		}
	}
	alice.noErrors(true)
}

// TestSetnameChghostShown (InspIRCd, setname and ircv3_chghost): bob
// changes his realname with /setname, and an operator changes his host;
// alice, sharing the channel, gets each as an event naming the channel.
func TestSetnameChghostShown(t *testing.T) {
	srv := startServerOpts(t, "inspircd", serverOpts{oper: true})
	alice, bob := pair(t, srv)
	bob.do(command.SetName{Realname: "Bob Builder"})
	rn := alice.wait("bob's SETNAME", func(e event.Event) bool {
		r, ok := e.(event.RealnameChange)
		return ok && r.Nick == "bob"
	}).(event.RealnameChange)
	if rn.Realname != "Bob Builder" || len(rn.Channels) != 1 || !strings.EqualFold(rn.Channels[0], channel) || rn.Self {
		t.Errorf("SETNAME as %+v", rn)
	}
	bob.wait("bob's own SETNAME", func(e event.Event) bool {
		r, ok := e.(event.RealnameChange)
		return ok && r.Self && r.Realname == "Bob Builder"
	})

	bob.do(command.Raw{Line: "OPER admin interop"})
	bob.wait("381", func(e event.Event) bool { i, ok := e.(event.Info); return ok && i.Code == "381" })
	bob.do(command.Raw{Line: "CHGHOST bob cloak.interop.test"})
	hc := alice.wait("bob's CHGHOST", func(e event.Event) bool {
		h, ok := e.(event.HostChange)
		return ok && h.Nick == "bob" && h.Host == "cloak.interop.test"
	}).(event.HostChange)
	if len(hc.Channels) != 1 || !strings.EqualFold(hc.Channels[0], channel) || hc.User == "" {
		t.Errorf("CHGHOST as %+v", hc)
	}
	alice.noErrors(false)
}
