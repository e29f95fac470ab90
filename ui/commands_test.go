package ui

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestParseLine(t *testing.T) {
	inChan := cmdContext{target: "#ferry", channel: true, chanType: "#&", networks: []string{"ferrynet", "libera"}}
	inQuery := cmdContext{target: "bob", chanType: "#&", networks: []string{"ferrynet"}}
	inServer := cmdContext{chanType: "#&", networks: []string{"ferrynet", "libera"}}
	cmds := func(c ...command.Command) request { return request{cmds: c} }
	tests := []struct {
		ctx  cmdContext
		line string
		want request
		err  string // substring of the error; "" for none
	}{
		{inChan, "hello there", cmds(command.SendText{Target: "#ferry", Text: "hello there"}), ""},
		{inChan, "//not a command", cmds(command.SendText{Target: "#ferry", Text: "/not a command"}), ""},
		{inServer, "hello", request{}, "server buffer"},
		{inChan, "/join #go", cmds(command.Join{Channel: "#go"}), ""},
		{inChan, "/JOIN go", cmds(command.Join{Channel: "#go"}), ""},
		{inChan, "/j #a,#b k1", cmds(command.Join{Channel: "#a", Key: "k1"}, command.Join{Channel: "#b"}), ""},
		{inChan, "/join", request{}, "usage: /join"},
		{inChan, "/part", cmds(command.Part{Channel: "#ferry"}), ""},
		{inChan, "/part see you", cmds(command.Part{Channel: "#ferry", Reason: "see you"}), ""},
		{inChan, "/part #go bye now", cmds(command.Part{Channel: "#go", Reason: "bye now"}), ""},
		{inServer, "/part", request{}, "usage: /part"},
		{inChan, "/msg bob hi there", cmds(command.SendText{Target: "bob", Text: "hi there"}), ""},
		{inChan, "/msg bob", request{}, "usage: /msg <target> <text>"},
		{inChan, "/query bob", request{open: "bob"}, ""},
		{inChan, "/query bob hi", request{open: "bob", cmds: []command.Command{command.SendText{Target: "bob", Text: "hi"}}}, ""},
		{inChan, "/query #go", request{}, "use /join"},
		{inChan, "/query", request{}, "usage: /query"},
		{inChan, "/me waves", cmds(command.SendText{Target: "#ferry", Text: "waves", Kind: event.Action}), ""},
		{inServer, "/me waves", request{}, "not in the server buffer"},
		{inChan, "/me", request{}, "usage: /me"},
		{inChan, "/notice bob psst", cmds(command.SendText{Target: "bob", Text: "psst", Kind: event.Notice}), ""},
		{inChan, "/notice bob", request{}, "usage: /notice"},
		{inChan, "/nick newnick", cmds(command.SetNick{Nick: "newnick"}), ""},
		{inChan, "/nick", request{}, "usage: /nick"},
		{inChan, "/nick a b", request{}, "usage: /nick"},
		{inChan, "/topic", cmds(command.Topic{Channel: "#ferry"}), ""},
		{inChan, "/topic new topic", cmds(command.Topic{Channel: "#ferry", Text: "new topic", Set: true}), ""},
		{inServer, "/topic #go go things", cmds(command.Topic{Channel: "#go", Text: "go things", Set: true}), ""},
		{inServer, "/topic #go", cmds(command.Topic{Channel: "#go"}), ""},
		{inServer, "/topic", request{}, "usage: /topic"},
		{inChan, "/names", cmds(command.Names{Channel: "#ferry"}), ""},
		{inServer, "/names #go", cmds(command.Names{Channel: "#go"}), ""},
		{inServer, "/names", request{}, "usage: /names"},
		{inChan, "/whois bob", cmds(command.Whois{Nick: "bob"}), ""},
		{inChan, "/w bob", cmds(command.Whois{Nick: "bob"}), ""},
		{inChan, "/whois bob bob", cmds(command.Whois{Nick: "bob", Server: "bob"}), ""},
		{inQuery, "/whois", cmds(command.Whois{Nick: "bob"}), ""},
		{inChan, "/whois", request{}, "usage: /whois"},
		{inChan, "/whois a b c", request{}, "usage: /whois"},
		{inChan, "/op bob", cmds(command.Mode{Target: "#ferry", Modes: "+o", Args: []string{"bob"}}), ""},
		// The session splits by ISUPPORT MODES; the UI asks once.
		{inChan, "/op a b c d", cmds(command.Mode{Target: "#ferry", Modes: "+oooo", Args: []string{"a", "b", "c", "d"}}), ""},
		{inChan, "/deop bob", cmds(command.Mode{Target: "#ferry", Modes: "-o", Args: []string{"bob"}}), ""},
		{inChan, "/voice a b", cmds(command.Mode{Target: "#ferry", Modes: "+vv", Args: []string{"a", "b"}}), ""},
		{inChan, "/devoice a", cmds(command.Mode{Target: "#ferry", Modes: "-v", Args: []string{"a"}}), ""},
		{inChan, "/op", request{}, "usage: /op"},
		{inQuery, "/op bob", request{}, "works in a channel"},
		{inChan, "/ban", cmds(command.Mode{Target: "#ferry", Modes: "+b"}), ""},
		{inChan, "/ban troll *!*@bad.example", cmds(command.Mode{Target: "#ferry", Modes: "+bb", Args: []string{"troll!*@*", "*!*@bad.example"}}), ""},
		{inChan, "/unban troll", cmds(command.Mode{Target: "#ferry", Modes: "-b", Args: []string{"troll!*@*"}}), ""},
		{inChan, "/unban", request{}, "usage: /unban"},
		{inServer, "/ban x", request{}, "works in a channel"},
		{inChan, "/ctcp bob version", request{cmds: []command.Command{command.CTCP{Target: "bob", Verb: "VERSION"}}, help: []string{"CTCP VERSION sent to bob"}}, ""},
		{inServer, "/ctcp bob ping 12345", request{cmds: []command.Command{command.CTCP{Target: "bob", Verb: "PING", Args: "12345"}}, help: []string{"CTCP PING sent to bob"}}, ""},
		{inChan, "/ctcp #a,#b version", request{}, "usage: /ctcp"},
		{inChan, "/ctcp bob", request{}, "usage: /ctcp"},
		{inChan, "/whowas bob", cmds(command.Whowas{Nick: "bob"}), ""},
		{inChan, "/whowas bob 3", cmds(command.Whowas{Nick: "bob", Count: 3}), ""},
		{inChan, "/whowas bob many", request{}, "usage: /whowas"},
		{inChan, "/whowas", request{}, "usage: /whowas"},
		{inServer, "/list", cmds(command.List{}), ""},
		{inServer, "/list #go*", cmds(command.List{Filter: "#go*"}), ""},
		{inServer, "/list #go* more", request{}, "usage: /list"},
		{inChan, "/cycle", cmds(command.Part{Channel: "#ferry", Reason: "cycling"}, command.Join{Channel: "#ferry"}), ""},
		{inChan, "/cycle sekrit", cmds(command.Part{Channel: "#ferry", Reason: "cycling"}, command.Join{Channel: "#ferry", Key: "sekrit"}), ""},
		{inQuery, "/cycle", request{}, "works in a channel"},
		{inChan, "/mode +o bob", cmds(command.Mode{Target: "#ferry", Modes: "+o", Args: []string{"bob"}}), ""},
		{inChan, "/mode", cmds(command.Mode{Target: "#ferry"}), ""},
		{inChan, "/mode #go +k-l key", cmds(command.Mode{Target: "#go", Modes: "+k-l", Args: []string{"key"}}), ""},
		{inServer, "/mode newcomer +i", cmds(command.Mode{Target: "newcomer", Modes: "+i"}), ""},
		{inServer, "/mode +i", request{}, "usage: /mode"},
		{inChan, "/kick bob", cmds(command.Kick{Channel: "#ferry", Nick: "bob"}), ""},
		{inChan, "/kick bob bye", cmds(command.Kick{Channel: "#ferry", Nick: "bob", Reason: "bye"}), ""},
		{inChan, "/kick bob be nice", cmds(command.Kick{Channel: "#ferry", Nick: "bob", Reason: "be nice"}), ""},
		{inChan, "/kick", request{}, "usage: /kick"},
		{inQuery, "/kick bob", request{}, "works in a channel"},
		{inChan, "/invite bob", cmds(command.Invite{Nick: "bob", Channel: "#ferry"}), ""},
		{inServer, "/invite bob #go", cmds(command.Invite{Nick: "bob", Channel: "#go"}), ""},
		{inServer, "/invite bob", request{}, "usage: /invite"},
		{inChan, "/away lunch", cmds(command.Away{Message: "lunch"}), ""},
		{inChan, "/away out to lunch", cmds(command.Away{Message: "out to lunch"}), ""},
		{inChan, "/away", cmds(command.Away{}), ""},
		{inChan, "/quit", request{quit: true}, ""},
		{inChan, "/quit gone fishing", request{quit: true, reason: "gone fishing"}, ""},
		{inChan, "/close", request{close: true}, ""},
		{inServer, "/close", request{}, "cannot be closed"},
		{inChan, "/connect", cmds(command.Connect{}), ""},
		{inChan, "/connect libera", request{net: "libera", cmds: []command.Command{command.Connect{}}}, ""},
		{inChan, "/disconnect", cmds(command.Disconnect{}), ""},
		{inChan, "/disconnect libera brb", request{net: "libera", cmds: []command.Command{command.Disconnect{Reason: "brb"}}}, ""},
		{inChan, "/disconnect brb", cmds(command.Disconnect{Reason: "brb"}), ""},
		{inChan, "/reconnect", cmds(command.Reconnect{}), ""},
		{inChan, "/raw PRIVMSG bob :hi", cmds(command.Raw{Line: "PRIVMSG bob :hi"}), ""},
		{inChan, "/quote VERSION", cmds(command.Raw{Line: "VERSION"}), ""},
		{inChan, "/raw", request{}, "usage: /raw"},
		{inChan, "/migrate s2", cmds(command.Migrate{Server: "s2"}), ""},
		{inChan, "/migrate", request{}, "usage: /migrate <server>"},
		{inChan, "/clear", request{clear: true}, ""},
		{inChan, "/search some text", request{search: ptr("some text")}, ""},
		{inChan, "/search", request{search: ptr("")}, ""},
		{inChan, "/frobnicate x", request{}, "unknown command /frobnicate"},
		{inChan, "/", request{}, "empty command"},
		{inChan, "/help nosuch", request{}, "no command /nosuch"},
	}
	for _, tt := range tests {
		got, err := parseLine(tt.ctx, tt.line)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one containing %q", tt.line, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q:\n got %#v\nwant %#v", tt.line, got, tt.want)
		}
	}
}

