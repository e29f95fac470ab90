package testnet

import (
	"fmt"
	"sort"
	"time"
)

// Migrate asks nick's client to move to node toNode (an operator's
// command). It returns once START is queued; the client answers on its own.
// In cluster mode a user on another process's node is asked there.
func (n *Network) Migrate(nick, toNode string) error { return n.migrate(nick, toNode, true) }

// migrate is Migrate; forward says whether a user this process sees on
// another process's node is asked there (not when that process asked).
func (n *Network) migrate(nick, toNode string, forward bool) error {
	n.lock()
	defer n.unlock()
	if n.closed {
		return errNetworkClosed
	}
	u := n.users[fold(nick)]
	if u == nil || u.local != nil {
		return fmt.Errorf("migrate %s: %w", nick, ErrNoSuchUser)
	}
	if u.remote && !forward {
		return fmt.Errorf("migrate %s: %w", nick, ErrNotConnected)
	}
	if u.remote {
		node := u.node.name
		n.unlock()
		err := n.cl.operate(node, nick, toNode)
		n.lock()
		if err != nil {
			return fmt.Errorf("migrate %s (on %s): %w", nick, node, err)
		}
		return nil
	}
	to := n.anyNode(toNode)
	if to == nil {
		return fmt.Errorf("migrate %s to %s: %w", nick, toNode, ErrNoSuchNode)
	}
	if err := n.startMigration(u, to, "operator"); err != nil {
		return fmt.Errorf("migrate %s to %s: %w", nick, toNode, err)
	}
	return nil
}

// Drain moves every migrate-capable client off node to the other nodes in
// turn and stops the node from accepting migrations. Clients without the
// capability stay (they can only be disconnected). Undrain reverses it.
func (n *Network) Drain(node string) error {
	n.lock()
	defer n.unlock()
	if n.closed {
		return errNetworkClosed
	}
	nd := n.Node(node)
	if nd == nil {
		if n.remote[node] != nil {
			return fmt.Errorf("drain %s: %w", node, ErrOtherProcess)
		}
		return fmt.Errorf("drain %s: %w", node, ErrNoSuchNode)
	}
	var targets []*Node
	for _, o := range n.allNodes() {
		if o != nd && !o.draining {
			targets = append(targets, o)
		}
	}
	if len(targets) == 0 {
		return fmt.Errorf("drain %s: %w", node, ErrNoOtherNode)
	}
	nd.draining = true
	moved := 0
	for i, u := range n.sortedUsers() {
		if u.node == nd && u.conn != nil && u.caps[capMigrate] && u.mig == nil {
			if n.startMigration(u, targets[i%len(targets)], "drain of "+nd.name) == nil {
				moved++
			}
		}
	}
	n.logf("drain %s: %d clients asked to move", nd.name, moved)
	return nil
}

// Undrain lets a drained node accept migrations again.
func (n *Network) Undrain(node string) error {
	n.lock()
	defer n.unlock()
	nd := n.Node(node)
	if nd == nil {
		return fmt.Errorf("undrain %s: %w", node, ErrNoSuchNode)
	}
	nd.draining = false
	return nil
}

// Remaining counts the users on node that are connected there or in a
// migration (e.g. to wait for a drain to finish).
func (n *Network) Remaining(node string) int {
	n.lock()
	defer n.unlock()
	c := 0
	for _, u := range n.users {
		if u.local == nil && (u.node.name == node && u.conn != nil || u.mig != nil && u.mig.from.name == node) {
			c++
		}
	}
	return c
}

// Disconnect drops nick's connection abruptly, as a network failure would
// (the session ends with QUIT :Connection reset), for clients' reconnect tests.
func (n *Network) Disconnect(nick string) error {
	n.lock()
	defer n.unlock()
	u := n.users[fold(nick)]
	if u == nil || u.conn == nil {
		return fmt.Errorf("disconnect %s: %w", nick, ErrNoSuchUser)
	}
	c := u.conn
	if u.mig != nil {
		u.mig.stopTimers()
		u.mig = nil
	}
	n.quitUser(u, "Connection reset")
	c.kill()
	return nil
}

func (n *Network) sortedUsers() []*user {
	out := make([]*user, 0, len(n.users))
	for _, u := range n.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return fold(out[i].nick) < fold(out[j].nick) })
	return out
}

// bounceLoop moves every capable client to the next node once per period.
func (n *Network) bounceLoop(every time.Duration) {
	defer n.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-n.quit:
			return
		case <-t.C:
			n.bounce()
		}
	}
}

func (n *Network) bounce() {
	n.lock()
	defer n.unlock()
	if n.closed {
		return
	}
	for _, u := range n.sortedUsers() {
		if u.conn == nil || !u.caps[capMigrate] || u.mig != nil {
			continue
		}
		if to := n.nextNode(u.node); to != nil {
			_ = n.startMigration(u, to, "bounce")
		}
	}
}

// nextNode is the next node after nd in configuration order that accepts
// migrations, or nil.
func (n *Network) nextNode(nd *Node) *Node {
	nodes := n.allNodes()
	idx := 0
	for i, o := range nodes {
		if o == nd {
			idx = i
		}
	}
	for k := 1; k < len(nodes); k++ {
		o := nodes[(idx+k)%len(nodes)]
		if !o.draining && !o.cfg.RefuseMigrations {
			return o
		}
	}
	return nil
}
