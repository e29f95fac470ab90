package testnet

import (
	"io"
	"net"
	"strings"
	"testing"
)

// FuzzServerLines feeds arbitrary lines from a registered client: the
// network must never panic, and once the connection ends no state of it
// is left behind.
func FuzzServerLines(f *testing.F) {
	for _, s := range []string{
		"PRIVMSG #f :hi\nMIGRATE REQUEST s2\nMIGRATE OK x",
		"MIGRATE RESUME abc\nMIGRATE NAK\nMIGRATE",
		"MODE #f +ovnt-b fz fz x\nKICK #f fz\nTOPIC #f :t",
		"NICK :a b\nJOIN 0\nJOIN #a,#b,#c\nPART #a,#zz",
		"@+x=\\:y PRIVMSG fz :\x00\x01\xff\nWHOIS\nWHO #f\nNAMES #f,#g",
		"CAP REQ :-message-tags\nCAP LIST\nCAP BOGUS\nAUTHENTICATE PLAIN\nAUTHENTICATE *",
		":\n@\n \nQUIT",
		"AUTHENTICATE SCRAM-SHA-256\nAUTHENTICATE biwsbj1hPTJDLHI9eA==\nAUTHENTICATE Yz1iaXdzLHI9eCxwPQ==\nBOUNCER LISTNETWORKS\nBOUNCER BIND 1",
		"CAP REQ :soju.im/search batch\nPRIVMSG #f :a b\nSEARCH :text=a\\sb;in=#f;from=FZ;limit=99999999999999999999\nSEARCH :text=\\\nSEARCH :text=x;in=#nope;after=x\nSEARCH",
		"CAP REQ :batch draft/multiline\nBATCH +a draft/multiline #f\n@batch=a PRIVMSG #f :x\n@batch=a;draft/multiline-concat PRIVMSG #f :y\nBATCH -a\nBATCH +b draft/multiline\n@batch=zz PRIVMSG #f :x\nBATCH -b\nBATCH -\nBATCH",
		"CAP REQ draft/read-marker\nMARKREAD #f\nMARKREAD #f timestamp=2026-01-01T00:00:00Z\nMARKREAD\nMARKREAD x y",
	} {
		f.Add(s)
	}
	n, err := Start(Options{Log: discard{}, Debug: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(n.Close)
	f.Fuzz(func(t *testing.T, data string) {
		n.lock()
		n.users, n.chans, n.tokens = map[string]*user{}, map[string]*channel{}, map[string]*user{}
		n.unlock()
		server, client := net.Pipe()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		c := &conn{n: n, node: n.nodes[0], nc: server, remote: "127.0.0.1:1", wake: make(chan struct{}, 1), done: make(chan struct{})}
		c.u = newPendingUser(c)
		n.lock()
		n.conns[c] = struct{}{}
		n.wg.Add(1)
		n.unlock()
		go c.writeLoop()
		script := []string{"CAP LS 302", "CAP REQ :" + capMigrate + " message-tags echo-message", "NICK fz", "USER fz 0 * :f", "CAP END", "JOIN #f"}
		for _, l := range append(script, strings.Split(data, "\n")...) {
			if len(l) > maxLineLen {
				continue
			}
			if c.handleLine([]byte(strings.TrimRight(l, "\r"))) {
				break
			}
		}
		c.kill()
		n.lock()
		n.connGone(c, "fuzz done")
		n.unlock()
		<-c.done
		client.Close()
		n.lock()
		defer n.unlock()
		if len(n.users) != 0 || len(n.chans) != 0 || len(n.tokens) != 0 {
			t.Fatalf("state left behind: %v users, %d channels, %d tokens", n.users, len(n.chans), len(n.tokens))
		}
	})
}
