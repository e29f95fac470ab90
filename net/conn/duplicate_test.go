package conn

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// With message-tags, a PRIVMSG replayed with a msgid already seen in its
// buffer (as a hand-over buffer or a history fetch might) reaches the UI
// once; without the capability nothing is filtered. The session decides
// (net/session duplicate_test.go); this checks the whole path on the wire.
func TestDuplicateMsgidDroppedOnTheWire(t *testing.T) {
	for _, tags := range []bool{true, false} {
		t.Run(fmt.Sprintf("message-tags=%v", tags), func(t *testing.T) {
			srv := newRelay(t)
			if tags {
				srv.set(func(r *relay) { r.capLS = "message-tags" })
			} else {
				srv.set(func(r *relay) { r.capLS = "multi-prefix" })
			}
			_, c := startPool(t, plainNet("net", "dee", srv.port()))
			c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
			// The relay ACKs as it reads the REQ; once a later PING is
			// answered, the client has handled the ACK.
			srv.waitFor(5*time.Second, "CAP REQ", func() bool { return len(srv.lines("dee", "CAP REQ")) == 1 })
			cl := srv.client("dee")
			cl.send("PING :acked")
			srv.waitFor(5*time.Second, "ACK handled", func() bool { return len(srv.lines("dee", "PONG acked")) == 1 })
			cl.send("@msgid=m1 :bob!u@h PRIVMSG dee :hello once")
			cl.send("@msgid=m1 :bob!u@h PRIVMSG dee :hello once")
			cl.send("@msgid=m1 :bob!u@h PRIVMSG #other :same msgid, other buffer")
			cl.send("@msgid=m2 :bob!u@h NOTICE dee :a notice")
			cl.send("@msgid=m2 :bob!u@h NOTICE dee :a notice")
			cl.send("PING :barrier")
			srv.waitFor(5*time.Second, "barrier", func() bool { return len(srv.lines("dee", "PONG barrier")) == 1 })
			c.wait(5*time.Second, "the last message", func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.Text == "a notice"
			})
			count := func(text string) int {
				return c.count(func(e event.Event) bool { m, ok := e.(event.Message); return ok && m.Text == text })
			}
			want := 1
			if !tags {
				want = 2
			}
			if n := count("hello once"); n != want {
				t.Errorf("%d copies of a PRIVMSG sent twice with one msgid, want %d", n, want)
			}
			if n := count("a notice"); n != want {
				t.Errorf("%d copies of a NOTICE sent twice with one msgid, want %d", n, want)
			}
			if n := count("same msgid, other buffer"); n != 1 {
				t.Errorf("a msgid seen in another buffer suppressed a message (%d copies)", n)
			}
		})
	}
}
