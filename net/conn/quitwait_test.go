package conn

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sendq"
	"gopkg.in/irc.v4"
)

// keepAfterQuit makes srv read QUIT without answering or closing: the
// client's wait for the close lasts until the test ends it (srv.drop or
// the manual clock past closeGrace).
func keepAfterQuit(srv *relay) {
	srv.set(func(r *relay) {
		r.onLine = func(_ *relayClient, m *irc.Message) bool { return m.Command == "QUIT" }
	})
}

// indexOf is the position of the n-th (1-based) line received from nick
// that starts with prefix, among all lines the relay received; -1 if
// there are fewer.
func (r *relay) indexOf(nick, prefix string, n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, l := range r.got {
		if rest, ok := strings.CutPrefix(l, nick+": "); ok && strings.HasPrefix(rest, prefix) {
			if n--; n == 0 {
				return i
			}
		}
	}
	return -1
}

func isFailed(id uint64) func(event.Event) bool {
	return func(e event.Event) bool {
		f, ok := e.(event.Failed)
		return ok && f.LocalID == id
	}
}

// waitingQuitNet is a Pool on a manual clock registered on a relay that
// keeps its links open after QUIT.
func waitingQuitNet(t *testing.T, nick string) (*relay, *ManualClock, *Pool, *collector) {
	t.Helper()
	srv := newRelay(t)
	keepAfterQuit(srv)
	clk := NewManualClock(time.Unix(1000, 0))
	p, c := startPoolWith(t, testLogger{t}, clk, plainNet("net", nick, srv.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	return srv, clk, p, c
}

// A /reconnect while a /disconnect waits for its QUIT's close: the
// disconnect's bound on the wait belongs to the old link and never drops
// the new connection (it used to, closeGrace after the /disconnect), and
// the old link gets no second QUIT.
func TestReconnectDuringDisconnectWaitKeepsNewConnection(t *testing.T) {
	srv, clk, p, c := waitingQuitNet(t, "lou")
	p.Do("net", command.Disconnect{Reason: "later"})
	srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("lou", "QUIT")) == 1 })
	p.Do("net", command.Reconnect{})
	// Commands run in order: once this line's echo is out, the
	// /reconnect has run.
	p.Do("net", command.SendText{ID: 1, Target: "sam", Text: "typed in the wait"})
	c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 1 && m.Pending
	})
	srv.drop("lou") // the server closes the old link now
	c.waitCond(5*time.Second, "registered again", func() bool { return c.states("net", event.StateRegistered) == 2 })
	c.wait(5*time.Second, "delivered", isDelivered(1))
	clk.Advance(closeGrace) // the /disconnect's wait would end here
	time.Sleep(50 * time.Millisecond)
	p.Do("net", command.SendText{ID: 2, Target: "sam", Text: "on the new link"})
	c.wait(5*time.Second, "delivered", isDelivered(2))
	if n := c.states("net", event.StateDisconnected); n != 0 {
		t.Errorf("%d Disconnected states, want none: %s", n, describe(c.snapshot()))
	}
	if n := srv.connections("lou"); n != 1 {
		t.Errorf("%d connections open, want the new one", n)
	}
	if q := srv.lines("lou", "QUIT"); len(q) != 1 {
		t.Errorf("QUIT lines %q, want only the /disconnect's", q)
	}
}

// A /connect while a /disconnect waits for its QUIT's close dials once
// the old link is closed (it used to be forgotten: the network stayed
// disconnected). A line typed meanwhile waits and goes out on the new
// connection, not after the QUIT on the old one.
func TestConnectDuringDisconnectWaitDialsAfterClose(t *testing.T) {
	for _, closer := range []string{"server", "closeGrace"} {
		t.Run(closer, func(t *testing.T) {
			srv, clk, p, c := waitingQuitNet(t, "mo")
			p.Do("net", command.Disconnect{Reason: "later"})
			srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("mo", "QUIT")) == 1 })
			p.Do("net", command.Connect{})
			p.Do("net", command.SendText{ID: 1, Target: "sam", Text: "typed in the wait"})
			c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.LocalID == 1 && m.Pending
			})
			time.Sleep(50 * time.Millisecond) // a dial started at once would be seen by now
			if n := c.states("net", event.StateConnecting); n != 1 {
				t.Fatalf("%d Connecting states before the old link closed, want 1", n)
			}
			if closer == "server" {
				srv.drop("mo")
			} else {
				clk.Advance(closeGrace)
			}
			c.waitCond(5*time.Second, "registered again", func() bool { return c.states("net", event.StateRegistered) == 2 })
			c.wait(5*time.Second, "delivered", isDelivered(1))
			srv.waitFor(5*time.Second, "the line", func() bool { return len(srv.lines("mo", "PRIVMSG sam")) > 0 })
			got, user := srv.indexOf("mo", "PRIVMSG sam", 1), srv.indexOf("mo", "USER", 2)
			if user < 0 || got < user {
				t.Errorf("the line reached the server at %d, not after the new connection's USER (%d)", got, user)
			}
			if n := len(srv.lines("mo", "PRIVMSG sam")); n != 1 {
				t.Errorf("%d copies of the line, want 1", n)
			}
			if n := c.states("net", event.StateDisconnected); n != 0 {
				t.Errorf("%d Disconnected states, want none", n)
			}
		})
	}
}

