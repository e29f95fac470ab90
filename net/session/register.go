package session

import (
	"sort"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
)

// nickCandidate returns the nick to try after i failures: the configured
// alternatives in order, then the configured nick with i-len(AltNicks)
// underscores appended.
func (s *Session) nickCandidate(i int) string {
	if i == 0 {
		return s.cfg.Nick
	}
	if i-1 < len(s.cfg.AltNicks) {
		return s.cfg.AltNicks[i-1]
	}
	return s.cfg.Nick + strings.Repeat("_", i-len(s.cfg.AltNicks))
}

// nickRefused handles 432/433/437 for a nick: before registration, try the
// next candidate; after it, the user's /nick failed and is only reported.
func (s *Session) nickRefused(h *handling) {
	m := h.m
	if s.registered {
		s.info(h, true)
		return
	}
	s.nickTries++
	if s.nickTries > maxNickTries {
		if s.nickTries == maxNickTries+1 {
			h.emit(event.Error{Meta: h.meta, Text: "no free nick: the server refused " + s.nick + " and every alternative (" + m.Trailing() + ")"})
		}
		return
	}
	next := s.nickCandidate(s.nickTries)
	s.log.Printf("session: nick %q refused (%s), trying %q", clip(s.nick, maxNameLen), m.Command, next)
	h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: s.nick + ": " + m.Trailing() + "; trying " + next, Error: true})
	s.nick = next
	s.send(ClassConn, "NICK", next)
}

// welcome handles 001: registration is complete.
func (s *Session) welcome(h *handling) {
	m := h.m
	if s.registered {
		s.info(h, false)
		return
	}
	s.registered = true
	s.everRegistered = true
	s.capEnded = true
	if !s.caps["echo-message"] {
		s.echoes = nil // this connection echoes nothing (see expectEcho)
	}
	if n := m.Param(0); n != "" && n != "*" {
		s.nick = clip(n, maxNameLen)
	}
	s.serverName = clip(nickOf(m), maxNameLen)
	// Many servers end 001 with our full mask: "Welcome ... nick!user@host".
	if f := strings.Fields(m.Trailing()); len(f) > 0 {
		if nick, uh, ok := strings.Cut(f[len(f)-1], "!"); ok && s.isMe(nick) {
			if u, host, ok := strings.Cut(uh, "@"); ok {
				s.user, s.host = clip(u, maxNameLen), clip(host, maxNameLen)
			}
		}
	}
	h.emit(event.Registered{Meta: h.meta, Nick: s.nick, ServerName: s.serverName})
	s.tellCaps(h, true)
	s.info(h, false)
	if s.cfg.SASL != nil && s.cfg.SASL.Required && !s.sasl.ok && s.fatal == nil {
		s.sasl.finished = true
		s.saslFailed(h, "the server completed registration without SASL")
	}
	if s.fatal != nil {
		return // the owner closes the connection; joining would only leak our presence
	}
	s.bouncerRegistered()
	s.planRejoin()
}

// planRejoin decides, at 001, which channels to join: the channels we were
// in (with their keys), then the autojoin list. Ready turns true when each
// was answered. The JOIN lines themselves wait for the end of the
// registration burst (sendRejoin), because 005 follows 001 and its TARGMAX
// says how many channels one JOIN may name.
func (s *Session) planRejoin() {
	var list []Channel
	seen := make(map[string]bool)
	for _, ch := range s.sortedChannels() {
		f := s.fold(ch.name)
		if !seen[f] {
			seen[f] = true
			list = append(list, Channel{ch.name, ch.key})
		}
	}
	for _, c := range s.cfg.Autojoin {
		f := s.fold(c.Name)
		if c.Name == "" || seen[f] {
			continue
		}
		seen[f] = true
		list = append(list, c)
	}
	if len(list) == 0 {
		s.ready = true
		s.fillGap() // waits for the end of the burst: 005 may follow 001
		return
	}
	// Keyed channels first, so each JOIN's key list lines up with the
	// first of its channels.
	sort.SliceStable(list, func(i, j int) bool { return list[i].Key != "" && list[j].Key == "" })
	for _, c := range list {
		f := s.fold(c.Name)
		s.pendingJoins[f] = c.Name
		if c.Key != "" {
			s.keys[f] = c
		}
	}
	s.rejoinDue = list
}

