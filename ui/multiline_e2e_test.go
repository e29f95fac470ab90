package ui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/ui/scrollback"
)

// TestE2EMultilinePaste: ferry (the real Pool and model) pastes five lines
// into a channel on ferryd, which offers draft/multiline. A client with
// the capability gets one batch of the five lines; a client without it
// gets five PRIVMSGs. Ferry shows its paste as one message, delivered; a
// batch from the other client is one message of five rows here too.
func TestE2EMultilinePaste(t *testing.T) {
	tn, _, other, f := e2eSetup(t, "#ml")
	addr := tn.Node("s1").Addr()
	ml := dialRawWith(t, addr, "mlclient", f.wake, "CAP LS 302", "CAP REQ :batch message-tags draft/multiline", "CAP END")
	ml.send("JOIN #ml")
	ml.waitFor("mlclient in #ml", func(m *irc.Message) bool { return m.Command == "366" })
	f.until("multiline on", func() bool { return f.net().multiline })
	f.focus("#ml")

	paste := []string{"first", "second", "third", "fourth", "fifth"}
	f.update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Join(paste, "\n")), Paste: true})
	f.update(keyMsg("y")) // five lines: the paste question
	joined := strings.Join(paste, "\n")
	f.until("the paste delivered", func() bool {
		own := f.lines("#ml", func(l scrollback.Line) bool { return l.Self && l.Text == joined })
		return len(own) == 1 && !own[0].Pending && own[0].MsgID != ""
	})
	if n := len(f.lines("#ml", func(l scrollback.Line) bool { return l.Self && l.Kind == scrollback.Message })); n != 1 {
		t.Errorf("ferry shows %d own lines, want the one message", n)
	}

	// The plain client: five lines.
	f.until("other got five lines", func() bool { return len(other.said("you", "#ml")) == 5 })
	if got := other.said("you", "#ml"); strings.Join(got, "|") != strings.Join(paste, "|") {
		t.Errorf("other got %q", got)
	}
	// The multiline client: one batch of the five.
	f.until("mlclient got the batch end", func() bool {
		return len(ml.find(func(m *irc.Message) bool { return m.Command == "BATCH" && strings.HasPrefix(m.Param(0), "-") })) == 1
	})
	opens := ml.find(func(m *irc.Message) bool { return m.Command == "BATCH" && strings.HasPrefix(m.Param(0), "+") })
	if len(opens) != 1 || opens[0].Param(1) != "draft/multiline" || opens[0].Param(2) != "#ml" {
		t.Fatalf("batches opened: %v", opens)
	}
	ref := opens[0].Param(0)[1:]
	var inBatch []string
	for _, m := range ml.find(func(m *irc.Message) bool { return m.Command == "PRIVMSG" }) {
		if m.Tags["batch"] != ref {
			t.Errorf("a line outside the batch: %s", m)
		}
		inBatch = append(inBatch, m.Trailing())
	}
	if strings.Join(inBatch, "|") != strings.Join(paste, "|") {
		t.Errorf("batch lines %q", inBatch)
	}

	// Back: a batch from mlclient is one message in ferry, drawn as rows.
	ml.send("BATCH +r1 draft/multiline #ml")
	for _, l := range []string{"alpha", "beta", "gamma"} {
		ml.send("@batch=r1 PRIVMSG #ml :" + l)
	}
	ml.send("BATCH -r1")
	f.until("the batch shown", func() bool {
		return len(f.lines("#ml", func(l scrollback.Line) bool { return l.Nick == "mlclient" && l.Text == "alpha\nbeta\ngamma" })) == 1
	})
	rows := strings.Split(f.screen(), "\n")
	for i, r := range rows {
		if strings.Contains(r, "alpha") {
			if i+2 >= len(rows) || !strings.Contains(rows[i+1], "beta") || !strings.Contains(rows[i+2], "gamma") || strings.Contains(rows[i+1], "mlclient") {
				t.Errorf("the batch is not drawn as rows under one nick:\n%s", f.screen())
			}
			break
		}
	}
}
