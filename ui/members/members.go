// Package members keeps a channel's member list sorted the way a nick list
// is read: by the highest prefix (owner, admin, op, halfop, voice, as the
// network's PREFIX orders them), then by casefolded nick. It also renders
// the visible part of the list as the right-hand panel.
//
// A List is owned by the Bubble Tea goroutine, like the scrollback; it is
// not safe for concurrent use. It never imports net/: the root model turns
// Names/Join/Part/Mode events into calls here.
package members

import (
	"sort"
	"strings"
)

// Member is one nick in a channel, with the prefix characters it holds
// (highest first) and its away state.
type Member struct {
	Nick     string
	Prefixes string
	Away     bool
}

// List is a sorted member list.
type List struct {
	members []Member
	keys    []string // fold(nick), parallel to members
	rank    string   // prefix characters, highest first
	fold    func(string) string
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
	return &List{rank: rank, fold: fold}
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
	l.rank, l.fold = rank, fold
	l.Set(l.members)
}

// Len is the number of members.
func (l *List) Len() int { return len(l.members) }

// At returns member i in display order.
func (l *List) At(i int) Member { return l.members[i] }

// Set replaces the whole list (RPL_NAMREPLY finished).
func (l *List) Set(ms []Member) {
	cp := make([]Member, len(ms))
	copy(cp, ms)
	for i := range cp {
		cp[i].Prefixes = l.normalise(cp[i].Prefixes)
	}
	keys := make([]string, len(cp))
	for i, m := range cp {
		keys[i] = l.fold(m.Nick)
	}
	idx := make([]int, len(cp))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		return l.less(cp[idx[a]], keys[idx[a]], cp[idx[b]], keys[idx[b]])
	})
	l.members = make([]Member, 0, len(cp))
	l.keys = make([]string, 0, len(cp))
	seen := make(map[string]bool, len(cp))
	for _, i := range idx {
		if seen[keys[i]] {
			continue
		}
		seen[keys[i]] = true
		l.members = append(l.members, cp[i])
		l.keys = append(l.keys, keys[i])
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

func (l *List) less(a Member, ak string, b Member, bk string) bool {
	ra, rb := l.rankOf(a), l.rankOf(b)
	if ra != rb {
		return ra < rb
	}
	return ak < bk
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

// find returns the index of nick, or -1.
func (l *List) find(nick string) int {
	k := l.fold(nick)
	for i, key := range l.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Has reports whether nick is in the list.
func (l *List) Has(nick string) bool { return l.find(nick) >= 0 }

// Get returns the member called nick.
func (l *List) Get(nick string) (Member, bool) {
	if i := l.find(nick); i >= 0 {
		return l.members[i], true
	}
	return Member{}, false
}

// Add inserts m at its sorted place, replacing a member of the same nick.
func (l *List) Add(m Member) {
	l.Remove(m.Nick)
	m.Prefixes = l.normalise(m.Prefixes)
	k := l.fold(m.Nick)
	i := sort.Search(len(l.members), func(i int) bool { return l.less(m, k, l.members[i], l.keys[i]) })
	l.members = append(l.members, Member{})
	copy(l.members[i+1:], l.members[i:])
	l.members[i] = m
	l.keys = append(l.keys, "")
	copy(l.keys[i+1:], l.keys[i:])
	l.keys[i] = k
}

// Remove deletes nick and reports whether it was there.
func (l *List) Remove(nick string) bool {
	i := l.find(nick)
	if i < 0 {
		return false
	}
	l.members = append(l.members[:i], l.members[i+1:]...)
	l.keys = append(l.keys[:i], l.keys[i+1:]...)
	return true
}

// Rename changes old's nick to new, keeping prefixes and away state.
func (l *List) Rename(old, new string) bool {
	i := l.find(old)
	if i < 0 {
		return false
	}
	m := l.members[i]
	l.Remove(old)
	m.Nick = new
	l.Add(m)
	return true
}

// SetPrefix adds (on) or removes a prefix character of nick (a +o/-v mode
// change), re-sorting it.
func (l *List) SetPrefix(nick string, prefix byte, on bool) bool {
	i := l.find(nick)
	if i < 0 {
		return false
	}
	m := l.members[i]
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
	i := l.find(nick)
	if i < 0 {
		return false
	}
	l.members[i].Away = away
	return true
}

// Nicks returns the nicks in display order (for completion).
func (l *List) Nicks() []string {
	out := make([]string, len(l.members))
	for i, m := range l.members {
		out[i] = m.Nick
	}
	return out
}
