package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ferry-irc/ferry/net/testnet"
)

// options are ferryd's parsed flags.
type options struct {
	nodes        string
	nodesSet     bool // -nodes given explicitly
	node         string
	nats         string
	natsListen   string
	natsDir      string
	natsReplicas int
	registryTTL  time.Duration
	tlsCert      string
	tlsKey       string
	selfSigned   bool
	caOut        string
	accounts     string
	accountsFile string
	password     string
	bouncer      string
	stsPort      int
	stsDuration  time.Duration
	bounceEvery  time.Duration
	holdTimeout  time.Duration
	bufferLimit  int
	drainTimeout time.Duration
	chatter      string
	chatterEvery time.Duration
	logLevel     string
	version      bool
}

// flagGroups orders ferryd -h: every flag with its default and one example.
var flagGroups = []struct {
	title string
	flags []struct{ name, example string }
}{
	{"Nodes", []struct{ name, example string }{
		{"nodes", `-nodes "s1=127.0.0.1:6667+127.0.0.1:6697,s2=127.0.0.1:6668+127.0.0.1:6698@irc2.example.net"`},
	}},
	{"Several processes (state in NATS)", []struct{ name, example string }{
		{"node", "-node s1=0.0.0.0:6667+0.0.0.0:6697@irc1.example.net -nats nats://10.0.0.5:4222"},
		{"nats", "-nats nats://10.0.0.5:4222,nats://10.0.0.6:4222"},
		{"nats-listen", "-nats-listen 0.0.0.0:4222 (alone: a process that only holds the network state)"},
		{"nats-dir", "-nats-dir /var/lib/ferryd/nats"},
		{"nats-replicas", "-nats-replicas 3 (a NATS cluster of three servers)"},
	}},
	{"TLS and STS", []struct{ name, example string }{
		{"tls-cert", "-tls-cert /etc/ferryd/cert.pem -tls-key /etc/ferryd/key.pem"},
		{"tls-key", "-tls-key /etc/ferryd/key.pem"},
		{"tls-self-signed", "-tls-self-signed -ca-out /tmp/ferryd-ca.pem"},
		{"ca-out", "-ca-out /tmp/ferryd-ca.pem"},
		{"sts-port", "-sts-port 6697"},
		{"sts-duration", "-sts-duration 720h"},
	}},
	{"Accounts", []struct{ name, example string }{
		{"accounts", "-accounts alice:wonderland,bob:builder"},
		{"accounts-file", "-accounts-file /etc/ferryd/accounts (one user:password per line, # comments)"},
		{"password", "-password letmein"},
		{"bouncer", `-bouncer "Libera,OFTC"`},
	}},
	{"Migration", []struct{ name, example string }{
		{"bounce-every", "-bounce-every 20s"},
		{"hold-timeout", "-hold-timeout 30s"},
		{"buffer-limit", "-buffer-limit 1024"},
		{"drain-timeout", "-drain-timeout 5s"},
	}},
	{"Demo", []struct{ name, example string }{
		{"chatter", `-chatter "#ferry"`},
		{"chatter-every", "-chatter-every 5s"},
	}},
	{"Logging and info", []struct{ name, example string }{
		{"log-level", "-log-level debug"},
		{"version", "--version"},
	}},
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("ferryd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.nodes, "nodes", "s1=127.0.0.1:0,s2=127.0.0.1:0", "comma-separated nodes, each NAME=PLAINADDR[+TLSADDR][@PUBLICHOST]; port 0 picks a free port")
	fs.StringVar(&o.node, "node", "", "run only this node, NAME=PLAINADDR[+TLSADDR][@PUBLICHOST], in a network whose state lives in NATS (needs -nats or -nats-listen)")
	fs.StringVar(&o.nats, "nats", "", "NATS server URL(s) of the network to join (comma-separated for a NATS cluster)")
	fs.StringVar(&o.natsListen, "nats-listen", "", "run an embedded NATS server with JetStream on this address; with no -node the process only serves NATS")
	fs.StringVar(&o.natsDir, "nats-dir", "", "where the embedded NATS server stores the network state (empty: $XDG_STATE_HOME/ferryd/nats)")
	fs.IntVar(&o.natsReplicas, "nats-replicas", 1, "how many NATS servers keep the network state, when the first node creates it (JetStream replicas)")
	// Hidden (in no flag group, so not in -h): the tests of a node that
	// dies without leaving shorten how long the others wait before they
	// end its users. Operators keep the default.
	fs.DurationVar(&o.registryTTL, "registry-ttl", 10*time.Second, "how long a node's registry entry lives without a refresh (testing)")
	fs.StringVar(&o.tlsCert, "tls-cert", "", "TLS certificate file (PEM); enables a TLS listener on every node")
	fs.StringVar(&o.tlsKey, "tls-key", "", "TLS private key file (PEM), with -tls-cert")
	fs.BoolVar(&o.selfSigned, "tls-self-signed", false, "generate a throwaway CA and certificate for 127.0.0.1, ::1 and localhost")
	fs.StringVar(&o.caOut, "ca-out", "", "with -tls-self-signed: write the CA certificate (PEM) here for clients to trust")
	fs.IntVar(&o.stsPort, "sts-port", 0, "advertise STS with this TLS port (0 with -sts-duration: each node's own TLS port)")
	fs.DurationVar(&o.stsDuration, "sts-duration", 0, "advertise STS with this persistence duration (needs TLS)")
	fs.StringVar(&o.accounts, "accounts", "", "SASL accounts (PLAIN and SCRAM-SHA-256) as user:password,...")
	fs.StringVar(&o.accountsFile, "accounts-file", "", "file of SASL accounts (PLAIN and SCRAM-SHA-256), one user:password per line")
	fs.StringVar(&o.password, "password", "", "server password every client must send with PASS")
	fs.StringVar(&o.bouncer, "bouncer", "", "act as a bouncer (soju.im/bouncer-networks) with these comma-separated upstream networks, each a view of ferryd")
	fs.DurationVar(&o.bounceEvery, "bounce-every", 0, "move every migrate-capable client to the next node this often (0: never)")
	fs.DurationVar(&o.holdTimeout, "hold-timeout", 60*time.Second, "how long a node holds a handed-over session waiting for RESUME")
	fs.IntVar(&o.bufferLimit, "buffer-limit", 4096, "lines buffered for a held session before it ends")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", 10*time.Second, "on SIGINT/SIGTERM, how long to wait for clients to move before closing")
	fs.StringVar(&o.chatter, "chatter", "", "channel for a built-in chatting user (empty: none)")
	fs.DurationVar(&o.chatterEvery, "chatter-every", 8*time.Second, "how often the chatter speaks")
	fs.StringVar(&o.logLevel, "log-level", "info", "quiet, info (connections, migrations with timings) or debug (also every line, secrets masked)")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() { usage(fs, stderr) }
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (see ferryd -h)", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "nodes" {
			o.nodesSet = true
		}
	})
	switch {
	case o.node != "" && o.nodesSet:
		return nil, errors.New("-node and -nodes exclude each other: a process in a NATS network runs one node")
	case o.node != "" && o.nats == "" && o.natsListen == "":
		return nil, errors.New("-node needs -nats URL or -nats-listen ADDR")
	case o.nats != "" && o.natsListen != "":
		return nil, errors.New("-nats and -nats-listen exclude each other: -node uses the embedded server of -nats-listen")
	case o.nats != "" && o.node == "":
		return nil, errors.New("-nats needs -node: which node does this process run?")
	}
	switch o.logLevel {
	case "quiet", "info", "debug":
	default:
		return nil, fmt.Errorf("-log-level %q: want quiet, info or debug", o.logLevel)
	}
	return o, nil
}

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, `ferryd: the reference IRC network for ferry, with server migration
(IRCv3 draft/migrate). Several nodes run in one process and share one
network state. Once ready it prints one line per node: its name, then its
listen addresses (plain first, then TLS).

Usage: ferryd [flags]

With -node (and -nats or -nats-listen) the process runs one node of a
network whose state and traffic live in NATS, so nodes can be separate
processes on separate machines and restarted one at a time: on SIGINT or
SIGTERM such a node moves its migrate-capable clients to the other nodes,
tells the rest the server is restarting, and exits 0. -nats-listen alone
runs only the NATS server that holds the network state.

While running, stdin takes operator commands: migrate NICK NODE,
drain NODE, undrain NODE, chghost NICK HOST, account NICK [ACCOUNT]
(no ACCOUNT logs out), users, help. On SIGINT or SIGTERM every
migrate-capable client is first moved to the last node (bounded by
-drain-timeout), then the network closes and ferryd exits 0.
`)
	for _, g := range flagGroups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		for _, f := range g.flags {
			fl := fs.Lookup(f.name)
			def := fl.DefValue
			if def == "" {
				def = `""`
			}
			fmt.Fprintf(w, "  -%s\n      %s\n      default: %s\n      example: %s\n", fl.Name, fl.Usage, def, f.example)
		}
	}
}

