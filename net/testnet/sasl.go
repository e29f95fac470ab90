package testnet

import (
	"crypto/hmac"
	"encoding/base64"
	"strings"

	"gopkg.in/irc.v4"
)

// saslMechs is ferryd's mechanism list, as CAP LS and RPL_SASLMECHS give it.
const saslMechs = "PLAIN,SCRAM-SHA-256"

// saslState is one AUTHENTICATE exchange: the mechanism, the client's
// message being read in 400-byte chunks, and SCRAM's step.
type saslState struct {
	mech  string
	buf   strings.Builder
	scram *scramExchange
}

func (n *Network) handleAuthenticate(c *conn, m *irc.Message) {
	u := c.u
	p := m.Param(0)
	if len(n.accounts) == 0 && !n.bb.shares() {
		n.numeric(u, ERR_SASLFAIL, "SASL authentication failed")
		return
	}
	if u.account != "" {
		n.numeric(u, ERR_SASLALREADY, "You have already authenticated using SASL")
		return
	}
	if u.sasl == nil {
		switch mech := strings.ToUpper(p); {
		case p == "*" || p == "":
			n.numeric(u, ERR_SASLABORTED, "SASL authentication aborted")
		case mech != "PLAIN" && mech != "SCRAM-SHA-256":
			n.numeric(u, RPL_SASLMECHS, saslMechs, "are available SASL mechanisms")
			n.numeric(u, ERR_SASLFAIL, "SASL authentication failed")
		default:
			u.sasl = &saslState{mech: mech}
			c.sendLine("AUTHENTICATE +")
		}
		return
	}
	switch {
	case p == "*":
		u.sasl = nil
		n.numeric(u, ERR_SASLABORTED, "SASL authentication aborted")
		return
	case len(p) > 400 || u.sasl.buf.Len()+len(p) > 4096:
		u.sasl = nil
		n.numeric(u, ERR_SASLTOOLONG, "SASL message too long")
		return
	case p != "+":
		u.sasl.buf.WriteString(p)
		if len(p) == 400 {
			return // more chunks follow
		}
	}
	payload, err := base64.StdEncoding.DecodeString(u.sasl.buf.String())
	u.sasl.buf.Reset()
	if err != nil {
		n.saslFail(c, "payload not base64")
		return
	}
	if u.sasl.mech == "SCRAM-SHA-256" {
		n.scramStep(c, payload)
		return
	}
	u.sasl = nil
	parts := strings.Split(string(payload), "\x00")
	if len(parts) != 3 {
		n.saslFail(c, "malformed PLAIN payload")
		return
	}
	authz, authc, pass := parts[0], parts[1], parts[2]
	acct, known := n.lookupAccount(authc)
	if !known || !acct.checkPassword(pass) || (authz != "" && authz != authc) {
		n.logf("%s: SASL PLAIN failed for account %q from %s", u.node.name, authc, c.remote)
		n.numeric(u, ERR_SASLFAIL, "SASL authentication failed")
		return
	}
	n.loggedIn(c, authc)
}

// saslFail ends the exchange with 904; why goes to the log (never a
// payload or a password).
func (n *Network) saslFail(c *conn, why string) {
	u := c.u
	mech := "?"
	if u.sasl != nil {
		mech = u.sasl.mech
	}
	u.sasl = nil
	n.logf("%s: SASL %s failed from %s: %s", u.node.name, mech, c.remote, why)
	n.numeric(u, ERR_SASLFAIL, "SASL authentication failed")
}

func (n *Network) loggedIn(c *conn, account string) {
	u := c.u
	u.sasl = nil
	u.account = account
	mask := u.target() + "!" + u.username + "@" + u.host
	n.numeric(u, RPL_LOGGEDIN, mask, account, "You are now logged in as "+account)
	n.numeric(u, RPL_SASLSUCCESS, "SASL authentication successful")
}

// sendAuthenticate sends a server challenge in 400-byte chunks, with "+"
// for an empty one or after a chunk of exactly 400 bytes (IRCv3 SASL 3.2).
func (c *conn) sendAuthenticate(payload []byte) {
	s := base64.StdEncoding.EncodeToString(payload)
	for len(s) >= 400 {
		c.sendLine("AUTHENTICATE " + s[:400])
		s = s[400:]
	}
	if s == "" {
		s = "+"
	}
	c.sendLine("AUTHENTICATE " + s)
}

// hmacEqual compares MACs in constant time.
func hmacEqual(a, b []byte) bool { return hmac.Equal(a, b) }

// Account returns the account a registered nick logged in to with SASL
// ("" for none) and whether the nick exists.
func (n *Network) Account(nick string) (string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	u := n.users[fold(nick)]
	if u == nil {
		return "", false
	}
	return u.account, true
}

// lookupAccount finds an account: this process's own (-accounts), else,
// in cluster mode, one another node published in the network's KV.
func (n *Network) lookupAccount(name string) (account, bool) {
	if a, ok := n.accounts[name]; ok {
		return a, true
	}
	return n.bb.account(name)
}
