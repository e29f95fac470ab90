package conn

import (
	"strings"

	"github.com/ferry-irc/ferry/net/event"
)

// Duplicate defence: a server may deliver the same message twice
// across a migration or a reconnect (a hand-over buffer replayed, a
// chathistory page overlapping what was seen live). With message-tags every
// PRIVMSG/NOTICE carries a msgid, so a message whose msgid was already seen
// recently in the same buffer is dropped here, before the UI sees it.
//
// The memory is bounded: the last dedupeWindow msgids per buffer, and at
// most dedupeBuffers buffers (the one touched longest ago is forgotten first).
const (
	dedupeWindow  = 1024
	dedupeBuffers = 2048
)

// msgidLRU remembers recent msgids per buffer. Owned by the network loop.
type msgidLRU struct {
	tick    uint64
	buffers map[string]*recentIDs
}

// recentIDs is one buffer's ring of msgids with a set for lookups.
type recentIDs struct {
	ring    []string
	next    int
	set     map[string]struct{}
	touched uint64
}

func newMsgidLRU() *msgidLRU { return &msgidLRU{buffers: map[string]*recentIDs{}} }

// seen records msgid in buffer and reports whether it was already there.
func (l *msgidLRU) seen(buffer, msgid string) bool {
	l.tick++
	key := strings.ToLower(buffer)
	r := l.buffers[key]
	if r == nil {
		if len(l.buffers) >= dedupeBuffers {
			l.evictOldest()
		}
		r = &recentIDs{set: map[string]struct{}{}}
		l.buffers[key] = r
	}
	r.touched = l.tick
	if _, ok := r.set[msgid]; ok {
		return true
	}
	if len(r.ring) < dedupeWindow {
		r.ring = append(r.ring, msgid)
	} else {
		delete(r.set, r.ring[r.next])
		r.ring[r.next] = msgid
		r.next = (r.next + 1) % dedupeWindow
	}
	r.set[msgid] = struct{}{}
	return false
}

func (l *msgidLRU) evictOldest() {
	var oldest string
	var at uint64
	first := true
	for k, r := range l.buffers {
		if first || r.touched < at {
			oldest, at, first = k, r.touched, false
		}
	}
	delete(l.buffers, oldest)
}

// filter drops the messages in evs whose msgid was already seen in their
// buffer. Only server messages count: a local echo has no msgid yet.
func (l *msgidLRU) filter(evs []event.Event) []event.Event {
	out := evs[:0]
	for _, e := range evs {
		switch v := e.(type) {
		case event.Message:
			if v.MsgID != "" && l.seen(v.Buffer, v.MsgID) {
				continue
			}
		case event.History:
			// The UI merges a history page by msgid itself; remembering
			// its msgids here drops a live copy that follows it.
			if !v.Before {
				for _, m := range v.Messages {
					if m.MsgID != "" {
						l.seen(v.Buffer, m.MsgID)
					}
				}
			}
		}
		out = append(out, e)
	}
	return out
}