// Two /reconnects in a row: one QUIT, one new connection.
func TestReconnectTwiceDialsOnce(t *testing.T) {
	srv, clk, p, c := waitingQuitNet(t, "ned")
	p.Do("net", command.Reconnect{})
	p.Do("net", command.Reconnect{})
	srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("ned", "QUIT")) == 1 })
	clk.Advance(closeGrace)
	c.waitCond(5*time.Second, "registered again", func() bool { return c.states("net", event.StateRegistered) == 2 })
	time.Sleep(50 * time.Millisecond) // a second dial would be seen by now
	if n := c.states("net", event.StateConnecting); n != 2 {
		t.Errorf("%d Connecting states, want 2", n)
	}
	if n := len(srv.lines("ned", "QUIT")); n != 1 {
		t.Errorf("%d QUIT lines, want 1", n)
	}
}

// A /quit while a /disconnect or a /reconnect waits for its QUIT's close:
// no second QUIT, the lines typed in the wait fail, the network ends
// Disconnected once and stays so past the bound on the wait.
func TestQuitDuringQuitWait(t *testing.T) {
	for name, first := range map[string]command.Command{
		"disconnect": command.Disconnect{Reason: "later"},
		"reconnect":  command.Reconnect{},
	} {
		t.Run(name, func(t *testing.T) {
			srv, clk, p, c := waitingQuitNet(t, "oz")
			p.Do("net", first)
			srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("oz", "QUIT")) == 1 })
			p.Do("net", command.SendText{ID: 1, Target: "sam", Text: "typed in the wait"})
			c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
				m, ok := e.(event.Message)
				return ok && m.LocalID == 1 && m.Pending
			})
			p.Do("net", command.Quit{Reason: "bye"})
			c.wait(5*time.Second, "failed", isFailed(1))
			clk.Advance(closeGrace)
			c.wait(5*time.Second, "disconnected", isState("net", event.StateDisconnected))
			time.Sleep(50 * time.Millisecond) // a dial or a second state would be seen by now
			if n := c.states("net", event.StateDisconnected); n != 1 {
				t.Errorf("%d Disconnected states, want 1", n)
			}
			if n := c.states("net", event.StateConnecting); n != 1 {
				t.Errorf("%d Connecting states, want only the first connection's", n)
			}
			if q := srv.lines("oz", "QUIT"); len(q) != 1 {
				t.Errorf("QUIT lines %q, want one", q)
			}
			if n := len(srv.lines("oz", "PRIVMSG")); n != 0 {
				t.Errorf("%d PRIVMSG reached the server after the QUIT", n)
			}
			if n := srv.connections("oz"); n != 0 {
				t.Errorf("%d connections still open", n)
			}
		})
	}
}

// A MIGRATE START read while a /disconnect waits for its QUIT's close
// starts nothing: the user left, no connection is opened to the target.
func TestMigrateStartDuringDisconnectWaitIgnored(t *testing.T) {
	old := newRelay(t)
	old.set(func(r *relay) { r.capLS = "draft/migrate" })
	keepAfterQuit(old)
	target := newRelay(t)
	clk := NewManualClock(time.Unix(1000, 0))
	p, c := startPoolWith(t, testLogger{t}, clk, plainNet("net", "pat", old.port()))
	c.wait(5*time.Second, "registered", isState("net", event.StateRegistered))
	cl := capsAcked(t, old, "pat")
	p.Do("net", command.Disconnect{Reason: "later"})
	old.waitFor(5*time.Second, "QUIT", func() bool { return len(old.lines("pat", "QUIT")) == 1 })
	cl.send(":srv MIGRATE START 127.0.0.1 " + strconv.Itoa(target.port()) + " rtok ctok s2")
	old.drop("pat") // read after the START: once Disconnected, START was handled
	c.wait(5*time.Second, "disconnected", isState("net", event.StateDisconnected))
	time.Sleep(100 * time.Millisecond) // a dial to the target would be seen by now
	clk.Advance(time.Minute)
	time.Sleep(50 * time.Millisecond)
	if n := c.count(func(e event.Event) bool { _, ok := e.(event.Migration); return ok }); n != 0 {
		t.Errorf("%d migration events after the /disconnect", n)
	}
	target.mu.Lock()
	accepted := target.accepted
	target.mu.Unlock()
	if accepted != 0 {
		t.Errorf("%d connections to the migration target after the /disconnect", accepted)
	}
	if n := len(old.lines("pat", "MIGRATE")); n != 0 {
		t.Errorf("answered a MIGRATE after QUIT: %q", old.lines("pat", "MIGRATE"))
	}
	if n := c.states("net", event.StateConnecting); n != 1 {
		t.Errorf("%d Connecting states, want only the first connection's", n)
	}
}

