package conn

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// rawClient is a second user on the test network, speaking raw IRC over a
// plain socket: not ferry's session, so the two sides check each other. It
// records every PRIVMSG it receives.
type rawClient struct {
	t    *testing.T
	c    net.Conn
	nick string

	wmu sync.Mutex
	w   *irc.Writer

	mu      sync.Mutex
	got     []*irc.Message
	changed chan struct{}
	closed  chan struct{}
}

// dialRaw connects nick to addr (sending PASS pass when pass is not empty),
// registers and joins chans, waiting for each join's end of NAMES.
func dialRaw(t *testing.T, addr, pass, nick string, chans ...string) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	r := &rawClient{t: t, c: c, nick: nick, w: irc.NewWriter(c), changed: make(chan struct{}, 1), closed: make(chan struct{})}
	go r.read()
	t.Cleanup(func() { c.Close(); <-r.closed })
	r.send("CAP LS 302")
	r.send("CAP REQ :message-tags")
	r.send("CAP END")
	if pass != "" {
		r.send("PASS " + pass)
	}
	r.send("NICK " + nick)
	r.send("USER " + nick + " 0 * :" + nick)
	r.waitFor(5*time.Second, "001", func() bool { return r.count("001", "") > 0 })
	for _, ch := range chans {
		r.send("JOIN " + ch)
		r.waitFor(5*time.Second, "366 "+ch, func() bool { return r.count("366", ch) > 0 })
	}
	return r
}

func (r *rawClient) read() {
	defer close(r.closed)
	rd := irc.NewReader(bufio.NewReader(r.c))
	for {
		m, err := rd.ReadMessage()
		if err != nil {
			return
		}
		if m.Command == "PING" {
			r.send("PONG :" + m.Trailing())
		}
		r.mu.Lock()
		r.got = append(r.got, m)
		r.mu.Unlock()
		select {
		case r.changed <- struct{}{}:
		default:
		}
	}
}

func (r *rawClient) send(line string) {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if err := r.w.WriteMessage(irc.MustParseMessage(line)); err != nil {
		r.t.Logf("raw %s: write %q: %v", r.nick, line, err)
	}
}

// count reports received lines with command cmd mentioning param (any
// parameter equal to it; "" matches all).
func (r *rawClient) count(cmd, param string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.got {
		if m.Command != cmd {
			continue
		}
		if param == "" {
			n++
			continue
		}
		for _, p := range m.Params {
			if p == param {
				n++
				break
			}
		}
	}
	return n
}

// texts returns the text of every PRIVMSG received for target whose text
// starts with prefix, in arrival order.
func (r *rawClient) texts(target, prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		if m.Command == "PRIVMSG" && strings.EqualFold(m.Param(0), target) && strings.HasPrefix(m.Trailing(), prefix) {
			out = append(out, m.Trailing())
		}
	}
	return out
}

// commands returns every received line about someone else whose command
// is one of cmds.
func (r *rawClient) commands(cmds ...string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, m := range r.got {
		if m.Prefix != nil && strings.EqualFold(m.Prefix.Name, r.nick) {
			continue
		}
		for _, c := range cmds {
			if m.Command == c {
				out = append(out, m.String())
			}
		}
	}
	return out
}

func (r *rawClient) waitFor(d time.Duration, what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("raw %s: timed out after %v waiting for %s", r.nick, d, what)
		}
		select {
		case <-r.changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}
