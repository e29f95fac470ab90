package conn

import (
	"fmt"
	"net"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/sendq"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
	"gopkg.in/irc.v4"
)

// A migration that starts while typed lines still wait for the flood
// limiter (net/migrate/SPEC.md step 3): OK goes out at once instead of behind the
// backlog, the lines OLD never received move into the migration queue
// (marked Pending again) and reach the server that holds the session after
// the move, exactly once, in order.

// backlogLines is how many lines are typed before the move; with a burst
// of 1 and 200 ms per token they need about 4 s to drain, while a move on
// loopback takes milliseconds: the move must not wait for them.
const backlogLines = 20

var backlogFlood = Flood{Burst: 1, Interval: 200 * time.Millisecond}

func backlogText(i int) string { return fmt.Sprintf("backlog %02d", i) }

// startBacklogChannel connects nick to a test network with backlogFlood,
// joins #b, and puts a raw user eve there to receive what nick says.
func startBacklogChannel(t *testing.T, nick string) (*testnet.Network, *captureLog, *Pool, *collector, *rawClient) {
	t.Helper()
	tn := startTestnet(t, testnet.Options{})
	log := newCaptureLog(t, testing.Verbose())
	cfg := tnConfig(t, tn, "s1", nick, false)
	cfg.Flood = backlogFlood
	p, c := startPoolWith(t, log, nil, cfg)
	c.wait(10*time.Second, "registered", isState("tn", event.StateRegistered))
	p.Do("tn", command.Join{Channel: "#b"})
	c.wait(10*time.Second, "joined", isSelfJoin("#b"))
	eve := dialRaw(t, tn.Node("s1").Addr(), "", "eve", "#b")
	return tn, log, p, c, eve
}

// typeBacklog types backlogLines lines to target and waits until the last
// one has been handed on (its echo is out), so they are in the writer's
// queue or on the wire when the test goes on.
func typeBacklog(p *Pool, c *collector, network, target string) []string {
	var typed []string
	for i := 1; i <= backlogLines; i++ {
		typed = append(typed, backlogText(i))
		p.Do(network, command.SendText{ID: uint64(i), Target: target, Text: backlogText(i)})
	}
	c.wait(5*time.Second, "echo of the last line", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.Self && m.LocalID == backlogLines
	})
	return typed
}

// checkBacklogDelivery checks the events around the migration's end (the
// first Migration event of step end): some lines were still undelivered
// when it came (the move did not wait for the backlog); exactly the lines
// delivered after it were shown pending again (Requeued, once each, by
// LocalID); every line was Delivered exactly once and none Failed.
func checkBacklogDelivery(t *testing.T, c *collector, end event.MigrationStep) {
	t.Helper()
	evs := c.snapshot()
	endAt := slices.IndexFunc(evs, isMigration(end))
	if endAt < 0 {
		t.Fatalf("no %v event", end)
	}
	before, after := map[uint64]int{}, map[uint64]int{}
	repending := map[uint64]bool{}
	for i, e := range evs {
		switch e := e.(type) {
		case event.Delivered:
			if i < endAt {
				before[e.LocalID]++
			} else {
				after[e.LocalID]++
			}
		case event.Requeued:
			if e.LocalID <= backlogLines {
				if repending[e.LocalID] {
					t.Errorf("line %d reported Requeued twice", e.LocalID)
				}
				repending[e.LocalID] = true
			}
		case event.Failed:
			t.Errorf("line %d reported Failed: %s", e.LocalID, e.Reason)
		}
	}
	if len(before) >= backlogLines {
		t.Errorf("all %d lines were delivered before the migration ended: it waited for the backlog", backlogLines)
	}
	if len(after) == 0 {
		t.Error("no line was held for after the move")
	}
	for id := uint64(1); id <= backlogLines; id++ {
		if n := before[id] + after[id]; n != 1 {
			t.Errorf("line %d Delivered %d times, want once", id, n)
		}
		// A line written by OLD before OK was not taken back; a line
		// written after the move was, and the user saw it pending.
		if after[id] > 0 != repending[id] {
			t.Errorf("line %d: delivered after the move %v, shown Pending again %v", id, after[id] > 0, repending[id])
		}
	}
}