// The link lost (the server closes it) while a /disconnect waits: one
// Disconnected, no reconnect, and the bound on the wait, when it passes
// later, does nothing more.
func TestLinkLostDuringDisconnectWait(t *testing.T) {
	srv, clk, p, c := waitingQuitNet(t, "rae")
	p.Do("net", command.Disconnect{Reason: "later"})
	srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("rae", "QUIT")) == 1 })
	srv.drop("rae")
	c.wait(5*time.Second, "disconnected", isState("net", event.StateDisconnected))
	clk.Advance(closeGrace)
	time.Sleep(50 * time.Millisecond)
	p.Do("net", command.Connect{})
	c.waitCond(5*time.Second, "registered again", func() bool { return c.states("net", event.StateRegistered) == 2 })
	clk.Advance(closeGrace)
	time.Sleep(50 * time.Millisecond)
	p.Do("net", command.SendText{ID: 1, Target: "sam", Text: "still connected"})
	c.wait(5*time.Second, "delivered", isDelivered(1))
	if n := c.states("net", event.StateDisconnected); n != 1 {
		t.Errorf("%d Disconnected states, want 1", n)
	}
}

// The Pool closed while a /disconnect waits for its QUIT's close: no
// second QUIT, the link is closed within closeGrace, and a line typed in
// the wait is reported unsent because ferry closed.
func TestCloseDuringDisconnectWait(t *testing.T) {
	srv, _, p, c := waitingQuitNet(t, "sol")
	p.Do("net", command.Disconnect{Reason: "later"})
	srv.waitFor(5*time.Second, "QUIT", func() bool { return len(srv.lines("sol", "QUIT")) == 1 })
	p.Do("net", command.SendText{ID: 1, Target: "sam", Text: "typed in the wait"})
	c.wait(5*time.Second, "pending echo", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == 1 && m.Pending
	})
	start := time.Now()
	p.Close()
	if took := time.Since(start); took > closeGrace+time.Second {
		t.Errorf("Close took %v, want at most closeGrace (%v)", took, closeGrace)
	}
	srv.waitFor(5*time.Second, "the link closed", func() bool { return srv.connections("sol") == 0 })
	if q := srv.lines("sol", "QUIT"); len(q) != 1 {
		t.Errorf("QUIT lines %q, want only the /disconnect's", q)
	}
	if n := len(srv.lines("sol", "PRIVMSG")); n != 0 {
		t.Errorf("%d PRIVMSG reached the server after the QUIT", n)
	}
	u := p.Undelivered()
	if len(u) != 1 || u[0].LocalID != 1 || u[0].Why != UnsentClosed {
		t.Errorf("Undelivered %+v, want line 1 unsent because ferry closed", u)
	}
}

// A /disconnect or /quit on a link whose write is under way, that the
// server never closes: past closeGrace the link is closed here, the cut
// write ends Failed, and the line behind it, which the writer never took,
// waits for the next /connect (a /disconnect) or fails (a /quit). The
// network ends Disconnected.
func TestStopSettlesWriteCutByClose(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cmd   command.Command
		wantB sendq.State
	}{
		{"disconnect", command.Disconnect{Reason: "later"}, sendq.Waiting},
		{"quit", command.Quit{Reason: "bye"}, sendq.Failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := NewManualClock(time.Unix(1000, 0))
			s := newSettleNet(t, map[string]holdMode{"a": holdThenFail}, clk)
			n := s.n
			n.state = event.StateRegistered
			var lines []*sendq.Line
			for i, text := range []string{"a", "b"} {
				l := n.q.Push(userLine(uint64(i+1), text))
				n.hand(s.l, l)
				lines = append(lines, l)
				if i == 0 {
					if got := <-s.ht.started; got != "a" {
						t.Fatalf("held write of %q, want a", got)
					}
				}
			}
			n.command(tc.cmd)
			if n.state == event.StateDisconnected {
				t.Fatal("Disconnected before the link was closed")
			}
			clk.Advance(closeGrace)
			s.step(t, 5*time.Second, "disconnected", func() bool { return n.state == event.StateDisconnected })
			if st := lines[0].State(); st != sendq.Failed {
				t.Errorf("a is %v, want failed (cut by the close)", st)
			}
			if st := lines[1].State(); st != tc.wantB {
				t.Errorf("b is %v, want %v", st, tc.wantB)
			}
			if n.cur != nil || n.closing != nil {
				t.Errorf("a link is left: cur %v, closing %v", n.cur, n.closing)
			}
			for _, w := range s.ht.written() {
				if w == "b" {
					t.Error("b was written to the closed link")
				}
			}
		})
	}
}
