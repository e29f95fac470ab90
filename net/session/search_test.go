package session

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

const searchCaps = "server-time message-tags batch soju.im/search"

// A search is sent as SEARCH with escaped attributes, and its batch comes
// back as one SearchResults, oldest first: never as live messages.
func TestSearchAskedAndAnswered(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(searchCaps, "")
	sc.feed(":srv 376 me :End of MOTD", ":me!u@h JOIN #c")
	sc.sent()

	if evs := sc.s.Submit(command.Search{Buffer: "#c", Text: "ferry sails; at noon\\"}); len(evs) != 0 {
		t.Errorf("Search returned events at once: %+v", evs)
	}
	sc.allClass(ClassAuto)
	sc.expect(`SEARCH in=#c;text=ferry\ssails\:\sat\snoon\\;limit=50`)

	evs := sc.feed(
		":srv BATCH +s1 soju.im/search",
		"@batch=s1;time=2026-11-20T10:00:00.000Z;msgid=b :bob!u@h PRIVMSG #c :the ferry sails at noon",
		"@batch=s1;time=2026-11-20T09:00:00.000Z;msgid=a :me!u@h PRIVMSG #c :\x01ACTION says the ferry sails\x01",
		":srv BATCH -s1",
	)
	res := one[event.SearchResults](t, evs)
	if res.Buffer != "#c" || res.Text != "ferry sails; at noon\\" || res.Failed != "" || len(res.Messages) != 2 {
		t.Fatalf("results %+v", res)
	}
	first, second := res.Messages[0], res.Messages[1]
	if first.MsgID != "a" || first.Kind != event.Action || !first.Self || first.Buffer != "#c" {
		t.Errorf("first result %+v, want the older own action", first)
	}
	if second.MsgID != "b" || second.From != "bob" || second.Text != "the ferry sails at noon" {
		t.Errorf("second result %+v", second)
	}
	for _, e := range evs {
		if _, live := e.(event.Message); live {
			t.Errorf("a search result was dispatched as a live message: %+v", e)
		}
	}
}

// Without the capability nothing is sent and nothing answers: the UI's
// own search stands alone. Empty text or a bad buffer sends nothing either.
func TestSearchNotOffered(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End of MOTD")
	sc.sent()
	if evs := sc.s.Submit(command.Search{Buffer: "#c", Text: "x"}); len(evs) != 0 {
		t.Errorf("events %+v", evs)
	}
	sc.expect()

	sc2 := newScript(t, Config{})
	sc2.registerHist(searchCaps, "")
	sc2.feed(":srv 376 me :End of MOTD")
	sc2.sent()
	sc2.s.Submit(command.Search{Buffer: "#c", Text: "  "})
	sc2.s.Submit(command.Search{Buffer: "bad buffer", Text: "x"})
	sc2.expect()
}

// FAIL SEARCH and 421 SEARCH answer the oldest waiting search with the
// reason; with no search waiting (a /raw SEARCH) they are shown as usual.
func TestSearchFailures(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(searchCaps, "")
	sc.feed(":srv 376 me :End of MOTD")
	sc.s.Submit(command.Search{Buffer: "#c", Text: "one"})
	sc.s.Submit(command.Search{Buffer: "#d", Text: "two"})
	sc.sent()

	res := one[event.SearchResults](t, sc.feed(":srv FAIL SEARCH INVALID_PARAMS in :You are not in #c"))
	if res.Buffer != "#c" || res.Text != "one" || !strings.Contains(res.Failed, "not in #c") {
		t.Errorf("FAIL answered %+v", res)
	}
	res = one[event.SearchResults](t, sc.feed(":srv 421 me SEARCH :Unknown command"))
	if res.Buffer != "#d" || res.Failed == "" {
		t.Errorf("421 answered %+v", res)
	}
	info := one[event.Info](t, sc.feed(":srv FAIL SEARCH NEED_MORE_PARAMS :Missing text"))
	if !info.Error || !strings.Contains(info.Text, "Missing text") {
		t.Errorf("FAIL with no search waiting: %+v", info)
	}
	// A batch nobody asked for is dropped, not shown as live.
	evs := sc.feed(":srv BATCH +x soju.im/search", "@batch=x :bob!u@h PRIVMSG #c :stray", ":srv BATCH -x")
	if len(evs) != 0 {
		t.Errorf("unsolicited search batch produced %+v", evs)
	}
}

// Waiting searches are bounded: past maxSearches the oldest is forgotten
// and the next batch answers the oldest one still remembered.
func TestSearchRequestsBounded(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(searchCaps, "")
	sc.feed(":srv 376 me :End of MOTD")
	for i := range maxSearches + 1 {
		sc.s.Submit(command.Search{Buffer: "#c", Text: "q" + string(rune('0'+i))})
	}
	if len(sc.s.searches) != maxSearches {
		t.Fatalf("%d searches remembered, want %d", len(sc.s.searches), maxSearches)
	}
	res := one[event.SearchResults](t, sc.feed(":srv BATCH +s soju.im/search", ":srv BATCH -s"))
	if res.Text != "q1" {
		t.Errorf("first batch answered %q, want q1 (q0 forgotten)", res.Text)
	}
}
