package testnet

import (
	"sort"
	"strconv"
	"strings"
)

// The IRCv3 monitor extension: each user keeps a list of nicks and is told
// when one of them comes online (registers, or a user takes the nick) or
// goes offline (quits, changes away from it, or is ended with its node),
// on any node of the network: each node tells its own watchers, of the
// changes made here and of those it applies from the network's event
// stream. The list belongs to the user's session, so a migration keeps
// it; a new connection starts empty.

// monitorLimit is the MONITOR value of ISUPPORT: the most nicks one list
// may hold.
const monitorLimit = 100

const (
	RPL_MONONLINE    = "730"
	RPL_MONOFFLINE   = "731"
	RPL_MONLIST      = "732"
	RPL_ENDOFMONLIST = "733"
	ERR_MONLISTFULL  = "734"
)

// monitorChunk bounds the targets of one 730-732 line, well within 512
// bytes with nick!user@host masks.
const monitorChunk = 8

// monitor handles "MONITOR + targets", "- targets", "C", "L" and "S".
func (n *Network) monitor(u *user, params []string) {
	if len(params) == 0 || params[0] == "" {
		n.numeric(u, ERR_NEEDMOREPARAMS, "MONITOR", "Not enough parameters")
		return
	}
	op := params[0]
	switch op {
	case "+", "-":
		if len(params) < 2 || params[1] == "" {
			n.numeric(u, ERR_NEEDMOREPARAMS, "MONITOR", "Not enough parameters")
			return
		}
		targets := splitList(params[1], 0)
		if op == "-" {
			for _, t := range targets {
				delete(u.monitor, fold(t))
			}
			return
		}
		if u.monitor == nil {
			u.monitor = make(map[string]string)
		}
		var added []string
		for i, t := range targets {
			if !validNick(t) {
				continue
			}
			if _, ok := u.monitor[fold(t)]; !ok && len(u.monitor) >= monitorLimit {
				n.numeric(u, ERR_MONLISTFULL, strconv.Itoa(monitorLimit), strings.Join(targets[i:], ","), "Monitor list is full.")
				break
			}
			u.monitor[fold(t)] = t
			added = append(added, t)
		}
		n.monitorStatus(u, added)
	case "C", "c":
		u.monitor = nil
	case "L", "l":
		list := monitorNicks(u)
		for len(list) > 0 {
			k := min(len(list), monitorChunk)
			n.numeric(u, RPL_MONLIST, strings.Join(list[:k], ","))
			list = list[k:]
		}
		n.numeric(u, RPL_ENDOFMONLIST, "End of MONITOR list")
	case "S", "s":
		n.monitorStatus(u, monitorNicks(u))
	default:
		n.numeric(u, ERR_UNKNOWNCOMMAND, "MONITOR", "Unknown MONITOR subcommand")
	}
}

func monitorNicks(u *user) []string {
	out := make([]string, 0, len(u.monitor))
	for _, nick := range u.monitor {
		out = append(out, nick)
	}
	sort.Slice(out, func(i, j int) bool { return fold(out[i]) < fold(out[j]) })
	return out
}

// monitorStatus tells u whether each of nicks is online (730 with its
// mask) or not (731).
func (n *Network) monitorStatus(u *user, nicks []string) {
	var on, off []string
	for _, nick := range nicks {
		if t := n.users[fold(nick)]; t != nil && t.registered && !t.gone {
			on = append(on, t.prefix().String())
		} else {
			off = append(off, nick)
		}
	}
	for _, r := range []struct {
		code string
		list []string
	}{{RPL_MONONLINE, on}, {RPL_MONOFFLINE, off}} {
		code, list := r.code, r.list
		for len(list) > 0 {
			k := min(len(list), monitorChunk)
			n.numeric(u, code, strings.Join(list[:k], ","))
			list = list[k:]
		}
	}
}

// monitorNotify tells every user of this node monitoring t's nick that t
// came online or went offline, for a change made here.
func (n *Network) monitorNotify(t *user, online bool) {
	n.monitorTell(t, online, 0)
}

// monitorApplied is monitorNotify for a change another node made, applied
// from the event seq of the stream (under Network.mu): a watcher handed
// over to this node with that event already behind it was told by the
// node it came from. A migration is not a change: its "move" tells nobody.
func (n *Network) monitorApplied(t *user, online bool, seq uint64) {
	cl := n.cl
	was := cl.applying
	cl.applying = true // lines from the stream, not made here (see deliver)
	n.monitorTell(t, online, seq)
	cl.applying = was
}

// monitorTell tells the local watchers of t's nick; seq, when not 0, is
// the stream event the change came with. A remote user's list, if any is
// left from before it moved, is its node's to answer.
func (n *Network) monitorTell(t *user, online bool, seq uint64) {
	f := fold(t.nick)
	for _, w := range n.users {
		if w == t || w.gone || w.remote || seq != 0 && seq <= w.skipUpTo {
			continue
		}
		if _, ok := w.monitor[f]; !ok {
			continue
		}
		if online {
			n.numeric(w, RPL_MONONLINE, t.prefix().String())
		} else {
			n.numeric(w, RPL_MONOFFLINE, t.nick)
		}
	}
}
