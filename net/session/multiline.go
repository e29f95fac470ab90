package session

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// draft/multiline (https://ircv3.net/specs/extensions/multiline): a
// message of several lines, or one line longer than a protocol line, goes
// out as one batch of PRIVMSG or NOTICE lines, and a received batch is one
// message whose lines are joined with "\n" (pieces tagged
// draft/multiline-concat are joined to the line before without one).

const (
	multilineCap       = "draft/multiline"
	multilineBatchType = "draft/multiline"
	concatTag          = "draft/multiline-concat"
)

// Bounds on a received multiline batch, whatever limits the server
// advertises: past them the rest of the batch is dropped.
const (
	maxMultilineBytes = 64 << 10
	maxMultilineLines = 1000
)

// multilineLimits are the server's limits from the capability value.
type multilineLimits struct {
	maxBytes int
	maxLines int // 0: none
}

// multiline reports the server's limits when multiline messages can be
// sent and received on this connection (the capability and batch are
// enabled, and max-bytes, which the spec requires, is valid).
func (s *Session) multiline() (multilineLimits, bool) {
	if !s.caps[multilineCap] || !s.caps["batch"] {
		return multilineLimits{}, false
	}
	var l multilineLimits
	for _, kv := range strings.Split(s.offered[multilineCap], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			continue
		}
		switch k {
		case "max-bytes":
			l.maxBytes = n
		case "max-lines":
			l.maxLines = n
		}
	}
	if l.maxBytes <= 0 {
		return multilineLimits{}, false
	}
	return l, true
}

// multilineText collects the lines of a received multiline batch until
// its end.
type multilineText struct {
	opener  *irc.Message // the BATCH +ref line: source, target and tags of the message
	command string       // PRIVMSG or NOTICE, from the first line
	text    strings.Builder
	lines   int
	dropped bool
}

// multilineBatch returns the open multiline batch ref names, nil when ref
// is not one.
func (s *Session) multilineBatch(ref string) *multilineText {
	if b := s.batches[ref]; b != nil {
		return b.ml
	}
	return nil
}

// collectMultiline keeps a line of a multiline batch for the message
// emitted at the batch's end.
func (s *Session) collectMultiline(h *handling, ml *multilineText) {
	m := h.m
	if m.Command != "PRIVMSG" && m.Command != "NOTICE" {
		s.log.Printf("session: %s inside a multiline batch ignored", clip(m.Command, 32))
		return
	}
	if len(m.Params) < 2 {
		return
	}
	if ml.command == "" {
		ml.command = m.Command
	}
	text := m.Params[len(m.Params)-1]
	if ml.lines >= maxMultilineLines || ml.text.Len()+1+len(text) > maxMultilineBytes {
		if !ml.dropped {
			ml.dropped = true
			s.log.Printf("session: multiline batch longer than %d lines or %d bytes; the rest dropped", maxMultilineLines, maxMultilineBytes)
		}
		return
	}
	if _, concat := m.Tags[concatTag]; ml.lines > 0 && !concat {
		ml.text.WriteByte('\n')
	}
	ml.text.WriteString(text)
	ml.lines++
}

// multilineDone turns a closed multiline batch into one message, handled
// like a PRIVMSG or NOTICE with the batch's source and tags (its msgid and
// time), so echo matching, duplicates and highlights work as for a line.
func (s *Session) multilineDone(h *handling, ml *multilineText) {
	if ml.lines == 0 {
		return
	}
	o := ml.opener
	m := &irc.Message{Tags: irc.Tags{}, Prefix: o.Prefix, Command: ml.command,
		Params: []string{o.Param(2), ml.text.String()}}
	for k, v := range o.Tags {
		if k != "batch" {
			m.Tags[k] = v
		}
	}
	sub := &handling{s: s, m: m, meta: s.meta(m)}
	s.handleText(sub)
	h.evs = append(h.evs, sub.evs...)
}

// sendsMultiline reports whether c goes out as multiline batches: the
// server takes them, and the text has several lines or one too long for
// a protocol line. Actions stay CTCP lines.
func (s *Session) sendsMultiline(c command.SendText, text string, budget int) (multilineLimits, bool) {
	l, ok := s.multiline()
	if !ok || c.Kind == event.Action {
		return l, false
	}
	return l, strings.Contains(strings.Trim(text, "\n"), "\n") || len(text) > budget
}

