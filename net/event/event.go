// Package event holds the typed values that cross the boundary between the
// connection owner (net/conn) and its user (the TUI, or a test): events that
// flow out of a network, and commands that flow into it.
//
// It is a leaf package: it imports nothing of ours, so the session, the
// migrate state machine, the connection owner and the UI can all share it
// without cycles. Values are plain data and safe to pass between goroutines
// once sent (the sender must not mutate them afterwards).
package event

import "time"

// Event is one thing that happened on a network. The concrete types below are
// the whole set; consumers switch on them.
type Event interface{ isEvent() }

// Meta is carried by every event.
type Meta struct {
	// Network is the configured network name the event belongs to. The
	// connection owner fills it; the session leaves it empty.
	Network string
	// Time is the server-time tag when present, else the local receive time.
	Time time.Time
}

func (Meta) isEvent() {}

// Batch is what the connection owner sends to the UI on its one channel:
// every event produced since the previous batch, in order.
type Batch struct {
	Events []Event
}

// State is a network connection's lifecycle state, as the user sees it.
type State int

const (
	StateDisconnected State = iota // not connected and not trying (user said /disconnect, or quit)
	StateConnecting                // dialling (TCP/TLS)
	StateRegistering               // connected, CAP/SASL/NICK/USER under way
	StateRegistered                // 001 received; channels being rejoined or joined
	StateWaiting                   // connection lost; waiting RetryIn before the next attempt
)

func (s State) String() string {
	switch s {
	case StateDisconnected:
		return "disconnected"
	case StateConnecting:
		return "connecting"
	case StateRegistering:
		return "registering"
	case StateRegistered:
		return "connected"
	case StateWaiting:
		return "waiting"
	}
	return "unknown"
}

// ConnState reports a change of State. A successful migration never emits
// one: the user stays Registered throughout.
type ConnState struct {
	Meta
	State   State
	Server  string        // host:port being dialled or connected to
	TLS     bool          // the connection is (or will be) TLS
	Reason  string        // why the state changed (error text), may be empty
	RetryIn time.Duration // with Waiting: time until the next attempt
}

// Registered is emitted once registration completed (001 received).
type Registered struct {
	Meta
	Nick       string
	ServerName string // the server's name from 001's prefix or 004
}

// ISupport carries the parts of RPL_ISUPPORT (005) the UI needs, emitted
// whenever they change (after registration, or a new 005 after migration).
type ISupport struct {
	Meta
	Casemap     string // the session's mapping as a token (ircx.Casemap.String): "rfc1459", "ascii", "rfc1459-strict", "rfc7613"
	Prefixes    string // member prefix characters, highest first, e.g. "~&@%+"
	PrefixModes string // the matching mode letters, e.g. "qaohv"
	ChanTypes   string // e.g. "#&"
	NetworkName string // NETWORK token, may be empty
	LineLen     int    // LINELEN, 512 when not advertised
}

// MsgKind distinguishes what a Message is.
type MsgKind int

const (
	Privmsg MsgKind = iota
	Notice
	Action // CTCP ACTION (/me)
)

// Message is a PRIVMSG, NOTICE or CTCP ACTION, to a channel or to us, or one
// of our own lines (Self) shown in its buffer.
type Message struct {
	Meta
	Kind MsgKind
	// Buffer is where the line belongs: the channel name, the other party's
	// nick for a private message, or "" for the server buffer (e.g. a NOTICE
	// from the server before registration, or to "*").
	Buffer   string
	From     string // sender nick (or server name)
	FromHost string // user@host when known
	Account  string // account-tag, when known
	Target   string // the raw target of the line as sent
	Text     string // with mIRC formatting codes intact; not sanitised for a terminal
	Self     bool   // sent by us
	MsgID    string // msgid tag, when known
	// LocalID is set on our own lines that the user typed: the SendText ID,
	// so Delivered/Failed can find it. Zero for lines not typed here.
	LocalID uint64
	// Part is, with LocalID, which line of the typed message this is: the
	// session may split one SendText into several lines, numbered from 0 in
	// the order sent. LocalID and Part name one line exactly; Part is 0
	// when LocalID is.
	Part int
	// Echo says the session matched this message to a line of ours already
	// announced (with the same LocalID and Part, when it was submitted):
	// the server's echo-message copy, with or without a msgid, also of a
	// line that waited in a queue across a reconnect. It is not a new line:
	// it updates the announced one (its msgid, the server's time, no longer
	// pending). Consumers trust it and compare no texts. The first
	// announcement of a typed line has Echo false.
	Echo bool
	// Pending marks a line of ours that is queued and not yet on the wire
	// (migration window, or disconnected) when it first appears. Delivered
	// and Failed clear it; Requeued sets it again.
	Pending bool
	// Highlight is set when the text mentions our current nick.
	Highlight bool
}

// CTCP is a CTCP request or reply other than ACTION. Requests we answer
// automatically are still reported, so the UI can show "X requested VERSION".
type CTCP struct {
	Meta
	From    string
	Target  string
	Command string // VERSION, PING, TIME, CLIENTINFO, ...
	Args    string
	Reply   bool // a NOTICE reply to a CTCP we sent
}

