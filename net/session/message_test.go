package session

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

func TestIncomingMessages(t *testing.T) {
	sc := newScript(t, Config{Nick: "Me"})
	sc.register("")
	sc.feed(":Me!u@h JOIN #c")
	tests := []struct {
		line string
		want event.Message
	}{
		{"@msgid=abc;time=2026-03-04T05:06:07.5Z;account=bobacct :bob!b@bh PRIVMSG #c :hello there",
			event.Message{Meta: event.Meta{Time: time.Date(2026, 3, 4, 5, 6, 7, 5e8, time.UTC)}, Kind: event.Privmsg, Buffer: "#c", From: "bob", FromHost: "b@bh", Account: "bobacct", Target: "#c", Text: "hello there", MsgID: "abc"}},
		{":bob!b@bh PRIVMSG me :private",
			event.Message{Kind: event.Privmsg, Buffer: "bob", From: "bob", FromHost: "b@bh", Target: "me", Text: "private"}},
		{":bob!b@bh NOTICE #c :note",
			event.Message{Kind: event.Notice, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "#c", Text: "note"}},
		{":bob!b@bh PRIVMSG @#c :ops only",
			event.Message{Kind: event.Privmsg, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "@#c", Text: "ops only"}},
		{":bob!b@bh PRIVMSG #c :\x01ACTION waves\x01",
			event.Message{Kind: event.Action, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "#c", Text: "waves"}},
		{":bob!b@bh PRIVMSG #c :\x01ACTION unterminated",
			event.Message{Kind: event.Action, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "#c", Text: "unterminated"}},
		{":irc.example.net NOTICE Me :*** server notice",
			event.Message{Kind: event.Notice, Buffer: "", From: "irc.example.net", Target: "Me", Text: "*** server notice"}},
		{":bob!b@bh PRIVMSG #c :hey me, look",
			event.Message{Kind: event.Privmsg, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "#c", Text: "hey me, look", Highlight: true}},
		{":bob!b@bh PRIVMSG #c :MEME is not me-ntioned? yes it is: -me-",
			event.Message{Kind: event.Privmsg, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "#c", Text: "MEME is not me-ntioned? yes it is: -me-", Highlight: false}},
		{":bob!b@bh PRIVMSG #c :\x02Me\x02: bold",
			event.Message{Kind: event.Privmsg, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "#c", Text: "\x02Me\x02: bold", Highlight: true}},
		{":bob!b@bh PRIVMSG #c :memes only",
			event.Message{Kind: event.Privmsg, Buffer: "#c", From: "bob", FromHost: "b@bh", Target: "#c", Text: "memes only"}},
		{"PRIVMSG #c :\xe9t\xe9 caf\xe9",
			event.Message{Kind: event.Privmsg, Buffer: "#c", Target: "#c", Text: "été café"}},
		{":Me!u@h PRIVMSG bob :from another client of mine",
			event.Message{Kind: event.Privmsg, Buffer: "bob", From: "Me", FromHost: "u@h", Target: "bob", Text: "from another client of mine", Self: true}},
	}
	for _, tt := range tests {
		evs := sc.feed(tt.line)
		got := one[event.Message](t, evs)
		if tt.want.Time.IsZero() {
			tt.want.Time = epoch
		}
		if got != tt.want {
			t.Errorf("%q:\n got  %+v\n want %+v", tt.line, got, tt.want)
		}
	}
}

func TestHighlightCasemapped(t *testing.T) {
	sc := newScript(t, Config{Nick: "n[x]"})
	sc.register("")
	m := one[event.Message](t, sc.feed(":bob!b@h PRIVMSG n[x] :hi N{X}!"))
	if !m.Highlight {
		t.Error("rfc1459 casemapped nick not highlighted")
	}
}

func TestLatin1Fallback(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #c")
	// Invalid UTF-8 in a topic and a quit reason: decoded too, line kept.
	tp := one[event.Topic](t, sc.feed(":bob!b@h TOPIC #c :na\xefve"))
	if tp.Topic != "naïve" {
		t.Errorf("topic %q", tp.Topic)
	}
	// Valid UTF-8 is untouched.
	m := one[event.Message](t, sc.feed(":bob!b@h PRIVMSG #c :ünïcödé ✓"))
	if m.Text != "ünïcödé ✓" {
		t.Errorf("utf-8 text %q", m.Text)
	}
}

