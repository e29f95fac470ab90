package migrate

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// render turns an action into one line, so tests can compare whole action
// lists exactly and failures read like a transcript.
func render(a Action) string {
	switch a := a.(type) {
	case Dial:
		mode := "plain"
		if a.TLS {
			mode = "tls"
		}
		return fmt.Sprintf("dial %d %s:%d %s sni=%s %s", a.ID, a.Host, a.Port, mode, a.ServerName, a.Timeout)
	case Send:
		return fmt.Sprintf("send %s %s", a.To, a.Msg.String())
	case CloseNew:
		return fmt.Sprintf("close-new %d", a.ID)
	case Promote:
		return fmt.Sprintf("promote %d", a.ID)
	case Reconnect:
		return "reconnect: " + a.Reason
	case Flush[string]:
		return "flush " + strings.Join(a.Items, " | ")
	case StartTimer:
		return fmt.Sprintf("start %s#%d %s", a.ID.Kind, a.ID.Gen, a.After)
	case StopTimer:
		return fmt.Sprintf("stop %s#%d", a.ID.Kind, a.ID.Gen)
	case Emit:
		e := a.Event
		s := fmt.Sprintf("emit %s target=%s host=%s", e.Step, e.Target, e.Host)
		if e.Reason != "" {
			s += " reason=" + e.Reason
		}
		if e.Recovery != "" {
			s += " recovery=" + e.Recovery
		}
		if e.Window != 0 {
			s += fmt.Sprintf(" window=%s", e.Window)
		}
		return s
	case Warn:
		return "warn: " + a.Text
	case Info:
		return "info: " + a.Text
	}
	return fmt.Sprintf("unknown action %T", a)
}

func renderAll(acts []Action) []string {
	out := make([]string, 0, len(acts))
	for _, a := range acts {
		out = append(out, render(a))
	}
	return out
}

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func msg(t *testing.T, line string) *irc.Message {
	t.Helper()
	m, err := irc.ParseMessage(line)
	if err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	return m
}

// step is one input of a scripted scenario and the exact actions it must
// return. at is the fake clock's offset from t0.
type step struct {
	at   time.Duration
	in   string // a readable name of the input, for failures
	do   func(m *Machine[string], now time.Time) []Action
	want []string
}

func start(line string, oldTLS bool, want ...string) step {
	return step{in: "start " + line, want: want, do: func(m *Machine[string], now time.Time) []Action {
		return m.Start(now, irc.MustParseMessage(line), oldTLS)
	}}
}

func line(from Link, l string, want ...string) step {
	return step{in: from.String() + " " + l, want: want, do: func(m *Machine[string], now time.Time) []Action {
		return m.Line(now, from, irc.MustParseMessage(l))
	}}
}

func dialed(id DialID, err error, want ...string) step {
	return step{in: fmt.Sprintf("dial-done %d %v", id, err), want: want, do: func(m *Machine[string], now time.Time) []Action {
		return m.DialDone(now, id, err)
	}}
}

func fire(kind TimerKind, gen uint64, want ...string) step {
	return step{in: fmt.Sprintf("timer %s#%d", kind, gen), want: want, do: func(m *Machine[string], now time.Time) []Action {
		return m.Timer(now, TimerID{Kind: kind, Gen: gen})
	}}
}

// oldLost also checks the took-over result, rendered as a last line.
func oldLost(want ...string) step {
	return step{in: "old-lost", want: want, do: func(m *Machine[string], now time.Time) []Action {
		acts, took := m.OldLost(now)
		return append(acts, Warn{Text: fmt.Sprintf("(took over: %v)", took)})
	}}
}

func newLost(want ...string) step {
	return step{in: "new-lost", want: want, do: func(m *Machine[string], now time.Time) []Action {
		return m.NewLost(now)
	}}
}

// submit renders the Submit result as a pseudo-action.
func submit(item string, queued bool) step {
	return step{in: "submit " + item, want: []string{fmt.Sprintf("warn: (queued %q: %v)", item, queued)},
		do: func(m *Machine[string], now time.Time) []Action {
			return []Action{Warn{Text: fmt.Sprintf("(queued %q: %v)", item, m.Submit(item))}}
		}}
}

func reconnected(want ...string) step {
	return step{in: "reconnected", want: want, do: func(m *Machine[string], now time.Time) []Action {
		return m.Reconnected(now)
	}}
}

func abandon(want ...string) step {
	return step{in: "abandon", want: want, do: func(m *Machine[string], now time.Time) []Action {
		items, acts := m.Abandon(now)
		return append(acts, Warn{Text: fmt.Sprintf("(handed back: %q)", items)})
	}}
}

func at(d time.Duration, s step) step { s.at = d; return s }

// run feeds the steps to a fresh machine and compares every step's actions
// exactly. Across the whole run it also checks that no token of the
// scenario appears outside Send actions, and it returns the machine.
func run(t *testing.T, cfg Config, tokens []string, steps []step) *Machine[string] {
	t.Helper()
	m := NewMachine[string](cfg)
	for i, s := range steps {
		acts := s.do(m, t0.Add(s.at))
		got := renderAll(acts)
		if strings.Join(got, "\n") != strings.Join(s.want, "\n") {
			t.Fatalf("step %d (%s) at +%s, state now %s:\n got:\n\t%s\nwant:\n\t%s", i, s.in, s.at, m.State(),
				strings.Join(got, "\n\t"), strings.Join(s.want, "\n\t"))
		}
		for _, a := range acts {
			if _, ok := a.(Send); ok {
				continue
			}
			for _, tok := range tokens {
				if strings.Contains(render(a), tok) {
					t.Fatalf("step %d (%s): token %q leaked in %q", i, s.in, tok, render(a))
				}
			}
		}
	}
	return m
}
