package testnet

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// tlog routes the network's log to the test log.
type tlog struct {
	t  testing.TB
	mu sync.Mutex
	on bool
}

func (l *tlog) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		l.t.Helper()
		l.t.Logf(format, v...)
	}
}

// startNet starts a network for one test and closes it at the end.
func startNet(t testing.TB, opts Options) *Network {
	t.Helper()
	lg := &tlog{t: t, on: true}
	if opts.Log == nil {
		opts.Log = lg
	}
	n, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		n.Close()
		lg.mu.Lock()
		lg.on = false
		lg.mu.Unlock()
	})
	return n
}

const wait = 5 * time.Second

// client is a raw loopback IRC client: irc.v4 framing and nothing of ferry.
type client struct {
	t    testing.TB
	name string
	nc   net.Conn
	r    *irc.Reader
	seq  int
}

func dialPlain(t testing.TB, name, addr string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, wait)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", name, addr, err)
	}
	c := &client{t: t, name: name, nc: nc, r: irc.NewReader(nc)}
	t.Cleanup(func() { nc.Close() })
	return c
}

func dialTLS(t testing.TB, name, addr string, pool *x509.CertPool) *client {
	t.Helper()
	d := &net.Dialer{Timeout: wait}
	nc, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("%s: dial TLS %s: %v", name, addr, err)
	}
	c := &client{t: t, name: name, nc: nc, r: irc.NewReader(nc)}
	t.Cleanup(func() { nc.Close() })
	return c
}

func (c *client) send(format string, v ...any) {
	c.t.Helper()
	line := fmt.Sprintf(format, v...)
	_ = c.nc.SetWriteDeadline(time.Now().Add(wait))
	if _, err := c.nc.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("%s: write %q: %v", c.name, line, err)
	}
}

// next reads one message within the deadline, answering server PINGs.
func (c *client) next() (*irc.Message, error) {
	for {
		_ = c.nc.SetReadDeadline(time.Now().Add(wait))
		m, err := c.r.ReadMessage()
		if err != nil {
			return nil, err
		}
		if m.Command == "PING" {
			c.send("PONG :%s", m.Trailing())
			continue
		}
		return m, nil
	}
}

// expect reads until a message matches; the skipped ones are returned too.
func (c *client) expect(desc string, match func(*irc.Message) bool) (*irc.Message, []*irc.Message) {
	c.t.Helper()
	var skipped []*irc.Message
	deadline := time.Now().Add(wait)
	for {
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: no %s within %v (after %s)", c.name, desc, wait, lines(skipped))
		}
		m, err := c.next()
		if err != nil {
			c.t.Fatalf("%s: waiting for %s: %v (after %s)", c.name, desc, err, lines(skipped))
		}
		if match(m) {
			return m, skipped
		}
		skipped = append(skipped, m)
	}
}

// expectCmd waits for a command whose first params equal params.
func (c *client) expectCmd(cmd string, params ...string) *irc.Message {
	c.t.Helper()
	m, _ := c.expect(cmd+" "+strings.Join(params, " "), func(m *irc.Message) bool { return is(m, cmd, params...) })
	return m
}

func is(m *irc.Message, cmd string, params ...string) bool {
	if m.Command != cmd {
		return false
	}
	for i, p := range params {
		if m.Param(i) != p {
			return false
		}
	}
	return true
}

// barrier sends a PING and returns everything read before its PONG: the
// server has handled every earlier line by then.
func (c *client) barrier() []*irc.Message {
	c.t.Helper()
	c.seq++
	tok := fmt.Sprintf("barrier-%s-%d", c.name, c.seq)
	c.send("PING :%s", tok)
	_, before := c.expect("PONG "+tok, func(m *irc.Message) bool { return m.Command == "PONG" && m.Trailing() == tok })
	return before
}

// expectNone asserts that nothing matching arrived before a barrier.
func (c *client) expectNone(desc string, match func(*irc.Message) bool) {
	c.t.Helper()
	for _, m := range c.barrier() {
		if match(m) {
			c.t.Fatalf("%s: unexpected %s: %s", c.name, desc, m)
		}
	}
}

