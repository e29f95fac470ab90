//go:build interop

package interop

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
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
