package conn

import (
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// shutdown runs in the loop when the Pool closes: QUIT on the current link,
// wait (at most closeGrace of wall time, whatever the injected clock says)
// for the server to close it, then release everything.
func (n *network) shutdown() {
	// The user's /quit may still be in the mailbox (the UI sends it and
	// ends; main then closes the Pool): its reason is the one to send. A
	// QUIT already sent is not sent twice.
	reason, quitSent := "ferry closed", n.quitting != nil
	if quitSent {
		reason = n.quitReason
	}
	for _, c := range n.mail.takeAll() {
		if q, ok := c.(command.Quit); ok && q.Reason != "" && !quitSent {
			reason = q.Reason
		}
	}
	n.want = false
	n.endClosing()
	n.cancelDial()
	disarm(n.retry)
	disarm(n.quitting)
	n.retry, n.quitting = nil, nil
	n.keep(n.mig.abandon())
	n.failQueue(UnsentClosed, "not sent: ferry was closed")
	if n.cur != nil {
		if !quitSent {
			n.quitLink(reason)
		}
		deadline := time.NewTimer(closeGrace)
		defer deadline.Stop()
	wait:
		for {
			select {
			case in := <-n.inbox:
				switch v := in.(type) {
				case linkLost:
					if v.l == n.cur {
						break wait
					}
				case dialDone:
					if v.t != nil {
						v.t.Close()
					}
				case migDialDone:
					if v.t != nil {
						v.t.Close()
					}
				case written:
					n.q.Written(v.m)
				}
			case <-deadline.C:
				break wait
			}
		}
		l := n.cur
		n.drop(l)
		n.recoverUnsent(l)
		n.failQueue(UnsentClosed, "not sent: ferry was closed")
	}
	if n.state != event.StateDisconnected {
		n.setState(event.ConnState{State: event.StateDisconnected, Reason: "closed"})
	}
}
