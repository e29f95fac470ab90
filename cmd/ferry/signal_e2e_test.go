package main

import (
	"bufio"
	"context"
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

	"github.com/ferry-irc/ferry/cmd/internal/journal"
	"github.com/ferry-irc/ferry/net/chatlog"
	"github.com/ferry-irc/ferry/net/ircx"
)

// TestSignalsKeepUnsentLines drives the real binary in tmux against a
// small IRC server on loopback, once for SIGTERM and once for SIGHUP (the
// terminal closing):
//
//  1. ferry joins #ferry; the server goes away (connection cut, port
//     closed) and one line is typed: it waits offline. The server comes
//     back but never answers registration: ferry is connected, and a
//     second line typed is held behind the registration.
//  2. The signal ends ferry: exit code 0, QUIT reached the connected
//     server, neither line reached it, the chat log shows both as not
//     sent (never as sent), and the journal holds both.
//  3. The next start shows both lines in #ferry marked not sent, and
//     consumes the journal. /resend delivers each exactly once (the
//     server sees each once, also after a second /resend), and the same
//     signal, now fully connected, sends QUIT and leaves no journal.
//
// It skips only when tmux is not installed; every wait has a deadline.
func TestSignalsKeepUnsentLines(t *testing.T) {
	tmuxPath, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux is not installed; the end-to-end test needs it (.ci/run installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*e2eBudget)
	defer cancel()
	bin := buildFerry(ctx, t, t.TempDir())
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, e2eBudget)
			defer cancel()
			signalRun(ctx, t, tmuxPath, bin, sig)
		})
	}
}

