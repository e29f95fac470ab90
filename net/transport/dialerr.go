package transport

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
)

// DialError is a failed Dial. Its text names the address once, "dial
// host:port: connection refused", where the standard library's own error
// would repeat it ("dial host:port: dial tcp host:port: connect:
// connection refused"); the full error stays reachable through Unwrap
// (errors.Is, errors.As, net.Error's Timeout) for the debug log and for
// callers that look closer.
type DialError struct {
	Op   string // "dial" (TCP) or "tls" (TLS set-up and handshake)
	Addr string // host:port as dialled, STS applied
	Why  string // " (STS policy: ...)" when a policy decided the port, else ""
	Err  error
}

func (e *DialError) Error() string { return e.Op + " " + e.Addr + ": " + brief(e.Err) + e.Why }

// Unwrap returns the underlying error, address and all.
func (e *DialError) Unwrap() error { return e.Err }

// Reason is the error without the address, for a sentence that names the
// address itself: "connection refused", "no such host", "TLS: x509:
// certificate signed by unknown authority", with the STS note when a
// policy chose the port.
func (e *DialError) Reason() string {
	r := brief(e.Err)
	if e.Op == "tls" && !strings.HasPrefix(r, "tls: ") {
		r = "TLS: " + r // crypto/tls's own errors say "tls: " already
	}
	return r + e.Why
}

// Reason returns err's text without the address when err is a Dial error,
// else err's text: "Could not connect to " + addr + ": " + Reason(err)
// names the address once.
func Reason(err error) string {
	var de *DialError
	if errors.As(err, &de) {
		return de.Reason()
	}
	return err.Error()
}

// brief strips the layers of err that only repeat the operation and the
// address: *net.OpError ("dial tcp 127.0.0.1:6697: ...") and
// *os.SyscallError ("connect: ..."). A name that does not resolve reads
// "no such host", a timeout (the dial's, or the handshake's context)
// "timed out".
func brief(err error) string {
	for {
		var op *net.OpError
		var sc *os.SyscallError
		var dns *net.DNSError
		var ne net.Error
		switch {
		case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
			return "timed out"
		case errors.As(err, &dns) && dns.IsNotFound:
			return "no such host"
		case errors.As(err, &dns):
			return "name lookup failed: " + dns.Err
		case asTop(err, &op) && op.Err != nil:
			err = op.Err
		case asTop(err, &sc) && sc.Err != nil:
			err = sc.Err
		default:
			return err.Error()
		}
	}
}

// asTop is errors.As for err itself only: a wrapper that adds its own
// words (a TLS alert, a sentence of ours) is kept whole.
func asTop[T error](err error, target *T) bool {
	v, ok := err.(T)
	if ok {
		*target = v
	}
	return ok
}
