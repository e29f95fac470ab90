//go:build interop

package session

// Live tests of the session against real servers (ngircd and InspIRCd, as
// Debian packages them): each test starts its own server on a free loopback
// port with a config it writes. The session is driven synchronously: a line
// is read, handed to Handle, and outgoing lines are written at once.
//
//	go test -tags interop ./net/session/

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

const liveNgircdConf = `[Global]
	Name = ngircd.test
	Info = ferry session interop
	Listen = 127.0.0.1
	Ports = %d
	ServerUID = 65534
	ServerGID = 65534
[Limits]
	MaxConnectionsIP = 0
	MaxNickLength = 30
[Options]
	DNS = no
	Ident = no
	PAM = no
`

const liveInspircdConf = `<server name="insp.test" description="ferry session interop" network="InspTest">
<admin name="ferry" nick="ferry" email="ferry@localhost">
<bind address="127.0.0.1" port="%d" type="clients">
<connect allow="*" timeout="60" threshold="1000" pingfreq="120" hardsendq="1048576" softsendq="65536" recvq="65536" localmax="1000" globalmax="1000" useident="no" resolvehostnames="no">
<pid file="%s/inspircd.pid">
<log method="file" type="* -USERINPUT -USEROUTPUT" level="default" target="%s/ircd.log">
<options defaultmodes="not">
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
<module name="ircv3_chghost">
<module name="ircv3_invitenotify">
<module name="namesx">
<module name="uhnames">
<module name="setname">
`

// liveServer starts kind on a free port and returns its address.
func liveServer(t *testing.T, kind string) string {
	t.Helper()
	bin, err := exec.LookPath(kind)
	if err != nil {
		bin = filepath.Join("/usr/sbin", kind)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("%s is not installed (apt-get install -y %s)", kind, kind)
	}
	dir := t.TempDir()
	_ = os.Chmod(dir, 0o755) // ngircd drops privileges after reading its config
	for attempt := 0; attempt < 5; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		conf := filepath.Join(dir, kind+".conf")
		var cmd *exec.Cmd
		switch kind {
		case "ngircd":
			_ = os.WriteFile(conf, []byte(fmt.Sprintf(liveNgircdConf, port)), 0o644)
			cmd = exec.Command(bin, "--nodaemon", "--config", conf)
		case "inspircd":
			_ = os.WriteFile(conf, []byte(fmt.Sprintf(liveInspircdConf, port, dir, dir)), 0o644)
			cmd = exec.Command(bin, "--runasroot", "--nofork", "--nopid", "--config="+conf)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		// Waiting for an external process to listen: poll, bounded.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				continue
			}
			_ = c.SetDeadline(time.Now().Add(2 * time.Second))
			fmt.Fprintf(c, "PING probe\r\n")
			_, err = bufio.NewReader(c).ReadString('\n')
			c.Close()
			if err == nil {
				return addr
			}
		}
		_ = cmd.Process.Kill()
	}
	t.Fatalf("%s did not start", kind)
	return ""
}

// liveClient is one session on a real connection.
type liveClient struct {
	t    *testing.T
	name string
	c    net.Conn
	r    *irc.Reader
	w    *irc.Writer
	s    *Session
	evs  []event.Event // every event so far
}

func (l *liveClient) Send(o Outgoing) {
	if err := l.w.WriteMessage(o.Msg); err != nil {
		l.t.Errorf("%s: write: %v", l.name, err)
	}
}

func dialLive(t *testing.T, addr string, cfg Config) *liveClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	l := &liveClient{t: t, name: cfg.Nick, c: c, r: irc.NewReader(c), w: irc.NewWriter(c)}
	cfg.Sender = l
	cfg.Log = &testLog{t: t}
	l.s = New(cfg)
	l.s.Register()
	return l
}

// until handles lines until cond holds for the events gathered so far
// (or the session's state), failing after 10 s.
func (l *liveClient) until(what string, cond func() bool) {
	l.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		_ = l.c.SetReadDeadline(deadline)
		m, err := l.r.ReadMessage()
		if err != nil {
			l.t.Fatalf("%s: waiting for %s: %v", l.name, what, err)
		}
		l.evs = append(l.evs, l.s.Handle(m)...)
		if err := l.s.Fatal(); err != nil {
			l.t.Fatalf("%s: fatal: %v", l.name, err)
		}
	}
}

// messages returns the Message events gathered so far.
func (l *liveClient) messages() []event.Message { return only[event.Message](l.evs) }

