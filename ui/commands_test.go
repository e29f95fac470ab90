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
		{inChan, "/topic", cmds(command.Raw{Line: "TOPIC #ferry"}), ""},
		{inChan, "/topic new topic", cmds(command.Raw{Line: "TOPIC #ferry :new topic"}), ""},
		{inServer, "/topic #go go things", cmds(command.Raw{Line: "TOPIC #go :go things"}), ""},
		{inServer, "/topic", request{}, "usage: /topic"},
		{inChan, "/names", cmds(command.Raw{Line: "NAMES #ferry"}), ""},
		{inServer, "/names #go", cmds(command.Raw{Line: "NAMES #go"}), ""},
		{inServer, "/names", request{}, "usage: /names"},
		{inChan, "/whois bob", cmds(command.Raw{Line: "WHOIS bob"}), ""},
		{inQuery, "/whois", cmds(command.Raw{Line: "WHOIS bob"}), ""},
		{inChan, "/whois", request{}, "usage: /whois"},
		{inChan, "/op bob", cmds(command.Raw{Line: "MODE #ferry +o bob"}), ""},
		{inChan, "/op a b c d", cmds(command.Raw{Line: "MODE #ferry +ooo a b c"}, command.Raw{Line: "MODE #ferry +o d"}), ""},
		{inChan, "/deop bob", cmds(command.Raw{Line: "MODE #ferry -o bob"}), ""},
		{inChan, "/voice a b", cmds(command.Raw{Line: "MODE #ferry +vv a b"}), ""},
		{inChan, "/devoice a", cmds(command.Raw{Line: "MODE #ferry -v a"}), ""},
		{inChan, "/op", request{}, "usage: /op"},
		{inQuery, "/op bob", request{}, "works in a channel"},
		{inChan, "/ban", cmds(command.Raw{Line: "MODE #ferry +b"}), ""},
		{inChan, "/ban troll *!*@bad.example", cmds(command.Raw{Line: "MODE #ferry +bb troll!*@* *!*@bad.example"}), ""},
		{inChan, "/unban troll", cmds(command.Raw{Line: "MODE #ferry -b troll!*@*"}), ""},
		{inChan, "/unban", request{}, "usage: /unban"},
		{inServer, "/ban x", request{}, "works in a channel"},
		{inChan, "/ctcp bob version", request{cmds: []command.Command{command.Raw{Line: "PRIVMSG bob :\x01VERSION\x01"}}, help: []string{"CTCP VERSION sent to bob"}}, ""},
		{inServer, "/ctcp bob ping 12345", request{cmds: []command.Command{command.Raw{Line: "PRIVMSG bob :\x01PING 12345\x01"}}, help: []string{"CTCP PING sent to bob"}}, ""},
		{inChan, "/ctcp bob", request{}, "usage: /ctcp"},
		{inChan, "/whowas bob", cmds(command.Raw{Line: "WHOWAS bob"}), ""},
		{inChan, "/whowas", request{}, "usage: /whowas"},
		{inServer, "/list", cmds(command.Raw{Line: "LIST"}), ""},
		{inServer, "/list #go*", cmds(command.Raw{Line: "LIST #go*"}), ""},
		{inChan, "/cycle", cmds(command.Part{Channel: "#ferry", Reason: "cycling"}, command.Join{Channel: "#ferry"}), ""},
		{inChan, "/cycle sekrit", cmds(command.Part{Channel: "#ferry", Reason: "cycling"}, command.Join{Channel: "#ferry", Key: "sekrit"}), ""},
		{inQuery, "/cycle", request{}, "works in a channel"},
		{inChan, "/mode +o bob", cmds(command.Raw{Line: "MODE #ferry +o bob"}), ""},
		{inChan, "/mode", cmds(command.Raw{Line: "MODE #ferry"}), ""},
		{inServer, "/mode newcomer +i", cmds(command.Raw{Line: "MODE newcomer +i"}), ""},
		{inServer, "/mode +i", request{}, "usage: /mode"},
		{inChan, "/kick bob", cmds(command.Raw{Line: "KICK #ferry bob"}), ""},
		{inChan, "/kick bob be nice", cmds(command.Raw{Line: "KICK #ferry bob :be nice"}), ""},
		{inChan, "/kick", request{}, "usage: /kick"},
		{inQuery, "/kick bob", request{}, "works in a channel"},
		{inChan, "/invite bob", cmds(command.Raw{Line: "INVITE bob #ferry"}), ""},
		{inServer, "/invite bob #go", cmds(command.Raw{Line: "INVITE bob #go"}), ""},
		{inServer, "/invite bob", request{}, "usage: /invite"},
		{inChan, "/away lunch", cmds(command.Raw{Line: "AWAY :lunch"}), ""},
		{inChan, "/away", cmds(command.Raw{Line: "AWAY"}), ""},
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
