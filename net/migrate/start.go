package migrate

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"gopkg.in/irc.v4"
)

// startFields holds the fields of a MIGRATE START that parsed (SPEC.md
// section 2). Fields that did not parse are left zero.
type startFields struct {
	host    string
	port    int
	tls     bool // the port had a leading '+'
	resume  string
	confirm string
	name    string // server-name, optional
}

// target is what the user sees as NEW: the server name when START gave
// one, else the host.
func (s startFields) target() string {
	if s.name != "" {
		return s.name
	}
	return s.host
}

// parseStart validates every field of `MIGRATE START <host> <port>
// <resume-token> <confirm-token> [<server-name>]`. It returns the fields that
// parsed and, when any did not, an error naming the first bad field. The
// error never contains a token (nor any field's text: it is shown to the
// user and a server may put anything there). Parameters beyond the
// server-name are ignored, as IRC does for extensions.
func parseStart(msg *irc.Message) (startFields, error) {
	var s startFields
	var bad error
	fail := func(e string) {
		if bad == nil {
			bad = errors.New(e)
		}
	}
	if len(msg.Params) < 5 {
		fail("missing parameters")
	}
	if validToken(msg.Param(3)) {
		s.resume = msg.Param(3)
	} else {
		fail("invalid resume token")
	}
	if validHost(msg.Param(1)) {
		s.host = msg.Param(1)
	} else {
		fail("invalid host")
	}
	if p, tls, ok := parsePort(msg.Param(2)); ok {
		s.port, s.tls = p, tls
	} else {
		fail("invalid port")
	}
	if validToken(msg.Param(4)) {
		s.confirm = msg.Param(4)
	} else {
		fail("invalid confirm token")
	}
	if len(msg.Params) > 5 {
		if validServerName(msg.Param(5)) {
			s.name = msg.Param(5)
		} else {
			fail("invalid server name")
		}
	}
	return s, bad
}

// validToken: 1 to 128 characters of A-Z a-z 0-9 . _ ~ + / = - (section 2).
func validToken(t string) bool {
	if len(t) < 1 || len(t) > 128 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("._~+/=-", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHost: a textual IP address (IPv6 without brackets or zone) or a DNS
// name: labels of 1-63 letters, digits and inner hyphens, 253 bytes at most,
// no trailing dot, and a last label that is not all digits (so "1.2.3" is
// not taken for a name that some resolvers would read as an address).
func validHost(h string) bool {
	if h == "" {
		return false
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Zone() == ""
	}
	if len(h) > 253 {
		return false
	}
	labels := strings.Split(h, ".")
	for _, l := range labels {
		if len(l) < 1 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return strings.Trim(last, "0123456789") != ""
}

// isIP reports whether a valid host is an IP literal (no SNI for those).
func isIP(h string) bool {
	_, err := netip.ParseAddr(h)
	return err == nil
}

// parsePort: 1-65535 in decimal (at most 5 digits), with an optional
// leading '+' that means TLS is required.
func parsePort(p string) (port int, tls bool, ok bool) {
	if strings.HasPrefix(p, "+") {
		tls, p = true, p[1:]
	}
	if len(p) < 1 || len(p) > 5 {
		return 0, false, false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, false, false
		}
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, false, false
	}
	return n, tls, true
}

// validServerName: a network-internal server name for display, 1-63
// characters of letters, digits and . - _ (no spaces or controls, since it is
// shown in the status bar).
func validServerName(n string) bool {
	if len(n) < 1 || len(n) > 63 {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
