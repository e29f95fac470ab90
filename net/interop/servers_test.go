//go:build interop

package interop

import (
	"bufio"
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
)

// ircd is one real IRC server process started for a test.
type ircd struct {
	t    *testing.T
	kind string // "ngircd" or "inspircd"
	port int
	dir  string
	conf string
	// tlsPort, when non-zero, is a second listener speaking TLS with the
	// certificate in dir/cert.pem, issued by the CA in caFile.
	tlsPort int
	caFile  string
	opts    serverOpts

	log *lockedBuffer // output of every run, restarts included

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
}

// lockedBuffer collects a server's output for the test log.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lookPath finds a server binary on PATH or in /usr/sbin (root's PATH on
// Debian has it, a user's may not); a missing binary fails the test, because
// .ci/run installs both and a skipped interop test would prove nothing.
func lookPath(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	t.Fatalf("%s is not installed (apt-get install -y %s)", name, name)
	return ""
}

// freePort asks the kernel for a free loopback port. There is a small race
// between closing it and the server binding it; startServer retries.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

const ngircdConf = `[Global]
	Name = ngircd.test
	Info = ferry interop
	Listen = 127.0.0.1
	Ports = %d
	MotdPhrase = ferry interop test server
	ServerUID = 65534
	ServerGID = 65534
[Limits]
	MaxConnectionsIP = 0
	MaxNickLength = 30
	PingTimeout = %d
	PongTimeout = %d
[Options]
	DNS = no
	Ident = no
	PAM = no
	OperCanUseMode = yes
`

const inspircdConf = `<server name="insp.test" description="ferry interop" network="InspTest">
<admin name="ferry" nick="ferry" email="ferry@localhost">
<bind address="127.0.0.1" port="%d" type="clients">
<connect allow="*" timeout="60" threshold="1000" pingfreq="%d" hardsendq="1048576" softsendq="65536" recvq="65536" localmax="1000" globalmax="1000" useident="no" resolvehostnames="no">
<pid file="%s/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%s/ircd.log">
<options prefixquit="Quit: " defaultmodes="not">
<security hidesplits="no" announceinvites="dynamic">
<performance softlimit="1024" clonesonconnect="no" quietbursts="yes">
<dns server="127.0.0.1" timeout="1">
<limits maxnick="30" maxchan="64" maxmodes="20" maxident="11" maxhost="64" maxquit="255" maxtopic="307" maxkick="255" maxreal="128" maxgecos="128" maxaway="200">
<module name="cap">
<module name="ircv3">
<module name="ircv3_capnotify">
<module name="ircv3_servertime">
<module name="ircv3_echomessage">
<module name="ircv3_msgid">
<module name="ircv3_ctctags">
<module name="ircv3_batch">
<module name="ircv3_accounttag">
<module name="ircv3_chghost">
<module name="ircv3_invitenotify">
<module name="namesx">
<module name="uhnames">
<module name="setname">
<module name="ircv3_labeledresponse">
<module name="chghost">
<module name="monitor">
<monitor maxentries="30">
`

// The TLS additions: the certificate and key written by writeCerts, and a
// second port. Both servers are built with GnuTLS on Debian.
const ngircdTLSConf = `[SSL]
	CertFile = %s/cert.pem
	KeyFile = %s/key.pem
	Ports = %d
`

const inspircdTLSConf = `<module name="ssl_gnutls">
<sslprofile name="Clients" provider="gnutls" certfile="%s/cert.pem" keyfile="%s/key.pem" requestclientcert="no">
<bind address="127.0.0.1" port="%d" type="clients" sslprofile="Clients">
`

const inspircdOperConf = `<class name="everything" commands="*" privs="*" usermodes="*" chanmodes="*">
<type name="Admin" classes="everything">
<oper name="admin" password="interop" host="*@*" type="Admin">
`

// inspircdSTSConf: an upgrade policy on the plaintext port, and a one-minute
// persistence policy on the TLS port for any SNI name (ferry dials an IP
// address, so it sends none).
const inspircdSTSConf = `<module name="ircv3_sts">
<sts host="*" duration="60" port="%d" preload="no">
`

// startServer writes a config for kind on a free port and starts it. The
// server is stopped when the test ends.
func startServer(t *testing.T, kind string) *ircd {
	t.Helper()
	return startServerOpts(t, kind, serverOpts{})
}

// startTLSServer is startServer with a TLS listener as well, its
// certificate (for 127.0.0.1) issued by a throwaway CA in s.caFile.
func startTLSServer(t *testing.T, kind string) *ircd {
	t.Helper()
	return startServerOpts(t, kind, serverOpts{tls: true})
}

// serverOpts are the variations of the test configurations.
type serverOpts struct {
	tls bool // a TLS listener too (startTLSServer)
	// pingFreq, when non-zero, is how many seconds of silence make the
	// server PING a client (and how long it then waits for the PONG).
	pingFreq int
	// oper adds an operator "admin" with password "interop" allowed every
	// command (InspIRCd only: LOADMODULE/UNLOADMODULE).
	oper bool
	// sts advertises an IRCv3 STS policy for the TLS port (InspIRCd only;
	// needs tls).
	sts bool
}

