package session

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// histCaps are the capabilities a chathistory server offers.
const histCaps = "server-time message-tags batch draft/chathistory"

// registerHist registers (or re-registers) offering caps, with extra
// ISUPPORT tokens, and returns the lines sent after CAP END (the rejoin).
// It stops before the end of the MOTD, so a test sees what that triggers.
func (sc *script) registerHist(caps, isupport string) []string {
	sc.t.Helper()
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :" + caps)
	out := sc.sent()
	if len(out) != 1 || !strings.HasPrefix(out[0], "CAP REQ") {
		sc.t.Fatalf("CAP REQ expected, sent %q", out)
	}
	sc.feed(":srv CAP * ACK :" + strings.TrimPrefix(strings.TrimPrefix(out[0], "CAP REQ "), ":"))
	sc.expect("CAP END")
	sc.feed(":srv 001 me :Welcome", ":srv 005 me CHANTYPES=# PREFIX=(ov)@+ "+isupport+" :are supported")
	return sc.sent()
}

// rejoinHist is registerHist through the end of the burst (376), when the
// rejoin goes out; it returns what was sent after CAP END.
func (sc *script) rejoinHist(caps, isupport string) []string {
	sc.t.Helper()
	out := sc.registerHist(caps, isupport)
	sc.feed(":srv 376 me :End of MOTD")
	return append(out, sc.sent()...)
}

// ts is the server-time of second n after epoch.
func ts(n int) string { return epoch.Add(time.Duration(n) * time.Second).Format(time.RFC3339Nano) }

// privmsg is a tagged PRIVMSG line; id or time may be empty.
func privmsg(id string, sec int, from, target, text string) string {
	var tags []string
	if id != "" {
		tags = append(tags, "msgid="+id)
	}
	if sec >= 0 {
		tags = append(tags, "time="+ts(sec))
	}
	prefix := ""
	if len(tags) > 0 {
		prefix = "@" + strings.Join(tags, ";") + " "
	}
	return prefix + ":" + from + "!x@h PRIVMSG " + target + " :" + text
}

// historyBatch wraps lines in a chathistory batch for target.
func historyBatch(ref, target string, lines ...string) []string {
	out := []string{":srv BATCH +" + ref + " chathistory " + target}
	for _, l := range lines {
		out = append(out, inBatch(ref, l))
	}
	return append(out, ":srv BATCH -"+ref)
}

// inBatch tags line with batch ref.
func inBatch(ref, line string) string {
	if strings.HasPrefix(line, "@") {
		return "@batch=" + ref + ";" + line[1:]
	}
	return "@batch=" + ref + " " + line
}

// texts returns the texts of msgs, for compact comparisons.
func texts(msgs []event.Message) []string {
	out := []string{}
	for _, m := range msgs {
		out = append(out, m.Text)
	}
	return out
}

// classes fails unless every line sent since the last check has class c.
func (sc *script) allClass(c Class) {
	sc.t.Helper()
	for _, o := range sc.rec.out {
		if o.Class != c {
			sc.t.Errorf("%s sent as %v, want %v", o.Msg, o.Class, c)
		}
	}
}

func TestHistoryCapRequested(t *testing.T) {
	tests := []struct {
		offered, req string
		enabled      bool
	}{
		{histCaps, "CAP REQ :server-time message-tags batch draft/chathistory", true},
		{"draft/chathistory", "CAP REQ draft/chathistory", false}, // without batch replies cannot be told from live lines
		{"batch draft/event-playback chathistory", "CAP REQ batch", false},
	}
	for _, tt := range tests {
		sc := newScript(t, Config{})
		sc.s.Register()
		sc.sent()
		sc.feed(":srv CAP * LS :" + tt.offered)
		sc.expect(tt.req)
		sc.feed(":srv CAP * ACK :" + strings.TrimPrefix(strings.TrimPrefix(tt.req, "CAP REQ "), ":"))
		sc.expect("CAP END")
		sc.feed(":srv 001 me :hi")
		if sc.s.historyEnabled() != tt.enabled {
			t.Errorf("%q: history enabled %v, want %v", tt.offered, sc.s.historyEnabled(), tt.enabled)
		}
		evs := sc.s.Submit(command.FetchHistory{Buffer: "#c", BeforeID: "x"})
		if tt.enabled {
			sc.expect("CHATHISTORY BEFORE #c msgid=x 50")
			continue
		}
		sc.expect()
		if info := one[event.Info](t, evs); !strings.Contains(info.Text, "not available") || info.Buffer != "#c" {
			t.Errorf("%q: FetchHistory without the cap: %+v", tt.offered, info)
		}
	}
}

