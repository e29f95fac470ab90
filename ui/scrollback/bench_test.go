package scrollback

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/muesli/termenv"
)

// benchLines is a realistic mix: mostly messages, some formatting, URLs,
// joins/parts, a few long lines that wrap.
func benchLines(n int) []Line {
	texts := []string{
		"hello there, how is the migration going?",
		"see https://example.org/some/path?q=1 for the \x02details\x02",
		"\x0304red\x03 and \x0312,01blue on black\x03 with \x1ditalics\x1d",
		"a considerably longer line that will certainly need to wrap at least once or twice in an eighty column terminal window, probably more",
		"短い日本語のメッセージ 😀",
		"ok",
	}
	lines := make([]Line, n)
	for i := range lines {
		t := t0.Add(time.Duration(i) * time.Second)
		switch {
		case i%10 == 7:
			lines[i] = Line{Time: t, Kind: Join, Nick: fmt.Sprintf("user%d", i%97)}
		case i%10 == 8:
			lines[i] = Line{Time: t, Kind: Quit, Nick: fmt.Sprintf("user%d", i%89), Text: "Ping timeout"}
		default:
			lines[i] = Line{Time: t, Kind: Message, Nick: fmt.Sprintf("nick%d", i%31), Text: texts[i%len(texts)]}
		}
	}
	return lines
}

// BenchmarkAppend applies 100 000 incoming lines to a buffer with the
// default limit (so most appends also evict); reported per line. "msgid"
// gives every line an IRCv3 msgid, as servers with message-tags do, which
// costs a map insert and delete per line.
func BenchmarkAppend(b *testing.B) {
	const n = 100000
	plain := benchLines(n)
	tagged := benchLines(n)
	for i := range tagged {
		tagged[i].MsgID = fmt.Sprintf("msg-%08x", i)
	}
	for _, bc := range []struct {
		name  string
		lines []Line
	}{{"plain", plain}, {"msgid", tagged}} {
		b.Run(bc.name, func(b *testing.B) {
			lines := bc.lines
			b.ReportAllocs()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for range b.N {
				buf := newBuf(DefaultLimit)
				for i := range lines {
					buf.Append(lines[i])
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/line")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(b.N*n), "allocs/line")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkRender draws one 200x50 frame of a buffer with 1 000 and with
// 100 000 lines of scrollback. "follow" appends one line per frame (a busy
// channel); "cold" changes the width each frame so every visible line is
// wrapped and styled again; "scrolled" pages up by one row each frame in
// the middle of history.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		lines := benchLines(n + 100000)
		setup := func(b *testing.B) (*Buffer, *View) {
			buf := newBuf(n)
			for i := range n {
				buf.Append(lines[i])
			}
			v := newView(b, buf, termenv.ANSI256, 200, 50, Options{})
			v.Render()
			return buf, v
		}
		b.Run(fmt.Sprintf("follow/lines=%d", n), func(b *testing.B) {
			buf, v := setup(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				buf.Append(lines[n+i%100000])
				v.Render()
			}
		})
		b.Run(fmt.Sprintf("cold/lines=%d", n), func(b *testing.B) {
			_, v := setup(b)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				v.SetSize(200-i%2, 50)
				v.Render()
			}
		})
		b.Run(fmt.Sprintf("scrolled/lines=%d", n), func(b *testing.B) {
			_, v := setup(b)
			v.ScrollBy(n / 2)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				if i%2 == 0 {
					v.ScrollBy(1)
				} else {
					v.ScrollBy(-1)
				}
				v.Render()
			}
		})
	}
}

// BenchmarkFind searches 100 000 lines for a word that is not there (the
// worst case: every line is scanned), ASCII and non-ASCII queries.
func BenchmarkFind(b *testing.B) {
	const n = 100000
	buf := newBuf(n)
	for _, l := range benchLines(n) {
		buf.Append(l)
	}
	for _, q := range []string{"Migrations!", "日本語のメッセージX"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, ok := buf.Find(q, buf.Len()-1, true); ok {
					b.Fatal("found a query that is not there")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*buf.Len()), "ns/line")
		})
	}
}
