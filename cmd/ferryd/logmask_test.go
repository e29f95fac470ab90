package main

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/cmd/internal/logfile"
	"github.com/ferry-irc/ferry/net/testnet"
)

// lineLog keeps the network's log lines.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, v...))
}

func (l *lineLog) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// rawConn is a minimal line client for one test connection.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *rawConn) send(line string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

// expect reads until a line with command cmd (and first parameter p0 when
// not empty) arrives.
func (c *rawConn) expect(cmd, p0 string) *irc.Message {
	c.t.Helper()
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("waiting for %s %s: %v", cmd, p0, err)
		}
		m, err := irc.ParseMessage(l) // lines from our own test network
		if err == nil && m.Command == cmd && (p0 == "" || m.Param(0) == p0) {
			return m
		}
	}
}

// In `ferry --demo` the network logs into ferry's debug log, which masks
// everything after a leading IRC command word; the migration step lines
// (the point of the demo's log) must come through whole.
func TestMigrationLogSurvivesDebugLogMasking(t *testing.T) {
	lg := &lineLog{}
	n, err := testnet.Start(testnet.Options{Log: lg})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	a := dialRaw(t, n.Node("s1").Addr())
	a.send("CAP LS 302")
	a.send("CAP REQ :draft/migrate")
	a.expect("CAP", "*")
	a.send("NICK guest")
	a.send("USER guest 0 * :g")
	a.send("CAP END")
	a.expect("376", "guest")
	a.send("MIGRATE REQUEST s2")
	start := a.expect("MIGRATE", "START")
	b := dialRaw(t, net.JoinHostPort(start.Param(1), start.Param(2)))
	a.send("MIGRATE OK " + start.Param(3))
	a.expect("MIGRATE", "PROCEED")
	b.send("MIGRATE RESUME " + start.Param(3))
	b.expect("MIGRATE", "CONFIRM")
	b.send("PING :barrier")
	b.expect("PONG", "")
	var steps int
	for _, l := range lg.all() {
		if strings.HasPrefix(l, "migration ") {
			steps++
		}
		if got := logfile.Mask(l); got != l {
			t.Errorf("masked in the debug log:\n\t%s\nbecomes\n\t%s", l, got)
		}
	}
	if steps < 2 {
		t.Errorf("want the START and CONFIRM step lines, log has %d:\n%s", steps, strings.Join(lg.all(), "\n"))
	}
}