func TestHistoryLatestOnFirstJoinOnly(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "CHATHISTORY=20")
	sc.feed(":srv 376 me :End of MOTD")
	sc.expect()

	evs := sc.feed(":me!u@h JOIN #c")
	sc.allClass(ClassAuto)
	sc.expect("CHATHISTORY LATEST #c * 20") // min(50, CHATHISTORY)
	one[event.Join](t, evs)

	var batched []event.Event
	lines := historyBatch("h1", "#c",
		privmsg("m1", 1, "bob", "#c", "first"),
		privmsg("m2", 2, "me", "#c", "mine"),
		"@msgid=m3;time="+ts(3)+" :bob!x@h PRIVMSG #c :\x01ACTION waves\x01")
	for _, l := range lines[:len(lines)-1] {
		batched = append(batched, sc.feed(l)...)
	}
	if len(batched) != 0 {
		t.Fatalf("lines inside the batch emitted %#v", batched)
	}
	hist := one[event.History](t, sc.feed(lines[len(lines)-1]))
	if hist.Buffer != "#c" || hist.Gap || hist.Before || hist.More {
		t.Errorf("History flags %+v", hist)
	}
	want := []event.Message{
		{Meta: event.Meta{Time: epoch.Add(time.Second)}, Kind: event.Privmsg, Buffer: "#c", From: "bob", FromHost: "x@h", Target: "#c", Text: "first", MsgID: "m1"},
		{Meta: event.Meta{Time: epoch.Add(2 * time.Second)}, Kind: event.Privmsg, Buffer: "#c", From: "me", FromHost: "x@h", Target: "#c", Text: "mine", MsgID: "m2", Self: true},
		{Meta: event.Meta{Time: epoch.Add(3 * time.Second)}, Kind: event.Action, Buffer: "#c", From: "bob", FromHost: "x@h", Target: "#c", Text: "waves", MsgID: "m3"},
	}
	if len(hist.Messages) != len(want) {
		t.Fatalf("messages %+v", hist.Messages)
	}
	for i := range want {
		if hist.Messages[i] != want[i] {
			t.Errorf("message %d:\n got  %+v\n want %+v", i, hist.Messages[i], want[i])
		}
	}

	// Leaving and joining again: the buffer has history, so no LATEST.
	sc.feed(":me!u@h PART #c", ":me!u@h JOIN #c")
	sc.expect()

	// A channel whose LATEST came back empty is asked again on the next join.
	sc.feed(":me!u@h JOIN #quiet")
	sc.expect("CHATHISTORY LATEST #quiet * 20")
	if evs := sc.feed(historyBatch("h2", "#quiet")...); len(evs) != 0 {
		t.Errorf("empty batch emitted %#v", evs)
	}
	sc.feed(":me!u@h PART #quiet", ":me!u@h JOIN #quiet")
	sc.expect("CHATHISTORY LATEST #quiet * 20")

	// A live message makes a channel's history known too.
	sc.feed(":me!u@h JOIN #live")
	sc.expect("CHATHISTORY LATEST #live * 20")
	sc.feed(privmsg("l1", 5, "bob", "#live", "hi"), ":me!u@h PART #live", ":me!u@h JOIN #live")
	sc.expect()
}

func TestHistoryNoCapNoRequests(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist("server-time message-tags batch", "")
	sc.feed(":srv 376 me :End", ":me!u@h JOIN #c", privmsg("a", 1, "bob", "#c", "x"))
	sc.expect()
	if out := sc.rejoinHist("server-time message-tags batch", ""); strings.Join(out, "|") != "JOIN #c" {
		t.Fatalf("rejoin %q", out)
	}
	sc.feed(":me!u@h JOIN #c")
	sc.expect() // no chathistory on the new connection: nothing asked
}

// reconnectFixture is a session that saw live traffic on one connection
// (in #a, #b and a private buffer with bob) and then reconnected; it
// returns after the new 005, with the rejoin sent.
func reconnectFixture(t *testing.T, isupport string, tagged bool) *script {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, isupport)
	sc.feed(":srv 376 me :End of MOTD", ":me!u@h JOIN #a", ":me!u@h JOIN #b", ":me!u@h JOIN #quiet")
	sc.feed(historyBatch("l1", "#a")...)
	sc.feed(historyBatch("l2", "#b")...)
	sc.feed(historyBatch("l3", "#quiet")...)
	sc.sent()
	id := func(v string) string {
		if tagged {
			return v
		}
		return ""
	}
	sc.feed(privmsg(id("a1"), 10, "bob", "#a", "one"), privmsg(id("a2"), 11, "carol", "#a", "two"),
		privmsg(id("b1"), 12, "bob", "#b", "three"), privmsg(id("q1"), 13, "bob", "me", "psst"))
	if out := sc.rejoinHist(histCaps, isupport); len(out) != 1 || out[0] != "JOIN #a,#b,#quiet" {
		t.Fatalf("rejoin %q", out)
	}
	return sc
}

