package migrate

import (
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ferry-irc/ferry/net/event"
	"gopkg.in/irc.v4"
)

// Default timeouts of SPEC.md section 3.
const (
	DefaultDialTimeout    = 10 * time.Second
	DefaultProceedTimeout = 30 * time.Second
	DefaultConfirmTimeout = 15 * time.Second
)

// Config is one network's migration settings.
type Config struct {
	// Policy is the target policy (section 4); "" means PolicyAny.
	Policy Policy
	// ConfiguredHost is the host of the configured server: the base of
	// PolicySameDomain, and what a fallback Reconnect goes to (named in the
	// Failed event's Recovery).
	ConfiguredHost string
	// STS reports a policy (learned or pinned) for a host: when ok, the
	// target is dialled with TLS on port whatever START says. Nil means no
	// policies.
	STS func(host string) (port int, ok bool)
	// DialTimeout bounds step 2, ProceedTimeout step 4 and ConfirmTimeout
	// step 5. Zero means the defaults (10 s, 30 s, 15 s).
	DialTimeout    time.Duration
	ProceedTimeout time.Duration
	ConfirmTimeout time.Duration
}

// State is where a migration stands. Every step and failure row of
// SPEC.md section 3 is a transition between these.
type State int

const (
	// Idle: no migration; the driver sends lines to the current link itself.
	Idle State = iota
	// Dialling: START accepted, the target is being opened (step 2). Lines
	// still go to OLD directly: OLD processes everything before OK.
	Dialling
	// Window: OK sent, waiting for PROCEED (steps 3-4). Lines are queued.
	Window
	// Resuming: RESUME sent on NEW, waiting for CONFIRM (step 5). Lines are
	// queued.
	Resuming
	// Reconnecting: the migration failed after PROCEED; the driver is doing
	// an ordinary reconnect to the configured server. Lines are queued until
	// Reconnected.
	Reconnecting
)

func (s State) String() string {
	switch s {
	case Idle:
		return "idle"
	case Dialling:
		return "dialling"
	case Window:
		return "window"
	case Resuming:
		return "resuming"
	case Reconnecting:
		return "reconnecting"
	}
	return "unknown"
}

// NAK reasons sent to OLD (SPEC.md names "target unreachable" and
// "insecure target"; the others follow their style).
const (
	nakBadFields   = "invalid parameters"
	nakInProgress  = "migration in progress"
	nakNever       = "migration disabled"
	nakDomain      = "target not allowed"
	nakInsecure    = "insecure target"
	nakUnreachable = "target unreachable"
	nakCertificate = "target certificate not trusted"
)

// Machine is one network's migration state. It is not safe for concurrent
// use: one goroutine (the connection owner) calls every input and applies
// the returned actions, in order, before calling the next input. T is the
// driver's queued item (e.g. session.Outgoing); the machine never looks at
// it.
type Machine[T any] struct {
	cfg   Config
	state State

	// The migration under way (zero in Idle).
	resume, confirm string
	target          string // display name of NEW
	hostport        string // NEW as dialled
	oldName         string // OLD's name for "stayed on ..."
	dial            DialID // the target connection's dial; 0 when none is held
	newOpen         bool   // the target connection is open (DialDone ok, not lost)
	okAt            time.Time
	failure         string // Reconnecting: why the migration failed

	timer    TimerID // the one running timer; zero when none
	timerGen uint64
	dialGen  uint64

	queue []T
}

// NewMachine returns an Idle machine for cfg, with zero timeouts replaced
// by the defaults.
func NewMachine[T any](cfg Config) *Machine[T] {
	if cfg.Policy == "" {
		cfg.Policy = PolicyAny
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = DefaultDialTimeout
	}
	if cfg.ProceedTimeout <= 0 {
		cfg.ProceedTimeout = DefaultProceedTimeout
	}
	if cfg.ConfirmTimeout <= 0 {
		cfg.ConfirmTimeout = DefaultConfirmTimeout
	}
	return &Machine[T]{cfg: cfg}
}

