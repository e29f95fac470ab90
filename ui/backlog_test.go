package ui

import (
	"strconv"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/ui/scrollback"
)

// msgsOf runs cmd (and the commands of a tea.Batch) and returns the
// messages that came back within a short wait; a command still blocked
// then (the event reader on an empty channel) is left running.
func msgsOf(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		if b, ok := msg.(tea.BatchMsg); ok {
			var out []tea.Msg
			for _, c := range b {
				out = append(out, msgsOf(c)...)
			}
			return out
		}
		return []tea.Msg{msg}
	case <-time.After(50 * time.Millisecond):
		return nil
	}
}

// A batch larger than one Update applies is applied over several
// Updates, in order, without the next batch being read meanwhile; a line
// typed between two of them is sent at once.
func TestLargeBatchIsAppliedInSlicesAndKeysGetThrough(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{ShowJoins: "all"})
	demoChannel(hs)
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	members0, lines0 := ch.members.Len(), ch.sb.Len()

	const n = 2*maxApply + maxApply/2
	var first, second []event.Event
	for i := 0; i < n; i++ {
		ev := event.Join{Meta: meta(100), Channel: "#ferry", Nick: "j" + strconv.Itoa(i), UserHost: "u@h"}
		if i < n-100 {
			first = append(first, ev)
		} else {
			second = append(second, ev)
		}
	}
	// A batch waiting behind: the reader must not take it while the
	// backlog is being applied.
	waiting := event.Batch{Events: []event.Event{event.Message{Meta: meta(101), Buffer: "#ferry", From: "late", Text: "after the flood"}}}
	hs.conn.ch <- waiting

	cmd := hs.send(batchMsg{{Events: first}, {Events: second}})
	if got := ch.members.Len() - members0; got != maxApply {
		t.Fatalf("one Update applied %d joins, want %d", got, maxApply)
	}
	msgs := msgsOf(cmd)
	more := false
	for _, msg := range msgs {
		if _, ok := msg.(applyMoreMsg); ok {
			more = true
		}
	}
	if !more || len(hs.conn.ch) != 1 {
		t.Fatalf("after a partial slice: messages %v, %d batches still waiting; want applyMore and the waiting batch untouched", msgs, len(hs.conn.ch))
	}

	hs.typeText("still here")
	hs.keys("enter")
	d := hs.conn.take()
	if len(d) != 1 || d[0].cmd.(command.SendText).Text != "still here" {
		t.Fatalf("typed line during the flood: Do calls %v", d)
	}
	if hs.m.m.backlog.empty() {
		t.Fatal("the backlog was applied by the key press")
	}

	updates := 1
	for !hs.m.m.backlog.empty() {
		cmd = hs.send(applyMoreMsg{})
		updates++
	}
	if want := (n + maxApply - 1) / maxApply; updates != want {
		t.Errorf("%d Updates for %d events, want %d", updates, n, want)
	}
	if got := ch.members.Len() - members0; got != n {
		t.Errorf("%d joins applied, want %d", got, n)
	}
	var joined []string
	for i := lines0; i < ch.sb.Len(); i++ {
		if l := ch.sb.Line(i); l.Kind == scrollback.Join {
			joined = append(joined, l.Nick)
		}
	}
	if len(joined) != n {
		t.Fatalf("%d join lines, want %d", len(joined), n)
	}
	for i, nick := range joined {
		if nick != "j"+strconv.Itoa(i) {
			t.Fatalf("join line %d is %s: order lost", i, nick)
		}
	}
	// Now the reader is armed again and takes the waiting batch.
	var got []tea.Msg
	for _, msg := range msgsOf(cmd) {
		if b, ok := msg.(batchMsg); ok {
			got = append(got, b)
		}
	}
	if len(got) != 1 || len(hs.conn.ch) != 0 {
		t.Errorf("after the backlog: %d batch messages read, %d still waiting; want the waiting one read", len(got), len(hs.conn.ch))
	}
}

// A batch of private messages that takes several Updates rings the bell
// once, as a batch that takes one does.
func TestSlicedBatchRingsOnce(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{Bell: true})
	demoChannel(hs)
	evs := make([]event.Event, 3*maxApply)
	for i := range evs {
		evs[i] = event.Message{Meta: meta(100), Buffer: "alice", From: "alice", Target: "newcomer", Text: "psst " + strconv.Itoa(i)}
	}
	hs.bell.Reset()
	runCmd(hs.feed(evs...))
	if got := hs.bell.String(); got != "\a" {
		t.Errorf("bell wrote %q for one batch, want one \\a", got)
	}
	hs.bell.Reset()
	runCmd(hs.feed(evs[:1]...))
	if got := hs.bell.String(); got != "\a" {
		t.Errorf("bell wrote %q for the next batch, want one \\a", got)
	}
}

// A batch that arrives while a backlog is being applied joins its end
// and starts no second chain of Updates; an applyMore with nothing left
// does nothing (the reader is armed once, not twice).
func TestBatchDuringBacklogKeepsOneChain(t *testing.T) {
	hs := newHarness(t, 100, 20, Options{ShowJoins: "all"})
	demoChannel(hs)
	ch := hs.m.m.netBy["ferrynet"].find("#ferry")
	lines0 := ch.sb.Len()
	joins := func(from, n int) []event.Event {
		evs := make([]event.Event, n)
		for i := range evs {
			evs[i] = event.Join{Meta: meta(100), Channel: "#ferry", Nick: "j" + strconv.Itoa(from+i)}
		}
		return evs
	}
	hs.send(batchMsg{{Events: joins(0, 2*maxApply)}})
	if cmd := hs.send(batchMsg{{Events: joins(2*maxApply, 10)}}); cmd != nil {
		t.Error("a batch during the backlog started its own chain")
	}
	for !hs.m.m.backlog.empty() {
		hs.send(applyMoreMsg{})
	}
	if cmd := hs.send(applyMoreMsg{}); cmd != nil {
		t.Error("an applyMore with an empty backlog re-armed the reader")
	}
	i := 0
	for j := lines0; j < ch.sb.Len(); j++ {
		if l := ch.sb.Line(j); l.Kind == scrollback.Join {
			if l.Nick != "j"+strconv.Itoa(i) {
				t.Fatalf("join line %d is %s: order lost", i, l.Nick)
			}
			i++
		}
	}
	if i != 2*maxApply+10 {
		t.Errorf("%d joins shown, want %d", i, 2*maxApply+10)
	}
}
