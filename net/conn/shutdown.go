package conn

import (
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// shutdown runs in the loop when the Pool closes: QUIT on the current link,
// wait (at most closeGrace of wall time, whatever the injected clock says)
// for the server to close it, then release everything. A link already
// waiting for the close of an earlier QUIT (awaitClose) is waited for the
// same way, without a second QUIT.
func (n *network) shutdown() {
	// The user's /quit may still be in the mailbox (the UI sends it and
	// ends; main then closes the Pool): its reason is the one to send.
	reason := "ferry closed"
	for _, c := range n.mail.takeAll() {
		if q, ok := c.(command.Quit); ok && q.Reason != "" {
			reason = q.Reason
		}
	}
	n.want = false
	n.cancelDial()
	disarm(n.retry)
	n.retry = nil
	n.keep(n.mig.abandon())
	n.failQueue(UnsentClosed, "not sent: ferry was closed")
	if l := n.cur; l != nil {
		n.quitLink(reason)
		n.detach(l)
		n.awaitClose(l)
	}
	if n.closing != nil {
		deadline := time.NewTimer(closeGrace)
		defer deadline.Stop()
	wait:
		for {
			select {
			case in := <-n.inbox:
				switch v := in.(type) {
				case linkLost:
					if v.l == n.closing {
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
		n.endClosing()
		n.failQueue(UnsentClosed, "not sent: ferry was closed")
	}
	if n.state != event.StateDisconnected {
		n.setState(event.ConnState{State: event.StateDisconnected, Reason: "closed"})
	}
}
