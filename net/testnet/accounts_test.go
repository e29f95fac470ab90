package testnet

import (
	"bytes"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/natsd"
)

// saslPlain authenticates with PLAIN on a new connection and returns the
// numeric that ended it (903 or 904).
func saslPlain(t testing.TB, addr, user, pass string) string {
	t.Helper()
	c := dialPlain(t, user, addr)
	c.send("CAP REQ :sasl")
	c.expectCmd("CAP", "*", "ACK")
	c.send("AUTHENTICATE PLAIN")
	c.expectCmd("AUTHENTICATE", "+")
	c.send("AUTHENTICATE %s", b64("\x00"+user+"\x00"+pass))
	m, _ := c.expect("903 or 904", func(m *irc.Message) bool { return m.Command == "903" || m.Command == "904" })
	return m.Command
}

// saslSCRAM runs a SCRAM-SHA-256 exchange as a client (RFC 5802 section 3,
// written here apart from the server's code), checks the server's
// signature when it gets one, and returns the numeric that ended it.
func saslSCRAM(t testing.TB, addr, user, pass string) string {
	t.Helper()
	c := dialPlain(t, user, addr)
	c.send("CAP REQ :sasl")
	c.expectCmd("CAP", "*", "ACK")
	c.send("AUTHENTICATE SCRAM-SHA-256")
	c.expectCmd("AUTHENTICATE", "+")
	firstBare := "n=" + user + ",r=fyko+d2lbbFgONRv9qkxdawL"
	c.send("AUTHENTICATE %s", b64("n,,"+firstBare))
	step := func(m *irc.Message) bool {
		return m.Command == "AUTHENTICATE" || m.Command == "903" || m.Command == "904"
	}
	m, _ := c.expect("server-first-message", step)
	if m.Command != "AUTHENTICATE" {
		return m.Command
	}
	sf, err := base64.StdEncoding.DecodeString(m.Param(0))
	if err != nil {
		t.Fatalf("server-first %q: %v", m.Param(0), err)
	}
	attrs := scramFields(string(sf))
	salt, err := base64.StdEncoding.DecodeString(attrs["s"])
	iter, ierr := strconv.Atoi(attrs["i"])
	if err != nil || ierr != nil || !strings.HasPrefix(attrs["r"], "fyko+d2lbbFgONRv9qkxdawL") {
		t.Fatalf("server-first %q", sf)
	}
	hm := func(key []byte, msg string) []byte {
		h := hmac.New(sha256.New, key)
		h.Write([]byte(msg))
		return h.Sum(nil)
	}
	salted, err := pbkdf2.Key(sha256.New, pass, salt, iter, 32)
	if err != nil {
		t.Fatal(err)
	}
	clientKey := hm(salted, "Client Key")
	storedKey := sha256.Sum256(clientKey)
	finalBare := "c=biws,r=" + attrs["r"]
	auth := firstBare + "," + string(sf) + "," + finalBare
	sig := hm(storedKey[:], auth)
	proof := make([]byte, len(clientKey))
	for i := range proof {
		proof[i] = clientKey[i] ^ sig[i]
	}
	c.send("AUTHENTICATE %s", b64(finalBare+",p="+base64.StdEncoding.EncodeToString(proof)))
	m, _ = c.expect("server-final-message", step)
	if m.Command != "AUTHENTICATE" {
		return m.Command
	}
	sfin, _ := base64.StdEncoding.DecodeString(m.Param(0))
	if want := "v=" + base64.StdEncoding.EncodeToString(hm(hm(salted, "Server Key"), auth)); string(sfin) != want {
		t.Fatalf("server-final %q, want %q", sfin, want)
	}
	c.send("AUTHENTICATE +")
	m, _ = c.expect("903 or 904", func(m *irc.Message) bool { return m.Command == "903" || m.Command == "904" })
	return m.Command
}

// checkLogins tries both mechanisms with the right and a wrong password.
func checkLogins(t *testing.T, addr, user, pass string) {
	t.Helper()
	for _, tc := range []struct {
		mech string
		try  func(testing.TB, string, string, string) string
	}{{"PLAIN", saslPlain}, {"SCRAM-SHA-256", saslSCRAM}} {
		if got := tc.try(t, addr, user, pass); got != "903" {
			t.Errorf("%s as %s with the right password: %s, want 903", tc.mech, user, got)
		}
		if got := tc.try(t, addr, user, pass+"x"); got != "904" {
			t.Errorf("%s as %s with a wrong password: %s, want 904", tc.mech, user, got)
		}
	}
	if got := saslPlain(t, addr, "nobody", pass); got != "904" {
		t.Errorf("PLAIN for an unknown account: %s, want 904", got)
	}
}

func TestSASLOneProcess(t *testing.T) {
	n := startNet(t, Options{Accounts: map[string]string{"alice": "wonderland", "carol": "c:olon,=x"}})
	if n.opts.Accounts != nil {
		t.Error("the network keeps the clear passwords after Start")
	}
	checkLogins(t, n.Node("s1").Addr(), "alice", "wonderland")
	checkLogins(t, n.Node("s2").Addr(), "carol", "c:olon,=x")
}

