package session

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// submitIRC builds the lines of the typed IRC requests behind the
// everyday slash commands (command.Kick, command.Mode, ...). Every
// parameter is checked first: bad input is refused with an Info saying
// why, and nothing is sent, so no malformed line reaches the server.
// Commands that are not the session's business are logged and ignored.
func (s *Session) submitIRC(meta event.Meta, c command.Command) []event.Event {
	switch c := c.(type) {
	case command.Monitor:
		return s.monitorCmd(meta, c)
	case command.Typing:
		s.typing(c)
	case command.Kick:
		if !validParam(c.Channel) || !validParam(c.Nick) {
			return s.refuse(meta, "cannot kick %q from %q: not a valid nick or channel", c.Nick, c.Channel)
		}
		if !validText(c.Reason) {
			return s.refuse(meta, "cannot kick %s: the reason holds a line break or NUL", c.Nick)
		}
		s.send(ClassUser, "KICK", withText([]string{c.Channel, c.Nick}, c.Reason)...)
	case command.Away:
		if !validText(c.Message) {
			return s.refuse(meta, "cannot set away: the message holds a line break or NUL")
		}
		s.send(ClassUser, "AWAY", withText(nil, c.Message)...)
	case command.Names:
		if !validParam(c.Channel) {
			return s.refuse(meta, "cannot list the members of %q: not a valid channel name", c.Channel)
		}
		s.send(ClassUser, "NAMES", c.Channel)
	case command.Topic:
		if !validParam(c.Channel) {
			return s.refuse(meta, "cannot show or set the topic of %q: not a valid channel name", c.Channel)
		}
		if !validText(c.Text) {
			return s.refuse(meta, "cannot set the topic of %s: the text holds a line break or NUL", c.Channel)
		}
		params := []string{c.Channel}
		if c.Set {
			params = append(params, c.Text) // empty: an empty trailing clears the topic
		}
		s.send(ClassUser, "TOPIC", params...)
	case command.Mode:
		return s.submitMode(meta, c)
	case command.Invite:
		if !validParam(c.Nick) || !validParam(c.Channel) {
			return s.refuse(meta, "cannot invite %q to %q: not a valid nick or channel", c.Nick, c.Channel)
		}
		s.send(ClassUser, "INVITE", c.Nick, c.Channel)
	case command.Whois:
		if !validParam(c.Nick) || c.Server != "" && !validParam(c.Server) {
			return s.refuse(meta, "cannot look up %q: not a valid nick or server", c.Nick)
		}
		params := []string{c.Nick}
		if c.Server != "" {
			params = []string{c.Server, c.Nick}
		}
		s.send(ClassUser, "WHOIS", params...)
	case command.Whowas:
		if !validParam(c.Nick) {
			return s.refuse(meta, "cannot look up %q: not a valid nick", c.Nick)
		}
		params := []string{c.Nick}
		if c.Count > 0 {
			params = append(params, strconv.Itoa(c.Count))
		}
		s.send(ClassUser, "WHOWAS", params...)
	case command.List:
		if c.Filter != "" && !validParam(c.Filter) {
			return s.refuse(meta, "cannot list channels matching %q: a filter is one word", c.Filter)
		}
		var params []string
		if c.Filter != "" {
			params = []string{c.Filter}
		}
		s.send(ClassUser, "LIST", params...)
	case command.CTCP:
		return s.submitCTCP(meta, c)
	case command.BouncerListNetworks, command.BouncerAddNetwork, command.BouncerDelNetwork:
		return s.submitBouncer(meta, c)
	default:
		s.log.Printf("session: command %T is not the session's business; ignored", c)
	}
	return nil
}

// refuse is the Info that answers a command the session will not send.
func (s *Session) refuse(meta event.Meta, format string, v ...any) []event.Event {
	return []event.Event{event.Info{Meta: meta, Code: "ferry", Text: fmt.Sprintf(format, v...), Error: true}}
}

// validText reports whether v can be the trailing parameter (a reason, a
// topic) as the user meant it: a line break or NUL would end or corrupt
// the line, so such text is refused rather than silently changed.
func validText(v string) bool {
	return !strings.ContainsAny(v, "\r\n\x00")
}

// withText appends text as the trailing parameter when it is not empty.
func withText(params []string, text string) []string {
	if text == "" {
		return params
	}
	return append(params, text)
}

