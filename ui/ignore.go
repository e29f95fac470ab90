package ui

import (
	"errors"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
)

// Ignoring: a network's ignore list holds nicks and nick!user@host masks
// (* and ? match anything). Messages, notices, CTCP requests and invites
// from a match are not shown (history pages and server search results
// included); joins, parts and nick changes still are, so the member list
// stays true. The list starts from the config file's ignore = [...] and
// /ignore and /unignore change it for the session.

// ignored reports whether nick (with user@host, when known) is ignored.
func (n *network) ignored(nick, userHost string) bool {
	if nick == "" || len(n.ignores) == 0 {
		return false
	}
	full := n.fold(nick) + "!" + strings.ToLower(userHost)
	if userHost == "" {
		full += "*@*" // unknown: a literal "*@*" that only a mask not naming a host matches
	}
	for _, e := range n.ignores {
		if !isMask(e) {
			if n.fold(e) == n.fold(nick) {
				return true
			}
			continue
		}
		if globMatch(n.fold(e), full) {
			return true
		}
	}
	return false
}

// isMask reports whether an ignore entry is a mask rather than a nick.
func isMask(e string) bool { return strings.ContainsAny(e, "!@*?") }

// globMatch matches s against pattern, where * is any run of bytes and ?
// one byte; everything else is literal (nicks may contain [ and ], which
// path.Match would read as classes). Iterative, linear in practice.
func globMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// filterIgnored drops ignored senders' messages from a history page or
// search results.
func (n *network) filterIgnored(msgs []event.Message) []event.Message {
	if len(n.ignores) == 0 {
		return msgs
	}
	out := msgs[:0:0]
	for _, msg := range msgs {
		if msg.Self || !n.ignored(msg.From, msg.FromHost) {
			out = append(out, msg)
		}
	}
	return out
}

// ignoreCmd is /ignore [nick|mask] (alone: the list) and /unignore.
func (n *network) ignoreCmd(arg string, add bool) (string, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" { // /ignore alone (/unignore needs an argument)
		if len(n.ignores) == 0 {
			return "nobody is ignored on " + n.name, nil
		}
		return "ignored on " + n.name + ": " + strings.Join(n.ignores, ", "), nil
	}
	if strings.ContainsAny(arg, " ,") {
		return "", errors.New("give one nick or nick!user@host mask")
	}
	for i, e := range n.ignores {
		if n.fold(e) != n.fold(arg) {
			continue
		}
		if add {
			return arg + " is already ignored", nil
		}
		n.ignores = append(n.ignores[:i:i], n.ignores[i+1:]...)
		return arg + " is no longer ignored (for this session; the config file's ignore list is unchanged)", nil
	}
	if !add {
		return "", errors.New(arg + " is not ignored")
	}
	n.ignores = append(n.ignores, arg)
	return "ignoring " + arg + " on " + n.name + " (for this session; add it to ignore = [...] in the config file to keep it)", nil
}