// State reports where the migration stands.
func (m *Machine[T]) State() State { return m.state }

// Holding reports whether user lines must be given to Submit rather than
// sent (Window, Resuming, Reconnecting).
func (m *Machine[T]) Holding() bool { return m.state >= Window }

// Queued is the number of items held for the next Flush.
func (m *Machine[T]) Queued() int { return len(m.queue) }

// Submit offers a line the user typed or an automatic reply. While Holding
// the machine queues it, in order, and returns true: it comes back exactly
// once in a Flush (or from Abandon). Otherwise it returns false and the
// driver sends it itself.
func (m *Machine[T]) Submit(item T) bool {
	if !m.Holding() {
		return false
	}
	m.queue = append(m.queue, item)
	return true
}

// Start handles `MIGRATE START` from the current link (step 1 and section
// 4). oldTLS says whether that link uses TLS (the no-downgrade rule). A START
// whose resume token does not parse cannot be answered and is only warned
// about; any other bad field, a START during a migration, and a refused
// target are answered with NAK. An acceptable target is dialled.
func (m *Machine[T]) Start(now time.Time, msg *irc.Message, oldTLS bool) []Action {
	if msg == nil {
		return nil
	}
	s, err := parseStart(msg)
	if s.resume == "" {
		return []Action{Warn{Text: "ignored MIGRATE START: " + err.Error()}}
	}
	if m.state != Idle {
		return []Action{
			m.nak(s.resume, nakInProgress),
			Warn{Text: "declined a second MIGRATE START: a migration is already under way"},
		}
	}
	old := ""
	if msg.Prefix != nil {
		old = msg.Prefix.Name
	}
	if old == "" || !validServerName(old) {
		old = m.cfg.ConfiguredHost
	}
	if err != nil {
		m.target = s.target()
		return append([]Action{
			Warn{Text: "declined MIGRATE START: " + err.Error()},
		}, m.decline(now, s.resume, nakBadFields, "the server's migration offer was malformed ("+err.Error()+")")...)
	}
	m.target = s.target()
	m.hostport = net.JoinHostPort(s.host, strconv.Itoa(s.port))
	switch {
	case m.cfg.Policy == PolicyNever:
		return m.decline(now, s.resume, nakNever, "migration is disabled for this network (migrate = never)")
	case m.cfg.Policy == PolicySameDomain && !sameDomain(s.host, m.cfg.ConfiguredHost):
		return m.decline(now, s.resume, nakDomain, fmt.Sprintf("%s is outside the domain of %s (migrate = same-domain)", s.host, m.cfg.ConfiguredHost))
	}
	useTLS, port := s.tls, s.port
	if m.cfg.STS != nil {
		if p, ok := m.cfg.STS(s.host); ok {
			useTLS = true
			if p >= 1 && p <= 65535 {
				port = p
			}
		}
	}
	if oldTLS && !useTLS {
		return m.decline(now, s.resume, nakInsecure, fmt.Sprintf("%s offered a plaintext connection while this one uses TLS", m.target))
	}
	m.hostport = net.JoinHostPort(s.host, strconv.Itoa(port))
	m.resume, m.confirm, m.oldName = s.resume, s.confirm, old
	m.dialGen++
	m.dial = DialID(m.dialGen)
	m.state = Dialling
	sni := s.host
	if isIP(s.host) {
		sni = ""
	}
	return []Action{
		m.emit(now, event.MigrationOffered, "", ""),
		Dial{ID: m.dial, Host: s.host, Port: port, TLS: useTLS, ServerName: sni, Timeout: m.cfg.DialTimeout},
		m.startTimer(TimerDial, m.cfg.DialTimeout),
	}
}

