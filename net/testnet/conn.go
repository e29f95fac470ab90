package testnet

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"gopkg.in/irc.v4"
)

// conn is one client connection to a node. The reader goroutine (serve)
// handles lines under Network.mu; the writer goroutine (writeLoop) drains
// the queue. Fields above the queue are guarded by Network.mu.
//
// Replies to the lines being handled skip the writer: while the reader
// handles lines (inline), what is queued for its own connection does not
// wake the writer, and once the reader has released Network.mu and has no
// further complete line buffered, it writes the queue itself
// (flushDirect) if no write is in progress. Every line
// still passes through the one queue and exactly one goroutine writes at a
// time (busy), so per-connection order is the queue's order; the direct
// write happens outside Network.mu, so a client that does not read stalls
// only its own reader, never other users. This saves a goroutine wake-up
// per round trip (registration, JOIN, MIGRATE PROCEED and CONFIRM), about
// 25 µs each on a small machine.
type conn struct {
	n      *Network
	node   *Node
	nc     net.Conn
	isTLS  bool
	remote string

	u        *user // the pending registration, or the registered/resumed user
	stopped  bool  // the session was handed over: read no more lines (MIGRATE OK is the last)
	pingSent bool

	qmu     sync.Mutex // guards the fields below
	reason  string
	q       []string
	closing bool // no more lines accepted; the writer closes after the queue
	killed  bool
	inline  bool   // the reader is handling lines; it writes the replies itself afterwards
	busy    bool   // a write to the socket is in progress (writer or reader)
	dbuf    []byte // the reader's direct-write buffer; used only while it holds busy
	wake    chan struct{}
	done    chan struct{} // closed when the writer has closed the socket
}

var errLineTooLong = errors.New("line too long")

func (n *Network) accept(nd *Node, nc net.Conn, isTLS bool) {
	c := &conn{
		n:      n,
		node:   nd,
		nc:     nc,
		isTLS:  isTLS,
		remote: nc.RemoteAddr().String(),
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	n.lock()
	if n.closed || len(n.conns) >= n.opts.MaxClients {
		full := !n.closed
		n.unlock()
		if full {
			_ = nc.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = nc.Write([]byte("ERROR :Closing link (too many connections)\r\n"))
		}
		nc.Close()
		return
	}
	n.conns[c] = struct{}{}
	c.u = newPendingUser(c)
	n.wg.Add(2)
	n.unlock()
	go c.writeLoop()
	go c.serve()
}

// serve reads and handles lines until the connection ends or the session
// is handed over.
func (c *conn) serve() {
	n := c.n
	defer n.wg.Done()
	if tc, ok := c.nc.(*tls.Conn); ok {
		_ = tc.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			n.logf("%s: TLS handshake from %s failed: %v", c.node.name, c.remote, err)
			c.kill()
			n.lock()
			delete(n.conns, c)
			n.unlock()
			return
		}
		_ = tc.SetDeadline(time.Time{})
	}
	n.logf("%s: connection from %s%s", c.node.name, c.remote, suffix(c.isTLS, " (TLS)"))
	br := bufio.NewReaderSize(c.nc, maxLineLen+2)
	reason := "Connection closed"
	pending := 0 // lines handled since the last flushDirect
	for {
		// Like a server's event loop: handle what the client has already
		// sent, then write the replies in one go, so pipelined lines (CAP
		// END, NICK, USER; JOIN lines) do not cost a write each.
		if pending > 0 && (pending >= maxInlineLines || !lineBuffered(br)) {
			c.flushDirect()
			pending = 0
		}
		_ = c.nc.SetReadDeadline(time.Now().Add(n.opts.PingInterval))
		line, err := readLine(br)
		if errors.Is(err, errLineTooLong) {
			n.lock()
			n.numeric(c.u, ERR_INPUTTOOLONG, "Input line was too long")
			n.unlock()
			continue
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				n.lock()
				if !c.pingSent {
					c.pingSent = true
					c.sendLine("PING :" + c.node.name)
					n.unlock()
					continue
				}
				n.unlock()
				reason = "Ping timeout"
			} else if r := c.closeReason(); r != "" {
				reason = r
			}
			break
		}
		if len(line) == 0 {
			continue
		}
		pending++
		if stop := c.handleLine(line); stop {
			c.flushDirect()
			return
		}
	}
	c.kill()
	n.lock()
	n.connGone(c, reason)
	n.unlock()
}

