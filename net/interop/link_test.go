//go:build interop

package interop

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// TestLagAndDeadLink: each server answers ferry's lag PINGs (Lag events);
// when the server hangs (SIGSTOP: sockets open, nothing answered) alice's
// session notices the silence within its DeadAfter and replaces the link,
// and once the server runs again she is registered and in the channel
// again, reachable by bob, whose session (default timers) rode the hang out.
func TestLagAndDeadLink(t *testing.T) {
	eachServer(t, func(t *testing.T, srv *ircd) {
		// Both servers take about a second to answer a registration, and
		// ngircd throttles a client's commands (lag PINGs included), so
		// the dead-link bound cannot be much tighter than this.
		const deadAfter = 3 * time.Second
		alice := newClient(t, srv, "alice", "alice", func(c *confT) {
			c.PingInterval = time.Second
			c.DeadAfter = deadAfter
			c.Session.Autojoin = []sessionChannel{{Name: channel}}
		})
		bob := newClient(t, srv, "bob", "bob", func(c *confT) {
			c.Session.Autojoin = []sessionChannel{{Name: channel}}
		})
		alice.registered(1)
		alice.joined(channel, 1)
		bob.registered(1)
		bob.joined(channel, 1)
		lag := alice.wait("a lag measurement", func(e event.Event) bool { _, ok := e.(event.Lag); return ok }).(event.Lag)
		if lag.RTT <= 0 || lag.RTT > 5*time.Second {
			t.Errorf("lag on loopback = %v", lag.RTT)
		}

		aliceJoins := func(e event.Event) bool {
			j, ok := e.(event.Join)
			return ok && !j.Self && strings.EqualFold(j.Channel, channel) && strings.HasPrefix(j.Nick, "alice")
		}
		joinsBefore := bob.count(aliceJoins) // 0 or 1: the autojoins race
		if n := alice.count(isState(event.StateWaiting)); n != 0 {
			t.Fatalf("alice lost her link %d times before the server hung", n)
		}
		srv.freeze()
		frozen := time.Now()
		w := alice.wait("dead link noticed", isState(event.StateWaiting)).(event.ConnState)
		took := time.Since(frozen)
		t.Logf("dead link noticed after %v (DeadAfter %v): %q", took.Round(time.Millisecond), deadAfter, w.Reason)
		if took < deadAfter/2 || took > 2*deadAfter {
			t.Errorf("link declared dead %v after the server hung; want about DeadAfter (%v)", took, deadAfter)
		}
		srv.thaw()

		// The server may see alice's new connection before it notices the
		// old one is gone: then "alice" is still taken and she falls back.
		nick := alice.registered(2)
		if nick != "alice" && nick != "alice_" {
			t.Errorf("alice registered again as %q", nick)
		}
		t.Logf("alice registered again as %s", nick)
		alice.joined(channel, 2)
		bob.waitCount("alice back in "+channel, joinsBefore+1, aliceJoins)
		if n := bob.count(isRegistered); n != 1 {
			t.Errorf("bob (default DeadAfter) registered %d times; the short hang should not cost him his link", n)
		}

		text := fmt.Sprintf("%s is back", nick)
		alice.say(channel, text)
		bob.wait("alice's line after the hang", fromOther(channel, nick, text))
		bob.say(channel, "welcome back")
		alice.wait("bob's line after the hang", fromOther(channel, "bob", "welcome back"))
		bob.noErrors(false)
	})
}

// TestServerPings: with the server pinging after 2 s of silence and
// dropping a client that does not answer within 2 s more, idle sessions
// (their own lag PING only every minute) answer every PING and stay
// connected. A raw client that registers after them and never answers is
// the control and the clock: once the server has dropped it for not
// answering, the ferry sessions, idle for longer, were pinged too.
func TestServerPings(t *testing.T) {
	for _, kind := range servers {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			srv := startServerOpts(t, kind, serverOpts{pingFreq: 2})
			alice := newClient(t, srv, "alice", "alice", func(c *confT) { c.Session.Autojoin = []sessionChannel{{Name: channel}} })
			bob := newClient(t, srv, "bob", "bob", func(c *confT) { c.Session.Autojoin = []sessionChannel{{Name: channel}} })
			alice.joined(channel, 1)
			bob.joined(channel, 1)
			mute := muteClient(t, srv)
			select {
			case r := <-mute:
				if !r.pinged || !r.dropped {
					t.Fatalf("control client: pinged %v, dropped %v; want both (is the ping setting applied?)", r.pinged, r.dropped)
				}
			case <-time.After(waitFor):
				t.Fatalf("the server did not drop a client that never answers PING within %v", waitFor)
			}
			alice.say(channel, "still here")
			bob.wait("alice's line after the idle time", fromOther(channel, "alice", "still here"))
			for _, c := range []*client{alice, bob} {
				if n := c.count(isState(event.StateWaiting)); n != 0 {
					t.Errorf("%s lost its link %d times while idle", c.name, n)
				}
				if n := c.count(isRegistered); n != 1 {
					t.Errorf("%s registered %d times", c.name, n)
				}
			}
		})
	}
}

type muteResult struct{ pinged, dropped bool }

// muteClient registers a raw client that never answers PING and reports,
// once the server closed it (or after waitFor), whether it was pinged.
func muteClient(t *testing.T, srv *ircd) <-chan muteResult {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(waitFor))
	if _, err := fmt.Fprintf(c, "NICK mute\r\nUSER mute 0 * :mute\r\n"); err != nil {
		t.Fatal(err)
	}
	done := make(chan muteResult, 1)
	go func() {
		var r muteResult
		sc := bufio.NewScanner(c)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "PING ") {
				r.pinged = true
			}
		}
		var ne net.Error
		r.dropped = !errors.As(sc.Err(), &ne) || !ne.Timeout()
		done <- r
	}()
	return done
}
