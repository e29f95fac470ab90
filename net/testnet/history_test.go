package testnet

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// historyPage sends a CHATHISTORY request and returns the texts of the batch.
func historyPage(t *testing.T, c *client, req string) (texts []string, msgs []*irc.Message) {
	t.Helper()
	c.send("CHATHISTORY %s", req)
	open := c.expectCmd("BATCH")
	if !strings.HasPrefix(open.Param(0), "+") || open.Param(1) != "chathistory" {
		t.Fatalf("BATCH open = %s", open)
	}
	return readBatch(t, c, open.Param(0)[1:])
}

// readBatch reads the lines of the history batch id up to its end; each
// must carry the batch, msgid and time tags.
func readBatch(t *testing.T, c *client, id string) (texts []string, msgs []*irc.Message) {
	t.Helper()
	for {
		m, err := c.next()
		if err != nil {
			t.Fatal(err)
		}
		if is(m, "BATCH", "-"+id) {
			return texts, msgs
		}
		if m.Tags["batch"] != id || m.Tags["msgid"] == "" || m.Tags["time"] == "" {
			t.Fatalf("history line without batch/msgid/time: %s", m)
		}
		texts = append(texts, m.Trailing())
		msgs = append(msgs, m)
	}
}

func TestChathistory(t *testing.T) {
	n := startNet(t, Options{})
	caps := []string{"batch", "server-time", "message-tags", capChathistory}
	a := register(t, n.Node("s1").Addr(), "alice", caps...)
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#h")
	b.join("#h")
	var ids []string
	for i := 0; i < 5; i++ {
		b.send("PRIVMSG #h :line %d", i)
		m := a.expectCmd("PRIVMSG", "#h")
		ids = append(ids, m.Tags["msgid"])
	}
	b.send("PRIVMSG alice :private 0")
	a.expectCmd("PRIVMSG", "alice")

	check := func(req string, want ...string) {
		t.Helper()
		got, _ := historyPage(t, a, req)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("CHATHISTORY %s = %q, want %q", req, got, want)
		}
	}
	check("LATEST #h * 3", "line 2", "line 3", "line 4")
	check("LATEST #H * 100", "line 0", "line 1", "line 2", "line 3", "line 4")
	check("LATEST #h msgid="+ids[2]+" 10", "line 3", "line 4")
	check("BEFORE #h msgid="+ids[3]+" 2", "line 1", "line 2")
	check("AFTER #h msgid="+ids[1]+" 2", "line 2", "line 3")
	check("AROUND #h msgid="+ids[2]+" 3", "line 1", "line 2", "line 3")
	check("BETWEEN #h msgid="+ids[0]+" msgid="+ids[4]+" 10", "line 1", "line 2", "line 3")
	check("BETWEEN #h msgid="+ids[4]+" msgid="+ids[0]+" 2", "line 2", "line 3")
	check("LATEST bob * 10", "private 0")
	_, msgs := historyPage(t, a, "LATEST #h * 1")
	if msgs[0].Tags["msgid"] != ids[4] || msgs[0].Prefix.Name != "bob" {
		t.Errorf("history line %s does not keep its msgid and sender", msgs[0])
	}
	ts := msgs[0].Tags["time"]
	check("AFTER #h timestamp=" + ts + " 10")
	if got, _ := historyPage(t, a, "BEFORE #h timestamp="+ts+" 10"); strings.Contains(strings.Join(got, "|"), "line 4") {
		t.Errorf("BEFORE the last line's time includes it: %q", got)
	}

	a.send("CHATHISTORY LATEST #elsewhere * 10")
	a.expectCmd("FAIL", "CHATHISTORY", "INVALID_TARGET")
	a.send("CHATHISTORY LATEST #h * many")
	a.expectCmd("FAIL", "CHATHISTORY", "INVALID_PARAMS")
	a.send("CHATHISTORY BEFORE #h * 10")
	a.expectCmd("FAIL", "CHATHISTORY", "INVALID_PARAMS")
	a.send("CHATHISTORY SIDEWAYS #h * 10")
	a.expectCmd("FAIL", "CHATHISTORY", "UNKNOWN_COMMAND", "SIDEWAYS")
	a.send("CHATHISTORY LATEST #h")
	a.expectCmd("FAIL", "CHATHISTORY", "NEED_MORE_PARAMS")

	from := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	to := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	a.send("CHATHISTORY TARGETS timestamp=%s timestamp=%s 10", from, to)
	a.expectCmd("BATCH")
	var targets []string
	for {
		m, err := a.next()
		if err != nil {
			t.Fatal(err)
		}
		if m.Command == "BATCH" {
			break
		}
		targets = append(targets, m.Param(1))
	}
	if fmt.Sprint(targets) != "[#h bob]" {
		t.Errorf("TARGETS = %v", targets)
	}
}

// TestChathistoryFillsADisconnection: another user talks
// while a client is away; after it comes back the lines are in history.
func TestChathistoryFillsADisconnection(t *testing.T) {
	n := startNet(t, Options{})
	a := register(t, n.Node("s1").Addr(), "alice", "batch", "message-tags", "server-time")
	b := register(t, n.Node("s2").Addr(), "bob")
	a.join("#h")
	b.join("#h")
	b.send("PRIVMSG #h :before")
	last := a.expectCmd("PRIVMSG", "#h", "before").Tags["msgid"]
	if err := n.Disconnect("alice"); err != nil {
		t.Fatal(err)
	}
	b.expect("QUIT of alice", fromAlice("QUIT"))
	for i := 0; i < 3; i++ {
		b.send("PRIVMSG #h :missed %d", i)
	}
	b.barrier()
	a2 := register(t, n.Node("s2").Addr(), "alice", "batch", "message-tags", "server-time")
	a2.join("#h")
	got, _ := historyPage(t, a2, "AFTER #h msgid="+last+" 100")
	if strings.Join(got, "|") != "missed 0|missed 1|missed 2" {
		t.Fatalf("gap fill = %q", got)
	}
}
