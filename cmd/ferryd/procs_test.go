package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/transport"
)

// procWait bounds every wait on a process or a client in these tests.
const procWait = 20 * time.Second

var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// ferrydBinary builds cmd/ferryd once per test binary.
func ferrydBinary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "ferryd-test-")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "ferryd")
		if out, err := exec.Command("go", "build", "-o", build.bin, ".").CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// proc is one ferryd process: its stdout lines and its log.
type proc struct {
	t    testing.TB
	name string
	args []string
	cmd  *exec.Cmd
	out  chan string
	done chan struct{}
	code int

	mu  sync.Mutex
	log bytes.Buffer
}

func (p *proc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.Write(b)
}

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// startProc runs ferryd with args and waits for its first stdout line
// starting with want; it is killed (if still running) when the test ends,
// and its log shown when the test failed.
func startProc(t testing.TB, name, want string, args ...string) (*proc, string) {
	t.Helper()
	return startProcEnv(t, nil, name, want, args...)
}

// startProcEnv is startProc with env added to the process's environment.
func startProcEnv(t testing.TB, env []string, name, want string, args ...string) (*proc, string) {
	t.Helper()
	p := &proc{t: t, name: name, args: args, out: make(chan string, 16), done: make(chan struct{})}
	p.cmd = exec.Command(ferrydBinary(t), args...)
	if env != nil {
		p.cmd.Env = append(os.Environ(), env...)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case p.out <- sc.Text():
			default:
			}
		}
		err := p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		if err != nil && p.code == 0 {
			p.code = -1
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("log of %s:\n%s", p.name, p.logText())
		}
	})
	select {
	case l := <-p.out:
		if !strings.HasPrefix(l, want+" ") {
			t.Fatalf("%s: first line %q, want %q", name, l, want)
		}
		return p, strings.TrimPrefix(l, want+" ")
	case <-p.done:
		t.Fatalf("%s exited (%d) before it was ready:\n%s", name, p.code, p.logText())
	case <-time.After(procWait):
		t.Fatalf("%s not ready within %v:\n%s", name, procWait, p.logText())
	}
	return nil, ""
}

// waitLog waits until the process has logged text.
func (p *proc) waitLog(text string) {
	p.t.Helper()
	deadline := time.Now().Add(procWait)
	for !strings.Contains(p.logText(), text) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s never logged %q", p.name, text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signal sends sig and waits for the exit code.
func (p *proc) stop(sig syscall.Signal) int {
	p.t.Helper()
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
		return p.code
	case <-time.After(procWait):
		p.t.Fatalf("%s did not exit within %v of %v", p.name, procWait, sig)
	}
	return -1
}

// freeAddr is a loopback address nothing listens on now, for a process
// that must come back on the same address.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().String()
	ln.Close()
	return a
}

// network is a NATS-only process and node processes on it.
type network struct {
	t       testing.TB
	natsDir string
	natsAt  string
	nats    *proc
	url     string
	addrs   map[string]string
	args    []string // more flags for every node
}

func startNetwork(t testing.TB, nodes ...string) (*network, map[string]*proc) {
	t.Helper()
	return startNetworkArgs(t, nil, nodes...)
}

// startNetworkArgs is startNetwork with more flags for every node.
func startNetworkArgs(t testing.TB, args []string, nodes ...string) (*network, map[string]*proc) {
	t.Helper()
	nw := &network{t: t, natsDir: t.TempDir(), natsAt: freeAddr(t), addrs: map[string]string{}, args: args}
	nw.startNATS()
	procs := map[string]*proc{}
	for _, name := range nodes {
		nw.addrs[name] = freeAddr(t)
		procs[name] = nw.startNode(name)
	}
	return nw, procs
}

func (nw *network) startNATS() {
	nw.t.Helper()
	nw.nats, nw.url = startProc(nw.t, "nats", "nats", "-nats-listen", nw.natsAt, "-nats-dir", nw.natsDir)
}

func (nw *network) startNode(name string) *proc {
	nw.t.Helper()
	p, addr := startProc(nw.t, name, name, append([]string{"-node", name + "=" + nw.addrs[name], "-nats", nw.url, "-drain-timeout", "10s"}, nw.args...)...)
	if addr != nw.addrs[name] {
		nw.t.Fatalf("%s serves %s, want %s", name, addr, nw.addrs[name])
	}
	return p
}

// ircClient is a raw client (irc.v4 framing, nothing of ferry) whose
// reader goroutine collects every line.
type ircClient struct {
	t    testing.TB
	name string
	nc   net.Conn

	mu     sync.Mutex
	lines  []*irc.Message
	closed bool
	more   chan struct{}
}