func TestCTCPReplies(t *testing.T) {
	sc := newScript(t, Config{Version: "ferry 1.0"})
	sc.register("")
	tests := []struct {
		line, reply string
	}{
		{":bob!b@h PRIVMSG me :\x01VERSION\x01", "NOTICE bob :\x01VERSION ferry 1.0\x01"},
		{":bob!b@h PRIVMSG me :\x01PING 12345\x01", "NOTICE bob :\x01PING 12345\x01"},
		{":bob!b@h PRIVMSG #c :\x01TIME\x01", "NOTICE bob :\x01TIME " + epoch.Add(3*time.Minute).Format(time.RFC1123Z) + "\x01"},
		{":bob!b@h PRIVMSG me :\x01CLIENTINFO\x01", "NOTICE bob :\x01CLIENTINFO ACTION CLIENTINFO PING TIME VERSION\x01"},
	}
	for _, tt := range tests {
		sc.clock.advance(time.Minute) // the rate limit is not under test here
		evs := sc.feed(tt.line)
		c := one[event.CTCP](t, evs)
		if c.From != "bob" || c.Reply {
			t.Errorf("CTCP event %+v", c)
		}
		sc.expect(tt.reply)
		if sc.rec.out != nil {
			t.Fatal("not drained")
		}
	}
	// Unknown CTCPs and CTCP replies are reported, not answered.
	sc.clock.advance(time.Minute)
	evs := sc.feed(":bob!b@h PRIVMSG me :\x01FINGER\x01", ":bob!b@h NOTICE me :\x01VERSION irssi\x01")
	cs := only[event.CTCP](evs)
	if len(cs) != 2 || cs[0].Command != "FINGER" || !cs[1].Reply || cs[1].Args != "irssi" {
		t.Errorf("ctcp events %+v", cs)
	}
	sc.expect()
}

func TestCTCPClassAndRateLimit(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	req := ":bob!b@h PRIVMSG me :\x01VERSION\x01"
	for i := 0; i < 10; i++ {
		sc.feed(req)
	}
	if len(sc.rec.out) != ctcpBurst {
		t.Fatalf("%d replies to a burst of 10, want %d", len(sc.rec.out), ctcpBurst)
	}
	for _, o := range sc.rec.out {
		if o.Class != ClassAuto {
			t.Errorf("reply class %v", o.Class)
		}
	}
	sc.sent()
	// 10 s later the bucket is full again: 3 more, not more.
	sc.clock.advance(ctcpRefill)
	for i := 0; i < 10; i++ {
		sc.feed(req)
	}
	if n := len(sc.sent()); n != ctcpBurst {
		t.Errorf("%d replies after refill, want %d", n, ctcpBurst)
	}
	// One token per ctcpRefill/ctcpBurst.
	sc.clock.advance(ctcpRefill / ctcpBurst)
	sc.feed(req, req)
	if n := len(sc.sent()); n != 1 {
		t.Errorf("%d replies after a third of the refill time, want 1", n)
	}
}

func TestEchoMessageMatching(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("echo-message message-tags")
	sc.feed(":me!u@h JOIN #c")
	evs := sc.s.Submit(command.SendText{ID: 7, Target: "#c", Text: "same"})
	sc.s.Submit(command.SendText{ID: 8, Target: "#C", Text: "same"})
	sc.s.Submit(command.SendText{ID: 9, Target: "#c", Text: "waves", Kind: event.Action})
	sc.expect("PRIVMSG #c same", "PRIVMSG #C same", "PRIVMSG #c :\x01ACTION waves\x01")
	local := one[event.Message](t, evs)
	if !local.Self || local.LocalID != 7 || local.Buffer != "#c" || local.Text != "same" {
		t.Errorf("local echo %+v", local)
	}
	// Echoes arrive in order; identical lines match oldest first.
	evs = sc.feed("@msgid=m1 :me!u@h PRIVMSG #c :same", "@msgid=m2 :me!u@h PRIVMSG #c :same", "@msgid=m3 :me!u@h PRIVMSG #c :\x01ACTION waves\x01",
		"@msgid=m4 :me!u@h PRIVMSG #c :same")
	ms := only[event.Message](evs)
	if len(ms) != 4 {
		t.Fatalf("messages %+v", ms)
	}
	want := []struct {
		id    uint64
		msgid string
		kind  event.MsgKind
	}{{7, "m1", event.Privmsg}, {8, "m2", event.Privmsg}, {9, "m3", event.Action}, {0, "m4", event.Privmsg}}
	for i, w := range want {
		if !ms[i].Self || ms[i].LocalID != w.id || ms[i].MsgID != w.msgid || ms[i].Kind != w.kind || ms[i].Highlight {
			t.Errorf("echo %d: %+v, want LocalID %d msgid %s", i, ms[i], w.id, w.msgid)
		}
	}
}

