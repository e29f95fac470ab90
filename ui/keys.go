package ui

import (
	"slices"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/ui/input"
	"github.com/ferry-irc/ferry/ui/members"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/ferry-irc/ferry/ui/sidebar"
)

// pasteAsk is the most lines a paste sends without asking.
const pasteAsk = 3

// wheelRows is how far one mouse wheel step scrolls.
const wheelRows = 3

// key handles a key press.
func (m *model) key(k tea.KeyMsg) tea.Cmd {
	if m.cur == nil {
		if k.String() == "ctrl+c" {
			return tea.Quit
		}
		return nil
	}
	if m.paste != nil {
		return m.confirmPaste(k)
	}
	if m.quitAsk != nil {
		r := *m.quitAsk
		m.quitAsk = nil
		switch k.String() {
		case "y", "Y", "enter", "ctrl+c":
			return m.leave(r, true)
		}
		return nil
	}
	if k.Paste {
		return m.pasted(string(k.Runes))
	}
	s := k.String()
	switch s {
	case "ctrl+c":
		return m.leave("", false)
	case "ctrl+l":
		return tea.ClearScreen
	case "enter":
		return m.submit()
	case "tab":
		m.in.Complete(m.candidates)
	case "up":
		if v, ok := m.cur.history.Prev(m.in.Value()); ok {
			m.in.SetValue(v)
		}
	case "down":
		if v, ok := m.cur.history.Next(); ok {
			m.in.SetValue(v)
		}
	case "pgup":
		return m.scrollUp(m.cur.view.PageUp)
	case "pgdown":
		m.cur.view.PageDown()
	case "home":
		return m.scrollUp(m.cur.view.Home)
	case "end":
		m.cur.view.End()
	case "ctrl+n", "alt+right":
		m.step(1)
	case "ctrl+p", "alt+left":
		m.step(-1)
	case "alt+u", "f7":
		m.showList = !m.showList
	case "alt+pgup", "alt+pgdown":
		if m.cur.members != nil {
			page := max(1, m.geometry().bodyH-2)
			if s == "alt+pgup" {
				page = -page
			}
			m.cur.listTop = members.ClampOffset(m.cur.members.Len(), m.geometry().bodyH, m.cur.listTop+page)
		}
	case "ctrl+f":
		if m.cur.search == "" {
			// No search yet: the key starts one, as in a pager.
			if strings.TrimSpace(m.in.Value()) == "" {
				m.in.SetValue("/search ")
			}
			return nil
		}
		return m.searchStep(-1)
	case "ctrl+g":
		return m.searchStep(1)
	case "esc":
		if m.cur.search != "" {
			m.endSearch()
		}
	default:
		if len(s) == 5 && strings.HasPrefix(s, "alt+") && s[4] >= '0' && s[4] <= '9' {
			i := int(s[4] - '1')
			if s[4] == '0' {
				i = 9
			}
			if order := m.ordered(); i < len(order) {
				m.switchTo(order[i])
			}
			return nil
		}
		m.in.Update(k)
	}
	return nil
}

func (m *model) mouse(e tea.MouseMsg) tea.Cmd {
	if m.cur == nil || e.Action != tea.MouseActionPress {
		return nil
	}
	switch e.Button {
	case tea.MouseButtonWheelUp:
		return m.scrollUp(func() { m.cur.view.ScrollBy(wheelRows) })
	case tea.MouseButtonWheelDown:
		m.cur.view.ScrollBy(-wheelRows)
	case tea.MouseButtonLeft:
		// A click on the sidebar selects that buffer. Row 0 is the topic.
		g := m.geometry()
		if g.sideW == 0 || e.X >= g.sideW || e.Y < 1 || e.Y > g.bodyH || m.height < 3 {
			return nil
		}
		items := m.sidebarItems()
		if i := sidebar.Start(items, g.bodyH) + e.Y - 1; i < len(items) {
			m.switchTo(m.ordered()[i])
		}
	}
	return nil
}

// ordered returns the buffers in sidebar order (networks in Conn order,
// each: server buffer, channels, queries), and repairs the current buffer
// if it was removed.
func (m *model) ordered() []*buffer {
	if m.order == nil {
		for _, n := range m.nets {
			m.order = append(m.order, n.server0)
			m.order = append(m.order, n.bufs...)
		}
	}
	if m.cur != nil && len(m.order) > 0 {
		found := false
		for _, b := range m.order {
			if b == m.cur {
				found = true
				break
			}
		}
		if !found {
			m.cur = m.cur.net.server0
		}
	}
	return m.order
}

