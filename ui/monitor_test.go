package ui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestMonitorCommand(t *testing.T) {
	tests := []struct {
		line string
		want []command.Command
	}{
		{"/monitor", []command.Command{command.Monitor{Op: command.MonitorList}}},
		{"/monitor list", []command.Command{command.Monitor{Op: command.MonitorList}}},
		{"/monitor clear", []command.Command{command.Monitor{Op: command.MonitorClear}}},
		{"/monitor s", []command.Command{command.Monitor{Op: command.MonitorStatus}}},
		{"/monitor bob", []command.Command{command.Monitor{Op: command.MonitorAdd, Nicks: []string{"bob"}}}},
		{"/monitor +bob,-carol,+dave", []command.Command{
			command.Monitor{Op: command.MonitorAdd, Nicks: []string{"bob", "dave"}},
			command.Monitor{Op: command.MonitorRemove, Nicks: []string{"carol"}}}},
		{"/monitor - bob carol", []command.Command{command.Monitor{Op: command.MonitorRemove, Nicks: []string{"bob", "carol"}}}},
	}
	for _, tc := range tests {
		hs := newHarness(t, 100, 16, Options{})
		hs.connected()
		hs.run(tc.line)
		var got []command.Command
		for _, d := range hs.conn.take() {
			got = append(got, d.cmd)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q sent %+v, want %+v", tc.line, got, tc.want)
		}
	}
	hs := newHarness(t, 100, 16, Options{})
	hs.connected()
	hs.run("/monitor +")
	if d := hs.conn.take(); len(d) != 0 || !strings.Contains(hs.lastLine().Text, "/monitor") {
		t.Errorf("/monitor + sent %+v and said %q", d, hs.lastLine().Text)
	}
}

func TestPresenceShown(t *testing.T) {
	hs := newHarness(t, 100, 16, Options{})
	demoChannel(hs)
	hs.run("/query bob")
	hs.run("/query carol")
	if hs.current() != "ferrynet:carol" {
		t.Fatalf("in %s", hs.current())
	}
	hs.conn.take()
	q := hs.m.m.nets[0].find("bob")
	hs.feed(event.Presence{Meta: meta(60), Nick: "Bob", Online: true, Host: "b@h"})
	if l := q.sb.Line(q.sb.Len() - 1); l.Text != "Bob (b@h) is online" {
		t.Fatalf("bob's query: %q", l.Text)
	}
	if s := hs.screen(); !strings.Contains(s, "•bob") {
		t.Fatalf("no online mark in the sidebar:\n%s", s)
	}
	items := hs.m.m.sidebarItems()
	find := func(name string) (online, dim bool) {
		for _, it := range items {
			if it.Label == name {
				return it.Online, it.Disconnected
			}
		}
		t.Fatalf("no %s in the sidebar", name)
		return
	}
	if on, dim := find("bob"); !on || dim {
		t.Fatalf("bob online: online %v dimmed %v", on, dim)
	}
	if on, dim := find("carol"); on || dim {
		t.Fatalf("carol, not monitored: online %v dimmed %v", on, dim)
	}
	hs.feed(event.Presence{Meta: meta(61), Nick: "bob"})
	items = hs.m.m.sidebarItems()
	if on, dim := find("bob"); on || !dim {
		t.Fatalf("bob offline: online %v dimmed %v", on, dim)
	}
	if l := q.sb.Line(q.sb.Len() - 1); l.Text != "bob is offline" {
		t.Fatalf("bob's query: %q", l.Text)
	}
	hs.feed(event.Presence{Meta: meta(62), Nick: "bob", Removed: true})
	items = hs.m.m.sidebarItems()
	if on, dim := find("bob"); on || dim {
		t.Fatalf("bob no longer monitored: online %v dimmed %v", on, dim)
	}
	// A nick without a query: the server buffer says it.
	srv := hs.m.m.nets[0].server0
	hs.feed(event.Presence{Meta: meta(63), Nick: "dave", Online: true})
	if l := srv.sb.Line(srv.sb.Len() - 1); l.Text != "dave is online" {
		t.Fatalf("server buffer: %q", l.Text)
	}
}
