package testnet

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
)

// TestSCRAMKeysRFC7677 checks the stored keys against RFC 7677's example:
// with its salt and count, the client proof and server signature of the
// example's AuthMessage come out as printed there.
func TestSCRAMKeysRFC7677(t *testing.T) {
	salt, _ := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	stored, server := scramKeys("pencil", salt, 4096)
	auth := "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	proof, _ := base64.StdEncoding.DecodeString("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
	sig := mac(stored, auth)
	for i := range proof {
		proof[i] ^= sig[i] // now the ClientKey
	}
	if h := sha256.Sum256(proof); !hmacEqual(h[:], stored) {
		t.Error("the RFC's client proof does not check against the stored key")
	}
	if got := base64.StdEncoding.EncodeToString(mac(server, auth)); got != "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=" {
		t.Errorf("server signature %s", got)
	}
}

func TestSCRAMServerRefuses(t *testing.T) {
	n := startNet(t, Options{Accounts: map[string]string{"alice": "wonderland"}})
	for _, tc := range []struct{ name, first string }{
		{"channel binding", "p=tls-unique,,n=alice,r=abc"},
		{"unknown account", "n,,n=mallory,r=abc"},
		{"bad saslname", "n,,n=al=ice,r=abc"},
		{"no nonce", "n,,n=alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialPlain(t, "alice", n.Node("s1").Addr())
			c.send("AUTHENTICATE SCRAM-SHA-256")
			c.expectCmd("AUTHENTICATE", "+")
			c.send("AUTHENTICATE %s", b64(tc.first))
			c.expectCmd("904")
		})
	}
	t.Run("wrong proof", func(t *testing.T) {
		c := dialPlain(t, "alice", n.Node("s1").Addr())
		c.send("AUTHENTICATE SCRAM-SHA-256")
		c.expectCmd("AUTHENTICATE", "+")
		c.send("AUTHENTICATE %s", b64("n,,n=alice,r=clientnonce"))
		m := c.expectCmd("AUTHENTICATE")
		sf, _ := base64.StdEncoding.DecodeString(m.Param(0))
		nonce := scramFields(string(sf))["r"]
		if !strings.HasPrefix(nonce, "clientnonce") || len(nonce) <= len("clientnonce") {
			t.Fatalf("server-first %q", sf)
		}
		c.send("AUTHENTICATE %s", b64("c=biws,r="+nonce+",p="+base64.StdEncoding.EncodeToString(make([]byte, 32))))
		c.expectCmd("904")
		if acct, _ := n.Account("alice"); acct != "" {
			t.Errorf("logged in as %q", acct)
		}
	})
}
