package session

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// loggedIn is RPL_LOGGEDIN for our nick me: markers need an account.
const loggedIn = ":srv 900 me me!u@h acct :You are now logged in as acct"

// TestReadMarker: markers from the server are events only when they move
// forward; ours are sent only when they move forward; a zero time asks.
func TestReadMarker(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("draft/read-marker server-time")
	sc.feed(loggedIn)
	evs := sc.feed(":srv MARKREAD #c timestamp=2026-11-26T12:00:00.000Z")
	rm := one[event.ReadMarker](t, evs)
	if rm.Buffer != "#c" || !rm.Time.Equal(epoch) {
		t.Fatalf("got %+v", rm)
	}
	if evs := sc.feed(":srv MARKREAD #c timestamp=2026-11-26T11:00:00.000Z", ":srv MARKREAD #c *"); len(only[event.ReadMarker](evs)) != 0 {
		t.Fatalf("an older or unknown marker was news: %#v", evs)
	}
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(-time.Second)})
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(1500 * time.Millisecond)})
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(1500 * time.Millisecond)})
	sc.s.Submit(command.MarkRead{Buffer: "bob"})
	sc.expect("MARKREAD #c timestamp=2026-11-26T12:00:01.500Z", "MARKREAD bob")
	// Our own marker relayed back is not news.
	if evs := sc.feed(":srv MARKREAD #c timestamp=2026-11-26T12:00:01.500Z"); len(evs) != 0 {
		t.Fatalf("our marker echoed as news: %#v", evs)
	}
}

// TestReadMarkerOff: without the capability nothing is sent.
func TestReadMarkerOff(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("server-time")
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch})
	sc.expect()
}

// TestWithoutCaps: a capability the user turned off is not requested.
func TestWithoutCaps(t *testing.T) {
	sc := newScript(t, Config{WithoutCaps: []string{"draft/read-marker"}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :batch draft/read-marker draft/multiline=max-bytes=100")
	sc.expect("CAP REQ :batch draft/multiline")
}

// markersOn returns the On of the last event.ReadMarkers in evs, and
// whether there was one.
func markersOn(evs []event.Event) (on, told bool) {
	for _, rm := range only[event.ReadMarkers](evs) {
		on, told = rm.On, true
	}
	return on, told
}

// TestReadMarkerNeedsAccount: with the capability but no account nothing
// is sent and the owner hears markers are off; logging in later turns
// them on and asks for the joined channels' markers (the server sent none
// at JOIN); logging out turns them off again.
func TestReadMarkerNeedsAccount(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :draft/read-marker account-notify server-time")
	sc.feed(":srv CAP * ACK :draft/read-marker account-notify server-time")
	sc.sent()
	evs := sc.feed(":srv 001 me :Welcome")
	if on, told := markersOn(evs); !told || on {
		t.Fatalf("at 001 without an account: told %v, on %v", told, on)
	}
	sc.feed(":me!u@h JOIN #c", ":srv 366 me #c :End of /NAMES list.")
	sc.sent()
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch})
	sc.s.Submit(command.MarkRead{Buffer: "bob"})
	sc.expect()

	// Somebody else's login changes nothing of ours.
	if evs := sc.feed(":bob!b@h ACCOUNT bobacct"); len(only[event.ReadMarkers](evs)) != 0 {
		t.Fatalf("another nick's login told: %#v", evs)
	}
	sc.expect()

	evs = sc.feed(":me!u@h ACCOUNT acct")
	if on, told := markersOn(evs); !told || !on {
		t.Fatalf("after our login: told %v, on %v", told, on)
	}
	sc.expect("MARKREAD #c")
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch})
	sc.expect("MARKREAD #c timestamp=2026-11-26T12:00:00.000Z")

	evs = sc.feed(":me!u@h ACCOUNT *")
	if on, told := markersOn(evs); !told || on {
		t.Fatalf("after our logout: told %v, on %v", told, on)
	}
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(time.Second)})
	sc.expect()

	// 900 and 901 say the same.
	if on, _ := markersOn(sc.feed(loggedIn)); !on {
		t.Fatal("900 did not turn markers on")
	}
	sc.expect("MARKREAD #c")
	if on, told := markersOn(sc.feed(":srv 901 me me!u@h :You are now logged out")); !told || on {
		t.Fatalf("901: told %v, on %v", told, on)
	}
}

// TestReadMarkerAccountPerConnection: the account is the connection's: a
// reconnect starts without one until the server says so again.
func TestReadMarkerAccountPerConnection(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("draft/read-marker")
	sc.feed(loggedIn)
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :draft/read-marker", ":srv CAP * ACK :draft/read-marker")
	sc.sent()
	if on, _ := markersOn(sc.feed(":srv 001 me :Welcome")); on {
		t.Fatal("markers on after a reconnect without a login")
	}
}

