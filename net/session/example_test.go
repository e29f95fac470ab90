package session_test

import (
	"fmt"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/session"
)

type printSender struct{}

func (printSender) Send(o session.Outgoing) { fmt.Printf("-> %s (%v)\n", o.Msg, o.Class) }

// The owner of a connection calls Register, then hands every line it reads
// to Handle; what the session sends comes out through the Sender, during
// the call (so before the events that call returns).
func Example() {
	s := session.New(session.Config{
		Nick: "ferry", User: "ferry", Realname: "Ferry User",
		Autojoin: []session.Channel{{Name: "#ferry"}},
		Sender:   printSender{},
		Now:      func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
	})
	s.Register()
	for _, line := range []string{
		":srv CAP * LS :server-time echo-message",
		":srv CAP * ACK :server-time echo-message",
		":srv 001 ferry :Welcome",
		":srv 376 ferry :End of MOTD", // the rejoin/autojoin goes out at the end of the burst
		":ferry!ferry@host JOIN #ferry",
		":bob!b@h PRIVMSG #ferry :hi ferry",
	} {
		for _, ev := range s.Handle(irc.MustParseMessage(line)) {
			switch ev := ev.(type) {
			case event.Registered:
				fmt.Println("registered as", ev.Nick)
			case event.Join:
				fmt.Println("joined", ev.Channel, "ready:", s.Ready())
			case event.Message:
				fmt.Printf("<%s> %s (highlight %v)\n", ev.From, ev.Text, ev.Highlight)
			}
		}
	}
	s.Submit(command.SendText{ID: 1, Target: "#ferry", Text: "hello"})
	// Output:
	// -> CAP LS 302 (conn)
	// -> NICK ferry (conn)
	// -> USER ferry 0 * :Ferry User (conn)
	// -> CAP REQ :server-time echo-message (conn)
	// -> CAP END (conn)
	// registered as ferry
	// -> JOIN #ferry (rejoin)
	// joined #ferry ready: true
	// <bob> hi ferry (highlight true)
	// -> PRIVMSG #ferry hello (user)
}
