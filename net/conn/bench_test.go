package conn

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
)

// stepClock records when the network loop passed the traced steps, for the
// benchmarks. Each step's times are kept in order.
type stepClock struct {
	mu    sync.Mutex
	at    map[string][]time.Time
	wake  chan struct{}
	onOK  func()
	count map[string]int
}

func newStepClock() *stepClock {
	return &stepClock{at: map[string][]time.Time{}, wake: make(chan struct{}, 1), count: map[string]int{}}
}

func (s *stepClock) step(name string) {
	now := time.Now()
	s.mu.Lock()
	s.at[name] = append(s.at[name], now)
	s.count[name]++
	f := s.onOK
	s.mu.Unlock()
	if name == "ok" && f != nil {
		f()
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *stepClock) n(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count[name]
}

// last returns when step name was last passed, and how often it was.
func (s *stepClock) last(name string) (time.Time, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.at[name]
	if len(at) == 0 {
		return time.Time{}, 0
	}
	return at[len(at)-1], len(at)
}

// waitN waits until step name was passed n times.
func (s *stepClock) waitN(b testing.TB, name string, n int) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for s.n(name) < n {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for step %s #%d", name, n)
		}
		select {
		case <-s.wake:
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchChannels is how many channels the user is in, for both benchmarks:
// a plain reconnect has to rejoin them all, a migration does not.
//
// The names are 45 bytes long: the session rejoins with comma-separated
// JOINs of at most 400 bytes, so the rejoin is 3 JOIN lines (8, 8 and 4
// channels); with CAP LS, NICK, USER, CAP REQ and CAP END that is 8 lines,
// within the default flood burst, so the unlimited Flood of tnConfig does
// not make the reconnect faster than ferry's defaults would. The reconnect
// counts as done when every channel's JOIN is answered (session.Ready).
const benchChannels = 20

func benchChannel(i int) string { return fmt.Sprintf("#bench%02d-%s", i, strings.Repeat("x", 36)) }

// benchPool starts a network and a Pool on s1 in benchChannels channels,
// with a step recorder installed.
func benchPool(b *testing.B, tn *testnet.Network, useTLS bool) (*Pool, *stepClock) {
	b.Helper()
	cfg := tnConfig(b, tn, "s1", "bench", useTLS)
	for i := range benchChannels {
		cfg.Session.Autojoin = append(cfg.Session.Autojoin, session.Channel{Name: benchChannel(i)})
	}
	var log Logger
	if testing.Verbose() {
		log = benchLog{b}
	}
	p := NewPool(PoolOptions{Networks: []NetworkConfig{cfg}, Log: log})
	sc := newStepClock()
	p.networks["tn"].trace = sc.step
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for range p.Events() {
		}
	}()
	p.Start()
	b.Cleanup(func() { p.Close(); <-drained })
	sc.waitN(b, "ready", 1)
	return p, sc
}

type benchLog struct{ b *testing.B }

func (l benchLog) Printf(format string, v ...any) { l.b.Logf(format, v...) }

var benchMedians struct {
	sync.Mutex
	window map[bool]time.Duration // by TLS
}

func tlsName(useTLS bool) string {
	if useTLS {
		return "tls"
	}
	return "plain"
}

// BenchmarkMigration measures, against the reference network on loopback,
// a migration ("window": the median from our MIGRATE OK to CONFIRM, and
// from PROCEED to the first line flushed from the window's queue; OK is
// timed as the loop starts writing it to the socket, CONFIRM as the loop
// receives it from the reader, before acting on it; beside it the server's
// own view, from reading OK to queueing CONFIRM) and, in
// the same run, a plain reconnect on the same network ("reconnect": the
// median from /reconnect to Ready: new connection, TLS handshake when TLS,
// registration, rejoin of benchChannels channels), each over TLS (ferry's
// default) and plaintext. The reconnect results report the ratio to the
// window of the same transport; net/migrate/SPEC.md's promise is that it is large.
// A reconnect after a lost connection waits the backoff first (at least
// Backoff.Min, 1 s by default), which these figures leave out.
func BenchmarkMigration(b *testing.B) {
	benchMedians.Lock()
	benchMedians.window = map[bool]time.Duration{}
	benchMedians.Unlock()
	for _, useTLS := range []bool{true, false} {
		b.Run("window/"+tlsName(useTLS), func(b *testing.B) { benchWindow(b, useTLS) })
		b.Run("reconnect/"+tlsName(useTLS), func(b *testing.B) { benchReconnect(b, useTLS) })
	}
}

func benchWindow(b *testing.B, useTLS bool) {
	tn, err := testnet.Start(testnet.Options{SelfSigned: true})
	if err != nil {
		b.Fatal(err)
	}
	defer tn.Close()
	p, sc := benchPool(b, tn, useTLS)
	// A line typed the moment OK goes out waits in the window's queue.
	var typed uint64
	sc.mu.Lock()
	sc.onOK = func() {
		typed++
		p.Do("tn", command.SendText{ID: typed, Target: benchChannel(0), Text: "typed in the window"})
	}
	sc.mu.Unlock()
	var win, flush, server []time.Duration
	flushes := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		to := "s2"
		if i%2 == 1 {
			to = "s1"
		}
		if err := tn.Migrate("bench", to); err != nil {
			b.Fatal(err)
		}
		sc.waitN(b, "confirm", i+1)
		ok, _ := sc.last("ok")
		proceed, _ := sc.last("proceed")
		confirm, _ := sc.last("confirm-read")
		win = append(win, confirm.Sub(ok))
		server = append(server, tn.Stats().Window)
		// The flush happens in the same loop step as the promotion,
		// before "confirm" is traced. The line typed at OK may miss the
		// window (the loop handled PROCEED and CONFIRM before the
		// command); then there is nothing to flush this time.
		if flushed, n := sc.last("flushed"); n > flushes {
			flushes = n
			flush = append(flush, flushed.Sub(proceed))
		}
	}
	b.StopTimer()
	w := median(win)
	b.ReportMetric(ms(w), "ms-ok-to-confirm")
	b.ReportMetric(ms(median(server)), "ms-server-window")
	b.ReportMetric(ms(median(flush)), "ms-proceed-to-flush")
	b.ReportMetric(float64(len(flush))/float64(len(win)), "flushed/op")
	benchMedians.Lock()
	benchMedians.window[useTLS] = w
	benchMedians.Unlock()
}

func benchReconnect(b *testing.B, useTLS bool) {
	tn, err := testnet.Start(testnet.Options{SelfSigned: true})
	if err != nil {
		b.Fatal(err)
	}
	defer tn.Close()
	p, sc := benchPool(b, tn, useTLS)
	var took []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		p.Do("tn", command.Reconnect{})
		sc.waitN(b, "ready", i+2)
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	r := median(took)
	b.ReportMetric(ms(r), "ms-reconnect")
	benchMedians.Lock()
	w := benchMedians.window[useTLS]
	benchMedians.Unlock()
	if w > 0 {
		b.ReportMetric(float64(r)/float64(w), "reconnect/window")
	}
}
