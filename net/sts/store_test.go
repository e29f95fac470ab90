package sts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustOpen(t *testing.T, path string, pins map[string]int, clk *fakeClock) *Store {
	t.Helper()
	s, err := Open(path, pins, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAdvertised(t *testing.T) {
	tests := []struct {
		name        string
		tls         bool
		connPort    int
		value       string
		wantUpgrade int // 0 = no upgrade
		wantErr     string
		wantLookup  int // 0 = no policy afterwards
		wantLearned bool
	}{
		{"plaintext upgrade", false, 6667, "port=6697", 6697, "", 6697, false},
		{"plaintext duration ignored", false, 6667, "port=6697,duration=300", 6697, "", 6697, false},
		{"plaintext without port", false, 6667, "duration=300", 0, "has no port", 0, false},
		{"tls persistence", true, 6697, "duration=300", 0, "", 6697, true},
		{"tls port key ignored", true, 6697, "port=7000,duration=300", 0, "", 6697, true},
		{"tls without duration", true, 6697, "port=6697", 0, "has no duration", 0, false},
		{"tls duration zero", true, 6697, "duration=0", 0, "", 0, false},
		{"malformed", false, 6667, "port=x", 0, "not a port", 0, false},
		{"malformed on tls", true, 6697, "duration=soon", 0, "not a number", 0, false},
		{"tls with preload", true, 6697, "duration=300,preload", 0, "", 6697, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := mustOpen(t, "", nil, clk)
			port, up, err := s.Advertised("irc.example.net", tt.tls, tt.connPort, tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "irc.example.net") {
					t.Fatalf("err = %v, want one naming the host and %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if (tt.wantUpgrade != 0) != up || port != tt.wantUpgrade {
				t.Errorf("upgrade = (%d, %v), want %d", port, up, tt.wantUpgrade)
			}
			lp, ok := s.Lookup("irc.example.net")
			if (tt.wantLookup != 0) != ok || lp != tt.wantLookup {
				t.Errorf("Lookup = (%d, %v), want %d", lp, ok, tt.wantLookup)
			}
			if got := len(s.Policies()) == 1; got != tt.wantLearned {
				t.Errorf("learned = %v, want %v", s.Policies(), tt.wantLearned)
			}
		})
	}
}

func TestTLSPolicySupersedesUpgrade(t *testing.T) {
	clk := newClock()
	s := mustOpen(t, "", nil, clk)
	if _, up, _ := s.Advertised("h", false, 6667, "port=6697"); !up {
		t.Fatal("no upgrade")
	}
	// On the TLS connection the server clears the policy: nothing remains.
	if _, _, err := s.Advertised("h", true, 6697, "duration=0"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Lookup("h"); ok {
		t.Fatal("upgrade survived duration=0 on TLS")
	}
}

func TestPersistAcrossOpen(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "state", "ferry", "sts.toml") // directories made on write
	s := mustOpen(t, path, nil, clk)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Open created the file: %v", err)
	}
	if _, _, err := s.Advertised("IRC.Example.NET.", true, 6697, "duration=86400"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Advertised("other.example", true, 7000, "port=1,duration=60"); err != nil {
		t.Fatal(err)
	}
	// Plaintext upgrades are not persisted.
	if _, _, err := s.Advertised("plain.example", false, 6667, "port=6697,duration=999"); err != nil {
		t.Fatal(err)
	}

	s2 := mustOpen(t, path, nil, clk)
	for host, want := range map[string]int{"irc.example.net": 6697, "Irc.example.net": 6697, "other.example": 7000} {
		if p, ok := s2.Lookup(host); !ok || p != want {
			t.Errorf("after reopen Lookup(%s) = %d, %v; want %d", host, p, ok, want)
		}
	}
	if _, ok := s2.Lookup("plain.example"); ok {
		t.Error("a plaintext upgrade was persisted")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# ferry's learned STS policies") || !strings.Contains(string(data), `[policy."irc.example.net"]`) {
		t.Errorf("file:\n%s", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	want := []Learned{
		{Host: "irc.example.net", Port: 6697, Duration: 86400 * time.Second, Expires: clk.Now().Add(86400 * time.Second)},
		{Host: "other.example", Port: 7000, Duration: time.Minute, Expires: clk.Now().Add(time.Minute)},
	}
	if got := s2.Policies(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Policies = %v\nwant %v", got, want)
	}
}

func TestExpiry(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sts.toml")
	s := mustOpen(t, path, nil, clk)
	if _, _, err := s.Advertised("h", true, 6697, "duration=300"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(299 * time.Second)
	if _, ok := s.Lookup("h"); !ok {
		t.Fatal("expired early")
	}
	if _, ok := mustOpen(t, path, nil, clk).Lookup("h"); !ok {
		t.Fatal("reopened store lost the unexpired policy")
	}
	clk.Advance(time.Second)
	if _, ok := s.Lookup("h"); ok {
		t.Fatal("an expired policy still upgrades")
	}
	if _, ok := mustOpen(t, path, nil, clk).Lookup("h"); ok {
		t.Fatal("an expired policy still upgrades after reopening")
	}
	if len(s.Policies()) != 0 {
		t.Errorf("Policies lists expired: %v", s.Policies())
	}
	// Seen again over TLS: in force again.
	if _, _, err := s.Advertised("h", true, 6697, "duration=300"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Lookup("h"); !ok {
		t.Fatal("renewed policy not in force")
	}
}

func TestDisconnectedReschedules(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sts.toml")
	s := mustOpen(t, path, nil, clk)
	if _, _, err := s.Advertised("h", true, 6697, "duration=300"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(200 * time.Second)
	s.Disconnected("H") // expiry now t0+500 instead of t0+300
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(250 * time.Second) // t0+450
	if _, ok := s.Lookup("h"); !ok {
		t.Fatal("the disconnect did not reschedule the expiry")
	}
	if _, ok := mustOpen(t, path, nil, clk).Lookup("h"); !ok {
		t.Fatal("the rescheduled expiry was not persisted")
	}
	clk.Advance(50 * time.Second) // t0+500
	if _, ok := s.Lookup("h"); ok {
		t.Fatal("still in force past the rescheduled expiry")
	}
	s.Disconnected("h") // expired: dropped, not revived
	if _, ok := s.Lookup("h"); ok {
		t.Fatal("Disconnected revived an expired policy")
	}
	s.Disconnected("unknown.example") // no policy: nothing happens
	if _, ok := s.Lookup("unknown.example"); ok {
		t.Fatal("Disconnected created a policy")
	}
}

func TestDurationZeroClears(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sts.toml")
	s := mustOpen(t, path, nil, clk)
	if _, _, err := s.Advertised("h", true, 6697, "duration=300"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Advertised("h", true, 6697, "duration=0"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Lookup("h"); ok {
		t.Fatal("duration=0 did not clear")
	}
	if _, ok := mustOpen(t, path, nil, clk).Lookup("h"); ok {
		t.Fatal("duration=0 not persisted")
	}
}

func TestPins(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sts.toml")
	s := mustOpen(t, path, map[string]int{"Pinned.Example": 6697}, clk)
	if p, ok := s.Lookup("pinned.example."); !ok || p != 6697 {
		t.Fatalf("pin Lookup = %d, %v", p, ok)
	}
	// A learned policy on another port does not override the pin.
	if _, _, err := s.Advertised("pinned.example", true, 7000, "duration=300"); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Lookup("pinned.example"); p != 6697 {
		t.Fatalf("learned policy beat the pin: %d", p)
	}
	// Clearing the learned policy, and a century passing, leave the pin.
	if _, _, err := s.Advertised("pinned.example", true, 7000, "duration=0"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(100 * 365 * 24 * time.Hour)
	s.Disconnected("pinned.example")
	if p, ok := s.Lookup("pinned.example"); !ok || p != 6697 {
		t.Fatalf("pin lost: %d, %v", p, ok)
	}
	// Pins are the config's: they are not written to the store file.
	if _, ok := mustOpen(t, path, nil, clk).Lookup("pinned.example"); ok {
		t.Fatal("a pin was persisted")
	}
	if _, err := Open("", map[string]int{"h": 0}, nil); err == nil || !strings.Contains(err.Error(), "sts pin h") {
		t.Fatalf("bad pin: err = %v", err)
	}
}

func TestCorruptFile(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"garbage":      "\x00\x01 not toml [[[",
		"wrong type":   "[policy.h]\nport = \"6697\"\nduration = 1\nexpires = 2030-01-01T00:00:00Z\n",
		"bad port":     "[policy.h]\nport = 0\nduration = 1\nexpires = 2030-01-01T00:00:00Z\n",
		"bad duration": "[policy.h]\nport = 6697\nduration = -1\nexpires = 2030-01-01T00:00:00Z\n",
		"no expires":   "[policy.h]\nport = 6697\nduration = 1\n",
		"truncated":    "[policy.h]\nport = 66",
	}
	for name, content := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".toml")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(path, nil, nil); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: err = %v, want an error naming %s", name, err, path)
		}
	}
	// Unreadable: a directory where the file should be.
	if _, err := Open(dir, nil, nil); err == nil {
		t.Error("Open of a directory succeeded")
	}
}

// TestCrashLeavesWholeFile simulates a crash after the temporary file is
// written and before it is renamed: the real file must be the old one, whole,
// and a stray temporary file must not disturb the next Open.
func TestCrashLeavesWholeFile(t *testing.T) {
	clk := newClock()
	dir := t.TempDir()
	path := filepath.Join(dir, "sts.toml")
	s := mustOpen(t, path, nil, clk)
	if _, _, err := s.Advertised("old.example", true, 6697, "duration=3600"); err != nil {
		t.Fatal(err)
	}
	oldData, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	oldInfo, _ := os.Stat(path)

	crash := errors.New("simulated crash")
	var sawTmp string
	beforeRename = func(tmp string) error {
		sawTmp = tmp
		// At the last moment before the rename: the real file is untouched and
		// the new content is complete in a file of the same directory.
		if cur, _ := os.ReadFile(path); string(cur) != string(oldData) {
			t.Errorf("real file changed before the rename:\n%s", cur)
		}
		if filepath.Dir(tmp) != dir {
			t.Errorf("temporary file %s not beside %s", tmp, path)
		}
		var f file
		if _, err := toml.DecodeFile(tmp, &f); err != nil || len(f.Policy) != 2 {
			t.Errorf("temporary file incomplete: %v %v", f, err)
		}
		// Leave a copy behind, as a crash would leave the temporary file.
		data, _ := os.ReadFile(tmp)
		_ = os.WriteFile(tmp+"-stray", data[:len(data)/2], 0o600)
		return crash
	}
	defer func() { beforeRename = nil }()
	_, _, err = s.Advertised("new.example", true, 6697, "duration=3600")
	if !errors.Is(err, crash) || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want the crash, naming the file", err)
	}
	if !errors.Is(s.Err(), crash) {
		t.Errorf("Err = %v", s.Err())
	}
	if _, ok := s.Lookup("new.example"); !ok {
		t.Error("the policy is not in force in memory after a failed write")
	}
	if sawTmp == "" {
		t.Fatal("the hook never ran")
	}
	if cur, _ := os.ReadFile(path); string(cur) != string(oldData) {
		t.Fatal("the real file changed after a crash before rename")
	}
	if _, err := os.Stat(sawTmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed write left its temporary file: %v", err)
	}

	// A later start ignores the stray (half-written) temporary file.
	s2 := mustOpen(t, path, nil, clk)
	if _, ok := s2.Lookup("old.example"); !ok {
		t.Error("old policy lost")
	}
	if _, ok := s2.Lookup("new.example"); ok {
		t.Error("policy from the crashed write appeared")
	}

	// The next successful write replaces the file: a new inode, never the
	// old file truncated in place (a reader holding the old file sees it whole).
	beforeRename = nil
	held, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	s.Disconnected("old.example")
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	newInfo, _ := os.Stat(path)
	if os.SameFile(oldInfo, newInfo) {
		t.Error("the store file was rewritten in place")
	}
	heldData := make([]byte, len(oldData)+10)
	n, _ := held.Read(heldData)
	if string(heldData[:n]) != string(oldData) {
		t.Errorf("the old file changed under a reader:\n%s", heldData[:n])
	}
	if _, ok := mustOpen(t, path, nil, clk).Lookup("new.example"); !ok {
		t.Error("the successful write lost the policy kept in memory")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, ".sts.toml.tmp-*"))
	if len(matches) != 1 || !strings.HasSuffix(matches[0], "-stray") {
		t.Errorf("temporary files left: %v", matches)
	}
}

func TestConcurrentUse(t *testing.T) {
	clk := newClock()
	path := filepath.Join(t.TempDir(), "sts.toml")
	s := mustOpen(t, path, map[string]int{"pin": 6697}, clk)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			host := fmt.Sprintf("h%d", g)
			for i := range 5 {
				if _, _, err := s.Advertised(host, true, 6697, fmt.Sprintf("duration=%d", 100+i)); err != nil {
					t.Error(err)
					return
				}
				s.Lookup("pin")
				s.Disconnected(host)
			}
		}()
	}
	wg.Wait()
	s2 := mustOpen(t, path, nil, clk)
	if got := len(s2.Policies()); got != 8 {
		t.Fatalf("persisted %d policies, want 8 (the last write must carry the latest state)", got)
	}
}
