package testnet

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// capMigrate is the capability net/migrate/SPEC.md section 1 names.
const capMigrate = "draft/migrate"

// dispatch handles one parsed line from c (under Network.mu).
func (c *conn) dispatch(m *irc.Message) {
	n, u := c.n, c.u
	switch m.Command {
	case "CAP":
		n.handleCap(c, m)
		return
	case "PING":
		n.fromServer(u, "PONG", u.node.name, m.Param(0))
		return
	case "PONG":
		return
	case "QUIT":
		reason := "Client Quit"
		if q := m.Param(0); q != "" {
			reason = "Quit: " + q
		}
		if u.registered {
			n.quitUser(u, reason)
		} else {
			c.sendLine("ERROR :Closing link (" + u.host + ") [" + reason + "]")
			c.closeAfterFlush()
		}
		delete(n.conns, c)
		c.stopped = true
		return
	case "MIGRATE":
		n.handleMigrate(c, m)
		return
	case "BOUNCER":
		n.handleBouncer(c, m)
		return
	}
	if !u.registered {
		switch m.Command {
		case "PASS":
			if len(m.Params) == 0 {
				n.numeric(u, ERR_NEEDMOREPARAMS, "PASS", "Not enough parameters")
				return
			}
			u.pass = m.Param(0)
		case "NICK":
			n.preNick(u, m)
		case "USER":
			if len(m.Params) < 4 {
				n.numeric(u, ERR_NEEDMOREPARAMS, "USER", "Not enough parameters")
				return
			}
			u.username = sanitizeUser(m.Param(0))
			u.realname = m.Param(3)
		case "AUTHENTICATE":
			n.handleAuthenticate(c, m)
		default:
			n.numeric(u, ERR_NOTREGISTERED, "You have not registered")
			return
		}
		n.tryRegister(c)
		return
	}
	if n.inBatch(u, m) {
		return // held until the batch ends (multiline.go)
	}
	n.handleChat(u, m)
}

func sanitizeUser(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > ' ' && r != '@' && r != '!' && r < 0x7f {
			b.WriteRune(r)
		}
		if b.Len() >= 10 {
			break
		}
	}
	if b.Len() == 0 {
		return "user"
	}
	return b.String()
}

func (n *Network) preNick(u *user, m *irc.Message) {
	nick := m.Param(0)
	switch {
	case nick == "":
		n.numeric(u, ERR_NONICKNAMEGIVEN, "No nickname given")
	case !validNick(nick):
		n.numeric(u, ERR_ERRONEUSNICKNAME, nick, "Erroneous nickname")
	case n.users[fold(nick)] != nil:
		n.numeric(u, ERR_NICKNAMEINUSE, nick, "Nickname is already in use")
	default:
		u.nick = nick
	}
}

// tryRegister completes registration once NICK, USER, CAP END (when CAP
// negotiation started) and any SASL exchange are done.
func (n *Network) tryRegister(c *conn) {
	u := c.u
	if u.registered || u.capHold || u.sasl != nil || u.nick == "" || u.username == "" {
		return
	}
	if n.opts.Password != "" && u.pass != n.opts.Password {
		n.numeric(u, ERR_PASSWDMISMATCH, "Password incorrect")
		c.sendLine("ERROR :Closing link (" + u.host + ") [Access denied: Bad password?]")
		c.closeAfterFlush()
		delete(n.conns, c)
		c.stopped = true
		return
	}
	if n.users[fold(u.nick)] != nil {
		n.numeric(u, ERR_NICKNAMEINUSE, u.nick, "Nickname is already in use")
		u.nick = ""
		return
	}
	if err := n.bb.claimNick(u.nick, u); err != nil {
		if errors.Is(err, errNickTaken) {
			n.numeric(u, ERR_NICKNAMEINUSE, u.nick, "Nickname is already in use")
			u.nick = ""
			return
		}
		n.logf("%s: registration of %s refused: %v", u.node.name, u.nick, err)
		c.sendLine("ERROR :Closing link (" + u.host + ") [Cannot register now: this server has lost the network state (NATS); try again shortly or another server]")
		c.closeAfterFlush()
		delete(n.conns, c)
		c.stopped = true
		return
	}
	u.registered = true
	u.pass = ""
	n.users[fold(u.nick)] = u
	n.shareReg(u, "reg")
	n.welcome(u)
	n.bouncerWelcome(u)
	n.monitorNotify(u, true)
	n.logf("%s: %s registered from %s%s", u.node.name, u.nick, c.remote, suffix(u.account != "", " as "+u.account))
}