func TestMigrationWithFloodBacklog(t *testing.T) {
	tests := []struct {
		name   string
		faults testnet.Faults
		end    event.MigrationStep
		// reconnect: the move fails after PROCEED (fallback reconnect to
		// the configured server).
		reconnect bool
		node      string // where the session ends
	}{
		{name: "resumed", end: event.MigrationResumed, node: "s2"},
		{name: "aborted", faults: testnet.Faults{AbortAfterOK: true}, end: event.MigrationFailed, node: "s1"},
		{name: "drop on resume", faults: testnet.Faults{DropOnResume: true}, end: event.MigrationFailed, reconnect: true, node: "s1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tn, log, p, c, eve := startBacklogChannel(t, "gil")
			states := c.connStates()

			typed := typeBacklog(p, c, "tn", "#b")
			tn.SetFaults(tt.faults)
			if err := tn.Migrate("gil", "s2"); err != nil {
				t.Fatal(err)
			}
			end := c.wait(10*time.Second, "the migration's end", isMigration(tt.end)).(event.Migration)
			if tt.end == event.MigrationFailed && (end.Reason == "" || end.Recovery == "") {
				t.Errorf("Failed event without reason or recovery: %+v", end)
			}
			for i := uint64(1); i <= backlogLines; i++ {
				c.wait(15*time.Second, fmt.Sprintf("delivered %d", i), isDelivered(i))
			}
			p.Do("tn", command.SendText{ID: backlogLines + 1, Target: "#b", Text: "after the move"})
			eve.waitFor(10*time.Second, "the last line", func() bool { return len(eve.texts("#b", "after")) == 1 })
			if got := eve.texts("#b", "backlog "); !slices.Equal(got, typed) {
				t.Errorf("eve got %q,\nwant %q (each once, in order)", got, typed)
			}
			checkBacklogDelivery(t, c, tt.end)
			if node, _ := tn.UserNode(eveNickOf(c)); node != tt.node {
				t.Errorf("the session is on %q, want %s", node, tt.node)
			}
			if tt.reconnect {
				if reg := c.states("tn", event.StateRegistered); reg != 2 {
					t.Errorf("registered %d times, want 2 (fallback reconnect)", reg)
				}
			} else if n := c.connStates(); n != states {
				t.Errorf("%d ConnState events, want none", n-states)
			}
			noCredentialsTo(t, log, tn.Node("s2").Addr())
		})
	}
}

