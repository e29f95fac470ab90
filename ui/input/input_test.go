package input

import (
	"io"
	"reflect"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/common"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/muesli/termenv"
)

func key(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{"left": tea.KeyLeft, "right": tea.KeyRight, "backspace": tea.KeyBackspace,
		"delete": tea.KeyDelete, "ctrl+a": tea.KeyCtrlA, "ctrl+e": tea.KeyCtrlE, "ctrl+w": tea.KeyCtrlW,
		"ctrl+u": tea.KeyCtrlU, "ctrl+k": tea.KeyCtrlK, "enter": tea.KeyEnter}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func TestEditing(t *testing.T) {
	var m Model
	for _, r := range "hello wörld" {
		m.Update(key(string(r)))
	}
	steps := []struct {
		key    string
		value  string
		cursor int
	}{
		{"left", "hello wörld", 10},
		{"backspace", "hello wörd", 9},
		{"ctrl+a", "hello wörd", 0},
		{"delete", "ello wörd", 0},
		{"ctrl+e", "ello wörd", 9},
		{"ctrl+w", "ello ", 5},
		{"ctrl+u", "", 0},
	}
	for _, s := range steps {
		m.Update(key(s.key))
		if m.Value() != s.value || m.Cursor() != s.cursor {
			t.Fatalf("after %s: %q at %d, want %q at %d", s.key, m.Value(), m.Cursor(), s.value, s.cursor)
		}
	}
	m.SetValue("abc def")
	m.Update(key("ctrl+a"))
	m.Update(key("right"))
	m.Update(key("ctrl+k"))
	if m.Value() != "a" {
		t.Errorf("ctrl+k: %q", m.Value())
	}
	if m.Update(key("enter")) {
		t.Error("enter is the root model's key")
	}
	m.Insert("x\ny")
	if m.Value() != "ax y" {
		t.Errorf("Insert keeps the line single: %q", m.Value())
	}
}

func TestViewScrollsToTheCursor(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	m := New(common.Common{Width: 12, Styles: st})
	m.SetPrompt("> ")
	m.SetValue("0123456789abcdefghij")
	// 10 cells for text: the last 9 runes and the cursor cell after them.
	if got, want := m.View(), "> bcdefghij "; got != want {
		t.Errorf("view %q, want %q", got, want)
	}
	m.Update(key("ctrl+a"))
	if got, want := m.View(), "> 0123456789"; got != want {
		t.Errorf("view at start %q, want %q", got, want)
	}
	m.SetValue("evil \x1b[2J")
	m.SetSize(40)
	if v := m.View(); strings.ContainsRune(v, 0x1b) {
		t.Errorf("raw ESC in the input view: %q", v)
	}
}

func TestHistory(t *testing.T) {
	h := NewHistory(3)
	for _, l := range []string{"one", "two", "two", "", "three", "four"} {
		h.Add(l)
	}
	if h.Len() != 3 {
		t.Fatalf("Len %d, want 3 (bounded, no repeats, no empties)", h.Len())
	}
	var got []string
	for {
		v, ok := h.Prev("draft")
		if !ok {
			break
		}
		got = append(got, v)
	}
	if !reflect.DeepEqual(got, []string{"four", "three", "two"}) {
		t.Errorf("Prev walk %q", got)
	}
	got = nil
	for {
		v, ok := h.Next()
		if !ok {
			break
		}
		got = append(got, v)
	}
	if !reflect.DeepEqual(got, []string{"three", "four", "draft"}) {
		t.Errorf("Next walk %q", got)
	}
}

func TestCompleteCycles(t *testing.T) {
	var m Model
	m.SetValue("hi al")
	cands := func(word string, atStart bool) []string {
		if atStart {
			t.Error("atStart for a second word")
		}
		return MatchPrefix([]string{"Alice", "bob", "alfred"}, word, nil)
	}
	var got []string
	for range 3 {
		m.Complete(cands)
		got = append(got, m.Value())
	}
	if !reflect.DeepEqual(got, []string{"hi Alice", "hi alfred", "hi Alice"}) {
		t.Errorf("cycle %q", got)
	}
	m.Update(key("x")) // typing ends the cycle
	if m.Complete(cands) {
		t.Error("completed a word with no match")
	}
}

// TestViewOnlyReads: the horizontal scroll is fitted when the line, the
// prompt or the width changes, so View draws from state and changes none.
func TestViewOnlyReads(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	m := New(common.Common{Width: 40, Styles: themes.NewStyles(th, r, false)})
	m.SetPrompt("> ")
	m.SetValue("0123456789abcdefghij")
	m.SetSize(12)
	before := m
	if got, want := m.View(), "> bcdefghij "; got != want {
		t.Errorf("after narrowing: view %q, want %q", got, want)
	}
	if !reflect.DeepEqual(before, m) || m.View() != before.View() {
		t.Error("View changed the model")
	}
	m.SetPrompt("[a long buffer name] ")
	if got, want := m.View(), "[a lo…fghij "; got != want {
		t.Errorf("long prompt: view %q, want %q", got, want)
	}
}

// The input line draws whole grapheme clusters: whatever the cursor
// position and width, the line is exactly width cells (measured with
// format.Width, which reserves the widest reading of each cluster), and
// the reversed cursor cell holds a whole cluster, never a skin tone or a
// VS16 cut from its emoji.
func TestViewKeepsClustersWhole(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	const text = "a 👍🏽 b 👨\u200d👩\u200d👧 c 🇫🇷 d ❤\ufe0f e 漢字 f"
	whole := map[string]bool{" ": true, "…": true}
	for _, c := range []string{"a", "b", "c", "d", "e", "f", "👍🏽", "👨\u200d👩\u200d👧", "🇫🇷", "❤\ufe0f", "漢", "字"} {
		whole[c] = true
	}
	m := New(common.Common{Styles: st})
	m.SetPrompt("> ")
	m.SetValue(text)
	for w := 6; w <= 40; w++ {
		m.SetSize(w)
		m.Update(key("ctrl+e"))
		for c := len([]rune(text)); c >= 0; c-- {
			v := m.View()
			if got := format.RenderedWidth(v); got != w {
				t.Fatalf("width %d, cursor %d: line is %d cells: %q", w, m.Cursor(), got, v)
			}
			// The cursor cell: after the reverse-video SGR, up to the next SGR.
			i := strings.Index(v, "7m")
			if i < 0 {
				t.Fatalf("width %d, cursor %d: no cursor cell in %q", w, m.Cursor(), v)
			}
			cell := v[i+2:]
			cell = cell[:strings.IndexByte(cell, 0x1b)]
			if !whole[cell] {
				t.Fatalf("width %d, cursor %d: cursor cell %q is not a whole cluster: %q", w, m.Cursor(), cell, v)
			}
			m.Update(key("left"))
		}
	}
}