// Delivered says that our line LocalID reached the server that processes it.
type Delivered struct {
	Meta
	LocalID uint64
}

// Requeued says that our line LocalID, already handed to a connection,
// is waiting again and not yet on the wire: a migration holds it for the
// server that takes the session over, or the connection closed before it
// was written and it goes out on the next one. It is pending until
// Delivered or Failed.
type Requeued struct {
	Meta
	LocalID uint64
}

// Failed says that our line LocalID could not be delivered and never will be.
type Failed struct {
	Meta
	LocalID uint64
	Reason  string
}

// Member is one user in a channel.
type Member struct {
	Nick     string
	Prefixes string // all prefix chars we know of (multi-prefix), highest first
	User     string
	Host     string
	Account  string // "" when unknown or logged out
	Away     bool
}

// Join: someone (or we, Self) joined Channel.
type Join struct {
	Meta
	Channel  string
	Nick     string
	UserHost string
	Account  string // extended-join
	Realname string // extended-join
	Self     bool
	// Untracked: the channel's member list is full (the session tracks
	// a bounded number of members per channel), so Nick is in no member
	// list: the join is news, not a member to add.
	Untracked bool
}

// Part: someone (or we) left Channel.
type Part struct {
	Meta
	Channel string
	Nick    string
	Reason  string
	Self    bool
}

// Quit: someone left the network; Channels lists the channels we shared.
type Quit struct {
	Meta
	Nick     string
	Reason   string
	Channels []string
}

// Kick: Nick was kicked from Channel by By. Self when it was us.
type Kick struct {
	Meta
	Channel string
	Nick    string
	By      string
	Reason  string
	Self    bool
}

// NickChange: Old is now New; Channels lists shared channels (and the query
// buffer named Old, if any, is the UI's business).
type NickChange struct {
	Meta
	Old      string
	New      string
	Self     bool
	Channels []string
}

// Topic is the channel topic, on join (332/333) or when changed (TOPIC).
type Topic struct {
	Meta
	Channel string
	Topic   string
	SetBy   string
	SetAt   time.Time
	Changed bool // a live TOPIC change rather than the reply on join
}

// Names is the complete member list of Channel, emitted at 366 and whenever
// the UI should redraw the list from scratch.
type Names struct {
	Meta
	Channel string
	Members []Member
	// Untracked is how many more members the server listed than the
	// session tracks (its cap per channel): the channel has
	// len(Members)+Untracked members, and Members is the whole list the
	// session keeps.
	Untracked int
}

// Mode is a mode change on a channel or on us.
type Mode struct {
	Meta
	Target string
	By     string
	Modes  string   // e.g. "+o-v"
	Params []string // parameters in order
}

// Away reports away-notify / 301 / 305 / 306 changes.
type Away struct {
	Meta
	Nick    string
	Away    bool
	Message string
	Self    bool
}

// AccountChange reports account-notify.
type AccountChange struct {
	Meta
	Nick     string
	Account  string   // "" when logged out
	Channels []string // the channels we share with Nick
	Self     bool
}

// RealnameChange reports SETNAME (IRCv3 setname): Nick's realname is now
// Realname; Channels lists the channels we share.
type RealnameChange struct {
	Meta
	Nick     string
	Realname string
	Channels []string
	Self     bool
}

// HostChange reports CHGHOST (IRCv3 chghost): Nick's user and host
// changed; Channels lists the channels we share.
type HostChange struct {
	Meta
	Nick     string
	User     string
	Host     string
	Channels []string
	Self     bool
}

// Invite: By invited Nick to Channel.
type Invite struct {
	Meta
	By      string
	Nick    string
	Channel string
	Self    bool
}

// Info is a line for the server buffer (or Buffer, when a numeric is about
// a channel or nick we have a buffer for): MOTD, WHOIS replies, errors such
// as 404, unknown numerics. Text is human readable.
type Info struct {
	Meta
	Buffer string
	Code   string // the numeric or command, e.g. "372", "NOTICE", "FAIL"
	Text   string
	Error  bool // an error numeric or FAIL
	Warn   bool // a WARN standard reply: shown as a warning, not an error
	// Reply marks the answer to a command the user typed (WHOIS, WHOWAS,
	// "no such nick"): with no Buffer, it belongs where the user is
	// looking, not in the server buffer. An answer the server labelled
	// (labeled-response, to a command.Asked) is not a Reply: its Buffer
	// is the buffer the command was typed in ("" the server buffer).
	Reply bool
}

// Error is a problem the user must see: registration failed (SASL refused),
// the server sent ERROR, a dial failed. The connection owner decides what
// happens next and reports it with ConnState.
type Error struct {
	Meta
	Text  string
	Fatal bool // no reconnect will be attempted (e.g. SASL required and refused)
}

// Lag is the round-trip time measured with our own PING.
type Lag struct {
	Meta
	RTT time.Duration
}

