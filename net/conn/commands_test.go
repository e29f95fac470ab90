package conn

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestMigrateWithoutCapIsRefusedLocally(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "olga", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Migrate{Server: "s2"})
	info := c.wait(5*time.Second, "refusal", func(e event.Event) bool {
		i, ok := e.(event.Info)
		return ok && i.Error && strings.Contains(i.Text, "does not support migration")
	}).(event.Info)
	if info.Network != "net" {
		t.Errorf("refusal on network %q", info.Network)
	}
	// PING/PONG barrier: everything the client wrote before is at the server.
	srv.client("olga").send("PING :barrier")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("olga", "PONG")) == 1 })
	if n := len(srv.lines("olga", "MIGRATE")); n != 0 {
		t.Errorf("MIGRATE sent to a server without the capability")
	}
}

func TestMigrateLinesIgnoredWithoutCap(t *testing.T) {
	srv := newRelay(t)
	_, c := startPool(t, plainNet("net", "pia", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	cl := srv.client("pia")
	cl.send(":srv MIGRATE START 127.0.0.1 1 resumetok confirmtok s2")
	cl.send("PING :barrier")
	srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("pia", "PONG")) == 1 })
	if n := len(srv.lines("pia", "MIGRATE")); n != 0 {
		t.Errorf("client answered a MIGRATE it did not negotiate: %q", srv.lines("pia", "MIGRATE"))
	}
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Migration); return ok }); n != 0 {
		t.Errorf("%d migration events for an unnegotiated MIGRATE", n)
	}
}

func TestReconnectCommand(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "quin", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Reconnect{})
	c.wait(5*time.Second, "registered twice", func(event.Event) bool { return c.states("net", event.StateRegistered) == 2 })
	srv.waitFor(5*time.Second, "QUIT on the old connection", func() bool { return len(srv.lines("quin", "QUIT")) >= 1 })
	if n := len(srv.lines("quin", "QUIT")); n != 1 {
		t.Errorf("server got %d QUIT, want 1", n)
	}
	if n := c.states("net", event.StateWaiting); n != 0 {
		t.Errorf("/reconnect went through a backoff wait")
	}
}

func TestDisconnectKeepsQueuedLinesForConnect(t *testing.T) {
	srv := newRelay(t)
	p, c := startPool(t, plainNet("net", "ros", srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	p.Do("net", command.Disconnect{Reason: "later"})
	c.wait(5*time.Second, "disconnected", isState("net", event.StateDisconnected))
	p.Do("net", command.SendText{ID: 5, Target: "sam", Text: "queued while disconnected"})
	c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 5 && m.Pending
	})
	p.Do("net", command.Connect{})
	c.wait(5*time.Second, "delivered", func(e event.Event) bool { d, ok := e.(event.Delivered); return ok && d.LocalID == 5 })
	srv.waitFor(5*time.Second, "line", func() bool { return len(srv.lines("ros", "PRIVMSG sam")) == 1 })
}
