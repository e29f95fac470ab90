package session

import (
	"fmt"
	"strings"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// assumedHostLen is the host length assumed for our own prefix until the
// server tells us our host: 63 bytes, the longest DNS label most servers
// allow, so a split line fits even when relayed with a long cloak.
const assumedHostLen = 63

// Submit turns a user command into lines (ClassUser, through the Sender) and
// returns the local events: for SendText, one Message{Self, LocalID, Part}
// per line after splitting (Echo false: the first announcement of each).
// FetchHistory sends a CHATHISTORY BEFORE (ClassAuto) answered later by an event.History{Before: true} from Handle (with no
// messages when the page is empty or the server refuses it), or returns
// an Info when the server does not offer draft/chathistory. Commands that are not the session's business
// (Connect, Disconnect, Reconnect, Migrate) are ignored; the owner handles them.
func (s *Session) Submit(c command.Command) []event.Event {
	meta := event.Meta{Time: s.now()}
	refuse := func(format string, v ...any) []event.Event {
		return []event.Event{event.Info{Meta: meta, Code: "ferry", Text: fmt.Sprintf(format, v...), Error: true}}
	}
	switch c := c.(type) {
	case command.SendText:
		if !validParam(c.Target) {
			return refuse("cannot send to %q: not a valid target", c.Target)
		}
		s.typingHeard(c.Target)
		return s.sendText(meta, c)
	case command.Join:
		if !validParam(c.Channel) || strings.ContainsAny(c.Key, " \x00\r\n") {
			return refuse("cannot join %q: not a valid channel name or key", c.Channel)
		}
		if c.Key != "" && len(s.keys) < maxChannels {
			s.keys[s.fold(c.Channel)] = Channel{Name: c.Channel, Key: c.Key}
		}
		params := []string{c.Channel}
		if c.Key != "" {
			params = append(params, c.Key)
		}
		s.send(ClassUser, "JOIN", params...)
	case command.Part:
		if !validParam(c.Channel) {
			return refuse("cannot part %q: not a valid channel name", c.Channel)
		}
		params := []string{c.Channel}
		if c.Reason != "" {
			params = append(params, oneLine(c.Reason))
		}
		s.send(ClassUser, "PART", params...)
	case command.SetNick:
		if !validParam(c.Nick) {
			return refuse("cannot change nick to %q: not a valid nick", c.Nick)
		}
		if !s.registered {
			s.nick = c.Nick
		}
		s.send(ClassUser, "NICK", c.Nick)
	case command.Raw:
		line := strings.TrimSpace(oneLine(c.Line))
		m, err := ircx.ParseMessage(line) // the guarded parser: never panic on the user's input
		if err != nil {
			return refuse("cannot send %q: %v", clip(line, 64), err)
		}
		m.Prefix = &irc.Prefix{}
		if strings.EqualFold(m.Command, "MARKREAD") {
			s.typedMarkRead()
		}
		s.sendMsg(Outgoing{Msg: m, Class: ClassUser})
	case command.FetchHistory:
		if !validParam(c.Buffer) {
			return refuse("cannot fetch the history of %q: not a channel or nick", c.Buffer)
		}
		return s.fetchBefore(meta, c.Buffer, c.BeforeID, c.Before)
	case command.Search:
		if validParam(c.Buffer) {
			s.search(c.Buffer, c.Text)
		}
	case command.Asked:
		return s.submitAsked(c)
	case command.SetName:
		return s.submitSetName(meta, c)
	case command.MarkRead:
		return s.markRead(meta, c)
	case command.Quit:
		var params []string
		if c.Reason != "" {
			params = []string{oneLine(c.Reason)}
		}
		s.send(ClassUser, "QUIT", params...)
	default:
		return s.submitIRC(meta, c)
	}
	return nil
}

// validParam reports whether v can be a middle parameter (target, channel, nick).
func validParam(v string) bool {
	return v != "" && v[0] != ':' && !strings.ContainsAny(v, " \x00\r\n")
}

// oneLine removes what would end or corrupt an IRC line.
func oneLine(v string) string {
	return strings.NewReplacer("\r", "", "\n", " ", "\x00", "").Replace(v)
}

// sendText splits c.Text so that each line fits the server's line length
// as relayed with our full prefix, and sends the pieces; with
// draft/multiline, text of several lines or a line too long goes out as
// multiline batches instead (multiline.go).
func (s *Session) sendText(meta event.Meta, c command.SendText) []event.Event {
	text := strings.NewReplacer("\r", "", "\x00", "").Replace(c.Text)
	cmd := "PRIVMSG"
	if c.Kind == event.Notice {
		cmd = "NOTICE"
	}
	budget := s.textBudget(cmd, c.Target)
	if c.Kind == event.Action {
		budget -= ircx.CTCPOverhead("ACTION")
	}
	budget = max(budget, 16) // absurd nick/target lengths: the server truncates
	buffer := c.Target
	if ch := s.is.StripStatusMsg(c.Target); s.is.IsChannel(ch) {
		buffer = ch
	}
	if l, ok := s.sendsMultiline(c, text, budget); ok {
		return s.sendMultiline(meta, c, text, cmd, buffer, budget, l)
	}
	var evs []event.Event
	for part, piece := range ircx.SplitText(text, budget) {
		wire := piece
		if c.Kind == event.Action {
			wire = ircx.FormatCTCP("ACTION", piece)
		}
		s.sendMsg(Outgoing{Msg: &irc.Message{Prefix: &irc.Prefix{}, Command: cmd, Params: []string{c.Target, wire}}, Class: ClassUser, LocalID: c.ID, At: meta.Time})
		s.expectEcho(c.ID, part, cmd, c.Target, wire)
		ev := event.Message{
			Meta: meta, Kind: c.Kind, Buffer: buffer, From: s.nick, FromHost: s.userHostGuess(),
			Target: c.Target, Text: piece, Self: true, LocalID: c.ID,
		}
		if c.ID != 0 {
			ev.Part = part
		}
		s.noteLive(ev, false)
		evs = append(evs, ev)
	}
	return evs
}

// textBudget is how many bytes of text fit in one "cmd target :text" line
// as the server relays it: ":nick!user@host cmd target :text\r\n" within
// LINELEN.
func (s *Session) textBudget(cmd, target string) int {
	user := len(s.user)
	if s.user == "" {
		u := s.cfg.User
		if u == "" {
			u = s.cfg.Nick
		}
		user = len(u) + 1 // a "~" when the server has no ident reply
	}
	host := len(s.host)
	if s.host == "" {
		host = assumedHostLen
	}
	prefix := 1 + len(s.nick) + 1 + user + 1 + host + 1 // ":nick!user@host "
	return s.is.LineLen - len("\r\n") - prefix - len(cmd) - 1 - len(target) - len(" :")
}

// userHostGuess is our user@host when known, for our own lines' FromHost.
func (s *Session) userHostGuess() string {
	if s.user == "" || s.host == "" {
		return ""
	}
	return s.user + "@" + s.host
}
