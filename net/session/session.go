// Package session is one IRC network's protocol state machine: registration
// (CAP, SASL, NICK/USER), capabilities, ISUPPORT, channels and members, and
// the translation of server lines into typed events for the UI.
//
// A Session has no goroutines and does no I/O. Its owner (net/conn) reads
// lines from a transport and passes each to Handle, which returns the events
// the line caused; every line the session wants sent goes out through the
// Sender in Config, tagged with a Class so the owner can route it (straight
// to the wire, through flood control, or into the migration queue). Because
// nothing here blocks or races, tests drive it line by line and assert exact
// output.
//
// Across reconnects the session remembers each buffer's newest message, so
// that with draft/chathistory it can ask for what was missed (history.go);
// lines of a chathistory batch come out as one event.History, never as live
// Messages (batch.go). A 010 redirect is recorded for the owner to act on
// (Redirect, redirect.go).
//
// A Session is not safe for concurrent use: the owner calls every method
// from one goroutine (or under one lock). Sender.Send is called synchronously
// from within those methods and must not call back into the Session.
package session

import (
	"errors"
	"fmt"
	"hash/maphash"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// Class says which connection an outgoing line belongs to, so the owner can
// route it during a migration window (net/migrate/SPEC.md): connection lines go to the
// link being handled, user and automatic lines into the ordered queue.
type Class int

const (
	ClassConn Class = iota // belongs to the connection being handled: CAP, AUTHENTICATE, PASS/NICK/USER of registration, PONG, our lag PING
	ClassUser              // the user's lines (text, join, part, nick, raw, quit)
	ClassAuto              // automatic replies (CTCP VERSION/PING/TIME/CLIENTINFO answers), CHATHISTORY, SEARCH
	// ClassRejoin is the rejoin after 001: part of bringing the connection
	// up (queued lines wait until it is answered), yet held like the
	// user's lines inside a migration window.
	ClassRejoin
)

func (c Class) String() string {
	switch c {
	case ClassConn:
		return "conn"
	case ClassUser:
		return "user"
	case ClassAuto:
		return "auto"
	case ClassRejoin:
		return "rejoin"
	}
	return fmt.Sprintf("Class(%d)", int(c))
}

// Outgoing is one line the session wants sent. LocalID is the SendText ID
// for lines of text the user typed (so the owner can report Delivered), 0
// otherwise.
type Outgoing struct {
	Msg     *irc.Message
	Class   Class
	LocalID uint64
	// At is when the user submitted the line (lines with a LocalID; zero
	// otherwise): a line that never goes out is reported with the time it
	// was typed.
	At time.Time
	// Batch is the reference of the multiline batch the line belongs to
	// ("" for none): the lines of one batch must reach one server, in
	// order and together (see OpensBatch).
	Batch string
}

// Sender takes the session's outgoing lines. Send must not block and must
// not call back into the Session.
type Sender interface{ Send(Outgoing) }

// Logger is the debug log. The session never logs secrets (passwords, SASL
// payloads).
type Logger interface {
	Printf(format string, v ...any)
}

// SASL configures SASL authentication during registration.
type SASL struct {
	Mechanism string // "PLAIN" | "SCRAM-SHA-256" | "EXTERNAL"
	Username  string
	Password  string
	// Required makes a failed or unavailable SASL fatal: registration stops
	// and Fatal reports why, rather than continuing unauthenticated.
	Required bool
}

// Channel is a channel with its key, as joined or to be joined.
type Channel struct{ Name, Key string }

// Config configures a Session. Sender is required.
type Config struct {
	Nick     string
	AltNicks []string
	User     string
	Realname string
	Password string // server PASS, "" = none
	SASL     *SASL  // nil = no SASL
	Autojoin []Channel
	// ExtraCaps are requested when offered, in addition to the built-in
	// list (conn adds "draft/migrate", "migrate").
	ExtraCaps []string
	// WithoutCaps are never requested, even when offered and supported:
	// features the user turned off ("draft/read-marker", "draft/multiline").
	WithoutCaps []string
	Version     string // CTCP VERSION reply text; "" = "ferry"
	Sender      Sender
	Now         func() time.Time // nil = time.Now
	// Monitor are the nicks to monitor (IRCv3 monitor) on every
	// connection, before those added with /monitor.
	Monitor []string
	// OnSTS is called (inside Handle) with the sts capability value
	// whenever CAP LS or CAP NEW offers it.
	OnSTS func(value string)
	Log   Logger // nil = discard
	// BouncerBind, when set, binds this connection to the bouncer's network
	// with that id (soju.im/bouncer-networks: BOUNCER BIND before CAP END).
	BouncerBind string
	// NoBouncerNetworks turns soju.im/bouncer-networks off: the bouncer's
	// networks are not listed (nor shown).
	NoBouncerNetworks bool
}

// Limits that keep a hostile or broken server from growing our memory
// without bound. Lines beyond them are dropped with a log line.
const (
	maxChannels    = 1000  // channels we track as joined
	maxMembers     = 20000 // members tracked per channel
	maxOffered     = 256   // capabilities remembered from CAP LS/NEW
	maxPendingEcho = 256   // our lines awaiting their echo-message
	maxLagPings    = 8     // outstanding lag PINGs
	maxStored      = 4096  // bytes of a topic or other stored text
	maxNameLen     = 256   // bytes of a stored nick, user, host or channel name
	maxNickTries   = 16    // nick fallback attempts before giving up
)

// Session is one network's IRC state. See the package comment for the
// calling contract.
type Session struct {
	cfg Config
	now func() time.Time
	log Logger

	// Per connection (reset by Register).
	registered   bool
	nick         string // our nick: the one being tried until 001, then the server's
	nickTries    int
	user, host   string // as the server shows us, when learnt (396, JOIN echo, WHO, CHGHOST)
	serverName   string
	offered      map[string]string // CAP LS/NEW: name -> value
	lsDone       bool
	lsLines      int             // CAP LS lines read (see maxLSLines)
	lsCut        bool            // skipping the rest of a CAP LS reply that was cut (see cutLS)
	capsFull     bool            // more than maxOffered capabilities were offered (logged once)
	caps         map[string]bool // enabled capabilities
	reqPending   int             // CAP REQ lines not yet ACKed/NAKed
	capEnded     bool
	sasl         saslState
	fatal        error
	is           ircx.ISupport
	pendingJoins map[string]string // folded channel -> name, joins planned at 001 not yet answered
	rejoinDue    []Channel         // planned at 001, sent at the end of the burst (sendRejoin)
	ready        bool
	lag          []lagPing
	lagSeq       uint64
	redirect     *redirect             // a valid 010 before 001 (see Redirect)
	batches      map[string]*openBatch // open IRCv3 batches by reference
	histReqs     []histRequest         // CHATHISTORY requests awaiting their batch, oldest first
	searches     []searchRequest       // SEARCH requests awaiting their batch, oldest first
	awayShown    map[string]string     // folded nick -> the away message last shown (awayNews)
	whoisOpen    string                // folded nick of the WHOIS reply being read (311 to 318)
	whoisAcct    bool                  // that reply named an account (330)
	gap          []gapRef              // buffers to fill once ready, after a re-registration
	gapPending   bool
	burstDone    bool   // 376/422, or a JOIN answered: ISUPPORT is complete
	connSeq      uint64 // counts Register calls, so per-buffer notes can tell connections apart
	bindSent     bool   // BOUNCER BIND sent on this connection (bouncer.go)
	account      string // the account we are logged in to, "" for none known (account.go)
	// markersRefused: the server refused a MARKREAD of ours for want of
	// an account; markFailNoted: a refused MARKREAD was shown once;
	// typedMarkReads: MARKREADs the user typed whose answer is unlabelled
	// (readmarker.go).
	markersRefused bool
	markFailNoted  bool
	typedMarkReads int

	// Across connections.
	channels map[string]*channel // folded name -> channel (joined, or to rejoin)
	// bouncerNets are the bouncer's networks: id -> attributes (bouncer.go).
	bouncerNets map[string]map[string]string
	// topicsPending are channels with a 332 awaiting its 333 (see topicReply).
	topicsPending []*channel
	joinSeq       uint64
	keys          map[string]Channel // folded channel -> a JOIN we sent with a key, until answered
	ctcp          bucket
	// echoes are our lines awaiting their echo-message copy, oldest first;
	// kept across Register and aged out (see expectEcho).
	echoes []echo
	// everRegistered: a 001 arrived on some connection, so the next
	// Register is a reconnect and fills the gap with chathistory.
	everRegistered bool
	hist           map[string]*bufferHistory // folded buffer -> its history notes (see history.go)
	histTick       uint64
	serverIDs      bufferHistory // the server buffer's recent msgids (duplicate defence only)
	hashSeed       maphash.Seed
	labels         labelState // labeled-response requests awaiting their answer (label.go)
	// markers are the newest read markers known, by folded buffer
	// (readmarker.go); batchSeq numbers our multiline batches.
	markers  map[string]time.Time
	batchSeq uint64
	// capsShown is the capability state last told to the owner
	// (capnews.go).
	capsShown capNews
	mon       monitorState // the monitor list (monitor.go)
	typ       typingState  // per connection (typing.go)
}

// New returns a session for cfg. Call Register on each new connection.
func New(cfg Config) *Session {
	s := &Session{
		cfg:      cfg,
		now:      cfg.Now,
		log:      cfg.Log,
		channels: make(map[string]*channel),
		keys:     make(map[string]Channel),
		hist:     make(map[string]*bufferHistory),
		hashSeed: maphash.MakeSeed(),
		// The bouncer's networks are kept across reconnects, so that the
		// next full list shows which were removed meanwhile.
		bouncerNets: map[string]map[string]string{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = discard{}
	}
	if s.cfg.Sender == nil {
		s.cfg.Sender = dropSender{log: s.log}
	}
	s.ctcp = newBucket(ctcpBurst, ctcpRefill)
	s.reset()
	return s
}

type discard struct{}

func (discard) Printf(string, ...any) {}

type dropSender struct{ log Logger }

func (d dropSender) Send(o Outgoing) {
	d.log.Printf("session: no Sender configured; dropped %s", o.Msg.Command)
}

// reset clears the per-connection state.
func (s *Session) reset() {
	s.registered = false
	s.nick = s.cfg.Nick
	s.nickTries = 0
	s.user, s.host, s.serverName = "", "", ""
	s.offered = make(map[string]string)
	s.lsDone = false
	s.lsLines, s.lsCut, s.capsFull = 0, false, false
	s.caps = make(map[string]bool)
	s.reqPending = 0
	s.capEnded = false
	s.sasl = saslState{}
	s.bindSent = false
	s.account = ""
	s.markersRefused, s.markFailNoted, s.typedMarkReads = false, false, 0
	s.fatal = nil
	before := s.is.Casemap
	s.is = ircx.DefaultISupport()
	s.pendingJoins = make(map[string]string)
	s.rejoinDue = nil
	s.ready = false
	s.lag = nil
	// s.echoes is kept: lines submitted while disconnected go out on the
	// new connection (see expectEcho).
	s.topicsPending = nil
	s.redirect = nil
	s.batches = make(map[string]*openBatch)
	s.histReqs = nil
	s.searches = nil
	s.awayShown = make(map[string]string)
	s.whoisOpen = ""
	s.gap, s.gapPending, s.burstDone = nil, false, false
	s.labels.batches = nil // pending labels stay: a held line may be answered on the next connection (see unlabelHeld)
	s.monitorReset()
	s.typ = typingState{}
	if s.channels != nil && s.is.Casemap != before {
		s.refold() // the kept channel list was folded with the last server's mapping
	}
	for _, ch := range s.channels {
		ch.topicPending = false
		ch.joined = false
		ch.members = make(map[string]*member)
		ch.namesDone = true
	}
}

// Register starts registration on a fresh connection: it resets the
// per-connection state (capabilities, ISUPPORT, member lists, a pending
// redirect; the channel list is kept for the rejoin, and so are our lines
// awaiting their echo, which may go out on this connection) and sends CAP LS 302,
// PASS (when configured), NICK and USER.
//
// When an earlier connection had registered, this is a reconnect: the
// newest message of each buffer is noted now, and once the rejoin is
// answered the session asks the server (draft/chathistory) for what was
// missed in between (see history.go).
func (s *Session) Register() {
	again := s.everRegistered
	s.reset()
	s.connSeq++
	if again {
		s.snapshotGap()
	}
	s.send(ClassConn, "CAP", "LS", "302")
	if s.cfg.Password != "" {
		s.send(ClassConn, "PASS", s.cfg.Password)
	}
	s.send(ClassConn, "NICK", s.nick)
	user := s.cfg.User
	if user == "" {
		user = s.cfg.Nick
	}
	real := s.cfg.Realname
	if real == "" {
		real = user
	}
	s.send(ClassConn, "USER", user, "0", "*", real)
}

// Resumed tells the session that, after MIGRATE CONFIRM, it continues on a
// new connection: registration, capabilities, channels and members stay as
// they are; only the lag measurement restarts, since the outstanding PINGs
// went to the old server. Nothing was missed, so no history is fetched.
func (s *Session) Resumed() {
	s.lag = nil
}

// Registered reports whether 001 was received on this connection.
func (s *Session) Registered() bool { return s.registered }

// Ready reports whether the session is registered and every JOIN of the
// rejoin/autojoin planned at 001 (sent at the end of the burst) was answered (by our JOIN or an error
// numeric), so queued user lines can go out to channels we are in.
func (s *Session) Ready() bool { return s.ready }

// Stage is how far the current connection has come: the owner compares
// the Stage before and after a call to react to a change (start lag
// pings at registration, send queued lines once ready).
type Stage int

const (
	StageRegistering Stage = iota // no 001 yet on this connection
	StageRegistered               // 001 received; the rejoin under way
	StageReady                    // registered and the rejoin answered (or given up on)
)

// Stage reports how far the current connection has come.
func (s *Session) Stage() Stage {
	switch {
	case s.ready:
		return StageReady
	case s.registered:
		return StageRegistered
	}
	return StageRegistering
}

// StopRejoinWait is called by the owner when it stops waiting for the
// rejoin's answers (a server that never answers one of our JOINs): the
// session counts as Ready from now on, so queued lines go out to whatever
// was joined. JOINs answered later are still taken as answers.
func (s *Session) StopRejoinWait() {
	if s.registered {
		s.ready = true
	}
}

// Fatal returns a non-nil error when registration failed for good (SASL
// required and refused, or not offered); the owner must not reconnect.
func (s *Session) Fatal() error { return s.fatal }

// HasCap reports whether capability name is enabled on this connection.
func (s *Session) HasCap(name string) bool { return s.caps[name] }

// Nick returns our current nick (the one being tried, before 001).
func (s *Session) Nick() string { return s.nick }

// ServerName returns the name of the server we registered on (001's
// source), "" before 001.
func (s *Session) ServerName() string { return s.serverName }

// ISupport returns the server's ISUPPORT values as interpreted so far
// (defaults before 005).
func (s *Session) ISupport() ircx.ISupport { return s.is }

// send sends one line built from command and params.
func (s *Session) send(class Class, command string, params ...string) {
	s.sendMsg(Outgoing{Msg: &irc.Message{Prefix: &irc.Prefix{}, Command: command, Params: params}, Class: class})
}

func (s *Session) sendMsg(o Outgoing) {
	if o.Msg.Tags == nil {
		o.Msg.Tags = irc.Tags{}
	}
	s.takeLabel(&o)
	s.cfg.Sender.Send(o)
}

// recoverPanics turns a panic inside Handle into a log line: the session must
// survive any input. Tests (the fuzz target) turn it off so a bug shows.
var recoverPanics = true

// Handle processes one line from the server and returns the events it
// caused, in order. It never panics on malformed input: lines missing
// parameters are logged and skipped.
func (s *Session) Handle(m *irc.Message) (evs []event.Event) {
	if m == nil {
		return nil
	}
	if recoverPanics {
		defer func() {
			if r := recover(); r != nil {
				s.log.Printf("session: BUG: panic handling %q: %v\n%s", clip(m.Command, 32), r, debug.Stack())
				evs = nil
			}
		}()
	}
	m = sanitize(m)
	s.noteUnusual(m)
	h := &handling{s: s, m: m, meta: s.meta(m)}
	if ref := m.Tags["batch"]; ref != "" && m.Command != "BATCH" {
		if page, ok := s.historyBatch(ref); ok {
			s.collectHistory(h, page) // history, not live: never dispatched
			return h.evs
		}
		if ml := s.multilineBatch(ref); ml != nil {
			s.collectMultiline(h, ml) // one message at the batch's end
			return h.evs
		}
	}
	s.replyOrigin(h)
	h.dispatch()
	h.routeLabelled()
	return h.evs
}

// handling is the context of one Handle call.
type handling struct {
	s    *Session
	m    *irc.Message
	meta event.Meta
	evs  []event.Event
	// origin is the buffer that asked for this line, when labelled says
	// the line answers a labelled request of ours (label.go).
	origin   string
	labelled bool
}

func (h *handling) emit(e event.Event) { h.evs = append(h.evs, e) }

func (h *handling) dispatch() {
	s, m := h.s, h.m
	if m.Command != "333" {
		s.flushTopics(h)
	}
	if s.rejoinDue != nil && !isNumeric(m.Command) {
		s.sendRejoin() // a server without MOTD numerics: its burst is over
	}
	if s.mon.due && !isNumeric(m.Command) {
		s.monitorBurst(h)
	}
	switch m.Command {
	case "PING":
		s.send(ClassConn, "PONG", append([]string(nil), m.Params...)...)
	case "PONG":
		s.handlePong(h)
	case "CAP":
		s.handleCap(h)
	case "AUTHENTICATE":
		s.handleAuthenticate(h)
	case "PRIVMSG", "NOTICE":
		s.handleText(h)
	case "JOIN":
		s.handleJoin(h)
	case "PART":
		s.handlePart(h)
	case "KICK":
		s.handleKick(h)
	case "QUIT":
		s.handleQuit(h)
	case "NICK":
		s.handleNick(h)
	case "MODE":
		s.handleMode(h)
	case "TOPIC":
		s.handleTopic(h)
	case "AWAY":
		s.handleAway(h)
	case "ACCOUNT":
		s.handleAccount(h)
	case "CHGHOST":
		s.handleChghost(h)
	case "SETNAME":
		s.handleSetName(h)
	case "INVITE":
		s.handleInvite(h)
	case "ERROR":
		h.emit(event.Error{Meta: h.meta, Text: "the server closed the connection: " + m.Trailing()})
	case "FAIL", "WARN", "NOTE":
		s.handleStandardReply(h)
	case "MIGRATE":
		// The connection owner routes MIGRATE to the migrate state machine before Handle.
	case "BOUNCER":
		s.handleBouncer(h)
	case "BATCH":
		s.handleBatch(h)
	case "TAGMSG":
		s.handleTagmsg(h)
	case "ACK":
		// labeled-response: the labelled request had no answer to show (replyOrigin ended it).
	case "MARKREAD":
		s.handleMarkRead(h)
	case "WALLOPS":
		h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: nickOf(m) + ": " + m.Trailing()})
	default:
		if isNumeric(m.Command) {
			s.handleNumeric(h)
			return
		}
		s.log.Printf("session: ignored unknown command %q", clip(m.Command, 32))
	}
}

