package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tlsServer is a loopback TLS listener that completes handshakes, records the
// client certificate, and greets each client with one line.
type tlsServer struct {
	ln       net.Listener
	port     int
	peerCert chan []byte // the client's leaf certificate (nil when none)
}

func startTLSServer(t *testing.T, cert tls.Certificate, clientCAs *x509.CertPool) *tlsServer {
	t.Helper()
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
		cfg.ClientCAs = clientCAs
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &tlsServer{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, peerCert: make(chan []byte, 10)}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				tc := c.(*tls.Conn)
				if err := tc.Handshake(); err != nil {
					return
				}
				var leaf []byte
				if pc := tc.ConnectionState().PeerCertificates; len(pc) > 0 {
					leaf = pc[0].Raw
				}
				s.peerCert <- leaf
				_, _ = tc.Write([]byte(":srv NOTICE * :hello\r\n"))
				_, _ = c.Read(make([]byte, 1)) // hold until the client closes
			}()
		}
	}()
	return s
}

// plainListener counts connections without ever accepting them.
func plainListener(t *testing.T) (*net.TCPListener, int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.(*net.TCPListener), ln.Addr().(*net.TCPAddr).Port
}

// contacted reports whether a connection reached ln. A connect completes in
// the kernel's backlog before the dialler returns, so an Accept after Dial has
// returned finds it at once; the short deadline only bounds the negative case
// (Go checks an expired deadline before trying accept, so it cannot be zero).
func contacted(t *testing.T, ln *net.TCPListener) bool {
	t.Helper()
	if err := ln.SetDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	c, err := ln.Accept()
	if err == nil {
		_ = c.Close()
		return true
	}
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("accept: %v", err)
	}
	return false
}

func dialCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

// greet reads the server's greeting through tr.
func greet(t *testing.T, tr Transport) {
	t.Helper()
	m, err := tr.ReadMessage()
	if err != nil || m.Trailing() != "hello" {
		t.Fatalf("read greeting: %v, %v", m, err)
	}
}

