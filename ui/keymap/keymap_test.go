package keymap

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// TestGroupsCoverTheMap: every binding of KeyMap is in exactly one help
// group, so nothing the keys do goes undocumented.
func TestGroupsCoverTheMap(t *testing.T) {
	km := Default()
	seen := map[string]int{}
	for _, g := range km.Groups() {
		for _, b := range g.Bindings {
			seen[b.Help().Key]++
		}
	}
	v := reflect.ValueOf(km).Elem()
	for i := range v.NumField() {
		f := v.Type().Field(i)
		b, ok := v.Field(i).Interface().(key.Binding)
		if !ok {
			continue
		}
		if len(b.Keys()) == 0 || b.Help().Key == "" || b.Help().Desc == "" {
			t.Errorf("%s: no keys or no help", f.Name)
		}
		if seen[b.Help().Key] != 1 {
			t.Errorf("%s (%s) is in %d help groups, want 1", f.Name, b.Help().Key, seen[b.Help().Key])
		}
	}
}

// TestReadmeKeyTable: the README's key table is the one generated from
// the map. When they differ, the table to commit is printed.
func TestReadmeKeyTable(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	got, ok := readmeTable(string(readme))
	if !ok {
		t.Fatal("README.md has no table starting with \"| key | what it does |\"")
	}
	if want := Default().MarkdownTable(); got != want {
		t.Errorf("README.md's key table differs from the key map; replace it with:\n\n%s", want)
	}
}

// readmeTable returns the lines of the table whose header is the key
// table's, up to the first line that is not a table row.
func readmeTable(s string) (string, bool) {
	_, rest, ok := strings.Cut(s, "\n| key | what it does |\n")
	if !ok {
		return "", false
	}
	var b strings.Builder
	b.WriteString("| key | what it does |\n")
	for _, l := range strings.Split(rest, "\n") {
		if !strings.HasPrefix(l, "|") {
			break
		}
		b.WriteString(l + "\n")
	}
	return b.String(), true
}

func TestHelpLines(t *testing.T) {
	km := Default()
	lines := km.HelpLines()
	if len(lines) != len(km.Groups()) {
		t.Fatalf("%d help lines for %d groups", len(lines), len(km.Groups()))
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{"Alt+U/F7 show or hide the nick list", "Alt+1…9/Alt+0 go to sidebar buffer", "Ctrl+C quit"} {
		if !strings.Contains(all, want) {
			t.Errorf("help lacks %q:\n%s", want, all)
		}
	}
	if s := km.Short(); !strings.Contains(s, "Ctrl+N/Alt+→ next buffer") || strings.Contains(s, "(") {
		t.Errorf("Short() = %q", s)
	}
}

func TestTypedTextMatchesNoBinding(t *testing.T) {
	for _, tc := range []struct {
		k     tea.KeyMsg
		typed bool
	}{
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("right")}, true},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("enter")}, true},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")}, false},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("1"), Alt: true}, false},
		{tea.KeyMsg{Type: tea.KeyRight}, false},
		{tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("ctrl+f")}, true}, // text that spells a chord is still text
	} {
		if got := Typed(tc.k); got != tc.typed {
			t.Errorf("Typed(%q) = %v, want %v", tc.k.String(), got, tc.typed)
		}
	}
}
