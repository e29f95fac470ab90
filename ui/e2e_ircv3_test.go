package ui

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/ui/scrollback"
	"gopkg.in/irc.v4"
)

// labeled-response end to end: /whois typed in #ferry, the user moves to
// #side before the answer comes; with the label the answer lands in
// #ferry, where it was asked (the unlabelled guess would put it in #side).
func TestE2ELabelledWhoisInTheBufferAskedFrom(t *testing.T) {
	_, _, _, f := e2eSetup(t, "#ferry", "#side")
	f.focus("#ferry")
	f.typeLine("/whois other")
	f.focus("#side")
	isWhois := func(l scrollback.Line) bool { return strings.HasPrefix(l.Text, "end of WHOIS for other") }
	f.until("the WHOIS answer in #ferry", func() bool { return len(f.lines("#ferry", isWhois)) == 1 })
	if n := len(f.lines("#side", isWhois)); n != 0 {
		t.Errorf("the answer also went to #side (%d lines)", n)
	}
	if n := len(f.lines("#ferry", func(l scrollback.Line) bool { return strings.HasPrefix(l.Text, "other (other@") })); n != 1 {
		t.Errorf("311 not in #ferry:\n%s", dumpBuffer(f.buf("#ferry")))
	}
	// A FAIL answering a labelled /raw lands there too.
	f.focus("#ferry")
	f.typeLine("/setname " + strings.Repeat("x", 200))
	f.focus("#side")
	f.until("FAIL SETNAME in #ferry", func() bool {
		return len(f.lines("#ferry", func(l scrollback.Line) bool {
			return l.Kind == scrollback.Error && strings.Contains(l.Text, "(INVALID_REALNAME)")
		})) == 1
	})
}

// setname, chghost and account-notify of another user are shown in the
// channel, and the account marks the member.
func TestE2EMemberChanges(t *testing.T) {
	tn, _, other, f := e2eSetup(t, "#ferry")
	f.focus("#ferry")
	other.send("CAP REQ :setname")
	other.waitFor("setname enabled", func(m *irc.Message) bool { return m.Command == "CAP" && m.Param(1) == "ACK" })
	other.send("SETNAME :Other Person")
	if err := tn.SetHost("other", "cloak.example"); err != nil {
		t.Fatal(err)
	}
	if err := tn.SetAccount("other", "otheracct"); err != nil {
		t.Fatal(err)
	}
	f.until("the three changes in #ferry", func() bool {
		return len(f.lines("#ferry", func(l scrollback.Line) bool {
			return l.Nick == "other" && (l.Kind == scrollback.Host && l.Text == "other@cloak.example" ||
				l.Kind == scrollback.Realname && l.Text == "Other Person" || l.Kind == scrollback.Account && l.Text == "otheracct")
		})) == 3
	})
	if mb, _ := f.buf("#ferry").members.Get("other"); mb.Account != "otheracct" {
		t.Errorf("member %+v", mb)
	}
	if s := f.screen(); !strings.Contains(s, "other changed host") || !strings.Contains(s, "✓") {
		t.Errorf("screen:\n%s", s)
	}
	// Our own realname, with /setname.
	f.typeLine("/setname You Yourself")
	f.until("our realname line", func() bool {
		return len(f.lines("", func(l scrollback.Line) bool { return l.Text == "your realname is now You Yourself" })) == 1
	})
}