func (n *Network) welcome(u *user) {
	nd := u.node
	n.numeric(u, RPL_WELCOME, "Welcome to the "+networkName+" IRC Network "+u.prefix().String())
	n.numeric(u, RPL_YOURHOST, "Your host is "+nd.name+", running version ferryd")
	n.numeric(u, RPL_CREATED, "This server was created "+n.created.UTC().Format(time.RFC1123))
	n.numeric(u, RPL_MYINFO, nd.name, "ferryd", "iw", "ntov", "ov")
	n.sendISupport(u, nd.isupport)
	n.motd(u)
}

func (n *Network) sendISupport(u *user, tokens []string) {
	for len(tokens) > 0 {
		k := min(len(tokens), 12)
		params := append(append([]string(nil), tokens[:k]...), "are supported by this server")
		n.numeric(u, RPL_ISUPPORT, params...)
		tokens = tokens[k:]
	}
}

func (n *Network) motd(u *user) {
	nd := u.node
	n.numeric(u, RPL_MOTDSTART, "- "+nd.name+" Message of the day - ")
	for _, l := range []string{
		"Welcome to " + networkName + ", node " + nd.name + ".",
		"This network moves clients between its servers without a reconnect",
		"(the IRCv3 draft/migrate extension). Try /migrate " + n.otherNode(nd) + ".",
	} {
		n.numeric(u, RPL_MOTD, "- "+l)
	}
	n.numeric(u, RPL_ENDOFMOTD, "End of MOTD command")
}

func (n *Network) otherNode(nd *Node) string {
	for _, o := range n.allNodes() {
		if o != nd {
			return o.name
		}
	}
	return nd.name
}

// capValue is the CAP LS value of a capability on c's node ("" for none).
func (n *Network) capValue(c *conn, name string) string {
	switch name {
	case "sasl":
		return saslMechs
	case capMultiline:
		return multilineValue
	case "sts":
		p := n.opts.STS
		d := strconv.Itoa(int(p.Duration / time.Second))
		if c != nil && c.isTLS {
			return "duration=" + d
		}
		port := p.Port
		if port == 0 {
			port = c.node.TLSPort()
		}
		return "port=" + strconv.Itoa(port) + ",duration=" + d
	}
	return ""
}

// capList renders a node's offer for CAP LS / CAP NEW.
func (n *Network) capList(c *conn, nd *Node, names []string, values bool) string {
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		if !nd.caps[name] {
			continue
		}
		if v := n.capValue(c, name); v != "" && values {
			name += "=" + v
		}
		parts = append(parts, name)
	}
	return strings.Join(parts, " ")
}

func nodeCaps(nd *Node) []string {
	out := make([]string, 0, len(nd.caps))
	for k := range nd.caps {
		out = append(out, k)
	}
	return out
}

func (n *Network) handleCap(c *conn, m *irc.Message) {
	u := c.u
	sub := strings.ToUpper(m.Param(0))
	switch sub {
	case "LS":
		if !u.registered {
			u.capHold = true
		}
		if v, err := strconv.Atoi(m.Param(1)); err == nil && v >= 302 {
			u.cap302 = true
			u.caps["cap-notify"] = u.node.caps["cap-notify"]
			if !u.caps["cap-notify"] {
				delete(u.caps, "cap-notify")
			}
		}
		n.fromServer(u, "CAP", u.target(), "LS", n.capList(c, u.node, nodeCaps(u.node), u.cap302))
	case "LIST":
		var on []string
		for k := range u.caps {
			on = append(on, k)
		}
		sort.Strings(on)
		n.fromServer(u, "CAP", u.target(), "LIST", strings.Join(on, " "))
	case "REQ":
		if !u.registered {
			u.capHold = true
		}
		line := m.Param(1)
		fields := strings.Fields(line)
		ok := len(fields) > 0
		for _, f := range fields {
			name := strings.TrimPrefix(f, "-")
			if !u.node.caps[name] || name == "sts" {
				ok = false
			}
		}
		if !ok {
			n.fromServer(u, "CAP", u.target(), "NAK", line)
			return
		}
		for _, f := range fields {
			if strings.HasPrefix(f, "-") {
				delete(u.caps, f[1:])
			} else {
				u.caps[f] = true
			}
		}
		n.fromServer(u, "CAP", u.target(), "ACK", line)
	case "END":
		if !u.registered {
			u.capHold = false
			n.tryRegister(c)
		}
	default:
		n.numeric(u, ERR_INVALIDCAPCMD, m.Param(0), "Invalid CAP command")
	}
}
