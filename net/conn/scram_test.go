package conn

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
)

// SASL SCRAM-SHA-256 end to end: ferry's client against ferryd's
// independent server side.
func TestSCRAMAgainstTestnet(t *testing.T) {
	for _, tt := range []struct {
		name     string
		pass     string
		required bool
		faults   testnet.Faults
		account  string // "" = must not be logged in; "-" = must not register
		fatal    string // substring of the fatal error, "" = none
		errText  string // substring of a non-fatal event.Error
	}{
		{name: "right password", pass: "sesame", required: true, account: "alice"},
		{name: "wrong password, required", pass: "wrong", required: true, account: "-", fatal: "904"},
		{name: "wrong password, optional", pass: "wrong", account: "", errText: "continuing without logging in"},
		{name: "forged signature", pass: "sesame", faults: testnet.Faults{SCRAMForgedSignature: true}, account: "-", fatal: "signature is wrong"},
		{name: "no signature", pass: "sesame", faults: testnet.Faults{SCRAMSkipSignature: true}, account: "-", fatal: "without sending its SCRAM signature"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tn := startTestnet(t, testnet.Options{Accounts: map[string]string{"alice": "sesame"}, Faults: tt.faults})
			log := newCaptureLog(t, testing.Verbose())
			cfg := tnConfig(t, tn, "s1", "alice", false)
			cfg.Session.SASL = &session.SASL{Mechanism: "SCRAM-SHA-256", Username: "alice", Password: tt.pass, Required: tt.required}
			_, c := startPoolWith(t, log, nil, cfg)
			switch {
			case tt.fatal != "":
				e := c.wait(5*time.Second, "fatal error", func(e event.Event) bool {
					er, ok := e.(event.Error)
					return ok && er.Fatal
				}).(event.Error)
				if !strings.Contains(e.Text, tt.fatal) {
					t.Errorf("fatal error %q does not say %q", e.Text, tt.fatal)
				}
				if n := c.count(isState("tn", event.StateRegistered)); n != 0 {
					t.Errorf("registered %d times", n)
				}
			default:
				c.wait(5*time.Second, "registered", isState("tn", event.StateRegistered))
				if tt.errText != "" {
					e := c.wait(time.Second, "error", func(e event.Event) bool { _, ok := e.(event.Error); return ok }).(event.Error)
					if !strings.Contains(e.Text, tt.errText) || e.Fatal {
						t.Errorf("error %+v", e)
					}
				}
			}
			if acct, ok := tn.Account("alice"); tt.account == "-" {
				if ok {
					t.Errorf("alice registered (account %q) with a failed SCRAM", acct)
				}
			} else if acct != tt.account {
				t.Errorf("account %q, want %q", acct, tt.account)
			}
			for _, l := range log.all() {
				if strings.Contains(l, tt.pass) {
					t.Errorf("password in the debug log: %q", l)
				}
				if i := strings.Index(l, "AUTHENTICATE "); i >= 0 {
					arg := strings.Fields(l[i:])[1]
					if arg != "SCRAM-SHA-256" && arg != "+" && arg != "*" && arg != "***" {
						t.Errorf("SASL payload in the debug log: %q", l)
					}
				}
			}
		})
	}
}
