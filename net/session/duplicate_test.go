package session

import (
	"fmt"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// liveTexts returns the texts of the Messages in evs.
func liveTexts(evs []event.Event) []string {
	var out []string
	for _, m := range only[event.Message](evs) {
		out = append(out, m.Text)
	}
	return out
}

// Duplicate defence is the session's: a live message whose msgid was seen
// in the same buffer (case-folded) is not emitted again; other buffers,
// lines without msgid, and everything without message-tags pass.
func TestDuplicateMsgidDroppedPerBuffer(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("message-tags")
	sc.feed(":me!u@h JOIN #a", ":me!u@h JOIN #B", ":me!u@h JOIN #b[1]")
	evs := sc.feed(
		privmsg("x1", 1, "bob", "#a", "one"),
		privmsg("x1", 2, "bob", "#a", "one again"), // same buffer, same msgid: dropped
		privmsg("x1", 3, "bob", "#B", "other buffer"),
		privmsg("x1", 4, "bob", "#b", "case-folded buffer"), // #B and #b are one buffer
		privmsg("x2", 5, "bob", "#b[1]", "brackets"),
		privmsg("x2", 6, "bob", "#B{1}", "rfc1459-folded buffer"), // [ and { fold under rfc1459
		privmsg("", 7, "bob", "#a", "no msgid"),
		privmsg("", 8, "bob", "#a", "no msgid"), // without msgid nothing can be told apart
		privmsg("q1", 9, "bob", "me", "query"),
		privmsg("q1", 10, "BOB", "me", "query again"), // the query buffer, folded
		"@msgid=s1 :srv.example NOTICE * :server notice",
		"@msgid=s1 :srv.example NOTICE * :server notice again", // the server buffer too
	)
	want := []string{"one", "other buffer", "brackets", "no msgid", "no msgid", "query", "server notice"}
	if got := liveTexts(evs); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("emitted %q, want %q", got, want)
	}

	plain := newScript(t, Config{})
	plain.register("multi-prefix") // no message-tags: a msgid tag means nothing
	evs = plain.feed(privmsg("m1", 1, "bob", "me", "hello"), privmsg("m1", 2, "bob", "me", "hello"))
	if n := len(only[event.Message](evs)); n != 2 {
		t.Errorf("without message-tags %d messages emitted, want 2", n)
	}
}

// A live line that a history page already brought is a duplicate too.
func TestDuplicateAfterHistoryPage(t *testing.T) {
	sc := newScript(t, Config{})
	sc.rejoinHist("message-tags batch server-time draft/chathistory", "CHATHISTORY=100")
	sc.feed(":me!u@h JOIN #c")
	sc.sent()
	evs := sc.feed(
		":srv BATCH +h chathistory #c",
		"@batch=h;"+privmsg("h1", 1, "bob", "#c", "from history")[1:],
		":srv BATCH -h",
		privmsg("h1", 1, "bob", "#c", "from history"),
	)
	if got := liveTexts(evs); len(got) != 0 {
		t.Errorf("live copy of a history line emitted: %q", got)
	}
	if h := one[event.History](t, evs); len(h.Messages) != 1 {
		t.Errorf("history page has %d messages, want 1", len(h.Messages))
	}
}

// The memory is bounded: the last recentMsgIDs msgids of a buffer, and at
// most maxHistBuffers buffers.
func TestDuplicateMemoryIsBounded(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("message-tags")
	for i := range recentMsgIDs + 10 {
		if evs := sc.feed(privmsg(fmt.Sprint(i), i, "bob", "me", "m")); len(evs) != 1 {
			t.Fatalf("fresh msgid %d dropped", i)
		}
	}
	if b := sc.s.historyOf("bob", false); len(b.recent) != recentMsgIDs {
		t.Fatalf("%d msgids remembered, want %d", len(b.recent), recentMsgIDs)
	}
	if evs := sc.feed(privmsg("0", 0, "bob", "me", "m")); len(evs) != 1 {
		t.Error("the oldest msgid should have been forgotten")
	}
	if evs := sc.feed(privmsg(fmt.Sprint(recentMsgIDs+9), 0, "bob", "me", "m")); len(evs) != 0 {
		t.Error("a recent msgid was forgotten")
	}
	for i := range maxHistBuffers + 5 {
		sc.feed(privmsg("m", 0, fmt.Sprintf("nick%d", i), "me", "m"))
	}
	if len(sc.s.hist) > maxHistBuffers {
		t.Errorf("%d buffers remembered, bound is %d", len(sc.s.hist), maxHistBuffers)
	}
}
