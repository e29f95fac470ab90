package testnet

import (
	"context"
	"errors"
	"time"
)

// Shutdown stops the network the way net/migrate/SPEC.md section 5 asks a node to
// stop: every node but the last is drained, its migrate-capable clients
// moved to the last node, and Shutdown waits (until ctx ends) for those
// migrations to finish before closing everything. All nodes live in this
// process, so the last node then closes too; what the drain buys is that
// no client is cut off while another node exists. It returns ctx's error
// when the wait was cut short.
func (n *Network) Shutdown(ctx context.Context) error {
	if n.cl != nil {
		return n.shutdownCluster(ctx)
	}
	var err error
	if len(n.nodes) > 1 {
		last := n.nodes[len(n.nodes)-1]
		n.lock()
		n.stopping = "Server shutting down"
		if !n.closed {
			for _, nd := range n.nodes[:len(n.nodes)-1] {
				nd.draining = true
			}
			moved := 0
			for _, u := range n.sortedUsers() {
				if u.node != last && u.conn != nil && u.caps[capMigrate] && u.mig == nil {
					if n.startMigration(u, last, "shutdown") == nil {
						moved++
					}
				}
			}
			n.logf("shutdown: draining to %s, %d clients asked to move", last.name, moved)
		}
		n.unlock()
		err = n.waitMoved(ctx, last)
	}
	n.Close()
	return err
}

// waitMoved waits until no capable client is off node or mid-migration.
func (n *Network) waitMoved(ctx context.Context, last *Node) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		n.lock()
		busy := 0
		for _, u := range n.users {
			if u.local == nil && (u.mig != nil || u.node != last && u.conn != nil && u.caps[capMigrate]) {
				busy++
			}
		}
		n.unlock()
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// shutdownCluster is Shutdown for a node of a multi-process network (a
// rolling restart): its migrate-capable clients move to the other nodes
// of the registry, the rest get ERROR saying the server is restarting,
// and everything this node accepted is stored in NATS before it exits.
func (n *Network) shutdownCluster(ctx context.Context) error {
	local := n.nodes[0]
	n.lock()
	n.stopping = "Server restarting" // as leaveCluster tells those still here
	n.unlock()
	err := n.Drain(local.name)
	if err != nil {
		n.logf("shutdown: %v", err)
	} else {
		hctx, cancel := context.WithTimeout(ctx, natsOpTimeout)
		_ = n.cl.heartbeat(hctx)
		cancel()
		if n.cl.down.Load() {
			n.logf("shutdown: NATS is away; clients move once it is back (or the drain timeout passes)")
		}
		err = n.waitDrained(ctx, local, func() {
			// Clients a hand-over was refused for (NATS away, or the
			// target not yet in the registry) are asked again.
			if !n.cl.down.Load() {
				_ = n.Drain(local.name)
			}
		})
	}
	n.Close()
	if errors.Is(err, ErrNoOtherNode) {
		err = nil
	}
	return err
}

// waitDrained waits until no client of node (this process's) is
// migrate-capable and connected, or mid-migration.
func (n *Network) waitDrained(ctx context.Context, nd *Node, again func()) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	retry := time.NewTicker(time.Second)
	defer retry.Stop()
	for {
		n.lock()
		busy := 0
		for _, u := range n.users {
			if !u.remote && u.local == nil && u.node == nd && (u.mig != nil || u.conn != nil && u.caps[capMigrate]) {
				busy++
			}
		}
		n.unlock()
		if busy == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-retry.C:
			again()
		}
	}
}
