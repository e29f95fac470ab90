package chatlog

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// netState is what the writer remembers per network to place lines.
type netState struct {
	nick      string       // our nick, for Self lines without From
	chanTypes string       // from ISUPPORT CHANTYPES
	casemap   ircx.Casemap // the session's (event.ISupport): which buffers share a file
	sent      map[uint64]*sentLine
	order     []uint64 // sent keys, oldest first, for the bound
}

// sentLine remembers our typed line LocalID. Its lines are held until the
// connection reports Delivered (then logged as sent, at the time typed) or
// Failed (then logged as not sent). parts are the lines of it (by
// event.Message.Part) already announced, so the server's echo of one (Echo,
// as the session matched it) is not logged a second time.
type sentLine struct {
	buffer    string
	held      []heldLine
	delivered bool
	parts     map[int]bool
}

// heldLine is one line of ours waiting for its Delivered: the log text
// ("<me> hello") and the time it was typed.
type heldLine struct {
	t    time.Time
	line string
}

// NotSent starts the log line of one of our lines that never reached the
// server (Failed, or still waiting when ferry ended):
//
//	2026-11-26 14:03:17 -!- not sent: <me> my line
const NotSent = "-!- not sent: "

// maxSent bounds the remembered LocalIDs per network.
const maxSent = 4096

func (w *Writer) net(name string) *netState {
	ns := w.networks[name]
	if ns == nil {
		ns = &netState{chanTypes: "#&", sent: map[uint64]*sentLine{}}
		w.networks[name] = ns
	}
	return ns
}

func (ns *netState) isChannel(target string) bool {
	return target != "" && strings.IndexByte(ns.chanTypes, target[0]) >= 0
}

// write turns one event into log lines.
func (w *Writer) write(ev event.Event) {
	switch e := ev.(type) {
	case event.Message:
		w.message(e)
	case event.Join:
		who := e.Nick
		if e.UserHost != "" {
			who += " (" + e.UserHost + ")"
		}
		w.line(e.Network, e.Channel, e.Time, fmt.Sprintf("--> %s has joined %s", plain(who), plain(e.Channel)))
	case event.Part:
		w.line(e.Network, e.Channel, e.Time, fmt.Sprintf("<-- %s has left %s%s", plain(e.Nick), plain(e.Channel), reason(e.Reason)))
	case event.Quit:
		for _, ch := range e.Channels {
			w.line(e.Network, ch, e.Time, fmt.Sprintf("<-- %s has quit%s", plain(e.Nick), reason(e.Reason)))
		}
	case event.Kick:
		w.line(e.Network, e.Channel, e.Time, fmt.Sprintf("<-- %s was kicked from %s by %s%s", plain(e.Nick), plain(e.Channel), plain(e.By), reason(e.Reason)))
	case event.NickChange:
		ns := w.net(e.Network)
		if e.Self {
			ns.nick = e.New
			w.line(e.Network, "", e.Time, fmt.Sprintf("-!- You are now known as %s", plain(e.New)))
		}
		for _, ch := range e.Channels {
			w.line(e.Network, ch, e.Time, fmt.Sprintf("-!- %s is now known as %s", plain(e.Old), plain(e.New)))
		}
	case event.HostChange:
		for _, ch := range e.Channels {
			w.line(e.Network, ch, e.Time, fmt.Sprintf("-!- %s changed host to %s@%s", plain(e.Nick), plain(e.User), plain(e.Host)))
		}
	case event.RealnameChange:
		for _, ch := range e.Channels {
			w.line(e.Network, ch, e.Time, fmt.Sprintf("-!- %s changed realname to %s", plain(e.Nick), plain(e.Realname)))
		}
	case event.Topic:
		switch {
		case e.Changed:
			w.line(e.Network, e.Channel, e.Time, fmt.Sprintf("-!- %s changed the topic of %s to: %s", plain(e.SetBy), plain(e.Channel), plain(e.Topic)))
		default:
			w.line(e.Network, e.Channel, e.Time, fmt.Sprintf("-!- Topic for %s: %s", plain(e.Channel), plain(e.Topic)))
			if e.SetBy != "" {
				set := plain(e.SetBy)
				if !e.SetAt.IsZero() {
					set += " [" + e.SetAt.In(w.opts.Location).Format("Mon Jan 02 15:04:05 2006") + "]"
				}
				w.line(e.Network, e.Channel, e.Time, "-!- Topic set by "+set)
			}
		}
	case event.Mode:
		buf := ""
		if w.net(e.Network).isChannel(e.Target) {
			buf = e.Target
		}
		modes := strings.TrimSpace(e.Modes + " " + strings.Join(e.Params, " "))
		by := ""
		if e.By != "" {
			by = " by " + plain(e.By)
		}
		w.line(e.Network, buf, e.Time, fmt.Sprintf("-!- mode/%s [%s]%s", plain(e.Target), plain(modes), by))
	case event.Invite:
		w.line(e.Network, "", e.Time, fmt.Sprintf("-!- %s invites %s to %s", plain(e.By), plain(e.Nick), plain(e.Channel)))
	case event.Info:
		w.line(e.Network, e.Buffer, e.Time, "-!- "+plain(e.Text))
	case event.Error:
		w.line(e.Network, "", e.Time, "-!- Error: "+plain(e.Text))
	case event.Registered:
		w.net(e.Network).nick = e.Nick
		w.line(e.Network, "", e.Time, fmt.Sprintf("-!- Connected to %s as %s", plain(e.ServerName), plain(e.Nick)))
	case event.ConnState:
		w.connState(e)
	case event.ISupport:
		ns := w.net(e.Network)
		if e.ChanTypes != "" {
			ns.chanTypes = e.ChanTypes
		}
		if e.Casemap != "" {
			ns.casemap, _ = ircx.ParseCasemap(e.Casemap)
		}
	case event.CTCP:
		if e.Reply {
			w.line(e.Network, "", e.Time, fmt.Sprintf("-!- CTCP %s reply from %s: %s", plain(e.Command), plain(e.From), plain(e.Args)))
		} else {
			w.line(e.Network, "", e.Time, fmt.Sprintf("-!- %s requested CTCP %s from %s", plain(e.From), plain(e.Command), plain(e.Target)))
		}
	case event.Migration:
		w.migration(e)
	case event.Delivered:
		w.net(e.Network).own(e.LocalID, "").delivered = true
		w.release(e.Network, e.LocalID, "")
	case event.Failed:
		ns := w.net(e.Network)
		if s, ok := ns.sent[e.LocalID]; ok {
			w.release(e.Network, e.LocalID, NotSent)
			w.line(e.Network, s.buffer, e.Time, "-!- Not delivered"+reason(e.Reason))
		}
	case event.Away, event.AccountChange, event.Names, event.Lag, event.Requeued:
		// Not logged: state for the UI, or noise in a log.
	default:
		// Pointer forms of the events above are logged the same way.
		if v := reflect.ValueOf(ev); v.Kind() == reflect.Pointer && !v.IsNil() {
			if inner, ok := v.Elem().Interface().(event.Event); ok {
				w.write(inner)
			}
		}
	}
}

