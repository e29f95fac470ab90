// Package typing holds the rules of typing notifications (the IRCv3
// +typing client tag) on both sides: Sender decides, from the input
// line's changes and the clock, which notification goes to which target
// and when; Shown remembers who is typing where and expires them. Both
// are pure: the time is passed in, the root model keeps the timers and
// sends the notifications. Targets and buffers are opaque keys to this
// package; it never imports net/.
package typing

import (
	"sort"
	"strings"
	"time"
)

// The spec's numbers.
const (
	// Throttle: no notification within this long of another one to the
	// same target.
	Throttle = 3 * time.Second
	// ActiveFor and PausedFor: how long a received active or paused
	// holds without a new notification.
	ActiveFor = 6 * time.Second
	PausedFor = 30 * time.Second
	// PauseAfter is how long without a change to the input line, text
	// still in it, before we say paused.
	PauseAfter = 5 * time.Second
)

// The states, as the tag spells them.
const (
	Active = "active"
	Paused = "paused"
	Done   = "done"
)

// Note is one notification to send.
type Note struct {
	Target string
	State  string
}

// Sender is the sending side, one per program, keyed by target.
type Sender struct {
	targets map[string]*sent
}

type sent struct {
	state   string    // the last state sent ("" none, or after a message)
	at      time.Time // when it was sent
	input   time.Time // the last change to the input line for this target
	text    bool      // the input line holds text for this target
	pending string    // a state to send once the throttle allows
}

// IsText reports whether line, as typed, would be sent as text: not empty
// and not a /command ("//" sends a line starting with "/").
func IsText(line string) bool {
	if strings.TrimSpace(line) == "" {
		return false
	}
	return !strings.HasPrefix(line, "/") || strings.HasPrefix(line, "//")
}

func (s *Sender) get(target string) *sent {
	if s.targets == nil {
		s.targets = make(map[string]*sent)
	}
	t := s.targets[target]
	if t == nil {
		t = &sent{}
		s.targets[target] = t
	}
	return t
}

// Changed is called when the input line for target changed to line at
// now; it returns what to send at once. Typing text says active (at most
// once per Throttle: a change inside it is sent when the throttle ends, by
// Tick); clearing the text without sending says done, once.
func (s *Sender) Changed(target, line string, now time.Time) []Note {
	t := s.get(target)
	t.input = now
	t.text = IsText(line)
	want := Active
	if !t.text {
		if t.state == "" || t.state == Done {
			t.pending = ""
			return nil // nothing was said, nothing to take back
		}
		want = Done
	}
	if want == Active && t.state == Active && now.Sub(t.at) < Throttle {
		t.pending = Active // still typing: renewed when the throttle ends
		return nil
	}
	return s.say(target, t, want, now)
}

// say sends want now, or leaves it pending while the throttle holds.
func (s *Sender) say(target string, t *sent, want string, now time.Time) []Note {
	if !t.at.IsZero() && now.Sub(t.at) < Throttle {
		t.pending = want
		return nil
	}
	t.state, t.at, t.pending = want, now, ""
	return []Note{{Target: target, State: want}}
}

// Sent is called when a message went to target: the message itself ends
// the typing for its receivers, so nothing more is said until the next
// change (and that waits for the throttle like any other).
func (s *Sender) Sent(target string) {
	if t := s.targets[target]; t != nil {
		t.state, t.pending, t.text = "", "", false
	}
}

// Tick returns what is due at now: a notification the throttle held, or
// paused when the input line kept its text for PauseAfter without a
// change.
func (s *Sender) Tick(now time.Time) []Note {
	var out []Note
	for _, target := range s.keys() {
		t := s.targets[target]
		switch {
		case t.pending == Active && !t.text:
			t.pending = ""
		case t.pending != "" && now.Sub(t.at) >= Throttle:
			if t.pending == Active && now.Sub(t.input) >= PauseAfter {
				t.pending = Paused
			}
			out = append(out, s.say(target, t, t.pending, now)...)
		case t.pending == "" && t.state == Active && t.text && now.Sub(t.input) >= PauseAfter && now.Sub(t.at) >= Throttle:
			out = append(out, s.say(target, t, Paused, now)...)
		}
		if (t.state == Done || t.state == "") && t.pending == "" && now.Sub(t.at) >= Throttle {
			delete(s.targets, target) // said and settled
		}
	}
	return out
}

