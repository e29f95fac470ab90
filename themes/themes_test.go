package themes

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func renderer(p termenv.Profile) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return r
}

func TestBuiltinThemesAreComplete(t *testing.T) {
	names := Builtin()
	if strings.Join(names, ",") != "dark,high-contrast,light" {
		t.Fatalf("Builtin() = %v", names)
	}
	for _, name := range names {
		data, err := builtinFS.ReadFile(name + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		var f file
		if _, err := toml.Decode(string(data), &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if f.Name != name {
			t.Errorf("%s.toml says name = %q", name, f.Name)
		}
		if len(f.Nicks) != 16 {
			t.Errorf("%s: %d nick colours, want 16", name, len(f.Nicks))
		}
		for _, k := range StyleKeys {
			if _, ok := f.Style[k]; !ok {
				t.Errorf("%s: style %q missing", name, k)
			}
		}
		th, err := Load(name, "")
		if err != nil {
			t.Fatalf("Load(%q): %v", name, err)
		}
		st := NewStyles(th, renderer(termenv.TrueColor), false)
		if len(st.Nicks) != 16 {
			t.Errorf("%s: %d nick styles", name, len(st.Nicks))
		}
	}
}

func TestStyleFieldsMatchKeys(t *testing.T) {
	// Every key must set a distinct field: a theme where each key has a
	// different foreground must give each field that colour.
	th := &Theme{Style: map[string]Spec{}}
	for i, k := range StyleKeys {
		c := Color(strings.TrimSpace(string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))))
		c = Color(strings.TrimLeft(string(c), "0"))
		if c == "" {
			c = "0"
		}
		th.Style[k] = Spec{FG: &c}
	}
	st := NewStyles(th, renderer(termenv.ANSI256), false)
	checks := map[string]lipgloss.Style{
		"text": st.Text, "timestamp": st.Timestamp, "own_nick": st.OwnNick, "url": st.URL,
		"sidebar_active": st.SidebarActive, "status_bar": st.StatusBar, "prefix_voice": st.PrefixVoice,
		"highlight_nick": st.HighlightNick, "input_prompt": st.InputPrompt, "placeholder": st.Placeholder,
	}
	for k, s := range checks {
		want := *th.Style[k].FG
		if got := s.GetForeground(); got != lipgloss.Color(want) {
			t.Errorf("%s: foreground %v, want %v", k, got, want)
		}
	}
}

