package session

import (
	"strconv"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// IRCv3 labeled-response (https://ircv3.net/specs/extensions/labeled-response):
// a request the user waits for (command.Asked) goes out with a label tag,
// and the server marks its answer with the same label: one reply tagged
// with it, several inside a labeled-response batch whose BATCH line
// carries it, or an ACK when there is nothing to say. The session keeps
// which buffer asked under each label, and every Info its answer causes
// goes to that buffer, instead of where the user happens to be looking
// (the UI's guess for replies that name no buffer).

const labelCap = "labeled-response"

// Bounds on the label table: a server that never answers cannot grow it,
// and an answer arriving after labelTTL is placed as an unlabelled one.
const (
	maxLabels = 64
	labelTTL  = 2 * time.Minute
)

// asked is one labelled request awaiting its answer.
type asked struct {
	label  string
	buffer string    // the buffer the request was typed in, "" for the server buffer
	at     time.Time // when it was sent, on the session clock
}

// labelState is the session's side of labeled-response.
type labelState struct {
	seq     uint64
	pending []asked           // oldest first, at most maxLabels
	batches map[string]string // open labeled-response batch reference -> label
	next    string            // the label for the next ClassUser line sent (submitAsked)
}

// labelable reports whether c is worth a label: a request whose answer
// the user reads (a change such as /mode +o gets none unless it fails,
// and then FAIL or an error numeric comes back labelled as well).
func labelable(c command.ToServer) bool {
	switch c := c.(type) {
	case command.Whois, command.Whowas, command.Names, command.List, command.Raw, command.SetName:
		return true
	case command.Mode:
		return c.Modes == "" || len(c.Args) == 0 && (c.Modes == "+b" || c.Modes == "b")
	case command.Topic:
		return !c.Set
	}
	return false
}

// submitAsked sends c.Cmd, labelled with a fresh label when the server
// offers labeled-response, and remembers the label's buffer. Only the
// first line the command sends carries the label.
func (s *Session) submitAsked(c command.Asked) []event.Event {
	if c.Cmd == nil {
		return nil
	}
	if _, nested := c.Cmd.(command.Asked); nested {
		return nil // one label per request
	}
	if !s.caps[labelCap] || !labelable(c.Cmd) {
		return s.Submit(c.Cmd)
	}
	s.labels.seq++
	label := "f" + strconv.FormatUint(s.labels.seq, 36)
	s.labels.next = label
	evs := s.Submit(c.Cmd)
	if s.labels.next == "" { // the line went out with the label
		s.expireLabels()
		if len(s.labels.pending) >= maxLabels {
			s.labels.pending = s.labels.pending[1:]
		}
		s.labels.pending = append(s.labels.pending, asked{label: label, buffer: c.Buffer, at: s.now()})
	}
	s.labels.next = ""
	return evs
}

// takeLabel puts the pending label on o when o is a line of the user's.
func (s *Session) takeLabel(o *Outgoing) {
	if s.labels.next == "" || o.Class != ClassUser {
		return
	}
	o.Msg.Tags["label"] = s.labels.next
	s.labels.next = ""
}

// expireLabels forgets requests older than labelTTL.
func (s *Session) expireLabels() {
	now := s.now()
	i := 0
	for i < len(s.labels.pending) && now.Sub(s.labels.pending[i].at) > labelTTL {
		i++
	}
	s.labels.pending = s.labels.pending[i:]
}

// lookupLabel returns the buffer that asked under label; done forgets it.
func (s *Session) lookupLabel(label string, done bool) (buffer string, ok bool) {
	s.expireLabels()
	for i, a := range s.labels.pending {
		if a.label == label {
			if done {
				s.labels.pending = append(s.labels.pending[:i:i], s.labels.pending[i+1:]...)
			}
			return a.buffer, true
		}
	}
	return "", false
}

// replyOrigin finds the buffer that asked for the line being handled: by
// its label tag, or by the labeled-response batch it belongs to. It also
// keeps the label table: a lone labelled reply or ACK ends its request, a
// labeled-response batch ends it at BATCH -ref.
func (s *Session) replyOrigin(h *handling) {
	m := h.m
	if !s.caps[labelCap] {
		return
	}
	if label := m.Tags["label"]; label != "" {
		opening := m.Command == "BATCH" && len(m.Param(0)) > 1 && m.Param(0)[0] == '+'
		h.origin, h.labelled = s.lookupLabel(label, !opening)
		if h.labelled && opening && len(s.labels.batches) < maxOpenBatches {
			if s.labels.batches == nil {
				s.labels.batches = make(map[string]string)
			}
			s.labels.batches[m.Param(0)[1:]] = label
		}
		return
	}
	if m.Command == "BATCH" && len(m.Param(0)) > 1 && m.Param(0)[0] == '-' {
		ref := m.Param(0)[1:]
		if label, ok := s.labels.batches[ref]; ok {
			delete(s.labels.batches, ref)
			s.lookupLabel(label, true)
		}
		return
	}
	// A line inside a labeled-response batch, directly or in a nested one.
	ref := m.Tags["batch"]
	for depth := 0; ref != "" && depth <= maxOpenBatches; depth++ {
		if label, ok := s.labels.batches[ref]; ok {
			h.origin, h.labelled = s.lookupLabel(label, false)
			return
		}
		b := s.batches[ref]
		if b == nil || b.parent == nil {
			return
		}
		ref = b.parent.ref
	}
}

// routeLabelled sends the Infos of a labelled answer to the buffer that
// asked: the label says where, so they are not replies to place by guess.
func (h *handling) routeLabelled() {
	if !h.labelled {
		return
	}
	for i, e := range h.evs {
		if info, ok := e.(event.Info); ok {
			info.Buffer, info.Reply = h.origin, false
			h.evs[i] = info
		}
	}
}

// unlabelHeld removes the label tag from lines labelled on an earlier
// connection that go out on this one, when this one has no
// labeled-response: a server that did not offer it would not answer the
// label (and one without message-tags may refuse the tagged line). The
// lines are changed in place, as the owner holds them.
func (s *Session) unlabelHeld(held []Outgoing) {
	if s.caps[labelCap] {
		return
	}
	for _, o := range held {
		if o.Msg != nil && o.Msg.Tags["label"] != "" {
			delete(o.Msg.Tags, "label")
		}
	}
}
