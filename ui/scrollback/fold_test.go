package scrollback

import (
	"fmt"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

// foldLine folds lines (kind letter + nick, "N old new" for a rename)
// after a message and returns the folded row.
func foldLine(t *testing.T, lines ...string) string {
	t.Helper()
	b := newBuf(1000)
	b.Append(msg(0, "a", "before"))
	kinds := map[string]Kind{"J": Join, "P": Part, "Q": Quit, "N": Nick}
	for _, s := range lines {
		f := strings.Fields(s)
		l := Line{Time: t0, Kind: kinds[f[0]], Nick: f[1]}
		if len(f) > 2 {
			l.Text = f[2]
		}
		b.Append(l)
	}
	v := newView(t, b, termenv.Ascii, 200, 2, Options{TimeFormat: "-", NickWidth: 2})
	rows := v.Render()
	return strings.TrimPrefix(rows[len(rows)-1], "-- ")
}

func TestFoldNetChange(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		// Our own rejoin after each reconnect, and bob's: once each.
		{"reconnects", []string{"J you", "J bob", "J you", "J you", "J bob"}, "you, bob joined"},
		{"case-insensitive", []string{"J Bob", "J bob"}, "Bob joined"},
		{"came and went", []string{"J bob", "P bob", "J amy"}, "bob joined and left · amy joined"},
		{"came and quit", []string{"J bob", "Q bob"}, "bob joined and quit"},
		{"cycle", []string{"P bob", "J bob"}, "bob left and rejoined"},
		{"quit and back", []string{"Q bob", "J bob", "Q amy"}, "bob quit and rejoined · amy quit"},
		{"left twice", []string{"P bob", "J bob", "P bob"}, "bob left"},
		{"quits", []string{"Q a", "Q b", "Q a"}, "a, b quit"},
		// Followed through a rename: carol joined, became carol_, quit.
		{"rename then quit", []string{"J carol", "N carol carol_", "Q carol_"}, "carol joined and quit · carol → carol_"},
		{"rename chain", []string{"N a b", "N b c", "J x"}, "a → c · x joined"},
		{"rename back", []string{"N a b", "N b a"}, ""},
		{"rename then rejoin", []string{"N dave dave_", "Q dave_", "J dave"}, "dave → dave_ · dave_ quit · dave joined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.TrimSpace(foldLine(t, tc.lines...)); got != tc.want {
				t.Errorf("folded %q\n got %q\nwant %q", tc.lines, got, tc.want)
			}
		})
	}
}

// A netsplit and its rejoin: 300 quits then the same 300 joins (two fold
// groups, maxFold bounds one), then 20 more joins of the same nicks; every
// nick is named once per folded line.
func TestFoldNetsplit(t *testing.T) {
	b := newBuf(2000)
	for i := range 300 {
		b.Append(Line{Kind: Quit, Nick: fmt.Sprintf("n%d", i), Text: "a.net b.net"})
	}
	for i := range 300 {
		b.Append(Line{Kind: Join, Nick: fmt.Sprintf("n%d", i)})
	}
	for i := range 20 {
		b.Append(Line{Kind: Join, Nick: fmt.Sprintf("n%d", i)})
	}
	for start := b.first; start < b.next; {
		end := b.slot(start).groupEnd
		names := 0
		for _, g := range foldSummary(b, start, end) {
			seen := map[string]bool{}
			for _, n := range g.names {
				if seen[n.Nick] {
					t.Errorf("group %d-%d names %s twice", start, end, n.Nick)
				}
				seen[n.Nick] = true
			}
			names += len(g.names)
		}
		if names == 0 || names > int(end-start+1) {
			t.Errorf("group %d-%d names %d nicks", start, end, names)
		}
		start = end + 1
	}
	// Groups of 256 lines: 256 quits; the 44 other quits and 212 joins;
	// the 88 other joins and the 20 repeated ones, named once.
	v := newView(t, b, termenv.Ascii, 400, 3, Options{TimeFormat: "-", NickWidth: 2})
	got := screen(v)
	if !strings.Contains(got, "n0, n1, n2, n3, n4, n5, n6, n7 and 248 more quit") ||
		!strings.Contains(got, "n256, n257, n258, n259, n260, n261, n262, n263 and 36 more quit · n0, n1, n2, n3, n4, n5, n6, n7 and 204 more joined") ||
		!strings.Contains(got, "n212, n213, n214, n215, n216, n217, n218, n219 and 100 more joined") {
		t.Errorf("netsplit folds:\n%s", got)
	}
}