// maxInlineLines bounds how many buffered lines the reader handles before
// writing their replies, so a client pipelining a flood gets answers
// (and the SendQ bound is not reached) before its input is exhausted.
const maxInlineLines = 32

// lineBuffered reports whether a complete line is already buffered, so
// reading it will not block.
func lineBuffered(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Buffered())
	return bytes.IndexByte(b, '\n') >= 0
}

// readLine returns the next line without its CR/LF. A line longer than
// maxLineLen is consumed and reported as errLineTooLong, so the connection
// survives it.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('\n')
		}
		if err != nil {
			return nil, err
		}
		return nil, errLineTooLong
	}
	if err != nil {
		return nil, err
	}
	return bytes.TrimRight(line, "\r\n"), nil
}

func (c *conn) handleLine(raw []byte) (stop bool) {
	n := c.n
	n.lock()
	c.qmu.Lock()
	c.inline = true // until serve calls flushDirect
	c.qmu.Unlock()
	defer n.unlock()
	if c.stopped || n.closed {
		return true
	}
	c.pingSent = false
	if n.opts.Debug {
		n.logf("%s <- %s: %s", c.node.name, c.who(), maskSecrets(string(raw)))
	}
	m, err := parseLine(string(raw))
	if err != nil {
		n.numeric(c.u, ERR_UNKNOWNERROR, "*", "Could not parse line")
		return false
	}
	c.dispatchLabelled(m)
	return c.stopped
}

func (c *conn) who() string {
	if c.u != nil && c.u.nick != "" {
		return c.u.nick
	}
	return c.remote
}

// connGone cleans up after a connection ended (under n.mu). A user still
// attached to it quits; a user already handed over to another node is not
// affected.
func (n *Network) connGone(c *conn, reason string) {
	delete(n.conns, c)
	if n.closed {
		return
	}
	u := c.u
	if u != nil && u.conn == c && u.registered {
		if u.mig != nil {
			u.mig.stopTimers()
			u.mig = nil
		}
		n.quitUser(u, reason)
	}
	n.logf("%s: connection from %s closed: %s", c.node.name, c.remote, reason)
}

// sendLine queues one line. It never blocks: past the SendQ bound the
// connection is dropped, as real servers do.
func (c *conn) sendLine(line string) {
	c.qmu.Lock()
	if c.closing || c.killed {
		c.qmu.Unlock()
		return
	}
	if len(c.q) >= c.n.opts.SendQ {
		c.q = nil
		c.closing = true
		c.qmu.Unlock()
		c.setReason("SendQ exceeded")
		c.kill()
		return
	}
	c.q = append(c.q, line)
	inline := c.inline
	c.qmu.Unlock()
	if !inline {
		c.wakeWriter()
	}
	if c.n.opts.Debug {
		c.n.logf("%s -> %s: %s", c.node.name, c.who(), maskSecrets(line))
	}
}

// wakeWriter nudges the writer to re-check its queue and state.
func (c *conn) wakeWriter() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// flushDirect ends the reader's inline handling of a line: it writes what
// is queued from the reader's goroutine, unless the writer is mid-write
// (then the writer, which re-checks the queue after each write, takes it).
// A failed or timed-out write ends the connection as the writer's would.
// Called without Network.mu.
func (c *conn) flushDirect() {
	c.qmu.Lock()
	c.inline = false
	if c.busy || c.killed || len(c.q) == 0 {
		nudge := !c.busy && (len(c.q) > 0 || c.closing)
		c.qmu.Unlock()
		if nudge {
			c.wakeWriter() // it may be waiting for inline to end
		}
		return
	}
	batch := c.q
	c.q = nil
	c.busy = true
	c.qmu.Unlock()
	buf := c.dbuf[:0]
	for _, l := range batch {
		buf = append(buf, l...)
		buf = append(buf, '\r', '\n')
	}
	_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
	_, err := c.nc.Write(buf)
	if cap(buf) <= 16<<10 {
		c.dbuf = buf
	}
	c.qmu.Lock()
	c.busy = false
	nudge := len(c.q) > 0 || c.closing || c.killed
	c.qmu.Unlock()
	if err != nil {
		c.setReason("Write error")
		c.kill()
		return
	}
	if nudge {
		c.wakeWriter()
	}
}

