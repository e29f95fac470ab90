// Command restartbench restarts the server a user is on and measures what
// the user and the others in their channel live through: how long the user
// cannot talk, which lines of another user they never see, and what that
// other user sees of them. run.sh drives it against real clients in tmux
// (ferry, irssi, WeeChat on ngircd; ferry on a ferryd cluster).
//
// One run: restartbench starts the server command (-server), joins the
// channel with an observer (a raw IRC client, reconnecting at once after a
// loss) and waits for the user's client (started by run.sh in a tmux pane)
// to join. It measures the round trip of the user's link: its own
// connection to -ping-addr (where the user's client connects: through the
// same relay, over TLS with -ping-tls) sends -pings PINGs one at a time,
// registering first if the server wants that, and quits; the median
// PING→PONG time is rtt_measured_ms. A migration's bound is counted in
// these round trips rather than in -rtt, since the relay's scheduling and
// the server's turnaround cost a little on top of the configured delay.
// It then types -probes lines "typed N" into the pane (tmux send-keys),
// -probe-every apart, and waits for them all: the path works, and their
// waits are the baseline. Then it restarts the server: SIGTERM, wait for
// the exit, start again (or, with -restart-input, gives the server an
// operator command such as ferryd's "drain s1"). From the SIGTERM on it
// types a numbered line every -type-every until the restarted server's
// process has exited (with -restart-input: until -drain-span after the
// command) and a line typed after that (the witness) has reached the
// observer, or -cap passed. With -start-after-measure the server is
// started again only then: in a migration nobody is on it any more, and
// on a real network it restarts on its own machine, not on the CPU that
// the user's client, tmux and the other servers share here.
//
// The measure, the same for every scenario: each line n waits from its
// typing (taken just before its send-keys) to the earliest arrival at the
// observer of any line typed at or after n, so a lost line waits for the
// next one heard. base is the median wait of the probes (tmux, the client
// and the servers on an undisturbed path), spread their max − median; the
// interruption is the longest wait of a line typed from the SIGTERM up to
// the witness, less base. The first-line figure (from the SIGTERM to the arrival of the
// first line typed from it on) is kept beside it.
//
// -relay runs latency relays (cmd/internal/latency) in this process,
// adding -rtt to each round trip; they outlive the server's restart.
// -make-cert DIR writes a CA and a node certificate for 127.0.0.1 and
// 127.0.0.2 and exits.
//
// The observer says "obsline N" every -talk-every while it is joined;
// after the run the user's client is told to /quit and its chat logs
// (-logdir) are searched for the numbers: those missing are the lines the
// user never saw. Every JOIN, PART, QUIT and NICK of the user that the
// observer saw after the user's first JOIN is listed.
//
// Output, one line per step (run.sh parses "result"):
//
//	observing
//	joined
//	rtt measured_ms=R min_ms=A max_ms=Z pings=N
//	base ms=B spread_ms=S
//	restart
//	server-exit ms=E
//	server-up down_ms=D
//	back ms=M            (or "capped" past -cap)
//	result interruption_ms=I base_ms=B spread_ms=S max_wait_ms=W worst=N witness=N first_line_ms=F capped=0|1 missed=M said=S typed_lost=L typed=T down_ms=D start=immediate|after-measure|none rtt_ms=R rtt_measured_ms=RM events="…"
//
// With -start-after-measure, server-up comes after back, and just before
// it "server-start ms=S": the start begins, as the witness is heard.
// down_ms runs from the SIGTERM until the server listens again; with
// -start-after-measure it includes the wait for the witness, so it is
// longer than the server's own restart.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type options struct {
	addr, observerAddr, serverCmd, serverLog string
	restartInput                             string
	channel, observerNick                    string
	tmuxSocket, pane, pidFile, logDir        string
	relays, linesFile                        string
	rtt                                      time.Duration
	probes                                   int
	limit, settle, typeEvery, talkEvery      time.Duration
	probeEvery, drainSpan                    time.Duration
	pingAddr, pingCA, pingNick               string
	pingTLS                                  bool
	pings                                    int
	startAfterMeasure                        bool
	makeCertDir                              string
}