// mlPiece is one line of an outgoing batch.
type mlPiece struct {
	text   string
	concat bool // joined to the line before without a newline
}

// multilineBatches cuts text into batches within the server's limits:
// each line into pieces of at most budget bytes (continuations tagged
// concat), pieces into batches of at most maxLines lines and maxBytes of
// text, newlines counted. A batch never starts with a continuation. Blank
// lines are left out.
func multilineBatches(text string, budget int, l multilineLimits) [][]mlPiece {
	budget = max(min(budget, l.maxBytes), utf8.UTFMax)
	var out [][]mlPiece
	var cur []mlPiece
	size := 0
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		for i, p := range splitConcat(line, budget) {
			add := len(p)
			if len(cur) > 0 && i == 0 {
				add++ // the newline before it
			}
			if len(cur) > 0 && (size+add > l.maxBytes || l.maxLines > 0 && len(cur) >= l.maxLines) {
				out = append(out, cur)
				cur, size, add = nil, 0, len(p)
			}
			cur = append(cur, mlPiece{text: p, concat: i > 0 && len(cur) > 0})
			size += add
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// splitConcat cuts line into pieces of at most limit bytes that give the
// line back when concatenated: a cut after a space keeps the space at the
// end of the piece, else the cut falls between runes.
func splitConcat(line string, limit int) []string {
	var out []string
	for len(line) > limit {
		cut := strings.LastIndexByte(line[:limit], ' ') + 1
		if cut <= 0 {
			cut = limit
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			if cut == 0 {
				cut = limit
			}
		}
		out = append(out, line[:cut])
		line = line[cut:]
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// batchText is how a batch reads: its lines joined with newlines,
// continuations without.
func batchText(b []mlPiece) string {
	var sb strings.Builder
	for i, p := range b {
		if i > 0 && !p.concat {
			sb.WriteByte('\n')
		}
		sb.WriteString(p.text)
	}
	return sb.String()
}

// sendMultiline sends text as multiline batches, each a line of the typed
// message (Part) as a split line would be: one event.Message per batch,
// its lines shown joined, and one echo expected per batch. Every wire line
// of a batch, BATCH lines included, carries the message's LocalID and the
// batch's reference (Outgoing.Batch), so the owner keeps a batch together.
func (s *Session) sendMultiline(meta event.Meta, c command.SendText, text, cmd, buffer string, budget int, l multilineLimits) []event.Event {
	var evs []event.Event
	for part, b := range multilineBatches(text, budget, l) {
		s.batchSeq++
		ref := "ml" + strconv.FormatUint(s.batchSeq, 36)
		out := func(m *irc.Message) {
			s.sendMsg(Outgoing{Msg: m, Class: ClassUser, LocalID: c.ID, At: meta.Time, Batch: ref})
		}
		out(&irc.Message{Prefix: &irc.Prefix{}, Command: "BATCH", Params: []string{"+" + ref, multilineBatchType, c.Target}})
		for _, p := range b {
			tags := irc.Tags{"batch": ref}
			if p.concat {
				tags[concatTag] = ""
			}
			out(&irc.Message{Tags: tags, Prefix: &irc.Prefix{}, Command: cmd, Params: []string{c.Target, p.text}})
		}
		out(&irc.Message{Prefix: &irc.Prefix{}, Command: "BATCH", Params: []string{"-" + ref}})
		shown := batchText(b)
		s.expectEcho(c.ID, part, cmd, c.Target, shown)
		ev := event.Message{
			Meta: meta, Kind: c.Kind, Buffer: buffer, From: s.nick, FromHost: s.userHostGuess(),
			Target: c.Target, Text: shown, Self: true, LocalID: c.ID,
		}
		if c.ID != 0 {
			ev.Part = part
		}
		s.noteLive(ev, false)
		evs = append(evs, ev)
	}
	return evs
}

// OpensBatch reports whether o is the BATCH +ref line that opens the
// multiline batch it belongs to: the lines after it up to BATCH -ref must
// go to the same server.
func (o Outgoing) OpensBatch() bool {
	return o.Batch != "" && o.Msg != nil && o.Msg.Command == "BATCH" && strings.HasPrefix(o.Msg.Param(0), "+")
}