func TestVerifierRoundTrip(t *testing.T) {
	a := newAccount("pencil")
	b, err := parseVerifier(a.verifier())
	if err != nil {
		t.Fatal(err)
	}
	if !b.checkPassword("pencil") || b.checkPassword("pencil ") || b.iter != scramIter || !bytes.Equal(b.serverKey, a.serverKey) {
		t.Fatalf("%s read back as %+v", a.verifier(), b)
	}
	if strings.Contains(a.verifier(), "pencil") {
		t.Fatalf("verifier %s holds the password", a.verifier())
	}
	k := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, bad := range []string{
		"SCRAM-SHA-256$",
		"SCRAM-SHA-256$4096:c2FsdA==$" + k,
		"SCRAM-SHA-256$0:c2FsdA==$" + k + ":" + k,
		"SCRAM-SHA-256$99999999:c2FsdA==$" + k + ":" + k,
		"SCRAM-SHA-256$x:c2FsdA==$" + k + ":" + k,
		"SCRAM-SHA-256$4096:$" + k + ":" + k,
		"SCRAM-SHA-256$4096:c2FsdA==$c2hvcnQ=:" + k,
		"SCRAM-SHA-256$4096:c2FsdA==$" + k + ":!!",
	} {
		if _, legacy, err := storedAccount([]byte(bad)); err == nil || legacy {
			t.Errorf("%q: legacy %v, err %v; want a refusal", bad, legacy, err)
		}
	}
	if a, legacy, err := storedAccount([]byte("wonderland")); err != nil || !legacy || !a.checkPassword("wonderland") {
		t.Errorf("a clear password of an older ferryd: legacy %v, err %v", legacy, err)
	}
}

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://s3cret@10.0.0.5:4222", "nats://xxxxx@10.0.0.5:4222"},
		{"nats://ferry:s3cret@10.0.0.5:4222", "nats://ferry:xxxxx@10.0.0.5:4222"},
		{"s3cret@10.0.0.5:4222", "xxxxx@10.0.0.5:4222"},
		{"nats://a:p@w@h1:4222,nats://h2:4222,tls://tok@h3", "nats://a:xxxxx@h1:4222,nats://h2:4222,tls://xxxxx@h3"},
	} {
		if got := redactURL(tc.in); got != tc.want {
			t.Errorf("redactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// startNATSIn runs a NATS server storing under dir, so a test can look at
// what reached the disk.
func startNATSIn(t testing.TB, dir string, opts ...natsd.Option) *natsd.Server {
	t.Helper()
	ns, err := natsd.Start("127.0.0.1:0", dir, opts...)
	if err != nil {
		t.Fatalf("natsd.Start: %v", err)
	}
	t.Cleanup(ns.Close)
	return ns
}

// accountsKV opens the network's accounts bucket as a plain NATS client.
func accountsKV(t testing.TB, url string) (jetstream.KeyValue, jetstream.Stream) {
	t.Helper()
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx := contextWithTimeout(t, wait)
	kv, err := js.KeyValue(ctx, "ferry-accounts")
	if err != nil {
		t.Fatal(err)
	}
	st, err := js.Stream(ctx, "KV_ferry-accounts")
	if err != nil {
		t.Fatal(err)
	}
	return kv, st
}

// rawAccounts reads every message the accounts stream still holds.
func rawAccounts(t testing.TB, st jetstream.Stream) map[string][]byte {
	t.Helper()
	ctx := contextWithTimeout(t, wait)
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && seq > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			t.Fatalf("message %d: %v", seq, err)
		}
		out[m.Subject] = m.Data
	}
	return out
}

// diskHolds reports the files under dir that contain secret.
func diskHolds(t testing.TB, dir, secret string) []string {
	t.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) {
			found = append(found, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestClusterAccountsAsVerifiers: an account given to s1's flags
// authenticates with PLAIN and SCRAM on s2, which had none; the accounts
// bucket, read raw, and the NATS store on disk hold no password.
func TestClusterAccountsAsVerifiers(t *testing.T) {
	dir := t.TempDir()
	ns := startNATSIn(t, dir)
	startNet(t, Options{Nodes: []NodeConfig{{Name: "s1"}}, Accounts: map[string]string{"alice": "wonderland-7Qx", "bob": "builder-9Zk"}, Cluster: &ClusterOptions{NATSURL: ns.URL()}})
	s2 := startClusterNode(t, ns, "s2")
	checkLogins(t, s2.Node("s2").Addr(), "alice", "wonderland-7Qx")
	checkLogins(t, s2.Node("s2").Addr(), "bob", "builder-9Zk")

	_, st := accountsKV(t, ns.URL())
	raw := rawAccounts(t, st)
	if len(raw) != 2 {
		t.Fatalf("accounts stream holds %d entries, want 2", len(raw))
	}
	for subj, v := range raw {
		if bytes.Contains(v, []byte("wonderland")) || bytes.Contains(v, []byte("builder")) {
			t.Errorf("%s holds a password: %q", subj, v)
		}
		if _, err := parseVerifier(string(v)); err != nil {
			t.Errorf("%s: %q: %v", subj, v, err)
		}
	}
	ns.Close() // flushed to disk
	for _, pass := range []string{"wonderland-7Qx", "builder-9Zk"} {
		if files := diskHolds(t, dir, pass); len(files) > 0 {
			t.Errorf("the NATS store holds %q in %v", pass, files)
		}
	}
}

// TestClusterUpgradesClearPasswords: entries an older ferryd wrote (the
// password in clear) still authenticate, and are rewritten as verifiers,
// the clear ones gone from the stream: at a node's start for those
// already there, at first use for one written later.
func TestClusterUpgradesClearPasswords(t *testing.T) {
	ns := startNATSForTest(t)
	s0 := startClusterNode(t, ns, "s0") // creates the buckets
	kv, st := accountsKV(t, ns.URL())
	ctx := contextWithTimeout(t, wait)
	if _, err := kv.Create(ctx, hexKey("alice"), []byte("old-wonderland-3Rf")); err != nil {
		t.Fatal(err)
	}
	s1 := startClusterNode(t, ns, "s1")
	e, err := kv.Get(ctx, hexKey("alice"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parseVerifier(string(e.Value())); err != nil {
		t.Fatalf("alice after s1's start: %q: %v", e.Value(), err)
	}
	checkLogins(t, s1.Node("s1").Addr(), "alice", "old-wonderland-3Rf")

	// Written while the nodes run (an older node of a rolling upgrade).
	if _, err := kv.Create(ctx, hexKey("bob"), []byte("old-builder-8Yt")); err != nil {
		t.Fatal(err)
	}
	if got := saslSCRAM(t, s0.Node("s0").Addr(), "bob", "old-builder-8Yt"); got != "903" {
		t.Fatalf("SCRAM for bob's clear entry: %s", got)
	}
	checkLogins(t, s1.Node("s1").Addr(), "bob", "old-builder-8Yt")
	for subj, v := range rawAccounts(t, st) {
		if bytes.Contains(v, []byte("old-")) {
			t.Errorf("%s still holds a clear password: %q", subj, v)
		}
	}
}

// TestClusterNATSToken: with a token, a node joins only if it sends the
// same one (as an option or in the URL); a refusal names the cause and
// never the secret.
func TestClusterNATSToken(t *testing.T) {
	const tok = "t0ken-Vq81"
	ns := startNATSIn(t, t.TempDir(), natsd.Token(tok))
	host := strings.TrimPrefix(ns.URL(), "nats://")
	s1 := startNet(t, Options{Nodes: []NodeConfig{{Name: "s1"}}, Accounts: map[string]string{"alice": "wonderland"}, Cluster: &ClusterOptions{NATSURL: ns.URL(), Token: tok}})
	logged := &bufLog{t: t}
	s2 := startNet(t, Options{Nodes: []NodeConfig{{Name: "s2"}}, Log: logged, Cluster: &ClusterOptions{NATSURL: "nats://" + tok + "@" + host}})
	waitPeer(t, s1, s2)
	checkLogins(t, s2.Node("s2").Addr(), "alice", "wonderland")
	if strings.Contains(logged.String(), tok) {
		t.Errorf("s2's log shows the token:\n%s", logged.String())
	}
	for _, tc := range []struct {
		name string
		o    ClusterOptions
		hide string
	}{
		{"no token", ClusterOptions{NATSURL: ns.URL()}, ""},
		{"wrong token", ClusterOptions{NATSURL: ns.URL(), Token: "guess-Hh2"}, "guess-Hh2"},
		{"wrong token in the URL", ClusterOptions{NATSURL: "nats://guess-Hh2@" + host}, "guess-Hh2"},
		{"wrong password in the URL", ClusterOptions{NATSURL: "nats://ferry:guess-Hh2@" + host}, "guess-Hh2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.StartTimeout = wait
			n, err := Start(Options{Nodes: []NodeConfig{{Name: "s3"}}, Cluster: &o})
			if err == nil {
				n.Close()
				t.Fatal("joined")
			}
			if !errors.Is(err, nats.ErrAuthorization) || !strings.Contains(strings.ToLower(err.Error()), "authorization violation") {
				t.Errorf("error %q does not name the authorization violation", err)
			}
			if strings.Contains(err.Error(), tok) || (tc.hide != "" && strings.Contains(err.Error(), tc.hide)) {
				t.Errorf("error %q shows a secret", err)
			}
		})
	}
}

// bufLog keeps a network's log for a test to search, and passes it on.
type bufLog struct {
	t  testing.TB
	mu sync.Mutex
	b  strings.Builder
}

func (l *bufLog) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", v...)
}

func (l *bufLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
