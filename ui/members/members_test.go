package members

import (
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/muesli/termenv"
)

func rfc1459(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		switch c {
		case '[':
			b[i] = '{'
		case ']':
			b[i] = '}'
		case '\\':
			b[i] = '|'
		case '~':
			b[i] = '^'
		}
	}
	return string(b)
}

func show(l *List) string {
	var out []string
	for i := 0; i < l.Len(); i++ {
		m := l.At(i)
		out = append(out, m.Prefixes+m.Nick)
	}
	return strings.Join(out, " ")
}

func TestSortByPrefixThenFoldedName(t *testing.T) {
	l := New("~&@%+", rfc1459)
	l.Set([]Member{{Nick: "zed"}, {Nick: "Bob", Prefixes: "+"}, {Nick: "alice", Prefixes: "@"},
		{Nick: "[x]"}, {Nick: "Carl", Prefixes: "+@"}, {Nick: "owner", Prefixes: "~"}, {Nick: "Al"}, {Nick: "bob"}})
	// Carl's "+@" is normalised to "@+"; the duplicate bob (same folded
	// nick as Bob) is dropped; "{" sorts after letters in rfc1459 folding.
	if got, want := show(l), "~owner @alice @+Carl +Bob Al zed [x]"; got != want {
		t.Errorf("Set: %q, want %q", got, want)
	}
	l.Add(Member{Nick: "Ann", Prefixes: "%"})
	l.Add(Member{Nick: "aaron"})
	if got, want := show(l), "~owner @alice @+Carl %Ann +Bob aaron Al zed [x]"; got != want {
		t.Errorf("Add: %q, want %q", got, want)
	}
	l.SetPrefix("carl", '@', false)
	l.SetPrefix("ZED", '@', true)
	if got, want := show(l), "~owner @alice @zed %Ann +Bob +Carl aaron Al [x]"; got != want {
		t.Errorf("SetPrefix: %q, want %q", got, want)
	}
	if !l.Rename("{X}", "Aardvark") || !l.Remove("owner") || l.Remove("nobody") {
		t.Fatal("Rename/Remove results")
	}
	if got, want := show(l), "@alice @zed %Ann +Bob +Carl Aardvark aaron Al"; got != want {
		t.Errorf("Rename/Remove: %q, want %q", got, want)
	}
	if !l.Has("AL") || l.Has("owner") {
		t.Error("Has")
	}
	l.SetCasemap("@+", strings.ToLower) // a network with only @ and +: % is unknown now
	if got := show(l); !strings.HasPrefix(got, "@alice @zed") {
		t.Errorf("after SetCasemap: %q", got)
	}
}

func TestRenderShowsOnlyTheWindow(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	l := New("", nil)
	var ms []Member
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		ms = append(ms, Member{Nick: n + "-a-rather-long-nick"})
	}
	l.Set(ms)
	rows := Render(st, l, 10, 4, 0)
	want := []string{"7 users   ", " a-a-rath…", " b-a-rath…", "+5 more   "}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("rows %q, want %q", rows, want)
	}
}

func TestRenderHeaderSingular(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	l := New("", nil)
	l.Set([]Member{{Nick: "me"}})
	if rows := Render(st, l, 10, 3, 0); rows[0] != "1 user    " {
		t.Errorf("header %q", rows[0])
	}
}
