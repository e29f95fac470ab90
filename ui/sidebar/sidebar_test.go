package sidebar

import (
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/muesli/termenv"
)

func styles(t *testing.T) *themes.Styles {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	th, err := themes.Load("dark", "")
	if err != nil {
		t.Fatal(err)
	}
	return themes.NewStyles(th, r, false)
}

func TestRender(t *testing.T) {
	items := []Item{
		{Label: "ferrynet", Network: true},
		{Label: "#ferry", Active: true},
		{Label: "#busy", Unread: 1234},
		{Label: "#a-very-long-channel-name", Unread: 3, Highlight: true},
		{Label: "bob\x1b[2J", Highlight: true},
		{Label: "#gone", Disconnected: true},
	}
	got := strings.Join(Render(styles(t), items, 14, 7), "|")
	want := strings.Join([]string{
		"ferrynet      ",
		" #ferry       ",
		" #busy    999+",
		" #a-very-l… !3",
		" bob␛[2J     !",
		" #gone        ",
		"              ",
	}, "|")
	if got != want {
		t.Errorf("rows\n%q\nwant\n%q", got, want)
	}
}

func TestRenderKeepsTheActiveItemVisible(t *testing.T) {
	var items []Item
	for i := 0; i < 20; i++ {
		items = append(items, Item{Label: string(rune('a' + i))})
	}
	items[15].Active = true
	rows := Render(styles(t), items, 4, 5)
	if len(rows) != 5 || strings.TrimSpace(rows[4]) != "p" {
		t.Errorf("rows %q: want the active item p last", rows)
	}
	if Start(items, 5) != 11 {
		t.Errorf("Start = %d, want 11", Start(items, 5))
	}
}

// TestRenderNumbers: numbers are right-aligned in one column before the
// labels, channels still indented under their network.
func TestRenderNumbers(t *testing.T) {
	var items []Item
	for i := 1; i <= 10; i++ {
		items = append(items, Item{Label: "#c" + strconv.Itoa(i), Number: i})
	}
	items[0] = Item{Label: "net", Network: true, Number: 1}
	rows := Render(styles(t), items, 12, 10)
	for i, want := range map[int]string{0: " 1 net", 1: " 2  #c2", 9: "10  #c10"} {
		if got := strings.TrimRight(rows[i], " "); got != want {
			t.Errorf("row %d = %q, want %q", i, got, want)
		}
	}
}

// TestRenderPresence: a monitored query's peer online gets the dot in the
// room before the name, offline is drawn like a buffer not connected
// (dimmed), and both keep the column of the other names.
func TestRenderPresence(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI256)
	th, err := themes.Load("dark", "")
	if err != nil {
		t.Fatal(err)
	}
	st := themes.NewStyles(th, r, false)
	items := []Item{{Label: "bob", Online: true, Number: 2}, {Label: "carol", Disconnected: true, Number: 3}, {Label: "dave", Number: 4}}
	rows := Render(st, items, 10, 3)
	if want := st.SidebarItem.Render("2 •bob    "); rows[0] != want {
		t.Errorf("online row %q, want %q", rows[0], want)
	}
	if want := st.SidebarDisconnected.Render("3  carol  "); rows[1] != want {
		t.Errorf("offline row %q, want %q", rows[1], want)
	}
	if rows[1] == st.SidebarItem.Render("3  carol  ") {
		t.Error("offline is drawn like any buffer")
	}
}
