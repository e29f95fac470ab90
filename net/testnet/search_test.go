package testnet

import (
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// manualClock is a network clock the test sets, so every line gets a
// server-time the test chose.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// searchPage sends SEARCH with attrs and returns the search batch's lines;
// the reply must start right away with the batch opening.
func searchPage(t *testing.T, c *client, attrs string) (texts []string, msgs []*irc.Message) {
	t.Helper()
	c.send("SEARCH :%s", attrs)
	open, err := c.next()
	if err != nil {
		t.Fatal(err)
	}
	if open.Command != "BATCH" || len(open.Params) != 2 || !strings.HasPrefix(open.Param(0), "+") || open.Param(1) != capSearch {
		t.Fatalf("SEARCH %s: want BATCH +<ref> %s, got %s", attrs, capSearch, open)
	}
	return readBatch(t, c, open.Param(0)[1:])
}

var searchCaps = []string{"batch", "server-time", "message-tags", capSearch}

func TestSearch(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	clock := &manualClock{t: t0}
	n := startNet(t, Options{Now: clock.Now})
	a := register(t, n.Node("s1").Addr(), "alice", searchCaps...)
	b := register(t, n.Node("s2").Addr(), "bob")
	c := register(t, n.Node("s1").Addr(), "carol")
	d := register(t, n.Node("s2").Addr(), "dave", "batch", "server-time", "message-tags")
	a.join("#s")
	b.join("#s")
	c.join("#s")
	c.join("#secret")

	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Minute) }
	stamp := func(i int) string { return at(i).Format(time.RFC3339) }
	ids := map[string]string{} // text -> msgid as alice saw it live
	say := func(i int, from *client, cmd, target, text string) {
		t.Helper()
		clock.Set(at(i))
		from.send("%s %s :%s", cmd, target, text)
		if target == "#secret" {
			from.barrier()
			return
		}
		ids[text] = a.expectCmd(cmd, target, text).Tags["msgid"]
	}
	say(1, b, "PRIVMSG", "#s", "Hello World")
	say(2, c, "PRIVMSG", "#s", "hello from carol")
	say(3, b, "PRIVMSG", "#s", "a b c")
	say(4, b, "PRIVMSG", "alice", "HELLO privately")
	say(5, b, "NOTICE", "#s", "hello notice")
	say(6, c, "PRIVMSG", "#secret", "hello secret")
	for i := 1; i <= 5; i++ {
		say(6+i, b, "PRIVMSG", "#s", "n "+itoa(i))
	}
	say(12, b, "PRIVMSG", "#s", "semi;colon")
	say(13, b, "PRIVMSG", "#s", "ab")
	a.barrier()

	tests := []struct {
		name  string
		attrs string
		want  []string // texts of the batch, in order
		fail  []string // or the FAIL's params before its description
	}{
		{"text matches case-insensitively in every readable target", "text=hello",
			[]string{"Hello World", "hello from carol", "HELLO privately", "hello notice"}, nil},
		{"in a channel", "text=HELLO;in=#S",
			[]string{"Hello World", "hello from carol", "hello notice"}, nil},
		{"in a private conversation", "text=hello;in=BOB", []string{"HELLO privately"}, nil},
		{"from a sender", "text=hello;from=CAROL", []string{"hello from carol"}, nil},
		{"from and in combine", "text=hello;from=bob;in=#s", []string{"Hello World", "hello notice"}, nil},
		{"after and before are exclusive", "text=hello;after=" + stamp(1) + ";before=" + stamp(5),
			[]string{"hello from carol", "HELLO privately"}, nil},
		{"after only", "text=n;after=" + stamp(9), []string{"n 4", "n 5", "semi;colon"}, nil},
		{"limit keeps the newest, oldest first", "text=n\\s;limit=3", []string{"n 3", "n 4", "n 5"}, nil},
		{"limit across targets", "text=hello;limit=2", []string{"HELLO privately", "hello notice"}, nil},
		{"escaped space", "text=a\\sb", []string{"a b c"}, nil},
		{"escaped semicolon", "text=semi\\:colon", []string{"semi;colon"}, nil},
		{"unknown keys are ignored", "foo=bar;text=semi\\:colon;x", []string{"semi;colon"}, nil},
		{"no match is an empty batch", "text=nothing like this", nil, nil},
		{"no text", "in=#s", nil, []string{"SEARCH", "NEED_MORE_PARAMS"}},
		{"empty text", "text=;in=#s", nil, []string{"SEARCH", "NEED_MORE_PARAMS"}},
		{"limit not a number", "text=n;limit=many", nil, []string{"SEARCH", "INVALID_PARAMS", "limit"}},
		{"limit zero", "text=n;limit=0", nil, []string{"SEARCH", "INVALID_PARAMS", "limit"}},
		{"bad after", "text=n;after=yesterday", nil, []string{"SEARCH", "INVALID_PARAMS", "after"}},
		{"bad before", "text=n;before=2026-13-01T00:00:00Z", nil, []string{"SEARCH", "INVALID_PARAMS", "before"}},
		{"a channel alice is not in", "text=hello;in=#secret", nil, []string{"SEARCH", "INVALID_TARGET", "#secret"}},
		{"not a channel nor a nick", "text=hello;in=9lives", nil, []string{"SEARCH", "INVALID_TARGET", "9lives"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.fail != nil {
				a.send("SEARCH :%s", tt.attrs)
				m, err := a.next()
				if err != nil {
					t.Fatal(err)
				}
				if !is(m, "FAIL", tt.fail...) || len(m.Params) != len(tt.fail)+1 {
					t.Fatalf("SEARCH %s = %s, want FAIL %s :<description>", tt.attrs, m, strings.Join(tt.fail, " "))
				}
				return
			}
			got, msgs := searchPage(t, a, tt.attrs)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("SEARCH %s = %q, want %q", tt.attrs, got, tt.want)
			}
			for _, m := range msgs {
				if m.Tags["msgid"] != ids[m.Trailing()] {
					t.Errorf("%s: msgid %s, live line had %s", m, m.Tags["msgid"], ids[m.Trailing()])
				}
			}
		})
	}

	// A line is replayed as CHATHISTORY replays it: sender, command,
	// target, text, the time it was sent.
	_, msgs := searchPage(t, a, "text=hello;in=#s;limit=1")
	if len(msgs) != 1 {
		t.Fatalf("limit=1 gave %d lines", len(msgs))
	}
	m := msgs[0]
	if m.Prefix.Name != "bob" || !is(m, "NOTICE", "#s", "hello notice") || m.Tags["time"] != "2026-01-02T03:09:05.000Z" {
		t.Errorf("replayed line %s", m)
	}
	_, hist := historyPage(t, a, "LATEST bob * 1")
	_, msgs = searchPage(t, a, "text=privately")
	if len(hist) != 1 || len(msgs) != 1 || hist[0].Prefix.String() != msgs[0].Prefix.String() ||
		strings.Join(hist[0].Params, " ") != strings.Join(msgs[0].Params, " ") || hist[0].Tags["time"] != msgs[0].Tags["time"] {
		t.Errorf("SEARCH line %v differs from CHATHISTORY's %v", msgs, hist)
	}

	a.send("SEARCH")
	if m, err := a.next(); err != nil || !is(m, "FAIL", "SEARCH", "NEED_MORE_PARAMS") {
		t.Errorf("SEARCH without parameters = %v %v", m, err)
	}

	d.send("SEARCH :text=hello")
	if m, err := d.next(); err != nil || !is(m, "421", "dave", "SEARCH") {
		t.Errorf("SEARCH without %s = %v %v, want 421", capSearch, m, err)
	}
}

