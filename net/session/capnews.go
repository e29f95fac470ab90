package session

import "github.com/ferry-irc/ferry/net/event"

// capNews is the state of the capabilities the UI acts on, as last told:
// whether to send read markers (event.ReadMarkers, syncMarkers: the
// capability and an account to keep them under) and whether a paste
// may go out as one multiline message (event.Multiline).
type capNews struct {
	readMarker bool
	multiline  multilineLimits
}

// current is the state on this connection.
func (s *Session) capState() capNews {
	ml, _ := s.multiline()
	return capNews{readMarker: s.syncMarkers(), multiline: ml}
}

// tellCaps emits the events of capNews that changed since last told, or
// all of them with force (at registration: a new connection may have
// lost what the last one had).
func (s *Session) tellCaps(h *handling, force bool) {
	now := s.capState()
	was := s.capsShown
	s.capsShown = now
	if force || now.readMarker != was.readMarker {
		h.emit(event.ReadMarkers{Meta: h.meta, On: now.readMarker})
	}
	if force || now.multiline != was.multiline {
		h.emit(event.Multiline{Meta: h.meta, MaxBytes: now.multiline.maxBytes, MaxLines: now.multiline.maxLines})
	}
}