func TestHistoryGapAfterReconnect(t *testing.T) {
	tests := []struct {
		name     string
		isupport string
		tagged   bool
		latest   string
		want     []string
	}{
		{"msgid", "CHATHISTORY=1000", true, "50", []string{
			"CHATHISTORY AFTER #a msgid=a2 100", "CHATHISTORY AFTER #b msgid=b1 100", "CHATHISTORY AFTER bob msgid=q1 100"}},
		{"small server limit", "CHATHISTORY=25", true, "25", []string{
			"CHATHISTORY AFTER #a msgid=a2 25", "CHATHISTORY AFTER #b msgid=b1 25", "CHATHISTORY AFTER bob msgid=q1 25"}},
		{"no msgid tags", "", false, "50", []string{
			"CHATHISTORY AFTER #a timestamp=2026-11-26T12:00:11.000Z 100",
			"CHATHISTORY AFTER #b timestamp=2026-11-26T12:00:12.000Z 100",
			"CHATHISTORY AFTER bob timestamp=2026-11-26T12:00:13.000Z 100"}},
		{"server refuses msgid references", "MSGREFTYPES=timestamp", true, "50", []string{
			"CHATHISTORY AFTER #a timestamp=2026-11-26T12:00:11.000Z 100",
			"CHATHISTORY AFTER #b timestamp=2026-11-26T12:00:12.000Z 100",
			"CHATHISTORY AFTER bob timestamp=2026-11-26T12:00:13.000Z 100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := reconnectFixture(t, tt.isupport, tt.tagged)
			// #a is rejoined and talks before the rejoin is complete: the
			// reference stays the one from before the connection was lost.
			sc.feed(":me!u@h JOIN #a", privmsg("a3", 30, "bob", "#a", "back"), ":srv 376 me :End of MOTD")
			sc.expect()
			// #quiet had no messages: LATEST when it is rejoined, no AFTER.
			sc.feed(":me!u@h JOIN #quiet")
			sc.expect("CHATHISTORY LATEST #quiet * " + tt.latest)
			sc.feed(":me!u@h JOIN #b")
			sc.allClass(ClassAuto)
			sc.expect(tt.want...)
			if !sc.s.Ready() {
				t.Fatal("not ready after every rejoin was answered")
			}
		})
	}
}

func TestHistoryGapSkipsChannelsNotRejoined(t *testing.T) {
	sc := reconnectFixture(t, "", true)
	sc.feed(":me!u@h JOIN #a", ":srv 474 me #b :Cannot join channel (+b)", ":me!u@h JOIN #quiet")
	out := sc.sent()
	// The last answer makes the session ready: the gap is asked for, then
	// the latest page of the channel without history.
	want := []string{"CHATHISTORY AFTER #a msgid=a2 100", "CHATHISTORY AFTER bob msgid=q1 100", "CHATHISTORY LATEST #quiet * 50"}
	if strings.Join(out, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q, want %q", out, want)
	}
	// Nothing was missed in #a: an empty page emits nothing.
	if evs := sc.feed(historyBatch("e", "#a")...); len(evs) != 0 {
		t.Errorf("empty AFTER page emitted %#v", evs)
	}
	if len(sc.s.histReqs) != 2 {
		t.Errorf("the empty page did not answer #a's request: %+v", sc.s.histReqs)
	}
}

func TestHistoryGapWithoutChannelsWaitsForBurst(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End", privmsg("q1", 1, "bob", "me", "hi"))
	sc.sent()
	// No channel to rejoin: ready at 001, but CHATHISTORY's limit comes
	// with 005, so the request waits for the end of the MOTD.
	if out := sc.registerHist(histCaps, "CHATHISTORY=30"); len(out) != 0 {
		t.Fatalf("sent before the burst ended: %q", out)
	}
	sc.feed(":srv 422 me :MOTD File is missing")
	sc.expect("CHATHISTORY AFTER bob msgid=q1 30")
	sc.feed(":srv 376 me :End")
	sc.expect() // once per reconnect
}

func TestHistoryNothingAfterResumed(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End", ":me!u@h JOIN #a")
	sc.feed(historyBatch("l", "#a")...)
	sc.feed(privmsg("a1", 1, "bob", "#a", "x"), privmsg("q1", 2, "bob", "me", "y"))
	sc.sent()
	sc.s.Resumed() // a migration: same session on a new connection, nothing missed
	sc.expect()
	sc.feed(":srv 376 me :End", privmsg("a2", 3, "bob", "#a", "z"), ":me!u@h JOIN #other")
	if out := sc.sent(); len(out) != 1 || out[0] != "CHATHISTORY LATEST #other * 50" {
		t.Errorf("after Resumed sent %q, want only the LATEST of a new channel", out)
	}
}

