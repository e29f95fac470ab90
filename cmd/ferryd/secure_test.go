package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/session"
)

// runFerryd runs ferryd to its end (for a process that must refuse to
// start) and returns its exit code and standard error.
func runFerryd(t testing.TB, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), procWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, ferrydBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("ferryd %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), errb.String()
}

// saslPlainIRC tries SASL PLAIN on a new connection and returns the
// numeric that ended it.
func saslPlainIRC(t testing.TB, addr, user, pass string) string {
	t.Helper()
	c := dialIRC(t, user, addr)
	c.send("CAP REQ :sasl")
	c.send("AUTHENTICATE PLAIN")
	c.waitLine("AUTHENTICATE +", 0, func(m *irc.Message) bool { return cmdIs(m, "AUTHENTICATE", "+") })
	c.send("AUTHENTICATE %s", base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+pass)))
	i := c.waitLine("903 or 904", 0, func(m *irc.Message) bool { return m.Command == "903" || m.Command == "904" })
	ls, _ := c.snapshot()
	return ls[i].Command
}

// TestNATSTokenAndAccountsAcrossProcesses: a NATS process requiring a
// token (from a file), node s1 given it in a file and an account in its
// flags, node s2 given it in the environment, node s3 in the URL. The
// account logs in on s2 and s3 with ferry's own PLAIN and SCRAM-SHA-256;
// a wrong password is refused. A node with no token or a wrong one exits
// 1 naming the authorization violation. No log shows the token or the
// password.
func TestNATSTokenAndAccountsAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	const tok, pass = "tok-Zq93-secret", "wonderland-Pq5"
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "nats-token")
	if err := os.WriteFile(tokFile, []byte(tok+"\n# the first line only\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	natsAt := freeAddr(t)
	nats, url := startProc(t, "nats", "nats", "-nats-listen", natsAt, "-nats-dir", filepath.Join(dir, "nats"), "-nats-token-file", tokFile)
	if strings.Contains(url, tok) {
		t.Fatalf("the NATS process prints its token: %s", url)
	}
	s1, _ := startProc(t, "s1", "s1", "-node", "s1="+freeAddr(t), "-nats", url, "-nats-token-file", tokFile,
		"-accounts", "alice:"+pass, "-log-level", "debug")
	s2, s2At := startProcEnv(t, []string{tokenEnv + "=" + tok}, "s2", "s2", "-node", "s2="+freeAddr(t), "-nats", url, "-log-level", "debug")
	s3, s3At := startProcEnv(t, []string{tokenEnv + "="}, "s3", "s3", "-node", "s3="+freeAddr(t), "-nats", "nats://"+tok+"@"+natsAt, "-log-level", "debug")
	s2.waitLog("node s1 is up")

	for _, at := range []string{s2At, s3At} {
		for _, mech := range []string{"PLAIN", "SCRAM-SHA-256"} {
			// Required: a refused login stops registration, so the
			// registration startPoolSASL waits for cannot come.
			pc := startPoolSASL(t, at, "alice", &session.SASL{Mechanism: mech, Username: "alice", Password: pass, Required: true})
			pc.pool.Close()
		}
		if got := saslPlainIRC(t, at, "alice", pass+"x"); got != "904" {
			t.Errorf("PLAIN with a wrong password on %s: %s, want 904", at, got)
		}
	}

	wrong := filepath.Join(dir, "wrong-token")
	if err := os.WriteFile(wrong, []byte("guess-Hh2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"no token", []string{tokenEnv + "="}, []string{"-nats", url}},
		{"wrong token file", []string{tokenEnv + "="}, []string{"-nats", url, "-nats-token-file", wrong}},
		{"wrong token in the environment", []string{tokenEnv + "=guess-Hh2"}, []string{"-nats", url}},
		{"wrong token in the URL", []string{tokenEnv + "="}, []string{"-nats", "nats://guess-Hh2@" + natsAt}},
	} {
		code, stderr := runFerryd(t, tc.env, append([]string{"-node", "s4=" + freeAddr(t)}, tc.args...)...)
		if code != 1 || !strings.Contains(strings.ToLower(stderr), "authorization violation") {
			t.Errorf("%s: exit %d, stderr %q; want 1 and the authorization violation named", tc.name, code, stderr)
		}
		if strings.Contains(stderr, "guess-Hh2") || strings.Contains(stderr, tok) {
			t.Errorf("%s: stderr shows a token: %q", tc.name, stderr)
		}
	}

	for _, p := range []*proc{nats, s1, s2, s3} {
		if l := p.logText(); strings.Contains(l, tok) || strings.Contains(l, pass) {
			t.Errorf("the log of %s shows the token or the password:\n%s", p.name, l)
		}
	}
}

// TestNATSWarnsWhenOpen: an embedded NATS server on every interface
// without a token says so in the log; on loopback, or with a token, it
// does not.
func TestNATSWarnsWhenOpen(t *testing.T) {
	tokFile := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(tokFile, []byte("tok-Lw7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(tokenEnv, "")
	for _, tc := range []struct {
		args []string
		warn bool
	}{
		{[]string{"-nats-listen", "0.0.0.0:0"}, true},
		{[]string{"-nats-listen", "0.0.0.0:0", "-nats-token-file", tokFile}, false},
		{[]string{"-nats-listen", "127.0.0.1:0"}, false},
	} {
		var errb safeBuffer
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, append(tc.args, "-nats-dir", t.TempDir()), nil, pw, &errb)
		}()
		line := make([]byte, 5)
		if _, err := io.ReadFull(pr, line); err != nil || string(line) != "nats " {
			t.Fatalf("%v: first output %q, %v; stderr %q", tc.args, line, err, errb.String())
		}
		cancel()
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if rc := <-done; rc != 0 {
			t.Errorf("%v: exit %d", tc.args, rc)
		}
		pw.Close()
		if got := strings.Contains(errb.String(), "warning: NATS on"); got != tc.warn {
			t.Errorf("%v: warning %v, want %v; stderr %q", tc.args, got, tc.warn, errb.String())
		}
		if strings.Contains(errb.String(), "tok-Lw7") {
			t.Errorf("%v: stderr shows the token", tc.args)
		}
	}
}

func TestNATSToken(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "  tok-A1 \r\nsecond line\n", 0o600)
	noNewline := write("nonl", "tok-A1", 0o600)
	empty := write("empty", "\nx\n", 0o600)
	open := write("open", "tok-A1\n", 0o644)
	if err := os.Chmod(open, 0o644); err != nil { // past the umask
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, env, want, err string
		warn                       bool
	}{
		{name: "none"},
		{name: "environment", env: " tok-E2\n", want: "tok-E2"},
		{name: "file", file: good, want: "tok-A1"},
		{name: "file without newline", file: noNewline, want: "tok-A1"},
		{name: "file and the same in the environment", file: good, env: "tok-A1", want: "tok-A1"},
		{name: "file and another in the environment", file: good, env: "tok-E2", err: "different tokens"},
		{name: "empty first line", file: empty, err: "first line is empty"},
		{name: "missing file", file: filepath.Join(dir, "missing"), err: "-nats-token-file"},
		{name: "readable by others", file: open, want: "tok-A1", warn: true},
	} {
		var errb bytes.Buffer
		got, err := natsToken(tc.file, func(k string) string {
			if k != tokenEnv {
				t.Errorf("looked up %s", k)
			}
			return tc.env
		}, &errb)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.err)
		case tc.err == "" && (err != nil || got != tc.want):
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		case err != nil && strings.Contains(err.Error(), "tok-"):
			t.Errorf("%s: error %q shows the token", tc.name, err)
		}
		if w := strings.Contains(errb.String(), "warning"); w != tc.warn {
			t.Errorf("%s: warning %v, want %v (%q)", tc.name, w, tc.warn, errb.String())
		}
	}
}

