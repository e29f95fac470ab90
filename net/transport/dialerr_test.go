package transport

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// A refused connection names its address once, and the full error is
// still there for errors.Is.
func TestDialErrorNamesAddressOnce(t *testing.T) {
	ln, port := plainListener(t)
	ln.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	_, err := Dial(dialCtx(t), DialConfig{Host: "127.0.0.1", Port: port})
	if err == nil {
		t.Fatal("dial succeeded")
	}
	if got, want := err.Error(), "dial "+addr+": connection refused"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := Reason(err); got != "connection refused" {
		t.Errorf("Reason = %q", got)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("%v is not ECONNREFUSED any more", err)
	}
	if n := strings.Count("Could not connect to "+addr+": "+Reason(err), addr); n != 1 {
		t.Errorf("the sentence names the address %d times", n)
	}
}

func TestDialErrorText(t *testing.T) {
	opErr := func(inner error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6697}, Err: inner}
	}
	sts := " (STS policy: TLS required, no plaintext fallback)"
	tests := []struct {
		err          *DialError
		text, reason string
	}{
		{&DialError{Op: "dial", Addr: "127.0.0.1:6697", Err: opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED))},
			"dial 127.0.0.1:6697: connection refused", "connection refused"},
		{&DialError{Op: "dial", Addr: "nosuch.invalid:6667", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "nosuch.invalid", IsNotFound: true}}},
			"dial nosuch.invalid:6667: no such host", "no such host"},
		{&DialError{Op: "dial", Addr: "irc.example.net:6667", Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "server misbehaving", Name: "irc.example.net"}}},
			"dial irc.example.net:6667: name lookup failed: server misbehaving", "name lookup failed: server misbehaving"},
		{&DialError{Op: "dial", Addr: "127.0.0.1:6697", Why: sts, Err: opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED))},
			"dial 127.0.0.1:6697: connection refused" + sts, "connection refused" + sts},
		{&DialError{Op: "tls", Addr: "127.0.0.1:6697", Err: errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority")},
			"tls 127.0.0.1:6697: tls: failed to verify certificate: x509: certificate signed by unknown authority",
			"tls: failed to verify certificate: x509: certificate signed by unknown authority"},
		{&DialError{Op: "tls", Addr: "127.0.0.1:6697", Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}},
			"tls 127.0.0.1:6697: connection reset by peer", "TLS: connection reset by peer"},
		{&DialError{Op: "dial", Addr: "192.0.2.1:6667", Err: &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}},
			"dial 192.0.2.1:6667: timed out", "timed out"},
		{&DialError{Op: "tls", Addr: "192.0.2.1:6697", Err: context.DeadlineExceeded},
			"tls 192.0.2.1:6697: timed out", "TLS: timed out"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.text {
			t.Errorf("Error() = %q, want %q", got, tt.text)
		}
		if got := Reason(tt.err); got != tt.reason {
			t.Errorf("Reason = %q, want %q", got, tt.reason)
		}
	}
	if got := Reason(errors.New("dial: no host given")); got != "dial: no host given" {
		t.Errorf("Reason of another error = %q", got)
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }
