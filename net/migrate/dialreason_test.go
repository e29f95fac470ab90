package migrate

import (
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/ferry-irc/ferry/net/transport"
)

// A failed dial to the target is one sentence naming the target once.
func TestDialFailureNamesTargetOnce(t *testing.T) {
	err := &transport.DialError{Op: "dial", Addr: "s2.example.net:6697", Err: &net.OpError{Op: "dial", Net: "tcp",
		Addr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 6697}, Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
	nak, why := dialFailure("s2.example.net:6697", err)
	if nak != nakUnreachable || why != "could not connect to s2.example.net:6697: connection refused" {
		t.Errorf("dialFailure = %q, %q", nak, why)
	}
	if n := strings.Count(why, "s2.example.net"); n != 1 {
		t.Errorf("%q names the target %d times", why, n)
	}
}
