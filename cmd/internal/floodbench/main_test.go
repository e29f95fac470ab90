package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// TestFloodRun plays a minimal client against run: registration, JOIN, the
// flood, and the CTCP VERSION arriving after exactly every flooded line;
// the NOTICE reply ends the measurement, and QUIT ends the server.
func TestFloodRun(t *testing.T) {
	const lines = 500
	pr, pw := io.Pipe()
	o := options{addr: "127.0.0.1:0", channel: "#flood", lines: lines, nicks: 30, seed: 7,
		pidFile: writePid(t), timeout: 20 * time.Second}
	done := make(chan error, 1)
	go func() {
		err := run(o, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	// The report is read as it comes (run blocks on the pipe otherwise)
	// and checked in order.
	report := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			report <- sc.Text()
		}
		close(report)
	}()
	expectReport := func(prefix string) string {
		t.Helper()
		line, ok := <-report
		if !ok {
			t.Fatalf("report ended before %q", prefix)
		}
		if !strings.HasPrefix(line, prefix) {
			t.Fatalf("report line %q, want prefix %q", line, prefix)
		}
		return line
	}
	addr := strings.TrimPrefix(expectReport("listening "), "listening ")

	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	r := irc.NewReader(c)
	w := func(line string) {
		if _, err := fmt.Fprintf(c, "%s\r\n", line); err != nil {
			t.Fatal(err)
		}
	}
	next := func() *irc.Message {
		t.Helper()
		m, err := r.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	w("CAP LS 302")
	if m := next(); m.Command != "CAP" || m.Param(1) != "LS" || m.Trailing() != "" {
		t.Fatalf("CAP LS answered with %q, want an empty LS", m)
	}
	w("NICK bench")
	w("USER bench 0 * :bench")
	w("CAP END")
	for _, want := range []string{"001", "002", "003", "004", "005", "375", "372", "376"} {
		if m := next(); m.Command != want {
			t.Fatalf("registration: got %q, want %s", m, want)
		}
	}
	expectReport("registered nick=bench")
	w("PING :barrier")
	if m := next(); m.Command != "PONG" || m.Trailing() != "barrier" {
		t.Fatalf("PING answered with %q", m)
	}

	w("JOIN #flood")
	if m := next(); m.Command != "JOIN" || m.Prefix.Name != "bench" || m.Param(0) != "#flood" {
		t.Fatalf("JOIN answered with %q", m)
	}
	names := 0
	for m := next(); m.Command != "366"; m = next() {
		if m.Command == "353" {
			names += len(strings.Fields(m.Trailing()))
		}
	}
	if names != 30+2 {
		t.Errorf("NAMES listed %d nicks, want 32 (the talkers, floodop, bench)", names)
	}
	expectReport("joined #flood")

	expectReport("flood-start")
	// A line typed during the flood, stamped when typed, is timed.
	w(fmt.Sprintf("PRIVMSG #flood :probe %d", time.Now().UnixNano()))
	got := 0
	for {
		m := next()
		if m.Command != "PRIVMSG" {
			t.Fatalf("during the flood: unexpected %q", m)
		}
		if m.Param(0) == "bench" {
			if m.Trailing() != "\x01VERSION\x01" || got != lines {
				t.Fatalf("CTCP %q after %d flooded lines, want VERSION after %d", m.Trailing(), got, lines)
			}
			w("NOTICE " + m.Prefix.Name + " :\x01VERSION fakeclient 1.0\x01")
			break
		}
		if m.Param(0) != "#flood" || m.Trailing() == "" || m.Prefix.Name == "" {
			t.Fatalf("flood line %q is not a PRIVMSG to #flood with text", m)
		}
		got++
	}
	if ms, err := strconv.ParseFloat(strings.TrimPrefix(expectReport("probe ms="), "probe ms="), 64); err != nil || ms < 0 {
		t.Errorf("probe latency %v (%v)", ms, err)
	}
	final := expectReport("done lines=500 ")
	for _, want := range []string{"elapsed_s=", "cpu_flood_s=", `reply="VERSION fakeclient 1.0"`} {
		if !strings.Contains(final, want) {
			t.Errorf("report %q lacks %s", final, want)
		}
	}
	w("QUIT :bye")
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func writePid(t *testing.T) string {
	p := t.TempDir() + "/pid"
	if err := os.WriteFile(p, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestGenerateFlood: deterministic per seed, every line a well-formed
// PRIVMSG to the channel from one of the nicks, lengths within IRC's 512.
func TestGenerateFlood(t *testing.T) {
	nicks := makeNicks(200)
	seen := map[string]bool{}
	for _, n := range nicks {
		if seen[n] || n == "" {
			t.Fatalf("nick %q empty or repeated", n)
		}
		seen[n] = true
	}
	a := generateFlood(2000, "#c", nicks, 3)
	if b := generateFlood(2000, "#c", nicks, 3); string(a) != string(b) {
		t.Fatal("same seed, different flood")
	}
	if b := generateFlood(2000, "#c", nicks, 4); string(a) == string(b) {
		t.Fatal("different seeds, same flood")
	}
	rows := strings.Split(strings.TrimSuffix(string(a), "\r\n"), "\r\n")
	if len(rows) != 2000 {
		t.Fatalf("%d lines, want 2000", len(rows))
	}
	talkers := map[string]bool{}
	for _, row := range rows {
		if len(row)+2 > 512 {
			t.Errorf("line of %d bytes exceeds 512: %q", len(row)+2, row)
		}
		m, err := irc.ParseMessage(row)
		if err != nil || m.Command != "PRIVMSG" || m.Param(0) != "#c" || m.Trailing() == "" || !seen[m.Prefix.Name] {
			t.Fatalf("bad flood line %q (%v)", row, err)
		}
		talkers[m.Prefix.Name] = true
	}
	if len(talkers) < 150 {
		t.Errorf("only %d of 200 nicks talked in 2000 lines", len(talkers))
	}
}

// TestCPUTime reads this process's own counters: they parse, and do not
// go backwards.
func TestCPUTime(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	a, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := range 20_000_000 { // some CPU, so the counter has something to count
		x += i ^ x
	}
	b, err := cpuTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if b < a || a < 0 || x == 1 {
		t.Fatalf("cpu time went from %v to %v", a, b)
	}
	if _, err := cpuTime(-1); err == nil {
		t.Fatal("no error for a pid that cannot exist")
	}
}

// TestGenerateJoins: n well-formed JOINs to the channel from n distinct
// nicks, none of which talks in the PRIVMSG flood or is in its NAMES.
func TestGenerateJoins(t *testing.T) {
	talkers := map[string]bool{}
	for _, n := range makeNicks(5000) {
		talkers[strings.ToLower(n)] = true
	}
	rows := strings.Split(strings.TrimSuffix(string(generateJoins(3000, "#c")), "\r\n"), "\r\n")
	if len(rows) != 3000 {
		t.Fatalf("%d lines, want 3000", len(rows))
	}
	seen := map[string]bool{}
	for _, row := range rows {
		m, err := irc.ParseMessage(row)
		if err != nil || m.Command != "JOIN" || m.Param(0) != "#c" || m.Prefix.Name == "" || m.Prefix.Host == "" {
			t.Fatalf("bad join line %q (%v)", row, err)
		}
		k := strings.ToLower(m.Prefix.Name)
		if seen[k] || talkers[k] {
			t.Fatalf("nick %q repeated or already in the channel", m.Prefix.Name)
		}
		seen[k] = true
	}
}
