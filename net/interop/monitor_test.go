//go:build interop

package interop

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// rawClient is a plain IRC client on a socket, nothing of ferry: it
// registers (with the capabilities asked for), answers PING and keeps
// every line it reads.
type rawClient struct {
	t    *testing.T
	nick string
	c    net.Conn

	mu    sync.Mutex
	lines []*irc.Message
}

func dialRaw(t *testing.T, srv *ircd, nick string, caps ...string) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", srv.addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := &rawClient{t: t, nick: nick, c: c}
	go r.read()
	if len(caps) > 0 {
		r.send("CAP REQ :" + strings.Join(caps, " "))
	}
	r.send("NICK " + nick)
	r.send("USER " + nick + " 0 * :" + nick)
	if len(caps) > 0 {
		r.send("CAP END")
	}
	r.wait("001", func(m *irc.Message) bool { return m.Command == "001" })
	return r
}

func (r *rawClient) read() {
	sc := bufio.NewScanner(r.c)
	for sc.Scan() {
		m, err := irc.ParseMessage(sc.Text())
		if err != nil {
			continue
		}
		if m.Command == "PING" {
			r.send("PONG :" + m.Trailing())
		}
		r.mu.Lock()
		r.lines = append(r.lines, m)
		r.mu.Unlock()
	}
}

func (r *rawClient) send(line string) {
	if _, err := fmt.Fprintf(r.c, "%s\r\n", line); err != nil {
		r.t.Errorf("%s: write %q: %v", r.nick, line, err)
	}
}

// wait waits (bounded) for a line matching f and returns it.
func (r *rawClient) wait(what string, f func(*irc.Message) bool) *irc.Message {
	r.t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		r.mu.Lock()
		for _, m := range r.lines {
			if f(m) {
				r.mu.Unlock()
				return m
			}
		}
		r.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("%s: timed out waiting for %s", r.nick, what)
	return nil
}

func presence(nick string, online bool) func(event.Event) bool {
	return func(e event.Event) bool {
		p, ok := e.(event.Presence)
		return ok && !p.Removed && strings.EqualFold(p.Nick, nick) && p.Online == online
	}
}

// TestMonitor (InspIRCd's monitor module): ferry's configured monitor list
// is sent after registration; bob's arrival and departure come back as
// Presence events (InspIRCd 3 names him without his user@host, which the
// spec leaves optional).
func TestMonitor(t *testing.T) {
	srv := startServer(t, "inspircd")
	alice := newClient(t, srv, "alice", "alice", func(c *confT) { c.Session.Monitor = []string{"bob", "carol"} })
	alice.registered(1)
	alice.wait("bob offline", presence("bob", false))
	alice.wait("carol offline", presence("carol", false))
	bob := dialRaw(t, srv, "bob")
	alice.wait("bob online", presence("bob", true))
	bob.send("QUIT :bye")
	alice.waitCount("bob offline again", 2, presence("bob", false))

	// /monitor: the server's own list, and a removal.
	alice.do(command.Monitor{Op: command.MonitorRemove, Nicks: []string{"carol"}})
	alice.do(command.Monitor{Op: command.MonitorList})
	alice.wait("the list", func(e event.Event) bool {
		i, ok := e.(event.Info)
		return ok && i.Code == "MONITOR" && i.Text == "monitored: bob"
	})
	alice.noErrors(false)
}

// TestTyping (InspIRCd's ircv3_ctctags): ferry's typing notification
// reaches a raw client with message-tags as TAGMSG +typing, in a channel
// and in private; the raw client's notification becomes an event.Typing
// for the right buffer.
func TestTyping(t *testing.T) {
	srv := startServer(t, "inspircd")
	alice := newClient(t, srv, "alice", "alice", func(c *confT) { c.Session.Autojoin = []sessionChannel{{Name: channel}} })
	alice.joined(channel, 1)
	bob := dialRaw(t, srv, "bob", "message-tags")
	bob.send("JOIN " + channel)
	alice.wait("bob joined", func(e event.Event) bool { j, ok := e.(event.Join); return ok && j.Nick == "bob" })

	tagmsg := func(target, state string) func(*irc.Message) bool {
		return func(m *irc.Message) bool {
			return m.Command == "TAGMSG" && m.Prefix != nil && m.Prefix.Name == "alice" &&
				strings.EqualFold(m.Param(0), target) && m.Tags["+typing"] == state
		}
	}
	alice.do(command.Typing{Target: channel, State: "active"})
	bob.wait("alice typing in the channel", tagmsg(channel, "active"))
	alice.do(command.Typing{Target: "bob", State: "paused"})
	bob.wait("alice typing to bob", tagmsg("bob", "paused"))

	typing := func(buffer, state string) func(event.Event) bool {
		return func(e event.Event) bool {
			ty, ok := e.(event.Typing)
			return ok && ty.Nick == "bob" && ty.Buffer == buffer && ty.State == state
		}
	}
	bob.send("@+typing=active TAGMSG " + channel)
	alice.wait("bob typing in the channel", typing(channel, "active"))
	bob.send("@+typing=done TAGMSG alice")
	alice.wait("bob done in private", typing("bob", "done"))
	alice.noErrors(false)
}