// TestReadMarkerFailQuiet: where ferry expects markers to be kept (a
// bouncer), a FAIL MARKREAD for want of an account turns them off until a
// login, is logged, and is noted once per connection in the server buffer,
// not as an error; the answer to a MARKREAD the user typed is shown as
// usual, labelled or not.
func TestReadMarkerFailQuiet(t *testing.T) {
	sc := newScript(t, Config{NoBouncerNetworks: true})
	sc.register("draft/read-marker soju.im/bouncer-networks")
	sc.feed(":me!u@h JOIN #c")
	sc.sent()
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch})
	sc.s.Submit(command.MarkRead{Buffer: "bob", Time: epoch})
	sc.expect("MARKREAD #c timestamp=2026-11-26T12:00:00.000Z", "MARKREAD bob timestamp=2026-11-26T12:00:00.000Z")

	evs := sc.feed(":srv FAIL MARKREAD ACCOUNT_REQUIRED #c :Read markers are kept per account; log in first")
	if on, told := markersOn(evs); !told || on {
		t.Fatalf("after ACCOUNT_REQUIRED: told %v, on %v", told, on)
	}
	info := one[event.Info](t, evs)
	if info.Error || info.Warn || info.Buffer != "" || !strings.Contains(info.Text, "log in") {
		t.Fatalf("note %+v, want a plain line for the server buffer", info)
	}
	evs = sc.feed(":srv FAIL MARKREAD ACCOUNT_REQUIRED bob :Read markers are kept per account; log in first")
	if len(evs) != 0 {
		t.Fatalf("a second refusal on the connection: %#v", evs)
	}
	if !slices.ContainsFunc(sc.log.lines, func(l string) bool { return strings.Contains(l, "ACCOUNT_REQUIRED") }) {
		t.Error("the refusal was not logged")
	}
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(time.Second)})
	sc.expect()

	// The user's own MARKREAD: its answer is theirs to read.
	sc.s.Submit(command.Raw{Line: "MARKREAD #c"})
	sc.expect("MARKREAD #c")
	if info := one[event.Info](t, sc.feed(":srv FAIL MARKREAD ACCOUNT_REQUIRED #c :Read markers are kept per account; log in first")); !info.Error || info.Buffer != "#c" {
		t.Fatalf("the answer to a typed MARKREAD: %+v", info)
	}

	// A login lifts the refusal.
	if on, _ := markersOn(sc.feed(loggedIn)); !on {
		t.Fatal("a login did not turn markers back on")
	}
	sc.expect("MARKREAD #c")
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch.Add(time.Second)})
	sc.expect("MARKREAD #c timestamp=2026-11-26T12:00:01.000Z")
	// Another failure on this connection: logged, not noted again.
	if evs := sc.feed(":srv FAIL MARKREAD INTERNAL_ERROR #c :Invalid MARKREAD request"); len(evs) != 0 {
		t.Fatalf("a second note on the connection: %#v", evs)
	}
}

// TestReadMarkerFailLabelled: with labeled-response, a FAIL answering the
// user's typed MARKREAD carries its label and is shown where it was typed;
// ferry's own unlabelled MARKREAD's FAIL is the quiet note.
func TestReadMarkerFailLabelled(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("draft/read-marker batch message-tags labeled-response")
	sc.feed(loggedIn, ":me!u@h JOIN #c")
	sc.sent()
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.Raw{Line: "MARKREAD #c timestamp=x"}})
	sc.expect("@label=f1 MARKREAD #c timestamp=x")
	info := one[event.Info](t, sc.feed("@label=f1 :srv FAIL MARKREAD INVALID_PARAMS #c timestamp=x :Invalid MARKREAD request"))
	if !info.Error || info.Buffer != "#c" {
		t.Fatalf("the labelled answer: %+v", info)
	}
	evs := sc.feed(":srv FAIL MARKREAD INTERNAL_ERROR #c :Invalid MARKREAD request")
	if info := one[event.Info](t, evs); info.Error || info.Buffer != "" {
		t.Fatalf("ferry's own: %+v", info)
	}
	if _, told := markersOn(evs); told {
		t.Fatal("a failure other than ACCOUNT_REQUIRED told markers off")
	}
	sc.s.Submit(command.MarkRead{Buffer: "#c", Time: epoch})
	sc.expect("MARKREAD #c timestamp=2026-11-26T12:00:00.000Z")
}
