package scrollback

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/muesli/termenv"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func styles(t testing.TB, p termenv.Profile) *themes.Styles {
	t.Helper()
	th, err := themes.Load("dark", "")
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(p)
	return themes.NewStyles(th, r, false)
}

func newBuf(limit int) *Buffer {
	b := New(limit)
	b.SetLocation(time.UTC)
	return b
}

func newView(t testing.TB, b *Buffer, p termenv.Profile, w, h int, o Options) *View {
	o.Location = time.UTC
	v := NewView(b, styles(t, p), o)
	v.SetSize(w, h)
	return v
}

// msg returns a message line i minutes after t0.
func msg(i int, nick, text string) Line {
	return Line{Time: t0.Add(time.Duration(i) * time.Minute), Kind: Message, Nick: nick, Text: text}
}

// screen renders v (Ascii profile expected) and trims trailing spaces so
// goldens are readable.
func screen(v *View) string {
	rows := v.Render()
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.TrimRight(r, " ")
	}
	return strings.Join(out, "\n")
}

func checkScreen(t *testing.T, v *View, want string) {
	t.Helper()
	want = strings.TrimPrefix(want, "\n")
	if got := screen(v); got != want {
		t.Errorf("screen:\n%s\n--- want:\n%s\n--- got (quoted): %q", got, want, got)
	}
}
