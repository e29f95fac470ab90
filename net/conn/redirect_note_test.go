package conn

import (
	"strconv"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sts"
)

// The note of a followed redirect names the host:port really dialled: a
// 010 naming a plaintext port of a host with a known STS policy is
// followed over TLS on the policy's port, and the note says so.
func TestRedirectNoteNamesSTSPort(t *testing.T) {
	roots, cert := testCert(t)
	secure := newTLSRelay(t, cert)
	src := newRelay(t)
	redirectOnUser(src, "localhost", "6667")
	store, err := sts.Open("", map[string]int{"localhost": secure.port()}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg := plainNet("net", "ned", src.port())
	cfg.Dial.RootCAs = roots
	p := NewPool(PoolOptions{Networks: []NetworkConfig{cfg}, STS: store, Log: testLogger{t}})
	c := collect(t, p)
	p.Start()
	t.Cleanup(func() { p.Close(); <-c.done })
	cs := c.wait(5*time.Second, "registered", isState("net", event.StateRegistered)).(event.ConnState)
	want := "localhost:" + strconv.Itoa(secure.port())
	if !cs.TLS || cs.Server != want {
		t.Fatalf("registered on %+v, want TLS on %s", cs, want)
	}
	r := redirects(c)
	if len(r) != 1 || !r[0].Followed || r[0].Server != want {
		t.Errorf("Redirect events %+v, want one followed to %s", r, want)
	}
}

// A redirect target that asks for TLS (STS) on the plaintext connection
// the redirect opened: the last note names the TLS port the client moved
// to, the one it registers on.
func TestRedirectNoteAfterLiveSTSUpgrade(t *testing.T) {
	roots, cert := testCert(t)
	secure := newTLSRelay(t, cert)
	secure.set(func(r *relay) { r.capLS = "sts=duration=300" })
	plainDst := newRelay(t)
	plainDst.set(func(r *relay) {
		r.capLS = "sts=port=" + strconv.Itoa(secure.port()) + ",duration=300"
	})
	src := newRelay(t)
	redirectOnUser(src, "localhost", strconv.Itoa(plainDst.port()))
	cfg := plainNet("net", "uri", src.port())
	cfg.Dial.RootCAs = roots
	_, c := startPool(t, cfg)
	cs := c.wait(5*time.Second, "registered", isState("net", event.StateRegistered)).(event.ConnState)
	r := redirects(c)
	if len(r) == 0 || r[len(r)-1].Server != cs.Server || !r[len(r)-1].Followed {
		t.Errorf("Redirect events %+v, want the last naming %s, where the client registered", r, cs.Server)
	}
}