func signalRun(ctx context.Context, t *testing.T, tmuxPath, bin string, sig syscall.Signal) {
	srv := startFakeIRC(t)
	home := t.TempDir()
	cfgDir := filepath.Join(home, "xdg_config_home", "ferry")
	if err := os.MkdirAll(cfgDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("[ui]\nlogs = true\n\n[[network]]\nname = \"fake\"\nhost = \"127.0.0.1\"\nport = %d\ntls = false\nnick = \"e2euser\"\nautojoin = [\"#ferry\"]\n", srv.port)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	journalFile := filepath.Join(home, "xdg_state_home", "ferry", journal.FileName)
	chatLog := filepath.Join(home, "xdg_data_home", "ferry", "logs", chatlog.DirName("fake"), chatlog.FileName(ircx.CasemapRFC1459, "#ferry"))

	// First run.
	run1 := t.TempDir()
	s := startTmuxRun(ctx, t, tmuxPath, home, run1, bin)
	one, two := s.nonce+" typed offline", s.nonce+" held while registering"
	s.waitFor("#ferry joined", func(sc string) bool { return strings.Contains(sc, "has joined") })

	srv.unreachable()
	s.waitFor("the connection lost", func(sc string) bool { return strings.Contains(statusBar(sc), "· waiting") })
	s.typeLine(one)
	s.waitFor("the offline line shown", func(sc string) bool { return strings.Contains(messageArea(sc), one) })
	srv.reachable(true)
	silent := srv.waitLine(ctx, t, "NICK on the silent server", func(c int, l string) bool {
		return c > 0 && strings.HasPrefix(l, "NICK ")
	})
	s.typeLine(two)
	s.waitFor("the held line shown", func(sc string) bool { return strings.Contains(messageArea(sc), two) })

	pid := s.pid()
	if err := syscall.Kill(pid, sig); err != nil {
		t.Fatal(err)
	}
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Errorf("ferry exited with %d after %v, want 0", code, sig)
	}
	srv.waitLine(ctx, t, "QUIT on the connected (registering) server", func(c int, l string) bool {
		return c == silent && strings.HasPrefix(l, "QUIT")
	})
	for _, text := range []string{one, two} {
		if n := srv.count(text); n != 0 {
			t.Errorf("the server got %q %d times before the signal, want 0", text, n)
		}
	}
	log := readFile(t, chatLog)
	for _, text := range []string{one, two} {
		if !strings.Contains(log, chatlog.NotSent+"<e2euser> "+text+"\n") {
			t.Errorf("the chat log does not show %q as not sent:\n%s", text, log)
		}
		for _, l := range strings.Split(log, "\n") {
			if strings.Contains(l, text) && !strings.Contains(l, chatlog.NotSent) {
				t.Errorf("the chat log shows a line never sent as sent: %q", l)
			}
		}
	}
	fi, err := os.Stat(journalFile)
	if err != nil {
		t.Fatalf("no journal after %v: %v", sig, err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
	}
	lines, err := journal.Read(journalFile)
	if err != nil || len(lines) != 2 || lines[0].Text != one || lines[1].Text != two ||
		lines[0].Target != "#ferry" || lines[0].Network != "fake" || lines[0].Kind != journal.Privmsg {
		t.Fatalf("journal: %+v, %v", lines, err)
	}

	// Second run: the lines are shown, not sent, until /resend.
	srv.reachable(false)
	before := srv.conns()
	s = startTmuxRun(ctx, t, tmuxPath, home, t.TempDir(), bin)
	s.nonce = strings.Fields(one)[0]
	s.waitFor("the not-sent lines shown in #ferry", func(sc string) bool {
		a := messageArea(sc)
		return strings.Contains(a, one) && strings.Contains(a, two) &&
			strings.Contains(a, "2 lines above not sent when ferry ended") && strings.Contains(a, "has joined")
	})
	if _, err := os.Stat(journalFile); !os.IsNotExist(err) {
		t.Errorf("the journal was not consumed once shown: %v", err)
	}
	if sc := s.capture(); strings.Count(sc, "✗") < 2 {
		t.Errorf("the not-sent lines are not marked ✗:\n%s", sc)
	}
	time.Sleep(300 * time.Millisecond) // nothing is sent by itself
	if n1, n2 := srv.count(one), srv.count(two); n1 != 0 || n2 != 0 {
		t.Fatalf("lines from the journal sent without /resend: %d %d", n1, n2)
	}
	s.typeLine("/resend")
	after := s.nonce + " after resend"
	s.typeLine(after)
	srv.waitLine(ctx, t, "the line typed after /resend", func(c int, l string) bool { return c >= before && strings.HasSuffix(l, ":"+after) })
	s.typeLine("/resend")
	s.waitFor("the second /resend's answer", func(sc string) bool {
		return strings.Contains(messageArea(sc), "no lines marked not sent")
	})
	barrier := s.nonce + " after the second resend"
	s.typeLine(barrier)
	srv.waitLine(ctx, t, "the line typed after the second /resend", func(c int, l string) bool { return strings.HasSuffix(l, ":"+barrier) })
	for _, text := range []string{one, two} {
		if n := srv.count(text); n != 1 {
			t.Errorf("the server got %q %d times, want exactly once", text, n)
		}
	}
	conn := srv.conns() - 1
	if err := syscall.Kill(s.pid(), sig); err != nil {
		t.Fatal(err)
	}
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Errorf("ferry exited with %d after %v (connected), want 0", code, sig)
	}
	srv.waitLine(ctx, t, "QUIT on the registered connection", func(c int, l string) bool {
		return c == conn && strings.HasPrefix(l, "QUIT :ferry")
	})
	if _, err := os.Stat(journalFile); !os.IsNotExist(err) {
		t.Errorf("a journal was left with every line delivered: %v", err)
	}
	log = readFile(t, chatLog)
	for _, text := range []string{one, two} {
		if n := strings.Count(log, "<e2euser> "+text+"\n") - strings.Count(log, chatlog.NotSent+"<e2euser> "+text+"\n"); n != 1 {
			t.Errorf("the chat log shows %q as sent %d times, want once:\n%s", text, n, log)
		}
	}
}

// pid is ferry's process id, written by the shell that execs it.
func (s *tmuxSession) pid() int {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(s.pidFile)
		if err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				s.t.Fatal(err)
			}
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatal("no pid file")
	return 0
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fakeIRC is an IRC server on loopback just big enough for ferry to
// register and join, that records every line it reads per connection and
// can be made unreachable (connections cut, port closed) or silent (it
// accepts but answers nothing, so registration never ends).
type fakeIRC struct {
	t    *testing.T
	port int

	mu     sync.Mutex
	ln     net.Listener
	silent bool
	lines  [][]string // per connection, in order of accept
	open   []net.Conn
}

