package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// Each event lands in the right buffer as the right kind of line.
func TestEventRouting(t *testing.T) {
	tests := []struct {
		name   string
		ev     event.Event
		buffer string // "" = server buffer
		kind   scrollback.Kind
		text   string // substring of the new line's text ("" = any)
	}{
		{"info to server", event.Info{Meta: meta(1), Code: "372", Text: "motd line"}, "", scrollback.Info, "motd line"},
		{"info to channel", event.Info{Meta: meta(1), Buffer: "#FERRY", Code: "404", Text: "cannot send", Error: true}, "#ferry", scrollback.Error, "cannot send"},
		{"info for unknown buffer", event.Info{Meta: meta(1), Buffer: "#nowhere", Code: "403", Text: "no such channel", Error: true}, "", scrollback.Error, "no such channel"},
		// demoChannel leaves #ferry on screen: a /whois answer shows there.
		{"command reply", event.Info{Meta: meta(1), Code: "311", Text: "bob (b@host): Bob", Reply: true}, "#ferry", scrollback.Info, "bob (b@host): Bob"},
		{"command reply error", event.Info{Meta: meta(1), Code: "401", Text: "bob: No such nick", Error: true, Reply: true}, "#ferry", scrollback.Error, "bob: No such nick"},
		{"error", event.Error{Meta: meta(1), Text: "closing link"}, "", scrollback.Error, "closing link"},
		{"ctcp request", event.CTCP{Meta: meta(1), From: "alice", Target: "newcomer", Command: "VERSION"}, "", scrollback.CTCP, "alice requested CTCP VERSION"},
		{"ctcp in channel", event.CTCP{Meta: meta(1), From: "alice", Target: "#ferry", Command: "PING", Args: "123"}, "#ferry", scrollback.CTCP, "requested CTCP PING 123"},
		{"ctcp reply", event.CTCP{Meta: meta(1), From: "alice", Target: "newcomer", Command: "VERSION", Args: "irssi", Reply: true}, "", scrollback.CTCP, "CTCP VERSION reply from alice: irssi"},
		{"invite us", event.Invite{Meta: meta(1), By: "alice", Nick: "newcomer", Channel: "#secret"}, "", scrollback.Info, "alice invites you to #secret"},
		{"invite other", event.Invite{Meta: meta(1), By: "alice", Nick: "bob", Channel: "#ferry"}, "#ferry", scrollback.Info, "alice invited bob to #ferry"},
		{"own away", event.Away{Meta: meta(1), Nick: "newcomer", Away: true, Message: "lunch", Self: true}, "", scrollback.Info, "you are marked as away: lunch"},
		{"own back", event.Away{Meta: meta(1), Nick: "newcomer", Self: true}, "", scrollback.Info, "no longer marked as away"},
		{"user mode", event.Mode{Meta: meta(1), Target: "newcomer", Modes: "+i"}, "", scrollback.Mode, "mode +i for newcomer"},
		{"channel mode", event.Mode{Meta: meta(1), Target: "#ferry", By: "chatter", Modes: "+m"}, "#ferry", scrollback.Mode, "chatter sets mode +m"},
		{"topic change", event.Topic{Meta: meta(1), Channel: "#ferry", Topic: "new", SetBy: "alice", Changed: true}, "#ferry", scrollback.Topic, "alice changed the topic to: new"},
		{"kick", event.Kick{Meta: meta(1), Channel: "#ferry", Nick: "Bob", By: "chatter", Reason: "spam"}, "#ferry", scrollback.Kick, "Bob was kicked by chatter (spam)"},
		{"notice from server", event.Message{Meta: meta(1), Kind: event.Notice, From: "s1", Text: "*** looking up your host"}, "", scrollback.Notice, "looking up"},
		{"private message", event.Message{Meta: meta(1), From: "dave", Buffer: "dave", Text: "hi there"}, "dave", scrollback.Message, "hi there"},
		{"waiting", event.ConnState{Meta: meta(1), State: event.StateWaiting, Reason: "EOF", RetryIn: 4 * time.Second}, "", scrollback.Info, "connection lost: EOF; retrying in 4s"},
		{"disconnected", event.ConnState{Meta: meta(1), State: event.StateDisconnected, Reason: "/disconnect"}, "", scrollback.Info, "disconnected: /disconnect"},
		{"redirect followed", event.Redirect{Meta: meta(1), Server: "irc2.example.net:6697", Followed: true}, "", scrollback.Info, "redirected to irc2.example.net:6697"},
		{"redirect refused", event.Redirect{Meta: meta(1), Server: "irc2.example.net:6667", Reason: "it would drop TLS"}, "", scrollback.Info, "did not follow the redirect to irc2.example.net:6667: it would drop TLS"},
		// Channels not given: found through the member lists.
		{"own nick", event.NickChange{Meta: meta(1), Old: "newcomer", New: "n2", Self: true}, "#ferry", scrollback.Nick, "n2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := newHarness(t, 100, 20, Options{})
			demoChannel(hs)
			n := hs.m.m.netBy["ferrynet"]
			counts := map[*buffer]int{n.server0: n.server0.sb.Len()}
			for _, b := range n.bufs {
				counts[b] = b.sb.Len()
			}
			hs.feed(tt.ev)
			want := n.find(tt.buffer)
			if want == nil {
				t.Fatalf("no buffer %q after the event", tt.buffer)
			}
			for b, c := range counts {
				if b != want && b.sb.Len() != c {
					t.Errorf("buffer %q got a line too", b.name)
				}
			}
			if want.sb.Len() == counts[want] {
				t.Fatalf("buffer %q got no line", tt.buffer)
			}
			l := want.sb.Line(want.sb.Len() - 1)
			if l.Kind != tt.kind || !strings.Contains(l.Text, tt.text) {
				t.Errorf("line %v %q, want %v containing %q", l.Kind, l.Text, tt.kind, tt.text)
			}
		})
	}
}

