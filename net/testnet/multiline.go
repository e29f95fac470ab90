package testnet

import (
	"strconv"
	"strings"

	"gopkg.in/irc.v4"
)

// draft/multiline (https://ircv3.net/specs/extensions/multiline): a client
// sends "BATCH +ref draft/multiline <target>", PRIVMSG or NOTICE lines
// tagged batch=ref (a line tagged draft/multiline-concat continues the one
// before it), then "BATCH -ref". Nothing is relayed before the batch ends;
// then recipients with the capability get it as one batch, the others
// line by line. Violations of the advertised limits, or of the batch's
// form, end the batch with FAIL BATCH and nothing of it is relayed.

const (
	capMultiline      = "draft/multiline"
	multilineMaxBytes = 4096
	multilineMaxLines = 24
	tagConcat         = "draft/multiline-concat"
)

// multilineValue is the capability's CAP LS 302 value.
var multilineValue = "max-bytes=" + strconv.Itoa(multilineMaxBytes) + ",max-lines=" + strconv.Itoa(multilineMaxLines)

// clientBatch is a multiline batch a client is sending.
type clientBatch struct {
	ref     string
	target  string
	command string // PRIVMSG or NOTICE, from the first line
	lines   []batchLine
	bytes   int
	failed  bool // a FAIL was sent: the rest is read and dropped
	ctags   irc.Tags
}

type batchLine struct {
	text   string
	concat bool
}

// openBatch handles BATCH from a registered client.
func (n *Network) openBatch(u *user, m *irc.Message) {
	fail := func(code string, ctx ...string) {
		n.fromServer(u, "FAIL", append(append([]string{"BATCH", code}, ctx...), "Invalid multiline batch")...)
	}
	ref := m.Param(0)
	if len(ref) < 2 || len(ref) > 64 {
		fail("INVALID_REFTAG")
		return
	}
	switch ref[0] {
	case '+':
		if m.Param(1) != capMultiline || !u.caps[capMultiline] {
			fail("UNKNOWN_TYPE", m.Param(1))
			return
		}
		if u.batch != nil {
			fail("MULTILINE_INVALID", "a multiline batch is already open")
			return
		}
		target := m.Param(2)
		if target == "" {
			fail("MULTILINE_INVALID_TARGET", "*")
			return
		}
		b := &clientBatch{ref: ref[1:], target: target}
		for k, v := range m.Tags {
			if strings.HasPrefix(k, "+") && u.caps["message-tags"] {
				if b.ctags == nil {
					b.ctags = irc.Tags{}
				}
				b.ctags[k] = v
			}
		}
		u.batch = b
	case '-':
		b := u.batch
		if b == nil || b.ref != ref[1:] {
			fail("INVALID_REFTAG", ref[1:])
			return
		}
		u.batch = nil
		if b.failed {
			return
		}
		if len(b.lines) == 0 || b.lines[0].concat {
			fail("MULTILINE_INVALID", "the batch is empty or starts with a continuation")
			return
		}
		n.relayBatch(u, b)
	default:
		fail("INVALID_REFTAG", ref)
	}
}

