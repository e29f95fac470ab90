package conn

import (
	"reflect"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

var (
	metaType     = reflect.TypeFor[event.Meta]()
	messagesType = reflect.TypeFor[[]event.Message]()
)

// withMeta returns e with Meta.Network set to network and Meta.Time set to
// now when the producer left it zero; the messages an event carries
// (History, SearchResults) get the network too. Events are values, so the
// event is copied and updated. Every event type embeds event.Meta, which
// is found by reflection: a type added to the contract cannot be left out
// here (a UI event without its network lands nowhere). The Message, by far
// the most frequent, skips reflection.
func withMeta(e event.Event, network string, now time.Time) event.Event {
	fix := func(m *event.Meta) {
		m.Network = network
		if m.Time.IsZero() {
			m.Time = now
		}
	}
	if m, ok := e.(event.Message); ok {
		fix(&m.Meta)
		return m
	}
	v := reflect.ValueOf(e)
	if v.Kind() != reflect.Struct {
		return e
	}
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	switch {
	case v.Type() == metaType:
		fix(c.Addr().Interface().(*event.Meta))
	default:
		f := c.FieldByName("Meta")
		if !f.IsValid() || f.Type() != metaType {
			return e
		}
		fix(f.Addr().Interface().(*event.Meta))
	}
	if f := c.FieldByName("Messages"); f.IsValid() && f.Type() == messagesType {
		// The slice is the producer's, handed over with the event: updating
		// its elements in place is safe.
		for i := range f.Len() {
			f.Index(i).Addr().Interface().(*event.Message).Network = network
		}
	}
	return c.Interface().(event.Event)
}
