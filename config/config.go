// Package config reads ferry's TOML configuration file, applies defaults,
// and validates it so that every problem is reported at once, each with the
// file, line and key a person has to edit.
//
// The key names are part of ferry's public contract (tests and users outside
// the project write files with them); see Example for a commented file that
// uses every key. The package imports nothing else of ferry's, so the program
// can load and check a config before any network code runs.
package config

import "time"

// Defaults applied by Load when a key is absent.
const (
	DefaultTheme      = "dark"
	DefaultTimestamp  = "15:04"
	DefaultShowJoins  = ShowJoinsFolded
	DefaultScrollback = 10000
	DefaultPortTLS    = 6697
	DefaultPortPlain  = 6667
	DefaultMigrate    = MigrateAny
	DefaultNotify     = NotifyAuto
	// DefaultFloodBurst and DefaultFloodInterval match net/conn's own
	// defaults: a burst for a short paste, then two lines a second, under
	// the excess-flood limits of common servers.
	DefaultFloodBurst    = 8
	DefaultFloodInterval = 500 * time.Millisecond
)

// Values of [ui] show_joins.
const (
	ShowJoinsAll    = "all"    // every join/part/quit/nick line shown
	ShowJoinsFolded = "folded" // a burst of them folded into one line
	ShowJoinsNone   = "none"   // hidden
)

// Values of [ui] notify: which escape sequence asks the terminal for a
// desktop notification on a highlight or a private message.
const (
	NotifyAuto   = "auto"   // by the terminal ferry runs in; none when it is not known to show them
	NotifyOSC777 = "osc777" // ESC ] 777 ; notify ; title ; body ST (foot, WezTerm, Ghostty, urxvt)
	NotifyOSC9   = "osc9"   // ESC ] 9 ; body ST (iTerm2, kitty, WezTerm, Ghostty)
	NotifyOff    = "off"
)

// Values of [[network]] migrate: which MIGRATE START targets the client
// accepts (net/migrate/SPEC.md section 4). They match net/migrate's Policy strings.
const (
	MigrateAny        = "any"
	MigrateSameDomain = "same-domain"
	MigrateNever      = "never"
)

// SASL mechanisms ferry implements.
const (
	MechanismPlain    = "PLAIN"
	MechanismExternal = "EXTERNAL"
	// MechanismSCRAM never sends the password and checks that the server
	// knows it (RFC 7677).
	MechanismSCRAM = "SCRAM-SHA-256"
)

// TLSVerifyAck is the exact value of tls_verify_ack that a network with
// tls_verify = false must carry. Turning off certificate checks exposes the
// password and every message to anyone on the path, so it takes a sentence
// typed on purpose, not a flag flipped by accident.
const TLSVerifyAck = "I understand"

// Config is a loaded, defaulted and validated configuration file.
type Config struct {
	// Path is the file it was loaded from.
	Path     string
	UI       UI
	Networks []Network
	STS      STS
	// Warnings are problems that do not stop ferry but that the user
	// should hear about (a password in a file others can read, a password
	// sent without TLS), formatted like Errors. The caller shows them.
	Warnings Errors
}

// UI is the [ui] table.
type UI struct {
	Theme      string   // theme name: built-in ("dark", "light", "high-contrast") or a file in ThemeDir
	Timestamp  string   // Go time layout for message timestamps, e.g. "15:04"
	ShowJoins  string   // ShowJoinsAll, ShowJoinsFolded or ShowJoinsNone
	Scrollback int      // lines kept per buffer
	Highlights []string // words that highlight a line, in addition to the own nick
	Bell       bool     // ring the terminal bell on a highlight
	Logs       bool     // write chat logs under LogDir (default true)
	// Mouse: wheel scrolling and clicks in the sidebar (default true); off
	// leaves the mouse to the terminal, so text selects without Shift.
	Mouse bool
	// Notify is NotifyAuto, NotifyOSC777, NotifyOSC9 or NotifyOff.
	Notify string
	// NotifyCmd is a program and its first arguments, run on a highlight
	// or private message with the network, buffer, nick and text appended
	// (never through a shell); nil = none. NotifyCmd[0] is absolute, or a
	// name found on $PATH when Load ran.
	NotifyCmd []string
	// Typing sends and shows typing notifications (the +typing client
	// tag) in channels and queries (default true).
	Typing bool
}

// Network is one [[network]] table.
type Network struct {
	Name      string // unique (case-insensitively) among networks; defaults to Host
	Host      string
	Port      int  // 1-65535; defaults to 6697 with TLS, 6667 without
	TLS       bool // default true
	TLSVerify bool // default true; false needs tls_verify_ack = TLSVerifyAck
	// CAFile, ClientCert and ClientKey are absolute paths ("~/" expanded,
	// relative paths taken from the config file's directory); "" = none.
	// ClientKey "" with ClientCert set means the key is in the cert file.
	CAFile     string
	ClientCert string
	ClientKey  string

	Nick     string
	AltNicks []string
	User     string // defaults to Nick
	Realname string // defaults to Nick

	// Password is the server password (PASS); PasswordCmd a shell command
	// printing it. At most one is set; use ResolvePassword.
	Password    string
	PasswordCmd string

	SASL     *SASL // nil = no SASL
	Autojoin []Channel
	Migrate  string // MigrateAny, MigrateSameDomain or MigrateNever
	Flood    Flood
	// Ignore lists nicks and nick!user@host masks (with * and ?) whose
	// messages, notices, CTCPs and invites are not shown; /ignore adds
	// to it for the session.
	Ignore []string
	// ReadMarkers syncs read markers with the user's other clients when
	// the server offers draft/read-marker (default true); Multiline sends
	// a paste or a long line as one message when the server offers
	// draft/multiline (default true).
	ReadMarkers bool
	Multiline   bool
	// NoBouncerNetworks (bouncer_networks = false) keeps a bouncer's
	// networks (soju.im/bouncer-networks) from being listed and opened.
	NoBouncerNetworks bool
	// Monitor lists nicks to be told about when they come online or
	// leave (IRCv3 MONITOR), on every connection; /monitor adds more.
	Monitor []string
}

// SASL is a network's sasl = { ... } table.
type SASL struct {
	Mechanism string // MechanismPlain, MechanismSCRAM or MechanismExternal (upper case)
	Username  string // PLAIN: defaults to the network's nick
	// Password or PasswordCmd (PLAIN only; exactly one); use ResolvePassword.
	Password    string
	PasswordCmd string
	// Required: when true (the default) a failed SASL ends registration
	// instead of continuing unauthenticated.
	Required bool

	network string // for error messages
}

// Channel is one autojoin entry ("#chan" or "#chan key").
type Channel struct {
	Name string
	Key  string
}

// Flood is the outbound token bucket: Burst lines at once, then one line
// per Interval.
type Flood struct {
	Burst    int
	Interval time.Duration
}

// STS is the [sts] table.
type STS struct {
	// Pins maps a lower-cased host to the TLS port ferry must use for it:
	// a user-declared STS policy, enforced before any connection to that
	// host (including migration targets), never expiring.
	Pins map[string]int
}

// Network returns the network named name (compared case-insensitively), or
// nil.
func (c *Config) Network(name string) *Network {
	for i := range c.Networks {
		if foldName(c.Networks[i].Name) == foldName(name) {
			return &c.Networks[i]
		}
	}
	return nil
}
