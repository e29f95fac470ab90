package ui

import (
	"strconv"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"github.com/ferry-irc/ferry/ui/statusbar"
)

// Chathistory in the view (never miss a line). The network side
// fetches; the UI merges what comes back among the lines it shows:
//
//   - History{Gap}: what was said while we were disconnected. The first
//     page of a connection that adds lines gets a marker above its oldest
//     line ("12 messages while you were away"); later pages of the same
//     gap extend that marker's count. In a buffer not in view the lines
//     count as unread and the unread marker moves above the gap.
//   - History{Before}: an older page the user asked for by scrolling past
//     the top (fetchOlder). It clears the request in flight; a short page
//     (More false) ends the asking for that buffer until the next
//     registration.
//   - Any other History (the latest page on joining an empty buffer) is
//     merged plainly.
//
// A page's copy of our own line that we show without a msgid (its echo
// was lost when the connection dropped) is not added again: our line
// adopts its msgid (adoptOwn).
//
// History lines never ring the bell: they are not news in the way a live
// line is, and a gap fill of a busy channel would ring for each highlight
// the user may already have seen elsewhere.

// fetchTimeout bounds a FetchHistory in flight: the network side answers
// nothing when the server has no older lines or no chathistory, so without
// an answer by then the buffer stops asking.
const fetchTimeout = 10 * time.Second

// noOlderNoteFor is how long "no older messages" stays in the status bar.
const noOlderNoteFor = 3 * time.Second

// fetchTimeoutMsg ends buffer buf's FetchHistory seq if it is still in
// flight.
type fetchTimeoutMsg struct {
	buf *buffer
	seq uint64
}

// gapLabel is the text of a gap marker counting n lines.
func gapLabel(n int) string {
	if n == 1 {
		return "1 message while you were away"
	}
	return strconv.Itoa(n) + " messages while you were away"
}

// history merges a page of a buffer's history.
func (m *model) history(ev event.History) {
	n := m.network(ev.Network)
	b := m.ensure(n, ev.Buffer)
	if ev.Before {
		// Also a late answer after the timeout: it says whether to go on.
		b.fetching = false
		b.olderDone = !ev.More || len(ev.Messages) == 0
	}
	lines := make([]scrollback.Line, 0, len(ev.Messages))
	for _, msg := range ev.Messages {
		l := m.messageLine(n, msg)
		l.Pending, l.LocalID = false, 0 // the server has it: delivered, and not one we can update
		lines = append(lines, l)
	}
	lines = adoptOwn(b.sb, lines)
	hl := false
	for _, l := range lines {
		if !b.sb.HasMsgID(l.MsgID) {
			hl = hl || l.Highlight || (b.kind == queryBuf && !l.Self && l.Kind != scrollback.Notice)
		}
	}
	if !ev.Gap {
		b.sb.Merge(lines)
		return
	}
	var added int
	if !b.gapShown {
		var gap int
		added, gap = b.sb.MergeGap(lines, gapLabel)
		if added == 0 {
			return
		}
		b.gapShown, b.gapCount = true, added
		if b != m.cur && gap >= 0 {
			if i, ok := b.sb.Unread(); !ok || i > gap {
				b.sb.MarkUnreadAt(gap)
				ownBelowMarker(b)
			}
		}
	} else {
		if added = b.sb.Merge(lines); added == 0 {
			return
		}
		b.gapCount += added
		m.relabelGap(b)
	}
	if b != m.cur {
		b.unread += added
		if hl {
			b.highlight = true
		}
	}
	if !b.readAt.IsZero() && b.net.readMarkers {
		m.followMarker(b) // what was read on another client is not new here
	}
}

// adoptWithin bounds how many of a buffer's newest lines a history page's
// copy of our own line is matched against: the lines whose echo can have
// been lost are the last ones sent before a drop, and the scan must stay
// cheap for a page of hundreds of lines.
const adoptWithin = 500

// adoptSkew is how much older than our local line the server's copy may
// be and still be taken for it: the server stamps the line when it gets it,
// after we showed it, so only clock skew makes it older. A line queued
// offline is stamped minutes later, which is why there is no bound the
// other way. Without this bound an old page fetched by scrolling up could
// hand yesterday's msgid and time to today's line of the same text.
const adoptSkew = 5 * time.Minute