// Next is when Tick next has something to do after now (zero: nothing
// waits).
func (s *Sender) Next() time.Time {
	var next time.Time
	for _, t := range s.targets {
		var at time.Time
		switch {
		case t.pending != "":
			at = t.at.Add(Throttle)
		case t.state == Active && t.text:
			at = t.input.Add(PauseAfter)
			if a := t.at.Add(Throttle); a.After(at) {
				at = a
			}
		default:
			continue
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

func (s *Sender) keys() []string {
	out := make([]string, 0, len(s.targets))
	for k := range s.targets {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Shown is the receiving side: who is typing in which buffer, until when.
type Shown struct {
	bufs map[string]map[string]typist // buffer -> folded nick -> typist
}

type typist struct {
	nick  string
	until time.Time
}

// maxTypists bounds the typists kept per buffer (a channel of thousands
// must not grow this without bound).
const maxTypists = 64

// Set records nick's notification in buffer at now: active holds for
// ActiveFor, paused for PausedFor, done clears at once. key is nick as the
// network folds it.
func (sh *Shown) Set(buffer, key, nick, state string, now time.Time) {
	var d time.Duration
	switch state {
	case Active:
		d = ActiveFor
	case Paused:
		d = PausedFor
	default:
		sh.Clear(buffer, key)
		return
	}
	if sh.bufs == nil {
		sh.bufs = make(map[string]map[string]typist)
	}
	b := sh.bufs[buffer]
	if b == nil {
		b = make(map[string]typist)
		sh.bufs[buffer] = b
	}
	if _, ok := b[key]; !ok && len(b) >= maxTypists {
		return
	}
	b[key] = typist{nick: nick, until: now.Add(d)}
}

// Clear forgets nick (by key) in buffer: a message from them arrived, or
// they left.
func (sh *Shown) Clear(buffer, key string) {
	if b := sh.bufs[buffer]; b != nil {
		delete(b, key)
		if len(b) == 0 {
			delete(sh.bufs, buffer)
		}
	}
}

// ClearEverywhere forgets key in every buffer whose name starts with
// prefix (one network's buffers): they quit.
func (sh *Shown) ClearEverywhere(prefix, key string) {
	for name := range sh.bufs {
		if strings.HasPrefix(name, prefix) {
			sh.Clear(name, key)
		}
	}
}

// Who lists the nicks typing in buffer at now, sorted. It only reads
// (View may call it); Prune drops the expired.
func (sh *Shown) Who(buffer string, now time.Time) []string {
	var out []string
	for _, t := range sh.bufs[buffer] {
		if now.Before(t.until) {
			out = append(out, t.nick)
		}
	}
	sort.Strings(out)
	return out
}

// Prune forgets every notification expired at now.
func (sh *Shown) Prune(now time.Time) {
	for name, b := range sh.bufs {
		for k, t := range b {
			if !now.Before(t.until) {
				delete(b, k)
			}
		}
		if len(b) == 0 {
			delete(sh.bufs, name)
		}
	}
}

// Next is the earliest expiry still to come (zero: none), when the
// display must change.
func (sh *Shown) Next() time.Time {
	var next time.Time
	for _, b := range sh.bufs {
		for _, t := range b {
			if next.IsZero() || t.until.Before(next) {
				next = t.until
			}
		}
	}
	return next
}

// Line says who is typing, for the status bar: "" when nobody is.
func Line(nicks []string) string {
	switch len(nicks) {
	case 0:
		return ""
	case 1:
		return nicks[0] + " is typing…"
	case 2:
		return nicks[0] + " and " + nicks[1] + " are typing…"
	case 3:
		return nicks[0] + ", " + nicks[1] + " and " + nicks[2] + " are typing…"
	}
	return "several people are typing…"
}
