package scrollback

import "time"

// DefaultLimit is the number of lines a buffer keeps when the configuration
// does not say.
const DefaultLimit = 10000

// maxFold bounds a folded group so that one display line never summarises
// an unbounded number of lines.
const maxFold = 256

// slot is one ring entry: the line plus what the View needs to find fold
// groups in O(1) and to reuse the line's rendering.
type slot struct {
	Line
	// groupStart is the seq of the first line of the fold group this
	// membership line belongs to; groupEnd, valid on that first line, the
	// seq of the last.
	groupStart, groupEnd uint64
	// rows is the rendered, wrapped form of the display entry ending at
	// this line, valid while key matches the View's.
	rows []string
	key  cacheKey
}

type cacheKey struct {
	gen   uint64 // View generation (width, styles, options)
	start uint64 // first seq of the entry (a fold group may lose its head)
}

// Buffer is a bounded ring of lines. Lines are addressed by index, 0 being
// the oldest kept line and Len()-1 the newest; when the ring is full, Append
// drops the oldest line, so indexes shift by one.
type Buffer struct {
	limit int
	slots []slot
	first uint64 // seq of the oldest kept line
	next  uint64 // seq the next appended line gets
	loc   *time.Location

	// day is the date of the newest line, [dayStart, dayEnd) in Unix
	// seconds, so most appends skip the calendar arithmetic.
	dayStart, dayEnd int64
	hasDay           bool

	byLocalID map[uint64]uint64 // LocalID -> seq, for lines still kept
	byMsgID   map[string]uint64 // MsgID -> seq, for lines still kept
	unread    uint64            // seq of the first unread line; valid if hasUnread
	hasUnread bool

	// epoch changes whenever seqs are renumbered (Merge, Clear); moves
	// maps the seqs of the last few epochs to the next one after each
	// Merge rebuild (a Clear forgets them: positions are lost).
	epoch uint64
	moves []*remap
}

// New returns an empty buffer keeping at most limit lines (DefaultLimit if
// limit <= 0). Day separators use the local time zone; see SetLocation.
func New(limit int) *Buffer {
	if limit <= 0 {
		limit = DefaultLimit
	}
	return &Buffer{limit: limit, loc: time.Local, byLocalID: make(map[uint64]uint64), byMsgID: make(map[string]uint64)}
}

// SetLocation sets the time zone that decides where a day ends (tests use
// UTC). Call it before appending.
func (b *Buffer) SetLocation(loc *time.Location) {
	if loc == nil {
		loc = time.Local
	}
	b.loc = loc
	b.hasDay = false
}

// Limit is the most lines the buffer keeps.
func (b *Buffer) Limit() int { return b.limit }

// Len is the number of lines kept.
func (b *Buffer) Len() int { return int(b.next - b.first) }

// Line returns line i (0 = oldest). It panics when i is out of range, like
// a slice index.
func (b *Buffer) Line(i int) Line {
	if i < 0 || i >= b.Len() {
		panic("scrollback: line index out of range")
	}
	return b.slot(b.first + uint64(i)).Line
}

func (b *Buffer) slot(seq uint64) *slot { return &b.slots[seq%uint64(b.limit)] }

// Append adds l as the newest line, first inserting a DaySeparator line
// when l's date differs from the previous line's. It costs O(1) and does
// not allocate once the ring is full (except for the LocalID index).
func (b *Buffer) Append(l Line) {
	if !l.Time.IsZero() && l.Kind != DaySeparator {
		if b.newDay(l.Time) {
			b.push(Line{Time: l.Time, Kind: DaySeparator})
		}
	}
	b.push(l)
}

// newDay records t's day and reports whether it differs from the day of
// the previous dated line (the first dated line starts no separator).
func (b *Buffer) newDay(t time.Time) bool {
	u := t.Unix()
	if b.hasDay && u >= b.dayStart && u < b.dayEnd {
		return false
	}
	had := b.hasDay
	tl := t.In(b.loc)
	y, m, d := tl.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, b.loc)
	b.dayStart, b.dayEnd = start.Unix(), start.AddDate(0, 0, 1).Unix()
	b.hasDay = true
	return had
}

func (b *Buffer) push(l Line) {
	seq := b.next
	if b.Len() == b.limit {
		b.evict()
	}
	var s *slot
	if len(b.slots) < b.limit {
		b.slots = append(b.slots, slot{})
		s = &b.slots[len(b.slots)-1]
	} else {
		s = b.slot(seq)
		*s = slot{}
	}
	s.Line = l
	s.groupStart, s.groupEnd = seq, seq
	if l.Kind.membership() && seq > b.first {
		prev := b.slot(seq - 1)
		if prev.Kind.membership() && !(b.hasUnread && b.unread == seq) {
			gs := prev.groupStart
			if gs < b.first {
				gs = b.first
			}
			if seq-gs < maxFold {
				s.groupStart = gs
				b.slot(gs).groupEnd = seq
			}
		}
	}
	if l.LocalID != 0 {
		b.byLocalID[l.LocalID] = seq
	}
	if l.MsgID != "" {
		b.byMsgID[l.MsgID] = seq
	}
	b.next++
}

