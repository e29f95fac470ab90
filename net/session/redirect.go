package session

import (
	"strconv"
	"strings"

	"github.com/ferry-irc/ferry/net/event"
)

// redirect is a server's 010 (RPL_BOUNCE) received before registration.
type redirect struct {
	host string
	port int
	tls  bool
}

// maxHostLen is the longest host name a redirect may name (DNS: 253).
const maxHostLen = 253

// Redirect reports the server named by a 010 (RPL_BOUNCE) that arrived
// before 001 on this connection: "010 <nick> <host> <port> :<info>", where a
// port written "+6697" means TLS. The session never dials; the connection
// owner checks Redirect after Handle and decides, under the same security
// rules as a migration target (no TLS downgrade, STS, the host policy, a
// loop cut), whether to follow it, and emits event.Redirect. Register
// clears it. A 010 after 001, or a malformed one, is only an Info line.
func (s *Session) Redirect() (host string, port int, tls bool, ok bool) {
	if s.redirect == nil {
		return "", 0, false, false
	}
	return s.redirect.host, s.redirect.port, s.redirect.tls, true
}

// bounce handles a 010 before registration.
func (s *Session) bounce(h *handling) {
	m := h.m
	host, portText := m.Param(1), m.Param(2)
	if len(m.Params) < 3 {
		portText = ""
	}
	tls := strings.HasPrefix(portText, "+")
	port, portOK := parsePort(strings.TrimPrefix(portText, "+"))
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]") // [2001:db8::1]
	if !portOK || !validHost(host) {
		s.log.Printf("session: malformed 010 ignored (host %q, port %q)", clip(host, 64), clip(portText, 16))
		h.emit(event.Info{Meta: h.meta, Code: m.Command, Error: true,
			Text: "the server sent a malformed redirect, ignored: " + infoText(m.Params)})
		return
	}
	s.redirect = &redirect{host: host, port: port, tls: tls}
	s.log.Printf("session: the server redirects to %s port %d (TLS %v)", host, port, tls)
}

// parsePort accepts 1 to 65535 written in decimal digits only (no sign,
// no spaces).
func parsePort(v string) (int, bool) {
	if v == "" || len(v) > 5 {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= 65535
}

// validHost reports whether v can be a host name or IP address to dial:
// letters, digits, '.', '-', '_' and ':' (IPv6), not empty, not starting with
// '-', at most maxHostLen bytes. It keeps spaces, slashes, '@' and control
// characters out of an address the owner may dial.
func validHost(v string) bool {
	if v == "" || len(v) > maxHostLen || v[0] == '-' || v[0] == '.' {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '.', c == '-', c == '_', c == ':':
		default:
			return false
		}
	}
	return true
}
