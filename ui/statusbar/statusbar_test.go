package statusbar

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
	"github.com/muesli/termenv"
)

func TestRender(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, _ := themes.Load("dark", "")
	st := themes.NewStyles(th, r, false)
	tests := []struct {
		bar   Bar
		width int
		want  string
	}{
		{Bar{Network: "ferrynet", Nick: "me", State: "connected", Lag: 42 * time.Millisecond, HasLag: true, Buffer: "#ferry", Users: 4},
			60, " [ferrynet] · me · lag 42ms · #ferry (4)"},
		{Bar{Network: "ferrynet", Server: "s2", Nick: "me", State: "connected", Search: "x\x1b"},
			60, " [ferrynet/s2] · me · search “x␛”"},
		{Bar{Network: "ferrynet", Nick: "me", State: "connected", Activity: []Act{{Number: 3}, {Number: 4, Highlight: true}}},
			40, " [ferrynet] · me · act 3,!4"},
		{Bar{Network: "ferrynet", Nick: "me", State: "waiting", Lag: time.Second, HasLag: true, Away: true},
			60, " [ferrynet] · me (away) · waiting"},
		{Bar{Network: "ferrynet", Nick: "me", State: "connected", Lag: 1300 * time.Millisecond, HasLag: true, Scrolled: true, Pending: 2, Note: "moving to s2…", NoteKind: NoteAccent},
			60, " [ferrynet] · me · lag 1.3s · 2 pending       moving to s2…"},
		{Bar{Network: "ferrynet", Nick: "me", State: "connected", Buffer: "#ferry", Fetching: true},
			60, " [ferrynet] · me · #ferry · fetching older messages…"},
		// Narrow: the fetching part goes before the nick and the buffer.
		{Bar{Network: "ferrynet", Nick: "me", State: "connected", Buffer: "#ferry", Fetching: true},
			30, " [ferrynet] · me · #ferry"},
		// A note takes the room the context leaves, cut to fit: the
		// network, nick and channel stay.
		{Bar{Network: "ferrynet", Nick: "me", Note: "on s2 (window 4 ms)"},
			30, " [ferrynet] · me  on s2 (win…"},
		{Bar{Network: "ferrynet", Server: "s1", Nick: "newcomer", State: "connected", Lag: 3 * time.Millisecond, HasLag: true, Buffer: "#ferry", Users: 4,
			Note: "#keyed Cannot join channel (incorrect channel key) (ferrynet)", NoteKind: NoteError},
			80, " [ferrynet/s1] · newcomer · lag 3ms · #ferry (4)  #keyed Cannot join channel (…"},
	}
	for _, tt := range tests {
		got := tt.bar.Render(st, tt.width)
		if w := format.Width(got); w != tt.width {
			t.Errorf("%+v: width %d, want %d", tt.bar, w, tt.width)
		}
		if g := strings.TrimRight(got, " "); g != strings.TrimRight(tt.want, " ") {
			t.Errorf("%+v:\n got %q\nwant %q", tt.bar, g, tt.want)
		}
	}
}
