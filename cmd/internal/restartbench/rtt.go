package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/irc.v4"
)

// The bound of a migration is counted in round trips of the user's link,
// and a round trip there costs more than the relay's configured delay: the
// relay's own scheduling and the server's turnaround come on top. So the
// round trip is measured: PINGs on a connection of restartbench's own, on
// the path the user's client takes.

// link is where and how the user's client reaches its server: the same
// address (a relay's, when there is one) and the same transport.
type link struct {
	addr string
	tls  *tls.Config // nil: plain TCP
}

// linkTLS is the TLS configuration for addr, trusting the CA in caFile
// alone, or the system's roots when caFile is empty.
func linkTLS(addr, caFile string) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("ping address %q: %w", addr, err)
	}
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	if caFile == "" {
		return tc, nil
	}
	b, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ping CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("ping CA %s: no certificate in it", caFile)
	}
	tc.RootCAs = pool
	return tc, nil
}

// errNotRegistered is a server refusing PING before registration (451).
var errNotRegistered = errors.New("the server wants registration before PING")

// reply is what one line from the server means to a PING in flight.
type reply struct {
	pong          bool   // the PONG of the token in flight
	notRegistered bool   // 451: register first
	serverPing    string // the server PINGs us with this token: answer it
	closing       string // ERROR: the server closes the link, with this reason
	nick433       bool   // the nick asked for is taken
	welcome       bool   // 001: registered
}

// readReply classifies line for a PING carrying token. A PONG counts only
// when its last parameter is the token, so an answer to an earlier PING
// (or to a server's own) never ends the wait of a later one.
func readReply(line, token string) reply {
	m, err := irc.ParseMessage(strings.TrimRight(line, "\r\n"))
	if err != nil {
		return reply{}
	}
	switch m.Command {
	case "PONG":
		return reply{pong: len(m.Params) > 0 && m.Trailing() == token}
	case "PING":
		return reply{serverPing: m.Trailing()}
	case "451":
		return reply{notRegistered: true}
	case "433":
		return reply{nick433: true}
	case "001":
		return reply{welcome: true}
	case "ERROR":
		reason := m.Trailing()
		if reason == "" {
			reason = "ERROR"
		}
		return reply{closing: reason}
	}
	return reply{}
}

// median is the middle of ds (the lower middle for an even count), 0 for
// none. ds is not modified.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// pinger is one connection that PINGs its server, one PING at a time.
type pinger struct {
	c    net.Conn
	r    *bufio.Reader
	next int // number of the next token
}

// measureRoundTrip connects to l, sends count PINGs one at a time (after an
// unmeasured one that also shows whether the server wants registration
// first; if so it registers under nick) and returns each PING→PONG time.
// It quits before returning. The whole exchange must end within limit.
func measureRoundTrip(l link, nick string, count int, limit time.Duration) ([]time.Duration, error) {
	if count < 1 {
		return nil, errors.New("round trip: no PINGs to send")
	}
	deadline := time.Now().Add(limit)
	c, err := net.DialTimeout("tcp", l.addr, limit)
	if err != nil {
		return nil, fmt.Errorf("round trip: dial %s: %w", l.addr, err)
	}
	defer c.Close()
	c.SetDeadline(deadline)
	if l.tls != nil {
		tc := tls.Client(c, l.tls)
		if err := tc.Handshake(); err != nil {
			return nil, fmt.Errorf("round trip: TLS with %s: %w", l.addr, err)
		}
		c = tc
	}
	p := &pinger{c: c, r: bufio.NewReader(c)}
	defer p.send("QUIT :round trip measured")
	_, err = p.ping()
	if errors.Is(err, errNotRegistered) {
		if err = p.register(nick); err == nil {
			_, err = p.ping()
		}
	}
	if err != nil {
		return nil, fmt.Errorf("round trip via %s: %w", l.addr, err)
	}
	ds := make([]time.Duration, 0, count)
	for range count {
		d, err := p.ping()
		if err != nil {
			return nil, fmt.Errorf("round trip via %s: %w", l.addr, err)
		}
		ds = append(ds, d)
	}
	return ds, nil
}

func (p *pinger) send(format string, v ...any) error {
	_, err := fmt.Fprintf(p.c, format+"\r\n", v...)
	return err
}

// ping sends one PING and waits for its PONG: the time between the write
// and the read of the answer.
func (p *pinger) ping() (time.Duration, error) {
	p.next++
	token := "rb-" + strconv.Itoa(p.next)
	sent := time.Now()
	if err := p.send("PING :%s", token); err != nil {
		return 0, fmt.Errorf("PING: %w", err)
	}
	for {
		line, err := p.r.ReadString('\n')
		if err != nil {
			return 0, fmt.Errorf("waiting for PONG %s: %w", token, err)
		}
		got := time.Now()
		r := readReply(line, token)
		switch {
		case r.pong:
			return got.Sub(sent), nil
		case r.notRegistered:
			return 0, errNotRegistered
		case r.closing != "":
			return 0, fmt.Errorf("closed by the server: %s", r.closing)
		case r.serverPing != "":
			p.send("PONG :%s", r.serverPing)
		}
	}
}

// register signs on as nick (with "_" appended while it is taken).
func (p *pinger) register(nick string) error {
	if err := p.send("NICK %s", nick); err != nil {
		return fmt.Errorf("NICK: %w", err)
	}
	if err := p.send("USER %s 0 * :restartbench round trip", nick); err != nil {
		return fmt.Errorf("USER: %w", err)
	}
	for {
		line, err := p.r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("registering as %s: %w", nick, err)
		}
		r := readReply(line, "")
		switch {
		case r.welcome:
			return nil
		case r.nick433:
			nick += "_"
			p.send("NICK %s", nick)
		case r.closing != "":
			return fmt.Errorf("registering as %s: closed by the server: %s", nick, r.closing)
		case r.serverPing != "":
			p.send("PONG :%s", r.serverPing)
		}
	}
}
