package migrate_test

import (
	"fmt"
	"time"

	"github.com/ferry-irc/ferry/net/migrate"
	"gopkg.in/irc.v4"
)

// A driver's loop reduced to its skeleton: every input's actions are
// applied in order before the next input. Here the links are print
// statements; net/conn does the real thing.
func Example() {
	m := migrate.NewMachine[string](migrate.Config{ConfiguredHost: "irc.example.net"})
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var dial migrate.DialID
	apply := func(acts []migrate.Action) {
		for _, a := range acts {
			switch a := a.(type) {
			case migrate.Dial:
				dial = a.ID
				fmt.Printf("dial %s:%d tls=%v\n", a.Host, a.Port, a.TLS)
			case migrate.Send:
				fmt.Printf("to %s: %s\n", a.To, migrate.Redact(a.Msg))
			case migrate.Promote:
				fmt.Println("NEW is now the current link")
			case migrate.Flush[string]:
				for _, line := range a.Items {
					fmt.Println("to current:", line)
				}
			case migrate.Emit:
				fmt.Println("status:", a.Event.Step, a.Event.Target, a.Event.Window)
			case migrate.StartTimer, migrate.StopTimer:
				// arm or stop a time.Timer that calls m.Timer
			}
		}
	}
	apply(m.Start(now, irc.MustParseMessage(":s1 MIGRATE START s2.example.net +6697 Q2xvdWQ 9f3Tz s2"), true))
	apply(m.DialDone(now.Add(30*time.Millisecond), dial, nil))
	if !m.Submit("PRIVMSG #chan :typed in the window") {
		fmt.Println("send directly")
	}
	apply(m.Line(now.Add(40*time.Millisecond), migrate.LinkOld, irc.MustParseMessage(":s1 MIGRATE PROCEED Q2xvdWQ")))
	apply(m.Line(now.Add(45*time.Millisecond), migrate.LinkNew, irc.MustParseMessage(":s2 MIGRATE CONFIRM 9f3Tz")))
	// Output:
	// status: offered s2 0s
	// dial s2.example.net:6697 tls=true
	// to old: MIGRATE OK <token>
	// status: accepted s2 0s
	// to new: MIGRATE RESUME <token>
	// status: proceeding s2 0s
	// NEW is now the current link
	// to current: PRIVMSG #chan :typed in the window
	// status: resumed s2 15ms
}
