package session

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestISupportCasemap(t *testing.T) {
	tests := []struct {
		casemap string
		same    bool // "#Chan[1]" and "#chan{1}" are one channel
	}{
		{"rfc1459", true},
		{"rfc1459-strict", true},
		{"ascii", false},
	}
	for _, tt := range tests {
		t.Run(tt.casemap, func(t *testing.T) {
			sc := newScript(t, Config{})
			sc.register("")
			evs := sc.feed(":srv 005 me CASEMAPPING=" + tt.casemap + " PREFIX=(qaohv)~&@%+ CHANTYPES=#& CHANMODES=beI,k,l,imnst NETWORK=TestNet LINELEN=1024 :are supported by this server")
			is := one[event.ISupport](t, evs)
			want := event.ISupport{Meta: is.Meta, Casemap: tt.casemap, Prefixes: "~&@%+", PrefixModes: "qaohv", ChanTypes: "#&", NetworkName: "TestNet", LineLen: 1024}
			if is != want {
				t.Errorf("ISupport\n got  %+v\n want %+v", is, want)
			}
			sc.feed(":me!u@h JOIN #Chan[1]")
			evs = sc.feed(":bob!b@h PRIVMSG #chan{1} :hi")
			msg := one[event.Message](t, evs)
			if tt.same && msg.Buffer != "#Chan[1]" || !tt.same && msg.Buffer != "#chan{1}" {
				t.Errorf("message buffer %q", msg.Buffer)
			}
			evs = sc.feed(":me!u@h PART #chan{1}")
			if got := len(only[event.Part](evs)); got != map[bool]int{true: 1, false: 0}[tt.same] {
				t.Errorf("%d Part events", got)
			}
			if got := len(sc.s.Channels()); got != map[bool]int{true: 0, false: 1}[tt.same] {
				t.Errorf("%d channels left", got)
			}
			// Nicks fold the same way.
			if sc.s.isMe("ME") != true || sc.s.isMe("me{") != false {
				t.Error("nick compare wrong")
			}
		})
	}
}

func TestCasemapChangeRefolds(t *testing.T) {
	sc := newScript(t, Config{Nick: "me"})
	sc.register("")
	sc.feed(":me!u@h JOIN #A[x]", ":srv 005 me CASEMAPPING=ascii :are supported by this server")
	// Under ascii "#a[x]" is the channel; "#a{x}" is another one.
	if sc.s.joinedChannel("#a[x]") == nil || sc.s.joinedChannel("#a{x}") != nil {
		t.Errorf("channels after casemap change: %v", sc.s.channels)
	}
}

