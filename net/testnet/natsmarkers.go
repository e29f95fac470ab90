package testnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Read markers in cluster mode (readmarker.go has the rules). A marker is
// the network's, not a node's: a move is a "mark" event in the stream,
// which every node applies to its view and tells its own connections of
// the account about, and a record in the markers KV, which outlives the
// stream's retention and is what a starting node loads. Both keep the
// later of two times, so the order in which nodes learn of moves made at
// once on two of them does not matter: every node ends with the latest.

// markerRec is a marker's KV record, under markerKey.
type markerRec struct {
	Target string    `json:"target"`
	At     time.Time `json:"at"`
}

// markerKey is the KV key of account's marker of target.
func markerKey(account, target string) string {
	return hexKey(account) + "." + hexKey(fold(target))
}

// shareMarker tells the other nodes that account's marker of target moved
// to t here, and records it in the network's state (under Network.mu).
func (n *Network) shareMarker(account, target string, t time.Time) {
	if !n.bb.shares() {
		return
	}
	n.share(event{Kind: "mark", Account: account, Chan: target, Text: t.Format(time.RFC3339Nano)})
	n.cl.saveMarker(account, target, t)
}

// applyMarker applies another node's "mark" event (under Network.mu): a
// marker that moves forward here too is told to this node's connections
// of the account; an older one, which this node has already passed, is
// dropped.
func (n *Network) applyMarker(e *event, seq uint64) {
	t, err := time.Parse(time.RFC3339Nano, e.Text)
	if err != nil || e.Account == "" || !validChannel(e.Chan) && !validNick(e.Chan) {
		return
	}
	if t = t.UTC(); n.laterMarker(e.Account, e.Chan, t) {
		n.moveMarker(e.Account, e.Chan, t, seq)
	}
}

// markerCASTries bounds the compare-and-set rounds of one marker's record
// when other nodes keep writing it.
const markerCASTries = 8

// saveMarker stores account's marker of target as t unless the record
// already has a later one: a compare-and-set on the record's revision,
// retried when another node wrote it in between.
func (cl *cluster) saveMarker(account, target string, t time.Time) {
	key := markerKey(account, target)
	data, _ := json.Marshal(markerRec{Target: target, At: t})
	cl.enqueue(outItem{what: "read marker", kv: func(ctx context.Context) error {
		for range markerCASTries {
			e, err := cl.markers.Get(ctx, key)
			switch {
			case errors.Is(err, jetstream.ErrKeyNotFound):
				_, err = cl.markers.Create(ctx, key, data)
			case err != nil:
				return err
			default:
				var rec markerRec
				if json.Unmarshal(e.Value(), &rec) == nil && !t.After(rec.At) {
					return nil // a later marker is kept already
				}
				_, err = cl.markers.Update(ctx, key, data, e.Revision())
			}
			if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
				continue // written meanwhile: compare with that one
			}
			return err
		}
		return fmt.Errorf("read marker %s: still contended after %d tries", key, markerCASTries)
	}})
}

// loadMarkers reads every marker the network keeps into this process's
// view, at Start: the stream then adds the moves made since.
func (cl *cluster) loadMarkers(ctx context.Context) error {
	w, err := cl.markers.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return fmt.Errorf("read markers: %w", err)
	}
	defer func() { _ = w.Stop() }()
	n := cl.n
	for {
		var e jetstream.KeyValueEntry
		select {
		case e = <-w.Updates():
		case <-ctx.Done():
			return fmt.Errorf("read markers: %w", ctx.Err())
		}
		if e == nil {
			return nil // every stored record has been read
		}
		acctHex, _, ok := strings.Cut(e.Key(), ".")
		var rec markerRec
		if !ok || json.Unmarshal(e.Value(), &rec) != nil || !validChannel(rec.Target) && !validNick(rec.Target) {
			continue
		}
		account := unhexKey(acctHex)
		n.lock()
		if account != "" && n.laterMarker(account, rec.Target, rec.At.UTC()) {
			n.moveMarker(account, rec.Target, rec.At.UTC(), 0)
		}
		n.unlock()
	}
}
