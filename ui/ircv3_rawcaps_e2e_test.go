package ui

import (
	"net"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// dialRawWith is dialRaw with lines sent before NICK and USER: CAP and
// SASL for a raw user that negotiates capabilities or logs in.
func dialRawWith(t *testing.T, addr, nick string, wake chan<- struct{}, pre ...string) *rawUser {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	u := &rawUser{t: t, nick: nick, c: c, wake: wake, w: irc.NewWriter(c), done: make(chan struct{})}
	go u.read()
	t.Cleanup(func() {
		c.Close()
		<-u.done
	})
	for _, l := range pre {
		u.send(l)
	}
	u.send("NICK " + nick)
	u.send("USER " + nick + " 0 * :" + nick)
	u.waitFor(nick+" registered", func(m *irc.Message) bool { return m.Command == "001" })
	return u
}
