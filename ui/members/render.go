package members

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/ferry-irc/ferry/themes"
	"github.com/ferry-irc/ferry/ui/format"
)

// Render draws the panel: exactly height rows of exactly width cells,
// starting at member offset. Only the visible members are drawn, so the
// cost does not grow with the channel. When members remain below the
// window, the last row says how many. A capped list (more members than
// it holds) says so with a "+" after its count.
func Render(st *themes.Styles, l *List, width, height, offset int) []string {
	rows := make([]string, 0, height)
	if height <= 0 || width <= 0 {
		return rows
	}
	n := l.Len()
	header := strconv.Itoa(n) + " users"
	switch {
	case l.Capped():
		header = strconv.Itoa(n) + "+ users"
	case n == 1:
		header = "1 user"
	}
	rows = append(rows, pad(st.Member.Bold(true), header, width))
	offset = ClampOffset(n, height, offset)
	for i := offset; i < n && len(rows) < height; i++ {
		if len(rows) == height-1 && i < n-1 {
			rows = append(rows, pad(st.Member, "+"+strconv.Itoa(n-i)+" more", width))
			break
		}
		rows = append(rows, memberRow(st, l.At(i), width))
	}
	for len(rows) < height {
		rows = append(rows, strings.Repeat(" ", width))
	}
	return rows
}

// ClampOffset keeps a scroll offset of the list within [0, the offset that
// shows the last member on the last row]: a panel of height rows shows a
// header and height-1 members.
func ClampOffset(n, height, offset int) int {
	last := max(0, n-(height-1))
	return max(0, min(offset, last))
}

func memberRow(st *themes.Styles, m Member, width int) string {
	mark := " "
	ps := st.Member
	if m.Prefixes != "" {
		mark = m.Prefixes[:1]
		switch mark {
		case "~":
			ps = st.PrefixOwner
		case "&":
			ps = st.PrefixAdmin
		case "@":
			ps = st.PrefixOp
		case "%":
			ps = st.PrefixHalfop
		case "+":
			ps = st.PrefixVoice
		}
	}
	ns := st.Member
	if m.Away {
		ns = st.MemberAway
	}
	if m.Account != "" && width >= 4 {
		// Logged in to an account: a check mark at the row's end, kept
		// when a long nick is cut.
		return ps.Render(mark) + pad(ns, format.SanitizeName(m.Nick), width-3) + " " + st.Member.Faint(true).Render(LoggedIn)
	}
	return ps.Render(mark) + pad(ns, format.SanitizeName(m.Nick), width-1)
}

// LoggedIn marks a member logged in to an account (account-notify,
// account-tag, extended-join or WHOX told us which).
const LoggedIn = "✓"

// pad renders plain text cut to width cells ("…" when cut) and padded
// with spaces to exactly width.
func pad(s lipgloss.Style, text string, width int) string {
	if width <= 0 {
		return ""
	}
	spans := format.Truncate([]format.Span{{Text: text}}, width, "…")
	var b strings.Builder
	for _, sp := range spans {
		b.WriteString(sp.Text)
	}
	t := b.String()
	return s.Render(t) + strings.Repeat(" ", max(0, width-format.Width(t)))
}