// TestSearchLimitIsClamped: limit defaults to, and is clamped at, the
// CHATHISTORY page size.
func TestSearchLimitIsClamped(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", searchCaps...)
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#s")
	b.join("#s")
	const sent = historyMaxPage + 5
	for i := 0; i < sent; i++ {
		b.send("PRIVMSG #s :z %d", i)
	}
	b.barrier()
	a.expectCmd("PRIVMSG", "#s", "z "+itoa(sent-1))
	for _, attrs := range []string{"text=z", "text=z;limit=1000", "text=z;limit=99999999999999999999999"} {
		got, _ := searchPage(t, a, attrs)
		if len(got) != historyMaxPage {
			t.Errorf("SEARCH %s: %d lines, want %d", attrs, len(got), historyMaxPage)
			continue
		}
		if got[0] != "z "+itoa(sent-historyMaxPage) || got[len(got)-1] != "z "+itoa(sent-1) {
			t.Errorf("SEARCH %s: %q .. %q, want the newest %d", attrs, got[0], got[len(got)-1], historyMaxPage)
		}
	}
}

// TestSearchCapFollowsChathistory: soju.im/search is offered where
// draft/chathistory is, and not on a node without it.
func TestSearchCapFollowsChathistory(t *testing.T) {
	n := startNet(t, Options{Nodes: []NodeConfig{
		{Name: "s1"},
		{Name: "s2", WithoutCaps: []string{capChathistory}},
	}})
	for node, want := range map[string]bool{"s1": true, "s2": false} {
		c := dialPlain(t, "x", n.Node(node).Addr())
		c.send("CAP LS 302")
		ls := c.expectCmd("CAP", "*", "LS")
		if got := strings.Contains(" "+ls.Trailing()+" ", " "+capSearch+" "); got != want {
			t.Errorf("%s: CAP LS %q offers %s: %v, want %v", node, ls.Trailing(), capSearch, got, want)
		}
	}
}
