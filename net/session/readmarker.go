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

const readMarkerCap = "draft/read-marker"

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
// the new marker when it moves forward.
func (s *Session) markRead(meta event.Meta, c command.MarkRead) []event.Event {
	if !s.caps[readMarkerCap] || !s.registered {
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