func dialIRC(t testing.TB, name, addr string) *ircClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, procWait)
	if err != nil {
		t.Fatalf("%s: dial %s: %v", name, addr, err)
	}
	c := &ircClient{t: t, name: name, nc: nc, more: make(chan struct{}, 1)}
	t.Cleanup(func() { nc.Close() })
	go c.read()
	return c
}

func (c *ircClient) read() {
	br := bufio.NewReader(c.nc)
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			c.mu.Lock()
			c.closed = true
			c.mu.Unlock()
			c.wake()
			return
		}
		m, err := irc.ParseMessage(strings.TrimRight(l, "\r\n"))
		if err != nil {
			continue
		}
		if m.Command == "PING" {
			c.send("PONG :%s", m.Trailing())
			continue
		}
		c.mu.Lock()
		c.lines = append(c.lines, m)
		c.mu.Unlock()
		c.wake()
	}
}

func (c *ircClient) wake() {
	select {
	case c.more <- struct{}{}:
	default:
	}
}

func (c *ircClient) send(format string, v ...any) {
	_ = c.nc.SetWriteDeadline(time.Now().Add(procWait))
	_, _ = fmt.Fprintf(c.nc, format+"\r\n", v...)
}

func (c *ircClient) snapshot() ([]*irc.Message, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*irc.Message(nil), c.lines...), c.closed
}

// waitLine waits for a line matching match after index from and returns
// its index.
func (c *ircClient) waitLine(what string, from int, match func(*irc.Message) bool) int {
	c.t.Helper()
	deadline := time.After(procWait)
	for {
		ls, closed := c.snapshot()
		for i := from; i < len(ls); i++ {
			if match(ls[i]) {
				return i
			}
		}
		if closed {
			c.t.Fatalf("%s: connection closed waiting for %s; lines:\n%s", c.name, what, dump(ls[from:]))
		}
		select {
		case <-c.more:
		case <-deadline:
			c.t.Fatalf("%s: timed out waiting for %s; lines:\n%s", c.name, what, dump(ls[from:]))
		}
	}
}

func dump(ls []*irc.Message) string {
	var b strings.Builder
	for _, m := range ls {
		b.WriteString("\t" + m.String() + "\n")
	}
	return b.String()
}

func cmdIs(m *irc.Message, cmd string, params ...string) bool {
	if m.Command != cmd || len(m.Params) < len(params) {
		return false
	}
	for i, p := range params {
		if m.Params[i] != p {
			return false
		}
	}
	return true
}

// registerIRC connects nick to addr with caps.
func registerIRC(t testing.TB, addr, nick string, caps ...string) *ircClient {
	t.Helper()
	c := dialIRC(t, nick, addr)
	if len(caps) > 0 {
		c.send("CAP REQ :%s", strings.Join(caps, " "))
	}
	c.send("CAP END")
	c.send("NICK %s", nick)
	c.send("USER %s 0 * :%s", nick, nick)
	c.waitLine("001", 0, func(m *irc.Message) bool { return m.Command == "001" })
	return c
}

func (c *ircClient) join(ch string) {
	c.t.Helper()
	ls, _ := c.snapshot()
	c.send("JOIN %s", ch)
	c.waitLine("366 "+ch, len(ls), func(m *irc.Message) bool { return cmdIs(m, "366", c.name, ch) })
}

// poolClient is ferry's real connection owner on one network.
type poolClient struct {
	t    testing.TB
	name string
	pool *conn.Pool

	mu              sync.Mutex
	evs             []event.Event
	resumed, failed int // Migration events, counted as they come (the chaos test waits on them often)
	more            chan struct{}
	done            chan struct{}
}

type poolLog struct {
	t    testing.TB
	name string
}

func (l poolLog) Printf(string, ...any) {}

func startPool(t testing.TB, addr, nick string) *poolClient {
	t.Helper()
	return startPoolSASL(t, addr, nick, nil)
}

