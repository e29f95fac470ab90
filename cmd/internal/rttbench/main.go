// Command rttbench measures a migration and a plain reconnect at a given
// round-trip time: ferry's connection owner (net/conn) against the
// in-process reference network (net/testnet), with every node behind a
// latency relay (cmd/internal/latency), so the client reaches the old and
// the new node only through a delayed link. Each node advertises its relay
// in MIGRATE START: the nodes listen on 127.0.0.1 and name the host
// 127.0.0.2 (NodeConfig.Host), where a relay listens on the same port.
//
// For each round-trip time (-rtt, a list) and transport (plain, TLS) it
// prints medians over -n repetitions:
//
//   - window: from our MIGRATE OK to CONFIRM (event.Migration's Window),
//     the time a typed line waits in the window's queue at most;
//   - migration: from the operator's request to Resumed, which adds
//     START's way to the client and the opening of the target connection
//     (TCP, and TLS when TLS) before OK; the user can type throughout;
//   - reconnect: from the loss of the link (the relays cut every
//     connection, as a restarting server does) to the last channel's JOIN
//     echo: a new connection, TLS, registration and the rejoin of
//     -channels channels, during which nothing the user types can go out.
//     ferry waits its backoff (1 s and more by default) before the first
//     attempt; here it is set to 1 ms, so the figure is the reconnect alone.
//
// ferry's default flood control applies (its burst covers a reconnect's
// lines); -pause lets it refill before each measurement.
//
// Each figure is also given in round trips (figure / RTT). The window's
// floor is two round trips (OK→PROCEED on the old connection, then
// RESUME→CONFIRM on the new one, opened before OK).
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-irc/ferry/cmd/internal/latency"
	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
)

// relayHost is where the relays listen; the nodes listen on 127.0.0.1 and
// advertise this host, so a client only ever reaches them through a relay.
const relayHost = "127.0.0.2"

func main() {
	rtts := flag.String("rtt", "0,20ms,100ms", "round-trip times to add, comma-separated")
	n := flag.Int("n", 9, "repetitions of each measurement (medians are printed)")
	channels := flag.Int("channels", 20, "channels the user is in (a reconnect rejoins them all)")
	verbose := flag.Bool("log", false, "print ferry's connection log (every line read and written) on stderr")
	pause := flag.Duration("pause", 4*time.Second, "quiet time before each measurement, so ferry's flood control (a burst of 8 lines, then one per 500 ms) starts full, as after an ordinary pause in talk")
	flag.Parse()
	var list []time.Duration
	for _, s := range strings.Split(*rtts, ",") {
		if s == "0" {
			list = append(list, 0)
			continue
		}
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			fmt.Fprintf(os.Stderr, "rttbench: -rtt %q: not a duration\n", s)
			os.Exit(2)
		}
		list = append(list, d)
	}
	if err := run(os.Stdout, list, *n, *channels, *pause, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "rttbench:", err)
		os.Exit(1)
	}
}

// result is one row: medians for one RTT and transport.
type result struct {
	rtt                          time.Duration
	tls                          bool
	window, migration, reconnect time.Duration
}

func run(w io.Writer, rtts []time.Duration, n, channels int, pause time.Duration, verbose bool) error {
	cert, pool, err := relayCert()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%-6s %-5s %12s %9s %12s %9s %12s %9s\n", "rtt", "tls", "window_ms", "rtts", "migration_ms", "rtts", "reconnect_ms", "rtts")
	for _, rtt := range rtts {
		for _, useTLS := range []bool{false, true} {
			var log conn.Logger
			if verbose {
				log = stderrLog{time.Now()}
			}
			r, err := measure(rtt, useTLS, n, channels, pause, log, cert, pool)
			if err != nil {
				return fmt.Errorf("rtt %v tls %v: %w", rtt, useTLS, err)
			}
			fmt.Fprintf(w, "%-6s %-5v %12.2f %9s %12.2f %9s %12.2f %9s\n", rttName(rtt), useTLS,
				ms(r.window), inRTTs(r.window, rtt), ms(r.migration), inRTTs(r.migration, rtt), ms(r.reconnect), inRTTs(r.reconnect, rtt))
		}
	}
	return nil
}

func rttName(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// inRTTs is d in round trips; "-" at 0 added RTT, where it has no meaning.
func inRTTs(d, rtt time.Duration) string {
	if rtt == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(d)/float64(rtt))
}