// adoptOwn takes the lines of a history page that are our own, carry a
// msgid sb does not have, and match one of our recent lines that has no
// msgid (same kind and text, not queued, not stamped much later than the
// server's copy) as that line: it adopts the msgid and the server's time,
// keeps its place, loses a failed mark (the server has it, so it arrived),
// and the page's copy is dropped. Our line got to the server, the
// connection died before its echo came back, and the gap fill returns it
// with its msgid but a server time that differs from ours, so neither the
// msgid nor Merge's time+nick+text match would see it is a line already
// shown.
//
// This is placement, not duplicate defence or echo matching: those are
// the session's (live duplicates are dropped by msgid there, and live
// echoes carry their LocalID). A history page's lines carry no LocalID and
// are not live, so only the scrollback, which holds the line without a
// msgid, can see which shown line the page's copy is; the msgid index of
// scrollback.Buffer serves this and Merge, never live messages.
//
// Pairs are made oldest first on both sides, each local line adopted at
// most once; a line not marked failed is preferred, so a failed line the
// user typed again is left failed and the retry adopts. It returns the
// lines left to merge (reusing lines' array).
func adoptOwn(sb *scrollback.Buffer, lines []scrollback.Line) []scrollback.Line {
	type key struct {
		kind scrollback.Kind
		text string
	}
	type candidate struct {
		index  int
		time   time.Time
		failed bool
		used   bool
	}
	var waiting map[key][]*candidate // built on the first own line of the page
	out := lines[:0]
	for _, l := range lines {
		if !l.Self || l.MsgID == "" || sb.HasMsgID(l.MsgID) {
			out = append(out, l)
			continue
		}
		if waiting == nil {
			waiting = make(map[key][]*candidate)
			for i := max(0, sb.Len()-adoptWithin); i < sb.Len(); i++ {
				x := sb.Line(i)
				if x.Self && x.MsgID == "" && !x.Pending && (x.Kind == scrollback.Message || x.Kind == scrollback.Action || x.Kind == scrollback.Notice) {
					k := key{x.Kind, x.Text}
					waiting[k] = append(waiting[k], &candidate{index: i, time: x.Time, failed: x.Failed})
				}
			}
		}
		var pick *candidate
		for _, c := range waiting[key{l.Kind, l.Text}] {
			if c.used || l.Time.Before(c.time.Add(-adoptSkew)) {
				continue
			}
			if pick == nil || (pick.failed && !c.failed) {
				pick = c
			}
			if !pick.failed {
				break
			}
		}
		if pick == nil {
			out = append(out, l)
			continue
		}
		pick.used = true
		sb.UpdateAt(pick.index, func(x *scrollback.Line) {
			x.MsgID = l.MsgID
			if !l.Time.IsZero() {
				x.Time = l.Time
			}
			x.Failed = false
		})
	}
	return out
}

// relabelGap updates the count of b's newest gap marker after a further
// page of the same gap.
func (m *model) relabelGap(b *buffer) {
	for i := b.sb.Len() - 1; i >= 0; i-- {
		if b.sb.Line(i).Kind == scrollback.Gap {
			b.sb.UpdateAt(i, func(l *scrollback.Line) { l.Text = gapLabel(b.gapCount) })
			return
		}
	}
}

// scrollUp is PgUp, the wheel or Home in the current buffer: when the view
// already shows the oldest kept line, the press asks for older history
// instead; otherwise scroll moves the view.
func (m *model) scrollUp(scroll func()) tea.Cmd {
	if m.width > 0 && m.height > 0 {
		// The view is sized when drawn; a buffer just switched to has
		// not been drawn at this size yet.
		g := m.geometry()
		m.cur.view.SetSize(g.msgW, g.bodyH)
	}
	if m.cur.view.AtTop() {
		return m.fetchOlder(m.cur)
	}
	scroll()
	return nil
}

// fetchOlder sends FetchHistory for the page before b's oldest line: at
// most one request in flight per buffer, none for the server buffer, none
// while the network is not registered, none once the server said there is
// no more, and none when the buffer is full (the page would be dropped at
// once as the oldest lines). It returns the request's timeout tick.
func (m *model) fetchOlder(b *buffer) tea.Cmd {
	n := b.net
	switch {
	case b.kind == serverBuf || b.fetching:
		return nil
	case n.state != event.StateRegistered:
		return nil
	case b.olderDone:
		return m.setNote(n, "no older messages", statusbar.NoteInfo, noOlderNoteFor)
	case b.sb.Len() >= b.sb.Limit():
		return m.setNote(n, "scrollback full ("+strconv.Itoa(b.sb.Limit())+" lines): older messages not fetched", statusbar.NoteInfo, noOlderNoteFor)
	}
	c := command.FetchHistory{Buffer: b.name}
	for i := range b.sb.Len() {
		l := b.sb.Line(i)
		if l.Kind == scrollback.DaySeparator || l.Kind == scrollback.Gap {
			continue
		}
		c.BeforeID, c.Before = l.MsgID, l.Time
		break
	}
	m.conn.Do(n.name, c)
	m.fetchSeq++
	b.fetching, b.fetchSeq = true, m.fetchSeq
	msg := fetchTimeoutMsg{buf: b, seq: m.fetchSeq}
	return tea.Tick(fetchTimeout, func(time.Time) tea.Msg { return msg })
}

// fetchTimedOut ends a request that got no answer: the buffer stops
// asking until the next registration.
func (m *model) fetchTimedOut(msg fetchTimeoutMsg) {
	b := msg.buf
	if b.fetching && b.fetchSeq == msg.seq {
		b.fetching, b.olderDone = false, true
	}
}

// historyReset forgets n's per-connection history state: a new
// registration starts a new gap, and the server may now have (more)
// history to give.
func (n *network) historyReset() {
	for _, b := range append([]*buffer{n.server0}, n.bufs...) {
		b.gapShown, b.gapCount, b.olderDone = false, 0, false
	}
}

// historyLost ends n's requests in flight when the connection is lost:
// their answer died with it.
func (n *network) historyLost() {
	for _, b := range n.bufs {
		b.fetching = false
	}
}

// redirect reports a 010 the network side followed or refused.
func (m *model) redirect(ev event.Redirect) tea.Cmd {
	n := m.network(ev.Network)
	if ev.Followed {
		m.line(n.server0, ev.Time, scrollback.Info, "", "redirected to "+ev.Server)
		return m.setNote(n, "redirected to "+ev.Server, statusbar.NoteAccent, redirectNoteFor)
	}
	text := "did not follow the redirect to " + ev.Server
	if ev.Reason != "" {
		text += ": " + ev.Reason
	}
	m.line(n.server0, ev.Time, scrollback.Info, "", text)
	return m.setNote(n, "redirect to "+ev.Server+" refused", statusbar.NoteError, failedNoteFor)
}

// redirectNoteFor is how long a followed redirect is noted.
const redirectNoteFor = 5 * time.Second