// nodeConfigs parses -nodes: NAME=PLAINADDR[+TLSADDR][@PUBLICHOST],...
func nodeConfigs(spec string) ([]testnet.NodeConfig, error) {
	var out []testnet.NodeConfig
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, rest, ok := strings.Cut(item, "=")
		if !ok || name == "" || rest == "" {
			return nil, fmt.Errorf("-nodes: %q: want NAME=ADDR[+TLSADDR][@HOST]", item)
		}
		nc := testnet.NodeConfig{Name: name}
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			nc.Host, rest = rest[i+1:], rest[:i]
		}
		nc.Addr, nc.TLSAddr, _ = strings.Cut(rest, "+")
		out = append(out, nc)
	}
	if len(out) == 0 {
		return nil, errors.New("-nodes: no node given")
	}
	return out, nil
}

// parseAccounts reads user:password pairs from the flag and the file.
func parseAccounts(list, file string) (map[string]string, error) {
	acc := map[string]string{}
	add := func(where, pair string) error {
		user, pass, ok := strings.Cut(pair, ":")
		if !ok || user == "" {
			return fmt.Errorf("%s: %q: want user:password", where, pair)
		}
		acc[user] = pass
		return nil
	}
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if err := add("-accounts", p); err != nil {
				return nil, err
			}
		}
	}
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("-accounts-file: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for ln := 1; sc.Scan(); ln++ {
			l := strings.TrimSpace(sc.Text())
			if l == "" || strings.HasPrefix(l, "#") {
				continue
			}
			if err := add(fmt.Sprintf("%s:%d", file, ln), l); err != nil {
				return nil, err
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("-accounts-file %s: %w", file, err)
		}
	}
	return acc, nil
}
