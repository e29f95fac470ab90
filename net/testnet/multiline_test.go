package testnet

import (
	"strings"
	"testing"

	"gopkg.in/irc.v4"
)

var mlCaps = []string{"batch", "message-tags", "server-time", "echo-message", capMultiline}

// sendBatch sends a multiline batch of lines to target; a line starting
// with "+" is a continuation (the "+" is dropped).
func sendBatch(c *client, ref, target string, lines ...string) {
	c.send("BATCH +%s %s %s", ref, capMultiline, target)
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "+"); ok {
			c.send("@batch=%s;%s PRIVMSG %s :%s", ref, tagConcat, target, rest)
		} else {
			c.send("@batch=%s PRIVMSG %s :%s", ref, target, l)
		}
	}
	c.send("BATCH -%s", ref)
}

// readMultiline reads one multiline batch and returns its opening line
// and the text it stands for.
func readMultiline(t *testing.T, c *client) (*irc.Message, string) {
	t.Helper()
	open := c.expectCmd("BATCH")
	if !strings.HasPrefix(open.Param(0), "+") || open.Param(1) != capMultiline || open.Tags["msgid"] == "" {
		t.Fatalf("not a multiline batch: %s", open)
	}
	ref := open.Param(0)[1:]
	var text strings.Builder
	for i := 0; ; i++ {
		m, err := c.next()
		if err != nil {
			t.Fatal(err)
		}
		if is(m, "BATCH", "-"+ref) {
			return open, text.String()
		}
		if m.Tags["batch"] != ref || m.Command != "PRIVMSG" {
			t.Fatalf("line in batch: %s", m)
		}
		if _, concat := m.Tags[tagConcat]; i > 0 && !concat {
			text.WriteByte('\n')
		}
		text.WriteString(m.Trailing())
	}
}

func TestMultiline(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", mlCaps...)
	b := register(t, n.Node("s2").Addr(), "bob", mlCaps...)
	c := register(t, n.Node("s1").Addr(), "carol", "batch", "message-tags")
	for _, x := range []*client{a, b, c} {
		x.join("#m")
	}
	b.barrier()
	a.barrier()
	sendBatch(a, "x1", "#m", "one", "two", "three ", "+and more", "five")
	want := "one\ntwo\nthree and more\nfive"
	if _, got := readMultiline(t, b); got != want {
		t.Errorf("bob got %q, want %q", got, want)
	}
	if _, got := readMultiline(t, a); got != want {
		t.Errorf("alice's echo %q, want %q", got, want)
	}
	var lines []string
	for range 5 {
		m := c.expectCmd("PRIVMSG", "#m")
		if m.Tags["batch"] != "" || m.Tags["msgid"] == "" {
			t.Errorf("carol got a batch line: %s", m)
		}
		lines = append(lines, m.Trailing())
	}
	if strings.Join(lines, "|") != "one|two|three |and more|five" {
		t.Errorf("carol got %q", lines)
	}
}

func TestMultilineLimits(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", mlCaps...)
	b := register(t, n.Node("s1").Addr(), "bob", mlCaps...)
	a.join("#m")
	b.join("#m")
	many := make([]string, multilineMaxLines+1)
	for i := range many {
		many[i] = "x"
	}
	sendBatch(a, "l", "#m", many...)
	a.expectCmd("FAIL", "BATCH", "MULTILINE_MAX_LINES", "24")
	big := strings.Repeat("y", 400)
	var huge []string
	for range 11 {
		huge = append(huge, big)
	}
	sendBatch(a, "b", "#m", huge...)
	a.expectCmd("FAIL", "BATCH", "MULTILINE_MAX_BYTES", "4096")
	sendBatch(a, "c", "#m", "+starts continued")
	a.expectCmd("FAIL", "BATCH", "MULTILINE_INVALID")
	a.send("BATCH +d %s #m", capMultiline)
	a.send("@batch=d PRIVMSG #other :elsewhere")
	a.send("BATCH -d")
	a.expectCmd("FAIL", "BATCH", "MULTILINE_INVALID_TARGET")
	b.expectNone("a refused batch relayed", func(m *irc.Message) bool {
		return m.Command == "PRIVMSG" || m.Command == "BATCH"
	})
	// Within the limits it goes.
	sendBatch(a, "ok", "#m", "fine", "too")
	if _, got := readMultiline(t, b); got != "fine\ntoo" {
		t.Errorf("got %q", got)
	}
}
