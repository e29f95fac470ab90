package main

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-irc/ferry/cmd/internal/latency"
)

// relaySpec is one delayed link: a relay listening on listen that carries
// each connection to target.
type relaySpec struct {
	listen, target string
}

// parseRelays reads -relay: comma-separated LISTEN=TARGET pairs, each a
// host:port with a numeric port.
func parseRelays(s string) ([]relaySpec, error) {
	var out []relaySpec
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		listen, target, ok := strings.Cut(item, "=")
		if !ok {
			return nil, fmt.Errorf("relay %q: want LISTEN=TARGET", item)
		}
		for _, a := range []string{listen, target} {
			host, port, err := net.SplitHostPort(a)
			if err != nil {
				return nil, fmt.Errorf("relay %q: %w", item, err)
			}
			if p, err := strconv.Atoi(port); err != nil || p <= 0 || p > 65535 || host == "" {
				return nil, fmt.Errorf("relay %q: %q needs a host and a port 1-65535", item, a)
			}
		}
		out = append(out, relaySpec{listen: listen, target: target})
	}
	return out, nil
}

// startRelays runs a latency relay for each spec, adding rtt to the round
// trip (half each way). They live in this process, so they outlive the
// server's restart: while the target is down a new connection just fails.
func startRelays(specs []relaySpec, rtt time.Duration) ([]*latency.Proxy, error) {
	var ps []*latency.Proxy
	for _, s := range specs {
		p, err := latency.Listen(s.listen, s.target, rtt/2)
		if err != nil {
			for _, q := range ps {
				q.Close()
			}
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}
