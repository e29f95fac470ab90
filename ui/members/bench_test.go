package members

import (
	"fmt"
	"strconv"
	"testing"
)

// filled is a list of n members, a few of them with prefixes.
func filled(n int) *List {
	l := New("~&@%+", rfc1459)
	ms := make([]Member, n)
	for i := range ms {
		ms[i] = Member{Nick: "m" + strconv.Itoa(i)}
		if i%100 == 0 {
			ms[i].Prefixes = "+"
		}
	}
	l.Set(ms)
	return l
}

// BenchmarkJoin measures a join and a part of a new nick (one op), and
// a repeated join of a member already listed, in lists of 1 000 and
// 100 000 members. The cost must not grow with the list; the sorted view
// is asked for once per 1 000 ops, as a frame drawn per batch would.
func BenchmarkJoin(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		l := filled(n)
		fresh := make([]string, 4096)
		for i := range fresh {
			fresh[i] = "new" + strconv.Itoa(i)
		}
		b.Run(fmt.Sprintf("join+part/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				nick := fresh[i%len(fresh)]
				l.Add(Member{Nick: nick})
				l.Remove(nick)
				if i%1000 == 0 {
					_ = l.At(l.Len() / 2)
				}
				i++
			}
		})
		again := "m" + strconv.Itoa(n/2+1)
		b.Run(fmt.Sprintf("rejoin/%dk", n/1000), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				l.Add(Member{Nick: again})
				if i%1000 == 0 {
					_ = l.At(l.Len() / 2)
				}
				i++
			}
		})
	}
}