// DialDone reports the outcome of Dial id (step 2). On success, with the
// connection kept under id, the machine sends OK and opens the window; on
// failure it sends NAK and stays on OLD. A result for a dial the machine no
// longer wants (it timed out, the migration ended) is answered with
// CloseNew{id} when a connection was opened, else ignored. Report each dial
// once: a repeated report of the current target is ignored.
func (m *Machine[T]) DialDone(now time.Time, id DialID, err error) []Action {
	if id == 0 || id == m.dial && m.state != Dialling {
		// Not a dial of ours, or a second report of the target we hold:
		// nothing to do (closing would close our own target).
		return nil
	}
	if id != m.dial {
		if err == nil {
			return []Action{CloseNew{ID: id}}
		}
		return nil
	}
	acts := m.stopTimer()
	if err != nil {
		m.dial = 0 // nothing was opened
		nak, why := dialFailure(m.hostport, err)
		return append(acts, m.decline(now, m.resume, nak, why)...)
	}
	m.newOpen = true
	m.okAt = now
	m.state = Window
	return append(acts,
		Send{To: LinkOld, Msg: &irc.Message{Command: "MIGRATE", Params: []string{"OK", m.resume}}},
		m.emit(now, event.MigrationAccepted, "", ""),
		m.startTimer(TimerProceed, m.cfg.ProceedTimeout),
	)
}

// dialFailure classifies a dial error: a certificate that did not verify,
// or anything else (refused, timed out, handshake failed).
func dialFailure(hostport string, err error) (nak, why string) {
	var cve *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	if errors.As(err, &cve) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) {
		return nakCertificate, fmt.Sprintf("the certificate of %s was not trusted: %s", hostport, reason(err))
	}
	return nakUnreachable, fmt.Sprintf("could not connect to %s: %s", hostport, reason(err))
}

// reason is err's text without the address when err can say it (net/transport's
// Dial errors have a Reason), since the sentences above name hostport
// themselves.
func reason(err error) string {
	var r interface{ Reason() string }
	if errors.As(err, &r) {
		return r.Reason()
	}
	return err.Error()
}

// Timer reports that the timer id fired. Only the current timer counts; a
// stale one (stopped, superseded, or from a previous migration) is ignored.
func (m *Machine[T]) Timer(now time.Time, id TimerID) []Action {
	if id.Gen == 0 || id != m.timer {
		return nil
	}
	m.timer = TimerID{}
	switch id.Kind {
	case TimerDial:
		acts := m.closeNew()
		return append(acts, m.decline(now, m.resume, nakUnreachable,
			fmt.Sprintf("%s did not answer within %s", m.hostport, m.cfg.DialTimeout))...)
	case TimerProceed:
		return m.stayOnOld(now, fmt.Sprintf("%s did not hand the session over within %s", m.oldName, m.cfg.ProceedTimeout))
	case TimerConfirm:
		return m.fallback(now, fmt.Sprintf("%s did not confirm within %s", m.target, m.cfg.ConfirmTimeout))
	}
	return nil
}

// Line handles a MIGRATE or FAIL MIGRATE line read from link from (other
// lines return nil). The driver passes only lines of the link it currently
// holds in that role. A START from LinkOld is handled as Start with oldTLS
// true, the strict assumption; drivers should call Start themselves with
// the link's real TLS state.
func (m *Machine[T]) Line(now time.Time, from Link, msg *irc.Message) []Action {
	switch {
	case msg == nil:
		return nil
	case msg.Command == "FAIL" && msg.Param(0) == "MIGRATE":
		return m.fail(now, from, msg)
	case msg.Command != "MIGRATE":
		return nil
	}
	sub := strings.ToUpper(msg.Param(0))
	switch sub {
	case "START":
		if from == LinkOld {
			return m.Start(now, msg, true)
		}
	case "PROCEED":
		if from == LinkOld && m.state == Window {
			if !tokenEqual(msg.Param(1), m.resume) {
				return []Action{Warn{Text: "ignored MIGRATE PROCEED: its token does not match the migration under way"}}
			}
			if !m.newOpen {
				return m.fallback(now, fmt.Sprintf("the connection to %s was lost before the hand-over", m.target))
			}
			return m.proceed(now)
		}
	case "CONFIRM":
		if from == LinkNew && m.state == Resuming {
			if !tokenEqual(msg.Param(1), m.confirm) {
				return m.fallback(now, fmt.Sprintf("%s sent a confirmation that does not match; the connection is not trusted", m.target))
			}
			return m.resumed(now)
		}
	}
	return []Action{Warn{Text: fmt.Sprintf("ignored unexpected MIGRATE %s from the %s server", word(sub), linkRole(from))}}
}