func (w *Writer) message(m event.Message) {
	ns := w.net(m.Network)
	text := m.Text
	from := m.From
	if m.Self {
		if from == "" {
			from = ns.nick
		}
		target := m.Target
		if target == "" {
			target = m.Buffer
		}
		text = ircx.MaskServiceText(target, text)
	}
	// A multiline message is logged as one row per line, each with the
	// nick (line writes every row with the message's time).
	rows := strings.Split(text, "\n")
	for i, r := range rows {
		switch m.Kind {
		case event.Action:
			rows[i] = fmt.Sprintf("* %s %s", plain(from), plain(r))
		case event.Notice:
			rows[i] = fmt.Sprintf("-%s- %s", plain(from), plain(r))
		default:
			rows[i] = fmt.Sprintf("<%s> %s", plain(from), plain(r))
		}
	}
	s := strings.Join(rows, "\n")
	if m.Self && m.LocalID != 0 && !w.ownLine(ns, m, s) {
		return
	}
	w.line(m.Network, m.Buffer, m.Time, s)
}

// ownLine decides about one of our typed lines (LocalID set): it reports
// true when the line is to be logged now (its Delivered came first), and
// false when it is held until Delivered or Failed, or is the server's echo
// (Echo) of a line already held or logged. The session decided which line
// an echo is; no text is compared here.
func (w *Writer) ownLine(ns *netState, m event.Message, line string) bool {
	s := ns.own(m.LocalID, m.Buffer)
	w.forget(m.Network, ns)
	if m.Echo && s.parts[m.Part] {
		return false
	}
	s.parts[m.Part] = true
	if s.delivered {
		return true
	}
	t := m.Time
	if t.IsZero() {
		t = w.opts.Now()
	}
	s.held = append(s.held, heldLine{t: t, line: line})
	return false
}