// batchLine takes a line tagged with the batch of u's open multiline
// batch; it reports false for a line that is not part of one.
func (n *Network) inBatch(u *user, m *irc.Message) bool {
	ref, ok := m.Tags["batch"]
	if !ok || m.Command == "BATCH" {
		return false
	}
	b := u.batch
	if b == nil || b.ref != ref {
		n.fromServer(u, "FAIL", "BATCH", "INVALID_REFTAG", ref, "No such batch is open")
		return true
	}
	if b.failed {
		return true
	}
	fail := func(code string, ctx ...string) {
		b.failed = true
		n.fromServer(u, "FAIL", append(append([]string{"BATCH", code}, ctx...), "Invalid multiline batch")...)
	}
	if m.Command != "PRIVMSG" && m.Command != "NOTICE" || b.command != "" && m.Command != b.command {
		fail("MULTILINE_INVALID", "only PRIVMSG or only NOTICE lines")
		return true
	}
	if !strings.EqualFold(m.Param(0), b.target) || len(m.Params) < 2 {
		fail("MULTILINE_INVALID_TARGET", m.Param(0))
		return true
	}
	b.command = m.Command
	_, concat := m.Tags[tagConcat]
	text := m.Param(1)
	if concat && text == "" {
		fail("MULTILINE_INVALID", "an empty continuation")
		return true
	}
	b.bytes += len(text)
	if len(b.lines)+1 > multilineMaxLines {
		fail("MULTILINE_MAX_LINES", strconv.Itoa(multilineMaxLines))
		return true
	}
	if b.bytes > multilineMaxBytes {
		fail("MULTILINE_MAX_BYTES", strconv.Itoa(multilineMaxBytes))
		return true
	}
	b.lines = append(b.lines, batchLine{text: text, concat: concat})
	return true
}

// takesMultiline reports whether r gets multiline messages as batches.
func takesMultiline(r *user) bool {
	return r.caps[capMultiline] && r.caps["batch"] && r.local == nil
}

// relayBatch delivers a complete batch: one batch to recipients with the
// capability (the sender too, with echo-message), separate lines to the
// others. Channel history keeps the separate lines.
func (n *Network) relayBatch(u *user, b *clientBatch) {
	var recipients []*user
	target := b.target
	notice := b.command == "NOTICE"
	if strings.HasPrefix(target, "#") {
		ch := n.chans[fold(target)]
		if ch == nil || ch.noExternal && ch.members[u] == nil {
			n.fromServer(u, "FAIL", "BATCH", "MULTILINE_INVALID_TARGET", target, "Cannot send to that channel")
			return
		}
		target = ch.name
		for _, mu := range ch.sortedMembers() {
			if mu != u {
				recipients = append(recipients, mu)
			}
		}
	} else {
		t := n.users[fold(target)]
		if t == nil {
			n.fromServer(u, "FAIL", "BATCH", "MULTILINE_INVALID_TARGET", target, "No such nick")
			return
		}
		target = t.nick
		recipients = append(recipients, t)
	}
	if u.caps["echo-message"] {
		recipients = append(recipients, u)
	}
	at := n.now()
	batchID := n.nextMsgID()
	lineIDs := make([]string, len(b.lines))
	for i, l := range b.lines {
		lineIDs[i] = n.nextMsgID()
		key := historyKey(target, "")
		if !strings.HasPrefix(target, "#") {
			key = historyKey(u.nick, target)
		}
		if u.local == nil {
			n.record(key, histEntry{at: at, msgid: lineIDs[i], prefix: u.prefix(), cmd: b.command, target: target, text: l.text, ctags: b.ctags})
		}
	}
	for _, r := range recipients {
		if takesMultiline(r) {
			n.batchSeq++
			ref := "m" + strconv.FormatUint(n.batchSeq, 36)
			n.deliver(r, &irc.Message{Prefix: u.prefix(), Command: "BATCH", Params: []string{"+" + ref, capMultiline, target}},
				msgCtx{at: at, msgid: batchID, ctags: b.ctags})
			for _, l := range b.lines {
				n.deliver(r, &irc.Message{Prefix: u.prefix(), Command: b.command, Params: []string{target, l.text}},
					msgCtx{at: at, batch: ref, concat: l.concat})
			}
			n.deliver(r, &irc.Message{Prefix: u.prefix(), Command: "BATCH", Params: []string{"-" + ref}}, msgCtx{})
			continue
		}
		for i, l := range b.lines {
			n.deliver(r, &irc.Message{Prefix: u.prefix(), Command: b.command, Params: []string{target, l.text}},
				msgCtx{at: at, msgid: lineIDs[i], ctags: b.ctags})
		}
	}
	if t := n.users[fold(target)]; t != nil && t.away != "" && !notice {
		n.numeric(u, RPL_AWAY, t.nick, t.away)
	}
}
