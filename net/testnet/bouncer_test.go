package testnet

import (
	"testing"
)

// bouncerClient registers nick with SASL PLAIN and caps, binding to bind
// when set.
func bouncerClient(t *testing.T, n *Network, nick, caps, bind string) *client {
	t.Helper()
	c := dialPlain(t, nick, n.Node("s1").Addr())
	c.send("CAP LS 302")
	c.expectCmd("CAP", "*", "LS")
	c.send("CAP REQ :sasl %s", caps)
	c.expectCmd("CAP", "*", "ACK")
	c.send("NICK %s", nick)
	c.send("USER u 0 * :U")
	if bind != "" {
		c.send("BOUNCER BIND %s", bind)
		c.expectCmd("FAIL", "BOUNCER", "ACCOUNT_REQUIRED", "BIND")
	}
	c.send("AUTHENTICATE PLAIN")
	c.expectCmd("AUTHENTICATE", "+")
	c.send("AUTHENTICATE %s", b64("\x00alice\x00wonderland"))
	c.expectCmd("903")
	if bind != "" {
		c.send("BOUNCER BIND %s", bind)
	}
	c.send("CAP END")
	c.expectCmd("001", nick)
	return c
}

func TestBouncerNetworks(t *testing.T) {
	n := startNet(t, Options{Accounts: map[string]string{"alice": "wonderland"}, BouncerNetworks: []string{"Libera", "My Net"}})
	a := bouncerClient(t, n, "alice", "batch soju.im/bouncer-networks soju.im/bouncer-networks-notify", "")
	// The notifications start with the list, in a batch.
	b := a.expectCmd("BATCH")
	if b.Param(1) != "soju.im/bouncer-networks" {
		t.Fatalf("batch %v", b)
	}
	a.expectCmd("BOUNCER", "NETWORK", "1", `host=ferrynet;name=Libera;state=connected`)
	a.expectCmd("BOUNCER", "NETWORK", "2", `host=ferrynet;name=My\sNet;state=connected`)
	a.expectCmd("BATCH", "-"+b.Param(0)[1:])

	// A bound connection: BOUNCER_NETID, no notifications, an ordinary user.
	bound := bouncerClient(t, n, "alice2", "soju.im/bouncer-networks", "2")
	bound.expectCmd("005", "alice2", "BOUNCER_NETID=2")
	bound.send("BOUNCER BIND 1")
	bound.expectCmd("FAIL", "BOUNCER", "REGISTRATION_IS_COMPLETED", "BIND")

	// A second connection adds and removes networks; the first is told.
	c := bouncerClient(t, n, "alice3", "soju.im/bouncer-networks", "")
	c.send(`BOUNCER ADDNETWORK host=irc.example.org;name=Ex\sample`)
	c.expectCmd("BOUNCER", "ADDNETWORK", "3")
	a.expectCmd("BOUNCER", "NETWORK", "3", `host=irc.example.org;name=Ex\sample;state=connected`)
	c.send("BOUNCER DELNETWORK 1")
	c.expectCmd("BOUNCER", "DELNETWORK", "1")
	a.expectCmd("BOUNCER", "NETWORK", "1", "*")
	for _, tc := range []struct{ line, code string }{
		{"BOUNCER DELNETWORK 1", "INVALID_NETID"},
		{"BOUNCER ADDNETWORK name=x", "NEED_ATTRIBUTE"},
		{"BOUNCER ADDNETWORK host=h;state=connected", "READ_ONLY_ATTRIBUTE"},
		{"BOUNCER ADDNETWORK host=h;colour=red", "UNKNOWN_ATTRIBUTE"},
		{"BOUNCER FROB", "UNKNOWN_COMMAND"},
	} {
		c.send("%s", tc.line)
		c.expectCmd("FAIL", "BOUNCER", tc.code)
	}
	c.send("BOUNCER LISTNETWORKS")
	c.expectCmd("BOUNCER", "NETWORK", "2")
	c.expectCmd("BOUNCER", "NETWORK", "3")
	// bound (a bound connection) got no notification: its next line is
	// the answer to this PING.
	bound.send("PING :x")
	bound.expectCmd("PONG", "s1", "x")
}