// own returns what is remembered of our line id, remembering it (in
// buffer) when new; forget keeps the bound.
func (ns *netState) own(id uint64, buffer string) *sentLine {
	s := ns.sent[id]
	if s == nil {
		s = &sentLine{buffer: buffer, parts: map[int]bool{}}
		ns.sent[id] = s
		ns.order = append(ns.order, id)
	}
	if s.buffer == "" {
		s.buffer = buffer
	}
	return s
}

// release logs the held lines of our line id, each prefixed with mark
// ("" when delivered, NotSent when not), at the time it was typed.
func (w *Writer) release(network string, id uint64, mark string) {
	ns := w.net(network)
	s := ns.sent[id]
	if s == nil {
		return
	}
	for _, h := range s.held {
		w.line(network, s.buffer, h.t, mark+h.line)
	}
	s.held = nil
	w.forget(network, ns)
}

// forget drops the oldest remembered lines past maxSent, logging any still
// held as not sent: a log never claims a line was sent without knowing.
func (w *Writer) forget(network string, ns *netState) {
	for len(ns.order) > maxSent {
		id := ns.order[0]
		ns.order = ns.order[1:]
		s := ns.sent[id]
		delete(ns.sent, id)
		if s != nil {
			for _, h := range s.held {
				w.line(network, s.buffer, h.t, NotSent+h.line)
			}
		}
	}
}

// unsent logs every line still held (ferry is ending: they were never
// delivered) as not sent.
func (w *Writer) unsent() {
	for name, ns := range w.networks {
		for _, id := range ns.order {
			if s := ns.sent[id]; s != nil && len(s.held) > 0 {
				w.release(name, id, NotSent)
			}
		}
	}
}

func (w *Writer) connState(e event.ConnState) {
	var s string
	switch e.State {
	case event.StateConnecting:
		tls := ""
		if e.TLS {
			tls = " (TLS)"
		}
		s = fmt.Sprintf("-!- Connecting to %s%s", plain(e.Server), tls)
	case event.StateWaiting:
		s = fmt.Sprintf("-!- Connection lost%s; retrying in %s", reason(e.Reason), e.RetryIn.Round(time.Second))
	case event.StateDisconnected:
		s = "-!- Disconnected" + reason(e.Reason)
	default:
		return // registering/registered: Registered says it better
	}
	w.line(e.Network, "", e.Time, s)
}

func (w *Writer) migration(e event.Migration) {
	target := plain(e.Target)
	var s string
	switch e.Step {
	case event.MigrationResumed:
		s = fmt.Sprintf("-!- Moved to %s (window %s)", target, e.Window)
	case event.MigrationDeclined:
		s = fmt.Sprintf("-!- Declined a move to %s%s", target, reason(e.Reason))
	case event.MigrationFailed:
		s = fmt.Sprintf("-!- Move to %s failed%s", target, reason(e.Reason))
		if e.Recovery != "" {
			s += "; " + plain(e.Recovery)
		}
	default:
		return // offered/accepted/proceeding: the outcome is what matters in a log
	}
	w.line(e.Network, "", e.Time, s)
}

func reason(r string) string {
	if r == "" {
		return ""
	}
	return " (" + plain(r) + ")"
}

// plain removes mIRC formatting codes and replaces other control
// characters (C0, DEL, C1, bidi overrides and isolates) with U+FFFD, so a
// log line is one line of inert text.
func plain(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidi(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch c {
		case 0x02, 0x0f, 0x11, 0x16, 0x1d, 0x1e, 0x1f: // bold, reset, monospace, reverse, italic, strike, underline
			i++
			continue
		case 0x03: // colour: \x03[fg[,bg]] with 1-2 digit numbers
			i++
			fg := digits(s[i:], 2)
			i += fg
			if fg > 0 && i+1 < len(s) && s[i] == ',' && isDigit(s[i+1]) {
				i++
				i += digits(s[i:], 2)
			}
			continue
		case 0x04: // hex colour: \x04[RRGGBB[,RRGGBB]]
			i++
			if hexRun(s[i:]) >= 6 {
				i += 6
				if i+6 < len(s) && s[i] == ',' && hexRun(s[i+1:]) >= 6 {
					i += 7
				}
			}
			continue
		}
		r, size := decodeRune(s[i:])
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isBidi(r) {
			b.WriteRune('\uFFFD')
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digits(s string, max int) int {
	n := 0
	for n < len(s) && n < max && isDigit(s[n]) {
		n++
	}
	return n
}

func hexRun(s string) int {
	n := 0
	for n < len(s) && n < 6 && (isDigit(s[n]) || s[n] >= 'a' && s[n] <= 'f' || s[n] >= 'A' && s[n] <= 'F') {
		n++
	}
	return n
}
