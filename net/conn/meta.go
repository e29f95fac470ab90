package conn

import (
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// withMeta returns e with Meta.Network set to network and Meta.Time set to
// now when the producer left it zero. Events are values, so each concrete
// type is copied and updated.
func withMeta(e event.Event, network string, now time.Time) event.Event {
	fix := func(m *event.Meta) {
		m.Network = network
		if m.Time.IsZero() {
			m.Time = now
		}
	}
	switch v := e.(type) {
	case event.Message:
		fix(&v.Meta)
		return v
	case event.CTCP:
		fix(&v.Meta)
		return v
	case event.Join:
		fix(&v.Meta)
		return v
	case event.Part:
		fix(&v.Meta)
		return v
	case event.Quit:
		fix(&v.Meta)
		return v
	case event.Kick:
		fix(&v.Meta)
		return v
	case event.NickChange:
		fix(&v.Meta)
		return v
	case event.Topic:
		fix(&v.Meta)
		return v
	case event.Names:
		fix(&v.Meta)
		return v
	case event.Mode:
		fix(&v.Meta)
		return v
	case event.Away:
		fix(&v.Meta)
		return v
	case event.AccountChange:
		fix(&v.Meta)
		return v
	case event.Invite:
		fix(&v.Meta)
		return v
	case event.Info:
		fix(&v.Meta)
		return v
	case event.Error:
		fix(&v.Meta)
		return v
	case event.Lag:
		fix(&v.Meta)
		return v
	case event.ConnState:
		fix(&v.Meta)
		return v
	case event.Registered:
		fix(&v.Meta)
		return v
	case event.ISupport:
		fix(&v.Meta)
		return v
	case event.Delivered:
		fix(&v.Meta)
		return v
	case event.Failed:
		fix(&v.Meta)
		return v
	case event.Migration:
		fix(&v.Meta)
		return v
	case event.History:
		fix(&v.Meta)
		for i := range v.Messages {
			v.Messages[i].Network = network
		}
		return v
	case event.Redirect:
		fix(&v.Meta)
		return v
	case event.Meta:
		fix(&v)
		return v
	}
	return e
}
