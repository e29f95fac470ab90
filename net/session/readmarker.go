package session

import (
	"strings"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// draft/read-marker (https://ircv3.net/specs/extensions/read-marker): the
// server keeps, per account, the time up to which each buffer was read and
// tells every client of the account when it moves. The session keeps the
// newest marker it knows per buffer, across connections, so a marker never
// moves backwards here: an older one from the server is not news, and a
// MarkRead for a time not after the known marker is not sent.
//
// Markers are kept per account, so a server refuses them to a connection
// that is logged in to none (FAIL MARKREAD ACCOUNT_REQUIRED). The session
// syncs them only where they can be kept (syncMarkers), and everything
// that depends on it, the owner's event.ReadMarkers included, asks that
// one rule. MARKREAD is ferry's own background request: its failures go
// to the debug log and once per connection to the server buffer, never
// to the buffer being read as an error.

const readMarkerCap = "draft/read-marker"

// accountRequired is the FAIL MARKREAD code of a server that keeps
// markers only for connections logged in to an account.
const accountRequired = "ACCOUNT_REQUIRED"

// maxTypedMarkReads bounds typedMarkReads.
const maxTypedMarkReads = 16

// syncMarkers reports whether read markers are synced on this connection:
// the capability is enabled and the server has somewhere to keep them: an
// account we are logged in to, or a bouncer (soju.im/bouncer-networks),
// which keeps them for its own user whatever the upstream account. A
// refusal for want of an account stops them until the next login.
func (s *Session) syncMarkers() bool {
	if !s.caps[readMarkerCap] || s.markersRefused {
		return false
	}
	_, bouncer := s.offered[capBouncer]
	return s.account != "" || bouncer || s.cfg.BouncerBind != ""
}

// askChannelMarkers asks for the markers of the channels we are in, once
// markers start to sync after registration (a late login): the server
// sent none when we joined them. The UI asks for its queries'
// (event.ReadMarkers).
func (s *Session) askChannelMarkers() {
	for _, ch := range s.sortedChannels() {
		if ch.joined {
			s.send(ClassAuto, "MARKREAD", ch.name)
		}
	}
}

// typedMarkRead notes a MARKREAD the user typed that goes out without a
// label, so that its FAIL is shown as the answer the user waits for.
func (s *Session) typedMarkRead() {
	if !s.caps[labelCap] && s.typedMarkReads < maxTypedMarkReads {
		s.typedMarkReads++
	}
}

// markReadFailed handles FAIL MARKREAD and reports whether it did; it
// leaves the answer to a MARKREAD the user typed (labelled, or counted by
// typedMarkRead) to be shown like any other. One for ferry's own request
// is logged, shown once per connection in the server buffer as a note,
// and, for want of an account, stops markers until a login.
func (s *Session) markReadFailed(h *handling) bool {
	m := h.m
	if h.labelled {
		return false
	}
	if s.typedMarkReads > 0 {
		s.typedMarkReads--
		return false
	}
	code := m.Param(1)
	s.log.Printf("session: FAIL MARKREAD %s: %s", clip(code, 32), clip(m.Trailing(), 200))
	if code == accountRequired && !s.markersRefused {
		s.markersRefused = true
		if s.registered {
			s.tellCaps(h, false)
		}
	}
	if !s.markFailNoted {
		s.markFailNoted = true
		text := "a read marker was not saved: "
		if s.markersRefused {
			text = "read markers are off until you log in: "
		}
		h.emit(event.Info{Meta: h.meta, Code: m.Command, Text: clip(text+standardReplyText(m.Params), maxLine)})
	}
	return true
}

// markerLayout is the timestamp format of MARKREAD (server-time's: UTC
// with milliseconds).
const markerLayout = "2006-01-02T15:04:05.000Z"

// maxMarkers bounds the buffers whose marker is remembered.
const maxMarkers = 4096

// handleMarkRead handles "MARKREAD <target> <timestamp=...|*>" from the
// server: the answer to our query, our own update relayed back, or
// another client's.
func (s *Session) handleMarkRead(h *handling) {
	m := h.m
	target := m.Param(0)
	if target == "" || len(m.Params) < 2 {
		s.log.Printf("session: MARKREAD without target or timestamp ignored")
		return
	}
	v, ok := strings.CutPrefix(m.Param(1), "timestamp=")
	if !ok {
		return // "*": the server has no marker for the buffer yet
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		s.log.Printf("session: MARKREAD %q with a bad timestamp ignored", clip(target, 64))
		return
	}
	buffer := target
	if ch := s.joinedChannel(target); ch != nil {
		buffer = ch.name
	}
	if !s.advanceMarker(buffer, t) {
		return
	}
	h.emit(event.ReadMarker{Meta: h.meta, Buffer: buffer, Time: t})
}

// advanceMarker records t as buffer's marker when it is newer than the
// one known, and reports whether it was.
func (s *Session) advanceMarker(buffer string, t time.Time) bool {
	if s.markers == nil {
		s.markers = make(map[string]time.Time)
	}
	f := s.fold(buffer)
	if old, ok := s.markers[f]; ok && !t.After(old) {
		return false
	}
	if _, ok := s.markers[f]; !ok && len(s.markers) >= maxMarkers {
		clear(s.markers) // forgetting only costs a MARKREAD the server ignores
	}
	s.markers[f] = t
	return true
}

// markRead carries out command.MarkRead: a query with a zero Time, else
// the new marker when it moves forward; nothing where markers are not
// synced.
func (s *Session) markRead(meta event.Meta, c command.MarkRead) []event.Event {
	if !s.registered || !s.syncMarkers() {
		return nil
	}
	if !validParam(c.Buffer) {
		return s.refuse(meta, "cannot mark %q read: not a channel or nick", c.Buffer)
	}
	if c.Time.IsZero() {
		s.send(ClassAuto, "MARKREAD", c.Buffer)
		return nil
	}
	t := c.Time.UTC().Truncate(time.Millisecond)
	if !s.advanceMarker(c.Buffer, t) {
		return nil
	}
	s.send(ClassAuto, "MARKREAD", c.Buffer, "timestamp="+t.Format(markerLayout))
	return nil
}