// TestEchoAcrossRegister: a line typed while disconnected is submitted
// before the reconnect's Register and written after the new 001; its echo
// must still carry its LocalID, or the UI shows the line twice.
func TestEchoAcrossRegister(t *testing.T) {
	echoOf := func(sc *script, line string) event.Message {
		sc.t.Helper()
		return one[event.Message](sc.t, sc.feed(line))
	}
	t.Run("submitted after the connection was lost", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.register("echo-message message-tags")
		sc.s.Submit(command.SendText{ID: 5, Target: "#c", Text: "while away"})
		sc.sent()
		sc.register("echo-message message-tags") // the reconnect
		if m := echoOf(sc, "@msgid=e1 :me!u@h PRIVMSG #c :while away"); !m.Self || m.LocalID != 5 || m.MsgID != "e1" {
			t.Errorf("echo %+v, want Self LocalID 5", m)
		}
	})
	t.Run("an action queued across the reconnect", func(t *testing.T) {
		// The line waited in the owner's queue (a migration window that
		// ended in a fallback reconnect) and went out on the new
		// connection: the session still matches it, CTCP framing and all.
		sc := newScript(t, Config{})
		sc.register("echo-message message-tags")
		sc.s.Submit(command.SendText{ID: 7, Kind: event.Action, Target: "#c", Text: "waves"})
		sc.sent()
		sc.register("echo-message message-tags")
		m := echoOf(sc, "@msgid=e2 :me!u@h PRIVMSG #C :\x01ACTION waves\x01")
		if m.Kind != event.Action || m.LocalID != 7 || m.Text != "waves" {
			t.Errorf("echo %+v, want the Action with LocalID 7", m)
		}
	})
	t.Run("submitted before 001", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.register("echo-message")
		sc.s.Register()
		sc.sent()
		sc.s.Submit(command.SendText{ID: 6, Target: "bob", Text: "queued"})
		sc.feed(":srv CAP * LS :echo-message", ":srv CAP * ACK :echo-message", ":srv 001 me :Welcome")
		if m := echoOf(sc, ":me!u@h PRIVMSG bob :queued"); !m.Self || m.LocalID != 6 {
			t.Errorf("echo %+v, want Self LocalID 6", m)
		}
	})
	t.Run("first connection", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.s.Submit(command.SendText{ID: 1, Target: "#c", Text: "early"})
		sc.register("echo-message")
		if m := echoOf(sc, ":me!u@h PRIVMSG #c early"); m.LocalID != 1 {
			t.Errorf("echo %+v, want LocalID 1", m)
		}
	})
	t.Run("new connection without echo-message drops them", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.register("echo-message")
		sc.s.Submit(command.SendText{ID: 5, Target: "#c", Text: "hi"})
		sc.register("")
		if len(sc.s.echoes) != 0 {
			t.Errorf("%d echoes kept on a connection without echo-message", len(sc.s.echoes))
		}
		// Another client of ours (a bouncer) says the same: not our line.
		if m := echoOf(sc, ":me!u@h PRIVMSG #c hi"); m.LocalID != 0 {
			t.Errorf("matched %d", m.LocalID)
		}
	})
	t.Run("case mapping changes between connections", func(t *testing.T) {
		sc := newScript(t, Config{})
		sc.register("echo-message")
		sc.feed(":srv 005 me CASEMAPPING=ascii :are supported")
		sc.s.Submit(command.SendText{ID: 3, Target: "#A[", Text: "x"})
		sc.register("echo-message") // rfc1459 again: [ and { are one
		if m := echoOf(sc, ":me!u@h PRIVMSG #a{ x"); m.LocalID != 3 {
			t.Errorf("echo %+v, want LocalID 3", m)
		}
	})
}

