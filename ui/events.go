package ui

import (
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/members"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/ferry-irc/ferry/ui/statusbar"
)

// apply turns one batch of events into buffer changes. It never renders:
// the frame is drawn once after the whole batch (or several batches). The
// returned commands are the bell and status-note timers.
func (m *model) apply(evs []event.Event) []tea.Cmd {
	var cmds []tea.Cmd
	ring := false
	for _, e := range evs {
		if c := m.typingEvent(e); c != nil {
			cmds = append(cmds, c)
		}
		m.presenceEvent(e)
		switch ev := e.(type) {
		case event.Message:
			if !ev.Self && m.network(ev.Network).ignored(ev.From, ev.FromHost) {
				continue
			}
			ring = m.message(ev) || ring
			m.messageAccount(ev)
		case event.Delivered:
			m.network(ev.Network).settled(ev.LocalID)
			m.own(ev.Network, ev.LocalID, func(l *scrollback.Line) { l.Pending = false })
		case event.Requeued:
			if m.own(ev.Network, ev.LocalID, func(l *scrollback.Line) { l.Pending, l.Failed = true, false }) != nil {
				m.network(ev.Network).pending[ev.LocalID] = struct{}{}
			}
		case event.Failed:
			n := m.network(ev.Network)
			n.settled(ev.LocalID)
			b := m.own(ev.Network, ev.LocalID, func(l *scrollback.Line) { l.Pending, l.Failed = false, true })
			if b == nil {
				b = n.server0 // the line was never shown (or is gone): say so anyway
			}
			text := "a line was not delivered"
			if ev.Reason != "" {
				text += ": " + ev.Reason
			}
			m.line(b, ev.Time, scrollback.Error, "", text)
		case event.Join:
			m.join(ev)
		case event.Part:
			m.part(ev)
		case event.Quit:
			m.quit(ev)
		case event.Kick:
			m.kick(ev)
		case event.NickChange:
			m.nickChange(ev)
		case event.Topic:
			m.topic(ev)
		case event.Names:
			n := m.network(ev.Network)
			key := n.name + "\x00" + n.fold(ev.Channel)
			b := n.find(ev.Channel)
			if b == nil || m.namesWanted[key] {
				delete(m.namesWanted, key)
				m.namesLine(n, b, ev)
			}
			if b != nil && b.members != nil {
				ms := make([]members.Member, len(ev.Members))
				for i, x := range ev.Members {
					ms[i] = members.Member{Nick: x.Nick, Prefixes: x.Prefixes, Away: x.Away, Account: x.Account}
				}
				wasCapped := b.members.Capped()
				b.members.Set(ms)
				// The session's cap is the one rule: the list is what it
				// tracks, and says when that is not everyone.
				b.members.SetCapped(ev.Untracked > 0)
				if ev.Untracked > 0 && !wasCapped {
					m.line(b, ev.Time, scrollback.Info, "", ev.Channel+" has "+strconv.Itoa(len(ev.Members)+ev.Untracked)+
						" members; the member list holds "+strconv.Itoa(len(ev.Members))+" of them (capped)")
				}
			}
		case event.Mode:
			m.mode(ev)
		case event.Away:
			m.away(ev)
		case event.AccountChange:
			m.accountChange(ev)
		case event.HostChange:
			m.hostChange(ev)
		case event.RealnameChange:
			m.realnameChange(ev)
		case event.Invite:
			if !m.network(ev.Network).ignored(ev.By, "") {
				m.invite(ev)
			}
		case event.Info:
			n := m.network(ev.Network)
			b := n.server0
			if ev.Buffer != "" {
				if x := n.find(ev.Buffer); x != nil {
					b = x
				}
			} else if ev.Reply && m.cur != nil && m.cur.net == n {
				b = m.cur // a /whois answer goes where it was asked
			}
			if b.fetching && ev.Code == "ferry" && !ev.Error {
				// The network side's answer to FetchHistory when the
				// server offers no chathistory: nothing older will come.
				b.fetching, b.olderDone = false, true
			}
			kind := scrollback.Info
			if ev.Warn {
				ev.Text = "warning: " + ev.Text
			}
			if ev.Error {
				kind = scrollback.Error
				if c := m.errorNote(n, b, ev.Text); c != nil {
					cmds = append(cmds, c)
					if n.isChannel(ev.Buffer) {
						n.noteChannel = n.fold(ev.Buffer)
					}
				}
			}
			m.line(b, ev.Time, kind, "", ev.Text)
		case event.Error:
			n := m.network(ev.Network)
			m.line(n.server0, ev.Time, scrollback.Error, "", ev.Text)
			switch {
			case ev.Fatal:
				// The line stays in the server buffer, the state in the bar.
				cmds = append(cmds, m.setNote(n, ev.Text, statusbar.NoteError, fatalNoteFor))
			case n.closing:
				// The server's goodbye to our own QUIT: the line says it.
			default:
				if c := m.errorNote(n, n.server0, ev.Text); c != nil {
					cmds = append(cmds, c)
				}
			}
		case event.ConnState:
			m.connState(ev)
		case event.Registered:
			n := m.network(ev.Network)
			n.nick, n.serverName = ev.Nick, ev.ServerName
			n.state, n.stateSeen = event.StateRegistered, true
			n.historyReset()
			text := "registered as " + ev.Nick
			if ev.ServerName != "" {
				text += " on " + ev.ServerName
			}
			m.line(n.server0, ev.Time, scrollback.Info, "", text)
		case event.ISupport:
			m.setCasemap(m.network(ev.Network), ev)
		case event.ReadMarkers:
			m.readMarkersOn(ev)
		case event.ReadMarker:
			m.readMarker(ev)
		case event.Multiline:
			m.network(ev.Network).multiline = ev.MaxBytes > 0
		case event.Lag:
			n := m.network(ev.Network)
			n.lag, n.hasLag = ev.RTT, true
		case event.CTCP:
			if !m.network(ev.Network).ignored(ev.From, "") {
				m.ctcp(ev)
			}
		case event.Migration:
			if c := m.migration(ev); c != nil {
				cmds = append(cmds, c)
			}
		case event.History:
			ev.Messages = m.network(ev.Network).filterIgnored(ev.Messages)
			m.history(ev)
		case event.SearchResults:
			ev.Messages = m.network(ev.Network).filterIgnored(ev.Messages)
			if c := m.searchResults(ev); c != nil {
				cmds = append(cmds, c)
			}
		case event.Redirect:
			cmds = append(cmds, m.redirect(ev))
		case event.NetworkAdded:
			m.networkAdded(ev)
		case event.NetworkRemoved:
			m.networkRemoved(ev)
		case event.BouncerNetwork:
			m.bouncerNetwork(ev)
		}
	}
	if ring && m.opts.Bell && !m.backlog.rang {
		m.backlog.rang = true // once for a batch, however many slices it takes
		w := m.bell
		cmds = append(cmds, func() tea.Msg {
			_, _ = w.Write([]byte("\a"))
			return nil
		})
	}
	m.ordered() // repair the current buffer if one went away
	return cmds
}

