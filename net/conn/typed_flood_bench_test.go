package conn

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// BenchmarkTypedLineDuringJoinFlood measures the connection owner's share
// of a typed line's wait behind a flood: from Do(SendText) to the PRIVMSG
// arriving at a loopback server that meanwhile floods the joined channel
// with JOINs and PARTs as fast as the socket takes them, with the events
// drained as they come. p50-ms and p99-ms are the latencies; the UI's
// share (Enter to Do) is measured by ui's BenchmarkTypedLineDuringFlood.
func BenchmarkTypedLineDuringJoinFlood(b *testing.B) {
	srv := newRelay(b)
	got := make(chan time.Time, 1)
	srv.set(func(r *relay) {
		r.onLine = func(_ *relayClient, m *irc.Message) bool {
			if m.Command == "PRIVMSG" && strings.HasPrefix(m.Trailing(), "probe ") {
				got <- time.Now()
				return true
			}
			return false
		}
	})
	p := NewPool(PoolOptions{Networks: []NetworkConfig{plainNet("net", "flo", srv.port())}})
	p.Start()
	defer p.Close()
	joined := make(chan struct{})
	go func() { // drains the events until Close ends the channel
		seen := false
		for batch := range p.Events() {
			for _, e := range batch.Events {
				if j, ok := e.(event.Join); ok && j.Self && !seen {
					seen = true
					close(joined)
				}
			}
		}
	}()
	srv.waitFor(5*time.Second, "registration", func() bool { return srv.client("flo") != nil })
	p.Do("net", command.Join{Channel: "#flood"})
	select {
	case <-joined:
	case <-time.After(5 * time.Second):
		b.Fatal("not joined")
	}

	// 10 000 nicks join, then part: the channel stays within bounds
	// however long the flood runs.
	var flood strings.Builder
	for i := 0; i < 10000; i++ {
		flood.WriteString(":j" + strconv.Itoa(i) + "!u@h JOIN #flood\r\n")
	}
	for i := 0; i < 10000; i++ {
		flood.WriteString(":j" + strconv.Itoa(i) + "!u@h PART #flood :bye\r\n")
	}
	chunk := []byte(flood.String())
	cl := srv.client("flo")
	stop := make(chan struct{})
	flooding := make(chan struct{})
	go func() {
		defer close(flooding)
		for {
			select {
			case <-stop:
				return
			default:
			}
			cl.wmu.Lock()
			cl.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			_, err := cl.c.Write(chunk)
			cl.wmu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond) // the flood is under way

	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sent := time.Now()
		p.Do("net", command.SendText{ID: uint64(i + 1), Target: "#flood", Text: "probe " + strconv.Itoa(i)})
		select {
		case at := <-got:
			lat = append(lat, at.Sub(sent))
		case <-time.After(time.Minute):
			b.Fatal("the typed line did not reach the server within a minute")
		}
		time.Sleep(time.Duration(i%5) * time.Millisecond)
	}
	b.StopTimer()
	close(stop)
	<-flooding
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2])/float64(time.Millisecond), "p50-ms")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)])/float64(time.Millisecond), "p99-ms")
}
