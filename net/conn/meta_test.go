package conn

import (
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// Every event leaves the Pool with its network and a time; the messages a
// History or SearchResults carries get the network too. A time the
// producer set is kept.
func TestWithMeta(t *testing.T) {
	now := time.Unix(1000, 0)
	set := time.Unix(500, 0)
	evs := []event.Event{
		event.Message{Text: "x"},
		event.Info{Text: "x"},
		event.ConnState{State: event.StateRegistered},
		event.Meta{},
		event.History{Buffer: "#c", Messages: []event.Message{{Text: "a"}, {Text: "b"}}},
		event.SearchResults{Buffer: "#c", Messages: []event.Message{{Text: "a"}}},
		event.Redirect{Meta: event.Meta{Time: set}},
	}
	for _, e := range evs {
		got := withMeta(e, "net", now)
		var m event.Meta
		var msgs []event.Message
		switch v := got.(type) {
		case event.Message:
			m = v.Meta
		case event.Info:
			m = v.Meta
		case event.ConnState:
			m = v.Meta
		case event.Meta:
			m = v
		case event.History:
			m, msgs = v.Meta, v.Messages
		case event.SearchResults:
			m, msgs = v.Meta, v.Messages
		case event.Redirect:
			m = v.Meta
		default:
			t.Fatalf("%T came back as %T", e, got)
		}
		want := now
		if _, ok := e.(event.Redirect); ok {
			want = set
		}
		if m.Network != "net" || !m.Time.Equal(want) {
			t.Errorf("%T: meta %+v, want network net at %v", e, m, want)
		}
		for _, msg := range msgs {
			if msg.Network != "net" {
				t.Errorf("%T: carried message %+v without the network", e, msg)
			}
		}
	}
}
