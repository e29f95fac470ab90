package testnet

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// History (IRCv3 draft/chathistory): the network keeps the last
// historyLimit PRIVMSG/NOTICE lines of every channel and every private
// conversation, with their msgid and time, so a client can fill the gap a
// disconnection left. Bounded: historyLimit lines per target and
// historyTargets targets.
const (
	historyLimit   = 1000
	historyTargets = 4096
	historyMaxPage = 100
	capChathistory = "draft/chathistory"
)

type histEntry struct {
	seq    uint64
	at     time.Time
	msgid  string
	prefix *irc.Prefix
	cmd    string
	target string
	text   string
	ctags  irc.Tags
	// pend is, in cluster mode, the number this process gave its "hist"
	// event for a line recorded here, until the event comes back from the
	// stream; 0 otherwise.
	pend uint64
}

type history struct {
	entries []histEntry
	last    time.Time
	pending int // entries with pend set (cluster mode)
}

// historyKey is the folded channel name, or the two folded nicks of a
// private conversation in order.
func historyKey(a, b string) string {
	if strings.HasPrefix(a, "#") {
		return fold(a)
	}
	x, y := fold(a), fold(b)
	if x > y {
		x, y = y, x
	}
	return x + " " + y
}

func (n *Network) record(key string, e histEntry) {
	if n.hist == nil {
		n.hist = map[string]*history{}
	}
	h := n.hist[key]
	if h == nil {
		if len(n.hist) >= historyTargets {
			oldest, ot := "", time.Time{}
			for k, v := range n.hist {
				if oldest == "" || v.last.Before(ot) || v.last.Equal(ot) && k < oldest { // the same on every node
					oldest, ot = k, v.last
				}
			}
			delete(n.hist, oldest)
		}
		h = &history{}
		n.hist[key] = h
	}
	n.histSeq++
	e.seq = n.histSeq
	e.at = e.at.Truncate(time.Millisecond) // as precise as the time tags a client can refer to
	h.entries = append(h.entries, e)
	if len(h.entries) > historyLimit {
		h.entries = append(h.entries[:0:0], h.entries[len(h.entries)-historyLimit:]...)
	}
	h.last = e.at
}

// recordFromStream adds a line another node recorded (cluster mode), in
// stream order: before this node's own lines whose events are not yet
// consumed, as those come after it in the stream. Every node so ends
// with a target's shared lines in stream order.
func (n *Network) recordFromStream(key string, e histEntry) {
	n.record(key, e)
	h := n.hist[key]
	if h.pending == 0 {
		return
	}
	last := len(h.entries) - 1
	at := last
	for i := last - 1; i >= 0; i-- {
		if h.entries[i].pend != 0 {
			at = i
		}
	}
	if at == last {
		return
	}
	seqs := make([]uint64, 0, last-at+1)
	for _, x := range h.entries[at:] {
		seqs = append(seqs, x.seq)
	}
	moved := h.entries[last]
	copy(h.entries[at+1:], h.entries[at:last])
	h.entries[at] = moved
	for i, seq := range seqs { // numbered in their new order, for SEARCH
		h.entries[at+i].seq = seq
	}
}

// settleOwn marks this node's line recorded with event lseq as in its
// stream place (cluster mode: the event was consumed).
func (n *Network) settleOwn(key string, lseq uint64) {
	h := n.hist[key]
	if h == nil {
		return
	}
	for i := len(h.entries) - 1; i >= 0; i-- {
		if h.entries[i].pend == lseq {
			h.entries[i].pend = 0
			h.pending--
			return
		}
	}
}

// histRef is a CHATHISTORY message reference: "*", msgid=..., timestamp=...
type histRef struct {
	star  bool
	msgid string
	at    time.Time
}

func parseHistRef(s string) (histRef, bool) {
	switch {
	case s == "*":
		return histRef{star: true}, true
	case strings.HasPrefix(s, "msgid="):
		return histRef{msgid: s[len("msgid="):]}, len(s) > len("msgid=")
	case strings.HasPrefix(s, "timestamp="):
		t, err := time.Parse(time.RFC3339Nano, s[len("timestamp="):])
		return histRef{at: t}, err == nil
	}
	return histRef{}, false
}

