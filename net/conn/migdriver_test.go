package conn

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// capsAcked waits until nick's CAP REQ was answered and handled: the relay
// ACKs as it reads the REQ, and a PING sent after it comes back last.
func capsAcked(t *testing.T, r *relay, nick string) *relayClient {
	t.Helper()
	r.waitFor(5*time.Second, "CAP REQ", func() bool { return len(r.lines(nick, "CAP REQ")) == 1 })
	cl := r.client(nick)
	cl.send("PING :acked")
	r.waitFor(5*time.Second, "ACK handled", func() bool { return len(r.lines(nick, "PONG acked")) == 1 })
	return cl
}

// manualWindow is a Pool on a manual clock, registered on the relay old
// (which offers draft/migrate), that has answered OK to a START naming the
// relay target with tokens rtok and ctok: the migration window is open.
type manualWindow struct {
	old, target *relay
	clk         *ManualClock
	p           *Pool
	c           *collector
	cl          *relayClient // the client as old sees it
}

// openManualWindow sets it up for nick; tweak adjusts the network's
// configuration before the Pool starts.
func openManualWindow(t *testing.T, nick string, tweak func(*NetworkConfig)) *manualWindow {
	t.Helper()
	w := &manualWindow{old: newRelay(t), target: newRelay(t), clk: NewManualClock(time.Unix(5000, 0))}
	w.old.set(func(r *relay) { r.capLS = "draft/migrate" })
	cfg := plainNet("net", nick, w.old.port())
	if tweak != nil {
		tweak(&cfg)
	}
	w.p, w.c = startPoolWith(t, testLogger{t}, w.clk, cfg)
	w.c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	w.cl = capsAcked(t, w.old, nick)
	w.cl.send(":srv MIGRATE START 127.0.0.1 " + strconv.Itoa(w.target.port()) + " rtok ctok s2")
	w.old.waitFor(5*time.Second, "OK", func() bool { return len(w.old.lines(nick, "MIGRATE OK rtok")) == 1 })
	return w
}

// typePending types a line to cy and waits until it is shown pending (held
// by the open window).
func (w *manualWindow) typePending(t *testing.T, id uint64, text string) {
	t.Helper()
	w.p.Do("net", command.SendText{ID: id, Target: "cy", Text: text})
	w.c.wait(5*time.Second, "pending", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == id && m.Pending
	})
}

// A target whose certificate does not verify is declined before OK
// (net/migrate/SPEC.md section 4): NAK, a Declined event, nothing read by the target.
func TestMigrationTargetCertificateNotTrusted(t *testing.T) {
	roots, cert := testCert(t)
	_, foreign := testCert(t) // signed by a CA the client does not trust
	old := newTLSRelay(t, cert)
	old.set(func(r *relay) { r.capLS = "draft/migrate" })
	target := newTLSRelay(t, foreign)
	cfg := plainNet("net", "abe", old.port())
	cfg.Dial.TLS, cfg.Dial.RootCAs = true, roots
	_, c := startPool(t, cfg)
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	cl := capsAcked(t, old, "abe")
	cl.send(":srv MIGRATE START 127.0.0.1 +" + strconv.Itoa(target.port()) + " rtok ctok s2")
	d := c.wait(5*time.Second, "declined", isMigration(event.MigrationDeclined)).(event.Migration)
	if !strings.Contains(d.Reason, "certificate") {
		t.Errorf("Declined reason %q does not mention the certificate", d.Reason)
	}
	old.waitFor(5*time.Second, "NAK", func() bool { return len(old.lines("abe", "MIGRATE NAK rtok")) == 1 })
	if n := len(old.lines("abe", "MIGRATE OK")); n != 0 {
		t.Error("OK sent for an untrusted target")
	}
	if n := len(target.lines("*", "")) + len(target.lines("abe", "")); n != 0 {
		t.Errorf("the untrusted target read %d lines", n)
	}
}

// CONFIRM never comes: after the 15 s confirm timeout (driven by the
// manual clock) the client reconnects to the configured server with a full
// registration and sends the lines typed in the window there, once, in
// order; the target got RESUME and nothing else.
func TestMigrationConfirmTimeoutFallsBack(t *testing.T) {
	w := openManualWindow(t, "bea", func(cfg *NetworkConfig) {
		cfg.Session.Password = "pw"
	})
	old, target, clk, c, cl := w.old, w.target, w.clk, w.c, w.cl
	w.typePending(t, 1, "typed after OK")
	cl.send(":srv MIGRATE PROCEED rtok")
	target.waitFor(5*time.Second, "RESUME", func() bool { return len(target.lines("*", "MIGRATE RESUME rtok")) == 1 })
	old.drop("bea") // OLD closes after PROCEED
	w.typePending(t, 2, "typed while resuming")
	if n := len(old.lines("bea", "PRIVMSG")); n != 0 {
		t.Fatalf("%d lines went to OLD after OK", n)
	}
	clk.Advance(16 * time.Second)
	f := c.wait(5*time.Second, "failed", isMigration(event.MigrationFailed)).(event.Migration)
	if !strings.Contains(f.Recovery, "reconnected") {
		t.Errorf("Failed recovery %q, want a reconnect", f.Recovery)
	}
	c.wait(5*time.Second, "delivered 1", isDelivered(1))
	c.wait(5*time.Second, "delivered 2", isDelivered(2))
	old.waitFor(5*time.Second, "both lines", func() bool { return len(old.lines("bea", "PRIVMSG cy")) == 2 })
	got := old.lines("bea", "PRIVMSG cy")
	if got[0] != "PRIVMSG cy :typed after OK" || got[1] != "PRIVMSG cy :typed while resuming" {
		t.Errorf("configured server got %q", got)
	}
	if n := len(old.lines("bea", "PASS")) + len(old.lines("*", "PASS")); n != 2 {
		t.Errorf("%d PASS lines to the configured server, want 2 (two full registrations)", n)
	}
	for _, l := range append(target.lines("*", ""), target.lines("bea", "")...) {
		if !strings.HasPrefix(l, "MIGRATE RESUME") {
			t.Errorf("the target got %q; only RESUME may go there", l)
		}
	}
}

