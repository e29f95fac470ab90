package session

import (
	"reflect"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestSetnameChghostAccount(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("setname chghost account-notify account-tag extended-join")
	sc.feed(":me!u@h JOIN #c", ":me!u@h JOIN #d", ":bob!b@old JOIN #c acct1 :Bob", ":bob!b@old JOIN #d * :Bob")
	sc.sent()

	rn := one[event.RealnameChange](t, sc.feed(":bob!b@old SETNAME :Robert B"))
	if rn.Nick != "bob" || rn.Realname != "Robert B" || rn.Self || !reflect.DeepEqual(rn.Channels, []string{"#c", "#d"}) {
		t.Errorf("SETNAME %+v", rn)
	}
	hc := one[event.HostChange](t, sc.feed(":bob!b@old CHGHOST bobby new.host"))
	if hc.User != "bobby" || hc.Host != "new.host" || !reflect.DeepEqual(hc.Channels, []string{"#c", "#d"}) {
		t.Errorf("CHGHOST %+v", hc)
	}
	ac := one[event.AccountChange](t, sc.feed(":bob!bobby@new.host ACCOUNT robert"))
	if ac.Account != "robert" || !reflect.DeepEqual(ac.Channels, []string{"#c", "#d"}) {
		t.Errorf("ACCOUNT %+v", ac)
	}
	names := sc.s.namesEvent(event.Meta{}, sc.s.channels["#d"]).Members
	if len(names) != 2 || names[0].Nick != "bob" || names[0].Account != "robert" || names[0].Host != "new.host" || names[0].User != "bobby" {
		t.Errorf("member after the changes %+v", names)
	}
	// The account shows in a WHOIS that names none.
	evs := sc.feed(":srv 311 me bob bobby new.host * :Robert B", ":srv 318 me bob :End of /WHOIS list")
	infos := only[event.Info](evs)
	if len(infos) != 3 || infos[1].Text != "bob is logged in as robert" || !infos[1].Reply {
		t.Errorf("WHOIS without 330: %#v", infos)
	}
	evs = sc.feed(":srv 311 me bob bobby new.host * :Robert B", ":srv 330 me bob robert :is logged in as", ":srv 318 me bob :End of /WHOIS list")
	if n := len(only[event.Info](evs)); n != 3 {
		t.Errorf("WHOIS with 330 gave %d infos, want 3 (no second account line)", n)
	}
	// Logged out.
	ac = one[event.AccountChange](t, sc.feed(":bob!bobby@new.host ACCOUNT *"))
	if ac.Account != "" {
		t.Errorf("logout %+v", ac)
	}
	// Ours.
	hc = one[event.HostChange](t, sc.feed(":me!u@h CHGHOST u2 cloak"))
	if !hc.Self || sc.s.userHostGuess() != "u2@cloak" {
		t.Errorf("our CHGHOST %+v, userhost %q", hc, sc.s.userHostGuess())
	}
	sc.s.Submit(command.SetName{Realname: "Me Too"})
	sc.expect("SETNAME :Me Too")
	if info := one[event.Info](t, sc.s.Submit(command.SetName{Realname: "a\nb"})); !info.Error {
		t.Errorf("bad realname %+v", info)
	}
	// Malformed lines are ignored.
	if evs := sc.feed(":bob!b@h CHGHOST onlyuser", ":bob!b@h ACCOUNT", "SETNAME :x"); len(evs) != 0 {
		t.Errorf("malformed lines gave %#v", evs)
	}
}
