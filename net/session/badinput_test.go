package session

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/command"
	"github.com/ferry-irc/ferry/net/event"
)

// In tests a panic must fail the test, not be turned into a log line.
func TestMain(m *testing.M) {
	recoverPanics = false
	os.Exit(m.Run())
}

// checkBounds fails if the session's state exceeds its documented bounds.
func checkBounds(t testing.TB, s *Session) {
	t.Helper()
	if len(s.channels) > maxChannels {
		t.Fatalf("%d channels > %d", len(s.channels), maxChannels)
	}
	for _, ch := range s.channels {
		if len(ch.members) > maxMembers {
			t.Fatalf("%d members > %d", len(ch.members), maxMembers)
		}
		if len(ch.topic) > maxStored || len(ch.name) > maxNameLen || len(ch.key) > maxNameLen {
			t.Fatalf("channel strings too long: topic %d name %d", len(ch.topic), len(ch.name))
		}
		for _, mb := range ch.members {
			if len(mb.nick) > maxNameLen || len(mb.host) > maxNameLen || len(mb.user) > maxNameLen || len(mb.account) > maxNameLen {
				t.Fatalf("member strings too long")
			}
		}
	}
	if len(s.offered) > maxOffered || len(s.echoes) > maxPendingEcho || len(s.lag) > maxLagPings ||
		len(s.keys) > maxChannels || len(s.pendingJoins) > maxChannels+len(s.cfg.Autojoin) {
		t.Fatalf("bounds exceeded: offered %d echoes %d lag %d keys %d pending joins %d",
			len(s.offered), len(s.echoes), len(s.lag), len(s.keys), len(s.pendingJoins))
	}
	if len(s.nick) > maxNameLen || len(s.host) > maxNameLen || len(s.user) > maxNameLen {
		t.Fatalf("own identity strings too long")
	}
	if len(s.batches) > maxOpenBatches || len(s.hist) > maxHistBuffers || len(s.histReqs) > maxHistRequests || len(s.gap) > maxHistBuffers {
		t.Fatalf("history bounds exceeded: batches %d buffers %d requests %d gap %d", len(s.batches), len(s.hist), len(s.histReqs), len(s.gap))
	}
	for _, b := range s.batches {
		if b.page != nil && len(b.page.msgs) > maxBatchLines {
			t.Fatalf("batch %q holds %d messages", b.ref, len(b.page.msgs))
		}
	}
	for _, b := range s.hist {
		if len(b.recent) > recentMsgIDs || len(b.name) > maxNameLen || len(b.lastID) > maxNameLen {
			t.Fatalf("buffer history %q over its bounds", b.name)
		}
	}
	if r := s.redirect; r != nil && (len(r.host) > maxHostLen || r.port < 1 || r.port > 65535) {
		t.Fatalf("redirect %+v", r)
	}
}

// commands every handler is reached by, for the missing-parameter sweep.
var allCommands = []string{
	"PING", "PONG", "CAP", "AUTHENTICATE", "PRIVMSG", "NOTICE", "JOIN", "PART", "KICK", "QUIT",
	"NICK", "MODE", "TOPIC", "AWAY", "ACCOUNT", "CHGHOST", "SETNAME", "INVITE", "ERROR", "FAIL",
	"WARN", "NOTE", "MIGRATE", "BATCH", "TAGMSG", "WALLOPS", "XYZZY",
	"001", "005", "301", "305", "306", "332", "333", "352", "353", "366", "396", "403", "421",
	"432", "433", "437", "474", "900", "901", "902", "903", "904", "905", "906", "907", "908", "999",
}

