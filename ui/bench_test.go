package ui

import (
	"fmt"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/muesli/termenv"
)

// floodBatches builds n incoming channel messages in batches of size,
// with msgids (as a modern server sends them) and varied senders.
func floodBatches(n, size int) []event.Batch {
	var out []event.Batch
	for i := 0; i < n; i += size {
		evs := make([]event.Event, 0, size)
		for j := i; j < i+size && j < n; j++ {
			evs = append(evs, event.Message{
				Meta:   event.Meta{Network: "ferrynet", Time: t0.Add(time.Duration(j) * time.Millisecond)},
				Buffer: "#ferry", From: "user" + strconv.Itoa(j%50), Target: "#ferry",
				Text:  "line " + strconv.Itoa(j) + " of the flood, with some ordinary words in it",
				MsgID: "id" + strconv.Itoa(j),
			})
		}
		out = append(out, event.Batch{Events: evs})
	}
	return out
}

// BenchmarkApply applies 100 000 incoming messages, 1 000 per batch, to
// the model, as the event reader hands them over (no rendering between).
func BenchmarkApply(b *testing.B) {
	const lines = 100000
	batches := floodBatches(lines, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	var mallocs uint64
	var ms runtime.MemStats
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		hs := newHarness(b, 120, 40, Options{Styles: testStyles(b, termenv.TrueColor)})
		hs.connected()
		hs.feed(event.Join{Meta: meta(0), Channel: "#ferry", Nick: "newcomer", Self: true})
		runtime.ReadMemStats(&ms)
		before := ms.Mallocs
		b.StartTimer()
		for _, bt := range batches {
			hs.m.m.apply(bt.Events)
		}
		// One frame after the flood, as Bubble Tea would draw.
		_ = hs.m.View()
		b.StopTimer()
		runtime.ReadMemStats(&ms)
		mallocs += ms.Mallocs - before
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
	b.ReportMetric(float64(mallocs)/float64(b.N*lines), "allocs/line")
}

// BenchmarkView renders one frame (120×40, sidebar and nick list) with
// 1 000 and 100 000 lines of scrollback; the cost must not grow with it.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			hs := newHarness(b, 120, 40, Options{Styles: testStyles(b, termenv.TrueColor), Scrollback: n})
			hs.connected()
			hs.feed(event.Join{Meta: meta(0), Channel: "#ferry", Nick: "newcomer", Self: true})
			for _, bt := range floodBatches(n, 1000) {
				hs.m.m.apply(bt.Events)
			}
			_ = hs.m.View()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// A new line arrives between frames, as in a live channel.
				hs.m.m.apply([]event.Event{event.Message{Meta: meta(i), Buffer: "#ferry", From: "bob", Text: "another line " + strconv.Itoa(i)}})
				_ = hs.m.View()
			}
		})
	}
}

// BenchmarkApplyJoin applies membership events to the model in a channel
// of 1 000 and of 100 000 members, in batches of 1 000 as the connection
// owner hands them over, with a frame drawn after each batch (the nick
// list on screen). join+part is a batch of 1 000 JOINs of new nicks then
// a batch of their PARTs; rejoin a batch of 1 000 JOINs of members already
// there. ns/event is the figure to compare between the sizes.
func BenchmarkApplyJoin(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		hs := newHarness(b, 120, 40, Options{Styles: testStyles(b, termenv.TrueColor)})
		hs.connected()
		hs.feed(event.Join{Meta: meta(0), Channel: "#ferry", Nick: "newcomer", Self: true})
		ms := make([]event.Member, n)
		for i := range ms {
			ms[i] = event.Member{Nick: "m" + strconv.Itoa(i)}
		}
		hs.feed(event.Names{Meta: meta(0), Channel: "#ferry", Members: ms})
		const size = 1000
		joins := make([]event.Event, size)
		parts := make([]event.Event, size)
		rejoins := make([]event.Event, size)
		for i := range joins {
			nick := "new" + strconv.Itoa(i)
			joins[i] = event.Join{Meta: meta(1), Channel: "#ferry", Nick: nick, UserHost: "u@h"}
			parts[i] = event.Part{Meta: meta(1), Channel: "#ferry", Nick: nick, Reason: "bye"}
			rejoins[i] = event.Join{Meta: meta(1), Channel: "#ferry", Nick: "m" + strconv.Itoa(i*(n/size)), UserHost: "u@h"}
		}
		b.Run(fmt.Sprintf("join+part/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hs.feed(joins...)
				_ = hs.m.View()
				hs.feed(parts...)
				_ = hs.m.View()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*2*size), "ns/event")
		})
		b.Run(fmt.Sprintf("rejoin/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				hs.feed(rejoins...)
				_ = hs.m.View()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/event")
		})
	}
}