// What OLD reads, in order, when the move is accepted with a backlog and
// then aborted: OK comes before most of the backlog; after OK no typed
// line reaches OLD until FAIL MIGRATE ABORTED, and then the rest of the
// backlog does, once each, in the order typed, ahead of a line typed
// later.
func TestMigrationOKAheadOfBacklog(t *testing.T) {
	old := newRelay(t)
	old.set(func(r *relay) { r.capLS = "draft/migrate" })
	target := newRelay(t)
	cfg := plainNet("net", "ida", old.port())
	cfg.Flood = backlogFlood
	p, c := startPool(t, cfg)
	c.wait(10*time.Second, "registered", isState("net", event.StateRegistered))
	cl := capsAcked(t, old, "ida")

	typed := typeBacklog(p, c, "net", "cy")
	cl.send(":srv MIGRATE START 127.0.0.1 " + strconv.Itoa(target.port()) + " rtok ctok s2")
	old.waitFor(10*time.Second, "OK", func() bool { return len(old.lines("ida", "MIGRATE OK rtok")) == 1 })
	c.wait(5*time.Second, "accepted", isMigration(event.MigrationAccepted))
	seen := old.lines("ida", "")
	ok := slices.Index(seen, "MIGRATE OK rtok")
	var beforeOK int
	for _, l := range seen[:ok] {
		if strings.HasPrefix(l, "PRIVMSG cy") {
			beforeOK++
		}
	}
	if beforeOK >= backlogLines {
		t.Fatalf("OK came after the whole backlog: %q", seen)
	}
	// A line typed now waits behind the taken-back ones.
	p.Do("net", command.SendText{ID: backlogLines + 1, Target: "cy", Text: "typed in the window"})
	c.wait(5*time.Second, "pending", func(e event.Event) bool {
		m, ok := e.(event.Message)
		return ok && m.LocalID == backlogLines+1 && m.Pending
	})
	// A PING barrier: everything the client wrote to OLD before its PONG
	// has been read.
	cl.send("PING :barrier")
	old.waitFor(5*time.Second, "PONG", func() bool { return len(old.lines("ida", "PONG barrier")) == 1 })
	if after := old.lines("ida", ""); len(after) > 0 {
		for _, l := range after[ok+1:] {
			if strings.HasPrefix(l, "PRIVMSG") {
				t.Fatalf("OLD got %q after OK", l)
			}
		}
	}

	cl.send(":srv FAIL MIGRATE ABORTED rtok :no")
	c.wait(5*time.Second, "failed", isMigration(event.MigrationFailed))
	want := append(append([]string(nil), typed...), "typed in the window")
	old.waitFor(15*time.Second, "every line", func() bool { return len(old.lines("ida", "PRIVMSG cy")) >= len(want) })
	var got []string
	for _, l := range old.lines("ida", "PRIVMSG cy :") {
		got = append(got, strings.TrimPrefix(l, "PRIVMSG cy :"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("OLD got %q,\nwant %q (each once, in order)", got, want)
	}
	for i := uint64(1); i <= backlogLines+1; i++ {
		c.wait(5*time.Second, fmt.Sprintf("delivered %d", i), isDelivered(i))
	}
	checkBacklogDelivery(t, c, event.MigrationFailed)
	if n := len(target.lines("*", "")) + len(target.lines("ida", "")); n != 0 {
		t.Errorf("the target read %d lines", n)
	}
}

// NAK does not wait for the backlog either: a START naming a target that
// refuses the connection is declined while typed lines still wait, and
// those lines then reach OLD once each, in order.
func TestMigrationNAKAheadOfBacklog(t *testing.T) {
	old := newRelay(t)
	old.set(func(r *relay) { r.capLS = "draft/migrate" })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // nothing listens there: the dial is refused
	cfg := plainNet("net", "jo", old.port())
	cfg.Flood = backlogFlood
	p, c := startPool(t, cfg)
	c.wait(10*time.Second, "registered", isState("net", event.StateRegistered))
	cl := capsAcked(t, old, "jo")

	typed := typeBacklog(p, c, "net", "cy")
	cl.send(":srv MIGRATE START 127.0.0.1 " + strconv.Itoa(closed) + " rtok ctok s2")
	old.waitFor(10*time.Second, "NAK", func() bool { return len(old.lines("jo", "MIGRATE NAK rtok")) == 1 })
	c.wait(5*time.Second, "declined", isMigration(event.MigrationDeclined))
	if n := len(old.lines("jo", "PRIVMSG cy")); n >= backlogLines {
		t.Errorf("NAK came after the whole backlog (%d lines)", n)
	}
	for i := uint64(1); i <= backlogLines; i++ {
		c.wait(15*time.Second, fmt.Sprintf("delivered %d", i), isDelivered(i))
	}
	old.waitFor(5*time.Second, "every line", func() bool { return len(old.lines("jo", "PRIVMSG cy")) >= backlogLines })
	var got []string
	for _, l := range old.lines("jo", "PRIVMSG cy :") {
		got = append(got, strings.TrimPrefix(l, "PRIVMSG cy :"))
	}
	if !slices.Equal(got, typed) {
		t.Errorf("OLD got %q,\nwant %q", got, typed)
	}
}

// Delivered stays "the last line of the message was written" when the
// lines of a split message are taken back while its first line is being
// written: that write does not deliver the message; the write of the rest
// does, whether by NEW or OLD again (an aborted move flushes them back).
// The message is reported Requeued once, when its lines are taken back.
func TestQueueTakeBackSplitMessage(t *testing.T) {
	for _, abort := range []bool{false, true} {
		var evs []event.Event
		q := sendq.New(func(e event.Event) { evs = append(evs, e) })
		old := newUserLines()
		parts := make([]*sendq.Line, 3)
		for i := range parts {
			parts[i] = q.Push(session.Outgoing{Msg: &irc.Message{Command: "PRIVMSG", Params: []string{"#c", fmt.Sprint("part ", i)}}, Class: session.ClassUser, LocalID: 7})
			q.Hand(parts[i])
			old.add(parts[i].Out.Msg)
		}
		// Part 0 is being written; parts 1 and 2 are taken back.
		for _, l := range parts[1:] {
			if !old.take(l.Out.Msg) || !q.Hold(l) {
				t.Fatalf("abort=%v: taking back %v refused", abort, l.Out.Msg)
			}
		}
		if old.take(parts[1].Out.Msg) || q.Hold(parts[1]) {
			t.Fatal("a line was taken back twice")
		}
		// NEW after CONFIRM, or OLD again: the machine flushes them.
		next := newUserLines()
		if abort {
			next = old
		}
		for _, l := range parts[1:] {
			q.Hand(l)
			next.add(l.Out.Msg)
		}
		if !old.end(parts[0].Out.Msg, nil) || !q.Written(parts[0].Out.Msg) {
			t.Fatalf("abort=%v: the first line's write not recorded", abort)
		}
		if countDelivered(evs) != 0 {
			t.Fatalf("abort=%v: the in-flight first line reported the message delivered", abort)
		}
		if !next.end(parts[1].Out.Msg, nil) || !q.Written(parts[1].Out.Msg) {
			t.Fatalf("abort=%v: the second line's write not recorded", abort)
		}
		if countDelivered(evs) != 0 {
			t.Fatalf("abort=%v: delivered after the second of three lines", abort)
		}
		if !next.end(parts[2].Out.Msg, nil) || !q.Written(parts[2].Out.Msg) {
			t.Fatalf("abort=%v: the last line's write not recorded", abort)
		}
		want := []event.Event{event.Requeued{LocalID: 7}, event.Delivered{LocalID: 7}}
		if !reflect.DeepEqual(evs, want) {
			t.Fatalf("abort=%v: events %v, want %v", abort, evs, want)
		}
		if q.Len()+q.NumWaiting()+len(old.out)+len(next.out) != 0 {
			t.Errorf("abort=%v: lines left behind: %d queued, %d waiting, %v %v", abort, q.Len(), q.NumWaiting(), old.out, next.out)
		}
	}
}

func countDelivered(evs []event.Event) int {
	n := 0
	for _, e := range evs {
		if _, ok := e.(event.Delivered); ok {
			n++
		}
	}
	return n
}
