package format

// Wrap splits spans into lines of at most width cells, breaking after
// spaces where possible and inside a word (between grapheme clusters) only
// when the word alone is wider than a line. Spaces at a break are dropped.
// A wide character never straddles the edge, and no row is wider than
// width: a cluster wider than a whole line stands as "…". width < 1 is
// treated as 1.
// The returned spans share their text with the input ("…" aside).
func Wrap(spans []Span, width int) [][]Span {
	if width < 1 {
		width = 1
	}
	w := wrapper{width: width}
	// Walk "words": maximal runs of non-space across span boundaries.
	for si := 0; si < len(spans); si++ {
		sp := spans[si]
		t := sp.Text
		for t != "" {
			if t[0] == ' ' {
				j := 0
				for j < len(t) && t[j] == ' ' {
					j++
				}
				w.space(sp, t[:j])
				t = t[j:]
				continue
			}
			j := 0
			for j < len(t) && t[j] != ' ' {
				j++
			}
			w.word(sp, t[:j], spans[si+1:], t[j:] == "")
			t = t[j:]
		}
	}
	w.flush()
	if len(w.lines) == 0 {
		w.lines = append(w.lines, nil)
	}
	return w.lines
}

type wrapper struct {
	width int
	lines [][]Span
	cur   []Span
	curW  int
	// pendingSpace is a run of spaces waiting for the next word: it is
	// written only if that word fits on the same line.
	pendingSpace []Span
	pendingW     int
	// wordW is the width of the word in progress (a word may continue into
	// the next span); wordCont is set while inside such a word.
	wordCont bool
}

func (w *wrapper) flush() {
	if w.cur != nil || len(w.lines) == 0 {
		w.lines = append(w.lines, w.cur)
	}
	w.cur, w.curW = nil, 0
}

func (w *wrapper) newline() {
	w.lines = append(w.lines, w.cur)
	w.cur, w.curW = nil, 0
	w.pendingSpace, w.pendingW = nil, 0
}

func (w *wrapper) space(sp Span, t string) {
	w.wordCont = false
	sp.Text = t
	w.pendingSpace = append(w.pendingSpace, sp)
	w.pendingW += len(t)
}

func (w *wrapper) put(sp Span, t string, tw int) {
	sp.Text = t
	w.cur = append(w.cur, sp)
	w.curW += tw
}

// word places the text t of span sp. When the word continues into the next
// spans (no space at the end of t), its whole width decides whether it moves
// to a new line, so "foo\x02bar" is not split at the formatting change.
func (w *wrapper) word(sp Span, t string, next []Span, endsSpan bool) {
	tw := Width(t)
	if w.wordCont {
		// Continuation of a word already placed: keep going, break by
		// graphemes if needed.
		w.breakInto(sp, t, tw)
		return
	}
	total := tw
	if endsSpan {
		total += continuedWidth(next)
	}
	w.wordCont = true
	if w.curW > 0 && w.curW+w.pendingW+total > w.width {
		if total <= w.width {
			w.newline()
		} else if w.curW+w.pendingW >= w.width {
			w.newline()
		}
	}
	if w.curW > 0 || len(w.lines) == 0 {
		// Leading spaces of the first line are kept (indented text, art);
		// at the start of a wrapped line they are dropped.
		for _, ps := range w.pendingSpace {
			w.put(ps, ps.Text, len(ps.Text))
		}
	}
	w.pendingSpace, w.pendingW = nil, 0
	w.breakInto(sp, t, tw)
}

// breakInto appends t, wrapping inside it by grapheme clusters when it does
// not fit in what is left of the line.
func (w *wrapper) breakInto(sp Span, t string, tw int) {
	if w.curW+tw <= w.width {
		w.put(sp, t, tw)
		return
	}
	for t != "" {
		start, cw := 0, 0
		for start < len(t) {
			_, gw, n := nextGrapheme(t[start:])
			if w.curW+cw+gw > w.width {
				break
			}
			cw += gw
			start += n
		}
		if start > 0 {
			w.put(sp, t[:start], cw)
			t = t[start:]
		}
		if t != "" {
			if w.curW == 0 {
				// A single cluster wider than the whole line (a ZWJ
				// sequence in a very narrow pane): it stands as "…",
				// since a row wider than the line would overflow the
				// screen.
				_, _, n := nextGrapheme(t)
				e := sp
				e.Control = true
				w.put(e, "…", 1)
				t = t[n:]
				if t == "" {
					return
				}
			}
			w.newline()
		}
	}
}

// continuedWidth is the width of the word that continues at the start of
// the following spans, up to the first space.
func continuedWidth(next []Span) int {
	w := 0
	for _, sp := range next {
		t := sp.Text
		for i := 0; i < len(t); i++ {
			if t[i] == ' ' {
				return w + Width(t[:i])
			}
		}
		w += Width(t)
	}
	return w
}

// Truncate returns spans cut to at most width cells; when cut, the last cell
// is tail (e.g. "…", one cell wide; "" for none).
func Truncate(spans []Span, width int, tail string) []Span {
	total := SpansWidth(spans)
	if total <= width {
		return spans
	}
	tw := Width(tail)
	limit := width - tw
	if limit < 0 {
		limit, tail = 0, ""
	}
	var out []Span
	used := 0
	for _, sp := range spans {
		t := sp.Text
		end := 0
		for end < len(t) {
			_, gw, n := nextGrapheme(t[end:])
			if used+gw > limit {
				break
			}
			used += gw
			end += n
		}
		if end > 0 {
			s := sp
			s.Text = t[:end]
			out = append(out, s)
		}
		if end < len(t) {
			if tail != "" {
				s := sp
				s.Text, s.URL, s.Control = tail, false, false
				out = append(out, s)
			}
			break
		}
	}
	return out
}