// MigrationStep names a step of net/migrate/SPEC.md section 3, as the user sees it.
type MigrationStep int

const (
	MigrationOffered    MigrationStep = iota // START received, target being opened
	MigrationDeclined                        // NAK sent; Reason says why; the session stays where it is
	MigrationAccepted                        // OK sent; lines typed now are queued
	MigrationProceeding                      // PROCEED received; RESUME sent to NEW
	MigrationResumed                         // CONFIRM matched; Window is OK..CONFIRM
	MigrationFailed                          // failed after OK; Reason and Recovery say what happened
)

func (s MigrationStep) String() string {
	switch s {
	case MigrationOffered:
		return "offered"
	case MigrationDeclined:
		return "declined"
	case MigrationAccepted:
		return "accepted"
	case MigrationProceeding:
		return "proceeding"
	case MigrationResumed:
		return "resumed"
	case MigrationFailed:
		return "failed"
	}
	return "unknown"
}

// Migration reports one step of a server migration. Tokens never appear here.
type Migration struct {
	Meta
	Step   MigrationStep
	Target string // NEW's server name when given in START, else its host
	Host   string // NEW's host and port as dialled, e.g. "s2.example.net:6697"
	Reason string // with Declined/Failed: a sentence for the user
	// Recovery, with Failed: what the client did about it, e.g. "stayed on s1"
	// or "reconnected to irc.example.net".
	Recovery string
	Window   time.Duration // with Resumed: from our OK to CONFIRM
}

// History is a page of a buffer's past messages fetched with IRCv3
// chathistory: after a reconnect the messages missed while
// offline (Gap), when a buffer with no local history is opened (Latest), or
// older lines when the user scrolled past the top (Before). Messages are in
// time order, each with its server-time and msgid when the server gave them;
// the UI merges them among the lines it keeps (dropping any msgid it already
// shows) and marks a gap where Gap says messages had been missing.
type History struct {
	Meta
	Buffer   string
	Messages []Message
	Gap      bool // the page fills the time we were disconnected
	Before   bool // an older page, fetched by scrolling up
	// More is true when the server had more messages than one page; for a
	// Before page the UI may ask again.
	More bool
}

// SearchResults answers a command.Search the server could take (it offers
// soju.im/search): the messages of Buffer whose text contains Text, oldest
// first, at most one page. Failed is set, with the server's reason, when
// the server refused the search.
type SearchResults struct {
	Meta
	Buffer   string
	Text     string
	Messages []Message
	Failed   string
}

// Redirect reports a 010 (RPL_BOUNCE) the server sent before registration
// and what the client did about it: followed it (Followed, with the new
// Server) or refused it (Reason says why: a TLS downgrade, a host the user
// did not configure, a loop).
type Redirect struct {
	Meta
	Server   string // host:port: as dialled when followed (STS applied), as the 010 named it when refused
	Followed bool
	Reason   string
}

// ReadMarker is the read marker of Buffer (draft/read-marker): everything
// up to Time was read, here or on another client of the same account. The
// session emits it only when the marker moves forward, so a consumer may
// clear unread counts up to Time. A zero Time never comes: "*" (no marker
// yet) is not news.
type ReadMarker struct {
	Meta
	Buffer string
	Time   time.Time
}

// ReadMarkers says whether the connection syncs read markers
// (draft/read-marker enabled, and an account or a bouncer to keep them),
// emitted at registration and whenever that changes (the capability
// comes or goes, a login or logout, the server refusing for want of an
// account), so the UI knows whether to send MarkRead.
type ReadMarkers struct {
	Meta
	On bool
}

// Multiline says whether the connection sends and receives multiline
// messages (draft/multiline) and within which limits, emitted at
// registration and whenever the capability comes or goes. MaxBytes 0 means
// off: a paste goes out as separate lines.
type Multiline struct {
	Meta
	MaxBytes int
	MaxLines int // 0: no limit on the number of lines besides MaxBytes
}

// BouncerNetwork is a soju.im/bouncer-networks "BOUNCER NETWORK" line from
// a bouncer (Meta.Network is the bouncer's connection): one of its
// upstream networks, listed, added or changed (Attrs holds only the
// attributes the line carries; an empty value means the attribute was
// removed), or Removed ("*").
type BouncerNetwork struct {
	Meta
	NetID   string
	Attrs   map[string]string
	Removed bool
}

// NetworkAdded says the connection owner added a network at run time: a
// bouncer's upstream network, reached over its own connection bound to it
// (Parent is the bouncer's network, NetID the bouncer's id for it). Title
// is the name to show; the bouncer's later BouncerNetwork events for
// (Parent, NetID) carry renames and state changes.
type NetworkAdded struct {
	Meta
	Parent string
	NetID  string
	Title  string
	// Upstream is the bouncer's own connection state for it: "connected",
	// "connecting" or "disconnected" ("" when not said).
	Upstream string
}

// NetworkRemoved says a network added at run time is gone (the bouncer
// removed it): no more events come for Meta.Network.
type NetworkRemoved struct {
	Meta
	Parent string
	NetID  string
}
