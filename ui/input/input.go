// Package input is ferry's input line: a single-line editor with the usual
// readline keys, a per-buffer history, and Tab completion. The root model
// decides what Enter does with the line; this package only edits text.
//
// It is written for Bubble Tea v1 key messages but keeps no timers (no
// blinking cursor), so a frame depends only on the state, which keeps
// golden tests stable. It never imports net/.
//
// The editing keys are the key map's (common.Common.Keys; keymap.Default
// for a zero Model). The horizontal scroll follows the cursor as the line,
// the prompt or the width change, so View only reads.
package input

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	binding "github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/common"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/ferry-irc/ferry/ui/keymap"
)

// Model is the line being edited.
type Model struct {
	com    common.Common // Width is the whole row, prompt included
	prompt string        // sanitised, cut to at most half the width
	value  []rune
	cursor int // 0..len(value)
	offset int // first rune shown (horizontal scroll)
	comp   *completion
}

// defaultKeys serves a Model built without a key map.
var defaultKeys = keymap.Default()

// New returns an empty input line drawn with c (its Height is ignored: the
// line is one row).
func New(c common.Common) Model {
	m := Model{com: c}
	m.fit()
	return m
}

// SetSize sets the width of the row, prompt included.
func (m *Model) SetSize(width int) {
	m.com.Width = width
	m.SetPrompt(m.prompt)
}

// SetStyles switches theme.
func (m *Model) SetStyles(st *themes.Styles) { m.com.Styles = st }

// SetPrompt sets the text before the line (plain text, sanitised here; a
// prompt wider than half the row is cut).
func (m *Model) SetPrompt(p string) {
	p = format.Sanitize(p)
	if w := m.com.Width; format.Width(p) > w/2 {
		p = cutPlain(p, w/2)
	}
	m.prompt = p
	m.fit()
}

func (m *Model) keys() *keymap.KeyMap {
	if m.com.Keys == nil {
		return defaultKeys
	}
	return m.com.Keys
}

// fit scrolls horizontally so the cursor's cell is inside the row: the
// window moves only when the cursor would leave it. The line is drawn by
// whole grapheme clusters, so that an emoji sequence is measured and drawn
// as the terminal will join it: the window starts on a cluster, and the
// cursor covers the cluster it is in.
func (m *Model) fit() {
	avail := m.com.Width - format.Width(m.prompt)
	if avail < 1 {
		return // nothing of the line is shown
	}
	starts := m.clusterStarts()
	cs, curW := m.cursorCluster(starts, avail)
	if m.offset > cs || !isStart(starts, m.offset) {
		m.offset = cs
	}
	for m.offset < cs && widthRunes(m.value[m.offset:cs])+curW > avail {
		m.offset = starts[sort.SearchInts(starts, m.offset+1)]
	}
}

// cursorCluster returns the start of the cluster the cursor is in and the
// cells it takes (past the end of the line: one blank cell; a cluster
// wider than the whole field is drawn as "…").
func (m *Model) cursorCluster(starts []int, avail int) (start, width int) {
	if m.cursor >= len(m.value) {
		return m.cursor, 1
	}
	k := sort.SearchInts(starts, m.cursor+1) - 1
	start, width = starts[k], widthRunes(m.value[starts[k]:starts[k+1]])
	if width > avail {
		width = 1
	}
	return start, width
}

// Value returns the text.
func (m *Model) Value() string { return string(m.value) }

// Cursor returns the cursor position in runes.
func (m *Model) Cursor() int { return m.cursor }

// SetValue replaces the text and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.value = []rune(s)
	m.cursor = len(m.value)
	m.comp = nil
	m.fit()
}

// Reset empties the line.
func (m *Model) Reset() { m.SetValue("") }

// Insert types s at the cursor (a single-line paste).
func (m *Model) Insert(s string) {
	rs := []rune(s)
	for i, r := range rs {
		if r == '\n' || r == '\r' || r == '\t' {
			rs[i] = ' '
		}
	}
	v := make([]rune, 0, len(m.value)+len(rs))
	v = append(v, m.value[:m.cursor]...)
	v = append(v, rs...)
	v = append(v, m.value[m.cursor:]...)
	m.value = v
	m.cursor += len(rs)
	m.comp = nil
	m.fit()
}

// Update applies an editing key and reports whether it was one. Keys it
// does not handle (Enter, Up/Down, Tab, PgUp...) are the root model's.
func (m *Model) Update(k tea.KeyMsg) bool {
	ok := m.edit(k)
	m.fit()
	return ok
}

