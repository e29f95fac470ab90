package session

import (
	"time"

	"github.com/ferry-irc/ferry/net/ircx"
)

// CTCP answers are rate-limited so that a flood of CTCP requests cannot make
// us flood the server (and get killed for it): at most ctcpBurst at once,
// refilled at ctcpBurst per ctcpRefill.
const (
	ctcpBurst  = 3
	ctcpRefill = 10 * time.Second
)

// ctcpClientInfo is what CLIENTINFO answers: the CTCP commands we know.
const ctcpClientInfo = "ACTION CLIENTINFO PING TIME VERSION"

// bucket is a token bucket on the session's clock, kept as the generic
// cell rate algorithm: tat is the time at which the bucket will be full
// again. Integer time arithmetic keeps it exact under an injected clock.
type bucket struct {
	burst    int
	interval time.Duration // time to earn one token
	tat      time.Time
}

func newBucket(burst int, per time.Duration) bucket {
	return bucket{burst: burst, interval: per / time.Duration(burst)}
}

// take reports whether a token was available at now, and takes it.
func (b *bucket) take(now time.Time) bool {
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	// Allowed while fewer than burst tokens are owed.
	if tat.Sub(now) > time.Duration(b.burst-1)*b.interval {
		return false
	}
	b.tat = tat.Add(b.interval)
	return true
}

// answerCTCP answers VERSION, PING, TIME and CLIENTINFO with a NOTICE
// (ClassAuto), within the rate limit. Other requests get no answer.
func (s *Session) answerCTCP(from, cmd, args string) {
	var reply string
	switch cmd {
	case "VERSION":
		reply = s.cfg.Version
		if reply == "" {
			reply = "ferry"
		}
	case "PING":
		reply = clip(args, 256)
	case "TIME":
		reply = s.now().Format(time.RFC1123Z)
	case "CLIENTINFO":
		reply = ctcpClientInfo
	default:
		return
	}
	if !s.ctcp.take(s.now()) {
		s.log.Printf("session: CTCP %s from %s not answered: rate limit", cmd, clip(from, maxNameLen))
		return
	}
	s.send(ClassAuto, "NOTICE", from, ircx.FormatCTCP(cmd, reply))
}
