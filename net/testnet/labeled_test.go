package testnet

import (
	"testing"

	"gopkg.in/irc.v4"
)

func TestLabeledResponse(t *testing.T) {
	n := startNet(t, Options{})
	addr := n.Node("s1").Addr()
	a := register(t, addr, "alice", "batch", "message-tags", "echo-message", capLabeled)
	b := register(t, addr, "bob")
	a.join("#c")
	b.join("#c")
	a.barrier()

	// Several replies: one labeled-response batch, every line inside it.
	a.send("@label=w1 WHOIS bob")
	open := a.expectCmd("BATCH")
	ref := open.Param(0)
	if open.Tags["label"] != "w1" || len(ref) < 2 || ref[0] != '+' || open.Param(1) != "labeled-response" {
		t.Fatalf("opening %s", open)
	}
	end, inside := a.expect("BATCH -ref", func(m *irc.Message) bool { return is(m, "BATCH", "-"+ref[1:]) })
	if end.Tags["label"] != "" {
		t.Errorf("closing BATCH labelled: %s", end)
	}
	if len(inside) < 3 || inside[0].Command != RPL_WHOISUSER || inside[len(inside)-1].Command != RPL_ENDOFWHOIS {
		t.Fatalf("batch held %s", lines(inside))
	}
	for _, m := range inside {
		if m.Tags["batch"] != ref[1:] || m.Tags["label"] != "" {
			t.Errorf("line in the batch tagged %v: %s", m.Tags, m)
		}
	}

	// One reply: the label on it. The echo of a message is that reply;
	// bob, who did not send it, sees no label.
	a.send("@label=m1 PRIVMSG #c :hello")
	echo := a.expectCmd("PRIVMSG", "#c", "hello")
	if echo.Tags["label"] != "m1" {
		t.Errorf("echo %s", echo)
	}
	if got := b.expectCmd("PRIVMSG", "#c", "hello"); got.Tags["label"] != "" {
		t.Errorf("bob got the label: %s", got)
	}

	// No reply: ACK.
	a.send("@label=a1 PONG :s1")
	ack := a.expectCmd("ACK")
	if ack.Tags["label"] != "a1" {
		t.Errorf("ACK %s", ack)
	}

	// An error numeric is a reply like any other.
	a.send("@label=e1 WHOIS nobody")
	open = a.expectCmd("BATCH")
	if open.Tags["label"] != "e1" {
		t.Errorf("error batch %s", open)
	}
	a.barrier()

	// A client without the capability gets no label, nor an ACK.
	b.send("@label=x MODE #c +t")
	b.expectNone("a label or ACK", func(m *irc.Message) bool { return m.Tags["label"] != "" || m.Command == "ACK" })
}

func TestSetnameChghostAccount(t *testing.T) {
	n := startNet(t, Options{Accounts: map[string]string{"alice": "pw"}})
	addr := n.Node("s1").Addr()
	all := []string{"setname", "chghost", "account-notify", "account-tag", "extended-join", "message-tags"}
	a := dialPlain(t, "alice", addr)
	a.send("CAP LS 302")
	a.send("CAP REQ :sasl")
	a.send("NICK alice")
	a.send("USER alice 0 * :Alice A")
	a.send("AUTHENTICATE PLAIN")
	a.expectCmd("AUTHENTICATE", "+")
	a.send("AUTHENTICATE %s", b64("\x00alice\x00pw"))
	a.expectCmd("903")
	a.send("CAP END")
	a.expectCmd("001")
	b := register(t, addr, "bob", all...)
	plain := register(t, addr, "carol")
	b.join("#c")
	plain.join("#c")

	// extended-join: bob sees alice's account and realname; carol the plain JOIN.
	a.join("#c")
	aliceJoin := func(m *irc.Message) bool { return is(m, "JOIN", "#c") && m.Prefix.Name == "alice" }
	if j, _ := b.expect("alice's JOIN", aliceJoin); j.Param(1) != "alice" || j.Param(2) != "Alice A" {
		t.Errorf("extended JOIN %s", j)
	}
	if j, _ := plain.expect("alice's JOIN", aliceJoin); len(j.Params) != 1 {
		t.Errorf("plain JOIN %s", j)
	}
	// account-tag.
	a.send("PRIVMSG #c :hi")
	if m := b.expectCmd("PRIVMSG", "#c", "hi"); m.Tags["account"] != "alice" {
		t.Errorf("no account tag: %s", m)
	}
	if m := plain.expectCmd("PRIVMSG", "#c", "hi"); m.Tags["account"] != "" {
		t.Errorf("account tag without the cap: %s", m)
	}
	// setname: alice did not enable it.
	a.send("SETNAME :New A")
	a.expectCmd("FAIL", "SETNAME", "CANNOT_CHANGE_REALNAME")
	b.send("SETNAME :Robert")
	if m := b.expectCmd("SETNAME", "Robert"); m.Prefix.Name != "bob" {
		t.Errorf("own SETNAME %s", m)
	}
	b.send("SETNAME :")
	b.expectCmd("FAIL", "SETNAME", "INVALID_REALNAME")
	b.send("WHOIS bob")
	if m := b.expectCmd(RPL_WHOISUSER, "bob", "bob"); m.Trailing() != "Robert" {
		t.Errorf("WHOIS after SETNAME %s", m)
	}
	// chghost: bob (chghost) sees it, carol does not.
	if err := n.SetHost("alice", "cloak.example"); err != nil {
		t.Fatal(err)
	}
	if m := b.expectCmd("CHGHOST", "alice", "cloak.example"); m.Prefix.Name != "alice" || m.Prefix.Host == "cloak.example" {
		t.Errorf("CHGHOST %s (the prefix is the old host)", m)
	}
	plain.expectNone("CHGHOST", func(m *irc.Message) bool { return m.Command == "CHGHOST" })
	// account-notify.
	if err := n.SetAccount("alice", ""); err != nil {
		t.Fatal(err)
	}
	b.expectCmd("ACCOUNT", "*")
	if err := n.SetAccount("alice", "alice2"); err != nil {
		t.Fatal(err)
	}
	b.expectCmd("ACCOUNT", "alice2")
	plain.expectNone("ACCOUNT", func(m *irc.Message) bool { return m.Command == "ACCOUNT" })
	if n.SetHost("nobody", "x") == nil || n.SetAccount("alice", "bad name") == nil || n.SetHost("alice", "a b") == nil {
		t.Error("bad SetHost/SetAccount accepted")
	}
}
