package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/cmd/internal/journal"
	"github.com/ferry-irc/ferry/net/event"
)

// TestUndelivered: what the events say decides which lines are journaled
// at exit: outstanding lines and lines failed by the quit or the close,
// in the order typed; never a delivered line, an echo, or a line that
// failed while ferry ran (the UI shows that one, /resend sends it again).
func TestUndelivered(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	meta := func(net string, sec int) event.Meta {
		return event.Meta{Network: net, Time: t0.Add(time.Duration(sec) * time.Second)}
	}
	self := func(net string, sec int, id uint64, text string, pending bool) event.Message {
		return event.Message{Meta: meta(net, sec), Buffer: "#a", Target: "#a", From: "me", Self: true, LocalID: id, Text: text, Pending: pending}
	}
	u := newUndelivered()
	u.batch(event.Batch{Events: []event.Event{
		self("n", 1, 1, "delivered", true),
		event.Delivered{Meta: meta("n", 2), LocalID: 1},
		self("n", 2, 1, "delivered", false), // an update after Delivered
	}})
	u.batch(event.Batch{Events: []event.Event{
		self("n", 3, 2, "still waiting", true),
		self("n", 4, 3, "refused while running", false),
		event.Failed{Meta: meta("n", 5), LocalID: 3, Reason: "cannot send to channel"},
		self("n", 6, 4, "echoed", false),
		event.Message{Meta: meta("n", 7), Buffer: "#a", From: "me", Self: true, LocalID: 4, MsgID: "m4", Text: "echoed"},
		event.Delivered{Meta: meta("n", 7), LocalID: 4},
		self("n", 8, 5, "split one", true),
		self("n", 8, 5, "split two", true),
		self("n", 8, 5, "split one", false), // the same line, now written
		event.Message{Meta: meta("n", 9), Buffer: "#a", From: "alice", Text: "not ours"},
		self("other", 10, 6, "dropped by the quit", true),
	}})
	u.batch(event.Batch{Events: []event.Event{
		// An action typed to a query, also waiting.
		event.Message{Meta: meta("other", 11), Kind: event.Action, Buffer: "bob", Target: "bob", From: "me", Self: true, LocalID: 7, Text: "waves", Pending: true},
	}})
	u.quit("other")
	u.batch(event.Batch{Events: []event.Event{
		event.Failed{Meta: meta("other", 12), LocalID: 6, Reason: "not sent: you quit"},
		self("n", 13, 8, "failed by the close", false),
	}})
	u.close()
	u.batch(event.Batch{Events: []event.Event{
		event.Failed{Meta: meta("n", 14), LocalID: 8, Reason: "not sent: ferry was closed"},
	}})
	line := func(net, target string, sec int, kind journal.Kind, text string) journal.Line {
		return journal.Line{Network: net, Target: target, Nick: "me", Kind: kind, Text: text, Time: t0.Add(time.Duration(sec) * time.Second)}
	}
	want := []journal.Line{
		line("n", "#a", 3, journal.Privmsg, "still waiting"),
		line("n", "#a", 8, journal.Privmsg, "split one"),
		line("n", "#a", 8, journal.Privmsg, "split two"),
		line("other", "#a", 10, journal.Privmsg, "dropped by the quit"),
		line("other", "bob", 11, journal.Action, "waves"),
		line("n", "#a", 13, journal.Privmsg, "failed by the close"),
	}
	if got := u.journal(); !reflect.DeepEqual(got, want) {
		t.Errorf("journal:\n%+v\nwant:\n%+v", got, want)
	}
}