// fail handles FAIL MIGRATE <code> [<context>...] :<description>.
func (m *Machine[T]) fail(now time.Time, from Link, msg *irc.Message) []Action {
	code := msg.Param(1)
	switch code {
	case "ABORTED":
		if from == LinkOld && (m.state == Dialling || m.state == Window) && len(msg.Params) >= 3 && tokenEqual(msg.Param(2), m.resume) {
			if m.state == Dialling {
				// The server withdrew its offer before our OK: nothing to
				// NAK, nothing queued.
				acts := append(m.stopTimer(), m.closeNew()...)
				acts = append(acts, m.emit(now, event.MigrationDeclined, "the server withdrew its migration offer", ""))
				m.reset()
				return acts
			}
			return m.stayOnOld(now, fmt.Sprintf("%s aborted the migration", m.oldName))
		}
	case "INVALID_TOKEN":
		if from == LinkNew && m.state == Resuming {
			return m.fallback(now, fmt.Sprintf("%s did not recognise the session", m.target))
		}
	case "UNKNOWN_SERVER":
		if from == LinkOld {
			return []Action{Info{Text: fmt.Sprintf("cannot migrate: the network has no server named %q", m.scrub(msg.Param(2)))}}
		}
	case "NOT_ALLOWED":
		if from == LinkOld {
			return []Action{Info{Text: fmt.Sprintf("cannot migrate to %q: the server does not allow it", m.scrub(msg.Param(2)))}}
		}
	case "IN_PROGRESS":
		if from == LinkOld {
			return []Action{Info{Text: "cannot migrate: a migration is already under way"}}
		}
	default:
		if from == LinkOld {
			// Neither the code nor the description is shown: a code we do
			// not know may carry a token in any parameter.
			return []Action{Info{Text: "the server refused the migration request"}}
		}
	}
	return []Action{Warn{Text: fmt.Sprintf("ignored unexpected FAIL MIGRATE %s from the %s server", word(code), linkRole(from))}}
}

// OldLost reports that the current link (OLD) dropped. It returns true when
// the machine takes over (the driver must not start its own reconnect nor
// touch the queue; a Reconnect action, now or later, says when to
// reconnect) and false when the driver should handle the loss as usual.
//   - Idle: false, nothing to do.
//   - Dialling: the offer is abandoned (target closed), false.
//   - Window: treated as after PROCEED (OLD may have handed over): RESUME on
//     NEW, or, with NEW lost too, a fallback Reconnect; true.
//   - Resuming: expected (OLD closes after PROCEED); true.
//   - Reconnecting: the fresh connection failed; keep retrying the fallback
//     reconnect with backoff and call Reconnected when it succeeds; true.
func (m *Machine[T]) OldLost(now time.Time) ([]Action, bool) {
	switch m.state {
	case Dialling:
		acts := append(m.stopTimer(), m.closeNew()...)
		acts = append(acts, m.emit(now, event.MigrationDeclined, fmt.Sprintf("the connection to %s was lost before the move was accepted", m.oldName), ""))
		m.reset()
		return acts, false
	case Window:
		if !m.newOpen {
			return m.fallback(now, fmt.Sprintf("the connections to %s and %s were both lost", m.oldName, m.target)), true
		}
		return append([]Action{Warn{Text: fmt.Sprintf("lost %s during the migration window; resuming on %s", m.oldName, m.target)}}, m.proceed(now)...), true
	case Resuming, Reconnecting:
		return nil, true
	}
	return nil, false
}

