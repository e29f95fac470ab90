package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/ui/members"
	"github.com/muesli/termenv"
)

// A channel bigger than the session's cap on a member list: the UI's
// list follows the session's events and holds what the session tracks,
// before and after people join past the cap, and the channel says the
// list is capped (the panel's count, a line in the buffer, /names).
func TestMemberListFollowsSessionCap(t *testing.T) {
	s := session.New(session.Config{Nick: "me", User: "u", Realname: "Me", Sender: discardSender{}})
	s.Register()
	handle := func(lines ...string) []event.Event {
		var evs []event.Event
		for _, line := range lines {
			m, err := ircx.ParseMessage(line)
			if err != nil {
				t.Fatalf("test line %q: %v", line, err)
			}
			evs = append(evs, s.Handle(m)...)
		}
		return evs
	}
	// sessionList is what the session tracks, asked without telling the UI.
	sessionList := func() event.Names {
		for _, e := range handle(":srv 366 me #big :End of NAMES") {
			if n, ok := e.(event.Names); ok {
				return n
			}
		}
		t.Fatal("no Names from the session")
		return event.Names{}
	}
	hs := newHarness(t, 100, 12, Options{})
	hs.feed(handle(":srv CAP * LS :", ":srv 001 me :Welcome", ":srv 005 me CHANTYPES=# PREFIX=(ov)@+ :are supported", ":me!u@h JOIN #big")...)

	const total = 25_000
	var lines []string
	names := []string{"@me"}
	for i := 1; i < total; i++ {
		names = append(names, fmt.Sprint("n", i))
		if len(names) == 40 {
			lines = append(lines, ":srv 353 me = #big :"+strings.Join(names, " "))
			names = names[:0]
		}
	}
	lines = append(lines, ":srv 353 me = #big :"+strings.Join(names, " "), ":srv 366 me #big :End of NAMES")
	hs.feed(handle(lines...)...)
	lines = lines[:0]
	for i := range 100 {
		lines = append(lines, fmt.Sprintf(":late%d!l@h JOIN #big", i))
	}
	hs.feed(handle(lines...)...)

	b := hs.m.m.netBy[""].find("#big")
	if b == nil || b.members == nil {
		t.Fatal("no #big buffer with a member list")
	}
	tracked := sessionList()
	if got := b.members.Len(); got != len(tracked.Members) {
		t.Errorf("the UI lists %d members, the session tracks %d", got, len(tracked.Members))
	}
	if len(tracked.Members) >= total {
		t.Fatalf("the session tracks all %d members: the test needs a channel past its cap", len(tracked.Members))
	}
	st := testStyles(t, termenv.Ascii)
	if h := strings.TrimSpace(members.Render(st, b.members, 20, 4, 0)[0]); h != fmt.Sprint(len(tracked.Members), "+ users") {
		t.Errorf("panel header %q, want the count of listed members marked capped", h)
	}
	var capped []string
	for i := range b.sb.Len() {
		if l := b.sb.Line(i); strings.Contains(l.Text, "capped") {
			capped = append(capped, l.Text)
		}
	}
	want := fmt.Sprintf("#big has %d members; the member list holds %d of them (capped)", total, len(tracked.Members))
	if len(capped) != 1 || capped[0] != want {
		t.Errorf("lines about the cap %q, want [%q]", capped, want)
	}

	// /names gives both counts: the channel's and the list's.
	n := hs.m.m.netBy[""]
	hs.m.m.namesWanted = map[string]bool{n.name + "\x00" + n.fold("#big"): true} // as /names #big leaves it
	hs.feed(tracked)
	last := b.sb.Line(b.sb.Len() - 1).Text
	if wantNames := fmt.Sprintf("#big (%d, %d listed): @me", len(tracked.Members)+tracked.Untracked, len(tracked.Members)); !strings.HasPrefix(last, wantNames) {
		t.Errorf("/names line %q, want it to start with %q", last, wantNames)
	}
}
