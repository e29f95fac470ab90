package conn

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/sts"
	"github.com/ferry-irc/ferry/net/testnet"
)

// A normal migration over TLS, driven by the network (operator command):
// the user types three lines in the window; they are echoed Pending at once,
// delivered exactly once, in order, after CONFIRM; no ConnState event
// appears; the Resumed event carries the window; nothing but RESUME goes to
// the target (no PASS, no SASL).
func TestMigrationNormal(t *testing.T) {
	tn := startTestnet(t, testnet.Options{
		SelfSigned: true,
		Password:   "serverpass",
		Accounts:   map[string]string{"alice": "sesame"},
		// A pause between the flip and PROCEED keeps the window open
		// long enough for the lines typed in it to be queued.
		Faults: testnet.Faults{ProceedDelay: 150 * time.Millisecond},
	})
	log := newCaptureLog(t, testing.Verbose())
	cfg := tnConfig(t, tn, "s1", "alice", true)
	cfg.Session.Password = "serverpass"
	cfg.Session.SASL = &session.SASL{Mechanism: "PLAIN", Username: "alice", Password: "sesame", Required: true}
	p, c := startPoolWith(t, log, nil, cfg)
	c.wait(5*time.Second, "registered", isState("tn", event.StateRegistered))
	p.Do("tn", command.Join{Channel: "#m"})
	c.wait(5*time.Second, "joined", isSelfJoin("#m"))
	bob := dialRaw(t, tn.Node("s1").Addr(), "serverpass", "bob", "#m")

	p.Do("tn", command.SendText{ID: 1, Target: "#m", Text: "before"})
	bob.waitFor(5*time.Second, "before", func() bool { return len(bob.texts("#m", "before")) == 1 })
	states := c.connStates()

	if err := tn.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	c.wait(5*time.Second, "accepted", isMigration(event.MigrationAccepted))
	for i := 2; i <= 4; i++ {
		p.Do("tn", command.SendText{ID: uint64(i), Target: "#m", Text: fmt.Sprintf("window %d", i)})
	}
	res := c.wait(5*time.Second, "resumed", isMigration(event.MigrationResumed)).(event.Migration)
	if res.Window <= 0 {
		t.Errorf("Resumed with window %v, want > 0", res.Window)
	}
	for i := 2; i <= 4; i++ {
		c.wait(5*time.Second, "delivered", isDelivered(uint64(i)))
		id := uint64(i)
		echo := c.wait(time.Second, "echo", func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && m.Self && m.LocalID == id
		}).(event.Message)
		if !echo.Pending {
			t.Errorf("line %d typed in the window was not echoed Pending: %+v", i, echo)
		}
	}
	p.Do("tn", command.SendText{ID: 5, Target: "#m", Text: "after"})
	bob.waitFor(5*time.Second, "after", func() bool { return len(bob.texts("#m", "after")) == 1 })
	want := []string{"window 2", "window 3", "window 4"}
	if got := bob.texts("#m", "window"); !slices.Equal(got, want) {
		t.Errorf("bob got %q, want %q exactly once each, in order", got, want)
	}
	if n := c.connStates(); n != states {
		t.Errorf("%d ConnState events during a successful migration", n-states)
	}
	if node, _ := tn.UserNode("alice"); node != "s2" {
		t.Errorf("alice is on %q, want s2", node)
	}
	if q := bob.commands("QUIT", "JOIN", "NICK"); len(q) != 0 {
		t.Errorf("bob saw %q during the migration", q)
	}
	noCredentialsTo(t, log, tn.Node("s2").Addr(), tn.Node("s2").TLSAddr())
	var resumes int
	for _, l := range log.written(tn.Node("s2").TLSAddr()) {
		if strings.HasPrefix(l, "MIGRATE RESUME") {
			resumes++
			if !strings.Contains(l, "***") || strings.Count(l, " ") != 2 {
				t.Errorf("RESUME logged as %q: the token must be masked", l)
			}
		}
	}
	if resumes != 1 {
		t.Errorf("%d RESUME lines to s2, want 1", resumes)
	}
	for _, l := range log.all() {
		if strings.Contains(l, "sesame") || strings.Contains(l, "serverpass") {
			t.Errorf("a secret reached the debug log: %q", l)
		}
	}
}

