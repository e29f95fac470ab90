package ui

import (
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
)

// BenchmarkTypedLineDuringFlood measures how long a line typed while a
// flood is being applied waits before the UI hands it to the connection
// owner (Conn.Do), through a real Bubble Tea program: batches of 20 000
// events (what the owner gathers while the UI is busy) keep arriving in a
// channel of 100 000 members, and each op types a word and presses Enter.
// p50-ms and p99-ms are the latencies from the Enter key to Do; the
// network side's own share (Do to the socket) is measured in net/conn.
func BenchmarkTypedLineDuringFlood(b *testing.B) {
	const members, size = 100000, 20000
	floods := map[string]func(i int) event.Event{
		"join": func(i int) event.Event {
			nick := "f" + strconv.Itoa(i%size)
			if (i/size)%2 == 0 {
				return event.Join{Meta: meta(2), Channel: "#ferry", Nick: nick, UserHost: "u@h"}
			}
			return event.Part{Meta: meta(2), Channel: "#ferry", Nick: nick, Reason: "bye"}
		},
		"privmsg": func(i int) event.Event {
			return event.Message{Meta: meta(2), Buffer: "#ferry", From: "m" + strconv.Itoa(i%members), Target: "#ferry",
				Text: "line " + strconv.Itoa(i) + " of the flood, with some ordinary words in it"}
		},
	}
	for _, kind := range []string{"join", "privmsg"} {
		b.Run(kind, func(b *testing.B) {
			hs := newHarness(b, 160, 48, Options{NoMouse: true})
			hs.connected()
			hs.feed(event.Join{Meta: meta(1), Channel: "#ferry", Nick: "newcomer", Self: true})
			ms := make([]event.Member, members)
			for i := range ms {
				ms[i] = event.Member{Nick: "m" + strconv.Itoa(i)}
			}
			hs.feed(event.Names{Meta: meta(1), Channel: "#ferry", Members: ms})
			// Two batches, alternated: joins then their parts, so the
			// channel keeps its size however long the flood lasts.
			var batches [2]event.Batch
			for k := range batches {
				evs := make([]event.Event, size)
				for i := range evs {
					evs[i] = floods[kind](k*size + i)
				}
				batches[k] = event.Batch{Events: evs}
			}
			hs.conn.ch = make(chan event.Batch, 1)
			did := make(chan time.Time, 1)
			hs.conn.onDo = func() { did <- time.Now() }
			p := tea.NewProgram(hs.m, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutSignalHandler())
			stop := make(chan struct{})
			flooded := make(chan int)
			go func() {
				n := 0
				defer func() { flooded <- n }()
				for {
					select {
					// A copy: the model clears what it applied.
					case hs.conn.ch <- event.Batch{Events: slices.Clone(batches[n%2].Events)}:
						n++
					case <-stop:
						return
					}
				}
			}()
			errc := make(chan error, 1)
			go func() { _, err := p.Run(); errc <- err }()
			time.Sleep(100 * time.Millisecond) // the flood is under way

			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("probe" + strconv.Itoa(i))})
				sent := time.Now()
				p.Send(tea.KeyMsg{Type: tea.KeyEnter})
				select {
				case at := <-did:
					lat = append(lat, at.Sub(sent))
				case <-time.After(time.Minute):
					b.Fatal("the typed line was not sent within a minute")
				}
				hs.conn.take()
				time.Sleep(time.Duration(i%7) * time.Millisecond) // probes land anywhere in a slice
			}
			b.StopTimer()
			close(stop)
			n := <-flooded
			p.Quit()
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
			slices.Sort(lat)
			b.ReportMetric(millis(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(millis(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
			b.ReportMetric(float64(max(n-2, 0)*size)/b.Elapsed().Seconds(), "events/s") // two may still wait
		})
	}
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
