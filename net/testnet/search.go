package testnet

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// Search (soju.im/search, as soju, senpai and goguma use it): SEARCH
// <attrs> finds PRIVMSG/NOTICE lines in the history the network keeps for
// draft/chathistory and replays the most recent matches, oldest first, in
// a "soju.im/search" batch. The work is bounded by that history
// (historyLimit lines per target) and the reply by historyMaxPage lines.
const capSearch = "soju.im/search"

// searchQuery is a parsed SEARCH attribute list.
type searchQuery struct {
	text          string // lower-cased substring of the message text
	in            string // channel or nick; "" for every readable target
	from          string // folded sender nick; "" for anyone
	after, before time.Time
	limit         int
}

// searchError is a FAIL SEARCH reply: code, its context, a description.
type searchError struct {
	code, ctx, desc string
}

// parseSearch reads SEARCH's one parameter: key=value pairs separated by
// ";", values escaped as message-tag values. Unknown keys are ignored; a
// repeated key keeps its last value.
func parseSearch(attrs string) (searchQuery, *searchError) {
	q := searchQuery{limit: historyMaxPage}
	for rest := attrs; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, ";")
		key, raw, _ := strings.Cut(pair, "=")
		v := unescapeTagValue(raw)
		switch key {
		case "text":
			q.text = strings.ToLower(v)
		case "in":
			q.in = v
		case "from":
			q.from = fold(v)
		case "after", "before":
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return q, &searchError{"INVALID_PARAMS", key, "Invalid timestamp " + v}
			}
			if key == "after" {
				q.after = t
			} else {
				q.before = t
			}
		case "limit":
			l, err := strconv.Atoi(v)
			switch {
			case errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(v, "-"):
				l = historyMaxPage
			case err != nil || l < 1:
				return q, &searchError{"INVALID_PARAMS", key, "Invalid limit " + v}
			}
			q.limit = min(l, historyMaxPage)
		}
	}
	if q.text == "" {
		return q, &searchError{"NEED_MORE_PARAMS", "", "Missing search text"}
	}
	return q, nil
}

// unescapeTagValue undoes IRCv3 message-tag value escaping (irc.v4 keeps
// its own unexported): \: is ";", \s a space, \\ a backslash, \r and \n
// themselves; a backslash before any other character is dropped, and a
// trailing one too.
func unescapeTagValue(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			break
		}
		switch s[i] {
		case ':':
			b.WriteByte(';')
		case 's':
			b.WriteByte(' ')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

func (q *searchQuery) match(e *histEntry) bool {
	if !q.after.IsZero() && !e.at.After(q.after) {
		return false
	}
	if !q.before.IsZero() && !e.at.Before(q.before) {
		return false
	}
	if q.from != "" && (e.prefix == nil || fold(e.prefix.Name) != q.from) {
		return false
	}
	return strings.Contains(strings.ToLower(e.text), q.text)
}

// search answers SEARCH for a client that enabled soju.im/search; to any
// other it is an unknown command.
func (n *Network) search(u *user, m *irc.Message) {
	if !u.caps[capSearch] {
		n.numeric(u, ERR_UNKNOWNCOMMAND, m.Command, "Unknown command")
		return
	}
	fail := func(e *searchError) {
		params := []string{"SEARCH", e.code}
		if e.ctx != "" {
			params = append(params, e.ctx)
		}
		n.fromServer(u, "FAIL", append(params, e.desc)...)
	}
	if len(m.Params) == 0 {
		fail(&searchError{"NEED_MORE_PARAMS", "", "Missing search attributes"})
		return
	}
	q, err := parseSearch(m.Params[0])
	if err != nil {
		fail(err)
		return
	}
	var out []histEntry // at most 2*q.limit: the newest q.limit so far, plus one target's
	add := func(h *history) {
		var oldest uint64 // of a full page kept so far: older lines cannot enter it
		if len(out) == q.limit {
			oldest = out[q.limit-1].seq
		}
		found := 0
		for i := len(h.entries) - 1; i >= 0 && found < q.limit; i-- {
			e := &h.entries[i]
			if e.seq < oldest {
				break
			}
			if q.match(e) {
				out = append(out, *e)
				found++
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].seq > out[j].seq })
		if len(out) > q.limit {
			out = out[:q.limit]
		}
	}
	if q.in != "" {
		key, ok := n.historyAccess(u, q.in)
		if !ok {
			fail(&searchError{"INVALID_TARGET", q.in, "Cannot search " + q.in})
			return
		}
		if h := n.hist[key]; h != nil {
			add(h)
		}
	} else {
		n.readableHistory(u, func(_ string, h *history) { add(h) })
	}
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	n.historyBatch(u, out, capSearch)
}