// /migrate sends MIGRATE REQUEST; the network moves us; a REQUEST naming no
// server comes back as a readable FAIL.
func TestMigrateCommand(t *testing.T) {
	tn := startTestnet(t, testnet.Options{})
	log := newCaptureLog(t, testing.Verbose())
	p, c := startPoolWith(t, log, nil, tnConfig(t, tn, "s1", "carl", false))
	c.wait(5*time.Second, "registered", isState("tn", event.StateRegistered))
	states := c.connStates()
	p.Do("tn", command.Migrate{Server: "s2"})
	c.wait(5*time.Second, "resumed", isMigration(event.MigrationResumed))
	if node, _ := tn.UserNode("carl"); node != "s2" {
		t.Errorf("carl is on %q after /migrate s2", node)
	}
	if n := len(log.written(tn.Node("s1").Addr())); n == 0 || !slices.Contains(log.written(tn.Node("s1").Addr()), "MIGRATE REQUEST s2") {
		t.Errorf("no MIGRATE REQUEST s2 on s1: %q", log.written(tn.Node("s1").Addr()))
	}
	p.Do("tn", command.Migrate{Server: "nowhere"})
	info := c.wait(5*time.Second, "FAIL as info", func(e event.Event) bool {
		i, ok := e.(event.Info)
		return ok && i.Error && strings.Contains(strings.ToLower(i.Text), "nowhere")
	}).(event.Info)
	if info.Network != "tn" || strings.Contains(info.Text, "UNKNOWN_SERVER") && len(info.Text) < 20 {
		t.Errorf("FAIL shown as %+v; want a sentence on network tn", info)
	}
	if n := c.connStates(); n != states {
		t.Errorf("%d ConnState events during /migrate", n-states)
	}
}

// The faults of the reference network, one per subtest. In each, the user
// types lines while the migration is under way; every line arrives exactly
// once at the other user, the session ends connected (a line typed at the
// end is delivered), and no credential is written to the target.
func TestMigrationFaults(t *testing.T) {
	const delay = 100 * time.Millisecond
	tests := []struct {
		name   string
		faults testnet.Faults
		tls    bool
		// decline: the failure is before OK (NAK, no window); reconnect:
		// after PROCEED (fallback reconnect to the configured server).
		decline, reconnect bool
		manual             bool // needs the proceed timeout: drive the clock
		// queued: the lines typed after OK are certainly in the window (a
		// pause before PROCEED, or none at all) and must be echoed Pending.
		queued bool
	}{
		{name: "wrong confirm token", faults: testnet.Faults{WrongConfirm: true, ProceedDelay: delay}, reconnect: true, queued: true},
		{name: "unreachable target", faults: testnet.Faults{UnreachableTarget: true}, decline: true},
		{name: "plaintext target on TLS", faults: testnet.Faults{PlainTargetOnTLS: true}, tls: true, decline: true},
		{name: "aborted", faults: testnet.Faults{AbortAfterOK: true}},
		{name: "no proceed", faults: testnet.Faults{NoProceed: true}, manual: true, queued: true},
		{name: "drop on resume", faults: testnet.Faults{DropOnResume: true, ProceedDelay: delay}, reconnect: true, queued: true},
		{name: "invalid token", faults: testnet.Faults{InvalidTokenOnResume: true, ProceedDelay: delay}, reconnect: true, queued: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tn := startTestnet(t, testnet.Options{
				SelfSigned: true,
				Password:   "serverpass",
				Accounts:   map[string]string{"dora": "sesame"},
			})
			log := newCaptureLog(t, testing.Verbose())
			cfg := tnConfig(t, tn, "s1", "dora", tt.tls)
			cfg.Session.Password = "serverpass"
			cfg.Session.SASL = &session.SASL{Mechanism: "PLAIN", Username: "dora", Password: "sesame", Required: true}
			var clk *ManualClock
			var cl Clock
			if tt.manual {
				clk = NewManualClock(time.Unix(1e9, 0))
				cl = clk
			}
			p, c := startPoolWith(t, log, cl, cfg)
			c.wait(5*time.Second, "registered", isState("tn", event.StateRegistered))
			p.Do("tn", command.Join{Channel: "#f"})
			c.wait(5*time.Second, "joined", isSelfJoin("#f"))
			eve := dialRaw(t, tn.Node("s1").Addr(), "serverpass", "eve", "#f")
			states := c.connStates()

			tn.SetFaults(tt.faults)
			if err := tn.Migrate("dora", "s2"); err != nil {
				t.Fatal(err)
			}
			id := uint64(0)
			typed := []string{}
			typeLine := func(text string) {
				id++
				typed = append(typed, text)
				p.Do("tn", command.SendText{ID: id, Target: "#f", Text: text})
			}
			if tt.decline {
				typeLine("during offer")
				d := c.wait(5*time.Second, "declined", isMigration(event.MigrationDeclined)).(event.Migration)
				if d.Reason == "" {
					t.Error("Declined without a reason")
				}
			} else {
				c.wait(5*time.Second, "accepted", isMigration(event.MigrationAccepted))
				typeLine("in window 1")
				typeLine("in window 2")
				if tt.manual {
					// PROCEED never comes: the 30 s proceed timer decides.
					deadline := time.Now().Add(5 * time.Second)
					for clk.Pending() == 0 && time.Now().Before(deadline) {
						time.Sleep(time.Millisecond)
					}
					clk.Advance(31 * time.Second)
				}
				f := c.wait(5*time.Second, "failed", isMigration(event.MigrationFailed)).(event.Migration)
				if f.Reason == "" || f.Recovery == "" {
					t.Errorf("Failed event without reason or recovery: %+v", f)
				}
			}
			if tt.queued {
				for i := uint64(1); i <= id; i++ {
					echo := c.wait(time.Second, "echo", func(e event.Event) bool {
						m, ok := e.(event.Message)
						return ok && m.Self && m.LocalID == i
					}).(event.Message)
					if !echo.Pending {
						t.Errorf("line %d typed in the window was not echoed Pending", i)
					}
				}
			}
			typeLine("at the end")
			for i := uint64(1); i <= id; i++ {
				c.wait(10*time.Second, fmt.Sprintf("delivered %d", i), isDelivered(i))
			}
			eve.waitFor(10*time.Second, "the last line", func() bool { return len(eve.texts("#f", "at the end")) == 1 })
			got := eve.texts("#f", "")
			if !slices.Equal(got, typed) {
				t.Errorf("eve got %q, want %q (each once, in order)", got, typed)
			}
			if n := c.count(func(e event.Event) bool { _, ok := e.(event.Failed); return ok }); n != 0 {
				t.Errorf("%d lines reported Failed", n)
			}
			reg := c.states("tn", event.StateRegistered)
			if tt.reconnect {
				if reg != 2 {
					t.Errorf("registered %d times, want 2 (fallback reconnect)", reg)
				}
			} else if n := c.connStates(); n != states {
				t.Errorf("%d ConnState events, want none: the session stays on OLD", n-states)
			}
			if node, _ := tn.UserNode(eveNickOf(c)); node != "s1" {
				t.Errorf("the session is on %q, want s1 (OLD, or the configured server)", node)
			}
			noCredentialsTo(t, log, tn.Node("s2").Addr(), tn.Node("s2").TLSAddr())
		})
	}
}

