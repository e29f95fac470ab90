package input

// History is the lines sent from one buffer, for Up/Down. The line being
// typed when the user starts walking back is kept as a draft and comes back
// when they walk forward past the newest entry.
type History struct {
	lines []string
	pos   int // len(lines) = not browsing
	draft string
	max   int
}

// DefaultHistory is how many lines a buffer's history keeps.
const DefaultHistory = 200

// NewHistory returns an empty history keeping at most max lines.
func NewHistory(max int) *History {
	if max <= 0 {
		max = DefaultHistory
	}
	return &History{max: max}
}

// Add records a sent line and stops browsing. Empty lines and a repeat of
// the newest line are not recorded.
func (h *History) Add(line string) {
	if line != "" && (len(h.lines) == 0 || h.lines[len(h.lines)-1] != line) {
		h.lines = append(h.lines, line)
		if len(h.lines) > h.max {
			h.lines = append(h.lines[:0], h.lines[len(h.lines)-h.max:]...)
		}
	}
	h.pos = len(h.lines)
	h.draft = ""
}

// Prev returns the entry before the current one; current is what the input
// holds now (saved as the draft when browsing starts). ok is false at the
// oldest entry.
func (h *History) Prev(current string) (string, bool) {
	if h.pos == 0 {
		return "", false
	}
	if h.pos == len(h.lines) {
		h.draft = current
	}
	h.pos--
	return h.lines[h.pos], true
}

// Next returns the entry after the current one, or the draft after the
// newest; ok is false when not browsing.
func (h *History) Next() (string, bool) {
	if h.pos >= len(h.lines) {
		return "", false
	}
	h.pos++
	if h.pos == len(h.lines) {
		return h.draft, true
	}
	return h.lines[h.pos], true
}

// Len is the number of lines kept.
func (h *History) Len() int { return len(h.lines) }
