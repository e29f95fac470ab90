// Package members keeps a channel's member list sorted the way a nick list
// is read: by the highest prefix (owner, admin, op, halfop, voice, as the
// network's PREFIX orders them), then by casefolded nick. It also renders
// the visible part of the list as the right-hand panel.
//
// A List is owned by the Bubble Tea goroutine, like the scrollback; it is
// not safe for concurrent use. It never imports net/: the root model turns
// Names/Join/Part/Mode events into calls here.
//
// Membership changes cost the same in a channel of ten and of a hundred
// thousand: members are found through a map keyed by the folded nick, and
// the display order is brought up to date only when it is read (At, Nicks,
// Render), by sorting what changed since and placing it by binary search,
// or when many changes wait (so a list never drawn stays bounded).
package members

import (
	"cmp"
	"slices"
	"strings"
)

// Member is one nick in a channel, with the prefix characters it holds
// (highest first), its away state and the account it is logged in as
// ("" when unknown or logged out).
type Member struct {
	Nick     string
	Prefixes string
	Away     bool
	Account  string
}

// entry is a member as the list keeps it. The display order depends only
// on rank and key, so an entry whose rank stays is updated in place; one
// whose rank changes is retired (dead) and a new entry takes its place.
type entry struct {
	Member
	key    string // fold(Nick); the same string as Nick when they are equal
	rank   uint8  // rankOf(Member)
	dead   bool   // removed or replaced; dropped at the next merge
	merged bool   // in sorted (else in added)
}

// entryOf is the entry of m. The nick is copied: the caller's is often a
// slice of the whole line it arrived in, which would stay in memory with
// it, for each of possibly a hundred thousand members.
func (l *List) entryOf(m Member) entry {
	m.Prefixes = l.normalise(m.Prefixes)
	m.Nick = strings.Clone(m.Nick)
	k := l.fold(m.Nick)
	if k == m.Nick {
		k = m.Nick
	}
	return entry{Member: m, key: k, rank: uint8(min(l.rankOf(m), 255))}
}

// List is a member list, looked up by nick in O(1) and read in display
// order.
type List struct {
	byKey  map[string]*entry // live entries by folded nick
	sorted []*entry          // display order as of the last merge; may hold dead entries
	added  []*entry          // entries since the last merge, unsorted; may hold dead ones
	gone   []*entry          // dead entries still in sorted
	rank   string            // prefix characters, highest first
	fold   func(string) string
	capped bool // the channel has more members than the list (SetCapped)
}

// DefaultPrefixes is the PREFIX order assumed until the network says.
const DefaultPrefixes = "~&@%+"

// New returns an empty list. rank is the network's prefix characters,
// highest first ("" means DefaultPrefixes); fold is its casemapping (nil:
// ASCII lower case).
func New(rank string, fold func(string) string) *List {
	if rank == "" {
		rank = DefaultPrefixes
	}
	if fold == nil {
		fold = strings.ToLower
	}
	return &List{rank: rank, fold: fold, byKey: make(map[string]*entry)}
}

// SetCasemap changes the prefix order and casemapping (after ISUPPORT) and
// re-sorts.
func (l *List) SetCasemap(rank string, fold func(string) string) {
	if rank == "" {
		rank = DefaultPrefixes
	}
	if fold == nil {
		fold = strings.ToLower
	}
	l.merge()
	ms := make([]Member, len(l.sorted))
	for i, e := range l.sorted {
		ms[i] = e.Member
	}
	l.rank, l.fold = rank, fold
	capped := l.capped
	l.Set(ms)
	l.capped = capped
}

// Len is the number of members.
func (l *List) Len() int { return len(l.byKey) }

// At returns member i in display order.
func (l *List) At(i int) Member {
	l.merge()
	return l.sorted[i].Member
}

// SetCapped says whether the channel has more members than the list holds:
// whoever keeps the members (the session) tracks a bounded number per
// channel, and the list shows exactly those. Set clears it.
func (l *List) SetCapped(capped bool) { l.capped = capped }

// Capped reports what SetCapped said last.
func (l *List) Capped() bool { return l.capped }

// Set replaces the whole list (RPL_NAMREPLY finished) and clears Capped.
// Of two members with the same folded nick the one sorted first stays.
func (l *List) Set(ms []Member) {
	l.capped = false
	es := make([]entry, len(ms)) // one allocation for the whole list
	for i, m := range ms {
		es[i] = l.entryOf(m)
	}
	sorted := make([]*entry, len(es))
	for i := range es {
		sorted[i] = &es[i]
	}
	slices.SortStableFunc(sorted, compare)
	l.byKey = make(map[string]*entry, len(es))
	l.sorted = sorted[:0]
	for _, e := range sorted {
		if l.byKey[e.key] != nil {
			continue
		}
		l.byKey[e.key] = e
		l.sorted = append(l.sorted, e)
	}
	for _, e := range l.sorted {
		e.merged = true
	}
	l.added, l.gone = nil, nil
}

// compare is the display order: by rank, then by folded nick.
func compare(a, b *entry) int {
	if c := cmp.Compare(a.rank, b.rank); c != 0 {
		return c
	}
	return strings.Compare(a.key, b.key)
}