// eveNickOf returns our nick as last registered (it may have changed after a
// fallback reconnect while the old session was still held).
func eveNickOf(c *collector) string {
	nick := ""
	for _, e := range c.snapshot() {
		if r, ok := e.(event.Registered); ok {
			nick = r.Nick
		}
		if n, ok := e.(event.NickChange); ok && n.Self {
			nick = n.New
		}
	}
	return nick
}

// STS applies to the migration target (net/migrate/SPEC.md section 4): a START
// naming a pinned host without '+' is still dialled with TLS, on the
// pinned port, with the certificate verified; the plaintext port named in
// START is never touched.
func TestMigrationTargetPinnedBySTS(t *testing.T) {
	tn := startTestnet(t, testnet.Options{
		SelfSigned: true,
		Nodes:      []testnet.NodeConfig{{Name: "s1"}, {Name: "s2", Host: "localhost"}},
	})
	s2 := tn.Node("s2")
	store, err := sts.Open("", map[string]int{"localhost": s2.TLSPort()}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	log := newCaptureLog(t, testing.Verbose())
	p := NewPool(PoolOptions{Networks: []NetworkConfig{tnConfig(t, tn, "s1", "pia", false)}, STS: store, Log: log})
	c := collect(t, p)
	p.Start()
	defer func() { p.Close(); <-c.done }()
	c.wait(5*time.Second, "registered", isState("tn", event.StateRegistered))
	if err := tn.Migrate("pia", "s2"); err != nil {
		t.Fatal(err)
	}
	res := c.wait(5*time.Second, "resumed", isMigration(event.MigrationResumed)).(event.Migration)
	want := "localhost:" + strconv.Itoa(s2.TLSPort())
	if res.Host != want {
		t.Errorf("migrated to %q, want the pinned TLS port %q", res.Host, want)
	}
	if w := log.written(want); len(w) == 0 || !strings.HasPrefix(w[0], "MIGRATE RESUME") {
		t.Errorf("lines to %s: %q, want RESUME first", want, w)
	}
	if w := log.written("localhost:" + strconv.Itoa(s2.Port())); len(w) != 0 {
		t.Errorf("lines went to the plaintext port: %q", w)
	}
	dialled := false
	for _, l := range log.all() {
		if strings.Contains(l, "dialling target "+want+" (tls=true)") {
			dialled = true
		}
	}
	if !dialled {
		t.Error("the target was not dialled with TLS on the pinned port")
	}
}
