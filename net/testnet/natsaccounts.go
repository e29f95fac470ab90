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
// verifier. The old message is erased first (JetStream overwrites it on
// disk; replacing it with an update would only mark it deleted), then the
// verifier created: a lookup on another node between the two finds no
// account and fails that one authentication. When another node upgrades
// the same entry at the same time, one erase and one create win and the
// other node's are no-ops.
func (cl *cluster) upgradeAccount(ctx context.Context, acct string, rev uint64, a account) {
	node := cl.n.nodes[0].name
	if err := cl.acctsRaw.SecureDeleteMsg(ctx, rev); err != nil {
		if e, gerr := cl.accts.Get(ctx, hexKey(acct)); gerr == nil && e.Revision() == rev {
			cl.n.logf("%s: account %q: erasing its clear password from NATS: %v", node, acct, err)
			return
		}
		// Gone already: another node is upgrading it.
	}
	_, err := cl.accts.Create(ctx, hexKey(acct), []byte(a.verifier()))
	switch {
	case errors.Is(err, jetstream.ErrKeyExists):
	case err != nil:
		cl.n.logf("%s: account %q: storing its verifier in NATS: %v", node, acct, err)
	default:
		cl.n.logf("%s: account %q: clear password in NATS replaced by a SCRAM-SHA-256 verifier", node, acct)
	}
}
