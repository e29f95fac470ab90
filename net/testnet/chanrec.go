package testnet

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/nats-io/nats.go/jetstream"
)

// The channel records in KV follow the channels as the stream has them
// (chanstate.go), not any node's view: every node, for each channel a
// consumed event changes (and for a member's NICK), rewrites the record
// as of that event, stamped with its stream sequence (Seq), with a
// compare-and-set that leaves alone a record stamped as late or later.
// Whatever order the writes of the nodes land in, the record left is the
// one as of the latest event, the same whichever node wrote it. An
// emptied channel's record is deleted; a write of an earlier state that
// lands after the delete brings the record back only until its writer
// consumes the event that emptied the channel and deletes it in turn.
// Writes for one channel are coalesced: the latest snapshot waits in
// cluster.recs, and one queued item writes whatever is latest when it
// runs.

// markRecord queues a write of the record of the channel key as the
// stream has it now (under Network.mu).
func (n *Network) markRecord(key string) {
	cl := n.cl
	r := &chanRec{Seq: cl.applied}
	if s := cl.streamChans[key]; s != nil {
		r.Name, r.Created, r.Topic, r.TopicBy, r.TopicAt = s.name, s.created, s.topic, s.topicBy, s.topicAt
		r.Modes = (&channel{noExternal: s.noExternal, topicLock: s.topicLock}).modeString()
		r.Members = make(map[string]chanMember, len(s.members))
		for uid, m := range s.members {
			if u := n.uids[uid]; u != nil && !u.gone {
				r.Members[uid] = chanMember{Nick: u.nick, Prefix: m.prefix()}
			}
		}
		if len(r.Members) == 0 {
			r.Members = nil
		}
	}
	kvKey := hexKey(key)
	cl.omu.Lock()
	if cl.recs == nil {
		cl.recs = map[string]*chanRec{}
	}
	_, queued := cl.recs[kvKey]
	cl.recs[kvKey] = r
	cl.omu.Unlock()
	if !queued {
		cl.enqueue(outItem{what: "channel record " + key, kv: func(ctx context.Context) error { return cl.writeRecords(ctx, kvKey) }})
	}
}

// markNick queues the records of the channels of the user uid, whose
// nick changed (under Network.mu).
func (n *Network) markNick(uid string) {
	for _, key := range n.cl.chanKeys(&event{Kind: "quit", UID: uid}) {
		n.markRecord(key)
	}
}

// writeRecords writes the latest record waiting for key until none is
// left (on the publisher's goroutine).
func (cl *cluster) writeRecords(ctx context.Context, key string) error {
	for {
		cl.omu.Lock()
		r := cl.recs[key]
		cl.omu.Unlock()
		if r == nil {
			return nil
		}
		err := cl.writeRecord(ctx, key, r)
		if err != nil && retriable(err) {
			return err // the publisher retries the item
		}
		cl.omu.Lock()
		done := cl.recs[key] == r
		if done {
			delete(cl.recs, key)
		}
		cl.omu.Unlock()
		if done {
			return err
		}
	}
}

// writeRecord stores r as key's record unless the stored one is as late.
func (cl *cluster) writeRecord(ctx context.Context, key string, r *chanRec) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	for range 20 {
		var rev uint64
		e, err := cl.chans.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			var old chanRec
			if json.Unmarshal(e.Value(), &old) == nil && old.Seq >= r.Seq {
				return nil
			}
			rev = e.Revision()
		}
		switch {
		case r.Members == nil && rev == 0:
			return nil
		case r.Members == nil:
			err = cl.chans.Delete(ctx, key, jetstream.LastRevision(rev))
		case rev == 0:
			_, err = cl.chans.Create(ctx, key, data)
		default:
			_, err = cl.chans.Update(ctx, key, data, rev)
		}
		if !errors.Is(err, jetstream.ErrKeyExists) && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return err
		}
	}
	return errors.New("too many concurrent changes")
}
