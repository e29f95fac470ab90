// Command floodbench measures a whole IRC client under a channel flood, the
// like a user would feel it: a loopback server registers one client, floods one
// channel with N PRIVMSG lines from many nicks (-kind privmsg) or N JOINs of
// distinct nicks (-kind join), then sends the client a CTCP VERSION. A client answers CTCPs in the order it reads lines, so its NOTICE
// reply marks that every flooded line before it was processed. floodbench
// prints the time from the first flooded line to that reply, and, given the
// client's pid (-pidfile), the CPU time the client spent on the flood.
//
// run.sh drives it against ferry and irssi in tmux and reports medians.
//
// A line the user types into the channel while the flood runs, of the form
// "probe UNIX_NANOS" (run.sh types one every half second, stamped when
// typed), is reported with the time it took to reach the server, so the
// wait of a typed line behind the flood is measured too.
//
// Output, one event per line on stdout (run.sh parses it):
//
//	listening 127.0.0.1:PORT
//	registered nick=NICK
//	joined #flood
//	flood-start
//	probe ms=M
//	done lines=N elapsed_s=S us_per_line=U cpu_flood_s=C reply="…"
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/irc.v4"
)

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:0", "listen address (loopback only; port 0 picks a free one)")
	flag.IntVar(&o.lines, "n", 100000, "number of lines to flood")
	flag.StringVar(&o.kind, "kind", "privmsg", "what the flood is: privmsg (talk from -nicks nicks) or join (N distinct nicks joining)")
	flag.StringVar(&o.channel, "channel", "#flood", "the channel the client must join; the flood goes there")
	flag.IntVar(&o.nicks, "nicks", 200, "number of distinct nicks talking (also listed in NAMES)")
	flag.Int64Var(&o.seed, "seed", 1, "seed of the text generator (same seed, same flood)")
	flag.StringVar(&o.pidFile, "pidfile", "", "file holding the client's pid; when set, the client's CPU time during the flood is reported")
	flag.DurationVar(&o.settle, "settle", 2*time.Second, "pause between the client's JOIN and the flood (lets it finish its post-join queries)")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up when the whole run takes longer")
	flag.Parse()
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "floodbench:", err)
		os.Exit(1)
	}
}

type options struct {
	addr, channel, pidFile string
	kind                   string
	lines, nicks           int
	seed                   int64
	settle, timeout        time.Duration
}

