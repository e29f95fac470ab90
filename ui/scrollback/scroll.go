package scrollback

// entry is one display entry: a single line, or a fold group of
// consecutive join/part/quit/nick lines, as [start, end] seqs.
type entry struct{ start, end uint64 }

// entryEnding returns the entry whose last line is seq s (s must be an
// entry end: the newest line, or the line before another entry's start)
// and whether it is hidden.
func (v *View) entryEnding(s uint64) (e entry, hidden bool) {
	b := v.buf
	sl := b.slot(s)
	if !sl.Kind.membership() || v.opts.Joins == JoinsShow {
		return entry{s, s}, false
	}
	gs := sl.groupStart
	if gs < b.first {
		gs = b.first
	}
	return entry{gs, s}, v.opts.Joins == JoinsHide
}

// entryStarting returns the entry whose first line is seq s.
func (v *View) entryStarting(s uint64) (e entry, hidden bool) {
	b := v.buf
	sl := b.slot(s)
	if !sl.Kind.membership() || v.opts.Joins == JoinsShow {
		return entry{s, s}, false
	}
	gs := sl.groupStart
	if gs < b.first {
		gs = b.first
	}
	end := b.slot(gs).groupEnd
	if end < s {
		end = s
	}
	return entry{s, end}, v.opts.Joins == JoinsHide
}

// prev returns the visible entry before e.
func (v *View) prev(e entry) (entry, bool) {
	for e.start > v.buf.first {
		p, hidden := v.entryEnding(e.start - 1)
		if !hidden {
			return p, true
		}
		e = p
	}
	return entry{}, false
}

// next returns the visible entry after e.
func (v *View) next(e entry) (entry, bool) {
	for e.end+1 < v.buf.next {
		n, hidden := v.entryStarting(e.end + 1)
		if !hidden {
			return n, true
		}
		e = n
	}
	return entry{}, false
}

// newest returns the newest visible entry.
func (v *View) newest() (entry, bool) {
	b := v.buf
	if b.next == b.first {
		return entry{}, false
	}
	e, hidden := v.entryEnding(b.next - 1)
	if !hidden {
		return e, true
	}
	return v.prev(e)
}

// oldest returns the oldest visible entry.
func (v *View) oldest() (entry, bool) {
	b := v.buf
	if b.next == b.first {
		return entry{}, false
	}
	e, hidden := v.entryStarting(b.first)
	if !hidden {
		return e, true
	}
	return v.next(e)
}

// position returns the entry at the bottom of the window and how many of
// its rows are below the window; ok is false for an empty view.
func (v *View) position() (e entry, hidden int, ok bool) {
	if v.follow {
		e, ok = v.newest()
		return e, 0, ok
	}
	e, h := v.entryEnding(v.bottom)
	if h {
		if p, ok := v.prev(e); ok {
			return p, 0, true
		}
		e, ok = v.next(e)
		return e, 0, ok
	}
	return e, v.hidden, true
}

func (v *View) setPosition(e entry, hidden int) {
	v.follow, v.bottom, v.hidden = false, e.end, hidden
	v.epoch = v.buf.epoch
}

// ScrollBy moves the window n rows towards older lines (n > 0) or newer
// ones (n < 0), clamped at both ends. It costs O(|n| + height) rows.
func (v *View) ScrollBy(n int) {
	v.clamp()
	v.move(n)
}

// move is ScrollBy from the current position as it is, even one that
// clamp would change (a window not yet full above the bottom line).
func (v *View) move(n int) {
	e, hidden, ok := v.position()
	if !ok || n == 0 {
		return
	}
	if n > 0 {
		hidden += n
		for hidden >= v.rowCount(e) {
			p, ok := v.prev(e)
			if !ok {
				hidden = v.rowCount(e) - 1
				break
			}
			hidden -= v.rowCount(e)
			e = p
		}
		v.setPosition(e, hidden)
		v.clampTop()
		return
	}
	if v.follow {
		return
	}
	hidden += n
	for hidden < 0 {
		nx, ok := v.next(e)
		if !ok {
			v.follow = true
			return
		}
		e = nx
		hidden += v.rowCount(e)
	}
	v.setPosition(e, hidden)
	if hidden == 0 {
		if _, ok := v.next(e); !ok {
			v.follow = true
		}
	}
}

// PageUp scrolls one window up, keeping one row of context.
func (v *View) PageUp() { v.ScrollBy(max(1, v.height-1)) }

