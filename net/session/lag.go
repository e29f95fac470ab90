package session

import (
	"strconv"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// lagPing is one of our outstanding lag PINGs.
type lagPing struct {
	token string
	sent  time.Time
}

// lagTokenPrefix marks our lag PINGs so a PONG to a PING the user typed is
// not taken for one.
const lagTokenPrefix = "ferry-lag-"

// Ping sends a lag-measuring PING (ClassConn). Its PONG yields event.Lag
// from Handle. At most maxLagPings stay outstanding; older ones are
// forgotten. It returns no events today; the slice is for symmetry with
// Handle and Submit.
func (s *Session) Ping() []event.Event {
	s.lagSeq++
	tok := lagTokenPrefix + strconv.FormatUint(s.lagSeq, 10)
	if len(s.lag) >= maxLagPings {
		s.lag = append(s.lag[:0], s.lag[1:]...)
	}
	s.lag = append(s.lag, lagPing{token: tok, sent: s.now()})
	s.send(ClassConn, "PING", tok)
	return nil
}

// LagPending returns when the oldest lag PING that has no PONG yet was
// sent, so the owner can call a connection dead when it is too old (the
// issue asks for about two minutes).
func (s *Session) LagPending() (sent time.Time, ok bool) {
	if len(s.lag) == 0 {
		return time.Time{}, false
	}
	return s.lag[0].sent, true
}

func (s *Session) handlePong(h *handling) {
	tok := h.m.Trailing()
	for i, p := range s.lag {
		if p.token == tok {
			rtt := s.now().Sub(p.sent)
			s.lag = append(s.lag[:0], s.lag[i+1:]...) // older ones are answered too (in order)
			h.emit(event.Lag{Meta: event.Meta{Time: s.now()}, RTT: max(rtt, 0)})
			return
		}
	}
}
