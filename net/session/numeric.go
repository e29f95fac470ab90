package session

import (
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
)

// joinErrors are the numerics that refuse a JOIN; the channel is param 1.
var joinErrors = map[string]bool{
	"403": true, "405": true, "437": true, "471": true, "473": true, "474": true,
	"475": true, "476": true, "477": true, "479": true, "480": true, "489": true, "520": true,
}

// handleNumeric handles a three-digit reply.
func (s *Session) handleNumeric(h *handling) {
	m := h.m
	switch m.Command {
	case "001":
		s.welcome(h)
		return
	case "010":
		if !s.registered {
			s.bounce(h)
			return
		}
	case "376", "422": // end of MOTD, or none: the registration burst is over
		if s.rejoinDue != nil {
			s.sendRejoin()
		}
		s.monitorBurst(h)
		s.endOfBurst()
	case "005":
		s.isupport(h)
		return
	case "730", "731", "732", "733", "734":
		s.handleMonitorNumeric(h)
		return
	case "401", "404":
		s.typingRefused(m.Param(1))
	case "433", "432":
		s.nickRefused(h)
		return
	case "437":
		if !s.is.IsChannel(m.Param(1)) {
			s.nickRefused(h)
			return
		}
	case "353":
		s.names(h)
		return
	case "366":
		s.endOfNames(h)
		return
	case "332":
		s.topicReply(h)
		return
	case "333":
		s.topicWhoTime(h)
		return
	case "305", "306":
		// The answer to our AWAY: the Away event is all it says, and the
		// UI words it (with the message typed); its text would repeat it.
		h.emit(event.Away{Meta: h.meta, Nick: s.nick, Away: m.Command == "306", Self: true})
		return
	case "301":
		if nick := m.Param(1); nick != "" {
			h.emit(event.Away{Meta: h.meta, Nick: nick, Away: true, Message: m.Trailing(), Self: s.isMe(nick)})
			if !s.awayNews(nick, m.Trailing()) {
				return // the same answer to every message sent to an away nick: shown once
			}
		}
		// Also shown: it answers a /whois or a message to that nick.
	case "311":
		s.whoisOpen, s.whoisAcct = s.fold(m.Param(1)), false
	case "330":
		s.whoisAcct = true
	case "318":
		s.whoisAccount(h)
		s.whoisOpen = ""
	case "396": // RPL_VISIBLEHOST: "396 me host :is now your displayed host"
		if host := m.Param(1); host != "" && len(m.Params) >= 3 {
			if u, hst, ok := strings.Cut(host, "@"); ok {
				s.user, host = clip(u, maxNameLen), hst
			}
			s.host = clip(host, maxNameLen)
		}
	case "352": // RPL_WHOREPLY: "352 me #chan user host server nick flags :hops real"
		if s.isMe(m.Param(5)) && m.Param(2) != "" && m.Param(3) != "" {
			s.user, s.host = clip(m.Param(2), maxNameLen), clip(m.Param(3), maxNameLen)
		}
	case "900", "901", "902", "903", "904", "905", "906", "907", "908":
		if s.handleSASLNumeric(h) {
			return
		}
	case "421":
		if strings.EqualFold(m.Param(1), "CHATHISTORY") {
			s.historyFailed(h, nil)
		}
		if strings.EqualFold(m.Param(1), "SEARCH") && s.searchFailed(h, m.Trailing()) {
			return // the answer to our request: SearchResults carries it
		}
		if strings.EqualFold(m.Param(1), "CAP") && !s.registered {
			// A server without capability negotiation: registration goes on with NICK/USER.
			s.lsDone, s.capEnded = true, true
			if s.cfg.SASL != nil && !s.sasl.started {
				s.saslUnavailable(h)
			}
			return
		}
	case "470": // ERR_LINKCHANNEL: "470 me #old #new :Forwarding": the JOIN of #new answers for #old
		if name := m.Param(1); name != "" {
			delete(s.keys, s.fold(name))
			if ch := s.channels[s.fold(name)]; ch != nil && !ch.joined {
				delete(s.channels, s.fold(name))
			}
			s.joinAnswered(name)
		}
		s.info(h, false) // a redirection, not a failure
		return
	}
	if joinErrors[m.Command] && s.is.IsChannel(m.Param(1)) {
		s.joinRefused(h)
		return
	}
	s.info(h, m.Command[0] == '4' || m.Command[0] == '5')
}

// joinRefused handles a numeric that refuses a JOIN: the channel is not
// rejoined, and the refusal counts as the answer that Ready waits for.
func (s *Session) joinRefused(h *handling) {
	name := h.m.Param(1)
	f := s.fold(name)
	_, pending := s.pendingJoins[f]
	ch := s.channels[f]
	buffer := ""
	if pending || ch != nil {
		buffer = name // the UI has a buffer for it: show the refusal there
		if ch != nil {
			buffer = ch.name
		}
	}
	if ch != nil && !ch.joined {
		delete(s.channels, f)
	}
	delete(s.keys, f)
	s.joinAnswered(name)
	h.emit(event.Info{Meta: h.meta, Buffer: buffer, Code: h.m.Command, Text: infoText(h.m.Params), Error: true})
}

// info emits a numeric as an Info line. Buffer is a channel we are in when
// one of the middle parameters names one, else the server buffer.
func (s *Session) info(h *handling, isErr bool) {
	m := h.m
	buffer := ""
	for i := 1; i < len(m.Params)-1 && m.Command != "322"; i++ { // a /list stays in one place
		if ch := s.joinedChannel(m.Params[i]); ch != nil {
			buffer = ch.name
			break
		}
	}
	text, ok := replyText(m)
	if !ok {
		text = infoText(m.Params)
	}
	if text == "" {
		return
	}
	text = clip(text, maxLine)
	h.emit(event.Info{Meta: h.meta, Buffer: buffer, Code: m.Command, Text: text, Error: isErr, Reply: replyNumerics[m.Command]})
}

// infoText renders a numeric's parameters after our nick as one line.
func infoText(params []string) string {
	if len(params) <= 1 {
		if len(params) == 1 {
			return clip(params[0], maxLine)
		}
		return ""
	}
	return clip(strings.Join(params[1:], " "), maxLine)
}

// maxLine bounds the text of an Info event built from a server line.
const maxLine = 8192

func parseInt(v string) (int64, error) { return strconv.ParseInt(v, 10, 64) }
