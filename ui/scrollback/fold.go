package scrollback

import (
	"cmp"
	"slices"
	"strings"
)

// foldGroup is one clause of a folded line: the nicks that share a net
// change, and the verb that says it ("" for renames, whose names carry
// the arrow).
type foldGroup struct {
	verb  string
	names []foldName
	first uint64 // seq of the clause's first change: clauses read in the order things happened
}

// foldName is one nick of a clause; To is set for a rename.
type foldName struct{ Nick, To string }

// foldSummary reduces a run of join/part/quit/nick (and host, realname,
// account change) lines to one entry per
// nick with its net change, so that rejoins after reconnects, a netsplit
// and its rejoin, or a /cycle do not repeat a nick: "you joined", not
// "you, you, you joined". A nick is followed through renames; the states
// before and after the run decide the verb: absent -> present "joined",
// present -> absent "left"/"quit", absent -> absent "joined and left",
// present -> present "left and rejoined". A rename is its own clause
// ("bob → rob"), a chain of renames one arrow. Nicks compare
// case-insensitively (ASCII), which is what every casemapping agrees on.
func foldSummary(b *Buffer, start, end uint64) []*foldGroup {
	type record struct {
		nick, cur  string
		first      Kind // Join: absent before the run; anything else: present
		firstSeq   uint64
		last       Kind // last Join/Part/Quit; Nick when there was none
		leave      Kind // first Part/Quit, for "left and rejoined"
		renamedSeq uint64
		renamed    bool
		// Changes that keep the nick where it is (CHGHOST, SETNAME,
		// account-notify): the seq of the first of each kind, 0 for none.
		changed map[Kind]uint64
	}
	var recs []*record
	byNick := make(map[string]*record)
	get := func(nick string, k Kind, s uint64) *record {
		key := strings.ToLower(nick)
		if r := byNick[key]; r != nil {
			return r
		}
		r := &record{nick: nick, cur: nick, first: k, firstSeq: s, last: Nick}
		byNick[key] = r
		recs = append(recs, r)
		return r
	}
	for s := start; s <= end; s++ {
		l := &b.slot(s).Line
		switch l.Kind {
		case Join, Part, Quit:
			r := get(l.Nick, l.Kind, s)
			r.last = l.Kind
			if l.Kind != Join && r.leave == 0 {
				r.leave = l.Kind
			}
		case Host, Realname, Account:
			r := get(l.Nick, l.Kind, s)
			if r.changed == nil {
				r.changed = make(map[Kind]uint64)
			}
			if _, ok := r.changed[l.Kind]; !ok {
				r.changed[l.Kind] = s
			}
		case Nick:
			r := get(l.Nick, Nick, s)
			if !r.renamed {
				r.renamed, r.renamedSeq = true, s
			}
			delete(byNick, strings.ToLower(r.cur))
			r.cur = l.Text
			byNick[strings.ToLower(l.Text)] = r
		}
	}
	var groups []*foldGroup
	byVerb := make(map[string]*foldGroup)
	add := func(verb string, n foldName, s uint64) {
		g := byVerb[verb]
		if g == nil {
			g = &foldGroup{verb: verb, first: s}
			byVerb[verb] = g
			groups = append(groups, g)
		}
		g.first = min(g.first, s)
		g.names = append(g.names, n)
	}
	for _, r := range recs {
		renamed := r.renamed && !strings.EqualFold(r.nick, r.cur)
		// A nick renamed before anything else comes and goes under
		// its new name, after the arrow.
		first, name := r.first == Nick, r.nick
		if first && renamed {
			add("", foldName{Nick: r.nick, To: r.cur}, r.renamedSeq)
			name = r.cur
		}
		if verb := netVerb(r.first, r.last, r.leave); verb != "" {
			add(verb, foldName{Nick: name}, r.firstSeq)
		}
		for _, k := range []Kind{Host, Realname, Account} {
			if s, ok := r.changed[k]; ok {
				add(changeVerb[k], foldName{Nick: name}, s)
			}
		}
		if !first && renamed {
			add("", foldName{Nick: r.nick, To: r.cur}, r.renamedSeq)
		}
	}
	slices.SortStableFunc(groups, func(a, b *foldGroup) int { return cmp.Compare(a.first, b.first) })
	return groups
}

// changeVerb says what a change that keeps the nick in the channel was.
var changeVerb = map[Kind]string{Host: " changed host", Realname: " changed realname", Account: " logged in or out"}

// netVerb names a nick's net change over a fold from its first change,
// its last membership change (Nick for none) and its first departure.
func netVerb(first, last, leave Kind) string {
	gone := func(k Kind) string {
		if k == Quit {
			return "quit"
		}
		return "left"
	}
	switch {
	case last == Nick:
		return "" // renamed, or only changed host, realname or account
	case first == Join && last == Join:
		return " joined"
	case first == Join:
		return " joined and " + gone(last)
	case last == Join:
		return " " + gone(leave) + " and rejoined"
	default:
		return " " + gone(last)
	}
}