func TestChannelState(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("multi-prefix userhost-in-names extended-join away-notify account-notify chghost")
	sc.feed(":srv 005 me PREFIX=(qaohv)~&@%+ CHANMODES=beI,k,l,imnst :are supported by this server")

	evs := sc.feed(":me!u@host.example JOIN #c * :Real Name")
	j := one[event.Join](t, evs)
	if !j.Self || j.Channel != "#c" || j.UserHost != "u@host.example" {
		t.Errorf("own join %+v", j)
	}
	evs = sc.feed(
		":srv 332 me #c :the topic",
		":srv 333 me #c alice!a@h 1700000000",
		":srv 353 me = #c :@%me!u@host.example +bob!b@bh",
		":srv 353 me = #c :carol!c@ch",
		":srv 366 me #c :End of /NAMES list.",
	)
	topic := one[event.Topic](t, evs)
	if topic.Topic != "the topic" || topic.SetBy != "alice!a@h" || !topic.SetAt.Equal(time.Unix(1700000000, 0)) || topic.Changed {
		t.Errorf("topic %+v", topic)
	}
	names := one[event.Names](t, evs)
	want := []event.Member{
		{Nick: "me", Prefixes: "@%", User: "u", Host: "host.example"},
		{Nick: "bob", Prefixes: "+", User: "b", Host: "bh"},
		{Nick: "carol", User: "c", Host: "ch"},
	}
	if !reflect.DeepEqual(names.Members, want) {
		t.Errorf("names\n got  %+v\n want %+v", names.Members, want)
	}

	// extended-join with an account.
	j = one[event.Join](t, sc.feed(":dave!d@dh JOIN #c dacct :Dave"))
	if j.Account != "dacct" || j.Realname != "Dave" || j.Self {
		t.Errorf("extended join %+v", j)
	}

	// MODE: prefixes change (the Mode event alone says so: no list is
	// re-sent); keys are tracked.
	evs = sc.feed(":alice!a@h MODE #c +ov-o+kl bob bob me sekrit 10")
	mode := one[event.Mode](t, evs)
	if mode.Modes != "+ov-o+kl" || !reflect.DeepEqual(mode.Params, []string{"bob", "bob", "me", "sekrit", "10"}) || len(evs) != 1 {
		t.Errorf("mode %+v (%d events)", mode, len(evs))
	}
	names = sc.s.namesEvent(event.Meta{}, sc.s.joinedChannel("#c"))
	if names.Members[0].Nick != "bob" || names.Members[0].Prefixes != "@+" || names.Members[1].Nick != "me" || names.Members[1].Prefixes != "%" {
		t.Errorf("after MODE: %+v", names.Members)
	}
	if got := sc.s.Channels(); !reflect.DeepEqual(got, []Channel{{"#c", "sekrit"}}) {
		t.Errorf("channels %v", got)
	}
	// A mode with no prefix change yields only Mode.
	evs = sc.feed(":alice!a@h MODE #c +m")
	if len(evs) != 1 {
		t.Errorf("events for +m: %#v", evs)
	}

	// away-notify, account-notify, chghost update members.
	sc.feed(":carol!c@ch AWAY :lunch", ":carol!c@ch ACCOUNT carola", ":carol!c@ch CHGHOST cc new.host")
	mb := sc.s.joinedChannel("#c").members["carol"]
	if !mb.away || mb.account != "carola" || mb.user != "cc" || mb.host != "new.host" {
		t.Errorf("carol %+v", mb)
	}
	a := one[event.Away](t, sc.feed(":carol!c@ch AWAY"))
	if a.Away || a.Nick != "carol" {
		t.Errorf("away back %+v", a)
	}
	ac := one[event.AccountChange](t, sc.feed(":carol!c@ch ACCOUNT *"))
	if ac.Account != "" {
		t.Errorf("account logout %+v", ac)
	}

	// NICK, QUIT, KICK, PART.
	nc := one[event.NickChange](t, sc.feed(":bob!b@bh NICK Robert"))
	if nc.Old != "bob" || nc.New != "Robert" || !reflect.DeepEqual(nc.Channels, []string{"#c"}) || nc.Self {
		t.Errorf("nick change %+v", nc)
	}
	q := one[event.Quit](t, sc.feed(":robert!b@bh QUIT :bye"))
	if !reflect.DeepEqual(q.Channels, []string{"#c"}) || q.Reason != "bye" {
		t.Errorf("quit %+v", q)
	}
	k := one[event.Kick](t, sc.feed(":alice!a@h KICK #c carol :out"))
	if k.Nick != "carol" || k.By != "alice" || k.Reason != "out" || k.Self {
		t.Errorf("kick %+v", k)
	}
	p := one[event.Part](t, sc.feed(":dave!d@dh PART #c :later"))
	if p.Reason != "later" || p.Self {
		t.Errorf("part %+v", p)
	}
	if n := len(sc.s.joinedChannel("#c").members); n != 1 {
		t.Errorf("%d members left, want 1 (us)", n)
	}
	// Live topic change.
	tc := one[event.Topic](t, sc.feed("@time=2026-01-02T03:04:05.000Z :alice!a@h TOPIC #c :new topic"))
	if !tc.Changed || tc.SetBy != "alice" || tc.Topic != "new topic" || !tc.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("topic change %+v", tc)
	}
	// Our own nick change and being kicked.
	nc = one[event.NickChange](t, sc.feed(":me!u@h NICK me2"))
	if !nc.Self || sc.s.Nick() != "me2" {
		t.Errorf("own nick change %+v, Nick %q", nc, sc.s.Nick())
	}
	k = one[event.Kick](t, sc.feed(":alice!a@h KICK #c me2 :bye"))
	if !k.Self || len(sc.s.Channels()) != 0 {
		t.Errorf("own kick %+v, channels %v", k, sc.s.Channels())
	}
}

func TestTopicWithout333(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #c")
	evs := sc.feed(":srv 332 me #c :just the topic", ":srv 353 me = #c :me", ":srv 366 me #c :End")
	if tp := one[event.Topic](t, evs); tp.Topic != "just the topic" || tp.SetBy != "" {
		t.Errorf("topic %+v", tp)
	}
	if _, ok := evs[0].(event.Topic); !ok {
		t.Errorf("topic not emitted first: %#v", evs)
	}
}