func TestMissingParameters(t *testing.T) {
	for _, registered := range []bool{false, true} {
		sc := newScript(t, Config{SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: "b"}})
		sc.s.Register()
		if registered {
			sc.feed(":srv CAP * LS :sasl", ":srv CAP * ACK :sasl", "AUTHENTICATE +", ":srv 903 me :ok", ":srv 001 me :hi", ":me!u@h JOIN #c")
		}
		for _, cmd := range allCommands {
			for _, sub := range []string{"", " LS", " ACK", " NEW", " DEL", " NAK", " LIST", " *"} {
				for _, params := range []string{"", " :", " me", " me :", " #c", " #c :", " me #c", " * *", " me #c :x"} {
					for _, prefix := range []string{"", ":srv ", ":me!u@h ", ":!@ "} {
						line := prefix + cmd + sub + params
						m, err := irc.ParseMessage(line)
						if err != nil {
							continue
						}
						sc.s.Handle(m)
					}
				}
			}
		}
		// Messages without a Prefix or Tags (built by hand, not parsed) too.
		for _, cmd := range allCommands {
			sc.s.Handle(&irc.Message{Command: cmd})
			sc.s.Handle(&irc.Message{Command: strings.ToLower(cmd), Params: []string{"me", "#c", "x"}})
		}
		sc.s.Handle(nil)
		checkBounds(t, sc.s)
	}
}

func TestHugeAndBinaryLines(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("")
	sc.feed(":me!u@h JOIN #c")
	big := strings.Repeat("x", 100*1024)
	logged := len(sc.log.lines)
	evs := sc.feed(
		":bob!b@h PRIVMSG #c :"+big,
		":srv 332 me #c :"+big,
		":srv 353 me = #c :"+strings.Repeat("n ", 50*1024),
		":srv 366 me #c :end",
		":"+big+"!u@h JOIN #c",
		":bob!b@h NICK "+big,
		":bob!b@h PRIVMSG #c :nul\x00byte\x00",
		":bob\x00!b@h PRIVMSG me :\x00",
		":srv 005 me LINELEN=999999999999 CHANMODES=,,,,,,,, PREFIX=(ov)@ PREFIX=((( :are supported",
		":srv 999 me "+big,
		":srv 404 me #notin :Cannot send to channel",
		":srv 332 me #notin :topic of a channel we are not in",
		":srv 333 me #notin x 1",
		":srv 366 me #notin :end",
		":srv 324 me #notin +nt",
		":srv CAP me LS :"+strings.Repeat("cap ", 30000),
	)
	if len(evs) == 0 {
		t.Fatal("no events at all")
	}
	m := only[event.Message](evs)
	if len(m) == 0 || m[0].Text != big {
		t.Error("100 kB message not delivered whole")
	}
	if len(sc.log.lines) == logged {
		t.Error("bad input left no trace in the debug log")
	}
	if sc.s.is.LineLen > maxLineLenForTest {
		t.Errorf("LINELEN accepted as %d", sc.s.is.LineLen)
	}
	checkBounds(t, sc.s)
	// The session still works afterwards.
	if msg := one[event.Message](t, sc.feed(":bob!b@h PRIVMSG #c :still here")); msg.Text != "still here" {
		t.Error("session broken after bad input")
	}
}

const maxLineLenForTest = 16384

func TestMemoryBounds(t *testing.T) {
	sc := newScript(t, Config{})
	sc.register("echo-message")
	for i := 0; i < maxChannels+50; i++ {
		sc.feed(fmt.Sprintf(":me!u@h JOIN #c%d", i))
	}
	var b strings.Builder
	for i := 0; i < maxMembers+500; i++ {
		fmt.Fprintf(&b, "n%d ", i)
	}
	sc.feed(":srv 353 me = #c1 :"+b.String(), ":srv 366 me #c1 :end")
	for i := 0; i < 2*maxOffered; i++ {
		sc.feed(fmt.Sprintf(":srv CAP me NEW :c%d", i))
	}
	for i := 0; i < 2*maxChannels; i++ {
		sc.s.Submit(command.Join{Channel: fmt.Sprintf("#k%d", i), Key: "k"})
	}
	checkBounds(t, sc.s)
	if len(sc.s.channels) != maxChannels || len(sc.s.channels["#c1"].members) != maxMembers {
		t.Errorf("channels %d, members %d", len(sc.s.channels), len(sc.s.channels["#c1"].members))
	}
}
