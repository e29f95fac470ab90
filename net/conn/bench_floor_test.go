package conn

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
	"gopkg.in/irc.v4"
)

// BenchmarkMigrationFloor makes BenchmarkMigration's two measurements
// with the least client there can be: one goroutine doing blocking reads
// and writes on transport.Transport, no session, no event batches, no
// loop, no writer goroutine; the same lines on the wire (the capabilities
// ferry requests, its JOINs of 8 channels per line, MIGRATE OK/RESUME).
// Its window is what the reference network and the loopback stack allow a
// client at best; BenchmarkMigration's figures above it are ferry's own
// cost. Its reconnect is a lower bound for a reconnect in the same way, so
// its "reconnect/window" is the ratio a perfect client would see.
func BenchmarkMigrationFloor(b *testing.B) {
	floorMedians.Lock()
	floorMedians.window = map[bool]time.Duration{}
	floorMedians.Unlock()
	for _, useTLS := range []bool{true, false} {
		b.Run("window/"+tlsName(useTLS), func(b *testing.B) { floorWindow(b, useTLS) })
		b.Run("reconnect/"+tlsName(useTLS), func(b *testing.B) { floorReconnect(b, useTLS) })
	}
}

var floorMedians struct {
	sync.Mutex
	window map[bool]time.Duration
}

// floorClient is the minimal client of BenchmarkMigrationFloor.
type floorClient struct {
	b      *testing.B
	tn     *testnet.Network
	useTLS bool
	nick   string
	t      transport.Transport

	mu   sync.Mutex
	open []transport.Transport // the last two dialled, for watch
}

// watch is a hang detector, set up outside the timed part: after 10 s it
// closes the connections last dialled, so a read that would never return
// fails the benchmark instead of stalling it. Stop the timer when done.
func (f *floorClient) watch() *time.Timer {
	return time.AfterFunc(10*time.Second, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, t := range f.open {
			t.Close()
		}
	})
}

func (f *floorClient) dial(hostport string, useTLS bool) transport.Transport {
	f.b.Helper()
	host, ps, err := net.SplitHostPort(hostport)
	if err != nil {
		f.b.Fatal(err)
	}
	port, _ := strconv.Atoi(ps)
	t, err := transport.Dial(context.Background(), transport.DialConfig{
		Host: host, Port: port, TLS: useTLS, RootCAs: f.tn.CAPool(), Timeout: 5 * time.Second,
	})
	if err != nil {
		f.b.Fatal(err)
	}
	f.mu.Lock()
	f.open = append(f.open[max(0, len(f.open)-1):], t)
	f.mu.Unlock()
	return t
}

func (f *floorClient) write(t transport.Transport, line string) {
	f.b.Helper()
	if err := t.WriteMessage(irc.MustParseMessage(line)); err != nil {
		f.b.Fatal(err)
	}
}

// expect reads from t until a line satisfies want and returns it.
func (f *floorClient) expect(t transport.Transport, what string, want func(*irc.Message) bool) *irc.Message {
	f.b.Helper()
	for {
		m, err := t.ReadMessage()
		if err != nil {
			f.b.Fatalf("floor client: waiting for %s: %v", what, err)
		}
		switch {
		case want(m):
			return m
		case m.Command == "PING":
			f.write(t, "PONG :"+m.Trailing())
		case m.Command == "433":
			// The previous connection's QUIT not processed yet: the
			// alternative nick, as the session would.
			f.nick = "floor_"
			f.write(t, "NICK "+f.nick)
		}
	}
}

func isMigrate(sub string) func(*irc.Message) bool {
	return func(m *irc.Message) bool { return m.Command == "MIGRATE" && m.Param(0) == sub }
}

// connect opens a connection to s1 and registers and joins benchChannels
// channels, with the round trips ferry's session makes.
func (f *floorClient) connect() {
	addr := f.tn.Node("s1").Addr()
	if f.useTLS {
		addr = f.tn.Node("s1").TLSAddr()
	}
	t := f.dial(addr, f.useTLS)
	f.nick = "floor"
	f.write(t, "CAP LS 302")
	f.write(t, "NICK "+f.nick)
	f.write(t, "USER bench 0 * bench")
	ls := f.expect(t, "CAP LS", func(m *irc.Message) bool { return m.Command == "CAP" && m.Param(1) == "LS" })
	f.write(t, "CAP REQ :"+ls.Trailing())
	f.expect(t, "CAP ACK", func(m *irc.Message) bool { return m.Command == "CAP" && m.Param(1) == "ACK" })
	f.write(t, "CAP END")
	f.expect(t, "001", func(m *irc.Message) bool { return m.Command == "001" })
	for i := 0; i < benchChannels; i += 8 {
		var names []string
		for j := i; j < i+8 && j < benchChannels; j++ {
			names = append(names, benchChannel(j))
		}
		f.write(t, "JOIN "+strings.Join(names, ","))
	}
	joined := 0
	f.expect(t, "JOIN", func(m *irc.Message) bool {
		if m.Command == "JOIN" && m.Prefix != nil && m.Prefix.Name == f.nick {
			joined++
		}
		return joined == benchChannels
	})
	f.t = t
}

func newFloorClient(b *testing.B, useTLS bool) *floorClient {
	tn, err := testnet.Start(testnet.Options{SelfSigned: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(tn.Close)
	f := &floorClient{b: b, tn: tn, useTLS: useTLS, nick: "floor"}
	f.connect()
	b.Cleanup(func() { f.t.Close() })
	return f
}

func floorWindow(b *testing.B, useTLS bool) {
	f := newFloorClient(b, useTLS)
	var win []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		to := "s2"
		if i%2 == 1 {
			to = "s1"
		}
		if err := f.tn.Migrate(f.nick, to); err != nil {
			b.Fatal(err)
		}
		start := f.expect(f.t, "MIGRATE START", isMigrate("START"))
		port := start.Param(2)
		nt := f.dial(net.JoinHostPort(start.Param(1), strings.TrimPrefix(port, "+")), strings.HasPrefix(port, "+"))
		watchdog := f.watch()
		ok := time.Now()
		f.write(f.t, "MIGRATE OK "+start.Param(3))
		f.expect(f.t, "MIGRATE PROCEED", isMigrate("PROCEED"))
		f.write(nt, "MIGRATE RESUME "+start.Param(3))
		f.expect(nt, "MIGRATE CONFIRM", isMigrate("CONFIRM"))
		win = append(win, time.Since(ok))
		watchdog.Stop()
		f.t.Close()
		f.t = nt
	}
	b.StopTimer()
	w := median(win)
	b.ReportMetric(ms(w), "ms-ok-to-confirm")
	floorMedians.Lock()
	floorMedians.window[useTLS] = w
	floorMedians.Unlock()
}

func floorReconnect(b *testing.B, useTLS bool) {
	f := newFloorClient(b, useTLS)
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		watchdog := f.watch()
		start := time.Now()
		f.write(f.t, "QUIT :Reconnecting")
		f.t.Close()
		f.connect()
		took = append(took, time.Since(start))
		watchdog.Stop()
	}
	b.StopTimer()
	r := median(took)
	b.ReportMetric(ms(r), "ms-reconnect")
	floorMedians.Lock()
	w := floorMedians.window[useTLS]
	floorMedians.Unlock()
	if w > 0 {
		b.ReportMetric(float64(r)/float64(w), "reconnect/window")
	}
}
