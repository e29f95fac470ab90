package testnet

import (
	"crypto/tls"
	"time"
)

// Logger receives one line per event worth knowing (connections, migrations
// with their step timings, faults). A nil Logger discards everything. Tokens,
// passwords and SASL payloads are never passed to it.
type Logger interface {
	Printf(format string, v ...any)
}

// Options configures a Network. The zero value is usable: two nodes, s1 and
// s2, with plain listeners on free ports of 127.0.0.1.
type Options struct {
	// Nodes lists the servers of the network; nil means s1 and s2 on
	// 127.0.0.1:0 (plain only, or plain and TLS when TLS is configured).
	Nodes []NodeConfig

	// TLS: at most one of TLSConfig, a certificate/key pair from files, or
	// SelfSigned. With any of them every node also gets a TLS listener.
	TLSConfig   *tls.Config
	TLSCertFile string
	TLSKeyFile  string
	// SelfSigned generates a throwaway ECDSA CA and a leaf for 127.0.0.1,
	// ::1 and localhost; Network.CAPool/CAPEM expose the CA so a client can
	// trust this network and nothing else.
	SelfSigned bool
	// CAOut, when set with SelfSigned, is where the CA certificate is written
	// (PEM) so a separate client process can be pointed at it.
	CAOut string

	// Password, when set, is the server password every connection must send
	// with PASS before registering (464 otherwise).
	Password string
	// Accounts maps account names to passwords for SASL PLAIN and
	// SCRAM-SHA-256 (kept only as salted keys once started). When empty
	// the sasl capability is not offered.
	Accounts map[string]string

	// BouncerNetworks, when set, makes ferryd a fake bouncer offering
	// soju.im/bouncer-networks with these upstream networks (by name), each
	// a view of ferryd itself; per account, ADDNETWORK and DELNETWORK edit
	// the list.
	BouncerNetworks []string

	// STS, when set, advertises the sts capability (requires TLS).
	STS *STSPolicy

	// HoldTimeout is how long NEW holds a handed-over session waiting for
	// RESUME (net/migrate/SPEC.md section 5); 0 means 60 s. The same bound applies to
	// a START that the client never answers.
	HoldTimeout time.Duration
	// BufferLimit bounds the lines NEW buffers for a held session; 0 means
	// 4096. Past it the session ends with QUIT :Migration timed out.
	BufferLimit int

	// BounceEvery, when positive, moves every migrate-capable client to
	// the next node once per period (for demos).
	BounceEvery time.Duration

	// Faults injects protocol failures for tests; see Faults. Also settable
	// at run time with Network.SetFaults.
	Faults Faults

	// Cluster, when set, runs this process's single node as part of a
	// network whose state and traffic live in NATS (see ClusterOptions).
	Cluster *ClusterOptions

	// Chatter, when set, adds a built-in user that talks in a channel.
	Chatter *Chatter

	// Log receives event lines; nil discards. Debug additionally logs every
	// line read and written, with secrets masked.
	Log   Logger
	Debug bool

	// Now is the clock for server-time tags and timings; nil = time.Now.
	Now func() time.Time

	// Limits; 0 means the default in parentheses.
	MaxClients   int           // connections at once (1024)
	SendQ        int           // lines queued for one connection before it is dropped (32768)
	PingInterval time.Duration // idle time before the server PINGs, and again before it drops (90 s)
}

// NodeConfig describes one server of the network.
type NodeConfig struct {
	Name string // network-internal name, as in LINKS/WHOIS and MIGRATE START
	// Addr is the plain listen address; "" means 127.0.0.1:0.
	Addr string
	// TLSAddr is the TLS listen address, used only when TLS is configured;
	// "" means the host of Addr with a free port.
	TLSAddr string
	// Host is what MIGRATE START names for this node; "" means the host of
	// its listen address (127.0.0.1 for a wildcard address).
	Host string
	// WithoutCaps removes capabilities from this node's offer, to test the
	// CAP DEL sent after a migration to it.
	WithoutCaps []string
	// ISupport adds or overrides 005 tokens ("LINELEN=1024"); "-NAME"
	// removes a default token. Differences between nodes are sent as a 005
	// after a migration.
	ISupport []string
	// RefuseMigrations makes REQUESTs naming this node fail with
	// FAIL MIGRATE NOT_ALLOWED (a policy, e.g. a node being retired).
	RefuseMigrations bool
}

// STSPolicy is the strict-transport-security policy the network advertises.
type STSPolicy struct {
	// Port is the TLS port advertised on plaintext connections; 0 means
	// the node's own TLS port.
	Port int
	// Duration is the persistence time advertised on TLS connections
	// (rounded down to seconds).
	Duration time.Duration
}

// Faults are deliberate protocol failures, for testing a client's handling of
// net/migrate/SPEC.md section 3's failure rows. Each applies at the step it changes
// (START, OK or RESUME) if it is set when that step happens.
type Faults struct {
	WrongConfirm         bool          // NEW answers RESUME with a CONFIRM token that differs from START's
	UnreachableTarget    bool          // START names a port nothing listens on
	PlainTargetOnTLS     bool          // START to a TLS session names the plain port without '+'
	AbortAfterOK         bool          // OLD answers OK with FAIL MIGRATE ABORTED; the session stays on OLD
	NoProceed            bool          // OLD never sends PROCEED (and so never hands over); the session stays on OLD
	DropOnResume         bool          // NEW closes the connection on RESUME; the held session ends
	InvalidTokenOnResume bool          // NEW answers RESUME with FAIL MIGRATE INVALID_TOKEN; the held session ends
	ProceedDelay         time.Duration // OLD waits this long after the flip before PROCEED

	// SCRAM server-final faults, for a client's defence against a server
	// that cannot prove it knows the password: a wrong v=, or none (903
	// straight after the client's proof).
	SCRAMForgedSignature bool
	SCRAMSkipSignature   bool
}

// Chatter is a built-in user living in the network state (no socket): it
// joins Channel, says a varied line every Every, and answers when addressed
// by name or in a private message.
type Chatter struct {
	Nick    string        // "ferrybot" when empty
	Channel string        // "#ferry" when empty
	Every   time.Duration // 8 s when 0
	Lines   []string      // built-in lines when empty
}

const (
	defaultHoldTimeout  = 60 * time.Second
	defaultBufferLimit  = 4096
	defaultMaxClients   = 1024
	defaultSendQ        = 32768
	defaultPingInterval = 90 * time.Second
	maxLineLen          = 8191 + 512 // tags (IRCv3 message-tags limit) plus the RFC line
	maxChannelsPerUser  = 100
	maxNickLen          = 30
	maxChannelLen       = 50
	maxTopicLen         = 390
	networkName         = "ferrynet"
)