// NewLost reports that the target connection (the one of the current Dial,
// not yet promoted) dropped by itself; a connection the driver closed on
// CloseNew is not reported.
//   - Dialling: as a failed dial: NAK target unreachable.
//   - Window: the move can no longer complete; keep waiting: ABORTED or the
//     proceed timeout keep the session on OLD, PROCEED leads to a fallback
//     Reconnect.
//   - Resuming: fallback Reconnect.
//   - otherwise: nothing (after Promote the link is OLD: use OldLost).
func (m *Machine[T]) NewLost(now time.Time) []Action {
	switch m.state {
	case Dialling:
		acts := append(m.stopTimer(), m.closeNew()...)
		return append(acts, m.decline(now, m.resume, nakUnreachable, fmt.Sprintf("the connection to %s was lost before the move was accepted", m.hostport))...)
	case Window:
		if !m.newOpen {
			return nil
		}
		acts := m.closeNew()
		return append(acts, Warn{Text: fmt.Sprintf("lost the connection to %s during the migration window; waiting for %s", m.target, m.oldName)})
	case Resuming:
		return m.fallback(now, fmt.Sprintf("the connection to %s was lost", m.target))
	}
	return nil
}

// Reconnected reports that the fallback reconnect (after a Reconnect
// action) is registered and has rejoined: the queue is flushed to the
// fresh link and the machine is Idle again. In other states it does
// nothing.
func (m *Machine[T]) Reconnected(now time.Time) []Action {
	if m.state != Reconnecting {
		return nil
	}
	acts := m.flush()
	acts = append(acts, m.emit(now, event.MigrationFailed, m.failure, "reconnected to "+m.cfg.ConfiguredHost))
	m.reset()
	return acts
}

// Abandon ends any migration because the user quit, disconnected or asked
// for a reconnect, or the network is being closed. It returns the queued
// items (the driver fails them or keeps them for its own offline queue; they
// count as handed back, never flushed later) and the actions to clean up
// (stop the timer, close the target, tell the UI).
func (m *Machine[T]) Abandon(now time.Time) ([]T, []Action) {
	if m.state == Idle {
		return nil, nil
	}
	acts := append(m.stopTimer(), m.closeNew()...)
	acts = append(acts, m.emit(now, event.MigrationFailed, "the migration was cancelled", "the connection was closed"))
	items := m.queue
	m.queue = nil
	m.reset()
	return items, acts
}

// proceed is step 4: RESUME on NEW, wait for CONFIRM.
func (m *Machine[T]) proceed(now time.Time) []Action {
	acts := m.stopTimer()
	m.state = Resuming
	return append(acts,
		Send{To: LinkNew, Msg: &irc.Message{Command: "MIGRATE", Params: []string{"RESUME", m.resume}}},
		m.startTimer(TimerConfirm, m.cfg.ConfirmTimeout),
		m.emit(now, event.MigrationProceeding, "", ""),
	)
}

// resumed is step 5 with a matching token: NEW becomes current, the queue
// goes to it.
func (m *Machine[T]) resumed(now time.Time) []Action {
	acts := m.stopTimer()
	acts = append(acts, Promote{ID: m.dial})
	m.dial, m.newOpen = 0, false
	acts = append(acts, m.flush()...)
	ev := m.emit(now, event.MigrationResumed, "", "")
	ev.Event.Window = now.Sub(m.okAt)
	m.reset()
	return append(acts, ev)
}

// stayOnOld is the failure row "after OK, before PROCEED": the session is
// still on OLD; close NEW and send the queue to OLD.
func (m *Machine[T]) stayOnOld(now time.Time, why string) []Action {
	acts := append(m.stopTimer(), m.closeNew()...)
	acts = append(acts, m.flush()...)
	acts = append(acts, m.emit(now, event.MigrationFailed, why, "stayed on "+m.oldName))
	m.reset()
	return acts
}