func TestRejoinWithKeysAndReady(t *testing.T) {
	sc := newScript(t, Config{Autojoin: []Channel{{"#auto", ""}, {"#locked", "k2"}, {"#a", ""}}})
	sc.register("")
	sc.expect()
	// The first registration joins the autojoin list; the session is
	// registered at 001 but not Ready until every JOIN was answered.
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :", ":srv 001 me :Welcome")
	sc.expect("CAP END") // the JOINs wait for the end of the burst, when 005 is known
	sc.feed(":srv 376 me :End of MOTD")
	sc.expect("JOIN #locked,#auto,#a k2")
	if !sc.s.Registered() || sc.s.Ready() {
		t.Fatalf("Registered %v Ready %v", sc.s.Registered(), sc.s.Ready())
	}
	sc.feed(":me!u@h JOIN #auto", ":me!u@h JOIN #locked")
	if sc.s.Ready() {
		t.Fatal("Ready before #a answered")
	}
	evs := sc.feed(":srv 474 me #a :Cannot join channel (+b)")
	if info := one[event.Info](t, evs); info.Buffer != "#a" || !info.Error {
		t.Errorf("join refusal %+v", info)
	}
	if !sc.s.Ready() {
		t.Fatal("not Ready after every JOIN answered")
	}
	// The user joins a keyed channel; it is rejoined with its key.
	sc.s.Submit(command.Join{Channel: "#new", Key: "nk"})
	sc.expect("JOIN #new nk")
	sc.feed(":me!u@h JOIN #new")
	want := []Channel{{"#auto", ""}, {"#locked", "k2"}, {"#new", "nk"}}
	if got := sc.s.Channels(); !reflect.DeepEqual(got, want) {
		t.Fatalf("channels %v, want %v", got, want)
	}

	// Connection lost: a new registration rejoins the same channels (the
	// refused #a is still in autojoin, so it is tried again).
	sc.s.Register()
	if sc.s.Ready() || sc.s.Registered() {
		t.Fatal("state not reset by Register")
	}
	sc.sent()
	sc.feed(":srv CAP * LS :", ":srv 001 me :Welcome", ":srv 422 me :MOTD File is missing")
	out := sc.sent()
	want2 := []string{"CAP END", "JOIN #locked,#new,#auto,#a k2,nk"}
	if !reflect.DeepEqual(out, want2) {
		t.Fatalf("rejoin sent %q, want %q", out, want2)
	}
	sc.feed(":me!u@h JOIN #auto", ":me!u@h JOIN #locked", ":me!u@h JOIN #new", ":me!u@h JOIN #a")
	if !sc.s.Ready() {
		t.Fatal("not Ready after rejoin")
	}
}

func TestRejoinClassIsRejoin(t *testing.T) {
	sc := newScript(t, Config{Autojoin: []Channel{{"#a", ""}}})
	sc.s.Register()
	sc.rec.out = nil
	sc.feed(":srv CAP * LS :", ":srv 001 me :Welcome", ":srv 376 me :End of MOTD")
	if len(sc.rec.out) != 2 || sc.rec.out[0].Class != ClassConn || sc.rec.out[1].Class != ClassRejoin {
		t.Errorf("classes %+v", sc.rec.out)
	}
}

func TestResumedKeepsState(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #c")
	sc.s.Ping()
	sc.sent()
	sc.s.Resumed()
	if !sc.s.Registered() || !sc.s.Ready() || len(sc.s.Channels()) != 1 {
		t.Fatal("Resumed lost state")
	}
	if _, ok := sc.s.LagPending(); ok {
		t.Error("lag PING of the old connection still outstanding")
	}
	sc.expect()
}

func TestJoinForwardAndRefusalBuffers(t *testing.T) {
	sc := newScript(t, Config{Autojoin: []Channel{{"#old", ""}}})
	sc.s.Register()
	sc.feed(":srv CAP * LS :", ":srv 001 me :hi")
	sc.sent()
	info := one[event.Info](t, sc.feed(":srv 470 me #old ##new :Forwarding to another channel"))
	if info.Error || info.Code != "470" {
		t.Errorf("470 info %+v", info)
	}
	if !sc.s.Ready() {
		t.Error("not Ready after the forwarded join was answered")
	}
	sc.feed(":me!u@h JOIN ##new")
	// A refused user join for a channel we have no buffer for goes to the server buffer.
	sc.s.Submit(command.Join{Channel: "#x", Key: "bad"})
	info = one[event.Info](t, sc.feed(":srv 475 me #x :Cannot join channel (+k)"))
	if info.Buffer != "" || !info.Error {
		t.Errorf("475 info %+v", info)
	}
	if len(sc.s.keys) != 0 {
		t.Errorf("refused join key kept: %v", sc.s.keys)
	}
	if got := sc.s.Channels(); len(got) != 1 || got[0].Name != "##new" {
		t.Errorf("channels %v", got)
	}
}

