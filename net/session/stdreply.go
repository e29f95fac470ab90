package session

import (
	"strings"

	"github.com/ferry-irc/ferry/net/event"
)

// IRCv3 standard replies (https://ircv3.net/specs/extensions/standard-replies):
// "FAIL|WARN|NOTE <command> <code> [<context>...] :<description>". Every
// one becomes a readable line: the description, with the code in
// parentheses for whoever looks it up. FAIL is an error, WARN a warning,
// NOTE a plain note. The line goes to the buffer that sent the command
// when the reply is labelled (label.go); else to the buffer a context
// parameter names (a channel we are in, or a nick or channel whose
// messages we have); else to the server buffer.

// handleStandardReply handles FAIL, WARN and NOTE.
func (s *Session) handleStandardReply(h *handling) {
	m := h.m
	cmd := m.Param(0)
	if strings.EqualFold(cmd, "MIGRATE") {
		return // the migrate state machine's business
	}
	if m.Command == "FAIL" && strings.EqualFold(cmd, "BOUNCER") {
		s.bouncerFailed(h)
	}
	if m.Command == "FAIL" && strings.EqualFold(cmd, "CHATHISTORY") && len(m.Params) >= 3 {
		s.historyFailed(h, m.Params[2:len(m.Params)-1])
	}
	if m.Command == "FAIL" && strings.EqualFold(cmd, "MARKREAD") && s.markReadFailed(h) {
		return // ferry's own request: not an error to show where the user reads
	}
	if m.Command == "FAIL" && strings.EqualFold(cmd, "SEARCH") && s.searchFailed(h, m.Trailing()) {
		return // SearchResults carries it to the buffer that asked
	}
	info := event.Info{Meta: h.meta, Code: m.Command, Error: m.Command == "FAIL", Warn: m.Command == "WARN"}
	info.Text = standardReplyText(m.Params)
	if len(m.Params) >= 3 {
		info.Buffer = s.contextBuffer(m.Params[2 : len(m.Params)-1])
	}
	info.Text = clip(info.Text, maxLine)
	if info.Text != "" {
		h.emit(info)
	}
}

// standardReplyText is the line shown for a standard reply's parameters:
// "<command>: <description> (<code>)", the command left out when it is
// "*" (a reply about no command in particular).
func standardReplyText(p []string) string {
	switch len(p) {
	case 0:
		return ""
	case 1:
		return p[0]
	case 2: // no code: a malformed reply, shown as it came
		return strings.Join(p, " ")
	}
	desc, code, cmd := p[len(p)-1], p[1], p[0]
	text := desc
	if cmd != "*" && cmd != "" {
		text = cmd + ": " + desc
	}
	if code != "" && code != "*" {
		text += " (" + code + ")"
	}
	return text
}

// contextBuffer returns the first context parameter naming a buffer the
// session knows: a channel we are in, or a channel or nick whose messages
// we have seen or sent. "" leaves the line to the server buffer.
func (s *Session) contextBuffer(ctx []string) string {
	for _, p := range ctx {
		if !validParam(p) {
			continue
		}
		if ch := s.joinedChannel(p); ch != nil {
			return ch.name
		}
		if s.hist[s.fold(p)] != nil {
			return p
		}
	}
	return ""
}