// split returns the index range [lo, hi): entries strictly before the
// reference end at lo, entries strictly after start at hi.
func (h *history) split(r histRef) (lo, hi int, ok bool) {
	if r.msgid != "" {
		for i, e := range h.entries {
			if e.msgid == r.msgid {
				return i, i + 1, true
			}
		}
		return 0, 0, false
	}
	lo = sort.Search(len(h.entries), func(i int) bool { return !h.entries[i].at.Before(r.at) })
	hi = sort.Search(len(h.entries), func(i int) bool { return h.entries[i].at.After(r.at) })
	return lo, hi, true
}

// chathistory answers CHATHISTORY LATEST/BEFORE/AFTER/AROUND/BETWEEN/TARGETS.
func (n *Network) chathistory(u *user, m *irc.Message) {
	fail := func(code string, ctx ...string) {
		n.fromServer(u, "FAIL", append(append([]string{"CHATHISTORY", code}, ctx...), "Invalid CHATHISTORY request")...)
	}
	sub := strings.ToUpper(m.Param(0))
	if sub == "TARGETS" {
		n.historyTargets(u, m, fail)
		return
	}
	switch sub {
	case "LATEST", "BEFORE", "AFTER", "AROUND":
		if len(m.Params) < 4 {
			fail("NEED_MORE_PARAMS", sub)
			return
		}
	case "BETWEEN":
		if len(m.Params) < 5 {
			fail("NEED_MORE_PARAMS", sub)
			return
		}
	case "":
		fail("NEED_MORE_PARAMS", "*")
		return
	default:
		fail("UNKNOWN_COMMAND", sub)
		return
	}
	target := m.Param(1)
	limit, err := strconv.Atoi(m.Params[len(m.Params)-1])
	if err != nil || limit < 1 {
		fail("INVALID_PARAMS", sub)
		return
	}
	limit = min(limit, historyMaxPage)
	key, ok := n.historyAccess(u, target)
	if !ok {
		fail("INVALID_TARGET", sub, target)
		return
	}
	h := n.hist[key]
	if h == nil {
		h = &history{}
	}
	ref, ok := parseHistRef(m.Param(2))
	if !ok || ref.star && sub != "LATEST" {
		fail("INVALID_PARAMS", sub, m.Param(2))
		return
	}
	var out []histEntry
	all := h.entries
	switch sub {
	case "LATEST":
		from := 0
		if !ref.star {
			if _, hi, ok := h.split(ref); ok {
				from = hi
			}
		}
		out = all[max(from, len(all)-limit):]
	case "BEFORE":
		lo, _, ok := h.split(ref)
		if ok {
			out = all[max(0, lo-limit):lo]
		}
	case "AFTER":
		_, hi, ok := h.split(ref)
		if ok {
			out = all[hi:min(len(all), hi+limit)]
		}
	case "AROUND":
		lo, hi, ok := h.split(ref)
		if ok {
			before := limit / 2
			start := max(0, lo-before)
			out = all[start:min(len(all), max(hi, start+limit))]
			if len(out) > limit {
				out = out[:limit]
			}
		}
	case "BETWEEN":
		ref2, ok2 := parseHistRef(m.Param(3))
		if !ok2 || ref2.star {
			fail("INVALID_PARAMS", sub, m.Param(3))
			return
		}
		_, hiA, okA := h.split(ref)
		loB, _, okB := h.split(ref2)
		if okA && okB && hiA <= loB {
			out = all[hiA:loB]
			if len(out) > limit {
				out = out[:limit]
			}
		} else if loA, _, okA := h.split(ref); okA {
			if _, hiB, okB := h.split(ref2); okB && hiB <= loA {
				out = all[hiB:loA]
				if len(out) > limit {
					out = out[len(out)-limit:]
				}
			}
		}
	}
	n.historyBatch(u, out, "chathistory", target)
}

