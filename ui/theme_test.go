package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// A user theme file in the config dir overrides the built-in theme of the
// same name, key by key.
func TestLoadStylesUserOverride(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "themes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "themes", "dark.toml"), []byte("[style.own_nick]\nfg = \"#123456\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := LoadStyles("dark", dir)
	if err != nil {
		t.Fatal(err)
	}
	if fg := st.OwnNick.GetForeground(); fg != lipgloss.Color("#123456") {
		t.Errorf("own_nick fg %v, want the user's #123456", fg)
	}
	if !st.OwnNick.GetBold() {
		t.Error("the built-in bold of own_nick was lost")
	}
	if st.NoColor {
		t.Error("NoColor without NO_COLOR")
	}
}

func TestLoadStylesNoColorAndUnknownTheme(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	st, err := LoadStyles("light", "")
	if err != nil {
		t.Fatal(err)
	}
	if !st.NoColor {
		t.Error("NO_COLOR ignored")
	}
	if _, ok := st.OwnNick.GetForeground().(lipgloss.NoColor); !ok {
		t.Errorf("a colour under NO_COLOR: %v", st.OwnNick.GetForeground())
	}
	st, err = LoadStyles("no-such-theme", "")
	if !errors.Is(err, themes.ErrUnknownTheme) || st == nil {
		t.Fatalf("unknown theme: %v, %v; want the error and default styles", st, err)
	}
	// New falls back and says so in the first server buffer.
	m := New(newFakeConn("ferrynet"), Options{Theme: "no-such-theme"})
	l := m.m.cur.sb.Line(m.m.cur.sb.Len() - 1)
	if l.Kind != scrollback.Error || !strings.Contains(l.Text, `"no-such-theme"`) || !strings.Contains(l.Text, "default theme") {
		t.Errorf("no notice of the bad theme: %+v", l)
	}
}
