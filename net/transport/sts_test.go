package transport

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/sts"
)

// TestDialWithSTSStore wires the STS store into Dial as net/conn does: a
// policy learned in an earlier run, a pin, and a plaintext upgrade each force
// verified TLS on the policy port, and the plaintext port is never contacted.
func TestDialWithSTSStore(t *testing.T) {
	ca := newTestCA(t)
	cert, _, _ := ca.leaf(t, false, "127.0.0.1", "localhost")
	srv := startTLSServer(t, cert, nil)
	plain, plainPort := plainListener(t)
	path := filepath.Join(t.TempDir(), "sts.toml")

	// An earlier run learned a policy over TLS.
	first, err := sts.Open(path, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := first.Advertised("127.0.0.1", true, srv.port, "duration=3600"); err != nil {
		t.Fatal(err)
	}

	// This run: a pin for localhost, the learned policy for 127.0.0.1.
	store, err := sts.Open(path, map[string]int{"localhost": srv.port}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		tr, err := Dial(dialCtx(t), DialConfig{Host: host, Port: plainPort, TLS: false, InsecureSkipVerify: true, RootCAs: ca.pool(), STS: store.Lookup})
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		if !tr.IsTLS() || !strings.HasSuffix(tr.RemoteAddr(), ":"+strconv.Itoa(srv.port)) {
			t.Errorf("%s: IsTLS %v to %s", host, tr.IsTLS(), tr.RemoteAddr())
		}
		greet(t, tr)
		tr.Close()
		if contacted(t, plain) {
			t.Fatalf("%s: the plaintext port was contacted", host)
		}
	}

	// A plaintext server advertising an upgrade: the next dial is TLS.
	mem, err := sts.Open("", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	port, up, err := mem.Advertised("127.0.0.1", false, plainPort, "port="+strconv.Itoa(srv.port))
	if err != nil || !up || port != srv.port {
		t.Fatalf("Advertised = %d, %v, %v", port, up, err)
	}
	tr, err := Dial(dialCtx(t), DialConfig{Host: "127.0.0.1", Port: plainPort, RootCAs: ca.pool(), STS: mem.Lookup})
	if err != nil {
		t.Fatal(err)
	}
	tr.Close()
	if !tr.IsTLS() || contacted(t, plain) {
		t.Fatal("the upgrade did not force TLS")
	}
}