// historyAccess returns the history key of target if u may read it: a
// channel u is in, or u's private conversation with a nick. Every history
// reader (CHATHISTORY, SEARCH) goes through it or readableHistory.
func (n *Network) historyAccess(u *user, target string) (key string, ok bool) {
	if strings.HasPrefix(target, "#") {
		ch := n.chans[fold(target)]
		if ch == nil || ch.members[u] == nil {
			return "", false
		}
		return historyKey(target, ""), true
	}
	if !validNick(target) {
		return "", false
	}
	return historyKey(u.nick, target), true
}

// readableHistory calls f with the name and kept history of every target
// u may read: the channels u is in and u's private conversations (named
// by the other nick, as its user currently spells it).
func (n *Network) readableHistory(u *user, f func(name string, h *history)) {
	for ch := range u.chans {
		if h := n.hist[fold(ch.name)]; h != nil {
			f(ch.name, h)
		}
	}
	me := fold(u.nick)
	for key, h := range n.hist {
		x, y, ok := strings.Cut(key, " ")
		if !ok || (x != me && y != me) {
			continue
		}
		other := x
		if x == me {
			other = y
		}
		if o := n.users[other]; o != nil {
			other = o.nick
		}
		f(other, h)
	}
}

// historyBatch replays out to u as CHATHISTORY does: in a batch of type
// kind (with params) when u has enabled batch, each line with its original
// prefix, time and msgid as u's capabilities allow.
func (n *Network) historyBatch(u *user, out []histEntry, kind string, params ...string) {
	n.batchSeq++
	id := "h" + strconv.FormatUint(n.batchSeq, 36)
	if u.caps["batch"] {
		n.fromServer(u, "BATCH", append([]string{"+" + id, kind}, params...)...)
	}
	for _, e := range out {
		x := msgCtx{at: e.at, msgid: e.msgid, ctags: e.ctags, batch: id}
		n.deliver(u, &irc.Message{Prefix: e.prefix, Command: e.cmd, Params: []string{e.target, e.text}}, x)
	}
	if u.caps["batch"] {
		n.fromServer(u, "BATCH", "-"+id)
	}
}

// historyTargets answers CHATHISTORY TARGETS <ts> <ts> <limit>: the
// channels and nicks u has history with, by latest activity.
func (n *Network) historyTargets(u *user, m *irc.Message, fail func(string, ...string)) {
	if len(m.Params) < 4 {
		fail("NEED_MORE_PARAMS", "TARGETS")
		return
	}
	a, okA := parseHistRef(m.Param(1))
	b, okB := parseHistRef(m.Param(2))
	limit, err := strconv.Atoi(m.Param(3))
	if !okA || !okB || a.at.IsZero() || b.at.IsZero() || err != nil || limit < 1 {
		fail("INVALID_PARAMS", "TARGETS")
		return
	}
	if b.at.Before(a.at) {
		a, b = b, a
	}
	type tgt struct {
		name string
		last time.Time
	}
	var list []tgt
	n.readableHistory(u, func(name string, h *history) {
		if h.last.After(a.at) && h.last.Before(b.at) {
			list = append(list, tgt{name, h.last})
		}
	})
	sort.Slice(list, func(i, j int) bool { return list[i].last.Before(list[j].last) })
	if len(list) > min(limit, historyMaxPage) {
		list = list[:min(limit, historyMaxPage)]
	}
	n.batchSeq++
	id := "t" + strconv.FormatUint(n.batchSeq, 36)
	if u.caps["batch"] {
		n.fromServer(u, "BATCH", "+"+id, "draft/chathistory-targets")
	}
	for _, t := range list {
		n.deliver(u, &irc.Message{Prefix: &irc.Prefix{Name: u.node.name}, Command: "CHATHISTORY", Params: []string{"TARGETS", t.name, t.last.UTC().Format("2006-01-02T15:04:05.000Z")}}, msgCtx{at: n.now(), batch: id})
	}
	if u.caps["batch"] {
		n.fromServer(u, "BATCH", "-"+id)
	}
}
