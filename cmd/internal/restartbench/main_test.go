package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
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

func TestParseOptions(t *testing.T) {
	base := []string{"-addr", "127.0.0.1:6667", "-server", "ngircd", "-tmux-socket", "s", "-logdir", "/tmp/l"}
	args := func(extra ...string) []string { return append(slices.Clone(base), extra...) }
	for _, tc := range []struct {
		name    string
		args    []string
		check   func(options) bool
		wantErr bool
	}{
		{"defaults: ping where the client connects, 15 PINGs, start at once", args(),
			func(o options) bool {
				return o.pingAddr == "127.0.0.1:6667" && o.observerAddr == "127.0.0.1:6667" && o.pings == 15 &&
					!o.pingTLS && o.pingNick == "rttprobe" && !o.startAfterMeasure && startMode(o) == "immediate"
			}, false},
		{"the client's relay over TLS",
			args("-ping-addr", "127.0.0.2:7000", "-ping-tls", "-ping-ca", "/w/ca.pem", "-pings", "5"),
			func(o options) bool {
				return o.pingAddr == "127.0.0.2:7000" && o.pingTLS && o.pingCA == "/w/ca.pem" && o.pings == 5
			}, false},
		{"start after the measurement", args("-start-after-measure"),
			func(o options) bool { return o.startAfterMeasure && startMode(o) == "after-measure" }, false},
		{"start after the measurement, said as a boolean", args("-start-after-measure=false"),
			func(o options) bool { return !o.startAfterMeasure }, false},
		{"an operator command restarts nothing", args("-restart-input", "drain s1"),
			func(o options) bool { return startMode(o) == "none" }, false},
		{"nothing to start after a drain", args("-restart-input", "drain s1", "-start-after-measure"), nil, true},
		{"a CA without TLS", args("-ping-ca", "/w/ca.pem"), nil, true},
		{"no PINGs", args("-pings", "0"), nil, true},
		{"a stray argument", args("extra"), nil, true},
		{"an unknown flag", args("-start-after"), nil, true},
		{"make-cert needs nothing else", []string{"-make-cert", "/w"},
			func(o options) bool { return o.makeCertDir == "/w" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseOptions(tc.args, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseOptions(%q) error %v, want error %v", tc.args, err, tc.wantErr)
			}
			if err == nil && !tc.check(o) {
				t.Errorf("parseOptions(%q) = %+v", tc.args, o)
			}
		})
	}
}

// TestMeasureRoundTrip PINGs the reference network: directly, through a
// relay adding 20 ms, and over TLS through that relay (ferryd answers PING
// before registration).
func TestMeasureRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := makeCert(dir); err != nil {
		t.Fatal(err)
	}
	tn, err := testnet.Start(testnet.Options{
		Nodes:       []testnet.NodeConfig{{Name: "s1"}},
		TLSCertFile: filepath.Join(dir, "cert.pem"), TLSKeyFile: filepath.Join(dir, "key.pem"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	s1 := tn.Node("s1")
	relays, err := startRelays([]relaySpec{{"127.0.0.1:0", s1.Addr()}, {"127.0.0.1:0", s1.TLSAddr()}}, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, p := range relays {
			p.Close()
		}
	}()
	tc, err := linkTLS(relays[1].Addr(), filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		l        link
		min, max time.Duration // of the median
	}{
		{"direct", link{addr: s1.Addr()}, 0, 20 * time.Millisecond},
		{"relay", link{addr: relays[0].Addr()}, 20 * time.Millisecond, 120 * time.Millisecond},
		{"relay, TLS", link{addr: relays[1].Addr(), tls: tc}, 20 * time.Millisecond, 120 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			ds, err := measureRoundTrip(c.l, "rttprobe", 5, 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 5 {
				t.Fatalf("%d round trips, want 5", len(ds))
			}
			if m := median(ds); m < c.min || m > c.max {
				t.Errorf("median round trip %v (of %v), want %v to %v", m, ds, c.min, c.max)
			}
			for _, d := range ds {
				if d < c.min {
					t.Errorf("a round trip of %v, shorter than the link's %v", d, c.min)
				}
			}
		})
	}
	// A CA that did not sign the node's certificate is refused.
	other := t.TempDir()
	if err := makeCert(other); err != nil {
		t.Fatal(err)
	}
	bad, err := linkTLS(relays[1].Addr(), filepath.Join(other, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := measureRoundTrip(link{addr: relays[1].Addr(), tls: bad}, "rttprobe", 1, 5*time.Second); err == nil {
		t.Error("a round trip over TLS to a certificate of another CA")
	}
}

// TestMeasureRoundTripRegisters: a server that answers PING only after
// registration (as ngircd does, with 451) gets a NICK, taken once, and a
// USER first; a PONG of an earlier PING or a server PING in between does
// not end a wait.
func TestMeasureRoundTripRegisters(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []string, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		var seen []string
		registered := false
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				got <- seen
				return
			}
			line = strings.TrimRight(line, "\r\n")
			seen = append(seen, line)
			f := strings.Fields(line)
			switch {
			case f[0] == "PING" && !registered:
				fmt.Fprintf(c, ":srv 451 * PING :Connection not registered\r\n")
			case f[0] == "PING":
				token := strings.TrimPrefix(f[1], ":")
				// A stale PONG and a server PING come first.
				fmt.Fprintf(c, ":srv PONG srv :stale\r\nPING :srv-check\r\n")
				time.Sleep(5 * time.Millisecond)
				fmt.Fprintf(c, ":srv PONG srv :%s\r\n", token)
			case line == "NICK rttprobe":
				fmt.Fprintf(c, ":srv 433 * rttprobe :Nickname is already in use\r\n")
			case line == "NICK rttprobe_":
			case f[0] == "USER":
				registered = true
				fmt.Fprintf(c, ":srv 001 rttprobe_ :Welcome\r\n")
			}
		}
	}()
	ds, err := measureRoundTrip(link{addr: ln.Addr().String()}, "rttprobe", 3, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d < 5*time.Millisecond {
			t.Errorf("round trip %v: ended before its own PONG (5 ms)", d)
		}
	}
	want := []string{"PING :rb-1", "NICK rttprobe", "USER rttprobe 0 * :restartbench round trip", "NICK rttprobe_",
		"PING :rb-2", "PONG :srv-check", "PING :rb-3", "PONG :srv-check", "PING :rb-4", "PONG :srv-check", "PING :rb-5", "PONG :srv-check",
		"QUIT :round trip measured"}
	select {
	case seen := <-got:
		if !slices.Equal(seen, want) {
			t.Errorf("the server read\n%q\nwant\n%q", seen, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server never saw the connection end")
	}
}
