package main

import (
	"slices"
	"strings"

	"github.com/ferry-irc/ferry/cmd/internal/journal"
	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

// journalLines turns the Pool's one record of lines that never went out
// (Pool.Undelivered, read once Close has returned) into the journal: one
// line per typed message, its pieces (a text the session split) joined in
// the order sent, the messages in the order typed.
//
// Lines stopped by the user's quit or by the close are kept. A line that
// failed because registration failed for good is not: ferry was running,
// the UI showed it not sent, and /resend may have sent it since. Lines
// that were not typed text (a JOIN, a /raw line) have nothing to show.
func journalLines(unsent []conn.Unsent) []journal.Line {
	type key struct {
		network string
		id      uint64
	}
	var out []journal.Line
	var pieces [][]string
	at := map[key]int{}
	for _, u := range unsent {
		if u.LocalID == 0 || u.Why == conn.UnsentFatal || u.Buffer == "" {
			continue
		}
		kind, text, ok := typedText(u)
		if !ok {
			continue
		}
		k := key{u.Network, u.LocalID}
		if i, ok := at[k]; ok {
			pieces[i] = append(pieces[i], joiner(u)+text)
			continue
		}
		at[k] = len(out)
		out = append(out, journal.Line{Network: u.Network, Target: u.Buffer, Nick: u.Nick, Kind: journalKind(kind), Time: u.Time})
		pieces = append(pieces, []string{text})
	}
	for i := range out {
		out[i].Text = strings.Join(pieces[i], "")
	}
	// Undelivered lists network by network; the journal is in typing order.
	slices.SortStableFunc(out, func(a, b journal.Line) int { return a.Time.Compare(b.Time) })
	return out
}

// joiner is what goes before a piece of a typed message that is not its
// first: the session splits a plain text at a space it drops
// (ircx.SplitText), so one space puts it back as typed, save a word longer
// than a line, which gains one; the lines of a multiline batch are joined
// with a newline, and its continuations (draft/multiline-concat) with
// nothing, as they were cut.
func joiner(u conn.Unsent) string {
	if _, batch := u.Msg.Tags["batch"]; !batch {
		return " "
	}
	if _, concat := u.Msg.Tags["draft/multiline-concat"]; concat {
		return ""
	}
	return "\n"
}

// typedText reads the kind and text of a typed line back from the line as
// it would have been sent: PRIVMSG, NOTICE, or a PRIVMSG framed as CTCP
// ACTION (/me).
func typedText(u conn.Unsent) (event.MsgKind, string, bool) {
	if u.Msg == nil || len(u.Msg.Params) < 2 {
		return 0, "", false
	}
	text := u.Msg.Params[len(u.Msg.Params)-1]
	switch strings.ToUpper(u.Msg.Command) {
	case "NOTICE":
		return event.Notice, text, true
	case "PRIVMSG":
		if verb, args, ok := ircx.ParseCTCP(text); ok && verb == "ACTION" {
			return event.Action, args, true
		}
		return event.Privmsg, text, true
	}
	return 0, "", false
}
