package testnet

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

// TestUserModes: the modes a user sets on itself are kept, echoed once
// as changed and reported by MODE nick; unknown flags change nothing.
func TestUserModes(t *testing.T) {
	n := startNet(t, Options{})
	c := register(t, n.Node("s1").Addr(), "alice")
	for _, tc := range []struct {
		set, echo, is string // echo "": no MODE line
	}{
		{"+i", "+i", "+i"},
		{"+i", "", "+i"},
		{"+wi", "+w", "+iw"},
		{"-i+x", "", "+iw"}, // 501: nothing applied
		{"-i", "-i", "+w"},
		{"+i-w", "+i-w", "+i"},
		{"-iw", "-i", "+"},
	} {
		c.send("MODE alice %s", tc.set)
		c.send("MODE alice")
		m, seen := c.expect("221", func(m *irc.Message) bool { return m.Command == "221" })
		var echo string
		refused := false
		for _, s := range seen {
			switch {
			case is(s, "MODE", "alice"):
				echo += s.Param(1)
			case is(s, "501", "alice"):
				refused = true
			}
		}
		if refused != strings.Contains(tc.set, "x") {
			t.Errorf("MODE alice %s: 501 sent: %v", tc.set, refused)
		}
		if echo != tc.echo || m.Param(1) != tc.is {
			t.Errorf("MODE alice %s: echo %q, modes %q; want %q, %q", tc.set, echo, m.Param(1), tc.echo, tc.is)
		}
	}
}
