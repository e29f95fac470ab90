package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The first run without a config writes the example to the path asked for,
// says where it is and that --demo needs none, and exits non-zero without
// connecting anywhere; the example it wrote then passes --check-config.
func TestFirstRunWritesExampleThatChecks(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	path := filepath.Join(dir, "ferry", "config.toml")

	var out, errb bytes.Buffer
	// firstRun is what run does when the default path has no file.
	if code := firstRun(path, &out, &errb); code != 1 {
		t.Fatalf("firstRun exit = %d, want 1; stderr %q", code, errb.String())
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("example config not written: %v", err)
	}
	for _, want := range []string{path, "--demo", "--check-config"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("first-run text lacks %q:\n%s", want, out.String())
		}
	}

	out.Reset()
	errb.Reset()
	if code := run([]string{"--check-config", "--config", path}, &out, &errb); code != 0 {
		t.Fatalf("--check-config on the example: exit %d, stderr:\n%s", code, errb.String())
	}
	if !strings.Contains(out.String(), "ok") {
		t.Errorf("--check-config output %q, want an ok", out.String())
	}

	// A second first run never overwrites the file the user may have edited.
	if err := os.WriteFile(path, []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	firstRun(path, &out, &errb)
	if b, _ := os.ReadFile(path); string(b) != "# mine\n" {
		t.Errorf("first run overwrote an existing config: %q", b)
	}
}

// A config with problems is reported with file and line, and nothing starts.
func TestCheckConfigReportsProblems(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.toml")
	bad := "[[network]]\nhost = \"irc.example.net\"\nport = 70000\n"
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--check-config", "--config", path}, &out, &errb); code != 1 {
		t.Fatalf("exit = %d, want 1", code)
	}
	msg := errb.String()
	for _, want := range []string{path + ":3:", "port", "nick"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error output lacks %q:\n%s", want, msg)
		}
	}
}

func TestCheckConfigMissingFile(t *testing.T) {
	var out, errb bytes.Buffer
	missing := filepath.Join(t.TempDir(), "nope.toml")
	if code := run([]string{"--check-config", "--config", missing}, &out, &errb); code != 1 {
		t.Fatalf("exit = %d, want 1", code)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("--check-config created %s", missing)
	}
}

func TestDemoNick(t *testing.T) {
	for _, tc := range []struct{ user, want string }{
		{"alice", "alice"}, {"root", "guest"}, {"", "guest"}, {"9lives", "guest"},
		{"a b", "guest"}, {"\x1b[31m", "guest"}, {"averyveryverylongname", "guest"},
	} {
		t.Setenv("USER", tc.user)
		if got := demoNick(); got != tc.want {
			t.Errorf("USER=%q: demoNick() = %q, want %q", tc.user, got, tc.want)
		}
	}
}
