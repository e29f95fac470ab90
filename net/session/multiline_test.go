package session

import (
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

const mlCaps = "batch echo-message message-tags server-time draft/multiline=max-bytes=4096,max-lines=24"

// TestMultilineSendsOneBatch: a paste of lines goes out as one batch, its
// lines tagged with the batch, every wire line carrying the LocalID and
// the batch reference; one Message announces it with the lines joined.
func TestMultilineSendsOneBatch(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register(mlCaps)
	evs := sc.s.Submit(command.SendText{ID: 7, Target: "#c", Text: "one\ntwo\nthree"})
	out := sc.rec.out
	want := []string{
		"BATCH +ml1 draft/multiline #c",
		"@batch=ml1 PRIVMSG #c one",
		"@batch=ml1 PRIVMSG #c two",
		"@batch=ml1 PRIVMSG #c three",
		"BATCH -ml1",
	}
	if got := sc.sent(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("sent %q, want %q", got, want)
	}
	for i, o := range out {
		if o.LocalID != 7 || o.Batch != "ml1" || o.OpensBatch() != (i == 0) {
			t.Errorf("line %d: LocalID %d Batch %q opens %v", i, o.LocalID, o.Batch, o.OpensBatch())
		}
	}
	msg := one[event.Message](t, evs)
	if msg.Text != "one\ntwo\nthree" || msg.LocalID != 7 || msg.Part != 0 || !msg.Self {
		t.Fatalf("announced %+v", msg)
	}
	// The echo, as a batch, matches our message.
	evs = sc.feed(
		"@time=2026-11-26T12:00:01.000Z;msgid=m1 :me!u@h BATCH +x draft/multiline #c",
		"@batch=x :me!u@h PRIVMSG #c one",
		"@batch=x :me!u@h PRIVMSG #c two",
		"@batch=x :me!u@h PRIVMSG #c three",
		":me!u@h BATCH -x")
	echo := one[event.Message](t, evs)
	if !echo.Echo || echo.LocalID != 7 || echo.Part != 0 || echo.MsgID != "m1" || echo.Text != "one\ntwo\nthree" {
		t.Fatalf("echo %+v", echo)
	}
}

// TestMultilineLongLineConcat: a line longer than a protocol line is cut
// into pieces that rebuild it, continuations tagged concat, within the
// server's max-lines; more lines than that go out as further batches.
func TestMultilineLongLineConcat(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("batch draft/multiline=max-bytes=4096,max-lines=3")
	long := strings.Repeat("word ", 200) // 1000 bytes
	evs := sc.s.Submit(command.SendText{ID: 9, Target: "#c", Text: long + "\na\nb\nc"})
	var batches, lines int
	var rebuilt strings.Builder
	for _, o := range sc.rec.out {
		switch {
		case o.OpensBatch():
			batches++
		case o.Msg.Command == "PRIVMSG":
			lines++
			if len(o.Msg.String()) > 512 {
				t.Errorf("line too long: %d bytes", len(o.Msg.String()))
			}
			_, concat := o.Msg.Tags[concatTag]
			if batches == 1 && lines > 1 != concat {
				t.Errorf("line %d of the first batch: concat %v", lines, concat)
			}
			if batches == 1 {
				rebuilt.WriteString(o.Msg.Param(1))
			}
		}
	}
	if rebuilt.String() != strings.TrimRight(long, " ")+" " && rebuilt.String() != long {
		t.Errorf("pieces rebuild %q", rebuilt.String())
	}
	msgs := only[event.Message](evs)
	if batches < 2 || len(msgs) != batches {
		t.Fatalf("%d batches, %d messages", batches, len(msgs))
	}
	for i, m := range msgs {
		if m.Part != i || m.LocalID != 9 {
			t.Errorf("message %d: %+v", i, m)
		}
	}
	if msgs[0].Text != long {
		t.Errorf("first batch reads %q", msgs[0].Text)
	}
}

// TestMultilineOff: without the capability a paste is separate lines, as
// before.
func TestMultilineOff(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("batch echo-message")
	sc.s.Submit(command.SendText{ID: 3, Target: "#c", Text: "one\ntwo"})
	sc.expect("PRIVMSG #c one", "PRIVMSG #c two")
}

// TestMultilineReceived: another user's batch is one message, concat
// pieces joined without a newline; the batch's tags are the message's.
func TestMultilineReceived(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register(mlCaps)
	evs := sc.feed(
		"@msgid=z :bob!b@h BATCH +q draft/multiline #c",
		"@batch=q :bob!b@h PRIVMSG #c :hello ",
		"@batch=q;draft/multiline-concat :bob!b@h PRIVMSG #c world",
		"@batch=q :bob!b@h PRIVMSG #c :second me line",
		":bob!b@h BATCH -q")
	msg := one[event.Message](t, evs)
	if msg.Text != "hello world\nsecond me line" || msg.From != "bob" || msg.MsgID != "z" || msg.Buffer != "#c" || !msg.Highlight {
		t.Fatalf("got %+v", msg)
	}
}

// TestCapNewsAtRegistration: the UI learns both capabilities' state at 001.
func TestCapNewsAtRegistration(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :batch draft/read-marker draft/multiline=max-bytes=100,max-lines=5")
	sc.feed(":srv CAP * ACK :batch draft/read-marker draft/multiline")
	sc.feed(loggedIn) // markers are kept per account (readmarker.go)
	evs := sc.feed(":srv 001 me :Welcome")
	if rm := one[event.ReadMarkers](t, evs); !rm.On {
		t.Error("read markers off")
	}
	if ml := one[event.Multiline](t, evs); ml.MaxBytes != 100 || ml.MaxLines != 5 {
		t.Errorf("multiline %+v", ml)
	}
	evs = sc.feed(":srv CAP me DEL :draft/multiline")
	if ml := one[event.Multiline](t, evs); ml.MaxBytes != 0 {
		t.Errorf("after DEL: %+v", ml)
	}
}
