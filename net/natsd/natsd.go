// Package natsd runs an embedded NATS server with JetStream, the store of
// a ferryd network whose nodes are separate processes (ferryd
// -nats-listen). It is its own package so that only the programs that run
// one link the server; a node only needs a NATS client (net/testnet).
package natsd

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Server is an embedded NATS server with JetStream: the process that
// holds a multi-process network's state (ferryd -nats-listen), or a test's.
type Server struct {
	s   *server.Server
	url string
}

// Option changes how Start runs the server.
type Option func(*server.Options)

// Token makes the server refuse every client that does not send this
// shared secret (a NATS authorization token); "" leaves it open.
func Token(token string) Option {
	return func(o *server.Options) { o.Authorization = token }
}

// TLS makes the server speak only TLS with cfg (its certificate); its URL
// then starts with tls://.
func TLS(cfg *tls.Config) Option {
	return func(o *server.Options) {
		o.TLS = true
		o.TLSConfig = cfg
	}
}

// Start runs a NATS server with JetStream listening on listen
// ("127.0.0.1:4222"; port 0 picks a free one), storing streams under dir,
// and returns once it accepts connections.
func Start(listen, dir string, opts ...Option) (*Server, error) {
	host, p, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("nats: listen address %q: %w", listen, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("nats: listen address %q: bad port", listen)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	if dir == "" {
		return nil, errors.New("nats: no storage directory")
	}
	so := &server.Options{
		ServerName: "ferryd-nats",
		Host:       host,
		Port:       port,
		JetStream:  true,
		StoreDir:   dir,
		NoSigs:     true,
		NoLog:      true,
	}
	for _, o := range opts {
		o(so)
	}
	s, err := server.NewServer(so)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	s.Start()
	if !s.ReadyForConnections(15 * time.Second) {
		s.Shutdown()
		return nil, fmt.Errorf("nats: not ready on %s within 15 s", listen)
	}
	addr := s.Addr()
	if addr == nil {
		s.Shutdown()
		return nil, fmt.Errorf("nats: no listener on %s", listen)
	}
	scheme := "nats://"
	if so.TLS {
		scheme = "tls://"
	}
	return &Server{s: s, url: scheme + addr.String()}, nil
}

// URL is the client URL, e.g. "nats://127.0.0.1:4222" ("tls://" with
// TLS), without credentials.
func (ns *Server) URL() string { return ns.url }

// Close stops the server and waits for it.
func (ns *Server) Close() {
	ns.s.Shutdown()
	ns.s.WaitForShutdown()
}

// Loopback reports whether a listen address only takes connections from
// this machine ("127.0.0.1:4222", "[::1]:4222", "localhost:4222"); an empty
// host or an unspecified address listens on every interface.
func Loopback(listen string) bool {
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
