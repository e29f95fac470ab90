package conn

import (
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/migrate"
)

// A PROCEED that comes after ferry stopped waiting for it. net/migrate/SPEC.md
// says: no PROCEED within 30 s of OK, stay on OLD and send the queue
// there. But OLD stopped reading at OK; if it hands the session over
// after all, every line written to it since was never processed, though
// each was reported Delivered. Nothing can bring them back on OLD (it
// closes right after PROCEED), so they are reported Failed, with the
// reason, for the user to send again: never lost in silence.

// maxLateLines bounds the lines remembered after a proceed timeout.
const maxLateLines = 1000

// lateProceed remembers, after a proceed timeout, the migration's resume
// token and the user's lines written to OLD since.
type lateProceed struct {
	token string
	okAt  time.Time
	sent  []uint64
}

// gaveUp is called when the proceed timer fires: from now on the lines
// OLD is said to have taken are remembered, until a late PROCEED, a new
// migration, or the end of the link.
func (g *migration) gaveUp() {
	if g.okToken == "" {
		return
	}
	g.late = &lateProceed{token: g.okToken, okAt: g.okAt}
}

// noteDelivered records a line written to OLD after a proceed timeout.
func (g *migration) noteDelivered(id uint64) {
	if g.late != nil && id != 0 && len(g.late.sent) < maxLateLines {
		g.late.sent = append(g.late.sent, id)
	}
}

// forgetLate ends the watch: a new migration starts or OLD's link ends.
func (g *migration) forgetLate() { g.late = nil }

// lateProceedLine handles MIGRATE PROCEED from OLD when no migration is
// under way; it reports whether the line was the late PROCEED of the
// migration ferry gave up on.
func (g *migration) lateProceedLine(token string) bool {
	lp := g.late
	if lp == nil || g.m.State() != migrate.Idle || !tokenMatches(token, lp.token) {
		return false
	}
	g.late = nil
	n := g.n
	after := n.clock.Now().Sub(lp.okAt).Round(time.Second)
	server := "the server"
	if n.cur != nil {
		server = n.cur.addr
	}
	why := fmt.Sprintf("%s handed the session over %v after MIGRATE OK, when ferry had stopped waiting", server, after)
	n.logf("migration: %s; %d lines written to it since were not processed", why, len(lp.sent))
	for _, id := range lp.sent {
		n.emit(event.Failed{LocalID: id, Reason: "the server had stopped reading (a late migration); send it again"})
	}
	n.emit(event.Error{Text: why + fmt.Sprintf("; %d line(s) sent since did not arrive and are marked failed", len(lp.sent))})
	return true
}

// tokenMatches compares migration tokens in constant time.
func tokenMatches(got, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
