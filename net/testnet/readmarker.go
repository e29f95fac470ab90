package testnet

import (
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// draft/read-marker (https://ircv3.net/specs/extensions/read-marker): the
// network keeps, per account, the time up to which each target was read,
// and tells every connection of that account with the capability when it
// moves (the one that moved it included), on every node: in cluster mode
// the markers are the network's state (natsmarkers.go). A marker never
// moves back. A client that is not logged in has no account to keep
// markers under: its MARKREAD is refused with FAIL MARKREAD
// ACCOUNT_REQUIRED.

const capReadMarker = "draft/read-marker"

// markerLayout is MARKREAD's timestamp format (server-time's).
const markerLayout = "2006-01-02T15:04:05.000Z"

// maxMarkersPerAccount bounds what one account can make the network keep.
const maxMarkersPerAccount = 1024

// markRead handles MARKREAD <target> [timestamp=<ts>].
func (n *Network) markRead(u *user, m *irc.Message) {
	fail := func(code string, ctx ...string) {
		n.fromServer(u, "FAIL", append(append([]string{"MARKREAD", code}, ctx...), "Invalid MARKREAD request")...)
	}
	if !u.caps[capReadMarker] {
		n.numeric(u, ERR_UNKNOWNCOMMAND, "MARKREAD", "Enable draft/read-marker first")
		return
	}
	target := m.Param(0)
	if target == "" {
		fail("NEED_MORE_PARAMS")
		return
	}
	if !validChannel(target) && !validNick(target) {
		fail("INVALID_PARAMS", target)
		return
	}
	if u.account == "" {
		n.fromServer(u, "FAIL", "MARKREAD", "ACCOUNT_REQUIRED", target, "Read markers are kept per account; log in first")
		return
	}
	if ch := n.chans[fold(target)]; ch != nil {
		target = ch.name
	}
	if len(m.Params) < 2 {
		n.sendMarker(u, target)
		return
	}
	v, ok := strings.CutPrefix(m.Param(1), "timestamp=")
	t, err := time.Parse(time.RFC3339Nano, v)
	if !ok || err != nil {
		fail("INVALID_PARAMS", target, m.Param(1))
		return
	}
	key := fold(target)
	marks := n.markers[u.account]
	if old, known := marks[key]; !known && len(marks) >= maxMarkersPerAccount {
		fail("INTERNAL_ERROR", target)
		return
	} else if known && !t.After(old) {
		n.sendMarker(u, target) // unchanged: the sender learns the newer one
		return
	}
	n.moveMarker(u.account, target, t.UTC(), 0)
	n.shareMarker(u.account, target, t.UTC())
}

// moveMarker sets account's marker of target to t, a time after the one
// kept (if any), and tells the account's connections on this node; seq,
// when not 0, is the stream event the marker came with from another node
// (under Network.mu). In cluster mode each node tells its own users: a
// user on another node is told by that node when it applies the event.
func (n *Network) moveMarker(account, target string, t time.Time, seq uint64) {
	marks := n.markers[account]
	if marks == nil {
		if n.markers == nil {
			n.markers = map[string]map[string]time.Time{}
		}
		marks = map[string]time.Time{}
		n.markers[account] = marks
	}
	marks[fold(target)] = t
	if seq != 0 {
		was := n.cl.applying
		n.cl.applying = true // lines from the stream, not made here (see deliver)
		defer func() { n.cl.applying = was }()
	}
	for _, o := range n.sortedUsers() {
		if o.account != account || !o.caps[capReadMarker] || o.remote || o.gone || seq != 0 && seq <= o.skipUpTo {
			continue
		}
		n.sendMarker(o, target)
	}
}

// laterMarker reports whether t would move account's marker of target
// forward, within the bound of markers one account may have kept.
func (n *Network) laterMarker(account, target string, t time.Time) bool {
	marks := n.markers[account]
	old, known := marks[fold(target)]
	if !known {
		return len(marks) < maxMarkersPerAccount
	}
	return t.After(old)
}

// sendMarker tells u the marker of target ("*" when none is kept).
func (n *Network) sendMarker(u *user, target string) {
	ts := "*"
	if t, ok := n.markers[u.account][fold(target)]; ok && u.account != "" {
		ts = "timestamp=" + t.Format(markerLayout)
	}
	n.fromServer(u, "MARKREAD", target, ts)
}

// markerOnJoin sends u the marker of the channel it just joined, as the
// spec asks of a server after JOIN (before the names reply).
func (n *Network) markerOnJoin(u *user, ch *channel) {
	if u.caps[capReadMarker] && u.account != "" {
		n.sendMarker(u, ch.name)
	}
}
