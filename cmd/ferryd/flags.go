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
	natsTokFile  string
	natsTLSCert  string
	natsTLSKey   string
	natsCA       string
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
		{"nats-listen", "-nats-listen 0.0.0.0:4222 -nats-token-file /etc/ferryd/nats-token (alone: a process that only holds the network state)"},
		{"nats-dir", "-nats-dir /var/lib/ferryd/nats"},
		{"nats-replicas", "-nats-replicas 3 (a NATS cluster of three servers)"},
		{"nats-token-file", "-nats-token-file /etc/ferryd/nats-token (or FERRYD_NATS_TOKEN=...; credentials in -nats nats://TOKEN@host work too)"},
		{"nats-tls-cert", "-nats-listen 0.0.0.0:4222 -nats-tls-cert /etc/ferryd/nats-cert.pem -nats-tls-key /etc/ferryd/nats-key.pem"},
		{"nats-tls-key", "-nats-tls-key /etc/ferryd/nats-key.pem"},
		{"nats-ca", "-nats tls://nats.example.net:4222 -nats-ca /etc/ferryd/nats-ca.pem"},
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
	fs.StringVar(&o.nats, "nats", "", "NATS server URL(s) of the network to join (comma-separated for a NATS cluster); nats://TOKEN@host or nats://USER:PASS@host carry credentials, never logged (ps shows them: prefer -nats-token-file)")
	fs.StringVar(&o.natsListen, "nats-listen", "", "run an embedded NATS server with JetStream on this address; with no -node the process only serves NATS")
	fs.StringVar(&o.natsDir, "nats-dir", "", "where the embedded NATS server stores the network state (empty: $XDG_STATE_HOME/ferryd/nats)")
	fs.IntVar(&o.natsReplicas, "nats-replicas", 1, "how many NATS servers keep the network state, when the first node creates it (JetStream replicas)")
	fs.StringVar(&o.natsTokFile, "nats-token-file", "", "file whose first line is the NATS shared secret: -nats-listen requires it of every client, -node sends it (else $"+tokenEnv+"; empty: no token)")
	fs.StringVar(&o.natsTLSCert, "nats-tls-cert", "", "with -nats-listen: the embedded NATS server speaks only TLS, with this certificate file (PEM)")
	fs.StringVar(&o.natsTLSKey, "nats-tls-key", "", "the private key file (PEM) of -nats-tls-cert")
	fs.StringVar(&o.natsCA, "nats-ca", "", "with -nats: reach NATS over TLS only, trusting this CA certificate file (PEM) (empty: the system's roots, if the server wants TLS)")
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
	fs.StringVar(&o.accounts, "accounts", "", "SASL accounts (PLAIN and SCRAM-SHA-256) as user:password,...; kept (and shared in NATS) as SCRAM-SHA-256 verifiers, never the password")
	fs.StringVar(&o.accountsFile, "accounts-file", "", "file of SASL accounts (PLAIN and SCRAM-SHA-256), one user:password per line (unlike -accounts, not shown by ps)")
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
	case (o.natsTLSCert == "") != (o.natsTLSKey == ""):
		return nil, errors.New("-nats-tls-cert and -nats-tls-key go together")
	case o.natsTLSCert != "" && o.natsListen == "":
		return nil, errors.New("-nats-tls-cert is for the embedded server of -nats-listen")
	case o.natsCA != "" && o.nats == "":
		return nil, errors.New("-nats-ca is for the NATS server of -nats (-nats-listen's own node trusts its certificate)")
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
runs only the NATS server that holds the network state. Across machines,
give every process the same -nats-token-file (or FERRYD_NATS_TOKEN): the
NATS server then refuses anyone without it.

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

// tokenEnv is the environment variable that may carry the NATS token
// instead of -nats-token-file (never a flag value: ps shows those).
const tokenEnv = "FERRYD_NATS_TOKEN"

// natsToken reads the NATS shared secret: the first line of -nats-token-file,
// else $FERRYD_NATS_TOKEN; with both, they must agree. A file others can
// read is worth a warning, not a refusal.
func natsToken(file string, getenv func(string) string, stderr io.Writer) (string, error) {
	env := strings.TrimSpace(getenv(tokenEnv))
	if file == "" {
		return env, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return "", fmt.Errorf("-nats-token-file: %w", err)
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("-nats-token-file %s: %w", file, err)
	}
	tok := strings.TrimSpace(line)
	switch {
	case tok == "":
		return "", fmt.Errorf("-nats-token-file %s: the first line is empty", file)
	case env != "" && env != tok:
		return "", fmt.Errorf("-nats-token-file %s and %s hold different tokens", file, tokenEnv)
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		fmt.Fprintf(stderr, "ferryd: warning: -nats-token-file %s can be read by others (mode %v); chmod 600 it\n", file, fi.Mode().Perm())
	}
	return tok, nil
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
