package conn

import (
	"fmt"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
)

// defaultRegisterTimeout bounds registration when NetworkConfig leaves
// RegisterTimeout zero: long enough for a slow ident lookup, a SASL round
// trip and a long MOTD-free CAP exchange, short enough that a server which
// never sends 001 (an endless CAP LS, a stuck SASL) does not keep the
// network "registering" for good.
const defaultRegisterTimeout = 60 * time.Second

// armRegDeadline bounds the registration on l, the link just established:
// if l is still the current link and not registered when the time is up,
// it is dropped with an error, and the usual reconnect backoff follows.
// The timer is l's, so a deadline can never fire on a later connection.
func (n *network) armRegDeadline(l *link) {
	disarm(l.regDeadline)
	d := n.cfg.RegisterTimeout
	l.regDeadline = n.arm(d, func() {
		l.regDeadline = nil
		if l != n.cur || n.sess.Stage() >= session.StageRegistered {
			return
		}
		err := fmt.Errorf("registration did not complete within %s", wholeSeconds(d))
		n.logf("%s: %v", l.addr, err)
		n.emit(event.Error{Text: err.Error()})
		n.lost(l, err)
	})
}

// disarmRegDeadline stops l's registration deadline: the session
// registered, or the link is gone.
func disarmRegDeadline(l *link) {
	if l != nil {
		disarm(l.regDeadline)
		l.regDeadline = nil
	}
}

// wholeSeconds writes d for a person: "60 s" rather than "1m0s".
func wholeSeconds(d time.Duration) string {
	if d%time.Second != 0 || d < time.Second {
		return d.String()
	}
	return fmt.Sprintf("%d s", d/time.Second)
}