// sendRejoin sends the JOINs planRejoin decided on, once the registration
// burst is over (376/422, or the first non-numeric line from a server that
// sends no MOTD numerics), so ISUPPORT is known. Channels are batched into
// comma lists of at most TARGMAX JOIN names (no count limit when the server
// does not say) and maxReqLen bytes. A channel answered in the meantime
// (a JOIN the server forced on us) is not joined again.
func (s *Session) sendRejoin() {
	list := s.rejoinDue
	s.rejoinDue = nil
	limit := s.is.MaxTargets("JOIN")
	var names, keys []string
	size := 0
	flush := func() {
		if len(names) == 0 {
			return
		}
		params := []string{strings.Join(names, ",")}
		if len(keys) > 0 {
			params = append(params, strings.Join(keys, ","))
		}
		s.send(ClassRejoin, "JOIN", params...)
		names, keys, size = nil, nil, 0
	}
	for _, c := range list {
		if _, pending := s.pendingJoins[s.fold(c.Name)]; !pending {
			continue
		}
		if size+len(c.Name)+len(c.Key)+2 > maxReqLen || limit > 0 && len(names) == limit {
			flush()
		}
		names = append(names, c.Name)
		if c.Key != "" {
			keys = append(keys, c.Key)
		}
		size += len(c.Name) + len(c.Key) + 2
	}
	flush()
}

// joinAnswered marks a rejoin/autojoin JOIN as answered. Servers answer
// our JOINs after the registration burst, so ISUPPORT is complete by then.
func (s *Session) joinAnswered(name string) {
	if len(s.pendingJoins) == 0 {
		return
	}
	delete(s.pendingJoins, s.fold(name))
	if len(s.pendingJoins) == 0 && s.registered {
		s.ready = true
		s.burstDone = true
		s.fillGap()
	}
}

// isupport handles 005.
func (s *Session) isupport(h *handling) {
	m := h.m
	if len(m.Params) < 3 {
		s.log.Printf("session: 005 with %d parameters ignored", len(m.Params))
		return
	}
	before := s.is.Casemap
	if !s.is.Apply(m.Params[1 : len(m.Params)-1]) {
		return
	}
	if s.is.Casemap != before {
		s.refold()
	}
	h.emit(event.ISupport{
		Meta: h.meta,
		// The mapping the session decided on, as its canonical token, so
		// the UI's ircx.ParseCasemap gets the very same Casemap.
		Casemap:     s.is.Casemap.String(),
		Prefixes:    s.is.Prefixes,
		PrefixModes: s.is.PrefixModes,
		ChanTypes:   s.is.ChanTypes,
		NetworkName: s.is.Network,
		LineLen:     s.is.LineLen,
	})
}

// refold rebuilds every name-keyed map after the case mapping changed.
func (s *Session) refold() {
	chans := make(map[string]*channel, len(s.channels))
	for _, ch := range s.channels {
		members := make(map[string]*member, len(ch.members))
		for _, mb := range ch.members {
			members[s.fold(mb.nick)] = mb
		}
		ch.members = members
		chans[s.fold(ch.name)] = ch
	}
	s.channels = chans
	pj := make(map[string]string, len(s.pendingJoins))
	for _, n := range s.pendingJoins {
		pj[s.fold(n)] = n
	}
	s.pendingJoins = pj
	keys := make(map[string]Channel, len(s.keys))
	for _, c := range s.keys {
		keys[s.fold(c.Name)] = c
	}
	s.keys = keys
	hist := make(map[string]*bufferHistory, len(s.hist))
	for _, b := range s.hist {
		hist[s.fold(b.name)] = b
	}
	s.hist = hist
	for i := range s.histReqs {
		s.histReqs[i].target = s.fold(s.histReqs[i].name)
	}
}