// TestEchoAging: an entry for a line whose echo never came (it died with
// its connection) is dropped after maxEchoAge, so it cannot take the
// LocalID of an identical line's echo much later.
func TestEchoAging(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("echo-message")
	sc.s.Submit(command.SendText{ID: 1, Target: "#c", Text: "again"})
	sc.clock.advance(maxEchoAge)
	sc.s.Submit(command.SendText{ID: 2, Target: "#c", Text: "fresh"})
	if len(sc.s.echoes) != 2 {
		t.Fatalf("%d entries at exactly maxEchoAge, want 2", len(sc.s.echoes))
	}
	sc.clock.advance(time.Second)
	sc.register("echo-message") // the first line was lost with the connection
	sc.s.Submit(command.SendText{ID: 3, Target: "#c", Text: "again"})
	if len(sc.s.echoes) != 2 {
		t.Errorf("%d entries after adding, want 2 (the stale one dropped)", len(sc.s.echoes))
	}
	m := one[event.Message](t, sc.feed(":me!u@h PRIVMSG #c again"))
	if m.LocalID != 3 {
		t.Errorf("echo matched LocalID %d, want 3 (not the stale 1)", m.LocalID)
	}
	// Matching ages out too: "fresh" is now older than maxEchoAge.
	sc.clock.advance(maxEchoAge)
	if m := one[event.Message](t, sc.feed(":me!u@h PRIVMSG #c fresh")); m.LocalID != 0 {
		t.Errorf("stale entry matched LocalID %d", m.LocalID)
	}
	if len(sc.s.echoes) != 0 {
		t.Errorf("%d entries left", len(sc.s.echoes))
	}
}

func TestNoEchoTrackingWithoutCap(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	for i := 0; i < 2*maxPendingEcho; i++ {
		sc.s.Submit(command.SendText{ID: uint64(i + 1), Target: "#c", Text: "x"})
	}
	if len(sc.s.echoes) != 0 {
		t.Errorf("%d echoes tracked without echo-message", len(sc.s.echoes))
	}
	sc2 := newScript(t, Config{})
	sc2.register("echo-message")
	for i := 0; i < 2*maxPendingEcho; i++ {
		sc2.s.Submit(command.SendText{ID: uint64(i + 1), Target: "#c", Text: "x"})
	}
	if len(sc2.s.echoes) != maxPendingEcho {
		t.Errorf("%d echoes tracked, want the bound %d", len(sc2.s.echoes), maxPendingEcho)
	}
}

func TestPingPongAndLag(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed("PING :irc.example.net")
	if sc.rec.out[0].Class != ClassConn {
		t.Errorf("PONG class %v", sc.rec.out[0].Class)
	}
	sc.expect("PONG irc.example.net")
	sc.s.Ping()
	if sc.rec.out[0].Class != ClassConn {
		t.Errorf("lag PING class %v", sc.rec.out[0].Class)
	}
	sc.expect("PING ferry-lag-1")
	if sent, ok := sc.s.LagPending(); !ok || !sent.Equal(epoch) {
		t.Errorf("LagPending %v %v", sent, ok)
	}
	sc.clock.advance(42 * time.Millisecond)
	// A PONG to someone else's PING is not lag.
	if evs := sc.feed(":srv PONG srv :other"); len(evs) != 0 {
		t.Errorf("events %v", evs)
	}
	lag := one[event.Lag](t, sc.feed(":srv PONG srv :ferry-lag-1"))
	if lag.RTT != 42*time.Millisecond {
		t.Errorf("lag %v", lag.RTT)
	}
	if _, ok := sc.s.LagPending(); ok {
		t.Error("still pending after PONG")
	}
	for i := 0; i < 3*maxLagPings; i++ {
		sc.s.Ping()
	}
	if len(sc.s.lag) != maxLagPings {
		t.Errorf("%d outstanding pings, want bound %d", len(sc.s.lag), maxLagPings)
	}
}

