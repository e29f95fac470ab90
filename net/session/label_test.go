package session

import (
	"testing"
	"time"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

const labelCaps = "batch message-tags labeled-response"

// labelled registers offering labeled-response and joins #c.
func labelled(t *testing.T) *script {
	sc := newScript(t, Config{})
	sc.register(labelCaps)
	sc.feed(":me!u@h JOIN #c")
	sc.sent()
	return sc
}

func TestLabelledWhoisGoesToTheBufferThatAsked(t *testing.T) {
	sc := labelled(t)
	sc.s.Submit(command.Asked{Buffer: "bob", Cmd: command.Whois{Nick: "bob"}})
	sc.expect("@label=f1 WHOIS bob")
	evs := sc.feed(
		"@label=f1 :srv BATCH +w labeled-response",
		"@batch=w :srv 311 me bob b host * :Bob B",
		"@batch=w :srv 319 me bob :#c",
		"@batch=w :srv 318 me bob :End of /WHOIS list",
		":srv BATCH -w",
	)
	infos := only[event.Info](evs)
	if len(infos) != 3 {
		t.Fatalf("want 3 infos, got %#v", evs)
	}
	for _, in := range infos {
		if in.Buffer != "bob" || in.Reply {
			t.Errorf("labelled reply placed %+v", in)
		}
	}
	if len(sc.s.labels.pending) != 0 || len(sc.s.labels.batches) != 0 {
		t.Errorf("label kept after its batch: %+v", sc.s.labels)
	}
	// The same numerics unlabelled are replies placed by the UI's guess.
	info := one[event.Info](t, sc.feed(":srv 311 me bob b host * :Bob B"))
	if info.Buffer != "" || !info.Reply {
		t.Errorf("unlabelled reply %+v", info)
	}
}

func TestLabelledSingleReplyAndAck(t *testing.T) {
	sc := labelled(t)
	// From the server buffer: a channel numeric still goes to the server buffer.
	sc.s.Submit(command.Asked{Cmd: command.Mode{Target: "#c"}})
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.Raw{Line: "AWAY"}})
	sc.expect("@label=f1 MODE #c", "@label=f2 AWAY")
	info := one[event.Info](t, sc.feed("@label=f1 :srv 324 me #c +nt"))
	if info.Buffer != "" || info.Reply {
		t.Errorf("324 asked from the server buffer placed %+v", info)
	}
	if evs := sc.feed("@label=f2 :srv ACK"); len(evs) != 0 {
		t.Errorf("ACK gave %#v", evs)
	}
	if len(sc.s.labels.pending) != 0 {
		t.Errorf("labels kept: %+v", sc.s.labels.pending)
	}
	// A late answer under a forgotten label is placed as unlabelled.
	info = one[event.Info](t, sc.feed("@label=f1 :srv 324 me #c +nt"))
	if info.Buffer != "#c" {
		t.Errorf("late 324 placed %+v", info)
	}
}

func TestLabelsOnlyWhereOfferedAndAskedFor(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("batch message-tags")
	sc.s.Submit(command.Asked{Buffer: "bob", Cmd: command.Whois{Nick: "bob"}})
	sc.expect("WHOIS bob")

	sc = labelled(t)
	// A change is not labelled; nor is a refused request remembered.
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.Mode{Target: "#c", Modes: "+o", Args: []string{"bob"}}})
	sc.expect("MODE #c +o bob")
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.Whois{Nick: "bad nick"}})
	sc.expect()
	if len(sc.s.labels.pending) != 0 || sc.s.labels.next != "" {
		t.Errorf("label state after a refusal: %+v", sc.s.labels)
	}
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.Names{Channel: "#c"}})
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.Topic{Channel: "#c"}})
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.List{}})
	sc.expect("@label=f2 NAMES #c", "@label=f3 TOPIC #c", "@label=f4 LIST")
}

func TestLabelTableBounded(t *testing.T) {
	sc := labelled(t)
	for i := 0; i < maxLabels+10; i++ {
		sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.List{}})
	}
	sc.sent()
	if n := len(sc.s.labels.pending); n != maxLabels {
		t.Fatalf("%d labels kept, want %d", n, maxLabels)
	}
	sc.clock.advance(labelTTL + time.Second)
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.List{}})
	sc.sent()
	if n := len(sc.s.labels.pending); n != 1 {
		t.Fatalf("%d labels after expiry, want 1", n)
	}
	// An expired label's answer is unlabelled.
	info := one[event.Info](t, sc.feed("@label=f1 :srv 401 me x :No such nick"))
	if !info.Reply || info.Buffer != "" {
		t.Errorf("answer to an expired label %+v", info)
	}
}

func TestLabelledFailGoesToTheBufferThatAsked(t *testing.T) {
	sc := labelled(t)
	sc.s.Submit(command.Asked{Buffer: "bob", Cmd: command.Raw{Line: "REGISTER x y"}})
	sc.expect("@label=f1 REGISTER x y")
	info := one[event.Info](t, sc.feed("@label=f1 :srv FAIL REGISTER BAD_ACCOUNT_NAME #c :Invalid account name"))
	if info.Buffer != "bob" || !info.Error || info.Text != "REGISTER: Invalid account name (BAD_ACCOUNT_NAME)" {
		t.Errorf("labelled FAIL %+v", info)
	}
}

// A line labelled on a connection with labeled-response, still held when
// the next connection has none, goes out without the label.
func TestHeldLineLosesItsLabel(t *testing.T) {
	sc := labelled(t)
	sc.s.Submit(command.Asked{Buffer: "#c", Cmd: command.List{}})
	held := []Outgoing{sc.rec.out[0]}
	sc.sent()
	sc.s.Undeliverable(held)
	if held[0].Msg.Tags["label"] == "" {
		t.Fatal("label dropped on the connection that has labeled-response")
	}
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :batch", ":srv CAP * ACK :batch", ":srv 001 me :hi")
	sc.sent()
	sc.s.Undeliverable(held)
	if got := held[0].Msg.String(); got != "LIST" {
		t.Errorf("held line sent as %q", got)
	}
}