func TestReconnectRefoldsChannels(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":srv 005 me CASEMAPPING=ascii :are supported by this server", ":me!u@h JOIN #A[1]")
	// Reconnect: until the new 005, the default rfc1459 mapping applies.
	sc.s.Register()
	sc.feed(":srv CAP * LS :", ":srv 001 me :hi")
	sc.sent()
	sc.feed(":me!u@h JOIN #a{1}") // the same channel under rfc1459
	if !sc.s.Ready() || len(sc.s.Channels()) != 1 {
		t.Errorf("Ready %v channels %v", sc.s.Ready(), sc.s.Channels())
	}
}

// The rejoin honours TARGMAX's JOIN limit, which 005 brings after 001: the
// JOINs go out at the end of the burst, in lines of at most that many
// channels, each line's keys aligned with its first channels.
func TestRejoinHonoursTargMax(t *testing.T) {
	auto := []Channel{{"#a", ""}, {"#b", "kb"}, {"#c", ""}, {"#d", "kd"}, {"#e", ""}, {"#f", "kf"}, {"#g", ""}}
	tests := []struct {
		name     string
		isupport string
		want     []string
	}{
		{"JOIN:3", "TARGMAX=PRIVMSG:4,NOTICE:4,JOIN:3", []string{"JOIN #b,#d,#f kb,kd,kf", "JOIN #a,#c,#e", "JOIN #g"}},
		{"JOIN:2", "TARGMAX=JOIN:2", []string{"JOIN #b,#d kb,kd", "JOIN #f,#a kf", "JOIN #c,#e", "JOIN #g"}},
		{"JOIN without a number", "TARGMAX=PRIVMSG:4,JOIN:", []string{"JOIN #b,#d,#f,#a,#c,#e,#g kb,kd,kf"}},
		{"no TARGMAX", "NETWORK=x", []string{"JOIN #b,#d,#f,#a,#c,#e,#g kb,kd,kf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, Config{Autojoin: auto})
			sc.s.Register()
			sc.sent()
			sc.feed(":srv CAP * LS :", ":srv 001 me :Welcome", ":srv 005 me "+tt.isupport+" :are supported by this server")
			sc.expect("CAP END")
			sc.feed(":srv 376 me :End of MOTD")
			sc.expect(tt.want...)
			for _, c := range auto[:6] {
				sc.feed(":me!u@h JOIN " + c.Name)
			}
			if sc.s.Ready() {
				t.Fatal("Ready before #g was answered")
			}
			sc.feed(":me!u@h JOIN #g")
			if !sc.s.Ready() || len(sc.s.Channels()) != 7 {
				t.Fatalf("Ready %v channels %v", sc.s.Ready(), sc.s.Channels())
			}
		})
	}
}

// The 400-byte bound still splits JOIN lines under a TARGMAX that allows
// more channels than fit.
func TestRejoinTargMaxKeepsByteBound(t *testing.T) {
	var auto []Channel
	for i := 0; i < 20; i++ {
		auto = append(auto, Channel{Name: "#" + strings.Repeat(string(rune('a'+i)), 40)})
	}
	sc := newScript(t, Config{Autojoin: auto})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :", ":srv 001 me :Welcome", ":srv 005 me TARGMAX=JOIN:15 :are supported", ":srv 422 me :No MOTD")
	out := sc.sent()
	// 9 channels of 41 bytes (plus separators) fit 400 bytes: 9+9+2.
	if len(out) != 4 || out[0] != "CAP END" {
		t.Fatalf("sent %q, want CAP END and three JOINs", out)
	}
	var joined []string
	for _, l := range out[1:] {
		if len(l) > maxReqLen+len("JOIN ") {
			t.Errorf("JOIN line of %d bytes: %q", len(l), l)
		}
		joined = append(joined, strings.Split(strings.TrimPrefix(l, "JOIN "), ",")...)
	}
	if len(joined) != 20 || joined[0] != auto[0].Name || joined[19] != auto[19].Name {
		t.Errorf("joined %q", joined)
	}
}