func TestHistoryGapBatchDropsDuplicates(t *testing.T) {
	sc := reconnectFixture(t, "", true)
	sc.feed(":me!u@h JOIN #a", ":me!u@h JOIN #b", ":me!u@h JOIN #quiet")
	sc.sent()
	live := sc.feed(privmsg("a3", 30, "bob", "#a", "live after the reconnect"))
	one[event.Message](t, live)
	evs := sc.feed(historyBatch("g", "#a",
		privmsg("g1", 20, "dave", "#a", "missed 1"),
		privmsg("a2", 11, "carol", "#a", "two"), // before the gap: already shown
		privmsg("g2", 21, "dave", "#a", "missed 2"),
		privmsg("a3", 30, "bob", "#a", "live after the reconnect"))...)
	if len(only[event.Message](evs)) != 0 {
		t.Errorf("batched lines emitted live: %#v", evs)
	}
	hist := one[event.History](t, evs)
	if !hist.Gap || hist.Before || hist.More || hist.Buffer != "#a" {
		t.Errorf("History flags %+v", hist)
	}
	if got := texts(hist.Messages); strings.Join(got, "|") != "missed 1|missed 2" {
		t.Errorf("gap messages %q", got)
	}
	sc.expect() // not a full page: no further request
	// The same page again (a server replaying): nothing new, no event.
	if evs := sc.feed(historyBatch("g2", "#a", privmsg("g1", 20, "dave", "#a", "missed 1"))...); len(evs) != 0 {
		t.Errorf("replayed page emitted %#v", evs)
	}
	// A query page: its messages go to the private buffer, ours marked Self.
	hist = one[event.History](t, sc.feed(historyBatch("q", "bob",
		privmsg("q2", 20, "bob", "me", "are you there?"), privmsg("q3", 21, "me", "bob", "now I am"))...))
	if hist.Buffer != "bob" || !hist.Gap || len(hist.Messages) != 2 || hist.Messages[0].Self || !hist.Messages[1].Self ||
		hist.Messages[0].Buffer != "bob" || hist.Messages[1].Buffer != "bob" {
		t.Errorf("query History %+v", hist)
	}
}

func TestHistoryGapPaging(t *testing.T) {
	page := func(ref string, first, n int) []string {
		var lines []string
		for i := first; i < first+n; i++ {
			lines = append(lines, privmsg(fmt.Sprintf("p%d", i), 100+i, "dave", "#a", fmt.Sprintf("line %d", i)))
		}
		return historyBatch(ref, "#a", lines...)
	}
	t.Run("bounded", func(t *testing.T) {
		sc := reconnectFixture(t, "CHATHISTORY=5", true)
		sc.feed(":me!u@h JOIN #a", ":me!u@h JOIN #b", ":me!u@h JOIN #quiet")
		sc.sent()
		n := 0
		for i := 1; i <= maxGapPages; i++ {
			hist := one[event.History](t, sc.feed(page(fmt.Sprint("b", i), n, 5)...))
			if !hist.Gap || !hist.More || len(hist.Messages) != 5 {
				t.Fatalf("page %d: %+v", i, hist)
			}
			n += 5
			if i < maxGapPages {
				sc.expect(fmt.Sprintf("CHATHISTORY AFTER #a msgid=p%d 5", n-1))
			}
		}
		sc.expect() // the tenth full page asks for no eleventh
		for _, r := range sc.s.histReqs {
			if r.target == "#a" {
				t.Errorf("a request for #a is still pending: %+v", r)
			}
		}
	})
	t.Run("stops at a short page", func(t *testing.T) {
		sc := reconnectFixture(t, "CHATHISTORY=5", true)
		sc.feed(":me!u@h JOIN #a", ":me!u@h JOIN #b", ":me!u@h JOIN #quiet")
		sc.sent()
		sc.feed(page("x", 0, 5)...)
		sc.expect("CHATHISTORY AFTER #a msgid=p4 5")
		hist := one[event.History](t, sc.feed(page("y", 5, 3)...))
		if hist.More {
			t.Error("short page has More")
		}
		sc.expect()
	})
	t.Run("stops where live lines began", func(t *testing.T) {
		sc := reconnectFixture(t, "CHATHISTORY=5", true)
		sc.feed(":me!u@h JOIN #a", ":me!u@h JOIN #b", ":me!u@h JOIN #quiet")
		sc.sent()
		sc.feed(privmsg("live", 103, "bob", "#a", "live"))
		hist := one[event.History](t, sc.feed(page("x", 0, 5)...)) // up to second 104: past the first live line
		if !hist.More || len(hist.Messages) != 5 {
			t.Errorf("page %+v", hist)
		}
		sc.expect()
	})
	t.Run("timestamp references page by time", func(t *testing.T) {
		sc := reconnectFixture(t, "CHATHISTORY=2", false)
		sc.feed(":me!u@h JOIN #a", ":me!u@h JOIN #b", ":me!u@h JOIN #quiet")
		sc.sent()
		sc.feed(historyBatch("t", "#a", privmsg("", 50, "dave", "#a", "x"), privmsg("", 51, "dave", "#a", "y"))...)
		sc.expect("CHATHISTORY AFTER #a timestamp=2026-11-26T12:00:51.000Z 2")
	})
}

