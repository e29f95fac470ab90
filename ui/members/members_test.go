package members

import (
	"io"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/muesli/termenv"
)

func rfc1459(s string) string {
	b := []byte(strings.ToLower(s))
	for i, c := range b {
		switch c {
		case '[':
			b[i] = '{'
		case ']':
			b[i] = '}'
		case '\\':
			b[i] = '|'
		case '~':
			b[i] = '^'
		}
	}
	return string(b)
}

func show(l *List) string {
	var out []string
	for i := 0; i < l.Len(); i++ {
		m := l.At(i)
		out = append(out, m.Prefixes+m.Nick)
	}
	return strings.Join(out, " ")
}

func TestSortByPrefixThenFoldedName(t *testing.T) {
	l := New("~&@%+", rfc1459)
	l.Set([]Member{{Nick: "zed"}, {Nick: "Bob", Prefixes: "+"}, {Nick: "alice", Prefixes: "@"},
		{Nick: "[x]"}, {Nick: "Carl", Prefixes: "+@"}, {Nick: "owner", Prefixes: "~"}, {Nick: "Al"}, {Nick: "bob"}})
	// Carl's "+@" is normalised to "@+"; the duplicate bob (same folded
	// nick as Bob) is dropped; "{" sorts after letters in rfc1459 folding.
	if got, want := show(l), "~owner @alice @+Carl +Bob Al zed [x]"; got != want {
		t.Errorf("Set: %q, want %q", got, want)
	}
	l.Add(Member{Nick: "Ann", Prefixes: "%"})
	l.Add(Member{Nick: "aaron"})
	if got, want := show(l), "~owner @alice @+Carl %Ann +Bob aaron Al zed [x]"; got != want {
		t.Errorf("Add: %q, want %q", got, want)
	}
	l.SetPrefix("carl", '@', false)
	l.SetPrefix("ZED", '@', true)
	if got, want := show(l), "~owner @alice @zed %Ann +Bob +Carl aaron Al [x]"; got != want {
		t.Errorf("SetPrefix: %q, want %q", got, want)
	}
	if !l.Rename("{X}", "Aardvark") || !l.Remove("owner") || l.Remove("nobody") {
		t.Fatal("Rename/Remove results")
	}
	if got, want := show(l), "@alice @zed %Ann +Bob +Carl Aardvark aaron Al"; got != want {
		t.Errorf("Rename/Remove: %q, want %q", got, want)
	}
	if !l.Has("AL") || l.Has("owner") {
		t.Error("Has")
	}
	l.SetCasemap("@+", strings.ToLower) // a network with only @ and +: % is unknown now
	if got := show(l); !strings.HasPrefix(got, "@alice @zed") {
		t.Errorf("after SetCasemap: %q", got)
	}
}

func TestRenderShowsOnlyTheWindow(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	l := New("", nil)
	var ms []Member
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		ms = append(ms, Member{Nick: n + "-a-rather-long-nick"})
	}
	l.Set(ms)
	rows := Render(st, l, 10, 4, 0)
	want := []string{"7 users   ", " a-a-rath…", " b-a-rath…", "+5 more   "}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("rows %q, want %q", rows, want)
	}
}

func TestRenderHeaderSingular(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	l := New("", nil)
	l.Set([]Member{{Nick: "me"}})
	if rows := Render(st, l, 10, 3, 0); rows[0] != "1 user    " {
		t.Errorf("header %q", rows[0])
	}
}

// A capped list (the channel has more members than it holds) says so in
// its header; a casemap change keeps that, a new list (Set) clears it.
func TestRenderHeaderCapped(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	l := New("", nil)
	for _, step := range []struct {
		do     func()
		header string
	}{
		{func() { l.Set([]Member{{Nick: "a"}, {Nick: "b"}}); l.SetCapped(true) }, "2+ users  "},
		{func() { l.SetCasemap("@+", strings.ToUpper) }, "2+ users  "},
		{func() { l.Add(Member{Nick: "c"}) }, "3+ users  "},
		{func() { l.Set([]Member{{Nick: "me"}}) }, "1 user    "},
		{func() { l.SetCapped(true) }, "1+ users  "},
	} {
		step.do()
		if rows := Render(st, l, 10, 3, 0); rows[0] != step.header {
			t.Errorf("header %q, want %q", rows[0], step.header)
		}
	}
}

// naive is the reference the List must agree with: a map of members,
// sorted in full whenever it is read.
type naive map[string]Member

