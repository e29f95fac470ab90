package conn

import (
	"time"

	"github.com/ferry-irc/ferry/net/migrate"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/sts"
	"github.com/ferry-irc/ferry/net/transport"
)

// Logger is the debug log; a *log.Logger satisfies it. nil discards.
type Logger interface {
	Printf(format string, v ...any)
}

// Flood is the outbound token bucket of one network: Burst lines may go out
// at once, then one line per Interval. Zero values take the defaults.
type Flood struct {
	Burst    int
	Interval time.Duration
}

// Defaults chosen like common clients (irssi, WeeChat): a short burst for a
// paste of a few lines, then two lines a second, well under the excess-flood
// limits of ircd-hybrid/InspIRCd/ngircd.
const (
	defaultFloodBurst    = 8
	defaultFloodInterval = 500 * time.Millisecond
	defaultPingInterval  = 60 * time.Second
	defaultDeadAfter     = 120 * time.Second
	defaultDialTimeout   = 10 * time.Second
	// closeGrace bounds how long QUIT may take to reach the server when the
	// user quits or the Pool closes, before the socket is cut.
	closeGrace = 2 * time.Second
	// rejoinTimeout bounds how long queued lines wait for the rejoin to be
	// answered after registration.
	rejoinTimeout = 30 * time.Second
)

// NetworkConfig is one configured network.
type NetworkConfig struct {
	// Name identifies the network in Do and in every event's Meta.Network.
	Name string
	// Dial is the configured server. Its STS field is ignored: the Pool's
	// store is always consulted. Timeout defaults to DialTimeout.
	Dial transport.DialConfig
	// Session configures registration; its Sender, Now and OnSTS are set
	// by the Pool, Log defaults to the Pool's, and "draft/migrate" and
	// "migrate" are added to ExtraCaps.
	Session session.Config
	// Policy decides which migration targets are acceptable ("" = any).
	Policy migrate.Policy
	Flood  Flood
	// PingInterval is how often our lag PING goes out (default 60 s).
	PingInterval time.Duration
	// DeadAfter is how long the server may stay silent before the
	// connection is considered dead and is replaced (default 120 s).
	DeadAfter time.Duration
	// Backoff is the reconnect delay policy (default 1 s .. 5 min).
	Backoff Backoff
	// DialTimeout bounds one connection attempt, TLS handshake included
	// (default 10 s).
	DialTimeout time.Duration
	// RegisterTimeout bounds registration: a connection not registered
	// this long after it was established is dropped and retried with
	// the usual backoff (default 60 s).
	RegisterTimeout time.Duration
}

func (c NetworkConfig) withDefaults() NetworkConfig {
	if c.Flood.Burst <= 0 {
		c.Flood.Burst = defaultFloodBurst
	}
	if c.Flood.Interval <= 0 {
		c.Flood.Interval = defaultFloodInterval
	}
	if c.PingInterval <= 0 {
		c.PingInterval = defaultPingInterval
	}
	if c.DeadAfter <= 0 {
		c.DeadAfter = defaultDeadAfter
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = defaultDialTimeout
	}
	if c.RegisterTimeout <= 0 {
		c.RegisterTimeout = defaultRegisterTimeout
	}
	if c.Dial.Timeout <= 0 {
		c.Dial.Timeout = c.DialTimeout
	}
	c.Backoff = c.Backoff.withDefaults()
	return c
}

// PoolOptions configures a Pool.
type PoolOptions struct {
	Networks []NetworkConfig
	// STS is the policy store (learned and pinned policies). nil: an
	// in-memory store, so upgrades advertised in this run still apply.
	STS *sts.Store
	// Log is the debug log: connection events, migration steps, and every
	// line read and written with secrets (PASS, AUTHENTICATE, migrate
	// tokens, lines to services) masked. Traffic lines use the formats
	// "%s -> %s" (written) and "%s <- %s" (read), so a Logger can drop them
	// by format before anything is formatted; their arguments format
	// lazily. nil discards.
	Log Logger
	// Now overrides the wall clock's Now (ignored when Clock is set).
	Now func() time.Time
	// Clock drives every timer of the Pool; nil is the real clock. Tests
	// pass a ManualClock.
	Clock Clock
}
