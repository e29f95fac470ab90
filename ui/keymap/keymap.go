// Package keymap is every key ferry answers to, as data: one key.Binding
// per action with the keys that trigger it and the help shown for it. The
// root model matches key presses against it, the input line takes its
// editing keys from it, and /help, the welcome line and the README's key
// table are generated from it, so the keys and their documentation cannot
// drift apart.
package keymap

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// Typed reports whether k is text typed faster than the terminal reports
// keys one by one: several runes in one message. Its String() is those
// runes, so "right" or "enter" typed quickly would otherwise match the
// binding of that name; text matches no binding.
func Typed(k tea.KeyMsg) bool {
	return k.Type == tea.KeyRunes && !k.Alt && len(k.Runes) > 1
}

// KeyMap holds the bindings. The zero value binds nothing; use Default.
type KeyMap struct {
	// Buffers.
	GotoBuffer key.Binding // Alt+1…9 and Alt+0 (the tenth)
	NextBuffer key.Binding
	PrevBuffer key.Binding

	// The message view.
	PageUp   key.Binding
	PageDown key.Binding
	Home     key.Binding
	End      key.Binding

	// The nick list.
	ToggleList   key.Binding
	ListPageUp   key.Binding
	ListPageDown key.Binding

	// The input line: the root model's keys.
	Submit      key.Binding
	Complete    key.Binding
	HistoryPrev key.Binding
	HistoryNext key.Binding

	// The input line: editing, handled by the input component. The root
	// model sees a key first: Ctrl+F (search) and Alt+← (previous buffer)
	// never reach the editor, so their help leaves them out.
	Left          key.Binding
	Right         key.Binding
	LineStart     key.Binding
	LineEnd       key.Binding
	WordLeft      key.Binding
	WordRight     key.Binding
	DeleteBack    key.Binding
	DeleteForward key.Binding
	DeleteWord    key.Binding
	DeleteToStart key.Binding
	DeleteToEnd   key.Binding

	// Search.
	SearchOlder key.Binding
	SearchNewer key.Binding
	SearchEnd   key.Binding

	// Questions (quit with lines pending, a large paste).
	Yes key.Binding
	No  key.Binding

	// The program.
	ToggleMouse key.Binding
	Redraw      key.Binding
	Quit        key.Binding
}

// Default returns ferry's key bindings.
func Default() *KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := func(ks ...string) []string { return ks }
	return &KeyMap{
		GotoBuffer: b(k("alt+1", "alt+2", "alt+3", "alt+4", "alt+5", "alt+6", "alt+7", "alt+8", "alt+9", "alt+0"),
			"Alt+1…9/Alt+0", "go to sidebar buffer 1…9 (Alt+0: the 10th)"),
		NextBuffer: b(k("ctrl+n", "alt+right"), "Ctrl+N/Alt+→", "next buffer"),
		PrevBuffer: b(k("ctrl+p", "alt+left"), "Ctrl+P/Alt+←", "previous buffer"),

		PageUp:   b(k("pgup"), "PgUp", "scroll up a page; past the top, older history is fetched from servers that offer it"),
		PageDown: b(k("pgdown"), "PgDn", "scroll down a page"),
		Home:     b(k("home"), "Home", "go to the oldest line kept, then fetch older history as PgUp does"),
		End:      b(k("end"), "End", "go to the newest line and follow new ones"),

		ToggleList:   b(k("alt+u", "f7"), "Alt+U/F7", "show or hide the nick list"),
		ListPageUp:   b(k("alt+pgup"), "Alt+PgUp", "scroll the nick list up"),
		ListPageDown: b(k("alt+pgdown"), "Alt+PgDn", "scroll the nick list down"),

		Submit:      b(k("enter"), "Enter", "send the line or run the command"),
		Complete:    b(k("tab"), "Tab", "complete nicks (most recent speaker first; \"nick: \" at the start of a line), channels and commands"),
		HistoryPrev: b(k("up"), "Up", "previous line of this buffer's input history"),
		HistoryNext: b(k("down"), "Down", "next line of the input history"),

		Left:          b(k("left", "ctrl+b"), "←/Ctrl+B", "cursor left"),
		Right:         b(k("right", "ctrl+f"), "→", "cursor right"),
		LineStart:     b(k("ctrl+a"), "Ctrl+A", "cursor to the line start"),
		LineEnd:       b(k("ctrl+e"), "Ctrl+E", "cursor to the line end"),
		WordLeft:      b(k("alt+left", "ctrl+left", "alt+b"), "Ctrl+←/Alt+B", "cursor a word left"),
		WordRight:     b(k("ctrl+right", "alt+f"), "Ctrl+→/Alt+F", "cursor a word right"),
		DeleteBack:    b(k("backspace", "ctrl+h"), "Backspace/Ctrl+H", "delete the character before the cursor"),
		DeleteForward: b(k("delete", "ctrl+d"), "Delete/Ctrl+D", "delete the character under the cursor"),
		DeleteWord:    b(k("ctrl+w", "alt+backspace"), "Ctrl+W/Alt+Backspace", "delete the word before the cursor"),
		DeleteToStart: b(k("ctrl+u"), "Ctrl+U", "delete to line start"),
		DeleteToEnd:   b(k("ctrl+k"), "Ctrl+K", "delete to line end"),

		SearchOlder: b(k("ctrl+f"), "Ctrl+F", "start a search (/search ); during one, go to the older hit"),
		SearchNewer: b(k("ctrl+g"), "Ctrl+G", "during a search, go to the newer hit"),
		SearchEnd:   b(k("esc"), "Esc", "end the search"),

		Yes: b(k("y", "Y", "enter"), "y/Enter", "answer yes to a question (quit with lines unsent, send a large paste)"),
		No:  b(k("n", "N", "esc"), "n/Esc", "answer no"),

		ToggleMouse: b(k("alt+m"), "Alt+M", "turn the mouse off (the terminal selects text, no Shift needed) or back on (wheel scrolls, clicks switch buffer)"),
		Redraw:      b(k("ctrl+l"), "Ctrl+L", "redraw the screen"),
		Quit:        b(k("ctrl+c"), "Ctrl+C", "quit, sending QUIT first; asks while lines are unsent (then Ctrl+C quits anyway)"),
	}
}

