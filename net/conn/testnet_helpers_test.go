package conn

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
)

// captureLog is the Pool's debug log in integration tests: it keeps every
// line (so a test can check what was written to which server) and, when
// verbose, forwards it to t.Logf.
type captureLog struct {
	t       *testing.T
	verbose bool
	mu      sync.Mutex
	lines   []string
}

func newCaptureLog(t *testing.T, verbose bool) *captureLog {
	return &captureLog{t: t, verbose: verbose}
}

func (l *captureLog) Printf(format string, v ...any) {
	s := fmt.Sprintf(format, v...)
	l.mu.Lock()
	l.lines = append(l.lines, s)
	l.mu.Unlock()
	if l.verbose {
		l.t.Log(s)
	}
}

// written returns the lines the Pool wrote to the server at addr, as the
// debug log shows them (secrets masked).
func (l *captureLog) written(addr string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	mark := " " + addr + " -> "
	for _, s := range l.lines {
		if i := strings.Index(s, mark); i >= 0 {
			out = append(out, s[i+len(mark):])
		}
	}
	return out
}

// all returns every logged line.
func (l *captureLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

type tnLogger struct {
	t       *testing.T
	verbose bool
}

func (l tnLogger) Printf(format string, v ...any) {
	if l.verbose {
		l.t.Logf("testnet: "+format, v...)
	}
}

// startTestnet runs a reference network for the test's lifetime.
func startTestnet(t *testing.T, opts testnet.Options) *testnet.Network {
	t.Helper()
	if opts.Log == nil {
		opts.Log = tnLogger{t: t, verbose: testing.Verbose()}
	}
	tn, err := testnet.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tn.Close)
	return tn
}

// tnConfig is a NetworkConfig for node of tn, plain or TLS (trusting the
// network's throwaway CA), with timers short enough for tests.
func tnConfig(t testing.TB, tn *testnet.Network, node, nick string, useTLS bool) NetworkConfig {
	t.Helper()
	nd := tn.Node(node)
	addr := nd.Addr()
	if useTLS {
		addr = nd.TLSAddr()
	}
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(ps)
	return NetworkConfig{
		Name:    "tn",
		Dial:    transport.DialConfig{Host: host, Port: port, TLS: useTLS, RootCAs: tn.CAPool()},
		Session: session.Config{Nick: nick, User: nick},
		Backoff: Backoff{Min: 10 * time.Millisecond, Max: 50 * time.Millisecond},
		Flood:   Flood{Burst: 100000, Interval: time.Microsecond},
	}
}

// startPoolWith starts a Pool with the given log and clock (nil = real).
func startPoolWith(t *testing.T, log Logger, clk Clock, nets ...NetworkConfig) (*Pool, *collector) {
	t.Helper()
	p := NewPool(PoolOptions{Networks: nets, Log: log, Clock: clk})
	c := collect(t, p)
	p.Start()
	t.Cleanup(func() {
		p.Close()
		<-c.done
	})
	return p, c
}

// migrations returns the Migration events with step st.
func (c *collector) migrations(st event.MigrationStep) []event.Migration {
	var out []event.Migration
	for _, e := range c.snapshot() {
		if m, ok := e.(event.Migration); ok && m.Step == st {
			out = append(out, m)
		}
	}
	return out
}

func isMigration(st event.MigrationStep) func(event.Event) bool {
	return func(e event.Event) bool {
		m, ok := e.(event.Migration)
		return ok && m.Step == st
	}
}

func isDelivered(id uint64) func(event.Event) bool {
	return func(e event.Event) bool {
		d, ok := e.(event.Delivered)
		return ok && d.LocalID == id
	}
}

func isSelfJoin(ch string) func(event.Event) bool {
	return func(e event.Event) bool {
		j, ok := e.(event.Join)
		return ok && j.Self && strings.EqualFold(j.Channel, ch)
	}
}

// connStates counts ConnState events.
func (c *collector) connStates() int {
	return c.count(func(e event.Event) bool { _, ok := e.(event.ConnState); return ok })
}

// noCredentialsTo fails the test if the Pool wrote PASS, AUTHENTICATE or a
// registration line to any of addrs (a migration target).
func noCredentialsTo(t *testing.T, log *captureLog, addrs ...string) {
	t.Helper()
	for _, a := range addrs {
		if a == "" {
			continue
		}
		for _, l := range log.written(a) {
			for _, bad := range []string{"PASS", "AUTHENTICATE", "NICK", "USER", "CAP"} {
				if strings.HasPrefix(l, bad) {
					t.Errorf("%q written to migration target %s", l, a)
				}
			}
		}
	}
}
