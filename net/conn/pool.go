// Package conn is ferry's connection owner: the one place on the client
// side with goroutines. A Pool runs one goroutine per configured network
// that owns the network's session (net/session is not goroutine-safe), its
// migration machine (net/migrate) and its links; per link a reader
// goroutine feeds lines to that loop and a transport.Writer sends through
// the flood limiter. Nothing else touches that state: other goroutines
// reach the loop only through its mailbox (commands) and inbox (lines, link
// errors, dial results, timer fires).
//
// The loop dials (STS from the Pool's store: a plaintext sts advert closes
// the connection and redials TLS at once; a TLS failure to a host with a
// policy is never retried in plaintext), registers through the session,
// reconnects with exponential backoff and jitter (1 s to 5 min), pings for
// lag every minute and replaces a connection silent for two minutes. It
// follows 010 redirects under the rules of a migration target.
//
// Every line the user types (and every automatic reply) lives in the
// network's one ordered queue (net/sendq) until it is written or fails,
// in one state at a time: waiting offline, held by a migration, handed to
// a link's writer (flood control), written, delivered, failed. Lines typed
// while there is no usable connection (disconnected, reconnecting,
// rejoining, or inside a migration window) are echoed Pending at once and
// sent exactly once, in order, when the connection is ready. Events are
// keyed by the message's LocalID: Delivered when every line of it has been
// written to the server that processes it, Requeued when a line handed to
// a writer waits again, Failed when it never will go (quit, a channel
// whose rejoin was refused, a write cut by a lost connection).
//
// Migration (net/migrate/SPEC.md): MIGRATE and FAIL MIGRATE lines go to the
// network's net/migrate machine, and the loop carries out its actions:
// dial the target (certificates verified against its host, STS applied, no
// client certificate), send OK/NAK/RESUME at once (never behind the flood
// limiter), promote the target link under the same session without
// re-registration or ConnState event, or fall back to an ordinary reconnect
// to the configured server. Lines still waiting for the flood limiter when
// the client accepts a move were never seen by OLD: the machine holds
// them (Requeued), ahead of lines typed later. No credential is ever
// written to a migration target.
//
// Everything a network produces reaches the user as event batches on one
// channel (Events); commands go in through Do, which never blocks for long.
package conn

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sts"
)

// Pool owns the connections of every configured network.
type Pool struct {
	box   *outbox
	sts   *sts.Store
	log   Logger
	clock Clock
	rand  func() float64 // backoff jitter; nil = math/rand

	// mu guards the network list (AddNetwork and RemoveNetwork change it
	// while the Pool runs; once closed it no longer changes, so Undelivered
	// reads it as it is) and the lifecycle flags.
	mu       sync.Mutex
	names    []string
	networks map[string]*network
	removed  []*network // removed while running: Close waits for them too
	started  bool
	closed   bool
}

// NewPool prepares the networks; nothing is dialled before Start. Networks
// with an empty or duplicate Name are skipped with a log line.
func NewPool(opts PoolOptions) *Pool {
	p := &Pool{
		box:      newOutbox(),
		sts:      opts.STS,
		log:      opts.Log,
		clock:    opts.Clock,
		networks: map[string]*network{},
	}
	if p.clock == nil {
		p.clock = wallClock{now: opts.Now}
	}
	if p.sts == nil {
		// Memory only: upgrades advertised during this run still apply.
		s, err := sts.Open("", nil, p.clock.Now)
		if err == nil {
			p.sts = s
		}
	}
	for _, cfg := range opts.Networks {
		if cfg.Name == "" || p.networks[cfg.Name] != nil {
			if p.log != nil {
				p.log.Printf("conn: network %q skipped: empty or duplicate name", cfg.Name)
			}
			continue
		}
		p.names = append(p.names, cfg.Name)
		p.networks[cfg.Name] = newNetwork(p, cfg)
	}
	return p
}

// Start connects every network. Calling it twice does nothing.
func (p *Pool) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.closed {
		return
	}
	p.started = true
	for _, name := range p.names {
		go p.networks[name].loop(true)
	}
}

// Events is the one channel carrying every network's events, in batches:
// each receive gets everything produced since the previous one, in order
// per network. It is closed by Close.
func (p *Pool) Events() <-chan event.Batch { return p.box.out }

// Do queues c for network. It returns at once; the network's loop runs
// commands in the order given. An unknown network yields an Error event.
func (p *Pool) Do(network string, c command.Command) {
	p.mu.Lock()
	n := p.networks[network]
	p.mu.Unlock()
	if n == nil {
		p.box.add(event.Error{Meta: event.Meta{Network: network, Time: p.clock.Now()},
			Text: "no such network: " + network})
		return
	}
	n.mail.put(c)
}

