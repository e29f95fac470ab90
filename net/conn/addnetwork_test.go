package conn

import (
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/testnet"
)

// Networks added and removed while the Pool runs use the same loop as
// configured ones, from any goroutine.
func TestAddRemoveNetwork(t *testing.T) {
	tn := startTestnet(t, testnet.Options{})
	p, c := startPoolWith(t, nil, nil, tnConfig(t, tn, "s1", "alice", false))
	c.wait(5*time.Second, "tn registered", isState("tn", event.StateRegistered))

	var wg sync.WaitGroup
	for _, nick := range []string{"bob", "carol", "dave"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg := tnConfig(t, tn, "s1", nick, false)
			cfg.Name = nick
			if err := p.AddNetwork(cfg); err != nil {
				t.Error(err)
			}
			_ = p.Networks() // readers race with writers
		}()
	}
	wg.Wait()
	for _, nick := range []string{"bob", "carol", "dave"} {
		c.wait(5*time.Second, nick+" registered", isState(nick, event.StateRegistered))
	}
	if err := p.AddNetwork(tnConfig(t, tn, "s1", "x", false)); err == nil {
		t.Error("a second network called tn was added")
	}
	if got := p.Networks(); !slices.Equal(got[:1], []string{"tn"}) || len(got) != 4 {
		t.Errorf("Networks() = %q", got)
	}

	if err := p.RemoveNetwork("carol"); err != nil {
		t.Fatal(err)
	}
	if err := p.RemoveNetwork("carol"); err == nil {
		t.Error("removed twice")
	}
	waitUsers := func(want int) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); len(tn.Users()) != want; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("users %v, want %d", tn.Users(), want)
			}
		}
	}
	waitUsers(3)
	if slices.Contains(tn.Users(), "carol") {
		t.Errorf("carol still connected: %v", tn.Users())
	}
	n := c.count(func(e event.Event) bool { return strings.Contains(metaNetwork(e), "carol") })
	p.Do("carol", command.Join{Channel: "#x"})
	c.wait(5*time.Second, "no such network", func(e event.Event) bool {
		er, ok := e.(event.Error)
		return ok && er.Network == "carol" && strings.Contains(er.Text, "no such network")
	})
	if m := c.count(func(e event.Event) bool { return strings.Contains(metaNetwork(e), "carol") }); m != n+1 {
		t.Errorf("%d more events for carol after its removal, want only the error", m-n)
	}
	p.Do("dave", command.Join{Channel: "#d"})
	c.wait(5*time.Second, "dave joined", isSelfJoin("#d"))
}

// metaNetwork is the Network of an event's Meta.
func metaNetwork(e event.Event) string {
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("Meta"); f.IsValid() {
		if m, ok := f.Interface().(event.Meta); ok {
			return m.Network
		}
	}
	return ""
}