func TestFetchHistory(t *testing.T) {
	before := epoch.Add(-time.Hour + 250*time.Millisecond)
	tests := []struct {
		name     string
		isupport string
		cmd      command.FetchHistory
		want     string
	}{
		{"msgid", "", command.FetchHistory{Buffer: "#c", BeforeID: "old1", Before: before}, "CHATHISTORY BEFORE #c msgid=old1 50"},
		{"time only", "", command.FetchHistory{Buffer: "#c", Before: before}, "CHATHISTORY BEFORE #c timestamp=2026-11-26T11:00:00.250Z 50"},
		{"no reference", "", command.FetchHistory{Buffer: "bob"}, "CHATHISTORY BEFORE bob timestamp=2026-11-26T12:00:00.000Z 50"},
		{"timestamps only", "MSGREFTYPES=timestamp", command.FetchHistory{Buffer: "#c", BeforeID: "old1", Before: before}, "CHATHISTORY BEFORE #c timestamp=2026-11-26T11:00:00.250Z 50"},
		{"server limit", "CHATHISTORY=10", command.FetchHistory{Buffer: "#c", BeforeID: "old1"}, "CHATHISTORY BEFORE #c msgid=old1 10"},
		{"unusable msgid", "", command.FetchHistory{Buffer: "#c", BeforeID: "a b", Before: before}, "CHATHISTORY BEFORE #c timestamp=2026-11-26T11:00:00.250Z 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.registerHist(histCaps, tt.isupport)
			if evs := sc.s.Submit(tt.cmd); len(evs) != 0 {
				t.Errorf("events %#v", evs)
			}
			sc.allClass(ClassAuto)
			sc.expect(tt.want)
		})
	}
	t.Run("answered by History with Before and More", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.registerHist(histCaps, "CHATHISTORY=3")
		sc.feed(":srv 376 me :End", ":me!u@h JOIN #c")
		sc.feed(historyBatch("l", "#c", privmsg("n1", 100, "bob", "#c", "newest"))...)
		sc.sent()
		sc.s.Submit(command.FetchHistory{Buffer: "#c", BeforeID: "n1"})
		sc.expect("CHATHISTORY BEFORE #c msgid=n1 3")
		// Servers may send a page newest first: History is in time order.
		hist := one[event.History](t, sc.feed(historyBatch("b", "#c",
			privmsg("o3", 90, "bob", "#c", "c"), privmsg("o1", 70, "bob", "#c", "a"), privmsg("o2", 80, "bob", "#c", "b"))...))
		if !hist.Before || hist.Gap || !hist.More || strings.Join(texts(hist.Messages), "") != "abc" {
			t.Errorf("History %+v", hist)
		}
		sc.expect() // Before pages are not followed automatically: the UI asks
		sc.s.Submit(command.FetchHistory{Buffer: "#c", BeforeID: "o1"})
		sc.sent()
		hist = one[event.History](t, sc.feed(historyBatch("b2", "#c", privmsg("o0", 60, "bob", "#c", "z"))...))
		if !hist.Before || hist.More {
			t.Errorf("last page %+v", hist)
		}
	})
	t.Run("invalid buffer", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.registerHist(histCaps, "")
		for _, b := range []string{"", "a b", ":x"} {
			if info := one[event.Info](t, sc.s.Submit(command.FetchHistory{Buffer: b})); !info.Error {
				t.Errorf("%q: %+v", b, info)
			}
		}
		sc.expect()
	})
	t.Run("FAIL drops the request", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.registerHist(histCaps, "")
		sc.s.Submit(command.FetchHistory{Buffer: "#c", BeforeID: "x"})
		sc.sent()
		info := one[event.Info](t, sc.feed(":srv FAIL CHATHISTORY INVALID_TARGET BEFORE #c :Messages could not be retrieved"))
		if !info.Error {
			t.Errorf("FAIL %+v", info)
		}
		if len(sc.s.histReqs) != 0 {
			t.Fatalf("request kept after FAIL: %+v", sc.s.histReqs)
		}
		// A later unsolicited batch for #c is not taken for the failed BEFORE.
		hist := one[event.History](t, sc.feed(historyBatch("u", "#c", privmsg("u1", 5, "bob", "#c", "x"))...))
		if hist.Before || hist.Gap || hist.More {
			t.Errorf("unsolicited batch flagged %+v", hist)
		}
		sc.s.Submit(command.FetchHistory{Buffer: "#c", BeforeID: "x"})
		sc.feed(":srv 421 me CHATHISTORY :Unknown command")
		if len(sc.s.histReqs) != 0 {
			t.Errorf("request kept after 421")
		}
	})
}

