package conn

import (
	"github.com/ferry-irc/ferry/net/event"
)

// Bouncer networks (soju.im/bouncer-networks): when the session of a
// bouncer's connection reports one of the bouncer's networks, the Pool
// opens a network of its own for it, a connection to the same bouncer
// (host, port, TLS, credentials) bound to that network, and closes it when
// the bouncer removes the network. Renames and state changes travel to the
// UI in the session's event.BouncerNetwork; the Pool only opens and closes.

// childName is the Pool name of bouncer network id reached through parent.
func childName(parent, id string) string { return parent + "/" + id }

// followBouncer runs in the loop before its events are flushed: it opens
// and closes the bound networks the events call for.
func (n *network) followBouncer() {
	if n.cfg.Session.BouncerBind != "" {
		return // a bound connection shows one network; it never adds more
	}
	for _, e := range n.evs {
		b, ok := e.(event.BouncerNetwork)
		if !ok {
			continue
		}
		name, known := n.children[b.NetID]
		now := n.clock.Now()
		switch {
		case b.Removed && known:
			delete(n.children, b.NetID)
			if err := n.pool.RemoveNetwork(name); err != nil {
				n.logf("%v", err)
			}
			n.pool.box.add(event.NetworkRemoved{Meta: event.Meta{Network: name, Time: now}, Parent: n.cfg.Name, NetID: b.NetID})
		case !b.Removed && !known:
			cfg := n.cfg
			cfg.Name = childName(n.cfg.Name, b.NetID)
			cfg.Session.BouncerBind = b.NetID
			cfg.Session.Autojoin = nil // the bouncer keeps each network's channels
			title := b.Attrs["name"]
			if title == "" {
				title = b.NetID
			}
			added := event.NetworkAdded{Meta: event.Meta{Network: cfg.Name, Time: now},
				Parent: n.cfg.Name, NetID: b.NetID, Title: title, Upstream: b.Attrs["state"]}
			if err := n.pool.addNetwork(cfg, added); err != nil {
				n.logf("bouncer network %s: %v", b.NetID, err)
				continue
			}
			if n.children == nil {
				n.children = map[string]string{}
			}
			n.children[b.NetID] = cfg.Name
		}
	}
}
