package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/testnet"
)

// rawUser is a minimal IRC client standing in for the user's client.
type rawUser struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialUser(t *testing.T, addr, nick string) *rawUser {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(20 * time.Second))
	u := &rawUser{t: t, c: c, r: bufio.NewReader(c)}
	u.send("NICK %s", nick)
	u.send("USER %s 0 * :user", nick)
	u.until(" 001 ")
	return u
}

func (u *rawUser) send(format string, v ...any) {
	u.t.Helper()
	if _, err := fmt.Fprintf(u.c, format+"\r\n", v...); err != nil {
		u.t.Fatal(err)
	}
}

// until reads lines until one contains s, answering PINGs.
func (u *rawUser) until(s string) string {
	u.t.Helper()
	for {
		line, err := u.r.ReadString('\n')
		if err != nil {
			u.t.Fatalf("waiting for %q: %v", s, err)
		}
		if strings.HasPrefix(line, "PING ") {
			u.send("PONG %s", strings.TrimSpace(line[5:]))
		}
		if strings.Contains(line, s) {
			return line
		}
	}
}

func startNet(t *testing.T, addr string) *testnet.Network {
	t.Helper()
	var err error
	var tn *testnet.Network
	// The old listener's port may take a moment to be free again.
	for range 50 {
		if tn, err = testnet.Start(testnet.Options{Nodes: []testnet.NodeConfig{{Name: "s1", Addr: addr}}}); err == nil {
			return tn
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal(err)
	return nil
}

// TestObserver runs the observer against the reference network: it sees
// the user join, records the arrival of a typed line, says numbered lines
// the user receives, sees the user's NICK and QUIT, and after the whole
// network restarts on the same port it is back in the channel by itself.
func TestObserver(t *testing.T) {
	tn := startNet(t, "127.0.0.1:0")
	addr := tn.Node("s1").Addr()
	defer func() { tn.Close() }()

	o := newObserver(addr, "observer", "#restart")
	go o.run()
	defer o.close()
	if !waitFor(5*time.Second, o.isJoined) {
		t.Fatal("the observer did not join")
	}
	o.mu.Lock()
	o.record = true
	o.mu.Unlock()

	u := dialUser(t, addr, "user")
	u.send("JOIN #restart")
	select {
	case <-o.userJoin:
	case <-time.After(5 * time.Second):
		t.Fatal("the observer did not see the user join")
	}
	u.send("PRIVMSG #restart :typed 7")
	if !waitFor(5*time.Second, func() bool { _, ok := o.arrival(7); return ok }) {
		t.Fatal("typed line 7 did not arrive at the observer")
	}
	if _, ok := o.arrival(8); ok {
		t.Fatal("line 8 arrived without being typed")
	}

	stop := make(chan struct{})
	go o.talkEvery(10*time.Millisecond, stop)
	o.setTalk(true)
	u.until("obsline 1 ")
	u.until("obsline 2 ")
	o.setTalk(false)
	close(stop)

	u.send("NICK user2")
	u.until("NICK")
	u.send("QUIT :bye")
	if !waitFor(5*time.Second, func() bool {
		o.mu.Lock()
		defer o.mu.Unlock()
		return len(o.seen) >= 3
	}) {
		t.Fatalf("sightings %v, want JOIN, NICK, QUIT", o.seen)
	}
	o.mu.Lock()
	var what []string
	for _, s := range o.seen {
		what = append(what, s.what)
	}
	said := len(o.said)
	o.mu.Unlock()
	if got, want := strings.Join(what, ", "), "JOIN, NICK user→user2, QUIT (Quit: bye)"; !strings.HasPrefix(got, want) {
		t.Errorf("sightings %q, want %q", got, want)
	}
	if said < 2 {
		t.Errorf("said %d numbered lines, the user read 2", said)
	}

	// Restart the network on the same port: the observer comes back alone.
	tn.Close()
	if !waitFor(5*time.Second, func() bool { return !o.isJoined() }) {
		t.Fatal("the observer did not notice the network going away")
	}
	tn = startNet(t, addr)
	if !waitFor(10*time.Second, o.isJoined) {
		t.Fatal("the observer did not rejoin after the restart")
	}
	o.mu.Lock()
	drops := len(o.drops)
	o.mu.Unlock()
	if drops != 1 {
		t.Errorf("%d drops recorded, want 1", drops)
	}
}

func TestLoggedLines(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "net", "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"net/#restart.log":   "12:00 <observer> obsline 1 from the observer\n12:00 <observer> obsline 3 from the observer\n",
		"net/deep/other.log": "obsline 12 and obsline 4\n",
		"net/noise.log":      "obsline1 xobsline 5 obsline 6x\n", // no whole-word number
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := loggedLines(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3, 4, 12} {
		if !got[n] {
			t.Errorf("line %d not found", n)
		}
	}
	if len(got) != 4 {
		t.Errorf("found %v, want exactly 1, 3, 4 and 12", got)
	}
}