func startServerOpts(t *testing.T, kind string, opts serverOpts) *ircd {
	t.Helper()
	s := &ircd{t: t, kind: kind, dir: t.TempDir(), log: &lockedBuffer{}, opts: opts}
	// ngircd drops to nobody after reading its config; the directory must
	// stay readable for a restart.
	if err := os.Chmod(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if opts.tls {
		s.caFile = writeCerts(t, s.dir)
	}
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		s.port = freePort(t)
		if opts.tls {
			s.tlsPort = freePort(t)
		}
		s.writeConfig()
		if err = s.start(); err == nil {
			t.Cleanup(func() {
				s.stop()
				if t.Failed() {
					s.dumpLog()
				}
			})
			return s
		}
	}
	t.Fatalf("start %s: %v\n%s", kind, err, s.log.String())
	return nil
}

func (s *ircd) writeConfig() {
	s.conf = filepath.Join(s.dir, s.kind+".conf")
	var text string
	ping, pong := 120, 20
	if s.opts.pingFreq != 0 {
		ping, pong = s.opts.pingFreq, s.opts.pingFreq
	}
	switch s.kind {
	case "ngircd":
		text = fmt.Sprintf(ngircdConf, s.port, ping, pong)
		if s.tlsPort != 0 {
			text += fmt.Sprintf(ngircdTLSConf, s.dir, s.dir, s.tlsPort)
		}
	case "inspircd":
		text = fmt.Sprintf(inspircdConf, s.port, ping, s.dir, s.dir)
		if s.opts.oper {
			text += inspircdOperConf
		}
		if s.tlsPort != 0 {
			text += fmt.Sprintf(inspircdTLSConf, s.dir, s.dir, s.tlsPort)
		}
		if s.opts.sts {
			text += fmt.Sprintf(inspircdSTSConf, s.tlsPort)
		}
	default:
		s.t.Fatalf("unknown server kind %q", s.kind)
	}
	if err := os.WriteFile(s.conf, []byte(text), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// start launches the process and waits until it accepts a registration.
func (s *ircd) start() error {
	var cmd *exec.Cmd
	switch s.kind {
	case "ngircd":
		cmd = exec.Command(lookPath(s.t, "ngircd"), "--nodaemon", "--config", s.conf)
	case "inspircd":
		cmd = exec.Command(lookPath(s.t, "inspircd"), "--runasroot", "--nofork", "--nopid", "--config="+s.conf)
	}
	fmt.Fprintf(s.log, "--- %s starting on port %d\n", s.kind, s.port)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	s.mu.Lock()
	s.cmd, s.exited = cmd, exited
	s.mu.Unlock()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("%s exited at start: %v", s.kind, waitErr)
		default:
		}
		if s.probe() == nil {
			return nil
		}
		// Polling is the only barrier: neither server signals readiness.
		time.Sleep(50 * time.Millisecond)
	}
	s.stop()
	return fmt.Errorf("%s did not answer on port %d within 10s", s.kind, s.port)
}

// dumpLog writes the server's output (and InspIRCd's log file) to the test
// log, for a failed test.
func (s *ircd) dumpLog() {
	s.t.Logf("%s output:\n%s", s.kind, s.log.String())
	if b, err := os.ReadFile(filepath.Join(s.dir, "ircd.log")); err == nil {
		s.t.Logf("%s log file:\n%s", s.kind, b)
	}
}

// probe connects and waits for the server's first line.
func (s *ircd) probe() error {
	c, err := net.DialTimeout("tcp", s.addr(), time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(c, "PING probe\r\n")
	_, err = bufio.NewReader(c).ReadString('\n')
	return err
}

func (s *ircd) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// stop kills the server (SIGKILL: a crash, as abrupt as a restart gets;
// clients see their connections reset) and waits until the process is gone,
// so its listening socket is closed.
func (s *ircd) stop() {
	s.mu.Lock()
	cmd, exited := s.cmd, s.exited
	s.cmd, s.exited = nil, nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		s.t.Errorf("%s (pid %d) still running 10s after SIGKILL", s.kind, cmd.Process.Pid)
	}
}

// startAgain starts a stopped server on its old port, with a fresh state.
func (s *ircd) startAgain() {
	s.t.Helper()
	var err error
	for attempt := 0; attempt < 20; attempt++ {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("restart %s: %v\n%s", s.kind, err, s.log.String())
}

// freeze stops the server process (SIGSTOP) without closing anything: its
// sockets stay open and the kernel still completes TCP handshakes, but it
// answers nothing, like a hung server or a dead route.
func (s *ircd) freeze() { s.signal(syscall.SIGSTOP) }

// thaw lets a frozen server run again (SIGCONT).
func (s *ircd) thaw() { s.signal(syscall.SIGCONT) }

func (s *ircd) signal(sig syscall.Signal) {
	s.t.Helper()
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		s.t.Fatalf("%s is not running", s.kind)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("signal %v to %s: %v", sig, s.kind, err)
	}
}

func (s *ircd) tlsAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.tlsPort)) }
