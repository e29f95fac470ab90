package ui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/ui/input"
	"github.com/ferry-irc/ferry/ui/keymap"
	"github.com/ferry-irc/ferry/ui/members"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/ferry-irc/ferry/ui/sidebar"
)

// pasteAsk is the most lines a paste sends without asking.
const pasteAsk = 3

// wheelRows is how far one mouse wheel step scrolls.
const wheelRows = 3

// key handles a key press, matching it against the key map (m.keys):
// questions first, then the root model's keys, and what is left goes to
// the input line.
func (m *model) key(k tea.KeyMsg) tea.Cmd {
	km := m.keys
	if m.cur == nil {
		if key.Matches(k, km.Quit) {
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
		if key.Matches(k, km.Yes, km.Quit) {
			return m.leave(r, true)
		}
		return nil
	}
	if k.Paste {
		return m.pasted(string(k.Runes))
	}
	if keymap.Typed(k) {
		m.in.Update(k)
		return nil
	}
	switch {
	case key.Matches(k, km.Quit):
		return m.leave("", false)
	case key.Matches(k, km.ToggleMouse):
		return m.toggleMouse()
	case key.Matches(k, km.Redraw):
		return tea.ClearScreen
	case key.Matches(k, km.Submit):
		return m.submit()
	case key.Matches(k, km.Complete):
		m.in.Complete(m.candidates)
	case key.Matches(k, km.HistoryPrev):
		if v, ok := m.cur.history.Prev(m.in.Value()); ok {
			m.in.SetValue(v)
		}
	case key.Matches(k, km.HistoryNext):
		if v, ok := m.cur.history.Next(); ok {
			m.in.SetValue(v)
		}
	case key.Matches(k, km.PageUp):
		return m.scrollUp(m.cur.view.PageUp)
	case key.Matches(k, km.PageDown):
		m.cur.view.PageDown()
	case key.Matches(k, km.Home):
		return m.scrollUp(m.cur.view.Home)
	case key.Matches(k, km.End):
		m.cur.view.End()
	case key.Matches(k, km.NextBuffer):
		m.step(1)
	case key.Matches(k, km.PrevBuffer):
		m.step(-1)
	case key.Matches(k, km.ToggleList):
		m.showList = !m.showList
	case key.Matches(k, km.ListPageUp, km.ListPageDown):
		if m.cur.members != nil {
			page := max(1, m.geometry().bodyH-2)
			if key.Matches(k, km.ListPageUp) {
				page = -page
			}
			m.cur.listTop = members.ClampOffset(m.cur.members.Len(), m.geometry().bodyH, m.cur.listTop+page)
		}
	case key.Matches(k, km.SearchOlder):
		if m.cur.search == "" {
			// No search yet: the key starts one, as in a pager.
			if strings.TrimSpace(m.in.Value()) == "" {
				m.in.SetValue("/search ")
			}
			return nil
		}
		return m.searchStep(-1)
	case key.Matches(k, km.SearchNewer):
		return m.searchStep(1)
	case key.Matches(k, km.SearchEnd):
		if m.cur.search != "" {
			m.endSearch()
		}
	case key.Matches(k, km.GotoBuffer):
		if order := m.ordered(); bufferIndex(k) < len(order) {
			m.switchTo(order[bufferIndex(k)])
		}
	default:
		m.in.Update(k)
	}
	return nil
}

// bufferIndex is the sidebar position a GotoBuffer key names: its last
// character, a digit, with 1 the first buffer and 0 the tenth.
func bufferIndex(k tea.KeyMsg) int {
	s := k.String()
	d := s[len(s)-1]
	if d == '0' {
		return 9
	}
	return int(d - '1')
}

func (m *model) mouse(e tea.MouseMsg) tea.Cmd {
	if m.cur == nil || !m.mouseOn || e.Action != tea.MouseActionPress {
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
		m.sendRead(m.cur) // read up to here: other clients hear it now
		m.cur.sb.MarkUnread()
		if m.cur.search != "" {
			m.endSearch()
		}
	}
	m.cur = b
	b.unread, b.highlight = 0, false
	m.layout() // the new buffer's view and nick list take the frame's size
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
	m.typingSent(line)
	m.in.Reset()
	b, from := m.cur, m.cur.sb.Len()
	_, unread := b.sb.Unread()
	defer func() {
		// The answer to our own command (an error, /help) is not unread
		// either: no "new messages" rule above it.
		if i, ok := b.sb.Unread(); !unread && ok && i >= from {
			b.sb.MarkUnread()
		}
	}()
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
	var show *buffer // a known channel /join names: shown at once
	for i, c := range r.cmds {
		switch x := c.(type) {
		case command.SendText:
			x.ID = nextID()
			m.remember(x.ID, n.find(x.Target))
			c = x
		case command.Names: // its answer is also shown as a line
			if m.namesWanted == nil {
				m.namesWanted = make(map[string]bool)
			}
			m.namesWanted[n.name+"\x00"+n.fold(x.Channel)] = true
		case command.Disconnect, command.Reconnect:
			n.closing = true
		case command.Away:
			n.awayMsg = x.Message
		case command.BouncerListNetworks, command.BouncerAddNetwork, command.BouncerDelNetwork:
			if n.parent != "" {
				m.conn.Do(n.parent, c) // the bouncer's own connection answers these
				continue
			}
		case command.Join:
			if b := n.find(x.Channel); b != nil && b.kind == channelBuf {
				if show == nil {
					show = b
				}
				if b.joined && !partsFirst(n, r.cmds[:i], b.name) {
					continue // irssi and WeeChat: /join of a channel we are in shows it
				}
			}
			if m.joining == nil {
				m.joining = make(map[string]bool)
			}
			m.joining[n.name+"\x00"+n.fold(x.Channel)] = true
		}
		if n == m.cur.net {
			c = asked(m.cur, c)
		}
		m.conn.Do(n.name, c)
	}
	if show != nil {
		m.switchTo(show)
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
	case r.buffer != "":
		if err := m.bufferCmd(r.buffer, r.move); err != nil {
			m.line(m.cur, m.now(), scrollback.Error, "", err.Error())
		}
	}
	for _, h := range r.help {
		m.line(m.cur, m.now(), scrollback.Info, "", h)
	}
	return nil
}

// partsFirst reports whether cmds (those before a JOIN) leave channel, as
// /cycle's PART does: that JOIN must go out although we are still in it.
func partsFirst(n *network, cmds []command.Command, channel string) bool {
	for _, c := range cmds {
		if p, ok := c.(command.Part); ok && n.fold(p.Channel) == n.fold(channel) {
			return true
		}
	}
	return false
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
	// The order again, now: a write handed to a command may not have run
	// before the program ends (its older sequence then skips it).
	m.orderDirty = m.orderDirty || m.orderSeq > 0
	if save := m.saveOrder(); save != nil {
		save()
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

// confirmPaste answers the large-paste question: Yes sends; No (or Quit)
// sends nothing and puts the paste in the input line to edit, its lines
// joined with spaces, as irssi keeps a paste it did not send. Joined, the
// whole paste is in view and nothing waits unseen (keeping the rest as
// further lines would send text the user no longer sees); Enter then sends
// it as one line, which the session splits if it is too long. Other keys
// are ignored.
func (m *model) confirmPaste(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Yes):
		lines := m.paste
		m.paste = nil
		m.sendLines(lines)
	case key.Matches(k, m.keys.No, m.keys.Quit):
		m.in.SetValue(strings.Join(m.paste, " "))
		m.paste = nil
	}
	return nil
}

// sendLines sends pasted lines as text, verbatim (a pasted "/x" is text):
// one message of several lines when the network takes multiline messages,
// else a message per line.
func (m *model) sendLines(lines []string) {
	b := m.cur
	if b.net.multiline && len(lines) > 1 {
		lines = []string{strings.Join(lines, "\n")}
	}
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
