package session

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/event"
)

// The session does no I/O, so its tests are scripts: feed server lines,
// then assert the exact lines it sent and the events it returned.

// recorder is a Sender that keeps what it is given.
type recorder struct{ out []Outgoing }

func (r *recorder) Send(o Outgoing) { r.out = append(r.out, o) }

// fakeClock is the injected clock; tests advance it by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// testLog routes the session's debug log to t.Logf and counts lines, so
// tests can check that bad input was logged.
type testLog struct {
	t     testing.TB
	lines []string
}

func (l *testLog) Printf(format string, v ...any) {
	l.t.Helper()
	line := strings.TrimSpace(fmt.Sprintf(format, v...))
	if len(l.lines) < 1000 {
		l.lines = append(l.lines, line)
	}
	if len(line) > 300 {
		line = line[:300] + "..."
	}
	l.t.Logf("log: %s", line)
}

type script struct {
	t     *testing.T
	s     *Session
	rec   *recorder
	clock *fakeClock
	log   *testLog
}

var epoch = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func newScript(t *testing.T, cfg Config) *script {
	t.Helper()
	sc := &script{t: t, rec: &recorder{}, clock: &fakeClock{t: epoch}, log: &testLog{t: t}}
	cfg.Sender = sc.rec
	cfg.Now = sc.clock.now
	cfg.Log = sc.log
	if cfg.Nick == "" {
		cfg.Nick = "me"
	}
	if cfg.User == "" {
		cfg.User = "u"
	}
	if cfg.Realname == "" {
		cfg.Realname = "Real Name"
	}
	sc.s = New(cfg)
	return sc
}

// feed hands each line to Handle and returns all events, in order.
func (sc *script) feed(lines ...string) []event.Event {
	sc.t.Helper()
	var evs []event.Event
	for _, l := range lines {
		m, err := irc.ParseMessage(l)
		if err != nil {
			sc.t.Fatalf("bad test line %q: %v", l, err)
		}
		evs = append(evs, sc.s.Handle(m)...)
	}
	return evs
}

// sent drains and returns the lines sent so far, as wire strings.
func (sc *script) sent() []string {
	var out []string
	for _, o := range sc.rec.out {
		out = append(out, o.Msg.String())
	}
	sc.rec.out = nil
	return out
}

// expect asserts that exactly lines were sent since the last check.
func (sc *script) expect(lines ...string) {
	sc.t.Helper()
	got := sc.sent()
	if len(got) == 0 && len(lines) == 0 {
		return
	}
	if !reflect.DeepEqual(got, lines) {
		sc.t.Fatalf("sent lines:\n got  %q\n want %q", got, lines)
	}
}

// register runs a plain registration (no PASS/SASL) offering caps, and
// drains what it sent.
func (sc *script) register(caps string) {
	sc.t.Helper()
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :" + caps)
	if out := sc.sent(); len(out) > 0 && strings.HasPrefix(out[0], "CAP REQ") {
		req := strings.TrimPrefix(strings.TrimPrefix(out[0], "CAP REQ "), ":")
		sc.feed(":srv CAP * ACK :" + req)
		sc.expect("CAP END")
	}
	sc.feed(":srv 001 "+sc.s.Nick()+" :Welcome to the net", ":srv 005 "+sc.s.Nick()+" CHANTYPES=# PREFIX=(ov)@+ :are supported by this server")
	sc.sent()
}

// only returns the events of type T in evs.
func only[T event.Event](evs []event.Event) []T {
	var out []T
	for _, e := range evs {
		if v, ok := e.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// one returns the single event of type T in evs, failing otherwise.
func one[T event.Event](t *testing.T, evs []event.Event) T {
	t.Helper()
	got := only[T](evs)
	if len(got) != 1 {
		var zero T
		t.Fatalf("want exactly one %T, got %d in %#v", zero, len(got), evs)
	}
	return got[0]
}
