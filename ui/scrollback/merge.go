package scrollback

import (
	"sort"
	"time"
)

// Merge inserts history lines (chathistory, a bouncer's playback) among
// the kept lines in time order and returns how many it added. A line whose
// MsgID is already kept, or appears twice in lines, is skipped; so is a
// message without a MsgID when a kept message (or an earlier one in lines)
// has the same time, nick and text — servers without msgids replay lines
// identically, and chathistory asks for no duplicates "by msgid, else by
// time+sender+text". At equal times kept lines come first; a kept line
// without a time stays after the line it followed. The oldest lines are
// dropped if the limit is exceeded.
//
// Lines newer than every kept line are simply appended. Otherwise Merge
// rebuilds the ring — O(Len()+len(lines)), so it is meant for pages of
// history, not live traffic — recomputing day separators, fold groups and
// the LocalID/msgid indexes; the unread marker stays above the same line
// (or at the end, when nothing was below it yet), and a View keeps showing
// the same lines.
func (b *Buffer) Merge(lines []Line) int {
	in := b.fresh(lines)
	b.insert(in)
	return len(in)
}

// MergeGap is Merge for lines that fill a gap (the time we were
// disconnected): when it adds any, it also inserts a Gap line labelled
// label(added) right before the oldest added line, so the reader sees
// where the missed lines start. It returns the number of lines added (the
// Gap line not counted) and the index of the Gap line, or -1 when nothing
// was added (then no Gap line either, so a page replayed twice leaves no
// trace).
func (b *Buffer) MergeGap(lines []Line, label func(added int) string) (added, gap int) {
	in := b.fresh(lines)
	if len(in) == 0 {
		return 0, -1
	}
	g := Line{Time: in[0].Time, Kind: Gap, Text: label(len(in))}
	seq := b.insert(append([]Line{g}, in...))
	if seq < b.first || seq >= b.next {
		return len(in), -1 // dropped at once: older than a full buffer keeps
	}
	return len(in), int(seq - b.first)
}

// dupKey identifies a message by time, sender and text, for dropping
// replayed lines that lack a msgid on one side.
type dupKey struct {
	t          int64
	kind       Kind
	nick, text string
}

func keyOf(l *Line) (dupKey, bool) {
	if l.Time.IsZero() || (l.Kind != Message && l.Kind != Action && l.Kind != Notice) {
		return dupKey{}, false
	}
	return dupKey{l.Time.UnixNano(), l.Kind, l.Nick, l.Text}, true
}

// fresh returns the lines of a history page that are not already kept, in
// time order (stable).
func (b *Buffer) fresh(lines []Line) []Line {
	in := make([]Line, 0, len(lines))
	seen := make(map[string]bool)
	// keys maps the messages kept and taken so far to whether they carry
	// a msgid: a line without one matches any, a line with one only
	// those without (two msgids differ: two messages). Built lazily.
	var keys map[dupKey]bool
	for _, l := range lines {
		if l.Kind == DaySeparator {
			continue
		}
		if l.MsgID != "" && (b.HasMsgID(l.MsgID) || seen[l.MsgID]) {
			continue
		}
		if k, ok := keyOf(&l); ok {
			if keys == nil {
				keys = make(map[dupKey]bool)
				for s := b.first; s < b.next; s++ {
					if kk, ok := keyOf(&b.slot(s).Line); ok {
						keys[kk] = keys[kk] || b.slot(s).MsgID != ""
					}
				}
			}
			if hasID, dup := keys[k]; dup && (l.MsgID == "" || !hasID) {
				continue
			}
			keys[k] = keys[k] || l.MsgID != ""
		}
		if l.MsgID != "" {
			seen[l.MsgID] = true
		}
		in = append(in, l)
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].Time.Before(in[j].Time) })
	return in
}

