package session

import (
	"hash/maphash"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// Chathistory (https://ircv3.net/specs/extensions/chathistory), the
// session's part of "never miss a line".
//
//   - After a reconnect (Register called after an earlier registration; not
//     a migration, which keeps the connection's state and misses nothing),
//     once the rejoin is answered, each joined channel and each private
//     buffer that had messages gets "CHATHISTORY AFTER <buffer>
//     msgid=<newest>" (timestamp= without a msgid), paged while the server
//     returns full pages, at most maxGapPages pages per buffer. The pages
//     come back as History{Gap: true}.
//   - Our JOIN of a channel with no messages in this process asks for
//     "CHATHISTORY LATEST <channel> * 50".
//   - command.FetchHistory asks for "CHATHISTORY BEFORE <buffer> <ref> 50",
//     always answered by History{Before: true}: with no messages when the
//     page is empty or the server refuses the request (FAIL, 421), so the
//     UI can stop showing that it fetches. Empty AFTER and LATEST pages
//     emit nothing.
//
// Every CHATHISTORY line is ClassAuto: the owner holds it during a
// migration window or until the rejoin finished, like other automatic lines.
// The lines of a chathistory batch are never emitted as live Messages; the
// batch becomes one History event at its end, without the messages this
// session already emitted.
//
// Duplicate defence is decided here and nowhere else: with message-tags a
// server may deliver a message twice (a migration's hand-over buffer
// replayed, a bouncer, a live line a history page already brought). A
// message whose msgid was seen in its buffer among the last recentMsgIDs
// (live or from history) is not emitted again, whether live (duplicate)
// or in a History page (historyDone). The memory is a per-buffer ring
// keyed by the case-folded buffer name, for at most maxHistBuffers
// buffers, the least recently touched forgotten first. The connection
// owner and the UI trust the events: they filter nothing.

// historyCap is the capability chathistory is negotiated under while the
// specification is a draft.
const historyCap = "draft/chathistory"

// Limits and page sizes.
const (
	maxHistBuffers  = 2048 // buffers whose newest message and recent msgids we remember
	recentMsgIDs    = 512  // msgids remembered per buffer, for duplicate dropping
	maxHistRequests = 256  // CHATHISTORY requests awaiting their batch
	maxGapBuffers   = 200  // buffers fetched after one reconnect
	maxGapPages     = 10   // AFTER pages per buffer after one reconnect
	gapPageSize     = 100  // messages asked for per AFTER page
	latestPageSize  = 50   // messages asked for on joining a channel with no history
	beforePageSize  = 50   // messages asked for per BEFORE page
)

// histKind is what a CHATHISTORY request was for.
type histKind int

const (
	histLatest histKind = iota // joining a buffer with no history
	histGap                    // filling the time we were disconnected
	histBefore                 // an older page the UI asked for
)

// histRequest is a CHATHISTORY request awaiting its batch. Servers answer
// in order, so a batch is matched to the oldest request for its target.
type histRequest struct {
	kind   histKind
	name   string // the target as sent
	target string // folded (refolded when the case mapping changes)
	limit  int
	page   int // with histGap: 1 for the first page
}

// bufferHistory is what the session remembers of one buffer's messages, in
// this process (it survives reconnects).
type bufferHistory struct {
	name    string
	hasMsgs bool // a message was shown in the buffer in this process
	// The newest message with a msgid, and the newest message of all: a
	// msgid reference is exact, a timestamp one is the fallback.
	lastID     string
	lastIDTime time.Time
	lastTime   time.Time
	// firstLive is the time of the first live message on connection
	// liveConn: a gap page reaching it has closed the gap.
	firstLive time.Time
	liveConn  uint64
	recent    []uint64 // hashes of recent msgids (ring)
	next      int
	touched   uint64
}

// gapRef is a buffer to fill after a reconnect, with the reference taken
// when the connection was lost (before any live line of the new one).
type gapRef struct {
	name    string
	id      string
	t       time.Time
	touched uint64
}

// historyEnabled reports whether chathistory can be used on this
// connection: the capability, and batch, without which its replies could
// not be told from live lines.
func (s *Session) historyEnabled() bool {
	return s.caps[historyCap] && s.caps["batch"]
}

// pageLimit bounds want by the server's CHATHISTORY maximum.
func (s *Session) pageLimit(want int) int {
	if s.is.ChatHistory > 0 {
		return min(want, s.is.ChatHistory)
	}
	return want
}

// msgRefParam builds a message reference: msgid=<id> when id is usable and
// the server accepts msgids, else timestamp=<t>. ok is false when neither
// is available.
func (s *Session) msgRefParam(id string, t time.Time) (string, bool) {
	if id != "" && !strings.ContainsAny(id, " \r\n\x00") && len(id) <= maxNameLen && s.is.AcceptsMsgRef("msgid") {
		return "msgid=" + id, true
	}
	if !t.IsZero() && s.is.AcceptsMsgRef("timestamp") {
		return "timestamp=" + ircx.FormatServerTime(t), true
	}
	return "", false
}

// historyOf returns the record of buffer name, creating it when create is
// set (forgetting the least recently used record other than a joined
// channel's when maxHistBuffers are kept). It returns nil for the server
// buffer.
func (s *Session) historyOf(name string, create bool) *bufferHistory {
	if name == "" {
		return nil
	}
	f := s.fold(name)
	s.histTick++
	if b := s.hist[f]; b != nil {
		b.touched = s.histTick
		return b
	}
	if !create {
		return nil
	}
	if len(s.hist) >= maxHistBuffers {
		s.forgetOldestHistory()
	}
	b := &bufferHistory{name: clip(name, maxNameLen), touched: s.histTick}
	s.hist[f] = b
	return b
}

func (s *Session) forgetOldestHistory() {
	victim, oldest := "", uint64(0)
	for f, b := range s.hist {
		if s.joinedChannel(b.name) != nil {
			continue // keep the channels we are in while others can go
		}
		if victim == "" || b.touched < oldest {
			victim, oldest = f, b.touched
		}
	}
	if victim == "" {
		for f, b := range s.hist {
			if victim == "" || b.touched < oldest {
				victim, oldest = f, b.touched
			}
		}
	}
	delete(s.hist, victim)
}

// advance records a message of the buffer: its msgid for duplicate
// dropping, and as the newest reference when it is newer.
func (b *bufferHistory) advance(s *Session, msgid string, t time.Time) {
	b.hasMsgs = true
	if !t.Before(b.lastTime) {
		b.lastTime = t
	}
	if msgid == "" {
		return
	}
	if b.lastID == "" || !t.Before(b.lastIDTime) {
		b.lastID, b.lastIDTime = clip(msgid, maxNameLen), t
	}
	hash := s.msgidHash(msgid)
	if len(b.recent) < recentMsgIDs {
		b.recent = append(b.recent, hash)
		return
	}
	b.recent[b.next] = hash
	b.next = (b.next + 1) % recentMsgIDs
}

// seen reports whether msgid is among the buffer's recent msgids.
func (b *bufferHistory) seen(s *Session, msgid string) bool {
	hash := s.msgidHash(msgid)
	for _, h := range b.recent {
		if h == hash {
			return true
		}
	}
	return false
}

// msgidHash keeps msgids as 64-bit hashes with a per-session random seed:
// 8 bytes each whatever their length, and collisions cannot be crafted.
func (s *Session) msgidHash(msgid string) uint64 {
	return maphash.String(s.hashSeed, msgid)
}

// duplicate reports whether msg, a live message from the server, carries a
// msgid already seen in its buffer, so it must not be emitted again.
// Without message-tags a msgid tag means nothing and nothing is dropped.
func (s *Session) duplicate(msg event.Message) bool {
	if msg.MsgID == "" || !s.caps["message-tags"] {
		return false
	}
	if msg.Buffer == "" {
		return s.serverIDs.seen(s, msg.MsgID)
	}
	b := s.historyOf(msg.Buffer, false)
	return b != nil && b.seen(s, msg.MsgID)
}

// noteLive records a message shown in its buffer: a live one from the
// server, or (fromServer false) the local echo of a line we sent, which
// marks the buffer as having history but says nothing of the server's.
func (s *Session) noteLive(msg event.Message, fromServer bool) {
	b := s.historyOf(msg.Buffer, true)
	if b == nil {
		if fromServer && msg.MsgID != "" {
			s.serverIDs.advance(s, msg.MsgID, msg.Time)
		}
		return
	}
	if !fromServer {
		// Our clock is not the server's: a local time is a reference only
		// when the buffer has no other.
		b.hasMsgs = true
		if b.lastTime.IsZero() {
			b.lastTime = msg.Time
		}
		return
	}
	if b.liveConn != s.connSeq {
		b.liveConn, b.firstLive = s.connSeq, msg.Time
	}
	b.advance(s, msg.MsgID, msg.Time)
}

// snapshotGap takes, at a re-registration, the reference of every buffer
// that had messages: what was seen before the connection was lost.
func (s *Session) snapshotGap() {
	s.gap = s.gap[:0]
	for _, b := range s.hist {
		if !b.hasMsgs || b.lastID == "" && b.lastTime.IsZero() {
			continue
		}
		s.gap = append(s.gap, gapRef{name: b.name, id: b.lastID, t: b.lastTime, touched: b.touched})
	}
	s.gapPending = len(s.gap) > 0
}

// endOfBurst notes that the registration burst (ISUPPORT, MOTD) is over,
// so the CHATHISTORY limit is known, and fills the gap if it is time.
func (s *Session) endOfBurst() {
	s.burstDone = true
	s.fillGap()
}

// fillGap sends the first AFTER page for each buffer of the gap, once the
// session is ready (every rejoin answered) and the burst is over: joined
// channels in join order, then private buffers, most recent first.
func (s *Session) fillGap() {
	if !s.gapPending || !s.ready || !s.burstDone {
		return
	}
	s.gapPending = false
	gap := s.gap
	s.gap = nil
	if !s.historyEnabled() {
		s.log.Printf("session: reconnected without %s: %d buffers may miss lines", historyCap, len(gap))
		return
	}
	type item struct {
		gapRef
		seq uint64 // join order for channels; 0 for private buffers
	}
	var items []item
	for _, g := range gap {
		if s.is.IsChannel(g.name) {
			if ch := s.joinedChannel(g.name); ch != nil {
				items = append(items, item{gapRef: gapRef{name: ch.name, id: g.id, t: g.t, touched: g.touched}, seq: ch.seq})
			}
			continue // not rejoined: nothing to fill
		}
		items = append(items, item{gapRef: g})
	}
	sort.Slice(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if (a.seq == 0) != (b.seq == 0) {
			return a.seq != 0
		}
		if a.seq != b.seq {
			return a.seq < b.seq
		}
		return a.touched > b.touched
	})
	if len(items) > maxGapBuffers {
		s.log.Printf("session: %d buffers to fill after the reconnect; only the first %d fetched", len(items), maxGapBuffers)
		items = items[:maxGapBuffers]
	}
	for _, it := range items {
		s.requestAfter(it.name, it.id, it.t, 1)
	}
}