func startFakeIRC(t *testing.T) *fakeIRC {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeIRC{t: t, port: ln.Addr().(*net.TCPAddr).Port}
	f.serve(ln)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.down()
	})
	return f
}

func (f *fakeIRC) serve(ln net.Listener) {
	f.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			idx := len(f.lines)
			f.lines = append(f.lines, nil)
			f.open = append(f.open, c)
			silent := f.silent
			f.mu.Unlock()
			go f.handle(c, idx, silent)
		}
	}()
}

// down closes the listener and every connection; f.mu held.
func (f *fakeIRC) down() {
	if f.ln != nil {
		f.ln.Close()
		f.ln = nil
	}
	for _, c := range f.open {
		c.Close()
	}
	f.open = nil
}

// unreachable cuts every connection and closes the port.
func (f *fakeIRC) unreachable() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down()
}

// reachable opens the port again; silent servers never answer.
func (f *fakeIRC) reachable(silent bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.down()
	f.silent = silent
	var ln net.Listener
	var err error
	for range 50 { // the port was ours a moment ago
		if ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", f.port)); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		f.t.Errorf("listen again on %d: %v", f.port, err)
		return
	}
	f.serve(ln)
}

func (f *fakeIRC) handle(c net.Conn, idx int, silent bool) {
	defer c.Close()
	r := bufio.NewReader(c)
	nick, user := "", false
	send := func(format string, v ...any) { fmt.Fprintf(c, format+"\r\n", v...) }
	for {
		c.SetReadDeadline(time.Now().Add(2 * e2eBudget))
		l, err := r.ReadString('\n')
		if err != nil {
			return
		}
		l = strings.TrimRight(l, "\r\n")
		f.mu.Lock()
		f.lines[idx] = append(f.lines[idx], l)
		f.mu.Unlock()
		if silent {
			continue
		}
		cmd, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(cmd) {
		case "CAP":
			if strings.HasPrefix(rest, "LS") {
				send(":fake CAP * LS :")
			}
		case "NICK":
			first := nick == ""
			nick = strings.TrimPrefix(rest, ":")
			if first && user {
				welcome(send, nick)
			}
		case "USER":
			user = true
			if nick != "" {
				welcome(send, nick)
			}
		case "PING":
			send(":fake PONG fake %s", rest)
		case "JOIN":
			for _, ch := range strings.Split(strings.Fields(rest)[0], ",") {
				send(":%s!e2e@127.0.0.1 JOIN %s", nick, ch)
				send(":fake 353 %s = %s :%s", nick, ch, nick)
				send(":fake 366 %s %s :End of /NAMES list", nick, ch)
			}
		case "QUIT":
			send("ERROR :Closing link (quit)")
			return
		}
	}
}

func welcome(send func(string, ...any), nick string) {
	send(":fake 001 %s :Welcome", nick)
	send(":fake 005 %s CHANTYPES=# CASEMAPPING=ascii :are supported by this server", nick)
	send(":fake 422 %s :MOTD File is missing", nick)
}

// conns is the number of connections accepted so far.
func (f *fakeIRC) conns() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.lines)
}

// count is how many PRIVMSGs, on every connection, carried text.
func (f *fakeIRC) count(text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, ls := range f.lines {
		for _, l := range ls {
			if strings.HasPrefix(l, "PRIVMSG ") && strings.HasSuffix(l, " :"+text) {
				n++
			}
		}
	}
	return n
}

// waitLine waits until a line ok accepts has been read and returns the
// index of its connection.
func (f *fakeIRC) waitLine(ctx context.Context, t *testing.T, what string, ok func(conn int, line string) bool) int {
	t.Helper()
	for {
		f.mu.Lock()
		for i, ls := range f.lines {
			for _, l := range ls {
				if ok(i, l) {
					f.mu.Unlock()
					return i
				}
			}
		}
		var all strings.Builder
		for i, ls := range f.lines {
			fmt.Fprintf(&all, "conn %d: %q\n", i, ls)
		}
		f.mu.Unlock()
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: gave up; the server read:\n%s", what, all.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
