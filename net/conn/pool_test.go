package conn

import (
	"reflect"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestRoundTripBetweenTwoPools(t *testing.T) {
	srv := newRelay(t)
	alice, ac := startPool(t, plainNet("net", "alice", srv.port()))
	bob, bc := startPool(t, plainNet("net", "bob", srv.port()))
	for _, c := range []*collector{ac, bc} {
		c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	}
	alice.Do("net", command.Join{Channel: "#ferry"})
	bob.Do("net", command.Join{Channel: "#ferry"})
	srv.waitFor(5*time.Second, "both joined", func() bool {
		return len(srv.lines("alice", "JOIN")) == 1 && len(srv.lines("bob", "JOIN")) == 1
	})
	// bob's join is relayed to alice only if alice joined first; wait for
	// bob to see his own join before alice speaks.
	bc.wait(5*time.Second, "bob joined", func(e event.Event) bool {
		j, ok := e.(event.Join)
		return ok && j.Nick == "bob"
	})
	alice.Do("net", command.SendText{ID: 7, Target: "#ferry", Text: "hello bob"})
	got := bc.wait(5*time.Second, "message at bob", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.Text == "hello bob"
	}).(event.Message)
	if got.From != "alice" || got.Network != "net" || got.Time.IsZero() {
		t.Errorf("bob got %+v, want From alice, Network net, a time", got)
	}
	ac.wait(5*time.Second, "delivered", func(e event.Event) bool {
		d, ok := e.(event.Delivered)
		return ok && d.LocalID == 7 && d.Network == "net"
	})
	for _, e := range ac.snapshot() {
		if m, ok := e.(event.Message); ok && m.LocalID == 7 && m.Pending {
			t.Errorf("echo of a line sent at once marked pending: %+v", m)
		}
	}
	if n := len(srv.lines("alice", "PRIVMSG #ferry")); n != 1 {
		t.Errorf("server got %d PRIVMSG from alice, want 1", n)
	}
}

func TestEventsCarryNetworkName(t *testing.T) {
	srv := newRelay(t)
	_, c := startPool(t, plainNet("one", "a1", srv.port()), plainNet("two", "a2", srv.port()))
	c.wait(5*time.Second, "one registered", isState("one", event.StateRegistered))
	c.wait(5*time.Second, "two registered", isState("two", event.StateRegistered))
	for _, e := range c.snapshot() {
		if netOf(e) == "" {
			t.Errorf("event without network: %T%+v", e, e)
		}
	}
}

func netOf(e event.Event) string {
	v := reflect.ValueOf(e)
	if v.Kind() == reflect.Struct {
		if f := v.FieldByName("Meta"); f.IsValid() {
			return f.Interface().(event.Meta).Network
		}
	}
	return ""
}
