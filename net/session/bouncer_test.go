package session

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

func TestBouncerListAndNotify(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :server-time soju.im/bouncer-networks soju.im/bouncer-networks-notify")
	sc.expect("CAP REQ :server-time soju.im/bouncer-networks soju.im/bouncer-networks-notify")
	sc.feed(":srv CAP * ACK :server-time soju.im/bouncer-networks soju.im/bouncer-networks-notify")
	sc.expect("CAP END")
	sc.feed(":srv 001 me :Welcome")
	// With the notifications the list comes by itself: no LISTNETWORKS.
	if out := sc.sent(); strings.Contains(strings.Join(out, "\n"), "LISTNETWORKS") {
		t.Errorf("LISTNETWORKS sent with notify: %q", out)
	}
	evs := sc.feed(
		":srv BATCH +b soju.im/bouncer-networks",
		`@batch=b :srv BOUNCER NETWORK 42 name=Libera;state=connected`,
		`@batch=b :srv BOUNCER NETWORK 43 name=My\sAwesome\sNetwork;state=disconnected;host=irc.example.org`,
		":srv BATCH -b",
		":srv BOUNCER NETWORK 43 state=connecting;host=",
		":srv BOUNCER NETWORK 42 *",
	)
	got := only[event.BouncerNetwork](evs)
	want := []event.BouncerNetwork{
		{NetID: "42", Attrs: map[string]string{"name": "Libera", "state": "connected"}},
		{NetID: "43", Attrs: map[string]string{"name": "My Awesome Network", "state": "disconnected", "host": "irc.example.org"}},
		{NetID: "43", Attrs: map[string]string{"state": "connecting", "host": ""}},
		{NetID: "42", Removed: true},
	}
	for i := range got {
		got[i].Meta = event.Meta{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("events\n got %+v\nwant %+v", got, want)
	}
	if a := sc.s.bouncerNets["43"]; !reflect.DeepEqual(a, map[string]string{"name": "My Awesome Network", "state": "connecting"}) {
		t.Errorf("merged attributes %v", a)
	}
	// /bouncer commands: by name or id; attributes escaped and sorted.
	sc.s.Submit(command.BouncerAddNetwork{Attrs: map[string]string{"name": "Ex ample", "host": "irc.example.org"}})
	sc.s.Submit(command.BouncerDelNetwork{Network: "my awesome network"})
	sc.s.Submit(command.BouncerListNetworks{})
	sc.expect(`BOUNCER ADDNETWORK host=irc.example.org;name=Ex\sample`, "BOUNCER DELNETWORK 43", "BOUNCER LISTNETWORKS")
	for _, c := range []command.Command{
		command.BouncerDelNetwork{Network: "nosuch"},
		command.BouncerAddNetwork{Attrs: map[string]string{"name": "x"}},
		command.BouncerAddNetwork{Attrs: map[string]string{"host": "h", "bad key": "x"}},
	} {
		if evs := sc.s.Submit(c); len(only[event.Info](evs)) != 1 {
			t.Errorf("%+v not refused: %+v", c, evs)
		}
	}
	sc.expect()
	// Malformed lines change nothing.
	if evs := sc.feed(":srv BOUNCER NETWORK", ":srv BOUNCER NETWORK 44", ":srv BOUNCER FROB x"); len(evs) != 0 {
		t.Errorf("events from malformed lines: %+v", evs)
	}
}

func TestBouncerListWithoutNotify(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :soju.im/bouncer-networks")
	sc.expect("CAP REQ soju.im/bouncer-networks")
	sc.feed(":srv CAP * ACK :soju.im/bouncer-networks")
	sc.expect("CAP END")
	sc.feed(":srv 001 me :Welcome")
	out := sc.sent()
	if len(out) == 0 || out[0] != "BOUNCER LISTNETWORKS" {
		t.Errorf("sent %q, want BOUNCER LISTNETWORKS first", out)
	}
}

func TestBouncerBind(t *testing.T) {
	sc := newScript(t, Config{BouncerBind: "42", SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: "b", Required: true}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :sasl soju.im/bouncer-networks soju.im/bouncer-networks-notify")
	// A bound connection shows one network: no notifications.
	sc.expect("CAP REQ :sasl soju.im/bouncer-networks")
	sc.feed(":srv CAP * ACK :sasl soju.im/bouncer-networks", "AUTHENTICATE +")
	sc.expect("AUTHENTICATE PLAIN", "AUTHENTICATE YQBhAGI=")
	sc.feed(":srv 903 me :ok")
	sc.expect("BOUNCER BIND 42", "CAP END")
	sc.feed(":srv 001 me :Welcome")
	if out := strings.Join(sc.sent(), "\n"); strings.Contains(out, "BOUNCER") {
		t.Errorf("bound connection sent %q", out)
	}

	t.Run("refused", func(t *testing.T) {
		sc := newScript(t, Config{BouncerBind: "42"})
		sc.s.Register()
		sc.sent()
		sc.feed(":srv CAP * LS :soju.im/bouncer-networks", ":srv CAP * ACK :soju.im/bouncer-networks")
		sc.expect("CAP REQ soju.im/bouncer-networks", "BOUNCER BIND 42", "CAP END")
		sc.feed(":srv FAIL BOUNCER INVALID_NETID BIND 42 :Network not found")
		sc.expect("QUIT :bouncer network unavailable")
		if err := sc.s.Fatal(); err == nil || !strings.Contains(err.Error(), "Network not found") {
			t.Errorf("Fatal() %v", err)
		}
	})
	t.Run("not offered", func(t *testing.T) {
		sc := newScript(t, Config{BouncerBind: "42"})
		sc.s.Register()
		sc.sent()
		sc.feed(":srv CAP * LS :server-time", ":srv CAP * ACK :server-time")
		sc.expect("CAP REQ server-time", "QUIT :bouncer network unavailable")
		if sc.s.Fatal() == nil {
			t.Error("registered unbound")
		}
	})
	t.Run("turned off", func(t *testing.T) {
		sc := newScript(t, Config{NoBouncerNetworks: true})
		sc.s.Register()
		sc.sent()
		sc.feed(":srv CAP * LS :server-time soju.im/bouncer-networks soju.im/bouncer-networks-notify")
		sc.expect("CAP REQ server-time")
	})
}

// TestBouncerRelist: networks removed while we were away are reported
// removed when the next full list leaves them out.
func TestBouncerRelist(t *testing.T) {
	sc := newScript(t, Config{})
	caps := "batch soju.im/bouncer-networks soju.im/bouncer-networks-notify"
	list := func(ids ...string) []event.Event {
		lines := []string{":srv BATCH +l soju.im/bouncer-networks"}
		for _, id := range ids {
			lines = append(lines, "@batch=l :srv BOUNCER NETWORK "+id+" name=n"+id)
		}
		return sc.feed(append(lines, ":srv BATCH -l")...)
	}
	sc.register(caps)
	if evs := only[event.BouncerNetwork](list("1", "2", "3")); len(evs) != 3 {
		t.Fatalf("events %+v", evs)
	}
	sc.register(caps) // a reconnect
	var removed []string
	for _, e := range only[event.BouncerNetwork](list("1", "3")) {
		if e.Removed {
			removed = append(removed, e.NetID)
		}
	}
	if !reflect.DeepEqual(removed, []string{"2"}) {
		t.Errorf("removed %q, want [2]", removed)
	}
	// A notification outside a batch is no full list: nothing removed.
	if evs := sc.feed(":srv BOUNCER NETWORK 4 name=x"); len(evs) != 1 || only[event.BouncerNetwork](evs)[0].Removed {
		t.Errorf("events %+v", evs)
	}
}
