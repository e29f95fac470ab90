package testnet

import (
	"strconv"

	"gopkg.in/irc.v4"
)

// IRCv3 labeled-response (https://ircv3.net/specs/extensions/labeled-response),
// server side: a command sent with a label tag by a client that enabled
// labeled-response is answered with the label: a single reply carries
// the tag, several replies go inside a labeled-response batch whose BATCH
// line carries it (when the client enabled batch), and a command with no
// reply to the client is acknowledged with ACK. Lines the command makes
// other clients receive are not labelled.

const capLabeled = "labeled-response"

// maxLabelLen is the longest label accepted, in bytes (the spec's limit);
// a longer one is ignored and the command answered as unlabelled.
const maxLabelLen = 64

// dispatchLabelled runs m, collecting the lines it sends to c's user when
// m is labelled, and sends them labelled afterwards.
func (c *conn) dispatchLabelled(m *irc.Message) {
	u := c.u
	label := m.Tags["label"]
	if label == "" || len(label) > maxLabelLen || !u.caps[capLabeled] || u.local != nil || u.capture != nil {
		c.dispatch(m)
		return
	}
	var got []*irc.Message
	u.capture = &got
	c.dispatch(m)
	u.capture = nil
	c.n.sendLabelled(u, label, got)
}

// sendLabelled delivers the replies to a command labelled label.
func (n *Network) sendLabelled(u *user, label string, got []*irc.Message) {
	send := func(m *irc.Message) {
		if u.conn != nil && !u.gone && !(u.mig != nil && u.mig.held) {
			u.conn.sendLine(m.String())
		}
	}
	tagged := func(m *irc.Message, k, v string) *irc.Message {
		out := *m
		out.Tags = irc.Tags{}
		for tk, tv := range m.Tags {
			out.Tags[tk] = tv
		}
		out.Tags[k] = v
		return &out
	}
	srv := &irc.Prefix{Name: u.node.name}
	switch {
	case len(got) == 0:
		send(tagged(render(u, &irc.Message{Prefix: srv, Command: "ACK"}, n.ctx(false)), "label", label))
	case len(got) == 1:
		send(tagged(got[0], "label", label))
	case !u.caps["batch"]:
		for _, m := range got {
			send(tagged(m, "label", label))
		}
	default:
		n.batchSeq++
		ref := "l" + strconv.FormatUint(n.batchSeq, 36)
		send(tagged(render(u, &irc.Message{Prefix: srv, Command: "BATCH", Params: []string{"+" + ref, "labeled-response"}}, n.ctx(false)), "label", label))
		for _, m := range got {
			if m.Tags["batch"] == "" {
				m = tagged(m, "batch", ref)
			}
			send(m)
		}
		send(render(u, &irc.Message{Prefix: srv, Command: "BATCH", Params: []string{"-" + ref}}, n.ctx(false)))
	}
}
