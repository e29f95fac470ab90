package testnet

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStartRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]Options{
		"sts without tls":   {STS: &STSPolicy{Duration: time.Hour}},
		"two tls sources":   {SelfSigned: true, TLSCertFile: "a", TLSKeyFile: "b"},
		"ca-out alone":      {CAOut: "/tmp/x.pem"},
		"cert without key":  {TLSCertFile: "a"},
		"missing cert file": {TLSCertFile: "/nonexistent/c.pem", TLSKeyFile: "/nonexistent/k.pem"},
		"duplicate node":    {Nodes: []NodeConfig{{Name: "s1"}, {Name: "s1"}}},
		"bad node name":     {Nodes: []NodeConfig{{Name: "s 1"}}},
		"bad address":       {Nodes: []NodeConfig{{Name: "s1", Addr: "256.0.0.1:0"}}},
	} {
		n, err := Start(o)
		if err == nil {
			n.Close()
			t.Errorf("%s: Start succeeded", name)
		} else if !strings.HasPrefix(err.Error(), "testnet: ") {
			t.Errorf("%s: error %q lacks context", name, err)
		}
	}
}

func TestTLSFromCertificateFiles(t *testing.T) {
	ss, err := newSelfSigned(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	var certPEM []byte
	for _, der := range ss.leaf.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(ss.leaf.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	n := startNet(t, Options{TLSCertFile: certFile, TLSKeyFile: keyFile})
	if n.CAPool() != nil {
		t.Error("CAPool without a generated CA")
	}
	c := dialTLS(t, "alice", n.Node("s2").TLSAddr(), ss.pool)
	c.handshake("alice")
}

func TestSelfSignedWritesCAFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ca.pem")
	n := startNet(t, Options{SelfSigned: true, CAOut: p})
	got, err := os.ReadFile(p)
	if err != nil || string(got) != string(n.CAPEM()) {
		t.Fatalf("CA file %q (%v) differs from CAPEM", got, err)
	}
	c := dialTLS(t, "alice", n.Node("s1").TLSAddr(), n.CAPool())
	c.handshake("alice")
}

func TestPingTimeoutIsOneQuit(t *testing.T) {
	n := startNet(t, Options{PingInterval: 100 * time.Millisecond})
	a := register(t, n.Node("s1").Addr(), "alice")
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#c")
	b.join("#c")
	// bob keeps answering PINGs while alice goes silent.
	quit := make(chan string, 1)
	go func() {
		for {
			m, err := b.next()
			if err != nil {
				quit <- "bob: " + err.Error()
				return
			}
			if fromAlice("QUIT", "JOIN", "NICK", "PART")(m) {
				quit <- m.Command + " " + m.Trailing()
				return
			}
		}
	}()
	var sawPing bool
	for {
		_ = a.nc.SetReadDeadline(time.Now().Add(wait))
		m, err := a.r.ReadMessage()
		if err != nil {
			break
		}
		if m.Command == "PING" {
			sawPing = true
		}
	}
	if !sawPing {
		t.Fatal("no PING before the drop")
	}
	if q := <-quit; q != "QUIT Ping timeout" {
		t.Fatalf("bob saw %q", q)
	}
}

func TestMaxClients(t *testing.T) {
	n := startNet(t, Options{MaxClients: 1})
	register(t, n.Node("s1").Addr(), "alice")
	c := dialPlain(t, "second", n.Node("s1").Addr())
	got := c.expectClosed()
	if len(got) != 1 || got[0].Command != "ERROR" {
		t.Fatalf("second connection got %s", lines(got))
	}
}

func TestDisconnectIsAnOrdinaryQuit(t *testing.T) {
	n, a, b := pair(t, Options{})
	if err := n.Disconnect("alice"); err != nil {
		t.Fatal(err)
	}
	a.expectClosed()
	b.expect("QUIT of alice", fromAlice("QUIT"))
	if err := n.Disconnect("alice"); err == nil {
		t.Fatal("Disconnect of a gone user succeeded")
	}
}

func TestDefaults(t *testing.T) {
	n := startNet(t, Options{})
	if n.opts.HoldTimeout != 60*time.Second || n.opts.BufferLimit != 4096 {
		t.Errorf("HoldTimeout %v, BufferLimit %d; net/migrate/SPEC.md says 60 s and 4096", n.opts.HoldTimeout, n.opts.BufferLimit)
	}
	nodes := n.Nodes()
	if len(nodes) != 2 || nodes[0].Name() != "s1" || nodes[1].Name() != "s2" || nodes[0].TLSAddr() != "" || nodes[0].Host() != "127.0.0.1" {
		t.Errorf("default nodes %v", nodes)
	}
	if !strings.HasPrefix(nodes[0].Addr(), "127.0.0.1:") || nodes[0].Port() == 0 || n.CAPool() != nil || n.CAPEM() != nil {
		t.Errorf("default listeners: %s", nodes[0].Addr())
	}
	if n.Node("s3") != nil {
		t.Error("Node of an unknown name")
	}
}