// run listens, serves exactly one client through registration, JOIN, the
// flood and the CTCP VERSION reply, and reports on out.
func run(o options, w io.Writer) error {
	out := &lockedWriter{w: w} // the reader goroutine reports too
	if o.lines < 0 || o.nicks < 1 {
		return errors.New("-n must be >= 0 and -nicks >= 1")
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", o.addr, err)
	}
	defer ln.Close()
	say(out, "listening %s", ln.Addr())

	// The flood is generated before any client connects, so the server's
	// own work while the client is measured is only copying bytes.
	names := makeNicks(o.nicks)
	var flood []byte
	switch o.kind {
	case "privmsg", "":
		flood = generateFlood(o.lines, o.channel, names, o.seed)
	case "join":
		flood = generateJoins(o.lines, o.channel)
	default:
		return fmt.Errorf("-kind %q: want privmsg or join", o.kind)
	}

	deadline := time.Now().Add(o.timeout)
	if err := ln.(*net.TCPListener).SetDeadline(deadline); err != nil {
		return err
	}
	c, err := ln.Accept()
	if err != nil {
		return fmt.Errorf("accept: %w", err)
	}
	defer c.Close()
	if err := c.SetDeadline(deadline); err != nil {
		return err
	}

	s := &server{conn: c, out: out, w: bufio.NewWriterSize(c, 64<<10), channel: o.channel, names: names,
		joined: make(chan struct{}), replied: make(chan string, 1)}
	readErr := make(chan error, 1)
	go func() { readErr <- s.read(out) }()

	select {
	case <-s.joined:
	case err := <-readErr:
		return fmt.Errorf("client left before joining %s: %v", o.channel, err)
	}
	time.Sleep(o.settle)

	var cpu0 time.Duration
	var pid int
	if o.pidFile != "" {
		if pid, err = readPid(o.pidFile); err != nil {
			return err
		}
		if cpu0, err = cpuTime(pid); err != nil {
			return err
		}
	}
	say(out, "flood-start")
	start := time.Now()
	if err := s.writeRaw(flood); err != nil {
		return fmt.Errorf("flooding: %w", err)
	}
	if err := s.send(":floodop!op@flood.example PRIVMSG %s :\x01VERSION\x01", s.nick); err != nil {
		return fmt.Errorf("sending CTCP VERSION: %w", err)
	}
	var reply string
	select {
	case reply = <-s.replied:
	case err := <-readErr:
		return fmt.Errorf("client left before answering the CTCP VERSION: %v", err)
	}
	elapsed := time.Since(start)
	report := fmt.Sprintf("done lines=%d elapsed_s=%.3f us_per_line=%.2f", o.lines, elapsed.Seconds(),
		float64(elapsed.Microseconds())/float64(max(o.lines, 1)))
	if pid != 0 {
		cpu1, err := cpuTime(pid)
		if err != nil {
			return err
		}
		d := cpu1 - cpu0
		report += fmt.Sprintf(" cpu_flood_s=%.2f cpu_us_per_line=%.2f", d.Seconds(), float64(d.Microseconds())/float64(max(o.lines, 1)))
	}
	say(out, "%s reply=%q", report, reply)

	// Stay connected until the client leaves, so what is measured after
	// the reply (RSS, a screen) is not a client reacting to a lost server.
	// A reset or EOF from a client that quit or was killed is the normal end.
	var ne net.Error
	if err := <-readErr; errors.As(err, &ne) && ne.Timeout() {
		return fmt.Errorf("client still connected after -timeout: %w", err)
	}
	return nil
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func say(out io.Writer, format string, v ...any) {
	fmt.Fprintf(out, format+"\n", v...)
}

// server is the one connection. Writes come from the flood (main
// goroutine) and from answers to the client (the reader), so they share mu.
type server struct {
	conn    net.Conn
	out     io.Writer // the report
	mu      sync.Mutex
	w       *bufio.Writer
	channel string
	names   []string

	nick, user string // the reader's; nick is read by the flood after joined
	registered bool
	joinedOnce sync.Once
	joined     chan struct{}
	replied    chan string
}

// send writes one line and flushes it.
func (s *server) send(format string, v ...any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.w, format+"\r\n", v...)
	return s.w.Flush()
}

// writeRaw writes pre-framed lines in chunks, releasing the lock between
// chunks so PONGs and other answers are not held behind the whole flood.
func (s *server) writeRaw(b []byte) error {
	const chunk = 32 << 10
	for len(b) > 0 {
		n := min(chunk, len(b))
		if i := strings.LastIndexByte(string(b[:n]), '\n'); i >= 0 && n < len(b) {
			n = i + 1
		}
		s.mu.Lock()
		_, err := s.w.Write(b[:n])
		if err == nil {
			err = s.w.Flush()
		}
		s.mu.Unlock()
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// read handles the client's lines until the connection ends.
func (s *server) read(out io.Writer) error {
	r := bufio.NewReaderSize(s.conn, 64<<10)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return err
		}
		m, err := irc.ParseMessage(strings.TrimRight(line, "\r\n"))
		if err != nil {
			continue
		}
		if err := s.handle(m, out); err != nil {
			return err
		}
	}
}

const serverName = "flood.example"