// step moves to the next (d=1) or previous (d=-1) buffer, wrapping.
func (m *model) step(d int) {
	order := m.ordered()
	if len(order) == 0 {
		return
	}
	i := 0
	for j, b := range order {
		if b == m.cur {
			i = j
		}
	}
	m.switchTo(order[(i+d+len(order))%len(order)])
}

// switchTo makes b current. The buffer left gets its unread marker placed
// after its newest line, so what arrives while away is found below it.
func (m *model) switchTo(b *buffer) {
	if b == m.cur || b == nil {
		return
	}
	if m.cur != nil {
		m.cur.sb.MarkUnread()
		if m.cur.search != "" {
			m.endSearch()
		}
	}
	m.cur = b
	b.unread, b.highlight = 0, false
}

// candidates completes the word before the cursor: commands at line
// start, channels for a word starting with a channel type, nicks of the
// current channel (or the query's peer) otherwise, with ": " after a nick
// at line start.
func (m *model) candidates(word string, atStart bool) []string {
	n := m.cur.net
	if atStart && strings.HasPrefix(word, "/") {
		var out []string
		for _, c := range input.MatchPrefix(commandNames(), word, nil) {
			out = append(out, c+" ")
		}
		return out
	}
	if n.isChannel(word) {
		var names []string
		for _, b := range n.bufs {
			if b.kind == channelBuf {
				names = append(names, b.name)
			}
		}
		return input.MatchPrefix(names, word, n.fold)
	}
	var nicks []string
	switch {
	case m.cur.members != nil:
		nicks = recentFirst(m.cur, m.cur.members.Nicks(), n.fold)
	case m.cur.kind == queryBuf:
		nicks = []string{m.cur.name}
	}
	if n.nick != "" {
		nicks = append(nicks, n.nick)
	}
	out := input.MatchPrefix(nicks, word, n.fold)
	if atStart {
		for i := range out {
			out[i] += ": "
		}
	}
	return out
}

// recentScan bounds how far back recentFirst looks for speakers.
const recentScan = 1000

// recentFirst orders nicks as irssi and WeeChat complete them: those who
// spoke in b most recently first (newest first), then the others in their
// given order.
func recentFirst(b *buffer, nicks []string, fold func(string) string) []string {
	rank := make(map[string]int, len(nicks))
	for i := b.sb.Len() - 1; i >= 0 && b.sb.Len()-i <= recentScan && len(rank) < len(nicks); i-- {
		l := b.sb.Line(i)
		if l.Kind != scrollback.Message && l.Kind != scrollback.Action && l.Kind != scrollback.Notice || l.Nick == "" {
			continue
		}
		if f := fold(l.Nick); rank[f] == 0 {
			rank[f] = len(rank) + 1
		}
	}
	out := slices.Clone(nicks)
	slices.SortStableFunc(out, func(a, b string) int {
		ra, rb := rank[fold(a)], rank[fold(b)]
		switch {
		case ra == rb:
			return 0
		case ra == 0:
			return 1
		case rb == 0:
			return -1
		}
		return ra - rb
	})
	return out
}

// context describes the current buffer for command parsing.
func (m *model) context() cmdContext {
	b := m.cur
	ctx := cmdContext{target: b.name, channel: b.kind == channelBuf, chanType: b.net.chanTypes}
	for _, n := range m.nets {
		ctx.networks = append(ctx.networks, n.name)
	}
	return ctx
}

// submit runs the input line.
func (m *model) submit() tea.Cmd {
	line := m.in.Value()
	if strings.TrimSpace(line) == "" {
		return nil
	}
	m.cur.history.Add(line)
	m.in.Reset()
	r, err := parseLine(m.context(), line)
	if err != nil {
		m.line(m.cur, m.now(), scrollback.Error, "", err.Error())
		return nil
	}
	return m.exec(r)
}

