package main

import (
	"bufio"
	"fmt"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/irc.v4"
)

// observer is the other user: a raw IRC client in the channel that records
// when the user's typed lines arrive and what it sees of the user (JOIN,
// PART, QUIT, NICK), and that says numbered lines of its own for the user
// to miss. It reconnects at once when its server goes away, since on a
// single server it loses its connection in the restart too.
type observer struct {
	addr, nick, channel string

	mu       sync.Mutex
	conn     net.Conn
	w        *bufio.Writer
	joined   bool
	closed   bool
	talk     bool              // say numbered lines
	arrivals map[int]time.Time // typed line number → first arrival
	said     []int             // numbered lines written while joined
	seen     []sighting        // events about others, in order
	drops    []time.Time       // when the observer lost its connection
	record   bool              // record sightings (after the user's first JOIN)
	userJoin chan struct{}     // closed at the first JOIN of someone else
	joinOnce sync.Once
	done     chan struct{}
}

// sighting is one event about another user, as the observer saw it.
type sighting struct {
	at   time.Time
	what string // "JOIN", "QUIT (reason)", "NICK a→b", "PART"
}

var typedRe = regexp.MustCompile(`\btyped (\d+)\b`)

func newObserver(addr, nick, channel string) *observer {
	return &observer{addr: addr, nick: nick, channel: channel, arrivals: map[int]time.Time{},
		userJoin: make(chan struct{}), done: make(chan struct{})}
}

// run connects, and reconnects every 20 ms after a loss, until close.
func (o *observer) run() {
	defer close(o.done)
	for !o.isClosed() {
		c, err := net.DialTimeout("tcp", o.addr, time.Second)
		if err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		o.serve(c)
		o.mu.Lock()
		o.conn, o.w, o.joined = nil, nil, false
		if !o.closed {
			o.drops = append(o.drops, time.Now())
		}
		o.mu.Unlock()
	}
}

func (o *observer) isClosed() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.closed
}

// close ends the connection with a QUIT and stops reconnecting.
func (o *observer) close() {
	o.mu.Lock()
	o.closed = true
	if o.w != nil {
		fmt.Fprintf(o.w, "QUIT :done\r\n")
		o.w.Flush()
	}
	if o.conn != nil {
		o.conn.Close()
	}
	o.mu.Unlock()
	<-o.done
}

func (o *observer) send(format string, v ...any) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.w == nil {
		return net.ErrClosed
	}
	fmt.Fprintf(o.w, format+"\r\n", v...)
	return o.w.Flush()
}

// serve registers on c and reads until it fails.
func (o *observer) serve(c net.Conn) {
	o.mu.Lock()
	if o.closed {
		o.mu.Unlock()
		c.Close()
		return
	}
	o.conn, o.w = c, bufio.NewWriter(c)
	o.mu.Unlock()
	defer c.Close()
	nick := o.nick
	if o.send("NICK %s", nick) != nil || o.send("USER %s 0 * :restartbench observer", o.nick) != nil {
		return
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		now := time.Now()
		m, err := irc.ParseMessage(strings.TrimRight(line, "\r\n"))
		if err != nil {
			continue
		}
		from := ""
		if m.Prefix != nil {
			from = m.Prefix.Name
		}
		self := strings.EqualFold(from, nick)
		switch m.Command {
		case "PING":
			o.send("PONG :%s", m.Trailing())
		case "433": // nick in use: a ghost of ours from before the restart
			nick += "_"
			o.send("NICK %s", nick)
		case "001":
			o.send("JOIN %s", o.channel)
		case "JOIN":
			if self {
				o.mu.Lock()
				o.joined = true
				o.mu.Unlock()
				continue
			}
			o.joinOnce.Do(func() { close(o.userJoin) })
			o.sight(now, "JOIN")
		case "PART":
			if !self {
				o.sight(now, "PART")
			}
		case "QUIT":
			if !self {
				o.sight(now, "QUIT ("+m.Trailing()+")")
			}
		case "NICK":
			if !self {
				o.sight(now, "NICK "+from+"→"+m.Trailing())
			}
		case "PRIVMSG":
			if self || !strings.EqualFold(m.Param(0), o.channel) {
				continue
			}
			if sm := typedRe.FindStringSubmatch(m.Trailing()); sm != nil {
				n, _ := strconv.Atoi(sm[1])
				o.mu.Lock()
				if _, ok := o.arrivals[n]; !ok {
					o.arrivals[n] = now
				}
				o.mu.Unlock()
			}
		}
	}
}

func (o *observer) sight(at time.Time, what string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.record {
		o.seen = append(o.seen, sighting{at: at, what: what})
	}
}

// talkEvery says "obsline N" every d while joined and talking, until stop.
func (o *observer) talkEvery(d time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(d)
	defer t.Stop()
	n := 0
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		o.mu.Lock()
		ok := o.talk && o.joined
		o.mu.Unlock()
		if !ok {
			continue
		}
		n++
		if o.send("PRIVMSG %s :obsline %d from the observer", o.channel, n) == nil {
			o.mu.Lock()
			o.said = append(o.said, n)
			o.mu.Unlock()
		}
	}
}

func (o *observer) setTalk(on bool) {
	o.mu.Lock()
	o.talk = on
	o.mu.Unlock()
}

func (o *observer) isJoined() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.joined
}

// arrival reports when typed line n arrived.
func (o *observer) arrival(n int) (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.arrivals[n]
	return t, ok
}
