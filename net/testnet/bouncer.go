package testnet

import (
	"sort"
	"strconv"
	"strings"

	"gopkg.in/irc.v4"
)

// ferryd as a fake bouncer (soju.im/bouncer-networks, soju's
// doc/ext/bouncer-networks.md): its "upstream networks" are named views of
// ferryd itself. LISTNETWORKS lists them, BIND binds a connection to one
// (which then behaves as any ferryd connection), ADDNETWORK and DELNETWORK
// edit the list of the account and notify its connections.

const (
	capBouncerNetworks = "soju.im/bouncer-networks"
	capBouncerNotify   = "soju.im/bouncer-networks-notify"
)

// bouncerAttrs are the attributes a client may set; state is read-only.
var bouncerAttrs = map[string]bool{"name": true, "host": true, "port": true, "tls": true,
	"nickname": true, "username": true, "realname": true, "pass": true}

// bouncerList is one account's networks.
type bouncerList struct {
	nets   map[string]map[string]string // id -> attributes
	nextID int
}

// bouncerOf returns the list of u's account ("" when ferryd has no
// accounts), created from Options.BouncerNetworks on first use.
func (n *Network) bouncerOf(u *user) *bouncerList {
	if n.bouncers == nil {
		n.bouncers = map[string]*bouncerList{}
	}
	b := n.bouncers[u.account]
	if b == nil {
		b = &bouncerList{nets: map[string]map[string]string{}}
		for _, name := range n.opts.BouncerNetworks {
			b.add(map[string]string{"name": name, "host": networkName, "state": "connected"})
		}
		n.bouncers[u.account] = b
	}
	return b
}

func (b *bouncerList) add(attrs map[string]string) string {
	b.nextID++
	id := strconv.Itoa(b.nextID)
	b.nets[id] = attrs
	return id
}

func (b *bouncerList) ids() []string {
	out := make([]string, 0, len(b.nets))
	for id := range b.nets {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i])
		c, _ := strconv.Atoi(out[j])
		return a < c
	})
	return out
}

func (n *Network) handleBouncer(c *conn, m *irc.Message) {
	u := c.u
	sub := strings.ToUpper(m.Param(0))
	if !u.caps[capBouncerNetworks] {
		n.numeric(u, ERR_UNKNOWNCOMMAND, "BOUNCER", "Unknown command")
		return
	}
	fail := func(code string, params ...string) {
		n.fromServer(u, "FAIL", append([]string{"BOUNCER", code, sub}, params...)...)
	}
	if len(n.accounts) > 0 && u.account == "" {
		fail("ACCOUNT_REQUIRED", "Authentication required")
		return
	}
	b := n.bouncerOf(u)
	switch sub {
	case "BIND":
		id := m.Param(1)
		switch {
		case u.registered:
			fail("REGISTRATION_IS_COMPLETED", "Cannot bind to a network after registration")
		case b.nets[id] == nil:
			fail("INVALID_NETID", id, "Network not found")
		default:
			u.bound = id
		}
	case "LISTNETWORKS":
		n.bouncerListTo(u, b)
	case "ADDNETWORK":
		attrs, bad := bouncerParse(m.Param(1))
		if bad != "" {
			fail(bouncerAttrError(bad), "*", bad, "Unknown attribute")
			return
		}
		if attrs["host"] == "" {
			fail("NEED_ATTRIBUTE", "host", "Missing required attribute")
			return
		}
		if attrs["name"] == "" {
			attrs["name"] = attrs["host"]
		}
		attrs["state"] = "connected"
		id := b.add(attrs)
		n.bouncerNotify(u.account, id, bouncerFormat(attrs))
		n.fromServer(u, "BOUNCER", "ADDNETWORK", id)
	case "CHANGENETWORK":
		id := m.Param(1)
		attrs, bad := bouncerParse(m.Param(2))
		switch {
		case b.nets[id] == nil:
			fail("INVALID_NETID", id, "Network not found")
		case bad != "":
			fail(bouncerAttrError(bad), id, bad, "Unknown attribute")
		case len(attrs) == 0:
			fail("NEED_ATTRIBUTE", id, "*", "No attribute to change")
		default:
			for k, v := range attrs {
				b.nets[id][k] = v
			}
			n.bouncerNotify(u.account, id, bouncerFormat(attrs))
			n.fromServer(u, "BOUNCER", "CHANGENETWORK", id)
		}
	case "DELNETWORK":
		id := m.Param(1)
		if b.nets[id] == nil {
			fail("INVALID_NETID", id, "Network not found")
			return
		}
		delete(b.nets, id)
		n.bouncerNotify(u.account, id, "*")
		n.fromServer(u, "BOUNCER", "DELNETWORK", id)
	default:
		n.fromServer(u, "FAIL", "BOUNCER", "UNKNOWN_COMMAND", sub, "Unknown subcommand")
	}
}

