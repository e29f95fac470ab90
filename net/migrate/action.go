package migrate

import (
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"gopkg.in/irc.v4"
)

// Link names one of the two connections a migration involves, as the
// driver holds them.
type Link int

const (
	// LinkOld is the session's current link: OLD of SPEC.md until a
	// Promote, and after a Reconnect the fresh connection to the configured
	// server. START, PROCEED, ABORTED and the answers to REQUEST arrive on
	// it; OK and NAK go to it.
	LinkOld Link = iota
	// LinkNew is the connection opened by a Dial action, idle until PROCEED,
	// promoted to current by a Promote action. RESUME goes to it; CONFIRM and
	// INVALID_TOKEN arrive on it.
	LinkNew
)

func (l Link) String() string {
	if l == LinkNew {
		return "new"
	}
	return "old"
}

// DialID identifies one Dial action. The driver hands it back with the
// result (DialDone) and closes the connection it names on CloseNew, so a
// result that arrives after the machine gave up on it cannot be mistaken for
// a later dial's.
type DialID uint64

// TimerKind says which deadline of SPEC.md section 3 a timer measures.
type TimerKind int

const (
	TimerDial    TimerKind = iota + 1 // step 2: the target must open within Config.DialTimeout
	TimerProceed                      // step 4: PROCEED must arrive within Config.ProceedTimeout of OK
	TimerConfirm                      // step 5: CONFIRM must arrive within Config.ConfirmTimeout of RESUME
)

func (k TimerKind) String() string {
	switch k {
	case TimerDial:
		return "dial"
	case TimerProceed:
		return "proceed"
	case TimerConfirm:
		return "confirm"
	}
	return "none"
}

// TimerID names one StartTimer action. It carries a generation: a fire of a
// timer that was stopped or superseded (the driver's timer raced the stop)
// does not equal the machine's current timer and is ignored. The zero value
// is never started. TimerID is comparable, so a driver may key a map by it.
type TimerID struct {
	Kind TimerKind
	Gen  uint64
}

// Action is one thing the driver must do, in the order the slice returned
// by an input lists them. The concrete types are the ones below; a driver
// switches on them (Flush is generic: switch on Flush[T] for the machine's T).
type Action interface{ isAction() }

// Dial: open the connection to the migration target (step 2, "make before
// break"): TCP, and when TLS the handshake with full certificate
// verification against ServerName (or against the IP address when
// ServerName is empty, Host being an IP literal). STS and the no-downgrade
// rule are already applied: dial exactly Host:Port with TLS as given. Bound
// the attempt by Timeout. Send nothing on the connection (no CAP, PASS,
// NICK, USER, AUTHENTICATE: no credentials to NEW); report the outcome with
// DialDone(ID, err), keeping the connection under ID.
type Dial struct {
	ID         DialID
	Host       string // as named by START: a DNS name or an IP literal (IPv6 without brackets)
	Port       int    // after STS
	TLS        bool
	ServerName string // SNI and verification name; "" when Host is an IP literal
	Timeout    time.Duration
}

// Send: write Msg to the link To. Every Send carries a MIGRATE line (OK, NAK
// to LinkOld; RESUME to LinkNew). OK has to be the last line OLD processes:
// nothing the user sent before it may follow it on the wire. A driver with a
// flood-controlled writer queue either sends OK behind every queued line, or
// (better, since a backlog would stretch the window) first takes back the
// lines OLD has not received yet, hands them to Submit in order, and then
// sends OK at once; net/conn does the latter. NAK and RESUME carry no such
// ordering duty and may go out at once. If the link is gone, drop it.
type Send struct {
	To  Link
	Msg *irc.Message
}

// CloseNew: close the target connection opened for Dial ID, or cancel that
// dial if it is still under way (and close its connection when it arrives).
// Its read errors are no longer news: do not report NewLost for it.
type CloseNew struct{ ID DialID }

// Promote: MIGRATE CONFIRM matched, NEW holds the session. Make the
// connection of Dial ID the session's current link (from now on it is
// LinkOld to the machine, and its lines go to the session), close OLD if it
// is still open and ignore its errors, and tell the session it was resumed
// (session.Resumed). No ConnState event: the user stays registered. A Flush
// to the promoted link follows when lines were queued.
type Promote struct{ ID DialID }

// Reconnect: the migration failed after PROCEED (or OLD was lost in the
// window with no target left). Close both links, then do an ordinary
// reconnect to the configured server (never to the host of START), with
// full registration and rejoin, retrying with the usual backoff. Call
// Reconnected once the session is registered and has rejoined; until then
// keep giving user lines to Submit (Holding stays true).
type Reconnect struct {
	Reason string // a sentence for the ConnState reason / debug log
}

// Flush: send Items, in order, to the current link (OLD when the migration
// was aborted, NEW right after Promote, the fresh connection after a
// Reconnect), each exactly once, through the ordered writer, and mark them
// delivered. The machine has forgotten them.
type Flush[T any] struct{ Items []T }

// StartTimer: call Timer(ID) once After has passed (from the goroutine that
// owns the machine). Stale fires are harmless.
type StartTimer struct {
	ID    TimerID
	After time.Duration
}

// StopTimer: the timer ID is no longer wanted; stop it if possible.
type StopTimer struct{ ID TimerID }

// Emit: send Event to the UI (fill Meta.Network). Steps follow
// event.MigrationStep. Never carries a token.
type Emit struct{ Event event.Migration }

// Warn: a protocol warning for the network's server buffer (a MIGRATE line
// that was ignored, and why). Never carries a token.
type Warn struct{ Text string }

// Info: a readable answer to the user's /migrate (a FAIL MIGRATE reply to
// MIGRATE REQUEST) for the server buffer, shown as an error. Never carries a
// token.
type Info struct{ Text string }

func (Dial) isAction()       {}
func (Send) isAction()       {}
func (CloseNew) isAction()   {}
func (Promote) isAction()    {}
func (Reconnect) isAction()  {}
func (Flush[T]) isAction()   {}
func (StartTimer) isAction() {}
func (StopTimer) isAction()  {}
func (Emit) isAction()       {}
func (Warn) isAction()       {}
func (Info) isAction()       {}