// closeAfterFlush makes the writer close the socket once everything queued
// so far is written; later lines are dropped.
func (c *conn) closeAfterFlush() {
	c.qmu.Lock()
	c.closing = true
	c.qmu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// kill closes the socket now; both goroutines then end.
func (c *conn) kill() {
	c.qmu.Lock()
	c.killed = true
	c.closing = true
	c.qmu.Unlock()
	c.nc.Close()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// setReason records why the server side ended the connection (the first
// reason wins); the reader uses it for the QUIT others see.
func (c *conn) setReason(r string) {
	c.qmu.Lock()
	if c.reason == "" {
		c.reason = r
	}
	c.qmu.Unlock()
}

func (c *conn) closeReason() string {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return c.reason
}

// writeTimeout bounds one write to a client's socket, by the writer or
// directly by the reader; a client that reads nothing for that long is
// dropped.
const writeTimeout = 30 * time.Second

func (c *conn) writeLoop() {
	defer c.n.wg.Done()
	defer func() {
		c.nc.Close()
		close(c.done)
		c.n.mu.Lock()
		delete(c.n.conns, c)
		c.n.mu.Unlock()
	}()
	bw := bufio.NewWriterSize(c.nc, 16<<10)
	for {
		c.qmu.Lock()
		// While the reader handles a line or writes directly, the queue is
		// its to flush; it wakes us when it is done and work is left.
		for !c.killed && (c.inline || c.busy || len(c.q) == 0 && !c.closing) {
			c.qmu.Unlock()
			<-c.wake // Close always ends with closeAfterFlush or kill, which wake us
			c.qmu.Lock()
		}
		batch, closing, killed := c.q, c.closing, c.killed
		c.q = nil
		c.busy = len(batch) > 0 && !killed
		c.qmu.Unlock()
		if killed {
			return
		}
		if len(batch) > 0 {
			_ = c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
			for _, l := range batch {
				bw.WriteString(l)
				bw.WriteString("\r\n")
			}
			err := bw.Flush()
			c.qmu.Lock()
			c.busy = false
			c.qmu.Unlock()
			if err != nil {
				c.setReason("Write error")
				return
			}
		}
		if closing {
			// Done once everything accepted is written, the reader's
			// direct write included: closing the socket under it would
			// cut that write short.
			c.qmu.Lock()
			done := len(c.q) == 0 && !c.busy && !c.inline
			c.qmu.Unlock()
			if done {
				return
			}
		}
	}
}

// maskSecrets hides passwords, SASL payloads and migrate tokens from the
// debug log (net/migrate/SPEC.md section 4: tokens are never logged).
// It parses with parseLine: it sees every raw line before the handler does.
func maskSecrets(line string) string {
	m, err := parseLine(line)
	if err != nil {
		return line
	}
	switch m.Command {
	case "PASS", "AUTHENTICATE":
		return m.Command + " <hidden>"
	case "BOUNCER":
		if k := len(m.Params) - 1; k >= 1 && strings.Contains(m.Params[k], "pass=") {
			m.Params[k] = "<hidden attributes>" // a network's server password
			return m.String()
		}
	case "MIGRATE":
		for i := range m.Params {
			switch strings.ToUpper(m.Param(0)) {
			case "START":
				if i == 3 || i == 4 {
					m.Params[i] = "<token>"
				}
			case "OK", "NAK", "PROCEED", "RESUME", "CONFIRM":
				if i == 1 {
					m.Params[i] = "<token>"
				}
			}
		}
		return m.String()
	case "FAIL":
		if m.Param(0) == "MIGRATE" && len(m.Params) > 3 {
			m.Params[2] = "<token>"
		}
		return m.String()
	}
	return line
}

// parseLine is irc.ParseMessage made safe for hostile input: irc.v4 v4.0.0
// panics (index out of range) on a line that is only tags and a space,
// such as "@ " or "@a=b ", so such lines are refused first and any other
// panic in the parser becomes an error.
func parseLine(line string) (m *irc.Message, err error) {
	if strings.HasPrefix(line, "@") {
		if i := strings.IndexByte(line, ' '); i >= 0 && strings.TrimLeft(line[i:], " ") == "" {
			return nil, irc.ErrMissingDataAfterTags
		}
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("unparsable line: %v", r)
		}
	}()
	return irc.ParseMessage(line)
}
