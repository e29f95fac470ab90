package conn

import (
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
	"golang.org/x/net/publicsuffix"
)

// maxRedirects cuts a chain of 010 redirects (A -> B -> A ...): past it
// the client stays where it is and says so.
const maxRedirects = 3

// checkRedirect runs after each line handled before registration: a 010
// (RPL_BOUNCE) the session recorded is followed or refused here,
// under the rules of a migration target (net/migrate/SPEC.md section 4): no TLS
// downgrade unless an STS policy upgrades the target, STS applied,
// certificates verified against the target host whatever tls_verify says,
// and no credentials (server password, SASL, client certificate) to a host
// that is neither the configured one nor in its registrable domain. It
// reports true when the connection was replaced.
func (n *network) checkRedirect() bool {
	host, port, useTLS, ok := n.sess.Redirect()
	if !ok || n.cur == nil || n.sess.Registered() {
		return false
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	refuse := func(why string) bool {
		n.logf("redirect to %s refused: %s", addr, why)
		n.emit(event.Redirect{Server: addr, Reason: why})
		n.redirectSeen = true
		return false
	}
	if n.redirectSeen {
		return false // already decided for this connection
	}
	_, stsOK := n.pool.sts.Lookup(host)
	switch {
	case n.redirects >= maxRedirects:
		return refuse("redirect loop: the servers sent the client on more than " + strconv.Itoa(maxRedirects) + " times")
	case n.cur.t.IsTLS() && !useTLS && !stsOK:
		return refuse("the redirect would drop TLS")
	case n.hasCredentials() && !sameRegistrableDomain(host, n.cfg.Dial.Host):
		return refuse(host + " is not the configured server nor in its domain; it will not be sent your credentials")
	}
	cfg := n.cfg.Dial
	cfg.Host, cfg.Port, cfg.TLS = host, port, useTLS
	cfg.InsecureSkipVerify = false
	if !sameRegistrableDomain(host, n.cfg.Dial.Host) {
		cfg.ClientCert, cfg.ClientKey = "", ""
	}
	n.redirects++
	n.redirectTo = &cfg
	followed := cfg
	n.followed = &followed
	n.logf("following the redirect to %s (tls=%v)", addr, useTLS)
	n.noteRedirect()
	n.drop(n.cur)
	n.connect()
	return true
}

// noteRedirect tells the user where a followed redirect goes: the host and
// port the next connection really dials (n.target: an STS policy for the
// host moves it to TLS on the policy's port), not the port the 010 named.
func (n *network) noteRedirect() {
	_, addr := n.target()
	n.emit(event.Redirect{Server: addr, Followed: true})
}

// hasCredentials reports whether registration sends a secret.
func (n *network) hasCredentials() bool {
	return n.cfg.Session.Password != "" || n.cfg.Session.SASL != nil || n.cfg.Dial.ClientCert != ""
}

// sameRegistrableDomain reports whether target is configured or shares its
// registrable domain (eTLD+1); IP literals match only the same address.
func sameRegistrableDomain(target, configured string) bool {
	target = strings.ToLower(strings.TrimSuffix(target, "."))
	configured = strings.ToLower(strings.TrimSuffix(configured, "."))
	if target == configured {
		return target != ""
	}
	ta, terr := netip.ParseAddr(target)
	ca, cerr := netip.ParseAddr(configured)
	if terr == nil || cerr == nil {
		return terr == nil && cerr == nil && ta.Unmap() == ca.Unmap()
	}
	td, err := publicsuffix.EffectiveTLDPlusOne(target)
	if err != nil {
		return false
	}
	cd, err := publicsuffix.EffectiveTLDPlusOne(configured)
	return err == nil && td == cd
}