// submitCTCP sends a CTCP request framed by ircx.FormatCTCP, refusing one
// that would not fit in a line (the server would cut the closing \x01).
func (s *Session) submitCTCP(meta event.Meta, c command.CTCP) []event.Event {
	if !validParam(c.Target) {
		return s.refuse(meta, "cannot send a CTCP request to %q: not a valid target", c.Target)
	}
	verb := strings.ToUpper(c.Verb)
	if !validParam(verb) || strings.Contains(verb, ircx.CTCPDelim) {
		return s.refuse(meta, "cannot send CTCP %q: a request is one word", c.Verb)
	}
	if !validText(c.Args) || strings.Contains(c.Args, ircx.CTCPDelim) {
		return s.refuse(meta, "cannot send CTCP %s: the arguments hold control characters", verb)
	}
	text := ircx.FormatCTCP(verb, c.Args)
	if len(text) > s.textBudget("PRIVMSG", c.Target) {
		return s.refuse(meta, "cannot send CTCP %s: too long for one line", verb)
	}
	s.send(ClassUser, "PRIVMSG", c.Target, text)
	return nil
}

// submitMode validates a MODE request and sends it, split by modeLines.
func (s *Session) submitMode(meta event.Meta, c command.Mode) []event.Event {
	if !validParam(c.Target) {
		return s.refuse(meta, "cannot change the modes of %q: not a valid channel or nick", c.Target)
	}
	if c.Modes == "" && len(c.Args) > 0 || c.Modes != "" && !validParam(c.Modes) {
		return s.refuse(meta, "cannot change the modes of %s: %q is not a mode string", c.Target, c.Modes)
	}
	for _, a := range c.Args {
		if !validParam(a) {
			return s.refuse(meta, "cannot change the modes of %s: %q is not a valid mode parameter", c.Target, a)
		}
	}
	for _, params := range s.modeLines(c.Target, c.Modes, c.Args) {
		s.send(ClassUser, "MODE", params...)
	}
	return nil
}

// modeItem is one mode letter of a MODE request, with its parameter.
type modeItem struct {
	adding   bool
	letter   byte
	arg      string
	hasParam bool
}

// modeLines returns the parameters of the MODE lines for a request. A
// channel change is split so that each line carries at most the server's
// ISUPPORT MODES parameter modes and fits the line length, each line
// starting with its sign ("+oooo a b c d" with MODES=3: "+ooo a b c",
// "+o d"). A request the session cannot read the same way as the server
// (user modes, no leading sign, parameters left over) goes out as given.
func (s *Session) modeLines(target, modes string, args []string) [][]string {
	if modes == "" {
		return [][]string{{target}}
	}
	asGiven := [][]string{append([]string{target, modes}, args...)}
	if !s.is.IsChannel(target) {
		return asGiven
	}
	items, ok := s.modeItems(modes, args)
	if !ok {
		return asGiven
	}
	limit := s.is.MaxModes()
	budget := s.is.LineLen - len("\r\n") - len("MODE ") - len(target) - len(" ")
	var lines [][]string
	var b strings.Builder // the current line's mode string
	var params []string   // the current line's mode parameters
	size, withParam, sign := 0, 0, byte(0)
	flush := func() {
		if b.Len() > 0 {
			lines = append(lines, append([]string{target, b.String()}, params...))
		}
		b.Reset()
		params, size, withParam, sign = nil, 0, 0, 0
	}
	cost := func(it modeItem, want byte) int {
		n := 1 // the letter
		if want != sign {
			n++
		}
		if it.hasParam {
			n += len(" ") + len(it.arg)
		}
		return n
	}
	for _, it := range items {
		want := byte('-')
		if it.adding {
			want = '+'
		}
		full := it.hasParam && limit > 0 && withParam == limit
		if b.Len() > 0 && (full || size+cost(it, want) > budget) {
			flush()
		}
		size += cost(it, want)
		if want != sign {
			b.WriteByte(want)
			sign = want
		}
		b.WriteByte(it.letter)
		if it.hasParam {
			params = append(params, it.arg)
			withParam++
		}
	}
	flush()
	return lines
}

// modeItems reads a channel mode string with its parameters the way the
// server will, by ISUPPORT PREFIX and CHANMODES. ok is false when the
// string does not start with a sign or parameters are left over; a mode
// that takes a parameter but finds none ("+b" alone lists the bans) is
// kept without one.
func (s *Session) modeItems(modes string, args []string) (items []modeItem, ok bool) {
	if modes[0] != '+' && modes[0] != '-' {
		return nil, false
	}
	adding := true
	for i := 0; i < len(modes); i++ {
		switch c := modes[i]; c {
		case '+', '-':
			adding = c == '+'
		default:
			it := modeItem{adding: adding, letter: c}
			if len(args) > 0 && s.is.ModeTakesParam(c, adding) {
				it.arg, it.hasParam, args = args[0], true, args[1:]
			}
			items = append(items, it)
		}
	}
	return items, len(args) == 0 && len(items) > 0
}