// TestFetchHistoryAlwaysAnswered: command.FetchHistory promises an
// event.History with Before set, so the UI can stop showing "fetching older
// messages": an empty page and a refused request answer it with no
// messages and More false. Empty AFTER and LATEST pages stay silent.
func TestFetchHistoryAlwaysAnswered(t *testing.T) {
	// setup registers, joins #c (whose LATEST page comes back empty, which
	// emits nothing) and asks for an older page of buf.
	setup := func(t *testing.T, buf string) *script {
		t.Helper()
		sc := newScript(t, Config{})
		sc.registerHist(histCaps, "")
		sc.feed(":srv 376 me :End")
		if evs := sc.feed(append([]string{":me!u@h JOIN #C"}, historyBatch("l", "#c")...)...); len(only[event.History](evs)) != 0 {
			t.Fatalf("empty LATEST page emitted %#v", evs)
		}
		sc.sent()
		if evs := sc.s.Submit(command.FetchHistory{Buffer: buf, BeforeID: "o1"}); len(evs) != 0 {
			t.Fatalf("Submit events %#v", evs)
		}
		sc.expect("CHATHISTORY BEFORE " + buf + " msgid=o1 50")
		return sc
	}
	empty := func(t *testing.T, evs []event.Event, buffer string) {
		t.Helper()
		hist := one[event.History](t, evs)
		want := event.History{Meta: hist.Meta, Buffer: buffer, Before: true}
		if hist.Buffer != want.Buffer || !hist.Before || hist.More || hist.Gap || len(hist.Messages) != 0 {
			t.Errorf("History %+v, want %+v", hist, want)
		}
		if hist.Time.IsZero() {
			t.Errorf("History without a time: %+v", hist)
		}
	}
	t.Run("empty page", func(t *testing.T) {
		sc := setup(t, "#c")
		empty(t, sc.feed(historyBatch("b", "#c")...), "#C") // the joined channel's name
		sc.expect()
		if len(sc.s.histReqs) != 0 {
			t.Errorf("request kept: %+v", sc.s.histReqs)
		}
	})
	t.Run("page of lines already shown", func(t *testing.T) {
		sc := setup(t, "#c")
		sc.feed(privmsg("live1", 100, "bob", "#c", "hi"))
		empty(t, sc.feed(historyBatch("b", "#c", privmsg("live1", 100, "bob", "#c", "hi"))...), "#C")
	})
	t.Run("empty page of a private buffer", func(t *testing.T) {
		sc := setup(t, "bob")
		empty(t, sc.feed(historyBatch("b", "bob")...), "bob")
	})
	t.Run("FAIL", func(t *testing.T) {
		sc := setup(t, "bob")
		evs := sc.feed(":srv FAIL CHATHISTORY MESSAGE_ERROR BEFORE bob :Messages could not be retrieved")
		empty(t, evs, "bob")
		if info := one[event.Info](t, evs); !info.Error {
			t.Errorf("FAIL shown as %+v", info)
		}
		if len(sc.s.histReqs) != 0 {
			t.Errorf("request kept: %+v", sc.s.histReqs)
		}
	})
	t.Run("FAIL without context", func(t *testing.T) {
		sc := setup(t, "#c")
		empty(t, sc.feed(":srv FAIL CHATHISTORY MESSAGE_ERROR :Messages could not be retrieved"), "#C")
	})
	t.Run("421", func(t *testing.T) {
		sc := setup(t, "#c")
		empty(t, sc.feed(":srv 421 me CHATHISTORY :Unknown command"), "#C")
	})
	t.Run("failed LATEST and AFTER stay silent", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.registerHist(histCaps, "")
		sc.feed(":srv 376 me :End", ":me!u@h JOIN #c", privmsg("a1", 10, "bob", "#c", "x"), ":me!u@h JOIN #d")
		sc.expect("CHATHISTORY LATEST #c * 50", "CHATHISTORY LATEST #d * 50")
		if evs := sc.feed(":srv FAIL CHATHISTORY MESSAGE_ERROR LATEST #d :no"); len(only[event.History](evs)) != 0 {
			t.Errorf("failed LATEST emitted %#v", evs)
		}
		// Reconnect: #c's gap is an AFTER request; empty or failed, nothing.
		if rejoin := sc.rejoinHist(histCaps, ""); strings.Join(rejoin, "|") != "JOIN #c,#d" {
			t.Fatalf("rejoin %q", rejoin)
		}
		sc.feed(":me!u@h JOIN #c", ":me!u@h JOIN #d", ":srv 376 me :End")
		sc.expect("CHATHISTORY AFTER #c msgid=a1 100", "CHATHISTORY LATEST #d * 50")
		if evs := sc.feed(historyBatch("g", "#c")...); len(evs) != 0 {
			t.Errorf("empty AFTER page emitted %#v", evs)
		}
		if evs := sc.feed(":srv 421 me CHATHISTORY :Unknown command"); len(only[event.History](evs)) != 0 {
			t.Errorf("failed LATEST emitted %#v", evs)
		}
	})
}

