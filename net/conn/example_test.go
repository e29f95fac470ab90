package conn_test

import (
	"fmt"
	"net"
	"strconv"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/conn"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
	"github.com/ferry-irc/ferry/net/testnet"
	"github.com/ferry-irc/ferry/net/transport"
)

// A Pool connected to the reference network: the user joins a channel and
// is moved to another server; the UI sees a Migration event, not a
// reconnect.
func ExamplePool() {
	tn, err := testnet.Start(testnet.Options{})
	if err != nil {
		panic(err)
	}
	defer tn.Close()
	host, port, _ := net.SplitHostPort(tn.Node("s1").Addr())
	p, _ := strconv.Atoi(port)
	pool := conn.NewPool(conn.PoolOptions{Networks: []conn.NetworkConfig{{
		Name:    "ferrynet",
		Dial:    transport.DialConfig{Host: host, Port: p},
		Session: session.Config{Nick: "newcomer", Autojoin: []session.Channel{{Name: "#ferry"}}},
	}}})
	pool.Start()
	defer pool.Close()

	for b := range pool.Events() {
		for _, e := range b.Events {
			switch e := e.(type) {
			case event.ConnState:
				fmt.Println("state:", e.State)
			case event.Join:
				if e.Self {
					fmt.Println("joined", e.Channel)
					pool.Do("ferrynet", command.Migrate{Server: "s2"})
				}
			case event.Migration:
				fmt.Println("migration:", e.Step, e.Target)
				if e.Step == event.MigrationResumed {
					return
				}
			}
		}
	}
	// Output:
	// state: connecting
	// state: registering
	// state: connected
	// joined #ferry
	// migration: offered s2
	// migration: accepted s2
	// migration: proceeding s2
	// migration: resumed s2
}
