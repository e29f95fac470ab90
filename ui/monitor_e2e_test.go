package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
	"gopkg.in/irc.v4"
)

// dialRawTags is dialRaw with message-tags enabled.
func dialRawTags(t *testing.T, addr, nick string, wake chan<- struct{}) *rawUser {
	t.Helper()
	u := connectRaw(t, addr, nick, wake)
	u.send("CAP REQ :message-tags")
	u.send("NICK " + nick)
	u.send("USER " + nick + " 0 * :" + nick)
	u.send("CAP END")
	u.waitFor(nick+" registered", func(m *irc.Message) bool { return m.Command == "001" })
	return u
}

// infoLines are the texts of buffer name's Info lines containing s.
func (f *ferry) infoLines(name, s string) []string {
	var out []string
	for _, l := range f.lines(name, func(l scrollback.Line) bool { return l.Kind == scrollback.Info && strings.Contains(l.Text, s) }) {
		out = append(out, l.Text)
	}
	return out
}

// TestE2EMonitor: /monitor against ferryd through the real Pool: bob's
// arrival and departure are written in his query and mark the sidebar;
// after a reconnect the list is sent again (bob's next arrival is told),
// without repeating what did not change.
func TestE2EMonitor(t *testing.T) {
	tn, g, _, f := e2eSetup(t, "#ferry")
	addr := tn.Node("s1").Addr()
	f.typeLine("/query bob")
	f.typeLine("/monitor +bob")
	f.until("bob offline", func() bool { return len(f.infoLines("bob", "bob is offline")) == 1 })
	online := func() (on, dim bool) {
		for _, it := range f.m.m.sidebarItems() {
			if it.Label == "bob" {
				return it.Online, it.Disconnected
			}
		}
		return false, false
	}
	if on, dim := online(); on || !dim {
		t.Fatalf("bob offline in the sidebar: online %v dimmed %v", on, dim)
	}
	bob := dialRaw(t, addr, "bob", f.wake)
	f.until("bob online", func() bool { return len(f.infoLines("bob", "is online")) == 1 })
	if on, dim := online(); !on || dim {
		t.Fatalf("bob online in the sidebar: online %v dimmed %v", on, dim)
	}
	if s := f.screen(); !strings.Contains(s, "•bob") {
		t.Fatalf("no online mark:\n%s", s)
	}
	bob.send("QUIT :bye")
	f.until("bob offline again", func() bool { return len(f.infoLines("bob", "bob is offline")) == 2 })

	// A plain reconnect: the new connection's list starts empty on the
	// server, so ferry sends it again.
	dropAndHold(t, tn, g, f)
	g.open.Store(true)
	f.until("reconnected", func() bool { return f.state() == event.StateRegistered && f.joined("#ferry") })
	dialRaw(t, addr, "bob", f.wake)
	f.until("bob online after the reconnect", func() bool { return len(f.infoLines("bob", "is online")) == 2 })
	if n := len(f.infoLines("bob", "bob is offline")); n != 2 {
		t.Errorf("the reconnect repeated an unchanged state: %d offline lines", n)
	}
	f.typeLine("/monitor list")
	f.until("the server's list, in the buffer it was asked from", func() bool { return len(f.infoLines("bob", "monitored: bob")) == 1 })
}

// TestE2ETyping: typing notifications both ways through ferryd: ours reach
// a client with message-tags as TAGMSG +typing, and theirs show in the
// status bar.
func TestE2ETyping(t *testing.T) {
	tn, _, _, f := e2eSetup(t, "#ferry")
	tagger := dialRawTags(t, tn.Node("s1").Addr(), "tagger", f.wake)
	tagger.send("JOIN #ferry")
	f.until("tagger joined", func() bool { return f.buf("#ferry").members.Len() == 3 })
	f.focus("#ferry")
	for _, r := range "hel" {
		f.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
	typing := func(state string) func() bool {
		return func() bool {
			return len(tagger.find(func(m *irc.Message) bool {
				return m.Command == "TAGMSG" && m.Prefix != nil && m.Prefix.Name == "you" && m.Param(0) == "#ferry" && m.Tags["+typing"] == state
			})) > 0
		}
	}
	f.until("tagger sees you typing", typing("active"))
	f.update(keyMsg("ctrl+u"))
	f.until("tagger sees you stop (done, after the throttle)", typing("done"))
	if n := len(tagger.find(func(m *irc.Message) bool { return m.Command == "TAGMSG" })); n != 2 {
		t.Errorf("tagger got %d TAGMSGs, want active and done", n)
	}

	tagger.send("@+typing=active TAGMSG #ferry")
	f.until("tagger shown typing", func() bool { return strings.Contains(f.screen(), "tagger is typing…") })
	tagger.send("PRIVMSG #ferry :there")
	f.until("the message clears it", func() bool {
		return f.count("#ferry", "there") == 1 && !strings.Contains(f.screen(), "is typing")
	})
}