// at is the time of an event: the server's, else now.
func (m *model) at(t time.Time) time.Time {
	if t.IsZero() {
		return m.now()
	}
	return t
}

// line appends a line without a sender (info, error, membership text).
func (m *model) line(b *buffer, t time.Time, kind scrollback.Kind, nick, text string) {
	b.sb.Append(scrollback.Line{Time: m.at(t), Kind: kind, Nick: nick, Text: text})
}

// message adds a PRIVMSG/NOTICE/ACTION, or updates our own line when the
// buffer already shows its LocalID. It reports whether the bell should
// ring. The session decides what reaches here: it drops a message whose
// msgid its buffer has seen, and gives the echo of our line (also one that
// waited in a queue across a reconnect) the line's LocalID, so a live
// message is new and no text or msgid is matched here.
func (m *model) message(ev event.Message) bool {
	n := m.network(ev.Network)
	b := m.ensure(n, ev.Buffer)
	if ev.Self && ev.LocalID != 0 {
		m.remember(ev.LocalID, b)
		if ev.Pending {
			n.pending[ev.LocalID] = struct{}{}
		} else {
			n.settled(ev.LocalID)
		}
		if m.updateOwn(b, ev) {
			return false
		}
	}
	l := m.messageLine(n, ev)
	b.sb.Append(l)
	if ev.Self {
		ownBelowMarker(b) // our own lines are never unread
		return false
	}
	hl := l.Highlight
	private := b.kind == queryBuf && l.Kind != scrollback.Notice
	m.notifyLine(b, l, private)
	if b != m.cur {
		b.unread++
		if hl || private {
			b.highlight = true
		}
	}
	return hl || private
}

