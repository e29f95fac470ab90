package testnet

import (
	"context"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// upgradeAccounts replaces every clear password an older ferryd left in
// the accounts KV by its SCRAM-SHA-256 verifier. Failures are logged, not
// fatal: a clear entry still authenticates, and is upgraded when used.
func (cl *cluster) upgradeAccounts(ctx context.Context) {
	name := cl.n.nodes[0].name
	keys, err := cl.accts.ListKeys(ctx)
	if err != nil {
		if !errors.Is(err, jetstream.ErrNoKeysFound) {
			cl.n.logf("%s: listing accounts in NATS: %v", name, err)
		}
		return
	}
	var hexKeys []string
	for k := range keys.Keys() {
		hexKeys = append(hexKeys, k)
	}
	_ = keys.Stop()
	for _, k := range hexKeys {
		e, err := cl.accts.Get(ctx, k)
		if err != nil {
			continue
		}
		a, legacy, err := storedAccount(e.Value())
		if err != nil || !legacy {
			continue
		}
		cl.upgradeAccount(ctx, unhexKey(k), e.Revision(), a)
	}
}

// upgradeAccount rewrites the clear-password entry at revision rev as a's
// verifier, in one compare-and-set: when two nodes upgrade the same entry
// at once, one wins and the other's update is refused, harmlessly. The
// bucket keeps one revision per key, so the clear one leaves the bucket
// and its stream (no NATS client can read it again); the server's file
// store may keep its bytes on disk until it compacts that block, since a
// KV stream refuses the erase that would overwrite them.
func (cl *cluster) upgradeAccount(ctx context.Context, acct string, rev uint64, a account) {
	node := cl.n.nodes[0].name
	_, err := cl.accts.Update(ctx, hexKey(acct), []byte(a.verifier()), rev)
	switch {
	case errors.Is(err, jetstream.ErrKeyExists), errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		// Another node got there first.
	case err != nil:
		cl.n.logf("%s: account %q: storing its verifier in NATS: %v", node, acct, err)
	default:
		cl.n.logf("%s: account %q: its clear password in NATS replaced by a SCRAM-SHA-256 verifier (anyone who could reach NATS could read it: consider changing it)", node, acct)
	}
}
