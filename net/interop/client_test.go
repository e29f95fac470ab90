//go:build interop

package interop

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/sts"
	"github.com/ferry-irc/ferry/net/transport"
)

// waitFor bounds every wait on a server: registration, a join, a relayed
// line. Loopback servers answer in milliseconds; the margin is for -race on
// two slow cores.
const waitFor = 15 * time.Second

// testLogger routes the Pool's debug log to the test log.
// Each line carries the time since the client started, so slow steps show.
type testLogger struct {
	t     *testing.T
	name  string
	start time.Time
}

func (l testLogger) Printf(format string, v ...any) {
	l.t.Logf("%6.3fs %s: %s", time.Since(l.start).Seconds(), l.name, fmt.Sprintf(format, v...))
}

// client is one ferry session: a real conn.Pool with one network pointed at
// the server under test, and everything it emitted, for assertions.
type client struct {
	t    *testing.T
	name string // the network name, also used in log lines
	pool *conn.Pool

	mu      sync.Mutex
	evs     []event.Event
	changed chan struct{}
	done    chan struct{}
}

// lastID hands out SendText IDs, unique across every client of the process.
var lastID atomic.Uint64

// newClient starts a Pool for nick on srv, configured as a user would, with
// a tiny backoff so a restart is survived in well under a second, and stops
// it when the test ends. tweak, when non-nil, adjusts the config first.
func newClient(t *testing.T, srv *ircd, name, nick string, tweak func(*confT)) *client {
	t.Helper()
	return newClientSTS(t, srv, name, nick, tweak, nil)
}

// newClientSTS is newClient with the given STS policy store (nil: the
// Pool's own in-memory store), standing for the persisted file that one
// run of ferry leaves to the next.
func newClientSTS(t *testing.T, srv *ircd, name, nick string, tweak func(*confT), store *sts.Store) *client {
	t.Helper()
	cfg := conn.NetworkConfig{
		Name: name,
		Dial: transport.DialConfig{Host: "127.0.0.1", Port: srv.port, Timeout: 5 * time.Second},
		Session: session.Config{
			Nick:     nick,
			User:     "ferry",
			Realname: "ferry interop " + name,
			Version:  "ferry interop test",
		},
		Backoff:     conn.Backoff{Min: 50 * time.Millisecond, Max: 500 * time.Millisecond},
		DialTimeout: 5 * time.Second,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	c := &client{t: t, name: name, changed: make(chan struct{}, 1), done: make(chan struct{})}
	c.pool = conn.NewPool(conn.PoolOptions{Networks: []conn.NetworkConfig{cfg}, STS: store, Log: testLogger{t, name, time.Now()}})
	go c.collect()
	c.pool.Start()
	closeAtEnd(t, c)
	return c
}

// open lists the clients of each running test, so that they are closed
// together when it ends: each Close sends QUIT and waits up to two seconds
// for the server to hang up (ngircd's penalties and InspIRCd's fake lag
// make that slow), and one at a time that adds up.
var open struct {
	sync.Mutex
	clients map[*testing.T][]*client
}

func closeAtEnd(t *testing.T, c *client) {
	open.Lock()
	defer open.Unlock()
	if open.clients == nil {
		open.clients = make(map[*testing.T][]*client)
	}
	if len(open.clients[t]) == 0 {
		t.Cleanup(func() {
			open.Lock()
			cs := open.clients[t]
			delete(open.clients, t)
			open.Unlock()
			var wg sync.WaitGroup
			for _, c := range cs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c.pool.Close()
				}()
			}
			wg.Wait()
			for _, c := range cs {
				select {
				case <-c.done:
				case <-time.After(waitFor):
					t.Errorf("%s: Events not closed %v after Close", c.name, waitFor)
				}
			}
		})
	}
	open.clients[t] = append(open.clients[t], c)
}

func (c *client) collect() {
	defer close(c.done)
	for b := range c.pool.Events() {
		c.mu.Lock()
		c.evs = append(c.evs, b.Events...)
		c.mu.Unlock()
		select {
		case c.changed <- struct{}{}:
		default:
		}
	}
}

func (c *client) snapshot() []event.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]event.Event(nil), c.evs...)
}

// do queues a command on the client's one network.
func (c *client) do(cmd command.Command) { c.pool.Do(c.name, cmd) }