// exec carries out a parsed request.
func (m *model) exec(r request) tea.Cmd {
	n := m.cur.net
	if r.net != "" {
		n = m.network(r.net)
	}
	for _, c := range r.cmds {
		switch x := c.(type) {
		case command.SendText:
			x.ID = nextID()
			m.remember(x.ID, n.find(x.Target))
			c = x
		case command.Raw:
			if ch, ok := strings.CutPrefix(x.Line, "NAMES "); ok {
				if m.namesWanted == nil {
					m.namesWanted = make(map[string]bool)
				}
				m.namesWanted[n.name+"\x00"+n.fold(ch)] = true
			}
		case command.Disconnect, command.Reconnect:
			n.closing = true
		case command.Join:
			if m.joining == nil {
				m.joining = make(map[string]bool)
			}
			m.joining[n.name+"\x00"+n.fold(x.Channel)] = true
		}
		m.conn.Do(n.name, c)
	}
	switch {
	case r.open != "":
		m.switchTo(m.ensure(n, r.open))
	case r.close:
		b := m.cur
		if b.kind == channelBuf && b.joined {
			m.conn.Do(n.name, command.Part{Channel: b.name})
		}
		m.step(-1)
		m.remove(b)
		m.ordered()
	case r.clear:
		m.cur.sb.Clear()
	case r.search != nil:
		return m.search(*r.search)
	case r.ignore != nil:
		text, err := n.ignoreCmd(*r.ignore, !r.unignore)
		kind := scrollback.Info
		if err != nil {
			text, kind = err.Error(), scrollback.Error
		}
		m.line(m.cur, m.now(), kind, "", text)
	case r.quit:
		return m.leave(r.reason, false)
	case r.resend:
		m.resend()
	}
	for _, h := range r.help {
		m.line(m.cur, m.now(), scrollback.Info, "", h)
	}
	return nil
}

// leave sends QUIT to every network and ends the program. The connection
// owner's Close (run by main after the program returns) flushes the QUIT
// to the wire. With lines still pending it asks first, unless confirmed.
func (m *model) leave(reason string, confirmed bool) tea.Cmd {
	if !confirmed && m.pendingCount() > 0 {
		m.quitAsk = &reason
		return nil
	}
	if reason == "" {
		reason = m.opts.QuitMessage
	}
	if reason == "" {
		reason = "ferry"
		if m.opts.Version != "" {
			reason += " " + m.opts.Version
		}
	}
	for _, n := range m.nets {
		m.conn.Do(n.name, command.Quit{Reason: reason})
	}
	m.quitting = true
	return tea.Quit
}

// pasted handles a bracketed paste: one line goes into the input; a few
// lines are sent at once; more than pasteAsk lines wait for a yes.
func (m *model) pasted(text string) tea.Cmd {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if !strings.Contains(strings.TrimRight(text, "\n"), "\n") {
		m.in.Insert(strings.TrimRight(text, "\n"))
		return nil
	}
	var lines []string
	for i, l := range strings.Split(text, "\n") {
		if i == 0 && m.in.Value() != "" {
			l = m.in.Value() + l
		}
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	m.in.Reset()
	if m.cur.kind == serverBuf {
		m.line(m.cur, m.now(), scrollback.Error, "", "this is the server buffer: paste into a channel or query")
		return nil
	}
	if len(lines) > pasteAsk {
		m.paste = lines
		return nil
	}
	m.sendLines(lines)
	return nil
}

func (m *model) confirmPaste(k tea.KeyMsg) tea.Cmd {
	switch k.String() {
	case "y", "Y", "enter":
		lines := m.paste
		m.paste = nil
		m.sendLines(lines)
	case "n", "N", "esc", "ctrl+c":
		m.paste = nil
	}
	return nil
}

// sendLines sends pasted lines as text, verbatim (a pasted "/x" is text).
func (m *model) sendLines(lines []string) {
	b := m.cur
	for _, l := range lines {
		id := nextID()
		m.remember(id, b)
		m.conn.Do(b.net.name, command.SendText{ID: id, Target: b.name, Text: l})
	}
}

// maxRemembered bounds the SendText ID -> buffer map; past it the map
// starts over (a Delivered for a forgotten id falls back to searching the
// network's buffers).
const maxRemembered = 4096

// remember records which buffer our line id belongs to (b may be nil when
// the target has no buffer yet: the echo will create it).
func (m *model) remember(id uint64, b *buffer) {
	if len(m.localByID) >= maxRemembered {
		clear(m.localByID)
	}
	if b != nil {
		m.localByID[id] = b
	}
}

// pendingCount is the number of our lines not yet delivered, on every
// network.
func (m *model) pendingCount() int {
	c := 0
	for _, n := range m.nets {
		c += len(n.pending)
	}
	return c
}
