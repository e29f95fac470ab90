package session

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// monitorLines registers with isupport and returns what went out once the
// burst ended (376).
func monitorLines(sc *script, isupport string) ([]string, []event.Event) {
	sc.t.Helper()
	sc.registerHist("message-tags", isupport)
	evs := sc.feed(":srv 376 me :End of MOTD")
	return sc.sent(), evs
}

// monitorInfos returns the Info events with Code MONITOR in evs.
func monitorInfos(evs []event.Event) []event.Event {
	var out []event.Event
	for _, i := range only[event.Info](evs) {
		if i.Code == "MONITOR" {
			out = append(out, i)
		}
	}
	return out
}

func TestMonitorSentAfterEveryRegistration(t *testing.T) {
	sc := newScript(t, Config{Monitor: []string{"bob", "carol", "Bob", "bad,nick"}})
	out, _ := monitorLines(sc, "MONITOR=100")
	if want := []string{"MONITOR + bob,carol"}; !reflect.DeepEqual(out, want) {
		t.Fatalf("after the burst sent %q, want %q", out, want)
	}
	evs := sc.feed(":srv 730 me :bob!b@host", ":srv 731 me :carol")
	ps := only[event.Presence](evs)
	if len(ps) != 2 || !ps[0].Online || ps[0].Nick != "bob" || ps[0].Host != "b@host" || ps[1].Online || ps[1].Nick != "carol" {
		t.Fatalf("presence events: %+v", ps)
	}
	// A plain reconnect: the new connection has an empty list, so it is sent again.
	out, _ = monitorLines(sc, "MONITOR=100")
	if want := []string{"MONITOR + bob,carol"}; !reflect.DeepEqual(out, want) {
		t.Fatalf("after the reconnect sent %q, want %q", out, want)
	}
	// The same states again are no news; a change is.
	evs = sc.feed(":srv 730 me :bob!b@host", ":srv 731 me :carol", ":srv 730 me :carol!c@h")
	ps = only[event.Presence](evs)
	if len(ps) != 1 || ps[0].Nick != "carol" || !ps[0].Online {
		t.Fatalf("after the reconnect, presence events: %+v", ps)
	}
	// A migration resumes the same server-side session: nothing is resent.
	sc.s.Resumed()
	sc.feed(":srv2 376 me :End of MOTD", ":srv2 NOTICE me :hi")
	sc.expect()
}