// lineKind is the scrollback kind a message of kind k is shown as.
func lineKind(k event.MsgKind) scrollback.Kind {
	switch k {
	case event.Notice:
		return scrollback.Notice
	case event.Action:
		return scrollback.Action
	}
	return scrollback.Message
}

// messageLine is the scrollback line of a message, live or from history:
// its kind, sender, text, our own, and whether it mentions us.
func (m *model) messageLine(n *network, ev event.Message) scrollback.Line {
	kind := lineKind(ev.Kind)
	hl := !ev.Self && (ev.Highlight || m.highlighted(n, ev.Text))
	return scrollback.Line{Time: m.at(ev.Time), Kind: kind, Nick: ev.From, Text: ev.Text,
		Self: ev.Self, Highlight: hl, Pending: ev.Pending, MsgID: ev.MsgID, LocalID: ev.LocalID, Part: ev.Part}
}

// scanBack bounds how far back from the newest line with a LocalID the
// other lines of the same (split) text are looked for.
const scanBack = 256

// updateOwn applies the server's echo of our line (ev.Echo) to that line:
// the session matched it and names it by LocalID and Part, which the line
// carries since it was announced, so the line is found by both (not by
// counting the lines of the LocalID, which the ring may have dropped some
// of). It takes the echo's msgid, time and pending state. It reports
// false when ev is no echo (the first announcement of a line, to be
// appended) or its line is no longer shown (then it is added, not lost).
func (m *model) updateOwn(b *buffer, ev event.Message) bool {
	if !ev.Echo || ev.Part < 0 {
		return false
	}
	i, ok := b.sb.IndexOfLocalID(ev.LocalID)
	if !ok {
		return false
	}
	for j := i; j >= 0 && j > i-scanBack; j-- {
		if l := b.sb.Line(j); l.LocalID != ev.LocalID || l.Part != ev.Part {
			continue
		}
		b.sb.UpdateAt(j, func(l *scrollback.Line) {
			if ev.MsgID != "" {
				l.MsgID = ev.MsgID
			}
			if !ev.Time.IsZero() {
				l.Time = ev.Time
			}
			l.Pending = ev.Pending
			l.Failed = false
		})
		return true
	}
	return false
}

// own applies f to every line of ours with id (a split text has several)
// and returns the buffer they are in.
func (m *model) own(network string, id uint64, f func(*scrollback.Line)) *buffer {
	b := m.localByID[id]
	if b == nil {
		n := m.network(network)
		for _, x := range append([]*buffer{n.server0}, n.bufs...) {
			if _, ok := x.sb.IndexOfLocalID(id); ok {
				b = x
				break
			}
		}
	}
	if b == nil {
		return nil
	}
	i, ok := b.sb.IndexOfLocalID(id)
	if !ok {
		return b
	}
	for j := i; j >= 0 && j > i-scanBack; j-- {
		if b.sb.Line(j).LocalID == id {
			b.sb.UpdateAt(j, f)
		}
	}
	return b
}

