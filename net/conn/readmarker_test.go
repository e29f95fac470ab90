package conn

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
)

// markerLayout is MARKREAD's timestamp format.
const markerLayout = "2006-01-02T15:04:05.000Z"

// markersTold is the On of the last event.ReadMarkers of network, and
// whether one came.
func (c *collector) markersTold(network string) (on, told bool) {
	for _, e := range c.snapshot() {
		if rm, ok := e.(event.ReadMarkers); ok && rm.Network == network {
			on, told = rm.On, true
		}
	}
	return on, told
}

// markReadLines are the MARKREAD lines the Pool wrote to addr.
func markReadLines(log *captureLog, addr string) []string {
	var out []string
	for _, l := range log.written(addr) {
		if strings.HasPrefix(l, "MARKREAD") {
			out = append(out, l)
		}
	}
	return out
}

// errorsShown are the Infos shown as errors and the Errors.
func errorsShown(c *collector) []event.Event {
	var out []event.Event
	for _, e := range c.snapshot() {
		switch e := e.(type) {
		case event.Info:
			if e.Error {
				out = append(out, e)
			}
		case event.Error:
			out = append(out, e)
		}
	}
	return out
}

// readMarkerPeer registers nick on addr with draft/read-marker and logs
// it in to account, as another client of the same user.
func readMarkerPeer(t *testing.T, tn *testnet.Network, addr, nick, account string) *rawClient {
	t.Helper()
	r := dialRaw(t, addr, "", nick)
	r.send("CAP REQ draft/read-marker")
	r.waitFor(5*time.Second, "read-marker acked", func() bool { return r.count("CAP", "draft/read-marker") > 0 })
	if err := tn.SetAccount(nick, account); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestReadMarkersGuestThenLogin: ferry as a guest on ferryd (no account,
// as in the demo) hears that markers are off and sends no MARKREAD, so no
// FAIL comes back to show; once logged in (services' late login:
// account-notify for our own nick) markers are on, the joined channel's
// marker is asked for, and a marker ferry moves reaches the account's
// other client; logged out, they stop again.
func TestReadMarkersGuestThenLogin(t *testing.T) {
	tn := startTestnet(t, testnet.Options{})
	log := newCaptureLog(t, testing.Verbose())
	cfg := tnConfig(t, tn, "s1", "guest", false)
	cfg.Session.Autojoin = []session.Channel{{Name: "#ferry"}}
	p, c := startPoolWith(t, log, nil, cfg)
	addr := tn.Node("s1").Addr()
	c.wait(5*time.Second, "joined #ferry", isSelfJoin("#ferry"))
	if on, told := c.markersTold("tn"); !told || on {
		t.Fatalf("a guest was told markers on %v (told %v)", on, told)
	}

	at := time.Now().UTC().Truncate(time.Millisecond)
	p.Do("tn", command.MarkRead{Buffer: "#ferry", Time: at})
	p.Do("tn", command.MarkRead{Buffer: "bob"})
	p.Do("tn", command.SendText{ID: 1, Target: "#ferry", Text: "after the reads"})
	c.wait(5*time.Second, "the line delivered", isDelivered(1)) // its echo follows any answer to a MARKREAD
	if l := markReadLines(log, addr); len(l) != 0 {
		t.Errorf("a guest sent %q", l)
	}
	if e := errorsShown(c); len(e) != 0 {
		t.Errorf("errors shown: %s", describe(e))
	}

	laptop := readMarkerPeer(t, tn, addr, "laptop", "acct")
	if err := tn.SetAccount("guest", "acct"); err != nil {
		t.Fatal(err)
	}
	c.waitCond(5*time.Second, "markers on after the login", func() bool { on, _ := c.markersTold("tn"); return on })
	c.waitCond(5*time.Second, "the channel's marker asked for", func() bool {
		return slices.Contains(markReadLines(log, addr), "MARKREAD #ferry")
	})
	p.Do("tn", command.MarkRead{Buffer: "#ferry", Time: at})
	stamp := "timestamp=" + at.Format(markerLayout)
	laptop.waitFor(5*time.Second, "ferry's marker", func() bool { return laptop.count("MARKREAD", stamp) > 0 })

	if err := tn.SetAccount("guest", ""); err != nil {
		t.Fatal(err)
	}
	c.waitCond(5*time.Second, "markers off after the logout", func() bool { on, _ := c.markersTold("tn"); return !on })
	sent := len(markReadLines(log, addr))
	p.Do("tn", command.MarkRead{Buffer: "#ferry", Time: at.Add(time.Second)})
	p.Do("tn", command.SendText{ID: 2, Target: "#ferry", Text: "after the logout"})
	c.wait(5*time.Second, "the second line delivered", isDelivered(2))
	if l := markReadLines(log, addr); len(l) != sent {
		t.Errorf("MARKREAD sent after the logout: %q", l[sent:])
	}
	if e := errorsShown(c); len(e) != 0 {
		t.Errorf("errors shown: %s", describe(e))
	}
}

// TestReadMarkersSASL: logged in with SASL PLAIN at registration, markers
// are on from the start and a marker ferry moves is kept for the account:
// its other client hears it.
func TestReadMarkersSASL(t *testing.T) {
	tn := startTestnet(t, testnet.Options{Accounts: map[string]string{"acct": "pw"}})
	log := newCaptureLog(t, testing.Verbose())
	cfg := tnConfig(t, tn, "s1", "you", false)
	cfg.Session.Autojoin = []session.Channel{{Name: "#ferry"}}
	cfg.Session.SASL = &session.SASL{Mechanism: "PLAIN", Username: "acct", Password: "pw", Required: true}
	p, c := startPoolWith(t, log, nil, cfg)
	addr := tn.Node("s1").Addr()
	c.wait(5*time.Second, "joined #ferry", isSelfJoin("#ferry"))
	if on, told := c.markersTold("tn"); !told || !on {
		t.Fatalf("logged in, told markers on %v (told %v)", on, told)
	}
	laptop := readMarkerPeer(t, tn, addr, "laptop", "acct")
	at := time.Now().UTC().Truncate(time.Millisecond)
	p.Do("tn", command.MarkRead{Buffer: "#ferry", Time: at})
	stamp := "timestamp=" + at.Format(markerLayout)
	laptop.waitFor(5*time.Second, "ferry's marker", func() bool { return laptop.count("MARKREAD", stamp) > 0 })
	if l := markReadLines(log, addr); !slices.Contains(l, "MARKREAD #ferry "+stamp) {
		t.Errorf("MARKREAD lines %q", l)
	}
	if e := errorsShown(c); len(e) != 0 {
		t.Errorf("errors shown: %s", describe(e))
	}
}

// TestReadMarkersRefusedQuietly: a bouncer is trusted to keep markers
// without an account, so ferry sends one; ferryd, offering the bouncer
// extension, still wants an account and refuses it. Markers turn off for
// the connection, the refusal is one plain line for the server buffer,
// not an error, and nothing more is sent.
func TestReadMarkersRefusedQuietly(t *testing.T) {
	tn := startTestnet(t, testnet.Options{BouncerNetworks: []string{"up"}})
	log := newCaptureLog(t, testing.Verbose())
	cfg := tnConfig(t, tn, "s1", "guest", false)
	cfg.Session.Autojoin = []session.Channel{{Name: "#ferry"}}
	cfg.Session.NoBouncerNetworks = true // one connection: no bound networks opened
	p, c := startPoolWith(t, log, nil, cfg)
	addr := tn.Node("s1").Addr()
	c.wait(5*time.Second, "joined #ferry", isSelfJoin("#ferry"))
	if on, _ := c.markersTold("tn"); !on {
		t.Fatal("markers off at a bouncer")
	}
	at := time.Now().UTC().Truncate(time.Millisecond)
	p.Do("tn", command.MarkRead{Buffer: "#ferry", Time: at})
	c.waitCond(5*time.Second, "markers off after the refusal", func() bool { on, _ := c.markersTold("tn"); return !on })
	p.Do("tn", command.MarkRead{Buffer: "#ferry", Time: at.Add(time.Second)})
	p.Do("tn", command.SendText{ID: 1, Target: "#ferry", Text: "after the refusal"})
	c.wait(5*time.Second, "the line delivered", isDelivered(1))
	if l := markReadLines(log, addr); len(l) != 1 {
		t.Errorf("MARKREAD lines %q, want the one refused", l)
	}
	if e := errorsShown(c); len(e) != 0 {
		t.Errorf("errors shown: %s", describe(e))
	}
	var notes []event.Info
	for _, e := range c.snapshot() {
		if i, ok := e.(event.Info); ok && strings.Contains(i.Text, "MARKREAD") {
			notes = append(notes, i)
		}
	}
	if len(notes) != 1 || notes[0].Buffer != "" {
		t.Errorf("notes about MARKREAD: %+v, want one for the server buffer", notes)
	}
}
