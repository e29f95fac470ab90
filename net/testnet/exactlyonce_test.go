package testnet

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

type discard struct{}

func (discard) Printf(string, ...any) {}

// streamCheck verifies a numbered stream "<prefix> N": complete, in order,
// no duplicates.
type streamCheck struct {
	prefix string
	next   int
	errs   []string
}

func (s *streamCheck) see(text string) {
	rest, ok := strings.CutPrefix(text, s.prefix+" ")
	if !ok {
		return
	}
	v, err := strconv.Atoi(rest)
	if err != nil {
		s.errs = append(s.errs, "bad line "+text)
		return
	}
	if v != s.next && len(s.errs) < 5 {
		s.errs = append(s.errs, fmt.Sprintf("%s: got %d, want %d", s.prefix, v, s.next))
	}
	s.next = v + 1
}

// TestExactlyOnce is net/migrate/SPEC.md section 5's guarantee under traffic: alice
// moves s1 → s2 → s1 … while bob streams to her channel and to her, and she
// streams both before OK and inside every window (queued, flushed after
// CONFIRM, as a client does).
func TestExactlyOnce(t *testing.T) {
	const rounds = 120
	n := startNet(t, Options{Log: discard{}})
	a := register(t, n.Node("s1").Addr(), "alice", allCaps...)
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#x")
	b.join("#x")
	a.barrier()
	b.barrier()

	// bob: a writer streaming until told to stop, and a reader collecting.
	stop := make(chan struct{})
	sent := make(chan [2]int, 1)
	writeErr := make(chan error, 1)
	go func() {
		ch, pm := 0, 0
		w := func(s string) error {
			_ = b.nc.SetWriteDeadline(time.Now().Add(wait))
			_, err := b.nc.Write([]byte(s + "\r\n"))
			return err
		}
		for {
			select {
			case <-stop:
				err := w("PRIVMSG #x :b-end")
				if err == nil {
					err = w("PRIVMSG alice :p-end")
				}
				writeErr <- err
				sent <- [2]int{ch, pm}
				return
			default:
			}
			if err := w(fmt.Sprintf("PRIVMSG #x :b %d", ch)); err != nil {
				writeErr <- err
				sent <- [2]int{ch, pm}
				return
			}
			ch++
			if ch%2 == 0 {
				if err := w(fmt.Sprintf("PRIVMSG alice :p %d", pm)); err != nil {
					writeErr <- err
					sent <- [2]int{ch, pm}
					return
				}
				pm++
			}
			time.Sleep(100 * time.Microsecond) // pacing only; correctness never depends on it
		}
	}()
	var bobMu sync.Mutex
	bobSaw := &streamCheck{prefix: "a"}
	var bobVisible []string
	bobDone := make(chan error, 1)
	go func() {
		for {
			_ = b.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
			m, err := b.r.ReadMessage()
			if err != nil {
				bobDone <- err
				return
			}
			if m.Prefix == nil || m.Prefix.Name != "alice" {
				continue
			}
			bobMu.Lock()
			switch m.Command {
			case "PRIVMSG":
				if m.Trailing() == "a-end" {
					bobMu.Unlock()
					bobDone <- nil
					return
				}
				bobSaw.see(m.Trailing())
			case "QUIT", "JOIN", "NICK", "PART":
				bobVisible = append(bobVisible, m.String())
			}
			bobMu.Unlock()
		}
	}()

	chanSeen := &streamCheck{prefix: "b"}
	privSeen := &streamCheck{prefix: "p"}
	gotEnd := map[string]bool{}
	consume := func(m *irc.Message) {
		if m.Command != "PRIVMSG" || m.Prefix == nil || m.Prefix.Name != "bob" {
			return
		}
		switch m.Trailing() {
		case "b-end", "p-end":
			gotEnd[m.Trailing()] = true
			return
		}
		if m.Param(0) == "#x" {
			chanSeen.see(m.Trailing())
		} else {
			privSeen.see(m.Trailing())
		}
	}
	aSeq := 0
	say := func(c *client) {
		c.send("PRIVMSG #x :a %d", aSeq)
		aSeq++
	}
	cur, node := a, "s1"
	for i := 0; i < rounds; i++ {
		to := map[string]string{"s1": "s2", "s2": "s1"}[node]
		if i%2 == 0 {
			if err := n.Migrate("alice", to); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
		} else {
			cur.send("MIGRATE REQUEST %s", to)
		}
		start, skipped := cur.expect("START", func(m *irc.Message) bool { return is(m, "MIGRATE", "START") })
		for _, m := range skipped {
			consume(m)
		}
		say(cur) // processed by OLD: before OK
		addr := net.JoinHostPort(start.Param(1), start.Param(2))
		nc := dialPlain(t, "alice", addr)
		cur.send("MIGRATE OK %s", start.Param(3))
		queued := 3 // typed inside the window: queued until CONFIRM
		_, skipped = cur.expect("PROCEED", func(m *irc.Message) bool { return is(m, "MIGRATE", "PROCEED", start.Param(3)) })
		for _, m := range skipped {
			consume(m)
		}
		if rest := cur.expectClosed(); len(rest) > 0 {
			t.Fatalf("round %d: lines after PROCEED: %s", i, lines(rest))
		}
		cur.nc.Close()
		nc.send("MIGRATE RESUME %s", start.Param(3))
		m, err := nc.next()
		if err != nil || !is(m, "MIGRATE", "CONFIRM", start.Param(4)) {
			t.Fatalf("round %d: want CONFIRM, got %v %v", i, m, err)
		}
		for k := 0; k < queued; k++ {
			say(nc)
		}
		cur, node = nc, to
	}
	close(stop)
	if err := <-writeErr; err != nil {
		t.Fatalf("bob's writer: %v", err)
	}
	counts := <-sent
	for !gotEnd["b-end"] || !gotEnd["p-end"] {
		m, err := cur.next()
		if err != nil {
			t.Fatalf("alice waiting for bob's end markers: %v (chan at %d/%d, priv at %d/%d)", err, chanSeen.next, counts[0], privSeen.next, counts[1])
		}
		consume(m)
	}
	cur.send("PRIVMSG #x :a-end")
	if err := <-bobDone; err != nil {
		t.Fatalf("bob's reader: %v", err)
	}
	if node, _ := n.UserNode("alice"); node != map[bool]string{true: "s1", false: "s2"}[rounds%2 == 0] {
		t.Errorf("alice ended on %s", node)
	}
	for _, s := range []*streamCheck{chanSeen, privSeen} {
		for _, e := range s.errs {
			t.Error("alice:", e)
		}
	}
	if chanSeen.next != counts[0] || privSeen.next != counts[1] {
		t.Errorf("alice got %d/%d channel and %d/%d private lines", chanSeen.next, counts[0], privSeen.next, counts[1])
	}
	bobMu.Lock()
	defer bobMu.Unlock()
	for _, e := range bobSaw.errs {
		t.Error("bob:", e)
	}
	if bobSaw.next != aSeq {
		t.Errorf("bob got %d of alice's %d lines", bobSaw.next, aSeq)
	}
	if len(bobVisible) > 0 {
		t.Errorf("bob saw alice move: %v", bobVisible)
	}
	t.Logf("%d migrations; alice received %d channel + %d private lines, sent %d", rounds, counts[0], counts[1], aSeq)
}