func (m *model) join(ev event.Join) {
	n := m.network(ev.Network)
	b := m.ensure(n, ev.Channel)
	if ev.Self {
		b.joined = true
		if n.note != "" && n.noteChannel == n.fold(ev.Channel) {
			n.clearNote() // a refused join's error, answered now
		}
		if b.members != nil {
			b.members.Set(nil)
		}
		key := ev.Network + "\x00" + n.fold(ev.Channel)
		// Show a channel the user asked for, or the first channel
		// joined on a network whose server buffer is in view (autojoin
		// at start; not the rejoin after a reconnect).
		if m.joining[key] || (m.cur == n.server0 && !n.everJoined) {
			delete(m.joining, key)
			m.switchTo(b)
		}
		n.everJoined = true
	}
	if b.members != nil {
		if ev.Untracked {
			b.members.SetCapped(true) // a member past the session's cap: in no list
		} else {
			b.members.Add(members.Member{Nick: ev.Nick, Account: ev.Account})
		}
	}
	b.sb.Append(scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Join, Nick: ev.Nick, Text: ev.UserHost})
}

func (m *model) part(ev event.Part) {
	n := m.network(ev.Network)
	b := n.find(ev.Channel)
	if b == nil {
		return // closed already
	}
	b.sb.Append(scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Part, Nick: ev.Nick, Text: ev.Reason})
	if b.members != nil {
		b.members.Remove(ev.Nick)
	}
	if ev.Self {
		b.joined = false
		if b.members != nil {
			b.members.Set(nil)
		}
	}
}

// sharedChannels is ev.Channels, or, when the session did not say, every
// channel whose member list has nick.
func (m *model) sharedChannels(n *network, nick string, named []string) []*buffer {
	var out []*buffer
	if len(named) > 0 {
		for _, c := range named {
			if b := n.find(c); b != nil {
				out = append(out, b)
			}
		}
		return out
	}
	for _, b := range n.bufs {
		if b.members != nil && b.members.Has(nick) {
			out = append(out, b)
		}
	}
	return out
}

func (m *model) quit(ev event.Quit) {
	n := m.network(ev.Network)
	l := scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Quit, Nick: ev.Nick, Text: ev.Reason}
	for _, b := range m.sharedChannels(n, ev.Nick, ev.Channels) {
		b.sb.Append(l)
		b.members.Remove(ev.Nick)
	}
	if q := n.find(ev.Nick); q != nil && q.kind == queryBuf {
		q.sb.Append(l)
	}
}

func (m *model) kick(ev event.Kick) {
	n := m.network(ev.Network)
	b := n.find(ev.Channel)
	if b == nil {
		return
	}
	who := ev.Nick + " was"
	if ev.Self {
		who = "you were"
	}
	text := who + " kicked by " + ev.By
	if ev.Reason != "" {
		text += " (" + ev.Reason + ")"
	}
	b.sb.Append(scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Kick, Nick: ev.Nick, Text: text})
	if b.members != nil {
		b.members.Remove(ev.Nick)
	}
	if ev.Self {
		b.joined = false
		if b.members != nil {
			b.members.Set(nil)
		}
	}
}

func (m *model) nickChange(ev event.NickChange) {
	n := m.network(ev.Network)
	l := scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Nick, Nick: ev.Old, Text: ev.New}
	chans := m.sharedChannels(n, ev.Old, ev.Channels)
	for _, b := range chans {
		b.sb.Append(l)
		b.members.Rename(ev.Old, ev.New)
	}
	if q := n.find(ev.Old); q != nil && q.kind == queryBuf {
		q.sb.Append(l)
		m.rename(q, ev.New)
	}
	if ev.Self {
		n.nick = ev.New
		if len(chans) == 0 {
			m.line(n.server0, ev.Time, scrollback.Info, "", "you are now known as "+ev.New)
		}
	}
}