func bouncerAttrError(key string) string {
	if key == "state" {
		return "READ_ONLY_ATTRIBUTE"
	}
	return "UNKNOWN_ATTRIBUTE"
}

// bouncerWelcome runs after 001..MOTD: a bound connection learns its id
// (BOUNCER_NETID); an unbound one with the notifications gets the list.
func (n *Network) bouncerWelcome(u *user) {
	switch {
	case u.bound != "":
		n.sendISupport(u, []string{"BOUNCER_NETID=" + u.bound})
	case u.caps[capBouncerNotify] && u.caps[capBouncerNetworks]:
		n.bouncerListTo(u, n.bouncerOf(u))
	}
}

// bouncerListTo sends the list in a soju.im/bouncer-networks batch.
func (n *Network) bouncerListTo(u *user, b *bouncerList) {
	n.batchSeq++
	ref := "b" + strconv.FormatUint(n.batchSeq, 36)
	if u.caps["batch"] {
		n.fromServer(u, "BATCH", "+"+ref, "soju.im/bouncer-networks")
	}
	for _, id := range b.ids() {
		x := n.ctx(false)
		x.batch = ref
		n.deliver(u, &irc.Message{Prefix: &irc.Prefix{Name: u.node.name}, Command: "BOUNCER",
			Params: []string{"NETWORK", id, bouncerFormat(b.nets[id])}}, x)
	}
	if u.caps["batch"] {
		n.fromServer(u, "BATCH", "-"+ref)
	}
}

// bouncerNotify sends BOUNCER NETWORK id attrs to every registered,
// unbound connection of account that enabled the notifications.
func (n *Network) bouncerNotify(account, id, attrs string) {
	for c := range n.conns {
		u := c.u
		if u == nil || !u.registered || u.account != account || u.bound != "" || !u.caps[capBouncerNotify] {
			continue
		}
		n.fromServer(u, "BOUNCER", "NETWORK", id, attrs)
	}
}

// bouncerParse reads "k=v;k=v" (values tag-escaped); bad is the first
// attribute a client may not set.
func bouncerParse(s string) (attrs map[string]string, bad string) {
	attrs = map[string]string{}
	for _, part := range strings.Split(s, ";") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		if !bouncerAttrs[k] {
			return nil, k
		}
		attrs[k] = tagUnescape(v)
	}
	return attrs, ""
}

func bouncerFormat(attrs map[string]string) string {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	esc := strings.NewReplacer("\\", "\\\\", ";", "\\:", " ", "\\s", "\r", "\\r", "\n", "\\n")
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+esc.Replace(attrs[k]))
	}
	return strings.Join(parts, ";")
}

func tagUnescape(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			if v[i] != '\\' {
				b.WriteByte(v[i])
			}
			continue
		}
		i++
		switch v[i] {
		case ':':
			b.WriteByte(';')
		case 's':
			b.WriteByte(' ')
		case 'r', 'n':
			// no line breaks in an attribute
		default:
			b.WriteByte(v[i])
		}
	}
	return b.String()
}
