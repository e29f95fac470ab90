package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultDialTimeout bounds TCP connect plus TLS handshake when
// DialConfig.Timeout is zero (net/migrate/SPEC.md section 3: 10 s by default).
const DefaultDialTimeout = 10 * time.Second

// DialConfig says where and how to connect.
type DialConfig struct {
	Host string // DNS name or IP address (IPv6 with or without brackets)
	Port int
	TLS  bool
	// InsecureSkipVerify is tls_verify=false. It is never honoured when an
	// STS policy applies to Host.
	InsecureSkipVerify bool
	CAFile             string         // extra trusted roots, a PEM file
	RootCAs            *x509.CertPool // extra trusted roots in memory (the demo's throwaway CA); nil = none
	ClientCert         string         // PEM certificate file, for SASL EXTERNAL / CertFP
	ClientKey          string         // PEM key file for ClientCert
	Timeout            time.Duration  // TCP connect + TLS handshake bound; 0 = DefaultDialTimeout
	// STS looks up the STS policy (learned or pinned) for a host. When it
	// reports ok the connection is TLS on the returned port with certificate
	// verification forced on, whatever TLS, Port and InsecureSkipVerify say,
	// and a failure is final: there is no plaintext fallback.
	STS func(host string) (port int, ok bool)
	// Log, when set, is told about discarded incoming lines.
	Log Logger
}

// Dial opens a TCP or TLS connection as cfg says, with STS applied.
//
// Certificates are verified against Host (SNI is Host when it is a name) with
// the system roots plus CAFile plus RootCAs. Errors are *DialError, sentences
// that name the address once: "dial host:port: ...", "tls host:port: ...".
func Dial(ctx context.Context, cfg DialConfig) (Transport, error) {
	host := strings.TrimSuffix(strings.TrimPrefix(cfg.Host, "["), "]")
	if host == "" {
		return nil, errors.New("dial: no host given")
	}
	port, useTLS, verify := cfg.Port, cfg.TLS, !cfg.InsecureSkipVerify
	why := ""
	if cfg.STS != nil {
		if p, ok := cfg.STS(host); ok {
			port, useTLS, verify = p, true, true
			why = " (STS policy: TLS required, no plaintext fallback)"
		}
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	if port < 1 || port > 65535 {
		return nil, &DialError{Op: "dial", Addr: addr, Err: fmt.Errorf("port %d is out of range", port)}
	}

	var tcfg *tls.Config
	if useTLS {
		var err error
		if tcfg, err = tlsConfig(host, verify, cfg); err != nil {
			return nil, &DialError{Op: "tls", Addr: addr, Why: why, Err: err}
		}
	}

	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &DialError{Op: "dial", Addr: addr, Why: why, Err: err}
	}
	if !useTLS {
		return NewTransportLog(c, false, cfg.Log), nil
	}
	tc := tls.Client(c, tcfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = c.Close()
		return nil, &DialError{Op: "tls", Addr: addr, Why: why, Err: err}
	}
	return NewTransportLog(tc, true, cfg.Log), nil
}

// tlsConfig builds the client TLS configuration.
//
// crypto/tls verifies against one pool, and a CertPool cannot be merged with
// the system pool when the system pool is the platform verifier, so with
// verification on the handshake's own check is replaced by VerifyConnection
// that accepts a chain to either pool: system roots plus CAFile, or RootCAs.
// The host name is checked in both.
func tlsConfig(host string, verify bool, cfg DialConfig) (*tls.Config, error) {
	tc := &tls.Config{
		ServerName: host, // crypto/tls sends no SNI for an IP address
		MinVersion: tls.VersionTLS12,
	}
	if cfg.ClientCert != "" || cfg.ClientKey != "" {
		if cfg.ClientCert == "" || cfg.ClientKey == "" {
			return nil, errors.New("a client certificate needs both client_cert and client_key")
		}
		cert, err := tls.LoadX509KeyPair(cfg.ClientCert, cfg.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("load client certificate %s: %w", cfg.ClientCert, err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if !verify {
		tc.InsecureSkipVerify = true
		return tc, nil
	}
	system, err := x509.SystemCertPool()
	if err != nil || system == nil {
		system = x509.NewCertPool()
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		if !system.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", cfg.CAFile)
		}
	}
	pools := []*x509.CertPool{system}
	if cfg.RootCAs != nil {
		pools = append(pools, cfg.RootCAs)
	}
	tc.InsecureSkipVerify = true // replaced by verifyChain below, which is stricter than nothing
	tc.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyChain(cs, host, pools)
	}
	return tc, nil
}

// verifyChain checks the peer's chain against each pool in turn and host.
func verifyChain(cs tls.ConnectionState, host string, pools []*x509.CertPool) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("server sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	var first error
	for _, roots := range pools {
		_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{
			DNSName:       host,
			Roots:         roots,
			Intermediates: inter,
			KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		})
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
		var herr x509.HostnameError
		if errors.As(err, &herr) {
			return err // the chain is trusted but names another host
		}
	}
	return first
}
