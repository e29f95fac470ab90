package session

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// A CAP LS that never ends ("CAP * LS * :..." forever) must not keep the
// session registering: after maxLSLines continuation lines, or once the
// offered set is full, negotiation goes on with what was offered so far,
// and the rest of the list is read without a log line per capability.
func TestCapLSEndless(t *testing.T) {
	tests := []struct {
		name string
		line func(i int) string
	}{
		{"the same capabilities again and again", func(int) string {
			return ":srv CAP * LS * :server-time multi-prefix junk-cap"
		}},
		{"new capabilities on every line", func(i int) string {
			var b strings.Builder
			for j := 0; j < 20; j++ {
				fmt.Fprintf(&b, "x%d-%d ", i, j)
			}
			if i == 0 {
				b.WriteString("server-time multi-prefix")
			}
			return ":srv CAP * LS * :" + b.String()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.s.Register()
			sc.sent()
			var evs []event.Event
			for i := 0; i < 2000; i++ {
				evs = append(evs, sc.feed(tt.line(i))...)
			}
			sc.expect("CAP REQ :server-time multi-prefix")
			sc.feed(":srv CAP * ACK :server-time multi-prefix")
			sc.expect("CAP END")
			sc.feed(":srv 001 me :Welcome")
			if !sc.s.Registered() || !sc.s.HasCap("server-time") {
				t.Fatalf("registered %v, server-time %v", sc.s.Registered(), sc.s.HasCap("server-time"))
			}
			if len(sc.s.offered) > maxOffered {
				t.Errorf("%d capabilities remembered, limit %d", len(sc.s.offered), maxOffered)
			}
			if n := len(sc.log.lines); n > 5 {
				t.Errorf("%d log lines for one endless CAP LS, want a few: %q", n, sc.log.lines[:5])
			}
			notes := only[event.Info](evs)
			if len(notes) != 1 || !strings.Contains(notes[0].Text, "capabilit") {
				t.Errorf("Info events %+v, want one saying the list was cut", notes)
			}
		})
	}
}

// A long but finite list within the bounds is read whole.
func TestCapLSLongButFinite(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	for i := 0; i < maxLSLines-1; i++ {
		sc.feed(fmt.Sprintf(":srv CAP * LS * :a%d b%d c%d", i, i, i))
	}
	sc.expect()
	evs := sc.feed(":srv CAP * LS :server-time")
	sc.expect("CAP REQ server-time")
	if n := len(only[event.Info](evs)); n != 0 {
		t.Errorf("%d Info events for a list within the bounds", n)
	}
	if len(sc.s.offered) != 3*(maxLSLines-1)+1 {
		t.Errorf("%d capabilities remembered, want all %d", len(sc.s.offered), 3*(maxLSLines-1)+1)
	}
}