func TestHelp(t *testing.T) {
	ctx := cmdContext{target: "#ferry", channel: true}
	r, err := parseLine(ctx, "/help")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(r.help, "\n")
	for name := range commands {
		if !strings.Contains(all, "/"+name) {
			t.Errorf("/help does not list /%s", name)
		}
	}
	r, err = parseLine(ctx, "/help /kick")
	if err != nil || len(r.help) != 1 || !strings.HasPrefix(r.help[0], "/kick <nick> [reason] — ") {
		t.Errorf("/help /kick = %q, %v", r.help, err)
	}
	r, err = parseLine(ctx, "/help j")
	if err != nil || len(r.help) != 1 || !strings.HasPrefix(r.help[0], "/join ") {
		t.Errorf("/help j (alias) = %q, %v", r.help, err)
	}
}

// Every command the issue names exists.
func TestCommandSet(t *testing.T) {
	for _, c := range strings.Fields("join part msg query me notice nick topic names whois mode kick invite away quit close connect disconnect reconnect raw migrate help") {
		if _, ok := commands[c]; !ok {
			t.Errorf("/%s missing", c)
		}
	}
}

func ptr(s string) *string { return &s }

// No command but /raw (and its alias /quote) hands the network a built
// wire string: the rest are typed, and the session builds the lines.
func TestOnlyRawSendsRaw(t *testing.T) {
	ctxs := []cmdContext{
		{target: "#ferry", channel: true, chanType: "#&"},
		{target: "bob", chanType: "#&"},
		{chanType: "#&"},
	}
	for name := range commands {
		if name == "raw" {
			continue
		}
		for _, ctx := range ctxs {
			for _, args := range []string{"", "bob", "#go bob", "bob 3 more words"} {
				r, err := parseLine(ctx, "/"+name+" "+args)
				if err != nil {
					continue
				}
				for _, c := range r.cmds {
					if _, ok := c.(command.Raw); ok {
						t.Errorf("/%s %s in %q sends %#v", name, args, ctx.target, c)
					}
				}
			}
		}
	}
}
