package ui

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/ui/scrollback"
)

// TestE2EAwayOneLine: against the test network, /away and its 306 answer
// show one line in the server buffer, and so do /away (back) and its 305.
func TestE2EAwayOneLine(t *testing.T) {
	_, _, _, f := e2eSetup(t, "#ferry")
	awayLines := func() []string {
		var out []string
		sb := f.net().server0.sb
		for i := range sb.Len() {
			if l := sb.Line(i); l.Kind != scrollback.DaySeparator && strings.Contains(strings.ToLower(l.Text), "away") {
				out = append(out, l.Text)
			}
		}
		return out
	}
	f.focus("#ferry")
	f.typeLine("/away lunch")
	f.until("the away line", func() bool { return len(awayLines()) > 0 })
	f.written("#ferry") // the server answered everything before
	if got := awayLines(); len(got) != 1 || got[0] != "you are marked as away: lunch" {
		t.Errorf("after /away lunch: %q", got)
	}
	f.typeLine("/away")
	f.until("the back line", func() bool { return len(awayLines()) > 1 })
	f.written("#ferry")
	if got := awayLines(); len(got) != 2 || got[1] != "you are no longer marked as away" {
		t.Errorf("after /away: %q", got)
	}
}