// requestAfter sends one AFTER page of a gap fill.
func (s *Session) requestAfter(name, id string, t time.Time, page int) {
	ref, ok := s.msgRefParam(id, t)
	if !ok || !validParam(name) {
		s.log.Printf("session: no usable reference to fetch the history of %q", clip(name, maxNameLen))
		return
	}
	s.requestHistory(histRequest{kind: histGap, page: page}, "AFTER", name, ref, gapPageSize)
}

// requestHistory sends "CHATHISTORY <sub> <target> <ref> <limit>" and
// remembers the request, so its batch is recognised.
func (s *Session) requestHistory(r histRequest, sub, target, ref string, limit int) {
	r.name, r.target = clip(target, maxNameLen), s.fold(target)
	r.limit = s.pageLimit(limit)
	if len(s.histReqs) >= maxHistRequests {
		s.log.Printf("session: more than %d chathistory requests unanswered; forgetting the oldest", maxHistRequests)
		s.histReqs = append(s.histReqs[:0], s.histReqs[1:]...)
	}
	s.histReqs = append(s.histReqs, r)
	s.send(ClassAuto, "CHATHISTORY", sub, target, ref, strconv.Itoa(r.limit))
}

// takeRequest removes and returns the oldest request for folded target.
func (s *Session) takeRequest(target string) *histRequest {
	for i, r := range s.histReqs {
		if r.target == target {
			s.histReqs = append(s.histReqs[:i], s.histReqs[i+1:]...)
			return &r
		}
	}
	return nil
}

