package conn

import (
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/event"
)

// A refused connection is one sentence naming the address once; the
// waiting state's reason names it at most once more.
func TestDialErrorNamesAddressOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there now
	addr := "127.0.0.1:" + strconv.Itoa(port)
	_, c := startPool(t, plainNet("net", "dee", port))
	e := c.wait(5*time.Second, "the error", func(e event.Event) bool { _, ok := e.(event.Error); return ok }).(event.Error)
	if want := "Could not connect to " + addr + ": connection refused"; e.Text != want {
		t.Errorf("error %q, want %q", e.Text, want)
	}
	w := c.wait(5*time.Second, "waiting", isState("net", event.StateWaiting)).(event.ConnState)
	if n := strings.Count(w.Reason, addr); n > 1 {
		t.Errorf("waiting reason %q names the address %d times", w.Reason, n)
	}
}