func writeTheme(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "themes"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "themes", name+".toml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestUserThemeOverridesBuiltin(t *testing.T) {
	dir := t.TempDir()
	writeTheme(t, dir, "dark", "[style.timestamp]\nfg = 3\n[style.error]\nunderline = true\n")
	th, err := Load("dark", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := *th.Style["timestamp"].FG; got != "3" {
		t.Errorf("timestamp fg = %q, want the user's 3", got)
	}
	e := th.Style["error"]
	if e.Underline == nil || !*e.Underline || e.Bold == nil || !*e.Bold || *e.FG != "#ff5f5f" {
		t.Errorf("error style %+v: want user underline added to built-in bold and fg", e)
	}
	base, _ := Load("dark", "")
	if *base.Style["timestamp"].FG == "3" {
		t.Error("loading with a user dir changed the built-in theme")
	}
}

func TestUserThemeExtends(t *testing.T) {
	dir := t.TempDir()
	writeTheme(t, dir, "mine", "name = \"mine\"\ninherit = \"light\"\nnicks = [\"#abc\", 5]\n[style.text]\nfg = \"#102030\"\n")
	writeTheme(t, dir, "plain", "[style.text]\nbold = true\n")
	th, err := Load("mine", dir)
	if err != nil {
		t.Fatal(err)
	}
	if th.Name != "mine" || *th.Style["text"].FG != "#102030" || *th.Style["own_nick"].FG != "#000000" {
		t.Errorf("mine: %+v", th.Style["own_nick"])
	}
	st := NewStyles(th, renderer(termenv.TrueColor), false)
	if len(st.Nicks) != 2 || st.Nicks[0].GetForeground() != lipgloss.Color("#aabbcc") {
		t.Errorf("nick palette %v, want #aabbcc expanded from #abc", st.Nicks[0].GetForeground())
	}
	plain, err := Load("plain", dir)
	if err != nil {
		t.Fatal(err)
	}
	if *plain.Style["own_nick"].FG != "#ffffff" {
		t.Error("a user theme without inherit should extend the default (dark)")
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeTheme(t, dir, "typo", "[style.timestmap]\nfg = 1\n")
	writeTheme(t, dir, "badcolor", "[style.text]\nfg = \"#12345\"\n")
	writeTheme(t, dir, "bignum", "[style.text]\nfg = 300\n")
	writeTheme(t, dir, "badkey", "colour = 1\n")
	writeTheme(t, dir, "badinherit", "inherit = \"nope\"\n")
	writeTheme(t, dir, "syntax", "[style.text\n")
	tests := []struct{ name, want string }{
		{"typo", `unknown style "timestmap"`},
		{"badcolor", "#rgb or #rrggbb"},
		{"bignum", "ANSI number 0-255"},
		{"badkey", `unknown key "colour"`},
		{"badinherit", `inherit "nope"`},
		{"syntax", "syntax.toml"},
		{"nosuch", "unknown theme"},
		{"../dark", "without directories"},
	}
	for _, tt := range tests {
		_, err := Load(tt.name, dir)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q): %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := Load("nosuch", ""); !errors.Is(err, ErrUnknownTheme) {
		t.Errorf("unknown theme error %v does not wrap ErrUnknownTheme", err)
	}
}

func TestNoColorKeepsEssentials(t *testing.T) {
	th, err := Load("dark", "")
	if err != nil {
		t.Fatal(err)
	}
	st := NewStyles(th, renderer(termenv.ANSI256), true)
	for _, s := range []lipgloss.Style{st.Text, st.Timestamp, st.OwnNick, st.HighlightNick, st.SidebarActive, st.StatusBar, st.Nick("alice")} {
		if _, ok := s.GetForeground().(lipgloss.NoColor); !ok {
			t.Errorf("NoColor style has foreground %v", s.GetForeground())
		}
		if _, ok := s.GetBackground().(lipgloss.NoColor); !ok {
			t.Errorf("NoColor style has background %v", s.GetBackground())
		}
		if out := s.Render("x"); strings.Contains(out, "38;") || strings.Contains(out, "48;") {
			t.Errorf("NoColor style renders a colour: %q", out)
		}
	}
	if !st.SidebarActive.GetReverse() || !st.StatusBar.GetReverse() || !st.HighlightNick.GetReverse() {
		t.Error("NoColor: active buffer, status bar and highlighted nick must use reverse")
	}
	if !st.OwnNick.GetBold() || !st.Highlight.GetBold() || !st.UnreadMarker.GetBold() {
		t.Error("NoColor: own nick, highlight and unread marker must be bold")
	}
	if out := st.SidebarActive.Render("x"); !strings.Contains(out, "\x1b[") {
		t.Errorf("NoColor under an ANSI profile should still emit reverse: %q", out)
	}
}

func TestColourDepthFollowsRenderer(t *testing.T) {
	th, _ := Load("dark", "")
	tc := NewStyles(th, renderer(termenv.TrueColor), false).Error.Render("x")
	c256 := NewStyles(th, renderer(termenv.ANSI256), false).Error.Render("x")
	ascii := NewStyles(th, renderer(termenv.Ascii), false).Error.Render("x")
	if !strings.Contains(tc, "38;2;255;95;95") {
		t.Errorf("TrueColor: %q", tc)
	}
	if !strings.Contains(c256, "38;5;203") {
		t.Errorf("ANSI256: %q", c256)
	}
	if ascii != "x" {
		t.Errorf("Ascii: %q, want no escapes", ascii)
	}
}

func TestNickIndexStable(t *testing.T) {
	// Fixed expectations: a change here changes every user's nick colours.
	// Values computed independently (FNV-1a 32 of the lower-case nick, mod 16).
	want := map[string]int{"alice": 7, "bob": 4, "ferry": 11, "Guest42": 5}
	for nick, idx := range want {
		if got := NickIndex(nick, 16); got != idx {
			t.Errorf("NickIndex(%q) = %d, want %d", nick, got, idx)
		}
	}
	pairs := [][2]string{{"Alice", "alice"}, {"[x]", "{x}"}, {`a\b`, "a|b"}, {"~", "^"}}
	for _, p := range pairs {
		if NickIndex(p[0], 16) != NickIndex(p[1], 16) {
			t.Errorf("%q and %q fold to the same nick but get different colours", p[0], p[1])
		}
	}
	seen := map[int]bool{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"} {
		seen[NickIndex(n, 16)] = true
	}
	if len(seen) < 6 {
		t.Errorf("12 nicks use only %d colours", len(seen))
	}
	if NickIndex("x", 1) != 0 || NickIndex("x", 0) != 0 {
		t.Error("palette of size <= 1 must give index 0")
	}
}

func TestNoColorEnv(t *testing.T) {
	t.Setenv("NO_COLOR", "")
	if NoColorEnv() {
		t.Error("empty NO_COLOR must not count")
	}
	t.Setenv("NO_COLOR", "1")
	if !NoColorEnv() {
		t.Error("NO_COLOR=1 ignored")
	}
	// Renderer must not fold NO_COLOR into the Ascii profile (that would
	// also drop bold and reverse); stdout under test is not a terminal, so
	// only check that it returns a usable renderer.
	if r := Renderer(); r == nil {
		t.Fatal("nil renderer")
	}
}