// handle answers what a client sends while registering, joining and
// syncing a channel; anything else is ignored.
func (s *server) handle(m *irc.Message, out io.Writer) error {
	switch m.Command {
	case "CAP":
		switch strings.ToUpper(m.Param(0)) {
		case "LS":
			return s.send(":%s CAP * LS :", serverName) // no capabilities
		case "REQ":
			return s.send(":%s CAP * NAK :%s", serverName, m.Trailing())
		}
	case "PING":
		return s.send(":%s PONG %s :%s", serverName, serverName, m.Param(0))
	case "NICK":
		if !s.registered {
			s.nick = m.Param(0)
		}
	case "USER":
		s.user = m.Param(0)
	case "JOIN":
		for _, ch := range strings.Split(m.Param(0), ",") {
			if err := s.join(ch); err != nil {
				return err
			}
		}
	case "MODE":
		if m.Param(0) == s.channel {
			if m.Param(1) == "b" {
				return s.send(":%s 368 %s %s :End of Channel Ban List", serverName, s.nick, s.channel)
			}
			return s.send(":%s 324 %s %s +nt", serverName, s.nick, s.channel)
		}
	case "WHO":
		return s.send(":%s 315 %s %s :End of /WHO list.", serverName, s.nick, m.Param(0))
	case "PRIVMSG":
		if t, ok := strings.CutPrefix(m.Trailing(), "probe "); ok {
			if ns, err := strconv.ParseInt(strings.TrimSpace(t), 10, 64); err == nil {
				say(out, "probe ms=%.1f", float64(time.Now().UnixNano()-ns)/1e6)
			}
		}
	case "NOTICE":
		if t := m.Trailing(); strings.HasPrefix(t, "\x01VERSION") {
			select {
			case s.replied <- strings.Trim(t, "\x01"):
			default:
			}
		}
	case "QUIT":
		return io.EOF
	}
	if !s.registered && s.nick != "" && s.user != "" {
		s.registered = true
		say(out, "registered nick=%s", s.nick)
		return s.welcome()
	}
	return nil
}

// welcome is 001..005 and an MOTD, as a small real server sends them.
func (s *server) welcome() error {
	n := s.nick
	for _, l := range []string{
		"001 " + n + " :Welcome to the flood bench, " + n,
		"002 " + n + " :Your host is " + serverName + ", running floodbench",
		"003 " + n + " :This server was created today",
		"004 " + n + " " + serverName + " floodbench io ntklmsi",
		"005 " + n + " CASEMAPPING=rfc1459 CHANTYPES=# PREFIX=(ov)@+ NICKLEN=30 CHANNELLEN=50 NETWORK=FloodNet :are supported by this server",
		"375 " + n + " :- " + serverName + " Message of the day -",
		"372 " + n + " :- A hundred thousand lines are coming.",
		"376 " + n + " :End of /MOTD command.",
	} {
		if err := s.send(":%s %s", serverName, l); err != nil {
			return err
		}
	}
	return nil
}

// join answers a JOIN: the echo, a topic, NAMES with every talker (in
// several 353 lines, as servers split them) and the end of NAMES.
func (s *server) join(ch string) error {
	if err := s.send(":%s!%s@127.0.0.1 JOIN %s", s.nick, s.user, ch); err != nil {
		return err
	}
	if !strings.EqualFold(ch, s.channel) {
		return s.send(":%s 366 %s %s :End of /NAMES list.", serverName, s.nick, ch)
	}
	if err := s.send(":%s 332 %s %s :flood bench: many lines are coming", serverName, s.nick, ch); err != nil {
		return err
	}
	batch := []string{s.nick, "@floodop"}
	for _, n := range s.names {
		batch = append(batch, n)
		if len(batch) == 40 {
			if err := s.send(":%s 353 %s = %s :%s", serverName, s.nick, ch, strings.Join(batch, " ")); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if len(batch) > 0 {
		if err := s.send(":%s 353 %s = %s :%s", serverName, s.nick, ch, strings.Join(batch, " ")); err != nil {
			return err
		}
	}
	if err := s.send(":%s 366 %s %s :End of /NAMES list.", serverName, s.nick, ch); err != nil {
		return err
	}
	s.joinedOnce.Do(func() {
		say(s.out, "joined %s", ch)
		close(s.joined)
	})
	return nil
}

func readPid(path string) (int, error) {
	var b []byte
	var err error
	// run.sh writes the file right after starting the client, which is
	// long before the JOIN; a short wait covers a slow tmux.
	for range 50 {
		if b, err = os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return 0, fmt.Errorf("client pid: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("client pid in %s: %w", path, err)
	}
	return pid, nil
}