func TestHistoryBatchIsNotLive(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End", ":me!u@h JOIN #c", ":srv 353 me = #c :@me bob", ":srv 366 me #c :End")
	sc.sent()
	lines := historyBatch("z", "#c",
		":bob!x@h JOIN #c",
		privmsg("z1", 1, "bob", "#c", "hello me"),
		"@time="+ts(2)+" :bob!x@h PRIVMSG #c :\x01VERSION\x01",
		"@time="+ts(3)+" :bob!x@h NOTICE #c :a notice",
		":me!u@h PART #c :old part",
		":bob!x@h NICK robert",
		":bob!x@h TOPIC #c :old topic",
		"@time="+ts(4)+" :me!u@h PRIVMSG #c :my old line",
		"@time="+ts(5)+" :bob!x@h PRIVMSG #c",
	)
	var evs []event.Event
	for _, l := range lines[:len(lines)-1] {
		evs = append(evs, sc.feed(l)...)
	}
	if len(evs) != 0 {
		t.Fatalf("batched lines produced events %#v", evs)
	}
	sc.expect() // no CTCP answer to a request from the past
	if sc.s.joinedChannel("#c") == nil || len(sc.s.Channels()) != 1 {
		t.Fatal("a PART inside history left the channel")
	}
	if sc.s.channels["#c"].members["bob"] == nil {
		t.Error("a NICK inside history renamed a member")
	}
	hist := one[event.History](t, sc.feed(lines[len(lines)-1]))
	if got := texts(hist.Messages); strings.Join(got, "|") != "hello me|a notice|my old line" {
		t.Errorf("history texts %q", got)
	}
	if m := hist.Messages; !m[0].Highlight || m[1].Kind != event.Notice || !m[2].Self || m[2].Highlight {
		t.Errorf("history messages %+v", m)
	}
	// Live lines after the batch are live again.
	one[event.Message](t, sc.feed(privmsg("after", 9, "bob", "#c", "live")))
	// A line still tagged with the ended batch is an unknown batch now: live.
	one[event.Message](t, sc.feed(inBatch("z", privmsg("late", 10, "bob", "#c", "late"))))
}

func TestMalformedBatches(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End", ":me!u@h JOIN #c")
	sc.feed(historyBatch("l", "#c")...)
	sc.sent()
	live := func(name string, lines ...string) {
		t.Helper()
		evs := sc.feed(lines...)
		if len(only[event.Message](evs)) != 1 {
			t.Errorf("%s: want the line shown live, got %#v", name, evs)
		}
	}
	// Ends without a start, no sign, no reference: ignored.
	if evs := sc.feed(":srv BATCH -nope", ":srv BATCH nope", ":srv BATCH +", ":srv BATCH -", ":srv BATCH"); len(evs) != 0 {
		t.Errorf("bad BATCH lines emitted %#v", evs)
	}
	// A line tagged with an unknown batch is handled as today: live.
	live("unknown ref", inBatch("ghost", privmsg("g", 1, "bob", "#c", "x")))
	// Other batch types are handled as if untagged.
	live("netsplit batch", ":srv BATCH +ns netsplit a.net b.net", inBatch("ns", privmsg("n", 2, "bob", "#c", "y")))
	sc.feed(":srv BATCH -ns")
	// A chathistory batch without a target: its lines are history (not
	// live), but belong to no buffer: nothing emitted.
	if evs := sc.feed(":srv BATCH +nt chathistory", inBatch("nt", privmsg("t", 3, "bob", "#c", "z")), ":srv BATCH -nt"); len(evs) != 0 {
		t.Errorf("targetless batch emitted %#v", evs)
	}
	// Nested inside chathistory: collected with it.
	hist := one[event.History](t, sc.feed(
		":srv BATCH +outer chathistory #c",
		"@batch=outer :srv BATCH +inner draft/multiline #c",
		inBatch("inner", privmsg("in", 4, "bob", "#c", "nested")),
		":srv BATCH -inner",
		":srv BATCH -outer"))
	if len(hist.Messages) != 1 || hist.Messages[0].Text != "nested" {
		t.Errorf("nested History %+v", hist)
	}
	// The parent closed before its child: the child's late lines are dropped, not shown live.
	if evs := sc.feed(":srv BATCH +p chathistory #c", "@batch=p :srv BATCH +k x", ":srv BATCH -p",
		inBatch("k", privmsg("late", 5, "bob", "#c", "late")), ":srv BATCH -k"); len(evs) != 0 {
		t.Errorf("late line of a closed history batch emitted %#v", evs)
	}
	// Opened twice: the second start is ignored, the batch still ends once.
	one[event.History](t, sc.feed(":srv BATCH +d chathistory #c", ":srv BATCH +d chathistory #other",
		inBatch("d", privmsg("d1", 6, "bob", "#c", "once")), ":srv BATCH -d"))

	// 2000 lines: 1000 kept, memory bounded, the page reported as More.
	var evs []event.Event
	evs = append(evs, sc.feed(":srv BATCH +big chathistory #c")...)
	for i := 0; i < 2000; i++ {
		evs = append(evs, sc.feed(fmt.Sprintf("@batch=big;msgid=big%d;time=%s :bob!x@h PRIVMSG #c :%d", i, ts(1000+i), i))...)
		checkBounds(t, sc.s)
	}
	evs = append(evs, sc.feed(":srv BATCH -big")...)
	hist = one[event.History](t, evs)
	if len(hist.Messages) != maxBatchLines || !hist.More || hist.Messages[0].Text != "0" {
		t.Errorf("big batch: %d messages, More %v", len(hist.Messages), hist.More)
	}

	// Batches never closed: at most maxOpenBatches held; later ones are unknown (live).
	for i := 0; i < 3*maxOpenBatches; i++ {
		sc.feed(fmt.Sprintf(":srv BATCH +open%d chathistory #c", i))
	}
	if len(sc.s.batches) != maxOpenBatches {
		t.Errorf("%d open batches", len(sc.s.batches))
	}
	live("over the open-batch bound", inBatch(fmt.Sprintf("open%d", 2*maxOpenBatches), privmsg("o", 7, "bob", "#c", "shown")))
	checkBounds(t, sc.s)
	// A new connection forgets every open batch.
	sc.registerHist(histCaps, "")
	if len(sc.s.batches) != 0 || len(sc.s.histReqs) != 0 {
		t.Errorf("open batches %d, requests %d after Register", len(sc.s.batches), len(sc.s.histReqs))
	}
}

