package main

import (
	"reflect"
	"testing"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/cmd/internal/journal"
	"github.com/ferry-irc/ferry/net/conn"
)

// TestJournalLines: the journal at exit is what the Pool says never went
// out, stopped by the quit or the close: one line per typed message (the
// pieces of a split text joined in order, an ACTION read back from its
// CTCP framing, a STATUSMSG line in its channel's buffer), in the order
// typed across networks; never a line that failed while ferry ran
// (registration failed for good: the UI showed it, /resend may have sent
// it), nor a line that was not typed text.
func TestJournalLines(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	at := func(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }
	line := func(network string, id uint64, sec int, why conn.UnsentWhy, wire string) conn.Unsent {
		m := irc.MustParseMessage(wire)
		target, buffer := m.Param(0), m.Param(0)
		if target[0] == '@' {
			buffer = target[1:]
		}
		return conn.Unsent{Network: network, LocalID: id, Target: target, Buffer: buffer, Nick: "me", Time: at(sec), Why: why, Msg: m}
	}
	unsent := []conn.Unsent{
		// Network n, in queue order.
		line("n", 2, 3, conn.UnsentClosed, "PRIVMSG #a :still waiting"),
		line("n", 0, 4, conn.UnsentClosed, "JOIN #b"),
		line("n", 5, 8, conn.UnsentClosed, "PRIVMSG #a :split one"),
		line("n", 5, 8, conn.UnsentClosed, "PRIVMSG #a :split two"),
		line("n", 8, 13, conn.UnsentClosed, "NOTICE #a :failed by the close"),
		// Network other.
		line("other", 6, 10, conn.UnsentQuit, "PRIVMSG #a :dropped by the quit"),
		line("other", 7, 11, conn.UnsentQuit, "PRIVMSG bob :\x01ACTION waves\x01"),
		line("other", 9, 12, conn.UnsentQuit, "PRIVMSG @#ops :to the ops"),
		// Network refused: registration failed for good while ferry ran.
		line("refused", 3, 4, conn.UnsentFatal, "PRIVMSG #a :refused while running"),
	}
	j := func(network, target string, sec int, kind journal.Kind, text string) journal.Line {
		return journal.Line{Network: network, Target: target, Nick: "me", Kind: kind, Text: text, Time: at(sec)}
	}
	want := []journal.Line{
		j("n", "#a", 3, journal.Privmsg, "still waiting"),
		j("n", "#a", 8, journal.Privmsg, "split one split two"),
		j("other", "#a", 10, journal.Privmsg, "dropped by the quit"),
		j("other", "bob", 11, journal.Action, "waves"),
		j("other", "#ops", 12, journal.Privmsg, "to the ops"),
		j("n", "#a", 13, journal.Notice, "failed by the close"),
	}
	if got := journalLines(unsent); !reflect.DeepEqual(got, want) {
		t.Errorf("journal:\n%+v\nwant:\n%+v", got, want)
	}
	if got := journalLines(nil); len(got) != 0 {
		t.Errorf("journal of nothing: %+v", got)
	}
}

// TestJournalLinesMultiline: an unsent multiline batch is journalled as the
// text typed: its lines joined with newlines, a continuation with nothing,
// its BATCH lines left out.
func TestJournalLinesMultiline(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	var unsent []conn.Unsent
	for _, wire := range []string{
		"BATCH +ml1 draft/multiline #a",
		"@batch=ml1 PRIVMSG #a :one",
		"@batch=ml1 PRIVMSG #a :two ",
		"@batch=ml1;draft/multiline-concat PRIVMSG #a continued",
		"BATCH -ml1",
	} {
		m := irc.MustParseMessage(wire)
		unsent = append(unsent, conn.Unsent{Network: "n", LocalID: 4, Target: m.Param(0), Buffer: m.Param(0), Nick: "me", Time: t0, Why: conn.UnsentClosed, Msg: m})
	}
	want := []journal.Line{{Network: "n", Target: "#a", Nick: "me", Kind: journal.Privmsg, Text: "one\ntwo continued", Time: t0}}
	if got := journalLines(unsent); !reflect.DeepEqual(got, want) {
		t.Errorf("journal:\n%+v\nwant:\n%+v", got, want)
	}
}
