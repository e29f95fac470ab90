package conn

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/testnet"
)

func isPresence(nick string, online bool) func(event.Event) bool {
	return func(e event.Event) bool {
		p, ok := e.(event.Presence)
		return ok && !p.Removed && p.Nick == nick && p.Online == online
	}
}

// monitorLines counts the MONITOR lines the Pool wrote, to any server.
func monitorLines(log *captureLog) int {
	n := 0
	for _, l := range log.all() {
		if strings.Contains(l, " -> MONITOR ") {
			n++
		}
	}
	return n
}

// TestMonitorAcrossMigrationAndReconnect: the configured monitor list goes
// out once after registration; a migration keeps the server-side session
// (ferryd hands the list over), so nothing is sent again and bob's arrival
// is still told; a plain reconnect starts a new session, so the list is
// sent again.
func TestMonitorAcrossMigrationAndReconnect(t *testing.T) {
	tn := startTestnet(t, testnet.Options{SelfSigned: true})
	log := newCaptureLog(t, testing.Verbose())
	cfg := tnConfig(t, tn, "s1", "alice", true)
	cfg.Session.Monitor = []string{"bob"}
	p, c := startPoolWith(t, log, nil, cfg)
	c.wait(5*time.Second, "bob offline", isPresence("bob", false))
	if n := monitorLines(log); n != 1 {
		t.Fatalf("%d MONITOR lines after registration, want 1", n)
	}
	if err := tn.Migrate("alice", "s2"); err != nil {
		t.Fatal(err)
	}
	c.wait(5*time.Second, "resumed", isMigration(event.MigrationResumed))
	dialRaw(t, tn.Node("s1").Addr(), "", "bob")
	c.wait(5*time.Second, "bob online after the migration", isPresence("bob", true))
	if n := monitorLines(log); n != 1 {
		t.Errorf("%d MONITOR lines after the migration, want still 1", n)
	}

	states := c.states("tn", event.StateRegistered)
	p.Do("tn", command.Reconnect{})
	c.waitCond(5*time.Second, "registered again", func() bool { return c.states("tn", event.StateRegistered) > states })
	c.waitCond(5*time.Second, "the list sent again", func() bool { return monitorLines(log) == 2 })
}
