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

// A theme that does not exist (or a user theme file that does not load) is
// a config error like any other: --check-config names the file, the line
// and ui.theme, exits 1, and ferry does not start on it.
func TestCheckConfigReportsThemeProblems(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	themes := filepath.Join(dir, "ferry", "themes")
	if err := os.MkdirAll(themes, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(themes, "broken.toml"), []byte("[style.nosuchstyle]\nfg = \"red\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(themes, "mine.toml"), []byte("inherit = \"light\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const rest = "[[network]]\nhost = \"irc.example.net\"\nnick = \"alice\"\n"
	for _, tc := range []struct {
		theme string
		want  []string // in stderr; nil means the config is ok
	}{
		{"nosuch", []string{":3: ui.theme:", "nosuch", "dark"}},
		{"broken", []string{":3: ui.theme:", "nosuchstyle"}},
		{"mine", nil},
		{"light", nil},
	} {
		path := filepath.Join(dir, tc.theme+".toml")
		body := "# comment\n[ui]\ntheme = \"" + tc.theme + "\"\n" + rest
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		var out, errb bytes.Buffer
		code := run([]string{"--check-config", "--config", path}, &out, &errb)
		if tc.want == nil {
			if code != 0 {
				t.Errorf("theme %q: exit %d, stderr:\n%s", tc.theme, code, errb.String())
			}
			continue
		}
		if code != 1 {
			t.Errorf("theme %q: exit %d, want 1; stdout %q", tc.theme, code, out.String())
		}
		for _, w := range tc.want {
			if w[0] == ':' {
				w = path + w
			}
			if !strings.Contains(errb.String(), w) {
				t.Errorf("theme %q: stderr lacks %q:\n%s", tc.theme, w, errb.String())
			}
		}
	}
}

// The other [ui] values only the running client used to meet are checked
// by --check-config too: a notify_cmd that cannot run, an unknown notify
// form, a mouse that is not a boolean.
func TestCheckConfigReportsUIProblems(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	plain := filepath.Join(dir, "notifier")
	if err := os.WriteFile(plain, []byte("#!/bin/sh\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ui.toml")
	body := "[ui]\nnotify_cmd = [\"" + plain + "\"]\nnotify = \"popup\"\nmouse = \"yes\"\n[[network]]\nhost = \"irc.example.net\"\nnick = \"alice\"\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--check-config", "--config", path}, &out, &errb); code != 1 {
		t.Fatalf("exit = %d, want 1", code)
	}
	for _, want := range []string{path + ":2: ui.notify_cmd:", "not executable", path + ":3: ui.notify:", path + ":4: ui.mouse:"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}
