package session

import (
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// IRCv3 batches (https://ircv3.net/specs/extensions/batch). The session
// tracks open batches only to recognise chathistory replies: a line whose
// batch tag leads (directly or through nested batches) to an open
// chathistory batch is history, not live traffic, and is collected rather
// than dispatched. Lines of every other batch type are handled as if they
// were untagged, as before batches were tracked.

// Bounds on what a server can make us hold with batches.
const (
	maxOpenBatches = 64   // batches open at once on one connection
	maxBatchLines  = 1000 // messages kept from one chathistory batch
)

// openBatch is a batch between its BATCH +ref and BATCH -ref.
type openBatch struct {
	ref    string
	typ    string
	parent *openBatch     // the batch this one was opened inside, if any
	page   *historyPage   // non-nil for a chathistory batch
	ml     *multilineText // non-nil for a multiline batch
	closed bool
	// listed are the networks a soju.im/bouncer-networks batch named
	// (bouncer.go); non-nil for such a batch.
	listed map[string]bool
}

// historyPage collects the lines of one chathistory batch.
type historyPage struct {
	target  string // the batch's target parameter, as the server wrote it
	msgs    []event.Message
	lines   int  // every line of the batch, kept or not: the server's page size
	dropped int  // messages beyond maxBatchLines
	search  bool // a soju.im/search batch: the answer to a SEARCH, not a history page
}

// isHistoryBatchType reports whether typ is the chathistory batch type
// (ratified unprefixed; early servers used the draft/ name).
func isHistoryBatchType(typ string) bool {
	return strings.EqualFold(typ, "chathistory") || strings.EqualFold(typ, "draft/chathistory")
}

// handleBatch handles "BATCH +ref type [params]" and "BATCH -ref".
func (s *Session) handleBatch(h *handling) {
	m := h.m
	ref := m.Param(0)
	if len(ref) < 2 || len(ref) > maxNameLen {
		s.log.Printf("session: BATCH with a missing or oversized reference ignored")
		return
	}
	switch ref[0] {
	case '+':
		ref = ref[1:]
		if _, dup := s.batches[ref]; dup {
			s.log.Printf("session: BATCH +%s opened twice; the second ignored", clip(ref, 64))
			return
		}
		if len(s.batches) >= maxOpenBatches {
			s.log.Printf("session: more than %d open batches; BATCH +%s ignored", maxOpenBatches, clip(ref, 64))
			return
		}
		b := &openBatch{ref: ref, typ: clip(m.Param(1), maxNameLen)}
		if parent := m.Tags["batch"]; parent != "" {
			b.parent = s.batches[parent]
		}
		switch {
		case isHistoryBatchType(b.typ):
			b.page = &historyPage{target: clip(m.Param(2), maxNameLen)}
		case isSearchBatchType(b.typ):
			b.page = &historyPage{search: true}
		case b.typ == multilineBatchType && len(m.Params) >= 3:
			b.ml = &multilineText{opener: m}
		case strings.EqualFold(b.typ, bouncerBatch):
			b.listed = map[string]bool{}
		}
		s.batches[ref] = b
	case '-':
		ref = ref[1:]
		b := s.batches[ref]
		if b == nil {
			s.log.Printf("session: BATCH -%s for a batch that is not open ignored", clip(ref, 64))
			return
		}
		delete(s.batches, ref)
		b.closed = true
		switch {
		case b.page != nil && b.page.search:
			s.searchDone(h, b.page)
		case b.page != nil:
			s.historyDone(h, b.page)
		case b.ml != nil:
			s.multilineDone(h, b.ml)
		case b.listed != nil:
			s.bouncerListed(h, b.listed)
		}
	default:
		s.log.Printf("session: BATCH %q without + or - ignored", clip(ref, 64))
	}
}

// historyBatch reports whether ref names an open batch that is, or is
// nested inside, a chathistory batch, and returns that batch's page (nil
// when the chathistory batch was already closed: the line is late and
// belongs to no page, so it is dropped rather than shown as live).
func (s *Session) historyBatch(ref string) (*historyPage, bool) {
	for b, depth := s.batches[ref], 0; b != nil && depth <= maxOpenBatches; b, depth = b.parent, depth+1 {
		if b.page != nil {
			if b.closed {
				return nil, true
			}
			return b.page, true
		}
	}
	return nil, false
}

// collectHistory keeps a PRIVMSG or NOTICE of a chathistory batch for the
// History event emitted at the batch's end. Other lines (JOIN, PART, TAGMSG,
// CTCP other than ACTION) are counted, since they fill the server's page,
// and otherwise ignored: replaying them would rewrite today's member lists
// with yesterday's.
func (s *Session) collectHistory(h *handling, p *historyPage) {
	if p == nil {
		s.log.Printf("session: %s for a chathistory batch already closed dropped", clip(h.m.Command, 32))
		return
	}
	p.lines++
	m := h.m
	if m.Command != "PRIVMSG" && m.Command != "NOTICE" {
		return
	}
	if len(m.Params) < 2 || m.Param(0) == "" {
		s.log.Printf("session: history %s without target or text ignored", m.Command)
		return
	}
	if len(p.msgs) >= maxBatchLines {
		if p.dropped == 0 {
			s.log.Printf("session: chathistory batch for %q longer than %d messages; the rest dropped", clip(p.target, maxNameLen), maxBatchLines)
		}
		p.dropped++
		return
	}
	target, raw := m.Param(0), m.Params[len(m.Params)-1]
	from := nickOf(m)
	kind, text := event.Privmsg, raw
	if m.Command == "NOTICE" {
		kind = event.Notice
	}
	if strings.HasPrefix(raw, ircx.CTCPDelim) {
		cmd, args, _ := ircx.ParseCTCP(raw)
		if cmd != "ACTION" {
			return // a past CTCP request is not answered, nor shown
		}
		kind, text = event.Action, args
	}
	self := s.isMe(from)
	msg := event.Message{
		Meta:     h.meta,
		Kind:     kind,
		From:     from,
		FromHost: userHost(m),
		Account:  m.Tags["account"],
		Target:   target,
		Text:     text,
		Self:     self,
		MsgID:    m.Tags["msgid"],
	}
	if !self {
		msg.Highlight = s.mentionsMe(text)
	}
	p.msgs = append(p.msgs, msg)
}
