package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/ui/scrollback"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/muesli/termenv"
)

// /search marks every hit on screen in the theme's search style (in
// colour), and the mark goes with Esc.
func TestSearchMarksHitsInTheFrame(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{Styles: testStyles(t, termenv.ANSI)})
	demoChannel(hs)
	hs.feed(event.Message{Meta: meta(50), Buffer: "#ferry", From: "bob", Text: "the Ferry sails at noon"})
	hs.m.m.in.SetValue("/search ferry")
	hs.keys("enter")
	// dark theme's search_match in 16 colours: black on white.
	const mark = "\x1b[0;30;47mFerry\x1b[0m"
	if s := hs.m.View(); !strings.Contains(s, mark) {
		t.Fatalf("hit not marked in the frame:\n%q", s)
	}
	hs.keys("esc")
	if s := hs.m.View(); strings.Contains(s, ";30;47m") {
		t.Error("mark kept after Esc")
	}
}

// Ctrl+F with no search under way starts one: the input line becomes
// "/search " (a line already being typed is left alone).
func TestCtrlFStartsSearch(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	hs.keys("ctrl+f")
	if v := hs.m.m.in.Value(); v != "/search " {
		t.Fatalf("input %q after Ctrl+F, want %q", v, "/search ")
	}
	hs.m.m.in.SetValue("half a sentence")
	hs.keys("ctrl+f")
	if v := hs.m.m.in.Value(); v != "half a sentence" {
		t.Errorf("Ctrl+F replaced the line being typed: %q", v)
	}
}

// /search also asks the server (command.Search for the buffer); its
// answer is listed under the buffer's lines with each message's date, and
// the running search reaches those lines. A refusal is one error line.
func TestSearchAsksTheServer(t *testing.T) {
	hs := newHarness(t, 100, 14, Options{})
	demoChannel(hs)
	hs.conn.take()
	hs.m.m.in.SetValue("/search sails")
	hs.keys("enter")
	var asked []command.Search
	for _, d := range hs.conn.take() {
		if c, ok := d.cmd.(command.Search); ok && d.net == "ferrynet" {
			asked = append(asked, c)
		}
	}
	if len(asked) != 1 || asked[0] != (command.Search{Buffer: "#ferry", Text: "sails"}) {
		t.Fatalf("commands sent: %+v, want one Search of #ferry for “sails”", asked)
	}
	old := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	hs.feed(event.SearchResults{Meta: meta(60), Buffer: "#ferry", Text: "sails", Messages: []event.Message{
		{Meta: event.Meta{Time: old}, Buffer: "#ferry", From: "bob", Text: "the ferry sails at noon"},
		{Meta: event.Meta{Time: old.Add(time.Hour)}, Buffer: "#ferry", Kind: event.Action, From: "amy", Text: "sails away"},
	}})
	screen := hs.m.View()
	for _, want := range []string{"the server's history has 2 message(s) with “sails”", "4 Mar 2026 05:06 <bob> the ferry sails at noon", "4 Mar 2026 06:06 * amy sails away"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	hs.keys("ctrl+f")
	if l := hs.m.m.cur.sb.Line(hs.m.m.cur.searchHit); !strings.Contains(l.Text, "sails") {
		t.Errorf("Ctrl+F landed on %q", l.Text)
	}
	hs.feed(event.SearchResults{Meta: meta(61), Buffer: "#ferry", Text: "x", Failed: "You are not in #ferry"})
	b := hs.m.m.cur
	if l := b.sb.Line(b.sb.Len() - 1); l.Kind != scrollback.Error || !strings.Contains(l.Text, "could not search for “x”: You are not in #ferry") {
		t.Errorf("refusal shown as %v %q", l.Kind, l.Text)
	}
}

// The server buffer is not searched on the server: no command goes out.
func TestSearchServerBufferStaysLocal(t *testing.T) {
	hs := newHarness(t, 100, 14, Options{})
	demoChannel(hs)
	hs.keys("ctrl+p") // the server buffer
	if hs.m.m.cur.kind != serverBuf {
		t.Fatalf("on %q, want the server buffer", hs.m.m.cur.name)
	}
	hs.conn.take()
	hs.m.m.in.SetValue("/search motd")
	hs.keys("enter")
	for _, d := range hs.conn.take() {
		if _, ok := d.cmd.(command.Search); ok {
			t.Errorf("server buffer search sent %+v", d.cmd)
		}
	}
}

// BenchmarkSearch times /search's path (Ctrl+F: the next older hit,
// wrapping) over a buffer of 100 000 lines. "miss" has no hit: every line
// is scanned once (the wrap covers only what the first pass did not);
// "far" reaches the one hit, the newest line, only after scanning every
// older line and wrapping. Both are the worst case of one full pass.
func BenchmarkSearch(b *testing.B) {
	const n = 100000
	hs := newHarness(b, 120, 40, Options{Styles: testStyles(b, termenv.TrueColor), Scrollback: n})
	hs.connected()
	hs.feed(event.Join{Meta: meta(0), Channel: "#ferry", Nick: "newcomer", Self: true})
	for _, bt := range floodBatches(n, 1000) {
		hs.m.m.apply(bt.Events)
	}
	hs.m.m.apply([]event.Event{event.Message{Meta: meta(0), Buffer: "#ferry", From: "x", Text: "the unique needle"}})
	m := hs.m.m
	cur := m.cur
	if cur.sb.Len() != n {
		b.Fatalf("buffer holds %d lines", cur.sb.Len())
	}
	for _, bc := range []struct{ name, q string }{{"miss", "haystack"}, {"far", "needle"}} {
		b.Run(bc.name, func(b *testing.B) {
			cur.search, cur.searchHit = bc.q, cur.sb.Len()-1
			cur.view.SetSearch(bc.q)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				m.searchStep(-1)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/search")
			if bc.q == "needle" && !strings.Contains(cur.sb.Line(cur.searchHit).Text, "needle") {
				b.Errorf("hit %d: %q", cur.searchHit, cur.sb.Line(cur.searchHit).Text)
			}
		})
	}
}
