package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-irc/ferry/config"
)

// The config's SASL mechanism and bouncer_networks reach the session.
func TestNetworkConfigsSCRAMAndBouncer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.toml")
	body := "[[network]]\nname = \"bnc\"\nhost = \"bnc.example.org\"\nnick = \"alice\"\nbouncer_networks = false\n" +
		"sasl = { mechanism = \"SCRAM-SHA-256\", username = \"alice\", password = \"pw\" }\n" +
		"[[network]]\nname = \"other\"\nhost = \"irc.example.org\"\nnick = \"alice\"\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	nets, err := networkConfigs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := nets[0].Session
	if s.SASL == nil || s.SASL.Mechanism != "SCRAM-SHA-256" || s.SASL.Password != "pw" || !s.NoBouncerNetworks {
		t.Errorf("bnc session config: SASL %+v, NoBouncerNetworks %v", s.SASL, s.NoBouncerNetworks)
	}
	if nets[1].Session.NoBouncerNetworks {
		t.Error("bouncer networks off by default")
	}
}
