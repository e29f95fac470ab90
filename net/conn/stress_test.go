package conn

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/testnet"
)

// 200 consecutive migrations (s1 -> s2 -> s1 ...) while traffic flows both
// ways: another user sends a numbered stream to the channel and to us, and
// our user types a numbered stream into the channel. Every line of both
// streams arrives exactly once, in order; the other user never sees us
// quit, join or change nick; no ConnState event appears.
func TestMigrationStress(t *testing.T) {
	migrations := 200
	if testing.Short() {
		migrations = 40
	}
	tn := startTestnet(t, testnet.Options{
		// A short pause before PROCEED makes every window long enough for
		// some of the typed lines to be queued in it.
		Faults: testnet.Faults{ProceedDelay: 2 * time.Millisecond},
	})
	p, c := startPoolWith(t, nil, nil, tnConfig(t, tn, "s1", "ann", false))
	c.wait(5*time.Second, "registered", isState("tn", event.StateRegistered))
	p.Do("tn", command.Join{Channel: "#s"})
	c.wait(5*time.Second, "joined", isSelfJoin("#s"))
	ben := dialRaw(t, tn.Node("s1").Addr(), "", "ben", "#s")
	states := c.connStates()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var typed, sent int
	wg.Add(2)
	go func() { // our user
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			typed++
			p.Do("tn", command.SendText{ID: uint64(typed), Target: "#s", Text: "a " + strconv.Itoa(typed)})
		}
	}()
	go func() { // the other user, alternating channel and private
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			sent++
			target := "#s"
			if sent%2 == 0 {
				target = "ann"
			}
			ben.send("PRIVMSG " + target + " :b " + strconv.Itoa(sent))
		}
	}()

	start := time.Now()
	for k := 1; k <= migrations; k++ {
		to := "s2"
		if k%2 == 0 {
			to = "s1"
		}
		if err := tn.Migrate("ann", to); err != nil {
			t.Fatalf("migration %d: %v", k, err)
		}
		c.waitCond(10*time.Second, fmt.Sprintf("migration %d resumed", k), func() bool {
			return c.stepCount(event.MigrationResumed) >= k || c.stepCount(event.MigrationFailed) > 0
		})
		if c.stepCount(event.MigrationFailed) > 0 {
			t.Fatalf("migration %d failed: %+v", k, c.migrations(event.MigrationFailed)[0])
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d migrations in %v; %d lines typed, %d received", migrations, time.Since(start), typed, sent)

	// Our stream, as the other user saw it.
	c.waitCond(10*time.Second, "every typed line delivered", func() bool { return c.deliveredAll(typed) })
	ben.waitFor(10*time.Second, "all of ann's lines", func() bool { return len(ben.texts("#s", "a ")) >= typed })
	checkStream(t, "ben got from ann", ben.texts("#s", "a "), "a ", typed)

	// The other user's stream, as we saw it.
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		got = got[:0]
		for _, e := range c.snapshot() {
			if m, ok := e.(event.Message); ok && !m.Self && m.From == "ben" && strings.HasPrefix(m.Text, "b ") {
				got = append(got, m.Text)
			}
		}
		if len(got) >= sent || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	checkStream(t, "ann got from ben", got, "b ", sent)

	pending := c.count(func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Self && m.Pending })
	t.Logf("%d of %d typed lines were queued in a migration window", pending, typed)
	if pending == 0 {
		t.Error("no typed line fell into a migration window: the test did not exercise the queue")
	}
	if n := c.connStates(); n != states {
		t.Errorf("%d ConnState events during the migrations", n-states)
	}
	if q := ben.commands("QUIT", "JOIN", "NICK"); len(q) != 0 {
		t.Errorf("ben saw %d QUIT/JOIN/NICK lines, first %q", len(q), q[0])
	}
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Failed); return ok }); n != 0 {
		t.Errorf("%d lines reported Failed", n)
	}
}

// deliveredAll reports whether Delivered was seen for every LocalID 1..n.
func (c *collector) deliveredAll(n int) bool {
	seen := map[uint64]bool{}
	for _, e := range c.snapshot() {
		if d, ok := e.(event.Delivered); ok {
			seen[d.LocalID] = true
		}
	}
	for i := 1; i <= n; i++ {
		if !seen[uint64(i)] {
			return false
		}
	}
	return true
}

// checkStream asserts that got is prefix+"1" .. prefix+"n", each once, in order.
func checkStream(t *testing.T, what string, got []string, prefix string, n int) {
	t.Helper()
	if len(got) != n {
		t.Errorf("%s: %d lines, want %d", what, len(got), n)
	}
	for i, s := range got {
		if want := prefix + strconv.Itoa(i+1); s != want {
			t.Errorf("%s: line %d is %q, want %q (lost, doubled or reordered)", what, i+1, s, want)
			return
		}
	}
}
