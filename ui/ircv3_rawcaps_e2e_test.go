package ui

import (
	"testing"

	"gopkg.in/irc.v4"
)

// dialRawWith is dialRaw with lines sent before NICK and USER: CAP and
// SASL for a raw user that negotiates capabilities or logs in.
func dialRawWith(t *testing.T, addr, nick string, wake chan<- struct{}, pre ...string) *rawUser {
	t.Helper()
	u := connectRaw(t, addr, nick, wake)
	for _, l := range pre {
		u.send(l)
	}
	u.send("NICK " + nick)
	u.send("USER " + nick + " 0 * :" + nick)
	u.waitFor(nick+" registered", func(m *irc.Message) bool { return m.Command == "001" })
	return u
}
