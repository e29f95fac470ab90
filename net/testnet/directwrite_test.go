package testnet

import (
	"net"
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

// TestDirectWriteOrder: replies the reader writes itself (PONGs to
// alice's pipelined PINGs) and lines the writer writes (bob's stream to
// alice, queued by bob's reader) share one connection; each stream arrives
// complete and in order, and no line is torn by two writers at once.
func TestDirectWriteOrder(t *testing.T) {
	const count = 2000
	n := startNet(t, Options{Log: discard{}})
	a := register(t, n.Node("s1").Addr(), "alice")
	b := register(t, n.Node("s2").Addr(), "bob")

	done := make(chan struct{})
	go func() {
		defer close(done)
		var sb strings.Builder
		for i := range count {
			sb.WriteString("PRIVMSG alice :b " + itoa(i) + "\r\n")
			if i%100 == 99 {
				if _, err := b.nc.Write([]byte(sb.String())); err != nil {
					return
				}
				sb.Reset()
			}
		}
	}()
	var sb strings.Builder
	for i := range count {
		sb.WriteString("PING :p" + itoa(i) + "\r\n")
		if i%50 == 49 {
			a.send("%s", strings.TrimSuffix(sb.String(), "\r\n"))
			sb.Reset()
		}
	}
	pong := 0
	msgs := streamCheck{prefix: "b"}
	for pong < count || msgs.next < count {
		m, err := a.next()
		if err != nil {
			t.Fatalf("after %d PONGs and %d messages: %v", pong, msgs.next, err)
		}
		switch m.Command {
		case "PONG":
			if got, want := m.Trailing(), "p"+itoa(pong); got != want {
				t.Fatalf("PONG %q, want %q", got, want)
			}
			pong++
		case "PRIVMSG":
			msgs.see(m.Trailing())
		default:
			t.Fatalf("unexpected line %s", m)
		}
	}
	if len(msgs.errs) > 0 {
		t.Fatalf("bob's stream: %v", msgs.errs)
	}
	<-done
}

// TestDirectWriteBlocksOnlyItsConnection: a client that reads nothing
// stalls its own connection's write (its reader is blocked writing the
// registration replies into an unread pipe), not the network: another user
// registers, joins and talks meanwhile. Lines for the stalled client that
// were queued while it was blocked follow its earlier replies, in order.
func TestDirectWriteBlocksOnlyItsConnection(t *testing.T) {
	n := startNet(t, Options{Log: discard{}})
	srv, cli := net.Pipe() // synchronous: a write blocks until the other end reads
	t.Cleanup(func() { cli.Close() })
	n.accept(n.Node("s1"), srv, false)
	a := &client{t: t, name: "alice", nc: cli, r: irc.NewReader(cli)}
	a.send("NICK alice")
	a.send("USER alice 0 * :Test alice")

	var ac *conn
	waitFor(t, "alice's registration replies being written", func() bool {
		n.mu.Lock()
		defer n.mu.Unlock()
		for c := range n.conns {
			if c.remote == srv.RemoteAddr().String() {
				ac = c
			}
		}
		if ac == nil {
			return false
		}
		ac.qmu.Lock()
		defer ac.qmu.Unlock()
		return ac.busy
	})

	b := register(t, n.Node("s2").Addr(), "bob")
	b.join("#x")
	b.send("PRIVMSG alice :while you were busy")
	b.barrier()
	ac.qmu.Lock()
	busy, queued := ac.busy, len(ac.q)
	ac.qmu.Unlock()
	if !busy || queued == 0 {
		t.Fatalf("alice's connection: busy=%v, %d queued; want still blocked with bob's line queued", busy, queued)
	}

	a.expectCmd("001", "alice")
	_, skipped := a.expect("bob's message", func(m *irc.Message) bool { return is(m, "PRIVMSG", "alice") })
	end := false
	for _, m := range skipped {
		end = end || m.Command == "376" || m.Command == "422"
	}
	if !end {
		t.Fatalf("bob's message came before the end of alice's registration replies: %s", lines(skipped))
	}
	a.barrier()
}