func TestNumericsAsInfo(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #in")
	tests := []struct {
		line   string
		want   event.Info
		others int // other events besides the Info
	}{
		{":srv 372 me :- message of the day", event.Info{Code: "372", Text: "- message of the day"}, 0},
		{":srv 404 me #in :Cannot send to channel", event.Info{Buffer: "#in", Code: "404", Text: "#in Cannot send to channel", Error: true}, 0},
		{":srv 404 me #out :Cannot send to channel", event.Info{Code: "404", Text: "#out Cannot send to channel", Error: true}, 0},
		{":srv 401 me nobody :No such nick", event.Info{Code: "401", Text: "nobody: No such nick", Error: true, Reply: true}, 0},
		{":srv 311 me bob b host * :Bob B", event.Info{Code: "311", Text: "bob (b@host): Bob B", Reply: true}, 0},
		{":srv 301 me bob :gone fishing", event.Info{Code: "301", Text: "bob is away: gone fishing", Reply: true}, 1},
		{":srv 999 me some thing :unknown numeric", event.Info{Code: "999", Text: "some thing unknown numeric"}, 0},
		{":srv 324 me #in +nt", event.Info{Buffer: "#in", Code: "324", Text: "#in modes: +nt"}, 0},
		{":srv 353 me = #out :a b c", event.Info{Code: "353", Text: "#out: a b c"}, 0},
		{":srv 366 me #out :End of /NAMES list.", event.Info{Code: "366", Text: "#out End of /NAMES list."}, 0},
		{":srv FAIL CHATHISTORY INVALID_TARGET #x :No such target", event.Info{Code: "FAIL", Text: "CHATHISTORY: No such target (INVALID_TARGET)", Error: true}, 0},
		{":srv WARN REHASH CERTS_EXPIRED :Certificate expired", event.Info{Code: "WARN", Text: "REHASH: Certificate expired (CERTS_EXPIRED)", Warn: true}, 0},
		{":srv NOTE * OPER_MESSAGE :hello", event.Info{Code: "NOTE", Text: "hello (OPER_MESSAGE)"}, 0},
	}
	for _, tt := range tests {
		evs := sc.feed(tt.line)
		info := one[event.Info](t, evs)
		tt.want.Meta = info.Meta
		if info != tt.want || len(evs) != 1+tt.others {
			t.Errorf("%q:\n got  %+v (%d events)\n want %+v", tt.line, info, len(evs), tt.want)
		}
	}
	e := one[event.Error](t, sc.feed("ERROR :Closing Link: flooding"))
	if e.Fatal || !strings.Contains(e.Text, "Closing Link: flooding") {
		t.Errorf("ERROR %+v", e)
	}
	// MIGRATE and FAIL MIGRATE are not the session's: quietly ignored.
	if evs := sc.feed(":srv MIGRATE START s2 127.0.0.1 +6697 tok", ":srv FAIL MIGRATE ABORTED :no"); len(evs) != 0 {
		t.Errorf("migrate lines gave %v", evs)
	}
	sc.expect()
}

func TestOwnHostLearnt(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":srv 396 me cloak.example :is now your displayed host")
	if sc.s.host != "cloak.example" {
		t.Errorf("host after 396 %q", sc.s.host)
	}
	sc.feed(":me!ident@joined.host JOIN #c")
	if sc.s.user != "ident" || sc.s.host != "joined.host" {
		t.Errorf("after JOIN echo %q@%q", sc.s.user, sc.s.host)
	}
	sc.feed(":srv 352 me #c wu who.host srv me H :0 Real")
	if sc.s.user != "wu" || sc.s.host != "who.host" {
		t.Errorf("after WHO %q@%q", sc.s.user, sc.s.host)
	}
	sc.feed(":me!wu@who.host CHGHOST nu new.host")
	if sc.s.user != "nu" || sc.s.host != "new.host" {
		t.Errorf("after CHGHOST %q@%q", sc.s.user, sc.s.host)
	}
}

func TestEchoMatchingStrippedFormatting(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("echo-message")
	sc.s.Submit(command.SendText{ID: 1, Target: "#c", Text: "\x02bold\x02 \x0304,12red\x03 \x04ff0000hex\x0f  "})
	sc.s.Submit(command.SendText{ID: 2, Target: "#c", Text: "other"})
	sc.sent()
	// The channel strips colours (+S): the echo differs from what we sent.
	m := one[event.Message](t, sc.feed(":me!u@h PRIVMSG #c :bold red hex"))
	if m.LocalID != 1 {
		t.Errorf("stripped echo matched LocalID %d, want 1", m.LocalID)
	}
	if m = one[event.Message](t, sc.feed(":me!u@h PRIVMSG #c :something else")); m.LocalID != 0 {
		t.Errorf("unrelated echo matched %d", m.LocalID)
	}
	if m = one[event.Message](t, sc.feed(":me!u@h PRIVMSG #c :other")); m.LocalID != 2 {
		t.Errorf("second echo matched %d", m.LocalID)
	}
}