func (m *model) topic(ev event.Topic) {
	n := m.network(ev.Network)
	b := n.find(ev.Channel)
	if b == nil {
		// A reply to /topic for a channel we have no buffer for.
		b = n.server0
	} else {
		b.topic = ev.Topic
	}
	var text string
	switch {
	case ev.Changed && ev.Topic == "":
		text = ev.SetBy + " cleared the topic"
	case ev.Changed:
		text = ev.SetBy + " changed the topic to: " + ev.Topic + "\x0f"
	default:
		text = "topic: " + ev.Topic + "\x0f"
		if b.kind == serverBuf {
			text = "topic of " + ev.Channel + ": " + ev.Topic + "\x0f"
		}
		if ev.SetBy != "" {
			text += " (set by " + ev.SetBy
			if !ev.SetAt.IsZero() {
				text += " on " + ev.SetAt.In(m.loc).Format("2 Jan 2006 15:04")
			}
			text += ")"
		}
	}
	b.sb.Append(scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Topic, Nick: ev.SetBy, Text: text})
}

// paramModes are channel modes that take a parameter (besides the member
// prefix modes): list modes and keys always, limits and joins-throttle
// only when set. ISUPPORT CHANMODES would say exactly; the event does not
// carry it, and this is right on every common server.
const (
	paramAlways = "beIkfL"
	paramOnSet  = "lj"
)

func (m *model) mode(ev event.Mode) {
	n := m.network(ev.Network)
	text := ev.Modes
	for _, p := range ev.Params {
		text += " " + p
	}
	if !n.isChannel(ev.Target) {
		m.line(n.server0, ev.Time, scrollback.Mode, "", "mode "+text+" for "+ev.Target)
		return
	}
	b := n.find(ev.Target)
	if b == nil {
		return
	}
	by := ev.By
	if by == "" {
		by = "server"
	}
	b.sb.Append(scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.Mode, Nick: ev.By, Text: by + " sets mode " + text})
	on, pi := true, 0
	for i := 0; i < len(ev.Modes); i++ {
		c := ev.Modes[i]
		switch {
		case c == '+' || c == '-':
			on = c == '+'
		case indexByte(n.prefixModes, c) >= 0:
			if pi < len(ev.Params) {
				if k := indexByte(n.prefixModes, c); k < len(n.prefixes) && b.members != nil {
					b.members.SetPrefix(ev.Params[pi], n.prefixes[k], on)
				}
				pi++
			}
		case indexByte(paramAlways, c) >= 0, on && indexByte(paramOnSet, c) >= 0:
			pi++
		}
	}
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

func (m *model) away(ev event.Away) {
	n := m.network(ev.Network)
	if ev.Self {
		n.away = ev.Away
		text := "you are no longer marked as away"
		if ev.Away {
			text = "you are marked as away"
			msg := ev.Message
			if msg == "" {
				msg = n.awayMsg // the 306 answer does not repeat it
			}
			if msg != "" {
				text += ": " + msg
			}
		}
		m.line(n.server0, ev.Time, scrollback.Info, "", text)
		return
	}
	for _, b := range n.bufs {
		if b.members != nil {
			b.members.SetAway(ev.Nick, ev.Away)
		}
	}
}

func (m *model) invite(ev event.Invite) {
	n := m.network(ev.Network)
	if ev.Self || (n.nick != "" && n.fold(ev.Nick) == n.fold(n.nick)) {
		m.line(n.server0, ev.Time, scrollback.Info, "", ev.By+" invites you to "+ev.Channel+" (/join "+ev.Channel+")")
		return
	}
	b := n.find(ev.Channel)
	if b == nil {
		b = n.server0
	}
	m.line(b, ev.Time, scrollback.Info, "", ev.By+" invited "+ev.Nick+" to "+ev.Channel)
}

