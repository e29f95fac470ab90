package session

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// replyNumerics answer a command the user typed (/whois, /whowas, a
// message to a nick that is not there): the UI shows them where the user
// is looking rather than in the server buffer.
var replyNumerics = map[string]bool{
	"276": true, "301": true, "307": true, "311": true, "312": true, "313": true,
	"314": true, "317": true, "318": true, "319": true, "320": true, "330": true,
	"335": true, "338": true, "369": true, "378": true, "379": true, "671": true,
	"401": true, "402": true, "406": true,
}

// replyText renders a WHOIS or WHOWAS reply (and a channel's modes,
// creation time or /list entry) as a sentence, as irssi and WeeChat do, instead of its
// raw parameters. ok is false for a numeric that is not one of them, or
// one too short to read (the caller then shows the parameters as they
// are).
func replyText(m *irc.Message) (text string, ok bool) {
	p := m.Params
	if len(p) < 3 {
		return "", false
	}
	nick, last := p[1], m.Trailing() // nick: the channel for 322, 324 and 329
	switch m.Command {
	case "311", "314": // <me> <nick> <user> <host> * :<realname>
		if len(p) < 6 {
			return "", false
		}
		verb := ""
		if m.Command == "314" {
			verb = " was"
		}
		return fmt.Sprintf("%s%s (%s@%s): %s", nick, verb, p[2], p[3], last), true
	case "312": // <me> <nick> <server> :<server info>
		if len(p) < 4 {
			return "", false
		}
		if last == "" {
			return nick + " is on " + p[2], true
		}
		return fmt.Sprintf("%s is on %s (%s)", nick, p[2], last), true
	case "317": // <me> <nick> <idle seconds> [<signon>] :seconds idle, signon time
		idle, err := strconv.ParseInt(p[2], 10, 64)
		if err != nil || idle < 0 {
			return "", false
		}
		text = fmt.Sprintf("%s has been idle %s", nick, idleText(time.Duration(idle)*time.Second))
		if len(p) >= 5 {
			if on, err := strconv.ParseInt(p[3], 10, 64); err == nil && on > 0 {
				t := time.Unix(on, 0).Local()
				text += ", signed on " + t.Format("2 Jan 2006 15:04")
			}
		}
		return text, true
	case "318", "369": // <me> <nick> :End of /WHOIS list
		word := "WHOIS"
		if m.Command == "369" {
			word = "WHOWAS"
		}
		return "end of " + word + " for " + nick, true
	case "319": // <me> <nick> :<prefixed channels>
		return nick + " is in " + strings.Join(strings.Fields(last), " "), true
	case "330": // <me> <nick> <account> :is logged in as
		if len(p) < 4 {
			return "", false
		}
		return nick + " is logged in as " + p[2], true
	case "338": // <me> <nick> [<user@host>] <ip> :actually using host
		if len(p) < 4 {
			return "", false
		}
		return nick + " " + last + " " + strings.Join(p[2:len(p)-1], " "), true
	case "324": // <me> <channel> <modes> [<mode params>...]
		return nick + " modes: " + strings.Join(p[2:], " "), true
	case "329": // <me> <channel> <creation time>
		at, err := strconv.ParseInt(p[2], 10, 64)
		if err != nil || at <= 0 {
			return "", false
		}
		return nick + " was created on " + time.Unix(at, 0).Local().Format("2 Jan 2006 15:04"), true
	case "322": // <me> <channel> <visible users> :<topic>
		if len(p) < 4 {
			return "", false
		}
		if last == "" {
			return fmt.Sprintf("%s (%s)", nick, p[2]), true
		}
		return fmt.Sprintf("%s (%s): %s", nick, p[2], last), true
	case "401", "402", "406": // <me> <nick> :No such nick/channel
		return nick + ": " + last, true
	case "301": // <me> <nick> :<away message>
		return nick + " is away: " + last, true
	}
	// 276, 307, 313, 320, 335, 378, 379, 671: "<me> <nick> :is ..." reads
	// as it is once the nick leads.
	if replyNumerics[m.Command] && len(p) == 3 && m.Command[0] != '4' {
		return nick + " " + last, true
	}
	return "", false
}

// idleText is a duration as people say it: "42s", "5m 3s", "2h 1m", "3d 4h".
func idleText(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh %dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd %dh", s/86400, s%86400/3600)
}

// maxAwayShown bounds the away messages remembered for awayNews.
const maxAwayShown = 256

// awayNews reports whether a 301 (nick is away: message) is worth showing:
// always inside a WHOIS reply (the user asked), otherwise only when the
// nick's away message differs from the last one shown. Servers send 301
// after every message to an away nick; WeeChat and senpai show it once.
func (s *Session) awayNews(nick, message string) bool {
	f := s.fold(nick)
	if s.whoisOpen == f {
		s.awayShown[f] = message
		return true
	}
	if last, ok := s.awayShown[f]; ok && last == message {
		return false
	}
	if len(s.awayShown) >= maxAwayShown {
		clear(s.awayShown)
	}
	s.awayShown[f] = message
	return true
}
