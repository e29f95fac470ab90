// Package input is ferry's input line: a single-line editor with the usual
// readline keys, a per-buffer history, and Tab completion. The root model
// decides what Enter does with the line; this package only edits text.
//
// It is written for Bubble Tea v1 key messages but keeps no timers (no
// blinking cursor), so a frame depends only on the state, which keeps
// golden tests stable. It never imports net/.
package input

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
)

// Model is the line being edited.
type Model struct {
	value  []rune
	cursor int // 0..len(value)
	offset int // first rune shown (horizontal scroll)
	comp   *completion
}

// New returns an empty input line.
func New() Model { return Model{} }

// Value returns the text.
func (m *Model) Value() string { return string(m.value) }

// Cursor returns the cursor position in runes.
func (m *Model) Cursor() int { return m.cursor }

// SetValue replaces the text and puts the cursor at its end.
func (m *Model) SetValue(s string) {
	m.value = []rune(s)
	m.cursor = len(m.value)
	m.comp = nil
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
}

// Update applies an editing key and reports whether it was one. Keys it
// does not handle (Enter, Up/Down, Tab, PgUp...) are the root model's.
func (m *Model) Update(k tea.KeyMsg) bool {
	switch k.String() {
	case "left", "ctrl+b":
		if m.cursor > 0 {
			m.cursor--
		}
	case "right", "ctrl+f":
		if m.cursor < len(m.value) {
			m.cursor++
		}
	case "ctrl+a":
		m.cursor = 0
	case "ctrl+e":
		m.cursor = len(m.value)
	case "alt+left", "ctrl+left", "alt+b":
		m.cursor = m.wordStart(m.cursor)
	case "ctrl+right", "alt+f":
		m.cursor = m.wordEnd(m.cursor)
	case "backspace", "ctrl+h":
		if m.cursor > 0 {
			m.value = append(m.value[:m.cursor-1], m.value[m.cursor:]...)
			m.cursor--
		}
	case "delete", "ctrl+d":
		if m.cursor < len(m.value) {
			m.value = append(m.value[:m.cursor], m.value[m.cursor+1:]...)
		}
	case "ctrl+w", "alt+backspace":
		s := m.wordStart(m.cursor)
		m.value = append(m.value[:s], m.value[m.cursor:]...)
		m.cursor = s
	case "ctrl+u":
		m.value = append(m.value[:0], m.value[m.cursor:]...)
		m.cursor = 0
	case "ctrl+k":
		m.value = m.value[:m.cursor]
	case " ":
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

// View draws prompt (plain text, sanitised here) and the visible part of
// the line in exactly width cells, scrolling horizontally so the cursor
// stays visible. The cursor is drawn as a reversed cell.
func (m *Model) View(st *themes.Styles, prompt string, width int) string {
	if width <= 0 {
		return ""
	}
	prompt = format.Sanitize(prompt)
	pw := format.Width(prompt)
	if pw > width/2 {
		prompt = cutPlain(prompt, width/2)
		pw = format.Width(prompt)
	}
	avail := width - pw
	if avail < 1 {
		return cutPlain(prompt, width)
	}
	// The line is drawn by whole grapheme clusters, so that an emoji
	// sequence is measured and drawn as the terminal will join it: the
	// window starts on a cluster, and the cursor covers the cluster it is
	// in. Keep that cluster in [offset, offset+avail).
	starts := m.clusterStarts()
	cs, curW := m.cursor, 1 // the cursor's cluster (past the end: one blank cell)
	if m.cursor < len(m.value) {
		k := sort.SearchInts(starts, m.cursor+1) - 1
		cs = starts[k]
		curW = widthRunes(m.value[cs:starts[k+1]])
		if curW > avail {
			curW = 1 // drawn as "…" below
		}
	}
	if m.offset > cs || !isStart(starts, m.offset) {
		m.offset = cs
	}
	for m.offset < cs && widthRunes(m.value[m.offset:cs])+curW > avail {
		m.offset = starts[sort.SearchInts(starts, m.offset+1)]
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