func (m *model) connState(ev event.ConnState) {
	n := m.network(ev.Network)
	dialFailed := n.state == event.StateConnecting && ev.State == event.StateWaiting
	n.state, n.stateSeen = ev.State, true
	if ev.State == event.StateConnecting {
		n.closing = false
	}
	if ev.Server != "" {
		n.server = ev.Server
	}
	var text string
	switch ev.State {
	case event.StateConnecting:
		text = "connecting to " + ev.Server
		if ev.TLS {
			text += " (TLS)"
		}
	case event.StateRegistering:
		text = "connected to " + ev.Server + ", registering"
	case event.StateRegistered:
		return // the Registered event says it
	case event.StateWaiting:
		switch {
		case dialFailed:
			// The connection's Error just said which address could
			// not be reached and why: only the retry is news.
			text = "not connected"
		case ev.Reason != "":
			text = "connection lost: " + ev.Reason
		default:
			text = "connection lost"
		}
		if ev.RetryIn > 0 {
			text += "; retrying in " + ev.RetryIn.Round(time.Second).String()
		}
	case event.StateDisconnected:
		text = "disconnected"
		if ev.Reason != "" {
			text += ": " + ev.Reason
		}
	}
	if ev.State != event.StateRegistered {
		n.hasLag = false
		n.historyLost()
		for _, b := range n.bufs {
			if b.kind == channelBuf {
				b.joined = false
			}
		}
	}
	m.line(n.server0, ev.Time, scrollback.Info, "", text)
}

func (m *model) ctcp(ev event.CTCP) {
	n := m.network(ev.Network)
	b := n.server0
	if n.isChannel(ev.Target) {
		if x := n.find(ev.Target); x != nil {
			b = x
		}
	} else if x := n.find(ev.From); x != nil && x.kind == queryBuf {
		b = x
	}
	var text string
	if ev.Reply {
		text = "CTCP " + ev.Command + " reply from " + ev.From
		if ev.Args != "" {
			text += ": " + ev.Args
		}
	} else {
		text = ev.From + " requested CTCP " + ev.Command
		if ev.Args != "" {
			text += " " + ev.Args
		}
	}
	b.sb.Append(scrollback.Line{Time: m.at(ev.Time), Kind: scrollback.CTCP, Nick: ev.From, Text: text})
}

// namesShown bounds the nicks a /names line lists.
const namesShown = 100

// namesLine shows a member list as a line: the answer to /names, in the
// channel's buffer or, for a channel we have none for, the server buffer.
func (m *model) namesLine(n *network, b *buffer, ev event.Names) {
	if b == nil {
		b = n.server0
	}
	var sb strings.Builder
	sb.WriteString(ev.Channel + " (" + strconv.Itoa(len(ev.Members)+ev.Untracked))
	if ev.Untracked > 0 {
		sb.WriteString(", " + strconv.Itoa(len(ev.Members)) + " listed")
	}
	sb.WriteString("):")
	for i, x := range ev.Members {
		if i == namesShown {
			sb.WriteString(" …")
			break
		}
		sb.WriteString(" ")
		if x.Prefixes != "" {
			sb.WriteString(x.Prefixes[:1])
		}
		sb.WriteString(x.Nick)
	}
	m.line(b, ev.Time, scrollback.Info, "", sb.String())
}

// errorNoteFor is how long an error shown elsewhere stays in the status
// bar; fatalNoteFor how long one that ends the connection for good does.
const (
	errorNoteFor = 5 * time.Second
	fatalNoteFor = 15 * time.Second
)

// errorNote repeats an error that went to buffer b in the status bar when
// the user is looking at another buffer of the same network (a /migrate
// refused, a /join failed), so it is not missed.
func (m *model) errorNote(n *network, b *buffer, text string) tea.Cmd {
	if m.cur == nil || m.cur == b || m.cur.net != n {
		return nil
	}
	return m.setNote(n, text+" ("+b.title()+")", statusbar.NoteError, errorNoteFor)
}

// ownBelowMarker moves b's "new messages" rule down past our own lines
// (and day separators) right under it: what we typed is never unread, and
// the rule is not drawn above it.
func ownBelowMarker(b *buffer) {
	i, ok := b.sb.Unread()
	if !ok {
		return
	}
	j := i
	for ; j < b.sb.Len(); j++ {
		if l := b.sb.Line(j); !l.Self && l.Kind != scrollback.DaySeparator {
			break
		}
	}
	switch {
	case j == i:
	case j == b.sb.Len():
		b.sb.MarkUnread()
	default:
		b.sb.MarkUnreadAt(j)
	}
}