// fallback is the failure row "after PROCEED": close NEW, reconnect to the
// configured server, keep queueing until Reconnected.
func (m *Machine[T]) fallback(_ time.Time, why string) []Action {
	acts := append(m.stopTimer(), m.closeNew()...)
	m.state = Reconnecting
	m.failure = why
	m.resume, m.confirm = "", ""
	return append(acts,
		Warn{Text: fmt.Sprintf("migration to %s failed: %s; reconnecting to %s", m.target, why, m.cfg.ConfiguredHost)},
		Reconnect{Reason: "migration failed: " + why},
	)
}

// decline answers START with NAK and returns to Idle (failure row "before
// OK"). The caller has closed the target, if any.
func (m *Machine[T]) decline(now time.Time, resume, nak, why string) []Action {
	acts := []Action{m.nak(resume, nak), m.emit(now, event.MigrationDeclined, why, "")}
	m.reset()
	return acts
}

func (m *Machine[T]) nak(resume, reason string) Action {
	return Send{To: LinkOld, Msg: &irc.Message{Command: "MIGRATE", Params: []string{"NAK", resume, reason}}}
}

func (m *Machine[T]) emit(now time.Time, step event.MigrationStep, reason, recovery string) Emit {
	return Emit{Event: event.Migration{
		Meta:     event.Meta{Time: now},
		Step:     step,
		Target:   m.target,
		Host:     m.hostport,
		Reason:   reason,
		Recovery: recovery,
	}}
}

func (m *Machine[T]) startTimer(kind TimerKind, after time.Duration) Action {
	m.timerGen++
	m.timer = TimerID{Kind: kind, Gen: m.timerGen}
	return StartTimer{ID: m.timer, After: after}
}

func (m *Machine[T]) stopTimer() []Action {
	if m.timer.Gen == 0 {
		return nil
	}
	id := m.timer
	m.timer = TimerID{}
	return []Action{StopTimer{ID: id}}
}

func (m *Machine[T]) closeNew() []Action {
	if m.dial == 0 {
		return nil
	}
	id := m.dial
	m.dial, m.newOpen = 0, false
	return []Action{CloseNew{ID: id}}
}

func (m *Machine[T]) flush() []Action {
	if len(m.queue) == 0 {
		return nil
	}
	items := m.queue
	m.queue = nil
	return []Action{Flush[T]{Items: items}}
}

// reset returns to Idle, forgetting the migration. The queue must already
// be empty (flushed or handed back).
func (m *Machine[T]) reset() {
	m.state = Idle
	m.resume, m.confirm, m.target, m.hostport, m.oldName, m.failure = "", "", "", "", "", ""
	m.dial, m.newOpen = 0, false
	m.okAt = time.Time{}
}

// scrub bounds server text we echo (the server name of a FAIL reply) and
// masks the tokens of the migration under way, should a server put one
// there.
func (m *Machine[T]) scrub(s string) string {
	for _, t := range []string{m.resume, m.confirm} {
		if t != "" {
			s = strings.ReplaceAll(s, t, Masked)
		}
	}
	return clip(s)
}

// tokenEqual compares tokens in constant time (for equal lengths), so a
// forged CONFIRM learns nothing from our timing.
func tokenEqual(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func linkRole(l Link) string {
	if l == LinkNew {
		return "target"
	}
	return "current"
}

// clip bounds server-chosen text in our messages, at a rune boundary.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// word echoes a server-chosen subcommand or FAIL code only when it is one
// the protocol defines, so a token sent in its place is never shown.
func word(s string) string {
	switch s {
	case "START", "OK", "NAK", "PROCEED", "RESUME", "CONFIRM", "REQUEST",
		"UNKNOWN_SERVER", "NOT_ALLOWED", "IN_PROGRESS", "ABORTED", "INVALID_TOKEN":
		return s
	}
	return "(unknown)"
}
