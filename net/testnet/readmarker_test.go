package testnet

import (
	"testing"

	"gopkg.in/irc.v4"
)

// loginAs registers nick logged in to account (SASL PLAIN) with caps.
func loginAs(t *testing.T, addr, nick, account, pass string, caps ...string) *client {
	t.Helper()
	c := dialPlain(t, nick, addr)
	c.send("CAP LS 302")
	c.expectCmd("CAP", "*", "LS")
	c.send("CAP REQ :%s", joinCaps(append([]string{"sasl"}, caps...)))
	c.expectCmd("CAP", "*", "ACK")
	c.send("NICK %s", nick)
	c.send("USER %s 0 * :T", nick)
	c.send("AUTHENTICATE PLAIN")
	c.expectCmd("AUTHENTICATE", "+")
	c.send("AUTHENTICATE %s", b64("\x00"+account+"\x00"+pass))
	c.expectCmd("903")
	c.send("CAP END")
	c.expectCmd("001", nick)
	c.expect("end of MOTD", func(m *irc.Message) bool { return m.Command == "376" || m.Command == "422" })
	return c
}

func joinCaps(caps []string) string {
	out := ""
	for i, c := range caps {
		if i > 0 {
			out += " "
		}
		out += c
	}
	return out
}

func TestReadMarker(t *testing.T) {
	n := startNet(t, Options{Accounts: map[string]string{"acct": "pw"}})
	a := loginAs(t, n.Node("s1").Addr(), "phone", "acct", "pw", capReadMarker)
	b := loginAs(t, n.Node("s2").Addr(), "laptop", "acct", "pw", capReadMarker)
	anon := register(t, n.Node("s1").Addr(), "anon", capReadMarker)

	// On JOIN, before the names end: no marker yet.
	a.send("JOIN #r")
	a.expectCmd("JOIN", "#r")
	a.expectCmd("MARKREAD", "#r", "*")
	a.expectCmd("366", "phone", "#r")

	a.send("MARKREAD #r timestamp=2026-01-02T03:04:05.678Z")
	a.expectCmd("MARKREAD", "#r", "timestamp=2026-01-02T03:04:05.678Z")
	b.expectCmd("MARKREAD", "#r", "timestamp=2026-01-02T03:04:05.678Z")

	// Never backwards: an older time leaves it, and the sender is told.
	b.send("MARKREAD #R timestamp=2025-01-01T00:00:00.000Z")
	b.expectCmd("MARKREAD", "#r", "timestamp=2026-01-02T03:04:05.678Z")
	a.expectNone("a marker moved back", func(m *irc.Message) bool { return m.Command == "MARKREAD" })

	b.send("MARKREAD #r")
	b.expectCmd("MARKREAD", "#r", "timestamp=2026-01-02T03:04:05.678Z")
	b.send("MARKREAD somebody")
	b.expectCmd("MARKREAD", "somebody", "*")

	b.send("MARKREAD #r yesterday")
	b.expectCmd("FAIL", "MARKREAD", "INVALID_PARAMS")
	b.send("MARKREAD")
	b.expectCmd("FAIL", "MARKREAD", "NEED_MORE_PARAMS")
	anon.send("MARKREAD #r timestamp=2026-01-02T03:04:05.678Z")
	anon.expectCmd("FAIL", "MARKREAD", "ACCOUNT_REQUIRED")
}
