package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/config"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/testnet"
)

// Secrets never reach the debug log (even with --debug
// --raw-log, which logs every line of traffic) or the chat logs: the server
// password, the SASL password, a NickServ IDENTIFY the user types, and the
// migrate tokens of a migration. The run goes through the same wiring as a
// configured start (config file, openClient, the chat-log tee) against the
// reference network over TLS.
func TestSecretsNeverLogged(t *testing.T) {
	const (
		serverPass = "srvpass-c0ffee-1"
		saslPass   = "saslpass-c0ffee-2"
		nickServPw = "identify-c0ffee-3"
	)
	home := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_STATE_HOME", filepath.Join(home, "state"))
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))

	netw, err := testnet.Start(testnet.Options{
		SelfSigned: true,
		Password:   serverPass,
		Accounts:   map[string]string{"keeper": saslPass},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(netw.Close)
	caFile := filepath.Join(home, "ca.pem")
	if err := os.WriteFile(caFile, netw.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	s1 := netw.Node("s1")
	cfgPath := filepath.Join(home, "ferry.toml")
	cfgText := fmt.Sprintf(`
[ui]
logs = true

[[network]]
name = "ferrynet"
host = "127.0.0.1"
port = %d
ca_file = %q
nick = "keeper"
password = %q
sasl = { mechanism = "PLAIN", username = "keeper", password = %q }
autojoin = ["#ferry"]
`, s1.TLSPort(), caFile, serverPass, saslPass)
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatalf("config: %v", err)
	}

	var stderr bytes.Buffer
	c, err := openClient(options{debug: true, rawLog: true}, cfg, &stderr)
	if err != nil {
		t.Fatalf("openClient: %v (%s)", err, stderr.String())
	}
	events := newRelay(c.pool, c.logs).Events()
	c.pool.Start()

	var seen []event.Event
	wait := func(what string, match func(event.Event) bool) {
		t.Helper()
		deadline := time.After(15 * time.Second)
		for _, e := range seen {
			if match(e) {
				return
			}
		}
		for {
			select {
			case b, ok := <-events:
				if !ok {
					t.Fatalf("events closed waiting for %s", what)
				}
				seen = append(seen, b.Events...)
				for _, e := range b.Events {
					if match(e) {
						return
					}
				}
			case <-deadline:
				t.Fatalf("timed out waiting for %s; saw %d events", what, len(seen))
			}
		}
	}
	wait("join #ferry", func(e event.Event) bool {
		j, ok := e.(event.Join)
		return ok && j.Self && j.Channel == "#ferry"
	})
	c.pool.Do("ferrynet", command.SendText{ID: 1, Target: "NickServ", Text: "IDENTIFY " + nickServPw})
	c.pool.Do("ferrynet", command.SendText{ID: 2, Target: "#ferry", Text: "before the move"})
	wait("the lines delivered", func(e event.Event) bool {
		d, ok := e.(event.Delivered)
		return ok && d.LocalID == 2
	})
	if err := netw.Migrate("keeper", "s2"); err != nil {
		t.Fatal(err)
	}
	wait("the migration", func(e event.Event) bool {
		m, ok := e.(event.Migration)
		return ok && m.Step == event.MigrationResumed
	})
	c.pool.Do("ferrynet", command.SendText{ID: 3, Target: "#ferry", Text: "after the move"})
	wait("the line after the move", func(e event.Event) bool {
		d, ok := e.(event.Delivered)
		return ok && d.LocalID == 3
	})
	c.pool.Close()
	for range events { // drain what the Pool still had, so the chat logs get it
	}
	c.logs.Close()
	c.log.Close()

	debugLog, err := os.ReadFile(config.DebugLogPath())
	if err != nil {
		t.Fatalf("debug log: %v", err)
	}
	// The raw log really did log traffic, including the MIGRATE lines:
	// otherwise the absence of secrets would prove nothing.
	for _, want := range []string{"PASS ***", "AUTHENTICATE", "MIGRATE OK ***", "MIGRATE RESUME ***", "MIGRATE CONFIRM ***", "after the move"} {
		if !bytes.Contains(debugLog, []byte(want)) {
			t.Errorf("debug log lacks %q, so it did not log what this test checks", want)
		}
	}
	files := map[string][]byte{"debug log": debugLog}
	err = filepath.WalkDir(config.LogDir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = b
		return err
	})
	if err != nil {
		t.Fatalf("chat logs: %v", err)
	}
	chat := 0
	for name, b := range files {
		if strings.Contains(string(b), "before the move") {
			chat++
		}
		for _, secret := range []string{serverPass, saslPass, nickServPw} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s contains the secret %q", name, secret)
			}
		}
		for _, line := range strings.Split(string(b), "\n") {
			if i := strings.Index(line, "MIGRATE "); i >= 0 && !migrateLineMasked(line[i:]) {
				t.Errorf("%s has a MIGRATE line with its token: %q", name, line)
			}
		}
	}
	if chat < 2 { // the debug log and #ferry's chat log
		t.Errorf("the chat log of #ferry was not written (files: %v)", keys(files))
	}
}

// migrateLineMasked reports whether every token position of a MIGRATE line
// is masked: START's 4th and 5th words, the 3rd of OK/NAK/PROCEED/RESUME/CONFIRM.
func migrateLineMasked(s string) bool {
	f := strings.Fields(s)
	if len(f) < 3 {
		return true
	}
	switch f[1] {
	case "START":
		return len(f) < 6 || (f[4] == "***" && f[5] == "***")
	case "OK", "NAK", "PROCEED", "RESUME", "CONFIRM":
		return f[2] == "***"
	}
	return true
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