// Networks lists the network names in configuration order, then those
// added at run time in the order added.
func (p *Pool) Networks() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.names...)
}

// AddNetwork adds a network while the Pool runs (or before Start), with
// the same loop as a configured one; it connects at once when the Pool
// has started. Safe from any goroutine.
func (p *Pool) AddNetwork(cfg NetworkConfig) error { return p.addNetwork(cfg, nil) }

// addNetwork is AddNetwork that first puts announce (when not nil) on
// Events, so it comes before anything the new network says.
func (p *Pool) addNetwork(cfg NetworkConfig, announce event.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.closed:
		return fmt.Errorf("add network %q: the pool is closed", cfg.Name)
	case cfg.Name == "" || p.networks[cfg.Name] != nil:
		return fmt.Errorf("add network %q: empty or duplicate name", cfg.Name)
	}
	n := newNetwork(p, cfg)
	p.names = append(p.names, cfg.Name)
	p.networks[cfg.Name] = n
	if announce != nil {
		p.box.add(announce)
	}
	if p.started {
		go n.loop(true)
	}
	return nil
}

// RemoveNetwork stops network name (QUIT, its lines failed as when the
// Pool closes) and forgets it: Do reports it unknown, and no event comes
// from it after the call returns, except from a step already under way.
// Safe from any goroutine.
func (p *Pool) RemoveNetwork(name string) error {
	p.mu.Lock()
	n := p.networks[name]
	if n == nil || p.closed {
		p.mu.Unlock()
		return fmt.Errorf("remove network %q: no such network", name)
	}
	delete(p.networks, name)
	p.names = slices.DeleteFunc(p.names, func(s string) bool { return s == name })
	started := p.started
	if started {
		p.removed = append(p.removed, n)
	}
	p.mu.Unlock()
	// Not under p.mu, so no lock is ever taken inside another. gone is set
	// before the loop is stopped, so its goodbye is not shown.
	n.flushMu.Lock()
	n.gone = true
	n.flushMu.Unlock()
	if started {
		close(n.stop)
	}
	return nil
}

// Close sends QUIT on every connection, waits a bounded time for the
// servers to close them, stops every goroutine and closes the Events
// channel. Lines still queued are reported Failed (if anyone still reads).
// It never blocks on an Events reader.
func (p *Pool) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	started := p.started
	nets := make([]*network, 0, len(p.names))
	for _, name := range p.names {
		nets = append(nets, p.networks[name])
	}
	removed := p.removed
	p.mu.Unlock()
	if started {
		for _, n := range nets {
			close(n.stop)
		}
		deadline := time.After(closeGrace + time.Second)
		for _, n := range append(nets, removed...) {
			select {
			case <-n.done:
			case <-deadline:
			}
		}
	}
	p.box.close()
}

// maxUnsent bounds the lines a network keeps for Undelivered.
const maxUnsent = 10000

// Unsent is a line that never went out: it was waiting for a usable
// connection when the user quit, registration failed for good or the Pool
// closed (and was reported Failed then). It is the one record of such
// lines: what main keeps for the next start is built from it.
type Unsent struct {
	Network string
	// LocalID is the typed message's ID (every line of a split text has
	// it, in the order sent); 0 for a line that was not typed text (a
	// JOIN, a /raw line).
	LocalID uint64
	// Target is the line's first parameter: the channel or nick of a
	// PRIVMSG or NOTICE.
	Target string
	// Buffer is where the line was shown: Target without a STATUSMSG
	// prefix (as event.Message.Buffer).
	Buffer string
	// Nick is our nick on the network when the line failed.
	Nick string
	// Time is when the user typed the line (zero for lines not typed).
	Time time.Time
	// Why says what stopped the line.
	Why UnsentWhy
	// Msg is the line as it would have been sent. It may hold a secret (a
	// line to services): never log it as it is.
	Msg *irc.Message
}

// UnsentWhy is what stopped a line that never went out.
type UnsentWhy int

const (
	// UnsentClosed: the Pool closed with the line waiting.
	UnsentClosed UnsentWhy = iota
	// UnsentQuit: the user quit the network with the line waiting.
	UnsentQuit
	// UnsentFatal: registration failed for good while ferry ran; the line
	// was reported Failed then, and the user may have sent it again.
	UnsentFatal
)

// Undelivered returns, once Close has returned, the lines that never went
// out, per network in configuration order and in the order they were
// queued. A network whose goroutine did not stop within Close's bound
// reports nothing.
func (p *Pool) Undelivered() []Unsent {
	var out []Unsent
	for _, name := range p.names {
		n := p.networks[name]
		select {
		case <-n.done:
		default:
			continue
		}
		out = append(out, n.unsent...)
	}
	return out
}
