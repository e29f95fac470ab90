// Command ferryd runs ferry's reference IRC network: several server nodes
// in one process sharing one network state, implementing the server side
// of the draft IRCv3 migrate extension (see net/testnet). Run it with no
// flags for a two-node network on loopback; `ferryd -h` lists the flags.
// With -node and -nats (or -nats-listen) it runs one node of a network
// whose state lives in NATS, one process per node.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/adrg/xdg"

	"github.com/ferry-irc/ferry/cmd/internal/version"
	"github.com/ferry-irc/ferry/net/natsd"
	"github.com/ferry-irc/ferry/net/testnet"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run starts the network, prints one line per node once every listener is
// up, serves operator commands from stdin (when not nil) and, when ctx
// ends, drains clients to the last node and exits 0.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ferryd:", err)
		return 2
	}
	if o.version {
		fmt.Fprintln(stdout, version.String("ferryd"))
		return 0
	}
	opts, err := networkOptions(o, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "ferryd:", err)
		return 2
	}
	o.accounts = "" // the network keeps salted keys only
	token := ""
	if o.node != "" || o.natsListen != "" {
		if token, err = natsToken(o.natsTokFile, os.Getenv, stderr); err != nil {
			fmt.Fprintln(stderr, "ferryd:", err)
			return 2
		}
	}
	if opts.Cluster != nil {
		opts.Cluster.Token = token
		if o.natsCA != "" {
			if opts.Cluster.TLS, err = natsClientTLS(o.natsCA); err != nil {
				fmt.Fprintln(stderr, "ferryd:", err)
				return 2
			}
		}
	}
	if o.natsListen != "" {
		var cert *tls.Certificate
		if o.natsTLSCert != "" {
			c, err := tls.LoadX509KeyPair(o.natsTLSCert, o.natsTLSKey)
			if err != nil {
				fmt.Fprintln(stderr, "ferryd: -nats-tls-cert:", err)
				return 2
			}
			cert = &c
		}
		ns, err := startNATS(o, token, cert, stderr)
		if err != nil {
			fmt.Fprintln(stderr, "ferryd:", err)
			return 1
		}
		defer ns.Close()
		fmt.Fprintln(stdout, "nats "+ns.URL())
		if o.node == "" {
			syncOut(stdout)
			<-ctx.Done()
			fmt.Fprintln(stderr, "ferryd: NATS server stopping")
			return 0
		}
		opts.Cluster = &testnet.ClusterOptions{NATSURL: ns.URL(), Token: token, Replicas: o.natsReplicas, RegistryTTL: o.registryTTL}
		if cert != nil {
			opts.Cluster.TLS = pinnedTLS(cert)
		}
	}
	n, err := testnet.Start(opts)
	if err != nil {
		fmt.Fprintln(stderr, "ferryd:", err)
		return 1
	}
	for _, nd := range n.Nodes() {
		line := nd.Name() + " " + nd.Addr()
		if a := nd.TLSAddr(); a != "" {
			line += " " + a
		}
		fmt.Fprintln(stdout, line)
	}
	syncOut(stdout)
	if stdin != nil {
		go operator(stdin, n, stderr)
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "ferryd: shutting down, moving clients first")
	dctx, cancel := context.WithTimeout(context.Background(), o.drainTimeout)
	defer cancel()
	if err := n.Shutdown(dctx); err != nil {
		fmt.Fprintln(stderr, "ferryd: some clients did not move in time:", err)
	}
	return 0
}

func syncOut(stdout io.Writer) {
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
}

// startNATS runs the embedded NATS server of -nats-listen, requiring
// token of every client when there is one, over TLS with cert if not nil.
func startNATS(o *options, token string, cert *tls.Certificate, stderr io.Writer) (*natsd.Server, error) {
	dir := o.natsDir
	if dir == "" {
		dir = filepath.Join(xdg.StateHome, "ferryd", "nats")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("-nats-dir: %w", err)
	}
	if token == "" && !natsd.Loopback(o.natsListen) {
		fmt.Fprintf(stderr, "ferryd: warning: NATS on %s takes anyone who can reach it (they can read accounts and inject events); give every process the same -nats-token-file or %s\n", o.natsListen, tokenEnv)
	}
	nopts := []natsd.Option{natsd.Token(token)}
	if cert != nil {
		nopts = append(nopts, natsd.TLS(&tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}))
	}
	return natsd.Start(o.natsListen, dir, nopts...)
}

