package scrollback_test

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/muesli/termenv"
)

// The root model keeps one Buffer and one View per IRC buffer, builds the
// Styles once, appends a whole event batch, then renders one frame.
func Example() {
	th, _ := themes.Load("dark", "") // cmd passes the XDG config dir instead of ""
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii) // real code: themes.Renderer()
	st := themes.NewStyles(th, r, false)

	buf := scrollback.New(scrollback.DefaultLimit)
	buf.SetLocation(time.UTC)
	view := scrollback.NewView(buf, st, scrollback.Options{Location: time.UTC, NickWidth: 6})
	view.SetSize(40, 4)

	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	buf.Append(scrollback.Line{Time: at, Kind: scrollback.Join, Nick: "alice"})
	buf.Append(scrollback.Line{Time: at, Kind: scrollback.Join, Nick: "bob"})
	buf.Append(scrollback.Line{Time: at, Kind: scrollback.Message, Nick: "alice", Text: "\x02hi\x02 \x1b]0;pwned\x07"})
	buf.Append(scrollback.Line{Time: at, Kind: scrollback.Message, Nick: "me", Self: true, Text: "hello", Pending: true, LocalID: 1})

	for _, row := range view.Render() {
		fmt.Println(strings.TrimRight(row, " "))
	}
	buf.Delivered(1) // the Delivered event for LocalID 1
	fmt.Println(view.Render()[3])
	// Output:
	//
	// 09:30     -- alice, bob joined
	// 09:30  alice hi ␛]0;pwned␇
	// 09:30     me…hello
	// 09:30     me hello
}
