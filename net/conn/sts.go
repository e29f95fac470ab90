package conn

import (
	"net"
	"strconv"
)

// onSTS is the session's OnSTS hook: it runs inside Session.Handle, in the
// loop goroutine, while the CAP LS/NEW line of n.handing is handled. The
// store applies the IRCv3 STS rules; an upgrade found on a plaintext
// connection is carried out in afterHandle (close, redial TLS at once, no
// backoff), never by falling back later.
func (n *network) onSTS(value string) {
	l := n.handing
	if l == nil {
		l = n.cur
	}
	if l == nil {
		return
	}
	_, portStr, _ := net.SplitHostPort(l.addr)
	port, _ := strconv.Atoi(portStr)
	up, upgrade, err := n.pool.sts.Advertised(l.host, l.t.IsTLS(), port, value)
	if err != nil {
		n.logf("STS policy %q from %s ignored: %v", value, l.host, err)
		return
	}
	if !upgrade {
		return
	}
	if l.host != n.cfg.Dial.Host && l == n.cur && !n.sess.Registered() && n.followed != nil && n.followed.Host == l.host {
		// A connection that followed a 010 redirect, still registering:
		// the host wants TLS, so it is redone over TLS on the policy port
		// before registration goes on in plaintext.
		cfg := *n.followed
		cfg.TLS, cfg.Port = true, up
		n.redirectTo = &cfg
		n.pendingUpgrade = up
		n.noteRedirect() // the redirect now goes to the TLS port
		return
	}
	if l.host != n.cfg.Dial.Host {
		// A migrated session on a plaintext NEW: the next reconnect goes
		// to the configured server anyway; the store knows NEW's rule.
		n.logf("STS upgrade advertised by %s (not the configured server): noted", l.host)
		return
	}
	n.pendingUpgrade = up
}