// natsClientTLS is the TLS of a node's link to NATS with -nats-ca.
func natsClientTLS(caFile string) (*tls.Config, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("-nats-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("-nats-ca %s: no PEM certificate in it", caFile)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// pinnedTLS is the TLS of the link from -nats-listen's own node to its
// embedded server: that server's certificate exactly, whatever names it
// covers (the listen address may be 0.0.0.0, which no certificate names).
func pinnedTLS(cert *tls.Certificate) *tls.Config {
	want := cert.Certificate[0]
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // replaced by the pin below
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 || !bytes.Equal(raw[0], want) {
				return errors.New("the embedded NATS server presented another certificate")
			}
			return nil
		},
	}
}

func networkOptions(o *options, stderr io.Writer) (testnet.Options, error) {
	spec := o.nodes
	if o.node != "" {
		spec = o.node
	}
	nodes, err := nodeConfigs(spec)
	if err != nil {
		return testnet.Options{}, err
	}
	if o.node != "" && len(nodes) != 1 {
		return testnet.Options{}, errors.New("-node: one node, NAME=PLAINADDR[+TLSADDR][@PUBLICHOST]")
	}
	acc, err := parseAccounts(o.accounts, o.accountsFile)
	if err != nil {
		return testnet.Options{}, err
	}
	opts := testnet.Options{
		Nodes:           nodes,
		TLSCertFile:     o.tlsCert,
		TLSKeyFile:      o.tlsKey,
		SelfSigned:      o.selfSigned,
		CAOut:           o.caOut,
		Accounts:        acc,
		BouncerNetworks: bouncerNames(o.bouncer),
		Password:        o.password,
		BounceEvery:     o.bounceEvery,
		HoldTimeout:     o.holdTimeout,
		BufferLimit:     o.bufferLimit,
	}
	if o.nats != "" {
		opts.Cluster = &testnet.ClusterOptions{NATSURL: o.nats, Replicas: o.natsReplicas, RegistryTTL: o.registryTTL}
	}
	if o.stsDuration > 0 || o.stsPort > 0 {
		opts.STS = &testnet.STSPolicy{Port: o.stsPort, Duration: o.stsDuration}
	}
	if o.chatter != "" {
		opts.Chatter = &testnet.Chatter{Channel: o.chatter, Every: o.chatterEvery}
	}
	if o.logLevel != "quiet" {
		opts.Log = log.New(stderr, "ferryd: ", log.LstdFlags|log.Lmicroseconds)
		opts.Debug = o.logLevel == "debug"
	}
	return opts, nil
}

// operator reads commands from stdin until it ends.
func operator(in io.Reader, n *testnet.Network, out io.Writer) {
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		var err error
		switch {
		case f[0] == "migrate" && len(f) == 3:
			err = n.Migrate(f[1], f[2])
		case f[0] == "drain" && len(f) == 2:
			err = n.Drain(f[1])
		case f[0] == "drain" && len(f) == 1 && len(n.Nodes()) == 1:
			err = n.Drain(n.Nodes()[0].Name()) // a node process: drain this node
		case f[0] == "undrain" && len(f) == 2:
			err = n.Undrain(f[1])
		case f[0] == "chghost" && len(f) == 3:
			err = n.SetHost(f[1], f[2])
		case f[0] == "account" && (len(f) == 2 || len(f) == 3):
			err = n.SetAccount(f[1], strings.Join(f[2:], ""))
		case f[0] == "users":
			for _, u := range n.Users() {
				node, _ := n.UserNode(u)
				fmt.Fprintf(out, "  %s on %s\n", u, node)
			}
		default:
			fmt.Fprintln(out, "commands: migrate NICK NODE | drain [NODE] | undrain NODE | chghost NICK HOST | account NICK [ACCOUNT] | users")
		}
		if err != nil {
			fmt.Fprintln(out, "ferryd:", err)
		}
	}
}

// bouncerNames splits -bouncer's list, dropping empty names.
func bouncerNames(list string) []string {
	var out []string
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}