// writeCA writes a throwaway CA and a certificate for 127.0.0.1 signed by
// it (PEM files under dir).
func writeCA(t testing.TB, dir string) (caFile, certFile, keyFile string) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ferryd test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("cert.pem", "CERTIFICATE", leafDER), write("key.pem", "EC PRIVATE KEY", keyDER)
}

// TestNATSOverTLS: s1 runs the embedded NATS server over TLS (with a
// token) and reaches it itself; s2 joins it trusting the CA of -nats-ca;
// a node that does not trust it exits 1 naming the certificate.
func TestNATSOverTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ferryd processes")
	}
	dir := t.TempDir()
	caFile, certFile, keyFile := writeCA(t, dir)
	t.Setenv(tokenEnv, "tok-Tl5")
	natsAt := freeAddr(t)
	s1, url := startProc(t, "s1", "nats", "-nats-listen", natsAt, "-nats-dir", filepath.Join(dir, "nats"),
		"-nats-tls-cert", certFile, "-nats-tls-key", keyFile, "-node", "s1="+freeAddr(t))
	if !strings.HasPrefix(url, "tls://") {
		t.Fatalf("the NATS URL %s does not say TLS", url)
	}
	s2, _ := startProc(t, "s2", "s2", "-node", "s2="+freeAddr(t), "-nats", url, "-nats-ca", caFile)
	s2.waitLog("node s1 is up")
	s1.waitLog("node s2 is up")

	// What the port says to anyone: TLS first.
	nc, err := net.DialTimeout("tcp", natsAt, procWait)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetReadDeadline(time.Now().Add(procWait))
	info, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil || !strings.Contains(info, `"tls_required":true`) {
		t.Errorf("the NATS port greets with %q (%v), want TLS required", info, err)
	}

	code, stderr := runFerryd(t, nil, "-node", "s3="+freeAddr(t), "-nats", url)
	if code != 1 || !strings.Contains(stderr, "certificate") {
		t.Errorf("a node without -nats-ca: exit %d, stderr %q; want 1 and the certificate named", code, stderr)
	}
}