// PageDown scrolls one window down, keeping one row of context.
func (v *View) PageDown() { v.ScrollBy(-max(1, v.height-1)) }

// End goes to the newest line and follows new lines again.
func (v *View) End() { v.follow = true }

// Home shows the oldest kept line at the top of the window. It costs
// O(height) rows.
func (v *View) Home() {
	e, ok := v.oldest()
	if !ok {
		v.follow = true
		return
	}
	total := v.rowCount(e)
	for total < v.height {
		nx, ok := v.next(e)
		if !ok {
			v.follow = true
			return
		}
		e = nx
		total += v.rowCount(e)
	}
	v.setPosition(e, total-v.height)
	if total == v.height {
		if _, ok := v.next(e); !ok {
			v.follow = true
		}
	}
}

// ScrollTo brings line index (a Buffer index, e.g. from Find) into the
// middle of the window (or as near as the ends allow): its first row goes
// to the middle row, or higher when that leaves the rest of a wrapped line
// below the window. The hit's place is counted in rows, from the hit
// itself; clamping comes last, so a hit near the oldest line is shown
// with the oldest line at the top rather than pushed off by the clamp.
func (v *View) ScrollTo(index int) {
	b := v.buf
	if index < 0 || index >= b.Len() {
		return
	}
	v.clamp()
	seq := b.first + uint64(index)
	e, hidden := v.entryStarting(seq)
	if sl := b.slot(seq); sl.Kind.membership() && v.opts.Joins != JoinsShow {
		// seq may be inside a group: use the whole group.
		gs := sl.groupStart
		if gs < b.first {
			gs = b.first
		}
		e, hidden = v.entryStarting(gs)
	}
	if hidden {
		if p, ok := v.prev(e); ok {
			e = p
		} else if nx, ok := v.next(e); ok {
			e = nx
		} else {
			return
		}
	}
	if v.height < 1 {
		v.setPosition(e, 0)
		return
	}
	// top is the window row the entry's first row goes to.
	n := v.rowCount(e)
	top := max(0, min(v.height-1-v.height/2, v.height-n))
	// The window's bottom row is first on the entry's first row, then
	// moved down to put that row at top.
	v.setPosition(e, n-1)
	v.move(-(v.height - 1 - top))
	if !v.follow {
		v.clampTop()
	}
}

// clamp repairs the position after lines were evicted, the width or the
// folding changed, or the window grew.
func (v *View) clamp() {
	b := v.buf
	if v.epoch != b.epoch {
		// Lines were renumbered: follow the bottom line to its new place.
		if !v.follow {
			if seq, ok := b.follow(v.bottom, v.epoch); ok {
				v.bottom = seq
			} else {
				v.bottom = b.first // position lost (Clear): clamped below
			}
		}
		v.epoch = b.epoch
	}
	if v.follow {
		return
	}
	if v.bottom < b.first || v.bottom >= b.next {
		v.Home()
		return
	}
	e, hidden, ok := v.position()
	if !ok {
		v.follow = true
		return
	}
	if e.end != v.bottom {
		// The bottom line became part of a fold group or hidden.
		hidden = 0
	}
	if e2, h := v.entryStarting(e.start); !h && e2.end > e.end {
		e = e2 // the fold group grew since we anchored on it
	}
	if n := v.rowCount(e); hidden >= n {
		hidden = n - 1
	}
	v.setPosition(e, hidden)
	v.clampTop()
}

// clampTop makes sure the window is full: if there are fewer than height
// rows above the bottom position, it shows the oldest line at the top.
func (v *View) clampTop() {
	e, hidden, ok := v.position()
	if !ok || v.follow {
		return
	}
	total := v.rowCount(e) - hidden
	for total < v.height {
		p, ok := v.prev(e)
		if !ok {
			v.Home()
			return
		}
		e = p
		total += v.rowCount(e)
	}
}

// AtTop reports whether the oldest kept line is entirely in the window:
// scrolling further up shows nothing more, which is when the root model
// asks the server for older history. It costs O(height) rows.
func (v *View) AtTop() bool {
	v.clamp()
	e, hidden, ok := v.position()
	if !ok {
		return true
	}
	total := v.rowCount(e) - hidden
	for total <= v.height {
		p, ok := v.prev(e)
		if !ok {
			return true
		}
		e = p
		total += v.rowCount(e)
	}
	return false
}