// parseOptions reads the command line (without the program's name).
func parseOptions(args []string, errOut io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("restartbench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.StringVar(&o.addr, "addr", "", "address of the user's server (the one restarted), host:port")
	fs.StringVar(&o.observerAddr, "observer-addr", "", "address the observer connects to; default -addr")
	fs.StringVar(&o.serverCmd, "server", "", "shell command that runs the user's server in the foreground")
	fs.StringVar(&o.restartInput, "restart-input", "", "instead of restarting the server, write this operator command to its standard input (e.g. ferryd's \"drain s1\")")
	fs.DurationVar(&o.drainSpan, "drain-span", time.Second, "with -restart-input: keep typing this long after the command (the drain's end is not visible from outside)")
	fs.BoolVar(&o.startAfterMeasure, "start-after-measure", false, "start the server again only once the witness has been heard (for migrations: its users are elsewhere by then, and its start-up does not compete with them for the CPU); down_ms then includes the wait")
	fs.StringVar(&o.serverLog, "server-log", "", "file for the server's output (default: discarded)")
	fs.StringVar(&o.channel, "channel", "#restart", "the channel the user and the observer are in")
	fs.StringVar(&o.observerNick, "observer-nick", "observer", "the observer's nick")
	fs.StringVar(&o.tmuxSocket, "tmux-socket", "", "tmux -L socket of the user's client")
	fs.StringVar(&o.pane, "pane", "run", "tmux target of the user's client")
	fs.StringVar(&o.pidFile, "pidfile", "", "file with the client's pid (to wait for its exit after /quit)")
	fs.StringVar(&o.logDir, "logdir", "", "directory holding the client's chat logs")
	fs.StringVar(&o.relays, "relay", "", "latency relays to run, comma-separated LISTEN=TARGET (e.g. 127.0.0.2:6667=127.0.0.1:6667)")
	fs.StringVar(&o.linesFile, "lines", "", "write every typed line to this file: number, typed and arrived (wall clock), its wait in ms")
	fs.DurationVar(&o.rtt, "rtt", 0, "round-trip time each relay adds (half each way)")
	fs.StringVar(&o.pingAddr, "ping-addr", "", "where the user's client connects (a relay's address when there is one), for measuring the round trip; default -addr")
	fs.BoolVar(&o.pingTLS, "ping-tls", false, "measure the round trip over TLS, as the user's client connects")
	fs.StringVar(&o.pingCA, "ping-ca", "", "with -ping-tls: trust only this CA (PEM)")
	fs.StringVar(&o.pingNick, "ping-nick", "rttprobe", "nick for the round-trip connection, if the server wants registration before PING")
	fs.IntVar(&o.pings, "pings", 15, "PINGs sent one at a time for the round trip (their median is rtt_measured_ms)")
	fs.DurationVar(&o.limit, "cap", 120*time.Second, "give up waiting for the user after this long")
	fs.DurationVar(&o.settle, "settle", 3*time.Second, "pause after the user's JOIN before anything is measured")
	fs.IntVar(&o.probes, "probes", 3, "lines typed before the restart, for the baseline")
	fs.DurationVar(&o.probeEvery, "probe-every", time.Second, "interval of the baseline's lines")
	fs.DurationVar(&o.typeEvery, "type-every", 100*time.Millisecond, "interval of typed lines after the restart")
	fs.DurationVar(&o.talkEvery, "talk-every", 250*time.Millisecond, "interval of the observer's lines")
	fs.StringVar(&o.makeCertDir, "make-cert", "", "write ca.pem, cert.pem and key.pem (for 127.0.0.1 and 127.0.0.2) into this directory and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if o.makeCertDir != "" {
		return o, nil
	}
	if o.observerAddr == "" {
		o.observerAddr = o.addr
	}
	if o.pingAddr == "" {
		o.pingAddr = o.addr
	}
	switch {
	case o.startAfterMeasure && o.restartInput != "":
		return o, errors.New("-start-after-measure restarts nothing with -restart-input: the server is never stopped")
	case o.pingCA != "" && !o.pingTLS:
		return o, errors.New("-ping-ca needs -ping-tls")
	case o.pings < 1:
		return o, errors.New("-pings must be at least 1")
	}
	return o, nil
}

func main() {
	o, err := parseOptions(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "restartbench:", err)
		os.Exit(2)
	}
	if o.makeCertDir != "" {
		if err := makeCert(o.makeCertDir); err != nil {
			fmt.Fprintln(os.Stderr, "restartbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "restartbench:", err)
		os.Exit(1)
	}
}

func say(w io.Writer, format string, v ...any) { fmt.Fprintf(w, format+"\n", v...) }

func run(o options, out io.Writer) error {
	if o.addr == "" || o.serverCmd == "" || o.tmuxSocket == "" || o.logDir == "" {
		return errors.New("-addr, -server, -tmux-socket and -logdir are required")
	}
	if o.probes < 1 {
		return errors.New("-probes must be at least 1")
	}
	specs, err := parseRelays(o.relays)
	if err != nil {
		return err
	}
	relays, err := startRelays(specs, o.rtt)
	if err != nil {
		return err
	}
	defer func() {
		for _, p := range relays {
			p.Close()
		}
	}()
	srv := &server{command: o.serverCmd, addr: o.addr}
	if o.serverLog != "" {
		f, err := os.OpenFile(o.serverLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		srv.logf = f
	}
	if err := srv.start(30 * time.Second); err != nil {
		return err
	}
	defer srv.stop(30 * time.Second)

	obs := newObserver(o.observerAddr, o.observerNick, o.channel)
	go obs.run()
	defer obs.close()
	if !waitFor(10*time.Second, obs.isJoined) {
		return errors.New("the observer could not join " + o.channel)
	}
	say(out, "observing")
	select {
	case <-obs.userJoin:
	case <-time.After(60 * time.Second):
		return errors.New("the user's client never joined " + o.channel)
	}
	say(out, "joined")
	obs.mu.Lock()
	obs.record = true
	obs.mu.Unlock()
	time.Sleep(o.settle)

	// The round trip of the user's link, before anything else is typed;
	// its connection is gone before the restart.
	l := link{addr: o.pingAddr}
	if o.pingTLS {
		if l.tls, err = linkTLS(o.pingAddr, o.pingCA); err != nil {
			return err
		}
	}
	pings, err := measureRoundTrip(l, o.pingNick, o.pings, 30*time.Second)
	if err != nil {
		return err
	}
	rttMeasured := median(pings)
	say(out, "rtt measured_ms=%.2f min_ms=%.2f max_ms=%.2f pings=%d", ms(rttMeasured), ms(slices.Min(pings)), ms(slices.Max(pings)), len(pings))

	ty := &typist{socket: o.tmuxSocket, pane: o.pane}
	stopTalk := make(chan struct{})
	go obs.talkEvery(o.talkEvery, stopTalk)
	obs.setTalk(true)
	// The probes: the path works, and what it costs undisturbed.
	for i := range o.probes {
		if i > 0 {
			time.Sleep(o.probeEvery)
		}
		if _, err := ty.typeLine(); err != nil {
			return err
		}
	}
	if !waitFor(10*time.Second, func() bool {
		for _, l := range ty.lines(obs) {
			if l.arrived.IsZero() {
				return false
			}
		}
		return true
	}) {
		return fmt.Errorf("the %d typed lines did not all reach the observer before the restart", o.probes)
	}
	{
		r := measure(ty.lines(obs), o.probes, o.probes, time.Now(), time.Now())
		say(out, "base ms=%.1f spread_ms=%.1f", ms(r.base), ms(r.spread))
	}

	// A line the observer says into a server that is shutting down is
	// lost for everybody; it stops a moment before the SIGTERM.
	obs.setTalk(false)
	time.Sleep(300 * time.Millisecond)
	first := ty.count()
	restart := time.Now()
	say(out, "restart")
	typing := make(chan struct{})
	typed := make(chan struct{})
	go func() {
		defer close(typed)
		t := time.NewTicker(o.typeEvery)
		defer t.Stop()
		for {
			ty.typeLine()
			select {
			case <-typing:
				return
			case <-t.C:
			}
		}
	}()
	go func() {
		time.Sleep(100 * time.Millisecond)
		obs.setTalk(true)
	}()
	// over is closed once the server's part is over: its process has
	// exited, or -drain-span after the operator command.
	over := make(chan struct{})
	// measured is closed once the witness has been heard (or -cap
	// passed): with -start-after-measure the server starts again then.
	measured := make(chan struct{})
	restarted := make(chan float64, 1) // ms until the server listened again; -1 if it did not
	go func() {
		// The restart runs beside the typing: a draining server
		// (ferryd moving its clients away) is measured while it drains.
		if o.restartInput != "" {
			if err := srv.tell(o.restartInput); err != nil {
				say(out, "warning: %v", err)
			}
			time.Sleep(o.drainSpan)
			close(over)
			restarted <- 0
			return
		}
		err := srv.stop(30 * time.Second)
		close(over)
		if err != nil {
			say(out, "warning: %v", err)
		}
		say(out, "server-exit ms=%.0f", ms(time.Since(restart)))
		if o.startAfterMeasure {
			<-measured
			say(out, "server-start ms=%.0f", ms(time.Since(restart)))
		}
		if err := srv.start(30 * time.Second); err != nil {
			say(out, "warning: %v", err)
			restarted <- -1
			return
		}
		d := ms(time.Since(restart))
		say(out, "server-up down_ms=%.0f", d)
		restarted <- d
	}()

	// Typing goes on until the server's part is over and a line typed
	// after that has been heard.
	deadline := restart.Add(o.limit)
	var overAt time.Time
	witness := -1 // index of that line
	capped := !waitFor(o.limit, func() bool {
		if overAt.IsZero() {
			select {
			case <-over:
				overAt = time.Now()
			default:
				return false
			}
		}
		witness = heardAfter(ty.lines(obs), overAt)
		return witness >= 0
	})
	close(typing)
	<-typed
	close(measured)
	if capped {
		say(out, "capped")
	} else {
		say(out, "back ms=%.0f", ms(time.Since(restart)))
	}
	// The user is back: they should see what is said from now on.
	time.Sleep(2 * time.Second)
	obs.setTalk(false)
	close(stopTalk)
	// The observer's last line is still on its way through the relays:
	// the client quitting now would miss it.
	time.Sleep(o.rtt + 500*time.Millisecond)
	// Lines queued by the client go out at its flood rate: wait for them
	// while they keep coming.
	last, lastN := time.Now(), -1
	for time.Since(last) < 5*time.Second && time.Since(restart) < o.limit+60*time.Second {
		n := ty.arrived(obs)
		if n == ty.count()-1 {
			break
		}
		if n != lastN {
			last, lastN = time.Now(), n
		}
		time.Sleep(50 * time.Millisecond)
	}

	lines := ty.lines(obs)
	obs.mu.Lock()
	said := append([]int(nil), obs.said...)
	seen := append([]sighting(nil), obs.seen...)
	obs.mu.Unlock()
	lost := 0
	for _, l := range lines {
		if l.arrived.IsZero() {
			lost++
		}
	}
	// Typing ideally stops with the witness; the few lines the typist got
	// in while the witness was being noticed would measure the client's
	// flood queue, not the restart.
	end := len(lines)
	if witness >= 0 {
		end = witness + 1
	}
	r := measure(lines, first-1, end, restart, deadline)
	if o.linesFile != "" {
		if err := writeLines(o.linesFile, lines, deadline); err != nil {
			say(out, "warning: %v", err)
		}
	}
	obs.close()
	quitClient(ty, o.pidFile)
	downMs := <-restarted

	got, err := loggedLines(o.logDir)
	if err != nil {
		return err
	}
	missed := 0
	for _, n := range said {
		if !got[n] {
			missed++
		}
	}
	missedText := strconv.Itoa(missed)
	if len(got) == 0 {
		missedText = "?" // no log: nothing can be said
	}
	var ev []string
	for _, s := range seen {
		ev = append(ev, fmt.Sprintf("%s@%+.1fs", s.what, s.at.Sub(restart).Seconds()))
	}
	say(out, "result interruption_ms=%.1f base_ms=%.1f spread_ms=%.1f max_wait_ms=%.1f worst=%d witness=%d first_line_ms=%.1f capped=%d missed=%s said=%d typed_lost=%d typed=%d down_ms=%.0f start=%s rtt_ms=%.0f rtt_measured_ms=%.2f events=%q",
		ms(r.extra), ms(r.base), ms(r.spread), ms(r.maxWait), r.worst+1, witness+1, ms(r.firstLine), b2i(capped || r.capped),
		missedText, len(said), lost, len(lines), downMs, startMode(o), ms(o.rtt), ms(rttMeasured), strings.Join(ev, " "))
	return nil
}

// startMode says when the server was started again: at once after its
// exit, after the measurement, or never (an operator command instead).
func startMode(o options) string {
	switch {
	case o.restartInput != "":
		return "none"
	case o.startAfterMeasure:
		return "after-measure"
	}
	return "immediate"
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// waitFor polls f every 10 ms until it is true or limit passed.
func waitFor(limit time.Duration, f func() bool) bool {
	deadline := time.Now().Add(limit)
	for !f() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}

// typist types numbered lines into the client's tmux pane.
type typist struct {
	socket, pane string
	mu           sync.Mutex
	next         int         // the number of the next line; starts at 1
	at           []time.Time // when line n+1 was typed, just before its send-keys
}

func (t *typist) typeLine() (int, error) {
	t.mu.Lock()
	if t.next == 0 {
		t.next = 1
	}
	n := t.next
	t.next++
	t.at = append(t.at, time.Now())
	t.mu.Unlock()
	return n, t.keys(fmt.Sprintf("typed %d", n), "Enter")
}

// lines pairs each typed line with its arrival at o, in typing order.
func (t *typist) lines(o *observer) []typedLine {
	t.mu.Lock()
	at := append([]time.Time(nil), t.at...)
	t.mu.Unlock()
	o.mu.Lock()
	defer o.mu.Unlock()
	ls := make([]typedLine, len(at))
	for i, ts := range at {
		ls[i] = typedLine{typed: ts, arrived: o.arrivals[i+1]}
	}
	return ls
}

func (t *typist) keys(keys ...string) error {
	args := append([]string{"-L", t.socket, "send-keys", "-t", t.pane}, keys...)
	if b, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("tmux send-keys: %v: %s", err, b)
	}
	return nil
}

// count is the number of the next line (lines typed so far + 1).
func (t *typist) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return max(t.next, 1)
}

// arrived is the highest line number that reached the observer (-1 if none).
func (t *typist) arrived(o *observer) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	hi := -1
	for n := range o.arrivals {
		hi = max(hi, n)
	}
	return hi
}

// quitClient types /quit and waits for the client to exit, so it has
// written its chat logs; past 10 s it is sent SIGTERM.
func quitClient(t *typist, pidFile string) {
	t.keys("C-u")
	t.keys("/quit restartbench done", "Enter")
	pid := 0
	if b, err := os.ReadFile(pidFile); err == nil {
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	if pid <= 0 {
		time.Sleep(2 * time.Second)
		return
	}
	alive := func() bool { return syscall.Kill(pid, 0) == nil }
	if waitFor(10*time.Second, func() bool { return !alive() }) {
		return
	}
	syscall.Kill(pid, syscall.SIGTERM)
	waitFor(5*time.Second, func() bool { return !alive() })
}

// writeLines writes one line per typed line, for reading a run against
// the client's and the servers' logs.
func writeLines(path string, lines []typedLine, limit time.Time) error {
	var b strings.Builder
	w, _ := waits(lines, limit)
	const stamp = "15:04:05.000000"
	for i, l := range lines {
		arrived := "-"
		if !l.arrived.IsZero() {
			arrived = l.arrived.Format(stamp)
		}
		fmt.Fprintf(&b, "%d\t%s\t%s\t%.1f\n", i+1, l.typed.Format(stamp), arrived, ms(w[i]))
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("lines: %w", err)
	}
	return nil
}

var obsRe = regexp.MustCompile(`\bobsline (\d+)\b`)

// loggedLines returns the numbers of the observer's lines found in the
// files under dir.
func loggedLines(dir string) (map[int]bool, error) {
	got := map[int]bool{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil // an unreadable corner is no chat log
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, m := range obsRe.FindAllSubmatch(b, -1) {
			if n, err := strconv.Atoi(string(m[1])); err == nil {
				got[n] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("chat logs in %s: %w", dir, err)
	}
	return got, nil
}
