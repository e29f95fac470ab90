package session

import "strings"

// Undeliverable decides, for lines held while there was no usable
// connection, which may no longer go out now that the session has
// rejoined: a PRIVMSG or NOTICE the user typed to a channel we are not in
// (the rejoin was refused: banned, key changed, invite only) would be
// refused by the server, so the owner reports it Failed instead of sending
// it. A JOIN earlier in held counts: its channel is expected. The result
// maps the LocalID of each refused message to the reason shown to the
// user; every line of that message is refused with it. nil when every line
// may go. Held lines labelled for labeled-response lose their label when
// this connection does not have it (unlabelHeld).
func (s *Session) Undeliverable(held []Outgoing) map[uint64]string {
	s.unlabelHeld(held)
	var in map[string]bool
	var refused map[uint64]string
	for _, o := range held {
		m := o.Msg
		switch m.Command {
		case "JOIN":
			if in == nil {
				in = s.channelSet()
			}
			for _, ch := range strings.Split(m.Param(0), ",") {
				in[s.fold(ch)] = true
			}
		case "PRIVMSG", "NOTICE":
			target := s.is.StripStatusMsg(m.Param(0))
			if o.LocalID == 0 || !s.is.IsChannel(target) {
				continue
			}
			if in == nil {
				in = s.channelSet()
			}
			if _, done := refused[o.LocalID]; !done && !in[s.fold(target)] {
				if refused == nil {
					refused = map[uint64]string{}
				}
				refused[o.LocalID] = "not sent: you are not in " + target
			}
		}
	}
	return refused
}

// channelSet is the folded names of the channels we are in or rejoining.
func (s *Session) channelSet() map[string]bool {
	in := make(map[string]bool, len(s.channels))
	for _, ch := range s.channels {
		in[s.fold(ch.name)] = true
	}
	return in
}