func TestDialTLSVerification(t *testing.T) {
	ca := newTestCA(t)
	good, _, _ := ca.leaf(t, false, "localhost", "127.0.0.1", "::1")
	srv := startTLSServer(t, good, nil)
	caFile := writeFile(t, "ca.pem", ca.pem)
	other := newTestCA(t)

	tests := []struct {
		name    string
		cfg     DialConfig
		wantErr string // substring; "" = success
	}{
		{"in-memory roots, IP", DialConfig{Host: "127.0.0.1", TLS: true, RootCAs: ca.pool()}, ""},
		{"in-memory roots, name", DialConfig{Host: "localhost", TLS: true, RootCAs: ca.pool()}, ""},
		{"CA file", DialConfig{Host: "127.0.0.1", TLS: true, CAFile: caFile}, ""},
		{"no roots", DialConfig{Host: "127.0.0.1", TLS: true}, "certificate signed by unknown authority"},
		{"other CA", DialConfig{Host: "127.0.0.1", TLS: true, RootCAs: other.pool()}, "unknown authority"},
		{"insecure allowed without STS", DialConfig{Host: "127.0.0.1", TLS: true, InsecureSkipVerify: true}, ""},
		{"missing CA file", DialConfig{Host: "127.0.0.1", TLS: true, CAFile: caFile + ".nope"}, "read CA file"},
		{"CA file without PEM", DialConfig{Host: "127.0.0.1", TLS: true, CAFile: writeFile(t, "x.pem", []byte("junk"))}, "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Port = srv.port
			tr, err := Dial(dialCtx(t), tt.cfg)
			if tt.wantErr != "" {
				if err == nil {
					tr.Close()
					t.Fatalf("Dial succeeded, want error containing %q", tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "tls ") {
					t.Fatalf("err = %v, want \"tls ...: ...%s...\"", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if !tr.IsTLS() {
				t.Error("IsTLS false")
			}
			greet(t, tr)
		})
	}
}

func TestDialTLSWrongHost(t *testing.T) {
	ca := newTestCA(t)
	cert, _, _ := ca.leaf(t, false, "irc.example.net") // no 127.0.0.1, no localhost
	srv := startTLSServer(t, cert, nil)
	for _, host := range []string{"127.0.0.1", "localhost"} {
		_, err := Dial(dialCtx(t), DialConfig{Host: host, Port: srv.port, TLS: true, RootCAs: ca.pool()})
		var herr x509.HostnameError
		if !errors.As(err, &herr) {
			t.Errorf("Dial %s: err = %v, want a host name mismatch", host, err)
		}
	}
}

func TestDialClientCertificate(t *testing.T) {
	ca := newTestCA(t)
	server, _, _ := ca.leaf(t, false, "127.0.0.1")
	srv := startTLSServer(t, server, ca.pool())
	client, certPEM, keyPEM := ca.leaf(t, true)
	cfg := DialConfig{
		Host: "127.0.0.1", Port: srv.port, TLS: true, RootCAs: ca.pool(),
		ClientCert: writeFile(t, "client.pem", certPEM),
		ClientKey:  writeFile(t, "client.key", keyPEM),
	}
	tr, err := Dial(dialCtx(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	greet(t, tr) // the server recorded the certificate before greeting
	if got := <-srv.peerCert; !bytes.Equal(got, client.Certificate[0]) {
		t.Fatal("server did not receive our client certificate")
	}

	cfg.ClientKey = ""
	if _, err := Dial(dialCtx(t), cfg); err == nil || !strings.Contains(err.Error(), "client_key") {
		t.Fatalf("cert without key: err = %v", err)
	}
	cfg.ClientKey = cfg.ClientCert // a certificate is not a key
	if _, err := Dial(dialCtx(t), cfg); err == nil || !strings.Contains(err.Error(), "load client certificate") {
		t.Fatalf("bad key: err = %v", err)
	}
}

func TestDialSTSForcesTLS(t *testing.T) {
	ca := newTestCA(t)
	cert, _, _ := ca.leaf(t, false, "127.0.0.1", "localhost")
	srv := startTLSServer(t, cert, nil)
	plain, plainPort := plainListener(t)
	var asked []string
	sts := func(host string) (int, bool) {
		asked = append(asked, host)
		return srv.port, true
	}

	tr, err := Dial(dialCtx(t), DialConfig{Host: "127.0.0.1", Port: plainPort, TLS: false, RootCAs: ca.pool(), STS: sts})
	if err != nil {
		t.Fatal(err)
	}
	if !tr.IsTLS() || !strings.HasSuffix(tr.RemoteAddr(), ":"+strconv.Itoa(srv.port)) {
		t.Errorf("IsTLS %v, RemoteAddr %s, want TLS on port %d", tr.IsTLS(), tr.RemoteAddr(), srv.port)
	}
	greet(t, tr)
	tr.Close()
	if len(asked) != 1 || asked[0] != "127.0.0.1" {
		t.Errorf("STS asked for %q", asked)
	}

	// Verification is forced: tls_verify=false does not apply, the handshake
	// fails without our CA, and there is no plaintext fallback.
	_, err = Dial(dialCtx(t), DialConfig{Host: "127.0.0.1", Port: plainPort, InsecureSkipVerify: true, STS: sts})
	if err == nil {
		t.Fatal("STS dial with an untrusted certificate succeeded")
	}
	if !strings.Contains(err.Error(), "unknown authority") || !strings.Contains(err.Error(), "STS") {
		t.Errorf("err = %v, want an unknown-authority failure naming STS", err)
	}
	if contacted(t, plain) {
		t.Fatal("the plaintext port was contacted although an STS policy applies")
	}

	// Brackets around an address are accepted, and the lookup sees the bare host.
	asked = nil
	tr, err = Dial(dialCtx(t), DialConfig{Host: "[127.0.0.1]", Port: plainPort, RootCAs: ca.pool(), STS: sts})
	if err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if asked[0] != "127.0.0.1" {
		t.Errorf("STS asked for %q", asked)
	}
	if contacted(t, plain) {
		t.Fatal("the plaintext port was contacted")
	}
}

func TestDialSTSNotApplying(t *testing.T) {
	plain, port := plainListener(t)
	tr, err := Dial(dialCtx(t), DialConfig{Host: "127.0.0.1", Port: port, STS: func(string) (int, bool) { return 0, false }})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if tr.IsTLS() {
		t.Error("IsTLS on a plaintext dial")
	}
	if !contacted(t, plain) {
		t.Error("the plaintext listener was not contacted")
	}
}

func TestDialTimeout(t *testing.T) {
	// Connections complete in the backlog but nobody accepts, so the TLS
	// handshake never gets an answer.
	_, port := plainListener(t)
	_, err := Dial(context.Background(), DialConfig{Host: "127.0.0.1", Port: port, TLS: true, Timeout: 50 * time.Millisecond})
	if err == nil {
		t.Fatal("Dial succeeded against a silent listener")
	}
	if !errors.Is(err, context.DeadlineExceeded) && !isTimeout(err) {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if !strings.HasPrefix(err.Error(), "tls 127.0.0.1:") {
		t.Errorf("err = %q, want it to name the TLS step and address", err)
	}

	// A cancelled context stops the dial as well.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Dial(ctx, DialConfig{Host: "127.0.0.1", Port: port}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled dial: err = %v", err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func TestDialErrors(t *testing.T) {
	ln, port := plainListener(t)
	ln.Close() // nothing listens there now
	_, err := Dial(dialCtx(t), DialConfig{Host: "127.0.0.1", Port: port})
	if err == nil || !strings.HasPrefix(err.Error(), "dial 127.0.0.1:"+strconv.Itoa(port)+": ") {
		t.Errorf("refused: err = %v", err)
	}
	for _, cfg := range []DialConfig{{Host: "", Port: 6667}, {Host: "127.0.0.1", Port: 0}, {Host: "127.0.0.1", Port: 70000}} {
		if _, err := Dial(dialCtx(t), cfg); err == nil {
			t.Errorf("Dial(%+v) succeeded", cfg)
		}
	}
}

func TestDialSNI(t *testing.T) {
	ca := newTestCA(t)
	cert, _, _ := ca.leaf(t, false, "localhost", "127.0.0.1")
	sni := make(chan string, 2)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			sni <- h.ServerName
			return &cert, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.(*tls.Conn).Handshake()
				_, _ = c.Read(make([]byte, 1))
			}()
		}
	}()
	port := ln.Addr().(*net.TCPAddr).Port
	for host, want := range map[string]string{"localhost": "localhost", "127.0.0.1": ""} {
		tr, err := Dial(dialCtx(t), DialConfig{Host: host, Port: port, TLS: true, RootCAs: ca.pool()})
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		tr.Close()
		if got := <-sni; got != want {
			t.Errorf("dialling %s sent SNI %q, want %q", host, got, want)
		}
	}
}