func (n naive) order(l *List) string {
	ms := make([]*entry, 0, len(n))
	for k, m := range n {
		ms = append(ms, &entry{Member: m, key: k, rank: uint8(l.rankOf(m))})
	}
	slices.SortFunc(ms, compare)
	out := make([]string, len(ms))
	for i, e := range ms {
		out[i] = e.Prefixes + e.Nick
	}
	return strings.Join(out, " ")
}

// Random joins, parts, rejoins, renames, mode and away changes, read back
// at random moments (so changes are merged in batches of every size,
// including past the point where a list never read merges by itself),
// give the same order as sorting everything afresh.
func TestIncrementalOrderMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	l := New("~&@%+", rfc1459)
	ref := naive{}
	nick := func() string { return []string{"a", "B", "[c]", "{C}", "d"}[rng.IntN(5)] + strconv.Itoa(rng.IntN(300)) }
	for step := 0; step < 20000; step++ {
		switch op := rng.IntN(10); {
		case op < 4:
			m := Member{Nick: nick(), Prefixes: []string{"", "", "+", "@", "@+", "~"}[rng.IntN(6)]}
			l.Add(m)
			m.Prefixes = l.normalise(m.Prefixes)
			ref[rfc1459(m.Nick)] = m
		case op < 6:
			n := nick()
			_, had := ref[rfc1459(n)]
			if l.Remove(n) != had {
				t.Fatalf("step %d: Remove(%s) disagrees", step, n)
			}
			delete(ref, rfc1459(n))
		case op < 7:
			old, nw := nick(), nick()
			m, had := ref[rfc1459(old)]
			if l.Rename(old, nw) != had {
				t.Fatalf("step %d: Rename(%s) disagrees", step, old)
			}
			if had {
				delete(ref, rfc1459(old))
				m.Nick = nw
				ref[rfc1459(nw)] = m
			}
		case op < 8:
			n, on := nick(), rng.IntN(2) == 0
			m, had := ref[rfc1459(n)]
			if l.SetPrefix(n, '@', on) != had {
				t.Fatalf("step %d: SetPrefix(%s) disagrees", step, n)
			}
			if had {
				if on {
					m.Prefixes = l.normalise(m.Prefixes + "@")
				} else {
					m.Prefixes = strings.ReplaceAll(m.Prefixes, "@", "")
				}
				ref[rfc1459(n)] = m
			}
		case op < 9:
			n := nick()
			m, had := ref[rfc1459(n)]
			if l.SetAway(n, true) != had {
				t.Fatalf("step %d: SetAway(%s) disagrees", step, n)
			}
			if had {
				m.Away = true
				ref[rfc1459(n)] = m
			}
		default:
			if got, want := show(l), ref.order(l); got != want {
				t.Fatalf("step %d: order\n%s\nwant\n%s", step, got, want)
			}
		}
		if l.Len() != len(ref) {
			t.Fatalf("step %d: Len %d, want %d", step, l.Len(), len(ref))
		}
	}
	if got, want := show(l), ref.order(l); got != want {
		t.Fatalf("final order\n%s\nwant\n%s", got, want)
	}
	for k, m := range ref {
		if got, ok := l.Get(m.Nick); !ok || got != m {
			t.Errorf("Get(%s) = %+v %v, want %+v", k, got, ok, m)
		}
	}
}

// A list that is changed and never read (a channel in the background
// under a join/part flood) keeps its pending changes bounded.
func TestUnreadListStaysBounded(t *testing.T) {
	l := New("", nil)
	for i := 0; i < 100000; i++ {
		n := "n" + strconv.Itoa(i)
		l.Add(Member{Nick: n})
		l.Remove(n)
	}
	if p := len(l.added) + len(l.sorted) + len(l.gone); p > 4096 {
		t.Errorf("%d entries kept for an empty list", p)
	}
	// Merges forced by the bound keep the order right too.
	ref := naive{}
	for i := 0; i < 5000; i++ {
		m := Member{Nick: "m" + strconv.Itoa(i*7919%5000), Prefixes: []string{"", "+", "@"}[i%3]}
		l.Add(m)
		ref[strings.ToLower(m.Nick)] = m
		if i%3 == 0 {
			l.Remove(m.Nick)
			delete(ref, strings.ToLower(m.Nick))
		}
	}
	if got, want := show(l), ref.order(l); got != want {
		t.Errorf("order after forced merges\n%s\nwant\n%s", got, want)
	}
}
