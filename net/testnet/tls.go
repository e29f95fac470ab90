package testnet

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

// selfSigned is a throwaway CA and a leaf signed by it, valid for the
// loopback names a local client dials.
type selfSigned struct {
	caPEM []byte
	pool  *x509.CertPool
	leaf  tls.Certificate
}

func newSelfSigned(now time.Time) (*selfSigned, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "ferryd throwaway CA", Organization: []string{"ferry"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("parse CA certificate: %w", err)
	}
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate leaf key: %w", err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(30 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("create leaf certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return &selfSigned{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		pool:  pool,
		leaf:  tls.Certificate{Certificate: [][]byte{leafDER, caDER}, PrivateKey: leafKey},
	}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// serverTLS builds the listeners' TLS configuration from the options, or
// returns nil when TLS is not configured.
func serverTLS(opts *Options, now time.Time) (*tls.Config, *selfSigned, error) {
	set := 0
	if opts.TLSConfig != nil {
		set++
	}
	if opts.TLSCertFile != "" || opts.TLSKeyFile != "" {
		set++
	}
	if opts.SelfSigned {
		set++
	}
	switch {
	case set == 0:
		if opts.CAOut != "" {
			return nil, nil, errors.New("CAOut needs SelfSigned")
		}
		return nil, nil, nil
	case set > 1:
		return nil, nil, errors.New("choose one of TLSConfig, TLSCertFile/TLSKeyFile and SelfSigned")
	case opts.TLSConfig != nil:
		return opts.TLSConfig, nil, nil
	case opts.SelfSigned:
		ss, err := newSelfSigned(now)
		if err != nil {
			return nil, nil, err
		}
		if opts.CAOut != "" {
			if err := os.WriteFile(opts.CAOut, ss.caPEM, 0o644); err != nil {
				return nil, nil, fmt.Errorf("write CA file: %w", err)
			}
		}
		return &tls.Config{Certificates: []tls.Certificate{ss.leaf}, MinVersion: tls.VersionTLS12}, ss, nil
	}
	if opts.TLSCertFile == "" || opts.TLSKeyFile == "" {
		return nil, nil, errors.New("TLS needs both a certificate and a key file")
	}
	cert, err := tls.LoadX509KeyPair(opts.TLSCertFile, opts.TLSKeyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("load TLS key pair %s, %s: %w", opts.TLSCertFile, opts.TLSKeyFile, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil, nil
}
