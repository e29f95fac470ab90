package conn

import (
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
)

// Undelivered says, for each line that never went out, what stopped it
// (the user's quit, registration failing for good, the Pool closing), the
// buffer it was shown in (a STATUSMSG target's channel), our nick and when
// it was typed: all a record of unsent lines needs, kept nowhere else.
func TestUndeliveredSaysWhy(t *testing.T) {
	quitSrv, fatalSrv, closeSrv := newRelay(t), newRelay(t), newRelay(t)
	fatal := plainNet("fatal", "fay", fatalSrv.port())
	fatal.Session.SASL = &session.SASL{Mechanism: "PLAIN", Username: "fay", Password: "pw", Required: true}
	fatalSrv.set(func(r *relay) { r.refuse = true })
	p, c := startPool(t, plainNet("quit", "quin", quitSrv.port()), fatal, plainNet("close", "cleo", closeSrv.port()))
	c.wait(5*time.Second, "quit registered", isState("quit", event.StateRegistered))
	c.wait(5*time.Second, "close registered", isState("close", event.StateRegistered))
	for _, srv := range []*relay{quitSrv, closeSrv} {
		srv.set(func(r *relay) { r.refuse = true })
	}
	quitSrv.drop("quin")
	closeSrv.drop("cleo")
	c.wait(5*time.Second, "quit waiting", isState("quit", event.StateWaiting))
	c.wait(5*time.Second, "close waiting", isState("close", event.StateWaiting))

	before := time.Now()
	p.Do("quit", command.SendText{ID: 1, Target: "@#ops", Text: "to the ops"})
	p.Do("fatal", command.SendText{ID: 2, Target: "bob", Text: "before the refusal"})
	p.Do("close", command.SendText{ID: 3, Target: "#c", Text: "waiting at close", Kind: event.Notice})
	for _, id := range []uint64{1, 2, 3} {
		c.wait(5*time.Second, "pending", func(e event.Event) bool {
			m, ok := e.(event.Message)
			return ok && m.LocalID == id && m.Pending
		})
	}
	p.Do("quit", command.Quit{Reason: "bye"})
	c.wait(5*time.Second, "the quit's Failed", func(e event.Event) bool {
		f, ok := e.(event.Failed)
		return ok && f.LocalID == 1
	})
	fatalSrv.set(func(r *relay) { r.refuse = false })
	c.wait(5*time.Second, "registration failed for good", func(e event.Event) bool {
		f, ok := e.(event.Failed)
		return ok && f.LocalID == 2
	})
	p.Close()

	want := map[uint64]struct {
		network, target, buffer, nick, command string
		why                                    UnsentWhy
	}{
		1: {"quit", "@#ops", "#ops", "quin", "PRIVMSG", UnsentQuit},
		2: {"fatal", "bob", "bob", "fay", "PRIVMSG", UnsentFatal},
		3: {"close", "#c", "#c", "cleo", "NOTICE", UnsentClosed},
	}
	got := p.Undelivered()
	seen := map[uint64]bool{}
	for _, u := range got {
		w, ok := want[u.LocalID]
		if !ok {
			t.Errorf("unexpected unsent line %+v", u)
			continue
		}
		seen[u.LocalID] = true
		if u.Network != w.network || u.Target != w.target || u.Buffer != w.buffer || u.Nick != w.nick || u.Msg.Command != w.command || u.Why != w.why {
			t.Errorf("line %d: %+v, want %+v", u.LocalID, u, w)
		}
		if u.Time.Before(before.Add(-time.Second)) || u.Time.After(time.Now()) {
			t.Errorf("line %d typed at %v, want about %v", u.LocalID, u.Time, before)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("Undelivered = %+v, want lines 1, 2 and 3", got)
	}
}
