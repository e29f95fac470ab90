//go:build interop

package interop

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sts"
)

// TestTLS: ferry's TLS dial against each server's GnuTLS listener. With the
// CA file configured the certificate for 127.0.0.1 verifies and two
// sessions chat over TLS; without it the certificate is refused, the
// session never registers, and every attempt stays TLS (no fallback to the
// plaintext port the same server also offers).
func TestTLS(t *testing.T) {
	eachTLSServer(t, func(t *testing.T, srv *ircd) {
		overTLS := func(c *confT) {
			c.Dial.Port, c.Dial.TLS, c.Dial.CAFile = srv.tlsPort, true, srv.caFile
			c.Session.Autojoin = []sessionChannel{{Name: channel}}
		}
		alice := newClient(t, srv, "alice", "alice", overTLS)
		bob := newClient(t, srv, "bob", "bob", overTLS)
		for _, c := range []*client{alice, bob} {
			c.registered(1)
			c.joined(channel, 1)
			for _, e := range c.snapshot() {
				if s, ok := e.(event.ConnState); ok && !s.TLS {
					t.Errorf("%s: connection state without TLS: %+v", c.name, s)
				}
			}
		}
		alice.waitUntil("bob in "+channel, func(evs []event.Event) bool {
			for _, e := range evs {
				if j, ok := e.(event.Join); ok && j.Nick == "bob" {
					return true
				}
				if n, ok := e.(event.Names); ok {
					for _, m := range n.Members {
						if m.Nick == "bob" {
							return true
						}
					}
				}
			}
			return false
		})
		exchange(t, alice, bob, "over TLS")

		untrusted := newClient(t, srv, "untrusted", "carol", func(c *confT) {
			c.Dial.Port, c.Dial.TLS = srv.tlsPort, true
		})
		untrusted.waitCount("two refused attempts", 2, func(e event.Event) bool {
			er, ok := e.(event.Error)
			return ok && strings.Contains(er.Text, "certificate")
		})
		untrusted.do(command.Disconnect{})
		untrusted.wait("disconnected", isState(event.StateDisconnected))
		for _, e := range untrusted.snapshot() {
			switch e := e.(type) {
			case event.Registered:
				t.Errorf("registered with an unverified certificate: %+v", e)
			case event.ConnState:
				if e.State == event.StateDisconnected {
					continue
				}
				if e.Server != srv.tlsAddr() || (e.State != event.StateWaiting && !e.TLS) {
					t.Errorf("an attempt left TLS or the configured port: %+v", e)
				}
			}
		}
		alice.noErrors(false)
		bob.noErrors(false)
	})
}

// eachTLSServer is eachServer with a TLS listener on each server.
func eachTLSServer(t *testing.T, f func(t *testing.T, srv *ircd)) {
	for _, kind := range servers {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			f(t, startTLSServer(t, kind))
		})
	}
}

// TestWaitingStateSaysTLS: event.ConnState.TLS is documented as "the
// connection is (or will be) TLS", so a Waiting state between two TLS
// attempts should say TLS. Found here, fixed in net/conn (1436374): every
// Waiting state carried TLS=false, e.g. after a refused TLS attempt
// {State:waiting Server:127.0.0.1:44731 TLS:false Reason:tls
// 127.0.0.1:44731: x509: certificate signed by unknown authority}, so a UI
// showing a padlock per state would show the retry as plaintext. (The retry
// itself was always TLS, as TestTLS checks.)
func TestWaitingStateSaysTLS(t *testing.T) {
	srv := startTLSServer(t, "inspircd")
	c := newClient(t, srv, "untrusted", "carol", func(c *confT) {
		c.Dial.Port, c.Dial.TLS = srv.tlsPort, true
	})
	w := c.wait("a Waiting state", isState(event.StateWaiting)).(event.ConnState)
	if !w.TLS {
		t.Errorf("Waiting before the next TLS attempt says TLS=false: %+v", w)
	}
}

// TestSTSUpgrade (InspIRCd's ircv3_sts): ferry configured for the plaintext
// port sees "sts=port=P" in CAP LS, drops the plaintext connection before
// registering, and connects with TLS on P, verifying the certificate (the
// CA file is configured); from then on, also after /reconnect, it never
// dials the plaintext port again. The persistence policy the server gives
// on TLS (duration=60) is stored: a later ferry run with the same store
// goes straight to TLS.
func TestSTSUpgrade(t *testing.T) {
	srv := startServerOpts(t, "inspircd", serverOpts{tls: true, sts: true})
	store, err := sts.Open("", nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	plainConfig := func(c *confT) {
		c.Dial.CAFile = srv.caFile // Dial.Port is the plaintext port, TLS off
		c.Session.Autojoin = []sessionChannel{{Name: channel}}
	}
	alice := newClientSTS(t, srv, "alice", "alice", plainConfig, store)
	alice.registered(1)
	alice.joined(channel, 1)
	regs := 0
	for _, e := range alice.snapshot() {
		s, ok := e.(event.ConnState)
		if !ok || s.State != event.StateRegistered {
			continue
		}
		regs++
		if !s.TLS || s.Server != srv.tlsAddr() {
			t.Errorf("registered on %s (TLS %v), want TLS on %s", s.Server, s.TLS, srv.tlsAddr())
		}
	}
	if regs != 1 {
		t.Errorf("%d Registered states, want 1 (the plaintext connection must not register)", regs)
	}
	dialsBefore := alice.count(isState(event.StateConnecting))
	alice.do(command.Reconnect{})
	alice.registered(2)
	alice.joined(channel, 2)
	dials := 0
	for _, e := range alice.snapshot() {
		s, ok := e.(event.ConnState)
		if !ok || s.State != event.StateConnecting {
			continue
		}
		dials++
		t.Logf("dial %d: %s (TLS %v)", dials, s.Server, s.TLS)
		if dials > dialsBefore && (!s.TLS || s.Server != srv.tlsAddr()) {
			t.Errorf("after the policy was learnt, a dial went to %s (TLS %v)", s.Server, s.TLS)
		}
	}
	if dials <= dialsBefore {
		t.Errorf("no dial after /reconnect")
	}
	alice.noErrors(false)

	if port, ok := store.Lookup("127.0.0.1"); !ok || port != srv.tlsPort {
		t.Fatalf("store after the TLS connection: Lookup(127.0.0.1) = %d, %v; want %d, true", port, ok, srv.tlsPort)
	}
	later := newClientSTS(t, srv, "later", "later", plainConfig, store)
	later.registered(1)
	for _, e := range later.snapshot() {
		if s, ok := e.(event.ConnState); ok && s.State == event.StateConnecting && (!s.TLS || s.Server != srv.tlsAddr()) {
			t.Errorf("a run with the stored policy dialled %s (TLS %v)", s.Server, s.TLS)
		}
	}
}