// Connection states reach the status bar and the sidebar; Registered and
// Lag fill them in.
func TestConnectionStateInBars(t *testing.T) {
	hs := newHarness(t, 100, 12, Options{})
	demoChannel(hs)
	hs.feed(event.ConnState{Meta: meta(80), State: event.StateWaiting, Reason: "EOF", RetryIn: time.Second})
	s := hs.screen()
	if !strings.Contains(s, "waiting") || strings.Contains(s, "lag 3ms") {
		t.Errorf("waiting not shown (or stale lag kept):\n%s", s)
	}
	if !strings.Contains(s, "(not joined)") {
		t.Errorf("topic line does not say the channel is not joined:\n%s", s)
	}
	hs.feed(
		event.ConnState{Meta: meta(81), State: event.StateRegistered},
		event.Registered{Meta: meta(81), Nick: "newcomer_", ServerName: "s2"},
		event.Join{Meta: meta(81), Channel: "#ferry", Nick: "newcomer_", Self: true},
		event.Lag{Meta: meta(82), RTT: 42 * time.Millisecond},
	)
	s = hs.screen()
	if !strings.Contains(s, "[ferrynet/s2] · newcomer_ · lag 42ms") || strings.Contains(s, "(not joined)") {
		t.Errorf("after the reconnect:\n%s", s)
	}
}

// A failed connection attempt names the address once: "connecting to A",
// then the connection's one sentence saying why A could not be reached;
// the retry that follows adds only when, not the address and the cause
// again (they were said three times: the attempt, the error, and a
// "connection lost: dial A: dial tcp A: ..." that was never a loss).
func TestDialFailureNamesTheAddressOnce(t *testing.T) {
	hs := newHarness(t, 120, 20, Options{}, "local")
	const addr = "127.0.0.1:16999"
	hs.feed(event.ConnState{Meta: event.Meta{Network: "local", Time: meta(1).Time}, State: event.StateConnecting, Server: addr},
		event.Error{Meta: event.Meta{Network: "local", Time: meta(1).Time}, Text: "Could not connect to " + addr + ": connection refused"},
		event.ConnState{Meta: event.Meta{Network: "local", Time: meta(1).Time}, State: event.StateWaiting, Server: addr,
			Reason: "dial " + addr + ": connection refused", RetryIn: 2 * time.Second})
	sb := hs.m.m.netBy["local"].server0.sb
	var all []string
	for i := 0; i < sb.Len(); i++ {
		all = append(all, sb.Line(i).Text)
	}
	text := strings.Join(all, "\n")
	if n := strings.Count(text, addr); n != 2 {
		t.Errorf("the address appears %d times in the server buffer, want 2 (the attempt and the error):\n%s", n, text)
	}
	if strings.Contains(text, "connection lost") {
		t.Errorf("a connection that was never made is reported lost:\n%s", text)
	}
	if !strings.Contains(text, "retrying in 2s") {
		t.Errorf("the retry is not said:\n%s", text)
	}
}