// merge brings sorted up to date: the entries retired since are cut out
// and those added since are sorted and merged in. Each is placed by
// binary search and the rest moved with copy, so a merge costs
// O(k log n) comparisons for k changes plus one memmove of the list,
// never a pass that touches every member.
func (l *List) merge() {
	if len(l.added) == 0 && len(l.gone) == 0 {
		return
	}
	if len(l.gone) > 0 {
		slices.SortFunc(l.gone, compare)
		out, from := 0, 0
		for _, g := range l.gone {
			i, ok := slices.BinarySearchFunc(l.sorted, g, compare)
			if !ok || l.sorted[i] != g || i < from {
				continue // not there: cannot happen, as entries in sorted are unique
			}
			out += copy(l.sorted[out:], l.sorted[from:i])
			from = i + 1
		}
		out += copy(l.sorted[out:], l.sorted[from:])
		clear(l.sorted[out:])
		l.sorted = l.sorted[:out]
		clear(l.gone)
		l.gone = l.gone[:0]
	}
	add := l.added[:0]
	for _, e := range l.added {
		if !e.dead {
			e.merged = true
			add = append(add, e)
		}
	}
	clear(l.added[len(add):])
	l.added = l.added[:0]
	if len(add) == 0 {
		return
	}
	slices.SortFunc(add, compare)
	// Merge from the back, in place: the tail of sorted moves right by
	// the number of added entries that sort before it.
	n := len(l.sorted)
	l.sorted = slices.Grow(l.sorted, len(add))[:n+len(add)]
	end := n // sorted[:end] is what is left to place
	for j := len(add) - 1; j >= 0; j-- {
		i, _ := slices.BinarySearchFunc(l.sorted[:end], add[j], compare)
		copy(l.sorted[i+j+1:], l.sorted[i:end])
		l.sorted[i+j] = add[j]
		end = i
	}
	clear(add)
}

// changed notes an addition or a retirement; pending changes are merged
// once there are many of them, so a list that is never read stays
// bounded and each change costs O(log n) amortised.
func (l *List) changed() {
	if pending := len(l.added) + len(l.gone); pending > 1024 && pending > len(l.byKey)/16 {
		l.merge()
	}
}

// retire marks e as no longer in the list.
func (l *List) retire(e *entry) {
	e.dead = true
	if e.merged {
		l.gone = append(l.gone, e)
	}
}

// rankOf is the position of m's highest prefix in the order, len(rank) for
// none.
func (l *List) rankOf(m Member) int {
	if m.Prefixes == "" {
		return len(l.rank)
	}
	if i := strings.IndexByte(l.rank, m.Prefixes[0]); i >= 0 {
		return i
	}
	return len(l.rank)
}

// normalise orders prefix characters highest first and drops unknown ones.
func (l *List) normalise(p string) string {
	if len(p) <= 1 {
		if p != "" && strings.IndexByte(l.rank, p[0]) < 0 {
			return ""
		}
		return p
	}
	var b strings.Builder
	for i := 0; i < len(l.rank); i++ {
		if strings.IndexByte(p, l.rank[i]) >= 0 {
			b.WriteByte(l.rank[i])
		}
	}
	return b.String()
}

// Has reports whether nick is in the list.
func (l *List) Has(nick string) bool { return l.byKey[l.fold(nick)] != nil }

// Get returns the member called nick.
func (l *List) Get(nick string) (Member, bool) {
	if e := l.byKey[l.fold(nick)]; e != nil {
		return e.Member, true
	}
	return Member{}, false
}

// Add puts m at its sorted place, replacing a member of the same nick.
func (l *List) Add(m Member) {
	ne := l.entryOf(m)
	if e := l.byKey[ne.key]; e != nil {
		if e.rank == ne.rank {
			e.Member = ne.Member // same place in the order
			return
		}
		l.retire(e)
	}
	e := &ne
	l.byKey[e.key] = e
	l.added = append(l.added, e)
	l.changed()
}

// Remove deletes nick and reports whether it was there.
func (l *List) Remove(nick string) bool {
	k := l.fold(nick)
	e := l.byKey[k]
	if e == nil {
		return false
	}
	delete(l.byKey, k)
	l.retire(e)
	l.changed()
	return true
}

// Rename changes old's nick to new, keeping prefixes and away state.
func (l *List) Rename(old, new string) bool {
	e := l.byKey[l.fold(old)]
	if e == nil {
		return false
	}
	m := e.Member
	l.Remove(old)
	m.Nick = new
	l.Add(m)
	return true
}

// SetPrefix adds (on) or removes a prefix character of nick (a +o/-v mode
// change), re-sorting it.
func (l *List) SetPrefix(nick string, prefix byte, on bool) bool {
	e := l.byKey[l.fold(nick)]
	if e == nil {
		return false
	}
	m := e.Member
	has := strings.IndexByte(m.Prefixes, prefix) >= 0
	switch {
	case on && !has:
		m.Prefixes += string(prefix)
	case !on && has:
		m.Prefixes = strings.ReplaceAll(m.Prefixes, string(prefix), "")
	default:
		return true
	}
	l.Add(m)
	return true
}

// SetAway records nick's away state.
func (l *List) SetAway(nick string, away bool) bool {
	e := l.byKey[l.fold(nick)]
	if e == nil {
		return false
	}
	e.Away = away
	return true
}

// SetAccount records the account nick is logged in as ("" logged out).
func (l *List) SetAccount(nick, account string) bool {
	e := l.byKey[l.fold(nick)]
	if e == nil {
		return false
	}
	e.Account = strings.Clone(account)
	return true
}

// Nicks returns the nicks in display order (for completion).
func (l *List) Nicks() []string {
	l.merge()
	out := make([]string, len(l.sorted))
	for i, e := range l.sorted {
		out[i] = e.Nick
	}
	return out
}
