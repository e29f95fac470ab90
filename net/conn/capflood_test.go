package conn

import (
	"fmt"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"gopkg.in/irc.v4"
)

// A server whose CAP LS reply does not end: ferry stops reading the list,
// negotiates with what it read, and registers.
func TestEndlessCapLSRegisters(t *testing.T) {
	srv := newRelay(t)
	srv.set(func(r *relay) {
		r.onLine = func(c *relayClient, m *irc.Message) bool {
			if m.Command != "CAP" || m.Param(0) != "LS" {
				return false
			}
			c.capping = true
			for i := 0; i < 500; i++ {
				c.send(fmt.Sprintf(":srv CAP * LS * :server-time x%d-a x%d-b x%d-c", i, i, i))
			}
			return true
		}
	})
	_, c := startPool(t, plainNet("net", "cap", srv.port()))
	c.wait(10*time.Second, "registered", isState("net", event.StateRegistered))
	if n := len(srv.lines("cap", "CAP REQ")); n != 1 {
		t.Errorf("%d CAP REQ lines, want 1", n)
	}
}