// joinedWithoutHistory asks for the latest page of a channel we just
// joined that showed no message in this process.
func (s *Session) joinedWithoutHistory(ch *channel) {
	if !s.historyEnabled() {
		return
	}
	if b := s.hist[s.fold(ch.name)]; b != nil && b.hasMsgs {
		return
	}
	f := s.fold(ch.name)
	for _, r := range s.histReqs {
		if r.target == f && r.kind == histLatest {
			return // already asked on this connection
		}
	}
	s.requestHistory(histRequest{kind: histLatest}, "LATEST", ch.name, "*", latestPageSize)
}

// fetchBefore answers command.FetchHistory.
func (s *Session) fetchBefore(meta event.Meta, buffer, id string, before time.Time) []event.Event {
	if !s.historyEnabled() {
		return []event.Event{event.Info{Meta: meta, Buffer: buffer, Code: "ferry",
			Text: "older history is not available: the server does not offer " + historyCap}}
	}
	ref, ok := s.msgRefParam(id, before)
	if !ok { // the UI holds no line: the newest page before now
		ref = "timestamp=" + ircx.FormatServerTime(s.now())
	}
	s.requestHistory(histRequest{kind: histBefore}, "BEFORE", buffer, ref, beforePageSize)
	return nil
}

// historyDone turns a finished chathistory batch into one History event,
// and asks for the next page of a gap fill while pages come back full.
func (s *Session) historyDone(h *handling, p *historyPage) {
	if p.target == "" || !validParam(p.target) {
		s.log.Printf("session: chathistory batch without a valid target: %d lines dropped", p.lines)
		return
	}
	req := s.takeRequest(s.fold(p.target))
	sort.SliceStable(p.msgs, func(i, j int) bool { return p.msgs[i].Time.Before(p.msgs[j].Time) })
	buffer := p.target
	if ch := s.joinedChannel(buffer); ch != nil {
		buffer = ch.name
	}
	b := s.historyOf(buffer, len(p.msgs) > 0)
	ev := event.History{Meta: h.meta, Buffer: buffer}
	for _, msg := range p.msgs {
		if msg.MsgID != "" && b.seen(s, msg.MsgID) {
			continue
		}
		msg.Buffer = buffer
		b.advance(s, msg.MsgID, msg.Time)
		ev.Messages = append(ev.Messages, msg)
	}
	// Full: the server had more than one page (an unsolicited batch has
	// no known page size; only one we cut short counts).
	full := p.dropped > 0 || req != nil && p.lines >= req.limit
	ev.More = full
	if req != nil {
		ev.Gap = req.kind == histGap
		ev.Before = req.kind == histBefore
	}
	switch {
	case len(ev.Messages) > 0:
		h.emit(ev)
	case ev.Before:
		// command.FetchHistory is always answered, so the UI can stop
		// showing that it fetches. Nothing new: the UI's reference did not
		// move, and asking again would get the same page.
		ev.More = false
		h.emit(ev)
	}
	if req == nil || req.kind != histGap || !full || len(p.msgs) == 0 {
		return
	}
	newest := p.msgs[len(p.msgs)-1]
	switch {
	case req.page >= maxGapPages:
		s.log.Printf("session: %s: still missing history after %d pages; not fetching more", clip(buffer, maxNameLen), maxGapPages)
	case b.liveConn == s.connSeq && !b.firstLive.IsZero() && !newest.Time.Before(b.firstLive):
		// The page reached what arrived live on this connection: no gap left.
	default:
		s.requestAfter(buffer, newest.MsgID, newest.Time, req.page+1)
	}
}

// historyFailed handles FAIL CHATHISTORY and 421 CHATHISTORY: the request
// for the target named in the reply's context (else the oldest) is dropped,
// so a later batch for that target is not mistaken for its answer. A failed
// BEFORE request is answered by an empty History{Before: true}, as
// command.FetchHistory promises, so the UI stops waiting for it.
func (s *Session) historyFailed(h *handling, context []string) {
	var r *histRequest
	for _, c := range context {
		if r = s.takeRequest(s.fold(c)); r != nil {
			break
		}
	}
	if r == nil && len(s.histReqs) > 0 {
		first := s.histReqs[0]
		r = &first
		s.histReqs = append(s.histReqs[:0], s.histReqs[1:]...)
	}
	if r == nil || r.kind != histBefore {
		return
	}
	buffer := r.name
	if ch := s.joinedChannel(buffer); ch != nil {
		buffer = ch.name
	}
	h.emit(event.History{Meta: h.meta, Buffer: buffer, Before: true})
}