// expectClosed reads until the server closes the connection.
func (c *client) expectClosed() []*irc.Message {
	c.t.Helper()
	var got []*irc.Message
	for {
		m, err := c.next()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				c.t.Fatalf("%s: connection not closed (got %s)", c.name, lines(got))
			}
			return got
		}
		got = append(got, m)
	}
}

func lines(ms []*irc.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("\n\t")
		b.WriteString(m.String())
	}
	return b.String()
}

// register connects and registers a client with the given caps requested.
func register(t testing.TB, addr, nick string, caps ...string) *client {
	t.Helper()
	c := dialPlain(t, nick, addr)
	c.handshake(nick, caps...)
	return c
}

func (c *client) handshake(nick string, caps ...string) {
	c.t.Helper()
	c.send("CAP LS 302")
	c.expectCmd("CAP", "*", "LS")
	if len(caps) > 0 {
		c.send("CAP REQ :%s", strings.Join(caps, " "))
		c.expectCmd("CAP", "*", "ACK")
	}
	c.send("CAP END")
	c.send("NICK %s", nick)
	c.send("USER %s 0 * :Test %s", nick, nick)
	c.expectCmd("001", nick)
	c.expect("end of MOTD", func(m *irc.Message) bool { return m.Command == "376" || m.Command == "422" })
}

func (c *client) join(ch string) {
	c.t.Helper()
	c.send("JOIN %s", ch)
	c.expectCmd("366", c.name, ch)
}

var allCaps = []string{"cap-notify", "server-time", "message-tags", "echo-message", capMigrate}

// migrateClient plays a well-behaved client through one migration that the
// server has already started: START on c, dial, OK, PROCEED, RESUME,
// CONFIRM. It returns the new connection and the lines OLD delivered
// before PROCEED (after START) and NEW sent after CONFIRM up to a barrier.
func migrateClient(t testing.TB, c *client, pool *x509.CertPool) (nc *client, before []*irc.Message, start *irc.Message) {
	t.Helper()
	start, before = c.expect("MIGRATE START", func(m *irc.Message) bool { return is(m, "MIGRATE", "START") })
	host, port, rtok, ctok := start.Param(1), start.Param(2), start.Param(3), start.Param(4)
	addr := net.JoinHostPort(host, strings.TrimPrefix(port, "+"))
	if strings.HasPrefix(port, "+") {
		nc = dialTLS(t, c.name, addr, pool)
	} else {
		nc = dialPlain(t, c.name, addr)
	}
	c.send("MIGRATE OK %s", rtok)
	_, more := c.expect("MIGRATE PROCEED", func(m *irc.Message) bool { return is(m, "MIGRATE", "PROCEED", rtok) })
	before = append(before, more...)
	if rest := c.expectClosed(); len(rest) > 0 {
		t.Fatalf("%s: lines after PROCEED: %s", c.name, lines(rest))
	}
	nc.send("MIGRATE RESUME %s", rtok)
	m, err := nc.next()
	if err != nil || !is(m, "MIGRATE", "CONFIRM", ctok) {
		t.Fatalf("%s: want CONFIRM first, got %v %v", c.name, m, err)
	}
	nc.seq = c.seq
	return nc, before, start
}

func itoa(i int) string { return fmt.Sprint(i) }

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func contextWithTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls network state (not time) until cond holds, within the
// test deadline.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waitChan waits until n's view has channel ch (a cluster node has
// applied the events that made it).
func waitChan(t testing.TB, n *Network, ch string) {
	t.Helper()
	waitFor(t, n.nodes[0].name+" to see "+ch, func() bool {
		n.lock()
		defer n.unlock()
		return n.chans[ch] != nil
	})
}

type ircMessage = irc.Message

func sprintf(format string, v ...any) string { return fmt.Sprintf(format, v...) }