// say sends text to target and returns the LocalID it was given.
func (c *client) say(target, text string) uint64 {
	id := lastID.Add(1)
	c.do(command.SendText{ID: id, Target: target, Text: text})
	return id
}

// waitUntil blocks until cond holds over the events so far, failing the test
// (with the events seen) after waitFor.
func (c *client) waitUntil(what string, cond func(evs []event.Event) bool) {
	c.t.Helper()
	deadline := time.Now().Add(waitFor)
	for {
		if cond(c.snapshot()) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: timed out after %v waiting for %s; events:%s", c.name, waitFor, what, describe(c.snapshot()))
		}
		select {
		case <-c.changed:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// wait blocks until an event matches and returns the first that does.
func (c *client) wait(what string, match func(event.Event) bool) event.Event {
	c.t.Helper()
	var found event.Event
	c.waitUntil(what, func(evs []event.Event) bool {
		for _, e := range evs {
			if match(e) {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

// waitCount blocks until at least n events match.
func (c *client) waitCount(what string, n int, match func(event.Event) bool) {
	c.t.Helper()
	c.waitUntil(what, func(evs []event.Event) bool { return countOf(evs, match) >= n })
}

func (c *client) count(match func(event.Event) bool) int { return countOf(c.snapshot(), match) }

func countOf(evs []event.Event, match func(event.Event) bool) int {
	n := 0
	for _, e := range evs {
		if match(e) {
			n++
		}
	}
	return n
}

// registered waits for the n-th registration and returns its nick.
func (c *client) registered(n int) string {
	c.t.Helper()
	c.waitCount(fmt.Sprintf("registration #%d", n), n, isRegistered)
	var regs []event.Registered
	for _, e := range c.snapshot() {
		if r, ok := e.(event.Registered); ok {
			regs = append(regs, r)
		}
	}
	return regs[n-1].Nick
}

// joined waits until we have joined channel n times (our own JOIN echoed
// by the server), and then until its member list arrived after that join.
func (c *client) joined(channel string, n int) {
	c.t.Helper()
	c.waitUntil(fmt.Sprintf("join #%d of %s with its NAMES", n, channel), func(evs []event.Event) bool {
		joins := 0
		for _, e := range evs {
			switch e := e.(type) {
			case event.Join:
				if e.Self && strings.EqualFold(e.Channel, channel) {
					joins++
				}
			case event.Names:
				if joins == n && strings.EqualFold(e.Channel, channel) {
					return true
				}
			}
		}
		return false
	})
}

// noErrors fails the test for every Error event seen: on these servers,
// without SASL, nothing should be refused. While a server restarts, a dial
// is refused now and then; refusedOK lets those through.
func (c *client) noErrors(refusedOK bool) {
	c.t.Helper()
	for _, e := range c.snapshot() {
		e, ok := e.(event.Error)
		if !ok {
			continue
		}
		if refusedOK && !e.Fatal && strings.Contains(e.Text, "connection refused") {
			continue
		}
		c.t.Errorf("%s: unexpected Error event: %+v", c.name, e)
	}
}

func isRegistered(e event.Event) bool { _, ok := e.(event.Registered); return ok }

func isState(st event.State) func(event.Event) bool {
	return func(e event.Event) bool { s, ok := e.(event.ConnState); return ok && s.State == st }
}

// fromOther matches a message in buffer from nick (not our own) with text.
func fromOther(buffer, nick, text string) func(event.Event) bool {
	return func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && !m.Self && m.Kind == event.Privmsg && m.Buffer == buffer && m.From == nick && m.Text == text
	}
}

// received returns the texts of every message from others in buffer.
func (c *client) received(buffer string) []event.Message {
	var out []event.Message
	for _, e := range c.snapshot() {
		if m, ok := e.(event.Message); ok && !m.Self && m.Buffer == buffer {
			out = append(out, m)
		}
	}
	return out
}

func describe(evs []event.Event) string {
	var b strings.Builder
	const keep = 80
	if len(evs) > keep {
		fmt.Fprintf(&b, "\n  ... (%d earlier)", len(evs)-keep)
		evs = evs[len(evs)-keep:]
	}
	for _, e := range evs {
		fmt.Fprintf(&b, "\n  %T%+v", e, e)
	}
	return b.String()
}

// confT is the network configuration a test may tweak.
type confT = conn.NetworkConfig

// sessionChannel is an autojoin entry.
type sessionChannel = session.Channel
