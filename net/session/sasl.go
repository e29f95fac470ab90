package session

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// saslState tracks one SASL exchange (IRCv3 SASL 3.1/3.2).
type saslState struct {
	started  bool          // AUTHENTICATE <mechanism> sent
	mech     saslMechanism // the mechanism's client side, from startSASL
	in       []byte        // a challenge being read in 400-byte chunks
	finished bool          // 903/907, or failure handled
	ok       bool          // 903/907: we are authenticated
}

// saslMechanism is the client side of one SASL mechanism, in the manner of
// net/smtp's Auth: the session moves the bytes (base64, 400-byte chunks)
// and the mechanism decides what they say. Errors are sentences for the
// user and never hold a secret.
type saslMechanism interface {
	// Next answers the server's challenge (empty for "AUTHENTICATE +").
	Next(challenge []byte) ([]byte, error)
	// Done reports, when the server says 903, whether the exchange ended
	// as the mechanism requires: SCRAM must have checked the server's
	// signature, or the success is not to be believed.
	Done() error
}

// newSASLMechanism returns the client side of c's mechanism, or nil when
// ferry does not implement it.
func newSASLMechanism(c *SASL) saslMechanism {
	switch strings.ToUpper(c.Mechanism) {
	case "PLAIN":
		return &plainMech{user: c.Username, pass: c.Password}
	case "EXTERNAL":
		return &externalMech{}
	case "SCRAM-SHA-256":
		return newSCRAM(c.Username, c.Password, nil)
	}
	return nil
}

// plainMech is SASL PLAIN (RFC 4616): one message, authzid = authcid.
type plainMech struct {
	user, pass string
	sent       bool
}

func (p *plainMech) Next([]byte) ([]byte, error) {
	if p.sent {
		return nil, errors.New("the server asked for more than PLAIN's one message")
	}
	p.sent = true
	return []byte(p.user + "\x00" + p.user + "\x00" + p.pass), nil
}

func (p *plainMech) Done() error { return nil }

// externalMech is SASL EXTERNAL (RFC 4422 appendix A): an empty message,
// the identity being the client certificate's.
type externalMech struct{ sent bool }

func (e *externalMech) Next([]byte) ([]byte, error) {
	if e.sent {
		return nil, errors.New("the server asked for more than EXTERNAL's one message")
	}
	e.sent = true
	return []byte{}, nil
}

func (e *externalMech) Done() error { return nil }

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
	s.sasl.mech = newSASLMechanism(s.cfg.SASL)
	s.send(ClassConn, "AUTHENTICATE", s.saslMech())
}

// maxSASLChallenge bounds a challenge read in chunks: SCRAM's are a few
// hundred bytes.
const maxSASLChallenge = 8192

// handleAuthenticate answers the server's challenge ("AUTHENTICATE +" for
// an empty one, else base64 in 400-byte chunks) with the mechanism's
// response, split the same way. Payloads are never logged.
func (s *Session) handleAuthenticate(h *handling) {
	if s.cfg.SASL == nil || !s.sasl.started || s.sasl.finished {
		s.log.Printf("session: unexpected AUTHENTICATE ignored")
		return
	}
	p := h.m.Param(0)
	if s.sasl.mech == nil {
		s.sasl.finished = true
		s.send(ClassConn, "AUTHENTICATE", "*") // abort: we cannot speak this mechanism
		return
	}
	if p != "+" {
		s.sasl.in = append(s.sasl.in, p...)
		if len(s.sasl.in) > maxSASLChallenge {
			s.saslAbort(h, errors.New("the server's SASL challenge is too long"))
			return
		}
		if len(p) == saslChunk {
			return // more chunks follow
		}
	}
	challenge, err := base64.StdEncoding.DecodeString(string(s.sasl.in))
	s.sasl.in = s.sasl.in[:0]
	if err != nil {
		s.saslAbort(h, errors.New("the server's SASL challenge is not valid base64"))
		return
	}
	resp, err := s.sasl.mech.Next(challenge)
	if err != nil {
		s.saslAbort(h, err)
		return
	}
	payload := base64.StdEncoding.EncodeToString(resp)
	for len(payload) >= saslChunk {
		s.send(ClassConn, "AUTHENTICATE", payload[:saslChunk])
		payload = payload[saslChunk:]
	}
	if payload == "" {
		payload = "+"
	}
	s.send(ClassConn, "AUTHENTICATE", payload)
}

// saslAbort gives up an exchange the server got wrong: "AUTHENTICATE *"
// tells it so, then saslError decides what follows.
func (s *Session) saslAbort(h *handling, err error) {
	s.sasl.finished = true
	s.send(ClassConn, "AUTHENTICATE", "*")
	s.saslError(h, err)
}

// errServerProof is wrapped by a mechanism's error when the server failed
// to prove that it knows the account's credentials (SCRAM's v=): it may be
// an impostor, so the failure is final whatever Required says, and ferry
// neither registers nor reconnects to it.
var errServerProof = errors.New("the server did not prove that it knows the password")

// saslError ends SASL after a mechanism's error.
func (s *Session) saslError(h *handling, err error) {
	if errors.Is(err, errServerProof) {
		s.fatal = fmt.Errorf("%w: %v; ferry will not register with a server that may be an impostor", errSASL, err)
		s.log.Printf("session: %v", s.fatal)
		s.send(ClassConn, "QUIT", "SASL authentication failed")
		return
	}
	s.saslFailed(h, err.Error())
}

// handleSASLNumeric handles 900-908. It reports whether the numeric was
// consumed (the caller shows the others as Info).
func (s *Session) handleSASLNumeric(h *handling) bool {
	m := h.m
	text := m.Trailing()
	switch m.Command {
	case "900", "901":
		if m.Command == "900" {
			s.setAccount(h, m.Param(2))
		} else {
			s.setAccount(h, "")
		}
		h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: text})
		return true
	case "903", "907":
		if s.sasl.started && !s.sasl.finished {
			s.sasl.finished = true
			if s.sasl.mech != nil {
				if err := s.sasl.mech.Done(); err != nil {
					s.saslError(h, err)
					return true
				}
			}
			s.sasl.ok = true
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
