package session

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// saslState tracks one SASL exchange (IRCv3 SASL 3.1/3.2).
type saslState struct {
	started  bool // AUTHENTICATE <mechanism> sent
	sentBody bool // our payload sent
	finished bool // 903/907, or failure handled
	ok       bool // 903/907: we are authenticated
}

// saslChunk is the AUTHENTICATE payload size limit (IRCv3 SASL).
const saslChunk = 400

func (s *Session) saslMech() string {
	return strings.ToUpper(s.cfg.SASL.Mechanism)
}

// saslMechOffered reports whether the server's sasl value (if it lists
// mechanisms, as CAP 302 does) includes ours.
func (s *Session) saslMechOffered() bool {
	v, ok := s.offered["sasl"]
	if !ok {
		return false
	}
	mechs := ircx.CapValueList(v)
	if mechs == nil {
		return true
	}
	for _, m := range mechs {
		if strings.EqualFold(m, s.saslMech()) {
			return true
		}
	}
	return false
}

func (s *Session) startSASL() {
	s.sasl.started = true
	s.send(ClassConn, "AUTHENTICATE", s.saslMech())
}

// handleAuthenticate answers the server's "AUTHENTICATE +" with our
// payload. The payload is never logged.
func (s *Session) handleAuthenticate(h *handling) {
	if s.cfg.SASL == nil || !s.sasl.started || s.sasl.sentBody || s.sasl.finished {
		s.log.Printf("session: unexpected AUTHENTICATE ignored")
		return
	}
	if h.m.Param(0) != "+" {
		s.log.Printf("session: unexpected AUTHENTICATE challenge ignored")
		return
	}
	s.sasl.sentBody = true
	var payload string
	switch s.saslMech() {
	case "PLAIN":
		c := s.cfg.SASL
		payload = base64.StdEncoding.EncodeToString([]byte(c.Username + "\x00" + c.Username + "\x00" + c.Password))
	case "EXTERNAL":
		payload = ""
	default:
		s.send(ClassConn, "AUTHENTICATE", "*") // abort: we cannot speak this mechanism
		return
	}
	for len(payload) >= saslChunk {
		s.send(ClassConn, "AUTHENTICATE", payload[:saslChunk])
		payload = payload[saslChunk:]
	}
	if payload == "" {
		payload = "+"
	}
	s.send(ClassConn, "AUTHENTICATE", payload)
}

// handleSASLNumeric handles 900-908. It reports whether the numeric was
// consumed (the caller shows the others as Info).
func (s *Session) handleSASLNumeric(h *handling) bool {
	m := h.m
	text := m.Trailing()
	switch m.Command {
	case "900", "901":
		h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: text})
		return true
	case "903", "907":
		if s.sasl.started && !s.sasl.finished {
			s.sasl.finished, s.sasl.ok = true, true
			h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: text})
			s.capNegotiated(h)
			return true
		}
	case "902", "904", "905", "906":
		if s.sasl.started && !s.sasl.finished {
			s.sasl.finished = true
			s.saslFailed(h, fmt.Sprintf("the server said %q (%s)", text, m.Command))
			return true
		}
	case "908":
		h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: "the server supports SASL mechanisms " + m.Param(1)})
		return true
	}
	return false
}

// saslUnavailable runs when SASL is configured but the server does not
// offer it (or not our mechanism).
func (s *Session) saslUnavailable(h *handling) {
	s.sasl.started, s.sasl.finished = true, true
	why := "the server does not offer SASL"
	if v, ok := s.offered["sasl"]; ok {
		why = fmt.Sprintf("the server offers SASL mechanisms %q, not %s", v, s.saslMech())
	}
	s.saslFailed(h, why)
}

// saslFailed ends SASL. When Required, registration stops: Fatal returns
// the reason (the owner reports it, once, as a fatal event.Error and does not
// reconnect) and QUIT tells the server. Otherwise registration continues
// unauthenticated and an event.Error tells the user so.
func (s *Session) saslFailed(h *handling, why string) {
	if s.cfg.SASL.Required {
		s.fatal = fmt.Errorf("%w: %s; SASL is required for this network, so ferry will not connect without it", errSASL, why)
		s.log.Printf("session: %v", s.fatal)
		s.send(ClassConn, "QUIT", "SASL authentication failed")
		return
	}
	h.emit(event.Error{Meta: h.meta, Text: fmt.Sprintf("SASL authentication failed: %s; continuing without logging in, since SASL is optional for this network", why)})
	s.capEnd()
}
