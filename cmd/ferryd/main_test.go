package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/testnet"
)

func TestNoFlagStartPrintsNodesAndStopsOnSignal(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var stderr safeBuffer
	go func() {
		done <- run(ctx, nil, nil, pw, &stderr)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	re := regexp.MustCompile(`^(s[12]) (127\.0\.0\.1:\d+)$`)
	var addrs []string
	for i, want := range []string{"s1", "s2"} {
		if !sc.Scan() {
			t.Fatalf("line %d missing: %v", i+1, sc.Err())
		}
		m := re.FindStringSubmatch(sc.Text())
		if m == nil || m[1] != want {
			t.Fatalf("line %d = %q, want %q then a plain 127.0.0.1:PORT", i+1, sc.Text(), want)
		}
		addrs = append(addrs, m[2])
	}
	// Printed means ready: both listeners accept now.
	for _, a := range addrs {
		c, err := net.DialTimeout("tcp", a, 2*time.Second)
		if err != nil {
			t.Fatalf("node printed but not listening: %v", err)
		}
		c.Close()
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	cancel()
	select {
	case rc := <-done:
		if rc != 0 {
			t.Fatalf("exit code %d, stderr %s", rc, stderr.String())
		}
		if !strings.Contains(stderr.String(), "shutdown: draining to s2") || !strings.Contains(stderr.String(), "network closed") {
			t.Fatalf("log lacks the drain and close: %s", stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after the signal")
	}
}

func TestHelpListsEveryFlagGroupedWithExample(t *testing.T) {
	var out bytes.Buffer
	if _, err := parseFlags([]string{"-h"}, &out); err != flag.ErrHelp {
		t.Fatalf("err = %v", err)
	}
	grouped := map[string]bool{}
	for _, g := range flagGroups {
		for _, f := range g.flags {
			grouped[f.name] = true
		}
	}
	text := out.String()
	for _, name := range []string{"nodes", "tls-cert", "tls-key", "tls-self-signed", "ca-out", "sts-port", "sts-duration",
		"accounts", "accounts-file", "password", "bounce-every", "hold-timeout", "buffer-limit", "drain-timeout",
		"chatter", "chatter-every", "log-level", "version", "node", "nats", "nats-listen", "nats-dir", "nats-replicas", "nats-token-file", "nats-tls-cert", "nats-tls-key", "nats-ca"} {
		if !grouped[name] || !strings.Contains(text, "  -"+name+"\n") {
			t.Errorf("-h lacks -%s", name)
		}
	}
	if strings.Count(text, "default:") != strings.Count(text, "example:") || strings.Count(text, "example:") < 18 {
		t.Errorf("every flag needs a default and an example:\n%s", text)
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if rc := run(context.Background(), []string{"--version"}, nil, &out, io.Discard); rc != 0 || !strings.HasPrefix(out.String(), "ferryd ") {
		t.Fatalf("rc %d, %q", rc, out.String())
	}
}

func TestBadFlagsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"-nodes", "s1"},
		{"-nodes", "s1=127.0.0.1:0,s1=127.0.0.1:0"},
		{"-log-level", "loud"},
		{"-accounts", "nopassword"},
		{"-sts-duration", "1h"}, // STS without TLS
		{"stray"},
		{"-node", "s1=127.0.0.1:0"},     // no NATS to keep the state in
		{"-nats", "nats://127.0.0.1:1"}, // NATS but no node
		{"-node", "s1=127.0.0.1:0,s2=127.0.0.1:0", "-nats", "nats://127.0.0.1:1"}, // one node per process
		{"-node", "s1=127.0.0.1:0", "-nodes", "s1=127.0.0.1:0", "-nats", "nats://127.0.0.1:1"},
		{"-node", "s1=127.0.0.1:0", "-nats", "nats://127.0.0.1:1", "-nats-listen", "127.0.0.1:0"},
		{"-nats-listen", "127.0.0.1:0", "-nats-tls-cert", "cert.pem"},                                           // no key
		{"-node", "s1=127.0.0.1:0", "-nats", "nats://127.0.0.1:1", "-nats-tls-cert", "c", "-nats-tls-key", "k"}, // a client has no server certificate
		{"-nats-listen", "127.0.0.1:0", "-nats-ca", "ca.pem"},                                                   // -nats-ca is for -nats
		{"-node", "s1=127.0.0.1:0", "-nats", "nats://127.0.0.1:1", "-nats-ca", "/nonexistent/ca.pem"},
		{"-node", "s1=127.0.0.1:0", "-nats", "nats://127.0.0.1:1", "-nats-token-file", "/nonexistent/token"},
	} {
		var errb bytes.Buffer
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		rc := run(ctx, args, nil, io.Discard, &errb)
		if rc == 0 || !strings.Contains(errb.String(), "ferryd:") {
			t.Errorf("%v: rc %d, stderr %q", args, rc, errb.String())
		}
	}
}

func TestNodeSpecs(t *testing.T) {
	got, err := nodeConfigs("s1=127.0.0.1:6667+127.0.0.1:6697, s2=127.0.0.1:6668@irc2.example.net")
	if err != nil {
		t.Fatal(err)
	}
	want := []testnet.NodeConfig{
		{Name: "s1", Addr: "127.0.0.1:6667", TLSAddr: "127.0.0.1:6697"},
		{Name: "s2", Addr: "127.0.0.1:6668", Host: "irc2.example.net"},
	}
	if len(got) != 2 || got[0].Name != want[0].Name || got[0].Addr != want[0].Addr || got[0].TLSAddr != want[0].TLSAddr ||
		got[1].Host != want[1].Host || got[1].Addr != want[1].Addr || got[1].TLSAddr != "" {
		t.Fatalf("got %+v", got)
	}
}

func TestAccountsFromFlagAndFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "acc")
	if err := os.WriteFile(p, []byte("# accounts\ncarol:c:olon\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	acc, err := parseAccounts("alice:a, bob:b", p)
	if err != nil {
		t.Fatal(err)
	}
	if acc["alice"] != "a" || acc["bob"] != "b" || acc["carol"] != "c:olon" || len(acc) != 3 {
		t.Fatalf("%v", acc)
	}
	if err := os.WriteFile(p, []byte("broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := parseAccounts("", p); err == nil || !strings.Contains(err.Error(), ":1") {
		t.Fatalf("want an error naming the line, got %v", err)
	}
}

func TestSelfSignedWritesCA(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ca.pem")
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-tls-self-signed", "-ca-out", p, "-log-level", "quiet"}, nil, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() || !regexp.MustCompile(`^s1 127\.0\.0\.1:\d+ 127\.0\.0\.1:\d+$`).MatchString(sc.Text()) {
		t.Fatalf("first line %q", sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	pem, err := os.ReadFile(p)
	if err != nil || !bytes.Contains(pem, []byte("BEGIN CERTIFICATE")) {
		t.Fatalf("CA file: %v %q", err, pem)
	}
	cancel()
	if rc := <-done; rc != 0 {
		t.Fatalf("rc %d", rc)
	}
}

func TestOperatorCommandsFromStdin(t *testing.T) {
	pr, pw := io.Pipe()
	in, inw := io.Pipe()
	var errb safeBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"-log-level", "info"}, in, pw, &errb)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var s2 string
	for i := 0; i < 2 && sc.Scan(); i++ {
		f := strings.Fields(sc.Text())
		if f[0] == "s2" {
			s2 = f[1]
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	c, err := net.DialTimeout("tcp", s2, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = io.WriteString(c, "NICK op\r\nUSER op 0 * :op\r\n")
	r := bufio.NewReader(c)
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(l, " 376 ") {
			break
		}
	}
	_, _ = io.WriteString(inw, "users\nmigrate op s1\nchghost nobody x.example\naccount op bad*name\nbogus\n")
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errb.String(), "op on s2") || !strings.Contains(errb.String(), "not enabled draft/migrate") || !strings.Contains(errb.String(), "commands:") ||
		!strings.Contains(errb.String(), "set host of nobody") || !strings.Contains(errb.String(), "set account of op") {
		if time.Now().After(deadline) {
			t.Fatalf("operator output: %s", errb.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if rc := <-done; rc != 0 {
		t.Fatalf("rc %d", rc)
	}
	inw.Close()
}

// safeBuffer is a bytes.Buffer safe for a writer and a polling reader.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestNodeWithoutNATSExits1(t *testing.T) {
	var errb bytes.Buffer
	rc := run(context.Background(), []string{"-node", "s1=127.0.0.1:0", "-nats", "nats://127.0.0.1:1", "-log-level", "quiet"}, nil, io.Discard, &errb)
	if rc != 1 || !strings.Contains(errb.String(), "connect to NATS nats://127.0.0.1:1") {
		t.Fatalf("rc %d, stderr %q", rc, errb.String())
	}
}