// insert places in (sorted, deduplicated) among the kept lines and returns
// the seq in[0] got (meaningless when in is empty).
func (b *Buffer) insert(in []Line) (firstSeq uint64) {
	if len(in) == 0 {
		return 0
	}
	if last, ok := b.lastDated(); !ok || !in[0].Time.Before(last) {
		for i, l := range in {
			b.Append(l)
			if i == 0 {
				firstSeq = b.next - 1
			}
		}
		return firstSeq
	}

	type kept struct {
		Line
		seq uint64
	}
	old := make([]kept, 0, b.Len())
	for s := b.first; s < b.next; s++ {
		if sl := b.slot(s); sl.Kind != DaySeparator {
			old = append(old, kept{sl.Line, s})
		}
	}
	oldFirst, oldLen := b.first, b.Len()
	unread, hadUnread := b.unread, b.hasUnread
	const unset = ^uint64(0)
	newSeq := make([]uint64, oldLen)
	for i := range newSeq {
		newSeq[i] = unset
	}
	markerSet := false

	b.reset()
	j := 0
	add := func() {
		b.Append(in[j])
		if j == 0 {
			firstSeq = b.next - 1
		}
		j++
	}
	for _, o := range old {
		for j < len(in) && !o.Time.IsZero() && in[j].Time.Before(o.Time) {
			add()
		}
		if hadUnread && !markerSet && o.seq >= unread {
			b.MarkUnread()
			markerSet = true
		}
		b.Append(o.Line)
		newSeq[o.seq-oldFirst] = b.next - 1
	}
	if hadUnread && !markerSet {
		// Nothing was below the marker yet: it stays after the newest
		// kept line, above history newer than all of them.
		b.MarkUnread()
	}
	for j < len(in) {
		add()
	}
	// An old day separator maps to the line it preceded.
	for i := len(newSeq) - 1; i >= 0; i-- {
		if newSeq[i] == unset {
			if i+1 < len(newSeq) {
				newSeq[i] = newSeq[i+1]
			} else {
				newSeq[i] = b.next - 1
			}
		}
	}
	b.epoch++
	b.moves = append(b.moves, &remap{epoch: b.epoch, oldFirst: oldFirst, newSeq: newSeq})
	if len(b.moves) > maxMoves {
		b.moves = append(b.moves[:0], b.moves[len(b.moves)-maxMoves:]...)
	}
	return firstSeq
}

// maxMoves bounds the rebuilds remembered for views that have not been
// drawn since (a buffer in the background may take several history pages
// before it is shown again).
const maxMoves = 16

// lastDated returns the time of the newest line that has one.
func (b *Buffer) lastDated() (t time.Time, ok bool) {
	for s := b.next; s > b.first; s-- {
		if l := &b.slot(s - 1).Line; !l.Time.IsZero() {
			return l.Time, true
		}
	}
	return time.Time{}, false
}

// remap records where the lines of the previous epoch went in a rebuild,
// so a View can keep its position across Merge.
type remap struct {
	epoch    uint64
	oldFirst uint64
	newSeq   []uint64 // indexed by old seq - oldFirst
}

// translate maps a seq of epoch-1 to the current epoch.
func (r *remap) translate(seq uint64) (uint64, bool) {
	if seq < r.oldFirst || seq-r.oldFirst >= uint64(len(r.newSeq)) {
		return 0, false
	}
	return r.newSeq[seq-r.oldFirst], true
}

// follow maps seq of epoch from to the current epoch through the
// remembered rebuilds; false when the chain is broken (a Clear, or more
// rebuilds than are remembered).
func (b *Buffer) follow(seq, from uint64) (uint64, bool) {
	for e := from + 1; e <= b.epoch; e++ {
		var r *remap
		for _, m := range b.moves {
			if m.epoch == e {
				r = m
				break
			}
		}
		if r == nil {
			return 0, false
		}
		var ok bool
		if seq, ok = r.translate(seq); !ok {
			return 0, false
		}
	}
	return seq, true
}
