// Package sidebar draws the buffer list on the left: one header row per
// network (its server buffer), its channels and queries indented below,
// each after its number (Alt+N), with unread counts and highlight marks,
// and the active buffer picked out.
//
// It is a pure function of the items the root model passes in; it keeps no
// state and never imports net/.
package sidebar

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
)

// Item is one row of the list.
type Item struct {
	// Label is the network name (Network) or the buffer name, as received
	// (it is sanitised here).
	Label string
	// Network marks a network's server buffer, drawn as its header.
	Network      bool
	Active       bool
	Unread       int  // lines of conversation not yet seen
	Highlight    bool // a line mentioned us (or a private message arrived)
	Disconnected bool // the network is not connected / we are not in the channel
	// Number is the buffer's number (Alt+N, /buffer N), drawn before the
	// label, right-aligned with the others; 0 draws none.
	Number int
	// Online marks a query whose peer is monitored and online with a dot
	// before the name (an offline one is Disconnected: dimmed).
	Online bool
}

// onlineMark stands before a query whose peer is online, in the room
// other buffers leave blank.
const onlineMark = "•"

// Render returns exactly height rows of exactly width cells. When the list
// is longer than the window, it scrolls so that the active item is
// visible.
func Render(st *themes.Styles, items []Item, width, height int) []string {
	rows := make([]string, 0, height)
	if width <= 0 || height <= 0 {
		return rows
	}
	numW := 0
	for _, it := range items {
		if it.Number > 0 {
			numW = max(numW, len(strconv.Itoa(it.Number)))
		}
	}
	for i := Start(items, height); i < len(items) && len(rows) < height; i++ {
		rows = append(rows, row(st, items[i], width, numW))
	}
	for len(rows) < height {
		rows = append(rows, strings.Repeat(" ", width))
	}
	return rows
}

// Start is the index of the first item Render shows in height rows: 0,
// unless the active item would be below the window. The root model uses it
// to map a mouse click to an item.
func Start(items []Item, height int) int {
	if len(items) <= height {
		return 0
	}
	for i, it := range items {
		if it.Active && i >= height {
			return i - height + 1
		}
	}
	return 0
}

// row draws one item; numW is the width of the number column (0: none).
func row(st *themes.Styles, it Item, width, numW int) string {
	var s lipgloss.Style
	switch {
	case it.Active:
		s = st.SidebarActive
	case it.Highlight:
		s = st.SidebarHighlight
	case it.Unread > 0:
		s = st.SidebarUnread
	case it.Disconnected:
		s = st.SidebarDisconnected
	case it.Network:
		s = st.SidebarNetwork
	default:
		s = st.SidebarItem
	}
	label := format.SanitizeName(it.Label)
	switch {
	case it.Online:
		label = onlineMark + label
	case !it.Network:
		label = " " + label
	}
	if numW > 0 {
		num := ""
		if it.Number > 0 {
			num = strconv.Itoa(it.Number)
		}
		label = strings.Repeat(" ", numW-len(num)) + num + " " + label
	}
	badge := ""
	if it.Unread > 0 && !it.Active {
		n := it.Unread
		if n > 999 {
			badge = "999+"
		} else {
			badge = strconv.Itoa(n)
		}
		if it.Highlight {
			badge = "!" + badge
		}
	} else if it.Highlight && !it.Active {
		badge = "!"
	}
	bw := 0
	if badge != "" {
		bw = len(badge) + 1
	}
	lw := width - bw
	if lw < 1 {
		badge, bw, lw = "", 0, width
	}
	spans := format.Truncate([]format.Span{{Text: label}}, lw, "…")
	var b strings.Builder
	for _, sp := range spans {
		b.WriteString(sp.Text)
	}
	text := b.String()
	text += strings.Repeat(" ", max(0, lw-format.Width(text)))
	out := s.Render(text)
	if badge != "" {
		bs := st.SidebarCount
		if it.Highlight {
			bs = st.SidebarHighlight
		}
		out += " " + bs.Render(badge)
	}
	return out
}
