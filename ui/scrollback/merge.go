package scrollback

import (
	"sort"
	"time"
)

// Merge inserts history lines (chathistory, a bouncer's playback) among
// the kept lines in time order and returns how many it added. A line whose
// MsgID is already kept, or appears twice in lines, is skipped. At equal
// times kept lines come first; a kept line without a time stays after the
// line it followed. The oldest lines are dropped if the limit is exceeded.
//
// Lines newer than every kept line are simply appended. Otherwise Merge
// rebuilds the ring — O(Len()+len(lines)), so it is meant for pages of
// history, not live traffic — recomputing day separators, fold groups and
// the LocalID/msgid indexes; the unread marker stays above the same line,
// and a View keeps showing the same lines.
func (b *Buffer) Merge(lines []Line) int {
	in := make([]Line, 0, len(lines))
	seen := make(map[string]bool)
	for _, l := range lines {
		if l.Kind == DaySeparator {
			continue
		}
		if l.MsgID != "" {
			if b.HasMsgID(l.MsgID) || seen[l.MsgID] {
				continue
			}
			seen[l.MsgID] = true
		}
		in = append(in, l)
	}
	if len(in) == 0 {
		return 0
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].Time.Before(in[j].Time) })

	if last, ok := b.lastDated(); !ok || !in[0].Time.Before(last) {
		for _, l := range in {
			b.Append(l)
		}
		return len(in)
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
	unread, hadUnread := b.unread, b.hasUnread && b.unread < b.next
	const unset = ^uint64(0)
	newSeq := make([]uint64, oldLen)
	for i := range newSeq {
		newSeq[i] = unset
	}
	markerSet := false

	b.reset()
	j := 0
	for _, o := range old {
		for j < len(in) && !o.Time.IsZero() && in[j].Time.Before(o.Time) {
			b.Append(in[j])
			j++
		}
		if hadUnread && !markerSet && o.seq >= unread {
			b.MarkUnread()
			markerSet = true
		}
		b.Append(o.Line)
		newSeq[o.seq-oldFirst] = b.next - 1
	}
	for ; j < len(in); j++ {
		b.Append(in[j])
	}
	if hadUnread && !markerSet {
		b.MarkUnread()
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
	b.moved = &remap{epoch: b.epoch, oldFirst: oldFirst, newSeq: newSeq}
	return len(in)
}

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