func TestMonitorLimitAndLineLength(t *testing.T) {
	var nicks []string
	for i := 0; i < 60; i++ {
		nicks = append(nicks, "somewhatlongnick"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	sc := newScript(t, Config{Monitor: nicks})
	out, evs := monitorLines(sc, "MONITOR=50")
	var sent []string
	for _, l := range out {
		if !strings.HasPrefix(l, "MONITOR + ") || len(l) > 512 {
			t.Fatalf("bad line %q", l)
		}
		sent = append(sent, strings.Split(strings.TrimPrefix(l, "MONITOR + "), ",")...)
	}
	if len(out) < 2 || !reflect.DeepEqual(sent, nicks[:50]) {
		t.Fatalf("sent %d lines naming %d nicks, want the first 50 over several lines", len(out), len(sent))
	}
	info := one[event.Info](t, monitorInfos(evs))
	if !info.Error || !strings.Contains(info.Text, "at most 50") || !strings.Contains(info.Text, nicks[50]) || !strings.Contains(info.Text, nicks[59]) {
		t.Fatalf("over-limit note: %+v", info)
	}
	// Said once: a reconnect sends the same 50 quietly.
	_, evs = monitorLines(sc, "MONITOR=50")
	if len(monitorInfos(evs)) != 0 {
		t.Fatalf("the limit was named again: %+v", evs)
	}
	// /monitor + beyond the limit is refused by the session itself.
	evs = sc.s.Submit(command.Monitor{Op: command.MonitorAdd, Nicks: []string{"one_more"}})
	if i := one[event.Info](t, evs); !i.Error || !strings.Contains(i.Text, "full") {
		t.Fatalf("add beyond the limit: %+v", evs)
	}
	sc.expect()
}

func TestMonitorUnsupportedSaysSoOnce(t *testing.T) {
	sc := newScript(t, Config{Monitor: []string{"bob"}})
	out, evs := monitorLines(sc, "")
	if len(out) != 0 {
		t.Fatalf("sent %q to a server without MONITOR (no ISON polling either)", out)
	}
	if i := one[event.Info](t, monitorInfos(evs)); !strings.Contains(i.Text, "does not support MONITOR") {
		t.Fatalf("note: %+v", i)
	}
	_, evs = monitorLines(sc, "")
	if len(monitorInfos(evs)) != 0 {
		t.Fatalf("said again after a reconnect: %+v", evs)
	}
	evs = sc.s.Submit(command.Monitor{Op: command.MonitorList})
	if i := one[event.Info](t, evs); !strings.Contains(i.Text, "bob") {
		t.Fatalf("local list: %+v", i)
	}
	sc.expect()
}

func TestMonitorCommands(t *testing.T) {
	sc := newScript(t, Config{})
	if out, _ := monitorLines(sc, "MONITOR"); len(out) != 0 {
		t.Fatalf("empty list sent %q", out)
	}
	tests := []struct {
		cmd   command.Monitor
		lines []string
		info  string
	}{
		{command.Monitor{Op: command.MonitorAdd, Nicks: []string{"bob", "carol"}}, []string{"MONITOR + bob,carol"}, ""},
		{command.Monitor{Op: command.MonitorAdd, Nicks: []string{"BOB"}}, nil, "already monitored"},
		{command.Monitor{Op: command.MonitorAdd, Nicks: []string{"a,b"}}, nil, "not a nick"},
		{command.Monitor{Op: command.MonitorRemove, Nicks: []string{"Carol"}}, []string{"MONITOR - carol"}, "no longer monitoring carol"},
		{command.Monitor{Op: command.MonitorRemove, Nicks: []string{"dave"}}, nil, "not monitored"},
		{command.Monitor{Op: command.MonitorList}, []string{"MONITOR L"}, ""},
		{command.Monitor{Op: command.MonitorStatus}, []string{"MONITOR S"}, ""},
		{command.Monitor{Op: command.MonitorClear}, []string{"MONITOR C"}, "cleared"},
	}
	for _, tc := range tests {
		evs := sc.s.Submit(tc.cmd)
		if got := sc.sent(); !reflect.DeepEqual(got, tc.lines) {
			t.Errorf("%+v sent %q, want %q", tc.cmd, got, tc.lines)
		}
		infos := only[event.Info](evs)
		if tc.info == "" && len(infos) != 0 || tc.info != "" && (len(infos) == 0 || !strings.Contains(infos[len(infos)-1].Text, tc.info)) {
			t.Errorf("%+v: infos %+v, want %q", tc.cmd, infos, tc.info)
		}
	}
	evs := sc.feed(":srv 732 me :bob,carol", ":srv 732 me :dave", ":srv 733 me :End of MONITOR list")
	if i := one[event.Info](t, evs); i.Text != "monitored: bob, carol, dave" {
		t.Fatalf("list: %q", i.Text)
	}
	evs = sc.feed(":srv 734 me 2 erin,frank :Monitor list is full.")
	if i := one[event.Info](t, evs); !i.Error || !strings.Contains(i.Text, "erin, frank") {
		t.Fatalf("734: %+v", i)
	}
	// Removal tells the UI the nick's state is unknown now.
	sc.s.Submit(command.Monitor{Op: command.MonitorAdd, Nicks: []string{"gina"}})
	sc.feed(":srv 730 me :gina")
	evs = sc.s.Submit(command.Monitor{Op: command.MonitorRemove, Nicks: []string{"gina"}})
	if p := one[event.Presence](t, evs); !p.Removed || p.Nick != "gina" {
		t.Fatalf("removal: %+v", p)
	}
}

func TestMonitorAddedWhileOfflineGoesOutAtRegistration(t *testing.T) {
	sc := newScript(t, Config{Monitor: []string{"bob"}})
	evs := sc.s.Submit(command.Monitor{Op: command.MonitorAdd, Nicks: []string{"carol"}})
	if i := one[event.Info](t, evs); !strings.Contains(i.Text, "once connected") {
		t.Fatalf("offline add: %+v", i)
	}
	sc.expect()
	out, _ := monitorLines(sc, "MONITOR=10")
	if want := []string{"MONITOR + bob,carol"}; !reflect.DeepEqual(out, want) {
		t.Fatalf("sent %q, want %q", out, want)
	}
}