// Group is a titled list of bindings, as help shows them.
type Group struct {
	Title    string
	Bindings []key.Binding
}

// Groups returns every binding, grouped as help lists them. A binding
// added to KeyMap must be added here too: the README test walks these.
func (k *KeyMap) Groups() []Group {
	return []Group{
		{"buffers", []key.Binding{k.GotoBuffer, k.NextBuffer, k.PrevBuffer}},
		{"scrolling", []key.Binding{k.PageUp, k.PageDown, k.Home, k.End}},
		{"nick list", []key.Binding{k.ToggleList, k.ListPageUp, k.ListPageDown}},
		{"input", []key.Binding{k.Submit, k.Complete, k.HistoryPrev, k.HistoryNext}},
		{"editing", []key.Binding{k.Left, k.Right, k.LineStart, k.LineEnd, k.WordLeft, k.WordRight,
			k.DeleteBack, k.DeleteForward, k.DeleteWord, k.DeleteToStart, k.DeleteToEnd}},
		{"search", []key.Binding{k.SearchOlder, k.SearchNewer, k.SearchEnd}},
		{"questions", []key.Binding{k.Yes, k.No}},
		{"program", []key.Binding{k.ToggleMouse, k.Redraw, k.Quit}},
	}
}

// HelpLines is the key part of /help: one line per group, "title: KEY
// what · KEY what". The view wraps long lines at word boundaries.
func (k *KeyMap) HelpLines() []string {
	var out []string
	for _, g := range k.Groups() {
		parts := make([]string, 0, len(g.Bindings))
		for _, b := range g.Bindings {
			if !b.Enabled() {
				continue
			}
			h := b.Help()
			parts = append(parts, h.Key+" "+h.Desc)
		}
		out = append(out, g.Title+": "+strings.Join(parts, " · "))
	}
	return out
}

// Short is the few keys a newcomer needs, for the welcome line:
// "KEY what · KEY what".
func (k *KeyMap) Short() string {
	var parts []string
	for _, b := range []key.Binding{k.GotoBuffer, k.NextBuffer, k.PrevBuffer, k.Quit} {
		h := b.Help()
		desc := h.Desc
		for _, sep := range []string{" (", ";", ","} {
			desc, _, _ = strings.Cut(desc, sep)
		}
		parts = append(parts, h.Key+" "+desc)
	}
	return strings.Join(parts, " · ")
}

// MarkdownTable is the README's key table: a header and one row per
// binding, in Groups order.
func (k *KeyMap) MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| key | what it does |\n| --- | --- |\n")
	for _, g := range k.Groups() {
		for _, kb := range g.Bindings {
			if !kb.Enabled() {
				continue
			}
			h := kb.Help()
			b.WriteString("| " + escapeCell(h.Key) + " | " + escapeCell(h.Desc) + " |\n")
		}
	}
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