// measure starts a network with relays, connects one user in channels
// channels, and takes n windows and n reconnects, each after pause.
func measure(rtt time.Duration, useTLS bool, n, channels int, pause time.Duration, log conn.Logger, cert tls.Certificate, pool *x509.CertPool) (result, error) {
	res := result{rtt: rtt, tls: useTLS}
	tn, err := testnet.Start(testnet.Options{
		Nodes: []testnet.NodeConfig{
			{Name: "s1", Host: relayHost},
			{Name: "s2", Host: relayHost},
		},
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	})
	if err != nil {
		return res, err
	}
	defer tn.Close()
	var relays []*latency.Proxy
	for _, nd := range tn.Nodes() {
		for _, addr := range []string{nd.Addr(), nd.TLSAddr()} {
			_, port, _ := net.SplitHostPort(addr)
			p, err := latency.Listen(net.JoinHostPort(relayHost, port), addr, rtt/2)
			if err != nil {
				return res, err
			}
			defer p.Close()
			relays = append(relays, p)
		}
	}
	port := tn.Node("s1").Port()
	if useTLS {
		port = tn.Node("s1").TLSPort()
	}
	cfg := conn.NetworkConfig{
		Name:    "tn",
		Dial:    transport.DialConfig{Host: relayHost, Port: port, TLS: useTLS, RootCAs: pool},
		Session: session.Config{Nick: "user", User: "user"},
		Backoff: conn.Backoff{Min: time.Millisecond, Max: time.Millisecond},
	}
	for i := range channels {
		cfg.Session.Autojoin = append(cfg.Session.Autojoin, session.Channel{Name: channelName(i)})
	}
	p := conn.NewPool(conn.PoolOptions{Networks: []conn.NetworkConfig{cfg}, Log: log})
	ev := watch(p)
	p.Start()
	defer p.Close()

	if err := ev.waitJoins(channels); err != nil {
		return res, fmt.Errorf("first connection: %w", err)
	}
	var win, mig, rec []time.Duration
	for i := range n {
		to := "s2"
		if i%2 == 1 {
			to = "s1"
		}
		time.Sleep(pause)
		start := time.Now()
		if err := tn.Migrate("user", to); err != nil {
			return res, err
		}
		m, err := ev.waitResumed()
		if err != nil {
			return res, fmt.Errorf("migration %d: %w", i+1, err)
		}
		mig = append(mig, time.Since(start))
		win = append(win, m.Window)
	}
	for range n {
		time.Sleep(pause)
		start := time.Now()
		for _, r := range relays {
			r.Drop()
		}
		if err := ev.waitJoins(channels); err != nil {
			return res, fmt.Errorf("reconnect: %w", err)
		}
		rec = append(rec, time.Since(start))
	}
	res.window, res.migration, res.reconnect = median(win), median(mig), median(rec)
	return res, nil
}

// channelName is 45 bytes, as in net/conn's BenchmarkMigration, so a
// rejoin of 20 channels is 3 JOIN lines.
func channelName(i int) string { return fmt.Sprintf("#bench%02d-%s", i, strings.Repeat("x", 36)) }

// events sorts the Pool's events into what the measurements wait for.
type events struct {
	joins   chan struct{}
	resumed chan event.Migration
	failed  chan string
}

func watch(p *conn.Pool) *events {
	e := &events{joins: make(chan struct{}, 1024), resumed: make(chan event.Migration, 16), failed: make(chan string, 16)}
	go func() {
		for b := range p.Events() {
			for _, x := range b.Events {
				switch x := x.(type) {
				case event.Join:
					if x.Self {
						e.joins <- struct{}{}
					}
				case event.Migration:
					switch x.Step {
					case event.MigrationResumed:
						e.resumed <- x
					case event.MigrationFailed, event.MigrationDeclined:
						e.failed <- x.Step.String() + ": " + x.Reason
					}
				}
			}
		}
	}()
	return e
}

const waitLimit = 30 * time.Second

func (e *events) waitJoins(n int) error {
	t := time.NewTimer(waitLimit)
	defer t.Stop()
	for range n {
		select {
		case <-e.joins:
		case <-t.C:
			return errors.New("channels not joined in time")
		}
	}
	return nil
}

func (e *events) waitResumed() (event.Migration, error) {
	select {
	case m := <-e.resumed:
		return m, nil
	case why := <-e.failed:
		return event.Migration{}, errors.New(why)
	case <-time.After(waitLimit):
		return event.Migration{}, errors.New("no Resumed in time")
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// relayCert is a throwaway self-signed certificate for the relays' and the
// nodes' addresses, and a pool that trusts it alone.
func relayCert() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("generate key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "rttbench"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(relayHost)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// stderrLog prints ferry's log lines with the milliseconds since t0.
type stderrLog struct{ t0 time.Time }

func (l stderrLog) Printf(format string, v ...any) {
	fmt.Fprintf(os.Stderr, "%9.1f ", ms(time.Since(l.t0)))
	fmt.Fprintf(os.Stderr, format+"\n", v...)
}
