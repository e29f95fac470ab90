package conn

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sts"
	"gopkg.in/irc.v4"
)

// testCert makes a throwaway CA and a leaf for 127.0.0.1 signed by it.
func testCert(t *testing.T) (*x509.CertPool, tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ferry conn test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:     []string{"localhost"},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: key}
}

func TestTLSWithTestCA(t *testing.T) {
	roots, cert := testCert(t)
	srv := newTLSRelay(t, cert)
	cfg := plainNet("net", "lee", srv.port())
	cfg.Dial.TLS = true
	cfg.Dial.RootCAs = roots
	_, c := startPool(t, cfg)
	cs := c.wait(5*time.Second, "registered", isState("net", event.StateRegistered)).(event.ConnState)
	if !cs.TLS {
		t.Errorf("registered over %+v, want TLS", cs)
	}
}

func TestTLSVerificationFailureHasNoPlaintextFallback(t *testing.T) {
	_, cert := testCert(t)
	otherRoots, _ := testCert(t) // a CA that did not sign the server's cert
	srv := newTLSRelay(t, cert)
	cfg := plainNet("net", "max", srv.port())
	cfg.Dial.TLS = true
	cfg.Dial.RootCAs = otherRoots
	_, c := startPool(t, cfg)
	c.wait(5*time.Second, "dial error", func(e event.Event) bool { _, ok := e.(event.Error); return ok })
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	c.wait(5*time.Second, "a retry", func(event.Event) bool { return c.states("net", event.StateConnecting) >= 2 })
	for _, e := range c.snapshot() {
		if cs, ok := e.(event.ConnState); ok {
			if cs.State == event.StateRegistering || cs.State == event.StateRegistered {
				t.Fatalf("connected despite a certificate the client does not trust: %+v", cs)
			}
			if (cs.State == event.StateConnecting || cs.State == event.StateWaiting) && !cs.TLS {
				t.Errorf("an attempt without TLS: %+v", cs)
			}
		}
	}
	if n := len(srv.lines("max", "")) + len(srv.lines("*", "")); n != 0 {
		t.Errorf("the server read %d lines over an unverified connection", n)
	}
}

// A plaintext server advertising sts=port=P: the client drops the
// connection at once (no backoff), reconnects with TLS on P and registers
// there; every later attempt stays on TLS.
func TestSTSUpgradeOnPlaintext(t *testing.T) {
	roots, cert := testCert(t)
	secure := newTLSRelay(t, cert)
	secure.set(func(r *relay) { r.capLS = "sts=duration=300" })
	plain := newRelay(t)
	plain.set(func(r *relay) {
		r.capLS = "sts=port=" + strconv.Itoa(secure.port()) + ",duration=300"
		r.onLine = func(c *relayClient, m *irc.Message) bool {
			// a plaintext server answering registration would be a bug
			// in the test setup only if the client kept going; record it.
			return m.Command == "USER"
		}
	})
	cfg := plainNet("net", "ned", plain.port())
	cfg.Dial.RootCAs = roots
	cfg.Backoff = Backoff{Min: time.Minute, Max: time.Minute} // an upgrade must not wait for it
	_, c := startPool(t, cfg)
	cs := c.wait(5*time.Second, "registered", isState("net", event.StateRegistered)).(event.ConnState)
	if !cs.TLS || cs.Server != "127.0.0.1:"+strconv.Itoa(secure.port()) {
		t.Errorf("registered on %+v, want TLS on the advertised port %d", cs, secure.port())
	}
	if n := c.states("net", event.StateWaiting); n != 0 {
		t.Errorf("the upgrade went through %d backoff waits", n)
	}
	if n := len(secure.lines("ned", "USER")); n != 1 {
		t.Errorf("TLS server got %d USER lines, want 1", n)
	}
	// Registration is not finished in plaintext after the policy was seen.
	if n := len(plain.lines("ned", "CAP END")); n != 0 {
		t.Errorf("the plaintext server got %d CAP END after advertising STS", n)
	}
	// Later reconnects stay on TLS.
	secure.drop("ned")
	c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting))
	for _, e := range c.snapshot() {
		if cs, ok := e.(event.ConnState); ok && cs.State == event.StateWaiting && cs.Server != "127.0.0.1:"+strconv.Itoa(secure.port()) {
			t.Errorf("next attempt planned on %s, want the TLS port", cs.Server)
		}
	}
}

// A pinned host (STS in the configuration) is never dialled in plaintext:
// the configured plaintext port is replaced by the pinned TLS port, and a
// certificate that does not verify fails the attempt, retried with TLS
// again, never in plaintext.
func TestSTSPinnedHostNeverPlaintext(t *testing.T) {
	_, cert := testCert(t)
	otherRoots, _ := testCert(t)
	secure := newTLSRelay(t, cert) // its certificate is not trusted below
	plain := newRelay(t)
	store, err := sts.Open("", map[string]int{"127.0.0.1": secure.port()}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	cfg := plainNet("net", "opa", plain.port())
	cfg.Dial.RootCAs = otherRoots
	cfg.Dial.InsecureSkipVerify = true // never honoured under a policy
	p := NewPool(PoolOptions{Networks: []NetworkConfig{cfg}, STS: store, Log: testLogger{t}})
	c := collect(t, p)
	p.Start()
	defer func() { p.Close(); <-c.done }()
	c.waitCond(5*time.Second, "two attempts", func() bool { return c.states("net", event.StateWaiting) >= 2 })
	want := "127.0.0.1:" + strconv.Itoa(secure.port())
	for _, e := range c.snapshot() {
		if cs, ok := e.(event.ConnState); ok {
			if cs.State == event.StateRegistering || cs.State == event.StateRegistered {
				t.Fatalf("connected despite an untrusted certificate: %+v", cs)
			}
			if (cs.State == event.StateConnecting || cs.State == event.StateWaiting) && (!cs.TLS || cs.Server != want) {
				t.Errorf("attempt %+v, want TLS to the pinned port %s", cs, want)
			}
		}
	}
	var accepted int
	plain.set(func(r *relay) { accepted = r.accepted })
	if accepted != 0 {
		t.Errorf("the plaintext port was dialled %d times", accepted)
	}
}