// Our lag PING is not written during the window: after OK, OLD reads
// nothing more and NEW is not ours until CONFIRM. It goes out again once
// NEW holds the session.
func TestMigrationWindowHoldsLagPing(t *testing.T) {
	w := openManualWindow(t, "bim", func(cfg *NetworkConfig) {
		cfg.PingInterval = 10 * time.Second
	})
	old, target, clk, c, cl := w.old, w.target, w.clk, w.c, w.cl
	pingsAtOK := len(old.lines("bim", "PING"))
	clk.Advance(11 * time.Second) // past the lag interval, within the 30 s PROCEED wait
	// Barrier: a PING from OLD is answered (PONG may go out in the
	// window), so the loop has handled the timer before we look.
	cl.send("PING :barrier")
	old.waitFor(5*time.Second, "barrier", func() bool { return len(old.lines("bim", "PONG barrier")) == 1 })
	if n := len(old.lines("bim", "PING")); n != pingsAtOK {
		t.Errorf("%d lag PINGs went to OLD after OK", n-pingsAtOK)
	}
	cl.send(":srv MIGRATE PROCEED rtok")
	target.waitFor(5*time.Second, "RESUME", func() bool { return len(target.lines("*", "MIGRATE RESUME rtok")) == 1 })
	old.drop("bim")
	tc := target.client("") // resumed: it never sent NICK
	tc.send(":s2 MIGRATE CONFIRM ctok")
	c.wait(5*time.Second, "resumed", isMigration(event.MigrationResumed))
	clk.Advance(11 * time.Second)
	target.waitFor(5*time.Second, "lag PING on NEW", func() bool { return len(target.lines("*", "PING")) >= 1 })
}

// PROCEED after ferry stopped waiting (30 s): the lines written to OLD
// since then were never processed (OLD reads nothing after OK), so each
// is reported Failed, and an error says why. A PROCEED with another token
// changes nothing.
func TestMigrationLateProceedFailsLinesSentSince(t *testing.T) {
	w := openManualWindow(t, "bo", nil)
	old, target, clk, c, cl, p := w.old, w.target, w.clk, w.c, w.cl, w.p
	w.typePending(t, 1, "typed in the window")
	clk.Advance(31 * time.Second)
	f := c.wait(5*time.Second, "gave up", isMigration(event.MigrationFailed)).(event.Migration)
	if !strings.Contains(f.Recovery, "stayed") {
		t.Fatalf("failure %+v, want stayed on OLD", f)
	}
	c.wait(5*time.Second, "delivered 1", isDelivered(1))
	p.Do("net", command.SendText{ID: 2, Target: "cy", Text: "typed after the timeout"})
	c.wait(5*time.Second, "delivered 2", isDelivered(2))

	isFailed := func(id uint64) func(event.Event) bool {
		return func(e event.Event) bool { f, ok := e.(event.Failed); return ok && f.LocalID == id }
	}
	cl.send(":srv MIGRATE PROCEED othertoken")
	cl.send("PING :barrier")
	old.waitFor(5*time.Second, "barrier", func() bool { return len(old.lines("bo", "PONG barrier")) == 1 })
	if n := c.count(isFailed(1)) + c.count(isFailed(2)); n != 0 {
		t.Fatalf("a PROCEED with another token failed %d lines", n)
	}

	cl.send(":srv MIGRATE PROCEED rtok")
	for _, id := range []uint64{1, 2} {
		e := c.wait(5*time.Second, "failed "+strconv.Itoa(int(id)), isFailed(id)).(event.Failed)
		if !strings.Contains(e.Reason, "stopped reading") {
			t.Errorf("line %d failed with %q", id, e.Reason)
		}
	}
	c.wait(5*time.Second, "the error", func(e event.Event) bool {
		x, ok := e.(event.Error)
		return ok && strings.Contains(x.Text, "handed the session over 31s after MIGRATE OK") && strings.Contains(x.Text, "2 line(s)")
	})
	if n := len(target.lines("*", "")); n != 0 {
		t.Errorf("the target got %d lines after ferry gave up", n)
	}
}