// startPoolSASL is startPool logging in with sasl (nil: none).
func startPoolSASL(t testing.TB, addr, nick string, sasl *session.SASL) *poolClient {
	t.Helper()
	host, ps, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(ps)
	cfg := conn.NetworkConfig{
		Name:    "net",
		Dial:    transport.DialConfig{Host: host, Port: port, Timeout: 5 * time.Second},
		Session: session.Config{Nick: nick, User: nick, Realname: nick, SASL: sasl},
		Backoff: conn.Backoff{Min: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		Flood:   conn.Flood{Burst: 100000, Interval: time.Microsecond},
	}
	pc := &poolClient{t: t, name: nick, more: make(chan struct{}, 1), done: make(chan struct{})}
	pc.pool = conn.NewPool(conn.PoolOptions{Networks: []conn.NetworkConfig{cfg}, Log: poolLog{t, nick}})
	go func() {
		defer close(pc.done)
		for b := range pc.pool.Events() {
			pc.mu.Lock()
			pc.evs = append(pc.evs, b.Events...)
			for _, e := range b.Events {
				switch {
				case isResumed(e):
					pc.resumed++
				case isFailed(e):
					pc.failed++
				}
			}
			pc.mu.Unlock()
			select {
			case pc.more <- struct{}{}:
			default:
			}
		}
	}()
	pc.pool.Start()
	t.Cleanup(func() {
		pc.pool.Close()
		select {
		case <-pc.done:
		case <-time.After(procWait):
		}
	})
	pc.waitCount("registration", 1, func(e event.Event) bool { _, ok := e.(event.Registered); return ok })
	return pc
}

func (pc *poolClient) do(c command.Command) { pc.pool.Do("net", c) }

// migrations returns how many migrations completed and failed so far.
func (pc *poolClient) migrations() (resumed, failed int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.resumed, pc.failed
}

// waitMigrated waits until more than resumed migrations completed or
// more than failed failed, and returns the new counts.
func (pc *poolClient) waitMigrated(resumed, failed int) (int, int) {
	pc.t.Helper()
	deadline := time.After(procWait)
	for {
		r, f := pc.migrations()
		if r > resumed || f > failed {
			return r, f
		}
		select {
		case <-pc.more:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			pc.t.Errorf("%s: no migration after %d (and %d failed) within %v", pc.name, resumed, failed, procWait)
			return r, f
		}
	}
}

func (pc *poolClient) snapshot() []event.Event {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return append([]event.Event(nil), pc.evs...)
}

func (pc *poolClient) count(match func(event.Event) bool) int {
	k := 0
	for _, e := range pc.snapshot() {
		if match(e) {
			k++
		}
	}
	return k
}

func (pc *poolClient) waitCount(what string, n int, match func(event.Event) bool) {
	pc.t.Helper()
	deadline := time.After(procWait)
	for pc.count(match) < n {
		select {
		case <-pc.more:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			pc.t.Fatalf("%s: timed out waiting for %s (%d of %d)", pc.name, what, pc.count(match), n)
		}
	}
}

func isResumed(e event.Event) bool {
	m, ok := e.(event.Migration)
	return ok && m.Step == event.MigrationResumed
}

// streamCheck checks a numbered stream "<prefix> N": complete, in order,
// nothing twice.
type streamCheck struct {
	prefix string
	next   int
	errs   []string
}

func (s *streamCheck) see(text string) {
	rest, ok := strings.CutPrefix(text, s.prefix+" ")
	if !ok {
		return
	}
	v, err := strconv.Atoi(rest)
	if err != nil {
		s.errs = append(s.errs, "bad line "+text)
		return
	}
	if v != s.next && len(s.errs) < 10 {
		s.errs = append(s.errs, fmt.Sprintf("%s: got %d, want %d", s.prefix, v, s.next))
	}
	s.next = v + 1
}

// ircStream checks what a raw client received of a numbered stream.
func ircStream(c *ircClient, prefix string) *streamCheck {
	s := &streamCheck{prefix: prefix}
	ls, _ := c.snapshot()
	for _, m := range ls {
		if m.Command == "PRIVMSG" && len(m.Params) == 2 {
			s.see(m.Params[1])
		}
	}
	return s
}

// poolStream checks what a Pool client received of a numbered stream from nick.
func poolStream(pc *poolClient, nick, prefix string) *streamCheck {
	s := &streamCheck{prefix: prefix}
	for _, e := range pc.snapshot() {
		if m, ok := e.(event.Message); ok && !m.Self && m.From == nick {
			s.see(m.Text)
		}
	}
	return s
}

// talker sends a numbered stream until stopped and reports how many lines.
type talker struct {
	stop chan struct{}
	sent chan int
}

func talk(every time.Duration, say func(i int)) *talker {
	tk := &talker{stop: make(chan struct{}), sent: make(chan int, 1)}
	go func() {
		i := 0
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-tk.stop:
				tk.sent <- i
				return
			case <-t.C:
				say(i)
				i++
			}
		}
	}()
	return tk
}

func (tk *talker) end() int {
	close(tk.stop)
	return <-tk.sent
}