// meta builds the Meta of events caused by m: server-time when tagged.
func (s *Session) meta(m *irc.Message) event.Meta {
	if v, ok := m.Tags["time"]; ok {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			return event.Meta{Time: t}
		}
	}
	return event.Meta{Time: s.now()}
}

// sanitize returns m with every parameter valid UTF-8 (Latin-1 fallback)
// and a non-nil Prefix and Tags, copying rather than mutating the caller's
// message.
func sanitize(m *irc.Message) *irc.Message {
	ok := m.Prefix != nil && m.Tags != nil && m.Command == strings.ToUpper(m.Command) &&
		utf8.ValidString(m.Command) && utf8.ValidString(m.Prefix.Name) &&
		utf8.ValidString(m.Prefix.User) && utf8.ValidString(m.Prefix.Host)
	for _, p := range m.Params {
		if !ok {
			break
		}
		ok = utf8.ValidString(p)
	}
	if ok {
		return m
	}
	c := &irc.Message{Tags: m.Tags, Prefix: &irc.Prefix{}, Command: strings.ToUpper(ircx.DecodeText(m.Command))}
	if c.Tags == nil {
		c.Tags = irc.Tags{}
	}
	if m.Prefix != nil {
		c.Prefix = &irc.Prefix{Name: ircx.DecodeText(m.Prefix.Name), User: ircx.DecodeText(m.Prefix.User), Host: ircx.DecodeText(m.Prefix.Host)}
	}
	c.Params = make([]string, len(m.Params))
	for i, p := range m.Params {
		c.Params[i] = ircx.DecodeText(p)
	}
	return c
}