func (m *Model) edit(k tea.KeyMsg) bool {
	km := m.keys()
	switch {
	case keymap.Typed(k):
		m.Insert(string(k.Runes))
		return true
	case binding.Matches(k, km.Left):
		if m.cursor > 0 {
			m.cursor--
		}
	case binding.Matches(k, km.Right):
		if m.cursor < len(m.value) {
			m.cursor++
		}
	case binding.Matches(k, km.LineStart):
		m.cursor = 0
	case binding.Matches(k, km.LineEnd):
		m.cursor = len(m.value)
	case binding.Matches(k, km.WordLeft):
		m.cursor = m.wordStart(m.cursor)
	case binding.Matches(k, km.WordRight):
		m.cursor = m.wordEnd(m.cursor)
	case binding.Matches(k, km.DeleteBack):
		if m.cursor > 0 {
			m.value = append(m.value[:m.cursor-1], m.value[m.cursor:]...)
			m.cursor--
		}
	case binding.Matches(k, km.DeleteForward):
		if m.cursor < len(m.value) {
			m.value = append(m.value[:m.cursor], m.value[m.cursor+1:]...)
		}
	case binding.Matches(k, km.DeleteWord):
		s := m.wordStart(m.cursor)
		m.value = append(m.value[:s], m.value[m.cursor:]...)
		m.cursor = s
	case binding.Matches(k, km.DeleteToStart):
		m.value = append(m.value[:0], m.value[m.cursor:]...)
		m.cursor = 0
	case binding.Matches(k, km.DeleteToEnd):
		m.value = m.value[:m.cursor]
	case k.String() == " ":
		m.Insert(" ")
		return true
	default:
		if k.Type == tea.KeyRunes && !k.Alt {
			m.Insert(string(k.Runes))
			return true
		}
		return false
	}
	m.comp = nil
	return true
}

func (m *Model) wordStart(i int) int {
	for i > 0 && unicode.IsSpace(m.value[i-1]) {
		i--
	}
	for i > 0 && !unicode.IsSpace(m.value[i-1]) {
		i--
	}
	return i
}

func (m *Model) wordEnd(i int) int {
	for i < len(m.value) && unicode.IsSpace(m.value[i]) {
		i++
	}
	for i < len(m.value) && !unicode.IsSpace(m.value[i]) {
		i++
	}
	return i
}

// View draws the prompt and the visible part of the line in exactly
// Width cells, the cursor as a reversed cell. It only reads: the scroll
// was fitted when the line, the prompt or the width changed.
func (m *Model) View() string {
	width, st, prompt := m.com.Width, m.com.Styles, m.prompt
	if width <= 0 {
		return ""
	}
	avail := width - format.Width(prompt)
	if avail < 1 {
		return cutPlain(prompt, width)
	}
	var b strings.Builder
	b.WriteString(st.InputPrompt.Render(prompt))
	used := 0
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			b.WriteString(st.InputText.Render(text.String()))
			text.Reset()
		}
	}
	starts := m.clusterStarts()
	cs, _ := m.cursorCluster(starts, avail)
	for k := sort.SearchInts(starts, m.offset); used < avail; k++ {
		i := m.offset
		if k < len(starts) {
			i = starts[k]
		}
		if i >= len(m.value) {
			if m.cursor == len(m.value) && used < avail {
				flush()
				b.WriteString(st.InputText.Reverse(true).Render(" "))
				used++
			}
			break
		}
		cell := format.Sanitize(string(m.value[i:starts[k+1]]))
		w := format.Width(cell)
		if w > avail {
			// A cluster wider than the whole field (a ZWJ sequence
			// in a very narrow terminal) stands as "…".
			cell, w = "…", 1
		}
		if used+w > avail {
			break
		}
		if i == cs {
			flush()
			b.WriteString(st.InputText.Reverse(true).Render(cell))
		} else {
			text.WriteString(cell)
		}
		used += w
	}
	flush()
	b.WriteString(strings.Repeat(" ", max(0, avail-used)))
	return b.String()
}

// clusterStarts returns the rune index of the start of every grapheme
// cluster of the line, then len(value).
func (m *Model) clusterStarts() []int {
	s := string(m.value)
	starts := make([]int, 0, len(m.value)+1)
	r := 0
	for s != "" {
		starts = append(starts, r)
		n, _ := format.FirstCluster(s)
		r += utf8.RuneCountInString(s[:n])
		s = s[n:]
	}
	return append(starts, len(m.value))
}

func isStart(starts []int, i int) bool {
	k := sort.SearchInts(starts, i)
	return k < len(starts) && starts[k] == i
}

func widthRunes(rs []rune) int { return format.Width(format.Sanitize(string(rs))) }

func cutPlain(s string, w int) string {
	var b strings.Builder
	for _, sp := range format.Truncate([]format.Span{{Text: s}}, w, "…") {
		b.WriteString(sp.Text)
	}
	return b.String()
}
