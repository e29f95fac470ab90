package session

import (
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// TestReadMarker: markers from the server are events only when they move
// forward; ours are sent only when they move forward; a zero time asks.
func TestReadMarker(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("draft/read-marker server-time")
	evs := sc.feed(":srv MARKREAD #c timestamp=2026-11-26T12:00:00.000Z")
	rm := one[event.ReadMarker](t, evs)
	if rm.Buffer != "#c" || !rm.Time.Equal(epoch) {
		t.Fatalf("got %+v", rm)
	}
	if evs := sc.feed(":srv MARKREAD #c timestamp=2026-11-26T11:00:00.000Z", ":srv MARKREAD #c *"); len(only[event.ReadMarker](evs)) != 0 {
		t.Fatalf("an older or unknown marker was news: %#v", evs)
	}
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(-time.Second)})
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(1500 * time.Millisecond)})
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(1500 * time.Millisecond)})
	sc.s.Submit(command.MarkRead{Buffer: "bob"})
	sc.expect("MARKREAD #c timestamp=2026-11-26T12:00:01.500Z", "MARKREAD bob")
	// Our own marker relayed back is not news.
	if evs := sc.feed(":srv MARKREAD #c timestamp=2026-11-26T12:00:01.500Z"); len(evs) != 0 {
		t.Fatalf("our marker echoed as news: %#v", evs)
	}
}

// TestReadMarkerOff: without the capability nothing is sent.
func TestReadMarkerOff(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("server-time")
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch})
	sc.expect()
}

// TestWithoutCaps: a capability the user turned off is not requested.
func TestWithoutCaps(t *testing.T) {
	sc := newScript(t, Config{WithoutCaps: []string{"draft/read-marker"}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :batch draft/read-marker draft/multiline=max-bytes=100")
	sc.expect("CAP REQ :batch draft/multiline")
}
