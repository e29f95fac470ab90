package conn

import (
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
)

// deliverable filters lines held while there was no usable connection,
// before they go out on a fresh one (never lose a line: a line that cannot be
// delivered is marked failed, never dropped in silence, nor sent where the
// server would refuse it). A PRIVMSG or NOTICE to a channel we are not in
// after the rejoin (the rejoin was refused: banned, key changed, invite
// only) is reported Failed, every line of its message with it. A JOIN
// queued earlier in the same run counts: its channel is expected.
func (n *network) deliverable(items []session.Outgoing) []session.Outgoing {
	if len(items) == 0 {
		return items
	}
	is := n.sess.ISupport()
	in := map[string]bool{}
	for _, ch := range n.sess.Channels() {
		in[is.Casemap.Fold(ch.Name)] = true
	}
	failed := map[uint64]bool{}
	for _, o := range items {
		m := o.Msg
		switch m.Command {
		case "JOIN":
			for _, ch := range strings.Split(m.Param(0), ",") {
				in[is.Casemap.Fold(ch)] = true
			}
		case "PRIVMSG", "NOTICE":
			target := is.StripStatusMsg(m.Param(0))
			if o.LocalID != 0 && is.IsChannel(target) && !in[is.Casemap.Fold(target)] && !failed[o.LocalID] {
				failed[o.LocalID] = true
				n.logf("not sending a queued line to %s: not in that channel after the rejoin", target)
				n.emit(event.Failed{LocalID: o.LocalID, Reason: "not sent: you are not in " + target})
			}
		}
	}
	if len(failed) == 0 {
		return items
	}
	out := items[:0]
	for _, o := range items {
		if !failed[o.LocalID] {
			out = append(out, o)
		}
	}
	return out
}