// TestEchoNamesItsLine: the session alone decides which typed line an echo
// is. The local echo of each piece of a split text carries LocalID and
// Part (Echo false); the server's echo of that piece carries the same
// LocalID and Part with Echo set, with or without a msgid, also when it
// comes on a new connection, and whatever order the echoes come in. A
// copy nothing is waiting for is not an Echo.
func TestEchoNamesItsLine(t *testing.T) {
	var words []string
	for i := range 300 {
		words = append(words, fmt.Sprintf("word%d", i))
	}
	long := strings.Join(words, " ") // several lines at LINELEN 512, each different
	tests := []struct {
		name      string
		caps      string
		kind      event.MsgKind
		text      func(budget int) string
		msgid     bool // message-tags: the echo has a msgid
		reconnect bool // a new connection between the submit and the echoes
		reverse   bool // the echoes come newest first
	}{
		{name: "split, with msgid", caps: "echo-message message-tags", text: func(int) string { return long }, msgid: true},
		{name: "split, message-tags off", caps: "echo-message", text: func(int) string { return long }},
		{name: "echoes out of order", caps: "echo-message message-tags", text: func(int) string { return long }, msgid: true, reverse: true},
		{name: "queued across a reconnect, no msgid", caps: "echo-message", text: func(int) string { return long }, reconnect: true},
		{name: "action across a reconnect", caps: "echo-message message-tags", kind: event.Action, text: func(int) string { return long }, msgid: true, reconnect: true},
		{name: "identical pieces", caps: "echo-message message-tags", msgid: true, text: func(budget int) string {
			p := strings.Repeat("z", budget)
			return p + " " + p + " " + p
		}},
		{name: "one line", caps: "echo-message", text: func(int) string { return "short" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.register(tt.caps)
			sc.feed(":me!u@h JOIN #c")
			budget := sc.s.textBudget("PRIVMSG", "#c")
			if tt.kind == event.Action {
				budget -= ircx.CTCPOverhead("ACTION")
			}
			locals := only[event.Message](sc.s.Submit(command.SendText{ID: 42, Target: "#c", Text: tt.text(budget), Kind: tt.kind}))
			wire := sc.sent()
			if len(locals) != len(wire) || len(locals) == 0 || (tt.name != "one line" && len(locals) < 2) {
				t.Fatalf("%d local echoes for %d lines sent", len(locals), len(wire))
			}
			for i, m := range locals {
				if !m.Self || m.LocalID != 42 || m.Part != i || m.Echo {
					t.Errorf("local echo %d: LocalID %d Part %d Echo %v, want 42, %d, false", i, m.LocalID, m.Part, m.Echo, i)
				}
			}
			if tt.reconnect {
				sc.register(tt.caps)
			}
			order := make([]int, len(wire))
			for i := range order {
				order[i] = i
				if tt.reverse {
					order[i] = len(wire) - 1 - i
				}
			}
			for _, i := range order {
				line := ":me!u@h " + wire[i]
				if tt.msgid {
					line = fmt.Sprintf("@msgid=m%d %s", i, line)
				}
				m := one[event.Message](t, sc.feed(line))
				if !m.Echo || m.LocalID != 42 || m.Part != i || m.Text != locals[i].Text || m.Kind != tt.kind {
					t.Errorf("echo of line %d: Echo %v LocalID %d Part %d kind %v %q, want the echo of part %d", i, m.Echo, m.LocalID, m.Part, m.Kind, m.Text, i)
				}
				if got, want := m.MsgID, map[bool]string{true: fmt.Sprintf("m%d", i)}[tt.msgid]; got != want {
					t.Errorf("echo of line %d: msgid %q, want %q", i, got, want)
				}
			}
			// Another client of ours says the same again: nothing waits
			// for it, so it is a new line.
			m := one[event.Message](t, sc.feed(":me!u@h "+wire[0]))
			if m.Echo || m.LocalID != 0 || m.Part != 0 || !m.Self {
				t.Errorf("a copy nothing waits for: Echo %v LocalID %d Part %d, want a new line of ours", m.Echo, m.LocalID, m.Part)
			}
		})
	}
}

// TestAwayRepliesOneEvent: the server's answers to our AWAY (305, 306)
// become an Away event and nothing else: no Info repeating them.
func TestAwayRepliesOneEvent(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	for _, tt := range []struct {
		line string
		away bool
	}{
		{":srv 306 me :You have been marked as being away", true},
		{":srv 305 me :You are no longer marked as being away", false},
	} {
		evs := sc.feed(tt.line)
		if len(evs) != 1 {
			t.Fatalf("%q gave %d events, want 1: %+v", tt.line, len(evs), evs)
		}
		if a, ok := evs[0].(event.Away); !ok || a.Away != tt.away || !a.Self || a.Nick != "me" {
			t.Errorf("%q gave %+v, want our Away=%v", tt.line, evs[0], tt.away)
		}
	}
	sc.expect()
}