// evict drops the oldest line, handing its fold-group bookkeeping to the
// next line so the group stays findable.
func (b *Buffer) evict() {
	old := b.slot(b.first)
	if old.LocalID != 0 {
		if seq, ok := b.byLocalID[old.LocalID]; ok && seq == b.first {
			delete(b.byLocalID, old.LocalID)
		}
	}
	if old.MsgID != "" {
		if seq, ok := b.byMsgID[old.MsgID]; ok && seq == b.first {
			delete(b.byMsgID, old.MsgID)
		}
	}
	if old.Kind.membership() && old.groupStart == b.first && old.groupEnd > b.first {
		b.slot(b.first + 1).groupEnd = old.groupEnd
	}
	b.first++
	if b.hasUnread && b.unread < b.first {
		b.unread = b.first
	}
}

// Update applies f to the kept line whose LocalID is id and reports whether
// there was one. Use it to clear Pending when the line is delivered, or to
// set Failed, or to record the msgid the server gave our line (the msgid
// index follows). The line's cached rendering is dropped.
func (b *Buffer) Update(id uint64, f func(*Line)) bool {
	if id == 0 {
		return false
	}
	seq, ok := b.byLocalID[id]
	if !ok || seq < b.first {
		return false
	}
	b.updateSeq(seq, f)
	return true
}

// IndexOfLocalID returns the index of the newest kept line whose LocalID is
// id. A text the session split into several lines has one LocalID on each
// of them; the root model scans back from here (UpdateAt) to reach them all.
func (b *Buffer) IndexOfLocalID(id uint64) (index int, ok bool) {
	if id == 0 {
		return 0, false
	}
	seq, ok := b.byLocalID[id]
	if !ok || seq < b.first {
		return 0, false
	}
	return int(seq - b.first), true
}

// UpdateAt applies f to line i (0 = oldest) like Update does: the LocalID
// is kept, the msgid index follows, the cached rendering is dropped. It
// panics when i is out of range, like Line.
func (b *Buffer) UpdateAt(i int, f func(*Line)) {
	if i < 0 || i >= b.Len() {
		panic("scrollback: line index out of range")
	}
	b.updateSeq(b.first+uint64(i), f)
}

func (b *Buffer) updateSeq(seq uint64, f func(*Line)) {
	s := b.slot(seq)
	id := s.LocalID
	oldMsgID := s.MsgID
	f(&s.Line)
	s.LocalID = id // the id is the key; f may not change it
	if s.MsgID != oldMsgID {
		if cur, ok := b.byMsgID[oldMsgID]; ok && cur == seq {
			delete(b.byMsgID, oldMsgID)
		}
		if s.MsgID != "" {
			b.byMsgID[s.MsgID] = seq
		}
	}
	s.key = cacheKey{}
}

// Delivered clears Pending on our line id; false if the line is gone.
func (b *Buffer) Delivered(id uint64) bool {
	return b.Update(id, func(l *Line) { l.Pending = false })
}

// Failed marks our line id as never to be delivered.
func (b *Buffer) Failed(id uint64) bool {
	return b.Update(id, func(l *Line) { l.Pending, l.Failed = false, true })
}

// MarkUnread puts the unread marker after the newest line: lines appended
// from now on are drawn below a "new messages" rule. The root model calls it
// when the user leaves the buffer.
func (b *Buffer) MarkUnread() {
	b.unread, b.hasUnread = b.next, true
}

// MarkUnreadAt puts the unread marker above line i (0 = oldest), e.g.
// above history merged into a buffer the user was not looking at. It
// panics when i is out of range, like Line.
func (b *Buffer) MarkUnreadAt(i int) {
	if i < 0 || i >= b.Len() {
		panic("scrollback: line index out of range")
	}
	b.unread, b.hasUnread = b.first+uint64(i), true
}

// ClearUnread removes the unread marker.
func (b *Buffer) ClearUnread() { b.hasUnread = false }

// Unread returns the index of the first line below the unread marker; ok is
// false when there is no marker or no line below it yet.
func (b *Buffer) Unread() (index int, ok bool) {
	if !b.hasUnread || b.unread >= b.next {
		return 0, false
	}
	return int(b.unread - b.first), true
}

// Clear drops every line (e.g. /clear), keeping the limit and time zone.
func (b *Buffer) Clear() {
	b.reset()
	b.epoch++
	b.moves = nil
}

// reset empties the ring and its indexes.
func (b *Buffer) reset() {
	b.slots = b.slots[:0]
	b.first, b.next = 0, 0
	b.hasDay, b.hasUnread = false, false
	clear(b.byLocalID)
	clear(b.byMsgID)
}

// HasMsgID reports whether a kept line carries the IRCv3 msgid id, so that
// a history page merged into the buffer (Merge, the UI's adoption of our
// own lines) places a line already shown instead of adding it again. It is
// not a filter of live messages: the session drops their duplicates.
func (b *Buffer) HasMsgID(id string) bool {
	if id == "" {
		return false
	}
	seq, ok := b.byMsgID[id]
	return ok && seq >= b.first
}
