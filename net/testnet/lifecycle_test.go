package testnet

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// memLog keeps the log for assertions.
type memLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *memLog) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, sprintf(format, v...))
}

func (l *memLog) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestLogHasStepTimingsAndNoSecrets(t *testing.T) {
	lg := &memLog{}
	n := startNet(t, Options{Log: lg, Debug: true, Accounts: map[string]string{"alice": "s3cretpass"}})
	a := dialPlain(t, "alice", n.Node("s1").Addr())
	a.send("CAP LS 302")
	a.send("CAP REQ :sasl %s", capMigrate)
	a.send("NICK alice")
	a.send("USER alice 0 * :A")
	a.send("AUTHENTICATE PLAIN")
	a.expectCmd("AUTHENTICATE", "+")
	payload := b64("\x00alice\x00s3cretpass")
	a.send("AUTHENTICATE %s", payload)
	a.expectCmd("903")
	a.send("CAP END")
	a.expectCmd("001")
	a.send("MIGRATE REQUEST s2")
	a2, _, start := migrateClient(t, a, nil)
	a2.barrier()
	text := lg.text()
	for _, secret := range []string{"s3cretpass", payload, start.Param(3), start.Param(4)} {
		if strings.Contains(text, secret) {
			t.Errorf("log contains a secret %q:\n%s", secret, text)
		}
	}
	for _, want := range []string{"migration alice s1→s2: CONFIRM", "START→OK", "OK→PROCEED", "PROCEED→RESUME", "RESUME→CONFIRM"} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %q:\n%s", want, text)
		}
	}
	// ferry's debug log masks everything after a leading IRC command word
	// (case-insensitively), so a step line must not start with "migrate".
	for _, l := range strings.Split(text, "\n") {
		if w, _, _ := strings.Cut(l, " "); strings.EqualFold(w, "MIGRATE") {
			t.Errorf("log line starts with a command word: %q", l)
		}
	}
}

func TestCloseStopsEveryGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	n, err := Start(Options{SelfSigned: true, Chatter: &Chatter{Every: time.Millisecond}, BounceEvery: time.Millisecond, HoldTimeout: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	// One held session with a pending timer, one idle half-registered connection.
	start, _ := a.expect("a bounce START", func(m *ircMessage) bool { return is(m, "MIGRATE", "START") })
	a.send("MIGRATE OK %s", start.Param(3))
	a.expectCmd("MIGRATE", "PROCEED")
	idle := dialPlain(t, "idle", n.Node("s2").Addr())
	idle.send("NICK idle")
	n.Close()
	n.Close()
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
	idle.expectClosed()
}
