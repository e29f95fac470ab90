package natsd

import (
	"errors"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
)

func TestTokenRequired(t *testing.T) {
	ns, err := Start("127.0.0.1:0", t.TempDir(), Token("s3cret-Kp2"))
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if strings.Contains(ns.URL(), "s3cret") {
		t.Fatalf("URL %s carries the token", ns.URL())
	}
	for _, tc := range []struct {
		name string
		url  string
		opts []nats.Option
		ok   bool
	}{
		{"none", ns.URL(), nil, false},
		{"wrong", ns.URL(), []nats.Option{nats.Token("guess")}, false},
		{"right", ns.URL(), []nats.Option{nats.Token("s3cret-Kp2")}, true},
		{"right in the URL", strings.Replace(ns.URL(), "nats://", "nats://s3cret-Kp2@", 1), nil, true},
	} {
		nc, err := nats.Connect(tc.url, tc.opts...)
		if nc != nil {
			nc.Close()
		}
		if tc.ok && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("%s: err %v, want an authorization violation", tc.name, err)
		}
	}
}

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:4222": true,
		"[::1]:4222":     true,
		"localhost:4222": true,
		"0.0.0.0:4222":   false,
		"[::]:4222":      false,
		":4222":          false,
		"10.0.0.5:4222":  false,
		"nats.example:1": false,
		"no port":        false,
	} {
		if got := Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}