func TestLiveServers(t *testing.T) {
	for _, kind := range []string{"ngircd", "inspircd"} {
		t.Run(kind, func(t *testing.T) {
			addr := liveServer(t, kind)
			alice := dialLive(t, addr, Config{Nick: "alice", User: "alice", Realname: "Alice", Autojoin: []Channel{{Name: "#ferry"}}, Version: "ferry-test"})
			bob := dialLive(t, addr, Config{Nick: "bob", User: "bob", Realname: "Bob", Autojoin: []Channel{{Name: "#Ferry"}}})
			alice.until("ready", alice.s.Ready)
			bob.until("ready", bob.s.Ready)
			t.Logf("%s: caps echo-message=%v server-time=%v multi-prefix=%v; casemap %v, LINELEN %d",
				kind, alice.s.HasCap("echo-message"), alice.s.HasCap("server-time"), alice.s.HasCap("multi-prefix"), alice.s.is.Casemap, alice.s.is.LineLen)
			// alice created #ferry: she is its operator in bob's member list.
			bob.until("names", func() bool { return len(only[event.Names](bob.evs)) > 0 })
			names := only[event.Names](bob.evs)[0]
			if len(names.Members) != 2 || names.Members[0].Nick != "alice" || names.Members[0].Prefixes != "@" {
				t.Errorf("bob's names %+v", names)
			}

			// A message, and a long one that must be split to fit once relayed.
			long := strings.Repeat("ünïcödé€", 150) // 1800 bytes, no spaces
			alice.s.Submit(command.SendText{ID: 1, Target: "#ferry", Text: "hello bob"})
			alice.s.Submit(command.SendText{ID: 2, Target: "#ferry", Text: long})
			var got []string
			bob.until("alice's lines", func() bool {
				got = got[:0]
				for _, m := range bob.messages() {
					if m.From == "alice" {
						got = append(got, m.Text)
					}
				}
				return len(got) >= 2 && strings.Join(got[1:], "") == long
			})
			if got[0] != "hello bob" || !bob.messages()[0].Highlight {
				t.Errorf("first line %q (highlight %v)", got[0], bob.messages()[0].Highlight)
			}
			if len(got) < 5 {
				t.Errorf("1800 bytes arrived in %d lines: not split?", len(got))
			}
			if alice.s.HasCap("echo-message") {
				alice.until("echoes", func() bool {
					n := 0
					for _, m := range alice.messages() {
						if m.Self && m.LocalID != 0 {
							n++
						}
					}
					return n == len(got)
				})
			}

			// CTCP VERSION, answered; a lag PING, measured.
			bob.s.Submit(command.Raw{Line: "PRIVMSG alice :\x01VERSION\x01"})
			alice.until("ctcp", func() bool { return len(only[event.CTCP](alice.evs)) > 0 })
			bob.until("ctcp reply", func() bool {
				for _, c := range only[event.CTCP](bob.evs) {
					if c.Reply && c.Command == "VERSION" && c.Args == "ferry-test" {
						return true
					}
				}
				return false
			})
			alice.s.Ping()
			alice.until("lag", func() bool { return len(only[event.Lag](alice.evs)) > 0 })

			// Nick collision: a second "alice" falls back to the alternative.
			carol := dialLive(t, addr, Config{Nick: "alice", AltNicks: []string{"alice2"}, User: "carol", Realname: "Carol"})
			carol.until("registered", carol.s.Registered)
			if carol.s.Nick() != "alice2" {
				t.Errorf("collision: registered as %q", carol.s.Nick())
			}

			// Mode, topic, part, quit seen by bob.
			alice.s.Submit(command.Raw{Line: "MODE #ferry +v bob"})
			alice.s.Submit(command.Raw{Line: "TOPIC #ferry :a topic"})
			bob.until("voice", func() bool {
				m := bob.s.joinedChannel("#ferry").members["bob"]
				return m != nil && m.prefixes == "+"
			})
			bob.until("topic", func() bool { return len(only[event.Topic](bob.evs)) > 0 })
			alice.s.Submit(command.Quit{Reason: "bye"})
			bob.until("quit", func() bool { return len(only[event.Quit](bob.evs)) > 0 })
			if q := only[event.Quit](bob.evs)[0]; q.Nick != "alice" || len(q.Channels) != 1 {
				t.Errorf("quit %+v", q)
			}
			if n := len(bob.s.joinedChannel("#ferry").members); n != 1 {
				t.Errorf("%d members after quit, want 1", n)
			}
		})
	}
}
