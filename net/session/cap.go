package session

import (
	"fmt"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// supportedCaps are the capabilities the session understands and requests
// whenever a server offers them. sasl is requested only when configured;
// draft/chathistory is used only together with batch (see historyEnabled).
var supportedCaps = []string{
	"cap-notify", "server-time", "message-tags", "echo-message", "batch",
	"away-notify", "account-notify", "account-tag", "extended-join",
	"multi-prefix", "userhost-in-names", "setname", "chghost", "invite-notify",
	labelCap,
	historyCap, searchCap, readMarkerCap, multilineCap, "sasl", capBouncer, capBouncerNotify,
}

// maxReqLen bounds one CAP REQ parameter, well under 512 with the command.
const maxReqLen = 400

// handleCap handles CAP LS/ACK/NAK/NEW/DEL/LIST (IRCv3 capability negotiation 302).
func (s *Session) handleCap(h *handling) {
	m := h.m
	sub := strings.ToUpper(m.Param(1))
	switch sub {
	case "LS", "NEW":
		more := sub == "LS" && len(m.Params) >= 4 && m.Param(2) == "*"
		if sub == "LS" && s.lsCut {
			// The rest of a list we stopped reading (see cutLS).
			s.lsCut = more
			return
		}
		list := m.Trailing()
		if len(m.Params) < 3 {
			list = ""
		}
		caps := ircx.ParseCaps(list, maxOffered)
		var fresh []string
		ignored := 0
		for _, c := range caps {
			if _, seen := s.offered[c.Name]; !seen && len(s.offered) >= maxOffered {
				ignored++
				continue
			}
			s.offered[c.Name] = clip(c.Value, maxStored)
			fresh = append(fresh, c.Name)
			if c.Name == "sts" && s.cfg.OnSTS != nil {
				s.cfg.OnSTS(c.Value)
			}
		}
		if ignored > 0 && !s.capsFull {
			s.capsFull = true // one line per connection, not one per capability
			s.log.Printf("session: CAP %s: more than %d capabilities offered; ignoring the rest", sub, maxOffered)
		}
		if sub == "LS" {
			if s.lsDone {
				return // a late LS (e.g. typed by the user)
			}
			s.lsLines++
			if more && (ignored > 0 || s.lsLines >= maxLSLines) {
				s.cutLS(h)
				more = false
			}
			if more {
				return // more LS lines follow
			}
			s.lsDone = true
			s.requestCaps(s.wanted(keys(s.offered)))
			if s.reqPending == 0 {
				s.capNegotiated(h)
			}
			return
		}
		// NEW: request what we support and do not have yet.
		var want []string
		for _, name := range s.wanted(fresh) {
			if !s.caps[name] && name != "sasl" {
				want = append(want, name)
			}
		}
		s.requestCaps(want)
	case "ACK":
		for _, c := range ircx.ParseCaps(m.Trailing(), maxOffered) {
			if c.Remove {
				delete(s.caps, c.Name)
			} else if _, ok := s.offered[c.Name]; ok || s.isWanted(c.Name) {
				s.caps[c.Name] = true
			}
		}
		s.capReplied(h)
		if s.registered {
			s.tellCaps(h, false)
		}
	case "NAK":
		s.log.Printf("session: CAP NAK %q", clip(m.Trailing(), 200))
		s.capReplied(h)
	case "DEL":
		for _, c := range ircx.ParseCaps(m.Trailing(), maxOffered) {
			delete(s.offered, c.Name)
			delete(s.caps, c.Name)
		}
		if s.registered {
			s.tellCaps(h, false)
		}
	case "LIST":
		h.emit(event.Info{Meta: h.meta, Code: "CAP", Text: "enabled capabilities: " + m.Trailing()})
	default:
		s.log.Printf("session: ignored CAP %q", clip(sub, 32))
	}
}

// maxLSLines bounds a multi-line CAP LS reply. A real list of maxOffered
// capabilities fits in a dozen 512-byte lines; a server that goes on
// ("CAP * LS * :..." forever) would keep us registering for ever.
const maxLSLines = 32

// cutLS stops reading a CAP LS reply that is too long (more than
// maxLSLines lines, or more than maxOffered capabilities): negotiation goes
// on with what was offered so far, since a registration with some
// capabilities beats none, and the registration deadline of the
// connection owner still bounds a server that stalls after that. The rest
// of the reply is skipped unread until its last line.
func (s *Session) cutLS(h *handling) {
	s.lsCut = true
	s.log.Printf("session: CAP LS still going after %d lines and %d capabilities; negotiating with those", s.lsLines, len(s.offered))
	h.emit(event.Info{Meta: h.meta, Code: "CAP", Error: true,
		Text: fmt.Sprintf("the server's capability list did not end after %d lines; going on with the %d capabilities read so far", s.lsLines, len(s.offered))})
}

// capReplied accounts for one ACK or NAK of our REQ.
func (s *Session) capReplied(h *handling) {
	if s.reqPending > 0 {
		s.reqPending--
	}
	if s.reqPending == 0 && s.lsDone && !s.capEnded {
		s.capNegotiated(h)
	}
}

// wanted returns the names among offered that we request, in the order of
// supportedCaps then ExtraCaps (so the REQ lines are deterministic).
func (s *Session) wanted(offered []string) []string {
	set := make(map[string]bool, len(offered))
	for _, n := range offered {
		set[n] = true
	}
	var out []string
	for _, n := range append(append([]string(nil), supportedCaps...), s.cfg.ExtraCaps...) {
		if !set[n] || !s.isWanted(n) {
			continue
		}
		set[n] = false // once, even if ExtraCaps repeats a built-in
		out = append(out, n)
	}
	return out
}

// isWanted reports whether we would request capability name.
func (s *Session) isWanted(name string) bool {
	for _, n := range s.cfg.WithoutCaps {
		if n == name {
			return false
		}
	}
	if name == "sasl" {
		return s.cfg.SASL != nil && s.saslMechOffered()
	}
	if name == capBouncer || name == capBouncerNotify {
		return s.bouncerWanted(name)
	}
	for _, n := range supportedCaps {
		if n == name {
			return true
		}
	}
	for _, n := range s.cfg.ExtraCaps {
		if n == name {
			return true
		}
	}
	return false
}

// requestCaps sends CAP REQ lines for names, several when the list is long
// (each REQ is accepted or refused as a whole, so splitting only costs
// atomicity between unrelated caps).
func (s *Session) requestCaps(names []string) {
	var line string
	flush := func() {
		if line != "" {
			s.send(ClassConn, "CAP", "REQ", line)
			s.reqPending++
			line = ""
		}
	}
	for _, n := range names {
		if line != "" && len(line)+1+len(n) > maxReqLen {
			flush()
		}
		if line != "" {
			line += " "
		}
		line += n
	}
	flush()
}

// capNegotiated runs when LS is complete and every REQ was answered during
// registration: authenticate if configured, else end negotiation.
func (s *Session) capNegotiated(h *handling) {
	if s.registered || s.capEnded || s.fatal != nil {
		return
	}
	if s.cfg.SASL != nil && !s.sasl.started {
		if s.caps["sasl"] {
			s.startSASL()
			return
		}
		s.saslUnavailable(h)
		return
	}
	if s.sasl.started && !s.sasl.finished {
		return
	}
	s.capEnd()
}

func (s *Session) capEnd() {
	if s.capEnded {
		return
	}
	s.capEnded = true
	if s.bouncerBind(); s.fatal != nil {
		return
	}
	s.send(ClassConn, "CAP", "END")
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
