package conn

import (
	"bufio"
	"crypto/tls"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/irc.v4"
)

// relay is a tiny scripted IRC server for this package's tests: it
// registers clients (NICK/USER -> 001), answers PING, relays JOIN and
// PRIVMSG within channels, and lets a test observe every line it received,
// drop clients, go silent, or inject lines. It exists for what the
// reference network (net/testnet) cannot show: silence, STS values, exact
// line counting.
type relay struct {
	t  testing.TB
	ln net.Listener

	mu       sync.Mutex
	clients  map[*relayClient]bool
	got      []string // "nick: LINE" for every line received
	silent   bool     // stop answering and relaying (dead server)
	refuse   bool     // close new connections at once
	onLine   func(c *relayClient, m *irc.Message) bool
	capLS    string // CAP LS reply value ("" = no CAP support)
	echo     bool   // echo-message: PRIVMSG comes back to its sender with a msgid
	msgSeq   int
	accepted int
	changed  chan struct{}
}

type relayClient struct {
	r     *relay
	c     net.Conn
	w     *irc.Writer
	wmu   sync.Mutex
	nick  string
	chans map[string]bool
	// Registration waits for CAP END once CAP LS was answered with caps, as
	// real servers do, so capabilities are on by 001.
	capping, userSeen bool
}

func (c *relayClient) welcome() {
	c.send(":srv 001 " + c.nick + " :Welcome")
	c.send(":srv 005 " + c.nick + " CASEMAPPING=ascii :are supported")
	c.send(":srv 376 " + c.nick + " :End of MOTD")
}

func newRelay(t testing.TB) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return startRelay(t, ln)
}

func newTLSRelay(t testing.TB, cert tls.Certificate) *relay {
	t.Helper()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		t.Fatal(err)
	}
	return startRelay(t, ln)
}

func startRelay(t testing.TB, ln net.Listener) *relay {
	r := &relay{t: t, ln: ln, clients: map[*relayClient]bool{}, changed: make(chan struct{}, 1)}
	go r.accept()
	t.Cleanup(r.close)
	return r
}

func (r *relay) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

func (r *relay) close() {
	r.ln.Close()
	r.mu.Lock()
	for c := range r.clients {
		c.c.Close()
	}
	r.mu.Unlock()
}

func (r *relay) accept() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		refuse := r.refuse
		r.accepted++
		r.mu.Unlock()
		r.poke()
		if refuse {
			c.Close()
			continue
		}
		rc := &relayClient{r: r, c: c, w: irc.NewWriter(c), chans: map[string]bool{}}
		r.mu.Lock()
		r.clients[rc] = true
		r.mu.Unlock()
		go rc.serve()
	}
}

func (r *relay) poke() {
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

func (c *relayClient) send(line string) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	c.w.WriteMessage(irc.MustParseMessage(line))
}

func (c *relayClient) serve() {
	defer func() {
		c.c.Close()
		c.r.mu.Lock()
		delete(c.r.clients, c)
		c.r.mu.Unlock()
		c.r.poke()
	}()
	rd := irc.NewReader(bufio.NewReader(c.c))
	for {
		m, err := rd.ReadMessage()
		if err != nil {
			return
		}
		r := c.r
		r.mu.Lock()
		nick := c.nick
		if nick == "" {
			nick = "*"
		}
		r.got = append(r.got, nick+": "+m.String())
		silent, hook, capLS := r.silent, r.onLine, r.capLS
		r.mu.Unlock()
		r.poke()
		if silent {
			continue
		}
		if hook != nil && hook(c, m) {
			continue
		}
		switch m.Command {
		case "CAP":
			switch m.Param(0) {
			case "LS":
				if capLS == "" {
					c.send(":srv 421 * CAP :Unknown command")
				} else {
					c.capping = true
					c.send(":srv CAP * LS :" + capLS)
				}
			case "REQ":
				c.send(":srv CAP * ACK :" + m.Trailing())
			case "END":
				if c.capping && c.userSeen {
					c.welcome()
				}
				c.capping = false
			}
		case "NICK":
			c.r.mu.Lock()
			c.nick = m.Param(0)
			c.r.mu.Unlock()
		case "USER":
			c.userSeen = true
			if !c.capping {
				c.welcome()
			}
		case "PING":
			c.send(":srv PONG srv :" + m.Trailing())
		case "JOIN":
			for _, ch := range strings.Split(m.Param(0), ",") {
				c.r.mu.Lock()
				c.chans[ch] = true
				c.r.mu.Unlock()
				line := ":" + c.nick + "!u@h JOIN " + ch
				c.r.toChannel(ch, line, nil)
				c.send(":srv 353 " + c.nick + " = " + ch + " :" + c.nick)
				c.send(":srv 366 " + c.nick + " " + ch + " :End of NAMES")
			}
		case "PRIVMSG":
			c.r.toChannel(m.Param(0), ":"+c.nick+"!u@h PRIVMSG "+m.Param(0)+" :"+m.Trailing(), c)
			c.r.mu.Lock()
			echo := c.r.echo
			c.r.msgSeq++
			id := c.r.msgSeq
			c.r.mu.Unlock()
			if echo {
				c.send("@msgid=e" + strconv.Itoa(id) + " :" + c.nick + "!u@h PRIVMSG " + m.Param(0) + " :" + m.Trailing())
			}
		case "QUIT":
			c.send("ERROR :Closing link")
			return
		}
	}
}

// toChannel sends line to every member of ch except skip.
func (r *relay) toChannel(ch, line string, skip *relayClient) {
	r.mu.Lock()
	var to []*relayClient
	for c := range r.clients {
		if c != skip && c.chans[ch] {
			to = append(to, c)
		}
	}
	r.mu.Unlock()
	for _, c := range to {
		c.send(line)
	}
}

func (r *relay) client(nick string) *relayClient {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.clients {
		if c.nick == nick {
			return c
		}
	}
	return nil
}

// connections returns how many open connections have registered nick.
func (r *relay) connections(nick string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for c := range r.clients {
		if c.nick == nick {
			n++
		}
	}
	return n
}

// drop closes every connection of nick.
func (r *relay) drop(nick string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.clients {
		if c.nick == nick {
			c.c.Close()
		}
	}
}

func (r *relay) set(f func(r *relay)) {
	r.mu.Lock()
	f(r)
	r.mu.Unlock()
}

// lines returns the lines received from nick that start with prefix.
func (r *relay) lines(nick, prefix string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, l := range r.got {
		if rest, ok := strings.CutPrefix(l, nick+": "); ok && strings.HasPrefix(rest, prefix) {
			out = append(out, rest)
		}
	}
	return out
}

// waitFor polls cond (on every server-side change, and at least every
// 20 ms) until it holds or d passes.
func (r *relay) waitFor(d time.Duration, what string, cond func() bool) {
	r.t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			r.t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		select {
		case <-r.changed:
		case <-time.After(20 * time.Millisecond):
		}
	}
}
