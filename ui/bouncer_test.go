package ui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestBouncerNetworksInSidebar(t *testing.T) {
	hs := newHarness(t, 80, 20, Options{}, "bnc")
	m := func(net string) event.Meta { return event.Meta{Network: net, Time: t0} }
	hs.feed(
		event.NetworkAdded{Meta: m("bnc/1"), Parent: "bnc", NetID: "1", Title: "Libera", Upstream: "connected"},
		event.NetworkAdded{Meta: m("bnc/2"), Parent: "bnc", NetID: "2", Title: "OFTC", Upstream: "connecting"},
	)
	labels := func() []string {
		var out []string
		for _, it := range hs.m.m.sidebarItems() {
			if it.Network {
				out = append(out, it.Label)
			}
		}
		return out
	}
	if got, want := labels(), []string{"bnc", "Libera", "OFTC (connecting)"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sidebar %q, want %q", got, want)
	}
	// The bouncer renames one and reports the other's state.
	hs.feed(
		event.BouncerNetwork{Meta: m("bnc"), NetID: "1", Attrs: map[string]string{"name": "Libera.Chat"}},
		event.BouncerNetwork{Meta: m("bnc"), NetID: "2", Attrs: map[string]string{"state": "disconnected", "error": "connection refused"}},
		event.BouncerNetwork{Meta: m("other"), NetID: "1", Attrs: map[string]string{"name": "not ours"}},
	)
	if got, want := labels(), []string{"bnc", "Libera.Chat", "OFTC (disconnected)"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sidebar %q, want %q", got, want)
	}
	if !strings.Contains(hs.m.View(), "Libera.Chat") {
		t.Errorf("view lacks the new name:\n%s", hs.m.View())
	}

	// /bouncer typed in a bound network goes to the bouncer's connection.
	hs.m.m.cur = hs.m.m.netBy["bnc/2"].server0
	hs.typeText("/bouncer delnetwork Libera.Chat")
	hs.keys("enter")
	hs.typeText(`/bouncer addnetwork host=irc.example.org name="My Example"`)
	hs.keys("enter")
	hs.typeText("/bouncer listnetworks")
	hs.keys("enter")
	want := []sent{
		{"bnc", command.BouncerDelNetwork{Network: "Libera.Chat"}},
		{"bnc", command.BouncerAddNetwork{Attrs: map[string]string{"host": "irc.example.org", "name": "My Example"}}},
		{"bnc", command.BouncerListNetworks{}},
	}
	if got := hs.conn.take(); !reflect.DeepEqual(got, want) {
		t.Fatalf("sent %+v, want %+v", got, want)
	}
	hs.typeText("/bouncer addnetwork name=x")
	hs.keys("enter")
	if got := hs.conn.take(); len(got) != 0 {
		t.Errorf("addnetwork without host sent %+v", got)
	}

	// Removal: the network and its buffers go; the current buffer moves to
	// the bouncer's.
	hs.feed(event.NetworkRemoved{Meta: m("bnc/2"), Parent: "bnc", NetID: "2"})
	if got, want := labels(), []string{"bnc", "Libera.Chat"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("sidebar %q, want %q", got, want)
	}
	if hs.m.m.cur != hs.m.m.netBy["bnc"].server0 {
		t.Errorf("current buffer %q of %q", hs.m.m.cur.name, hs.m.m.cur.net.name)
	}
}
