package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/ferry-irc/ferry/cmd/internal/logfile"
	"github.com/ferry-irc/ferry/cmd/internal/version"
	"github.com/ferry-irc/ferry/config"
	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/migrate"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
	"github.com/ferry-irc/ferry/ui"
)

// runDemo starts a two-node ferryd network in this process (TLS with a
// throwaway CA only this process trusts, a chatter in #ferry, a bounce every
// 20 s) and runs the TUI connected to it. It needs no config, writes no
// config and touches no network beyond loopback.
func runDemo(o options, stderr io.Writer) int {
	log, err := logfile.Open(config.DebugLogPath(), o.debug)
	if err != nil {
		log = nil // the demo runs without a debug log rather than not at all
	}
	defer log.Close()

	netw, err := testnet.Start(demoNetworkOptions(log, o.demoBounce))
	if err != nil {
		fmt.Fprintf(stderr, "ferry: starting the demo network: %v\n", err)
		return 1
	}
	defer netw.Close()

	pool := conn.NewPool(conn.PoolOptions{
		Networks: []conn.NetworkConfig{demoNetworkConfig(netw, demoNick())},
		Log:      poolLogger(log, o.rawLog),
	})
	code := runTUI(tuiRun{pool: pool, log: log}, ui.Options{Theme: config.DefaultTheme, ConfigDir: config.ConfigDir(), Version: uiVersion()}, stderr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = netw.Shutdown(ctx)
	return code
}

// demoNetworkOptions: bounce is how often the network moves the user
// between its nodes; the default (20 s) is often enough that a newcomer sees
// a migration within a minute of starting.
func demoNetworkOptions(log *logfile.Logger, bounce time.Duration) testnet.Options {
	opts := testnet.Options{
		SelfSigned:  true,
		BounceEvery: bounce,
		Chatter:     &testnet.Chatter{Channel: "#ferry"},
	}
	if log != nil {
		opts.Log = log
	}
	return opts
}

// demoNetworkConfig connects to the first node over TLS, trusting only the
// demo network's CA.
func demoNetworkConfig(netw *testnet.Network, nick string) conn.NetworkConfig {
	first := netw.Nodes()[0]
	return conn.NetworkConfig{
		Name: "ferrynet",
		Dial: transport.DialConfig{
			Host:    first.Host(),
			Port:    first.TLSPort(),
			TLS:     true,
			RootCAs: netw.CAPool(),
		},
		Session: session.Config{
			Nick:     nick,
			AltNicks: []string{nick + "_"},
			User:     "ferry",
			Realname: "ferry demo",
			Autojoin: []session.Channel{{Name: "#ferry"}},
			Version:  version.String("ferry"),
		},
		Policy: migrate.PolicyAny,
	}
}