// unusualLen is the size of a line's parameters above which Handle notes
// the line in the debug log: legal (tags and LINELEN allow more than 512)
// but worth a trace when a server misbehaves.
const unusualLen = 4096

// noteUnusual logs lines that are oversized or carry NUL bytes, which no
// conforming server sends; they are still handled.
func (s *Session) noteUnusual(m *irc.Message) {
	n, nul := len(m.Prefix.Name)+len(m.Prefix.User)+len(m.Prefix.Host), strings.IndexByte(m.Prefix.Name, 0) >= 0
	for _, p := range m.Params {
		n += len(p)
		nul = nul || strings.IndexByte(p, 0) >= 0
	}
	if n > unusualLen {
		s.log.Printf("session: oversized %s line (%d bytes of parameters)", clip(m.Command, 32), n)
	}
	if nul {
		s.log.Printf("session: NUL byte in %s line", clip(m.Command, 32))
	}
}

func isNumeric(cmd string) bool {
	if len(cmd) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if cmd[i] < '0' || cmd[i] > '9' {
			return false
		}
	}
	return true
}

// nickOf returns the nick (or server name) of m's source.
func nickOf(m *irc.Message) string {
	if m.Prefix == nil {
		return ""
	}
	return m.Prefix.Name
}

// isMe reports whether name is our nick.
func (s *Session) isMe(name string) bool {
	return name != "" && s.is.Casemap.Equal(name, s.nick)
}

func (s *Session) fold(name string) string { return s.is.Casemap.Fold(name) }

// clip returns at most n bytes of v, cut at a UTF-8 boundary.
func clip(v string, n int) string {
	if len(v) <= n {
		return v
	}
	for n > 0 && !utf8.RuneStart(v[n]) {
		n--
	}
	return v[:n]
}

// errSASL is wrapped by Fatal's error when SASL is required and failed.
var errSASL = errors.New("SASL authentication failed")
