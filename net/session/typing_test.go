package session

import (
	"reflect"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestTypingReceived(t *testing.T) {
	sc := newScript(t, Config{})
	sc.rejoinHist("message-tags", "")
	sc.feed(":me!u@h JOIN #c")
	tests := []struct {
		line string
		want *event.Typing
	}{
		{"@+typing=active :bob!b@h TAGMSG #c", &event.Typing{Buffer: "#c", Nick: "bob", State: "active"}},
		{"@+typing=paused :bob!b@h TAGMSG me", &event.Typing{Buffer: "bob", Nick: "bob", State: "paused"}},
		{"@+draft/typing=done :bob!b@h TAGMSG me", &event.Typing{Buffer: "bob", Nick: "bob", State: "done"}},
		{"@+typing=active :me!u@h TAGMSG #c", nil},      // our own echo
		{"@+typing=bogus :bob!b@h TAGMSG #c", nil},      // not a state
		{"@+react=x :bob!b@h TAGMSG #c", nil},           // another tag
		{"@+typing=active :srv.example TAGMSG #c", nil}, // a server
		{"@+typing=active :bob!b@h TAGMSG", nil},        // no target
	}
	for _, tc := range tests {
		got := only[event.Typing](sc.feed(tc.line))
		switch {
		case tc.want == nil && len(got) != 0:
			t.Errorf("%q: unexpected %+v", tc.line, got)
		case tc.want != nil && len(got) != 1:
			t.Errorf("%q: got %+v", tc.line, got)
		case tc.want != nil:
			got[0].Meta = event.Meta{}
			if !reflect.DeepEqual(got[0], *tc.want) {
				t.Errorf("%q: got %+v, want %+v", tc.line, got[0], *tc.want)
			}
		}
	}
}

func TestTypingSent(t *testing.T) {
	tests := []struct {
		name, caps, isupport string
		want                 []string
	}{
		{"message-tags", "message-tags", "", []string{"@+typing=active TAGMSG #c"}},
		{"no message-tags", "server-time", "", nil},
		{"all client tags denied", "message-tags", "CLIENTTAGDENY=*", nil},
		{"all but typing denied", "message-tags", "CLIENTTAGDENY=*,-typing", []string{"@+typing=active TAGMSG #c"}},
		{"typing denied", "message-tags", "CLIENTTAGDENY=react,typing", nil},
		{"others denied", "message-tags", "CLIENTTAGDENY=react", []string{"@+typing=active TAGMSG #c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			// Not registered: dropped, never queued.
			sc.s.Submit(command.Typing{Target: "#c", State: "active"})
			sc.expect()
			sc.rejoinHist(tc.caps, tc.isupport)
			sc.s.Submit(command.Typing{Target: "#c", State: "active"})
			sc.s.Submit(command.Typing{Target: "#c", State: "typing"}) // not a state
			out := sc.rec.out
			sc.expect(tc.want...)
			for _, o := range out {
				if o.Class != ClassAuto {
					t.Fatalf("typing sent as %v", o.Class)
				}
			}
		})
	}
}

// TestTypingRefusedOnce: typing in the query of a nick who left gets one
// 401; no more notifications go there until the user writes to the nick
// or hears from them.
func TestTypingRefusedOnce(t *testing.T) {
	sc := newScript(t, Config{})
	sc.rejoinHist("message-tags", "")
	typeTo := func(target string) {
		sc.t.Helper()
		sc.s.Submit(command.Typing{Target: target, State: "active"})
	}
	typeTo("gone")
	sc.expect("@+typing=active TAGMSG gone")
	sc.feed(":srv 401 me gone :No such nick/channel")
	typeTo("gone")
	sc.clock.advance(time.Minute)
	typeTo("Gone")
	sc.expect()
	// A 401 for a target we did not type to lately changes nothing.
	typeTo("bob")
	sc.expect("@+typing=active TAGMSG bob")
	sc.clock.advance(time.Minute)
	sc.feed(":srv 401 me bob :No such nick/channel")
	typeTo("bob")
	sc.expect("@+typing=active TAGMSG bob")
	// Writing to the nick lifts it; so does a line from them.
	sc.s.Submit(command.SendText{ID: 1, Target: "gone", Text: "are you there?"})
	sc.sent()
	typeTo("gone")
	sc.expect("@+typing=active TAGMSG gone")
	sc.feed(":srv 401 me gone :No such nick/channel")
	typeTo("gone")
	sc.expect()
	sc.feed(":gone!g@h PRIVMSG me :back")
	typeTo("gone")
	sc.expect("@+typing=active TAGMSG gone")
}