// A server that sends no MOTD numerics still gets the rejoin: the first
// non-numeric line after 001 ends the burst.
func TestRejoinWithoutMOTDNumerics(t *testing.T) {
	sc := newScript(t, Config{Autojoin: []Channel{{"#a", ""}}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :", ":srv 001 me :Welcome", ":srv 005 me TARGMAX=JOIN:1 :are supported", ":srv 251 me :There are 2 users")
	sc.expect("CAP END")
	sc.feed(":srv MODE me +i")
	sc.expect("JOIN #a")
	sc.feed(":me!u@h JOIN #a", ":srv 376 me :End of MOTD")
	sc.expect()
	if !sc.s.Ready() {
		t.Error("not Ready after the rejoin was answered")
	}
}

// TestModeInHugeChannel: in a channel of 100 000 members (more than the
// session tracks) a MODE +o is one Mode event: no Names snapshot follows
// to replace the UI's longer list, and a member not tracked here is
// named in it all the same.
func TestModeInHugeChannel(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #big")
	lines := make([]string, 100_000)
	for i := range lines {
		lines[i] = fmt.Sprintf(":n%d!u@h JOIN #big", i)
	}
	sc.feed(lines...)
	for _, nick := range []string{"n5", "n99999"} { // tracked; beyond maxMembers
		evs := sc.feed(":ChanServ!s@services MODE #big +o " + nick)
		if len(evs) != 1 {
			t.Fatalf("MODE +o %s gave %d events (the last a %T), want the Mode alone", nick, len(evs), evs[len(evs)-1])
		}
		if m, ok := evs[0].(event.Mode); !ok || m.Target != "#big" || m.Modes != "+o" || len(m.Params) != 1 || m.Params[0] != nick {
			t.Errorf("MODE +o %s gave %+v", nick, evs[0])
		}
	}
	if mb := sc.s.joinedChannel("#big").members["n5"]; mb == nil || mb.prefixes != "@" {
		t.Errorf("n5 after +o: %+v", mb)
	}
}

// The session's cap on a member list is the one rule: a NAMES reply
// longer than the cap gives a Names with the tracked members and the
// count of the rest (Untracked), a JOIN past the cap is marked Untracked
// (a consumer adds nobody the session does not track), and once tracked
// members leave, the next joiner is tracked again. A PART of an untracked
// member leaves the count.
func TestMemberCapIsOneRule(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #big")
	const extra = 7
	var lines []string
	names := []string{"@me"}
	for i := 1; i < maxMembers+extra; i++ {
		names = append(names, fmt.Sprint("n", i))
		if len(names) == 300 {
			lines = append(lines, ":srv 353 me = #big :"+strings.Join(names, " "))
			names = names[:0]
		}
	}
	lines = append(lines, ":srv 353 me = #big :"+strings.Join(names, " "), ":srv 366 me #big :End of NAMES")
	n := one[event.Names](t, sc.feed(lines...))
	if len(n.Members) != maxMembers || n.Untracked != extra {
		t.Fatalf("Names: %d members, %d untracked; want %d and %d", len(n.Members), n.Untracked, maxMembers, extra)
	}

	j := one[event.Join](t, sc.feed(":late!l@h JOIN #big"))
	if !j.Untracked || j.Nick != "late" {
		t.Errorf("JOIN past the cap: %+v, want Untracked", j)
	}
	sc.feed(":n1!u@h PART #big", ":n2!u@h PART #big :bye")
	if j := one[event.Join](t, sc.feed(":room!r@h JOIN #big")); j.Untracked {
		t.Errorf("JOIN after two members left: %+v, want tracked", j)
	}
	sc.feed(":late!l@h PART #big", fmt.Sprintf(":srv KICK #big n%d :out", maxMembers+extra-1))
	n = one[event.Names](t, sc.feed(":srv 366 me #big :End of NAMES"))
	if len(n.Members) != maxMembers-1 || n.Untracked != extra-1 {
		t.Errorf("after the changes: %d members, %d untracked; want %d and %d", len(n.Members), n.Untracked, maxMembers-1, extra-1)
	}
	if len(n.Members) != len(sc.s.joinedChannel("#big").members) {
		t.Errorf("Names has %d members, the session tracks %d", len(n.Members), len(sc.s.joinedChannel("#big").members))
	}
}