func TestHistoryMemoryBounded(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End", ":me!u@h JOIN #c")
	sc.sent()
	for i := 0; i < 3*recentMsgIDs; i++ {
		sc.feed(privmsg(fmt.Sprint("id", i), i, "bob", "#c", "x"))
	}
	b := sc.s.hist["#c"]
	if len(b.recent) != recentMsgIDs || b.lastID != fmt.Sprint("id", 3*recentMsgIDs-1) {
		t.Errorf("ring %d, last %q", len(b.recent), b.lastID)
	}
	// The oldest msgids are forgotten, the newest still drop duplicates.
	hist := one[event.History](t, sc.feed(historyBatch("r", "#c",
		privmsg("id0", 0, "bob", "#c", "forgotten"), privmsg(fmt.Sprint("id", 3*recentMsgIDs-1), 9999, "bob", "#c", "known"))...))
	if got := texts(hist.Messages); len(got) != 1 || got[0] != "forgotten" {
		t.Errorf("dedupe after the ring wrapped: %q", got)
	}
	for i := 0; i < maxHistBuffers+100; i++ {
		sc.feed(privmsg(fmt.Sprint("q", i), 1, fmt.Sprint("nick", i), "me", "hi"))
	}
	if len(sc.s.hist) > maxHistBuffers || sc.s.hist["#c"] == nil {
		t.Errorf("%d buffers remembered (max %d); joined #c kept: %v", len(sc.s.hist), maxHistBuffers, sc.s.hist["#c"] != nil)
	}
	checkBounds(t, sc.s)
}

func TestHistoryOwnLinesWithoutEcho(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End", privmsg("b1", 5, "bob", "me", "hi"))
	// Our reply (no echo-message): local time, later than the server's.
	sc.clock.advance(time.Hour)
	sc.s.Submit(command.SendText{ID: 1, Target: "bob", Text: "hello"})
	sc.s.Submit(command.SendText{ID: 2, Target: "carol", Text: "anyone?"})
	sc.sent()
	sc.registerHist(histCaps, "")
	sc.feed(":srv 376 me :End")
	out := sc.sent()
	// bob: the server's msgid, not our clock; carol: only our clock exists.
	want := []string{"CHATHISTORY AFTER carol timestamp=2026-11-26T13:00:00.000Z 100", "CHATHISTORY AFTER bob msgid=b1 100"}
	if strings.Join(out, "|") != strings.Join(want, "|") {
		t.Errorf("sent %q, want %q", out, want)
	}
}

func TestHistoryRequestSurvivesCasemapChange(t *testing.T) {
	sc := newScript(t, Config{})
	sc.registerHist(histCaps, "")
	sc.s.Submit(command.FetchHistory{Buffer: "#Foo[1]", BeforeID: "x"})
	sc.expect("CHATHISTORY BEFORE #Foo[1] msgid=x 50")
	sc.feed(":srv 005 me CASEMAPPING=ascii :are supported")
	hist := one[event.History](t, sc.feed(historyBatch("c", "#foo[1]", privmsg("o", 1, "bob", "#foo[1]", "old"))...))
	if !hist.Before {
		t.Errorf("the answer to BEFORE was not matched after the case mapping changed: %+v", hist)
	}
}
