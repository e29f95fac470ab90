package conn

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"gopkg.in/irc.v4"
)

// redirectOnUser makes r answer registration with a 010 to host:port
// instead of 001.
func redirectOnUser(r *relay, host, port string) {
	r.set(func(r *relay) {
		r.onLine = func(c *relayClient, m *irc.Message) bool {
			if m.Command != "USER" {
				return false
			}
			c.send(":srv 010 " + c.nick + " " + host + " " + port + " :go there")
			return true
		}
	})
}

func redirects(c *collector) []event.Redirect {
	var out []event.Redirect
	for _, e := range c.snapshot() {
		if r, ok := e.(event.Redirect); ok {
			out = append(out, r)
		}
	}
	return out
}

func TestRedirectFollowed(t *testing.T) {
	dst := newRelay(t)
	src := newRelay(t)
	redirectOnUser(src, "127.0.0.1", strconv.Itoa(dst.port()))
	_, c := startPool(t, plainNet("net", "rex", src.port()))
	cs := c.wait(5*time.Second, "registered", isState("net", event.StateRegistered)).(event.ConnState)
	if want := "127.0.0.1:" + strconv.Itoa(dst.port()); cs.Server != want {
		t.Errorf("registered on %s, want the redirect target %s", cs.Server, want)
	}
	if r := redirects(c); len(r) != 1 || !r[0].Followed {
		t.Errorf("Redirect events %+v, want one followed", r)
	}
	if n := len(dst.lines("rex", "USER")); n != 1 {
		t.Errorf("target got %d USER, want 1", n)
	}
	if n := c.states("net", event.StateWaiting); n != 0 {
		t.Errorf("following a redirect went through %d backoff waits", n)
	}
}

func TestRedirectDowngradeRefused(t *testing.T) {
	roots, cert := testCert(t)
	plain := newRelay(t)
	src := newTLSRelay(t, cert)
	redirectOnUser(src, "127.0.0.1", strconv.Itoa(plain.port()))
	cfg := plainNet("net", "sid", src.port())
	cfg.Dial.TLS, cfg.Dial.RootCAs = true, roots
	_, c := startPool(t, cfg)
	r := c.wait(5*time.Second, "redirect event", func(e event.Event) bool { _, ok := e.(event.Redirect); return ok }).(event.Redirect)
	if r.Followed || !strings.Contains(r.Reason, "TLS") {
		t.Errorf("redirect to plaintext from TLS: %+v, want refused for TLS", r)
	}
	// Barrier on the TLS server: the client is still there, handling lines.
	src.client("sid").send("PING :barrier")
	src.waitFor(5*time.Second, "barrier", func() bool { return len(src.lines("sid", "PONG")) == 1 })
	var accepted int
	plain.set(func(r *relay) { accepted = r.accepted })
	if accepted != 0 {
		t.Errorf("the plaintext server was connected to %d times", accepted)
	}
}

func TestRedirectWithCredentialsToForeignHostRefused(t *testing.T) {
	dst := newRelay(t)
	src := newRelay(t)
	redirectOnUser(src, "localhost", strconv.Itoa(dst.port()))
	cfg := plainNet("net", "tam", src.port())
	cfg.Session.Password = "s3cret"
	_, c := startPool(t, cfg)
	r := c.wait(5*time.Second, "redirect event", func(e event.Event) bool { _, ok := e.(event.Redirect); return ok }).(event.Redirect)
	if r.Followed || !strings.Contains(r.Reason, "credentials") {
		t.Errorf("redirect with a password to another host: %+v, want refused", r)
	}
	src.client("tam").send("PING :barrier")
	src.waitFor(5*time.Second, "barrier", func() bool { return len(src.lines("tam", "PONG")) == 1 })
	var accepted int
	dst.set(func(r *relay) { accepted = r.accepted })
	if accepted != 0 {
		t.Errorf("the foreign host was connected to %d times", accepted)
	}
}

func TestRedirectLoopCut(t *testing.T) {
	a := newRelay(t)
	b := newRelay(t)
	redirectOnUser(a, "127.0.0.1", strconv.Itoa(b.port()))
	redirectOnUser(b, "127.0.0.1", strconv.Itoa(a.port()))
	cfg := plainNet("net", "ula", a.port())
	cfg.Backoff = Backoff{Min: time.Hour, Max: time.Hour} // one chain only
	_, c := startPool(t, cfg)
	c.waitCond(5*time.Second, "a refused redirect", func() bool {
		r := redirects(c)
		return len(r) > 0 && !r[len(r)-1].Followed
	})
	r := redirects(c)
	if len(r) != maxRedirects+1 {
		t.Errorf("%d Redirect events, want %d followed then one refused: %+v", len(r), maxRedirects, r)
	}
	if last := r[len(r)-1]; !strings.Contains(last.Reason, "loop") {
		t.Errorf("last redirect %+v, want refused as a loop", last)
	}
}

// A plaintext redirect target that advertises STS: the client does not
// register there in plaintext but connects to it again over TLS on the
// policy's port (IRCv3 STS applies to every host, redirect targets too).
func TestRedirectTargetSTSUpgraded(t *testing.T) {
	roots, cert := testCert(t)
	secure := newTLSRelay(t, cert)
	secure.set(func(r *relay) { r.capLS = "sts=duration=300" })
	plainDst := newRelay(t)
	plainDst.set(func(r *relay) {
		r.capLS = "sts=port=" + strconv.Itoa(secure.port()) + ",duration=300"
	})
	src := newRelay(t)
	redirectOnUser(src, "localhost", strconv.Itoa(plainDst.port()))
	cfg := plainNet("net", "uma", src.port())
	cfg.Dial.RootCAs = roots
	_, c := startPool(t, cfg)
	cs := c.wait(5*time.Second, "registered", isState("net", event.StateRegistered)).(event.ConnState)
	if want := "localhost:" + strconv.Itoa(secure.port()); !cs.TLS || cs.Server != want {
		t.Errorf("registered on %+v, want TLS on %s", cs, want)
	}
	// NICK and USER go out with CAP LS, before any reply (as for the
	// configured server); registration must not be finished in plaintext.
	for _, cmd := range []string{"CAP END", "AUTHENTICATE", "JOIN"} {
		if n := len(plainDst.lines("uma", cmd)); n != 0 {
			t.Errorf("the plaintext redirect target got %d %s after advertising STS", n, cmd)
		}
	}
	if n := len(secure.lines("uma", "USER")); n != 1 {
		t.Errorf("TLS server got %d USER lines, want 1", n)
	}
}
