package migrate

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

const (
	exStart   = ":s1 MIGRATE START s2.example.net +6697 Q2xvdWQ 9f3Tz s2"
	exProceed = ":s1 MIGRATE PROCEED Q2xvdWQ"
	exConfirm = ":s2 MIGRATE CONFIRM 9f3Tz"
)

var (
	exTokens = []string{"Q2xvdWQ", "9f3Tz"}
	baseCfg  = Config{ConfiguredHost: "irc.example.net"}

	// The opening of section 6's example, up to OK: every test of a later
	// step starts here.
	exOpen = []step{
		start(exStart, true,
			"emit offered target=s2 host=s2.example.net:6697",
			"dial 1 s2.example.net:6697 tls sni=s2.example.net 10s",
			"start dial#1 10s"),
		submit("PRIVMSG #chan :message 1", false), // still OLD's: sent directly, before OK
		at(40*time.Millisecond, dialed(1, nil,
			"stop dial#1",
			"send old MIGRATE OK Q2xvdWQ",
			"emit accepted target=s2 host=s2.example.net:6697",
			"start proceed#2 30s")),
		submit("PRIVMSG #chan :message 2", true),
	}
	// ... and up to RESUME.
	exResume = append(append([]step{}, exOpen...),
		at(60*time.Millisecond, line(LinkOld, exProceed,
			"stop proceed#2",
			"send new MIGRATE RESUME Q2xvdWQ",
			"start confirm#3 15s",
			"emit proceeding target=s2 host=s2.example.net:6697")),
		at(61*time.Millisecond, oldLost("warn: (took over: true)")), // s1 closes after PROCEED
		submit("PRIVMSG #chan :message 3", true),
	)
)

func seq(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestExample feeds SPEC.md section 6 line by line.
func TestExample(t *testing.T) {
	m := run(t, baseCfg, exTokens, seq(exResume, []step{
		at(100*time.Millisecond, line(LinkNew, exConfirm,
			"stop confirm#3",
			"promote 1",
			"flush PRIVMSG #chan :message 2 | PRIVMSG #chan :message 3",
			"emit resumed target=s2 host=s2.example.net:6697 window=60ms")),
		submit("PRIVMSG #chan :message 4", false),
		// Late fires of every timer of this migration are stale.
		fire(TimerDial, 1), fire(TimerProceed, 2), fire(TimerConfirm, 3),
		// So is a repeated CONFIRM (now from the current link).
		line(LinkOld, exConfirm, "warn: ignored unexpected MIGRATE CONFIRM from the current server"),
	}))
	if m.State() != Idle || m.Queued() != 0 || m.Holding() {
		t.Fatalf("after CONFIRM: state %s, %d queued, holding %v", m.State(), m.Queued(), m.Holding())
	}
}

// TestBeforeOK covers the failure row "before OK": bad fields, refused
// target, dial or TLS failure -> NAK, stay on OLD, a status-bar note.
func TestBeforeOK(t *testing.T) {
	certErr := fmt.Errorf("tls s2.example.net:6697: %w", x509.UnknownAuthorityError{})
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"dial refused", []step{
			exOpen[0],
			at(5*time.Millisecond, dialed(1, refused,
				"stop dial#1",
				"send old MIGRATE NAK Q2xvdWQ :target unreachable",
				"emit declined target=s2 host=s2.example.net:6697 reason=could not connect to s2.example.net:6697: dial tcp: connection refused")),
			submit("PRIVMSG #chan :after", false),
			fire(TimerDial, 1), // stale
		}},
		{"certificate not verified", []step{
			exOpen[0],
			dialed(1, certErr,
				"stop dial#1",
				"send old MIGRATE NAK Q2xvdWQ :target certificate not trusted",
				"emit declined target=s2 host=s2.example.net:6697 reason=the certificate of s2.example.net:6697 was not trusted: tls s2.example.net:6697: x509: certificate signed by unknown authority"),
		}},
		{"dial timeout, then the late connection is closed", []step{
			exOpen[0],
			at(10*time.Second, fire(TimerDial, 1,
				"close-new 1",
				"send old MIGRATE NAK Q2xvdWQ :target unreachable",
				"emit declined target=s2 host=s2.example.net:6697 reason=s2.example.net:6697 did not answer within 10s")),
			at(11*time.Second, dialed(1, nil, "close-new 1")),
			dialed(1, refused),
		}},
		{"target drops before the dial is reported", []step{
			exOpen[0],
			newLost(
				"stop dial#1",
				"close-new 1",
				"send old MIGRATE NAK Q2xvdWQ :target unreachable",
				"emit declined target=s2 host=s2.example.net:6697 reason=the connection to s2.example.net:6697 was lost before the move was accepted"),
		}},
		{"OLD drops while dialling: abandoned, normal reconnect", []step{
			exOpen[0],
			oldLost(
				"stop dial#1",
				"close-new 1",
				"emit declined target=s2 host=s2.example.net:6697 reason=the connection to s1 was lost before the move was accepted",
				"warn: (took over: false)"),
			dialed(1, nil, "close-new 1"),
		}},
		{"server withdraws before OK", []step{
			exOpen[0],
			line(LinkOld, ":s1 FAIL MIGRATE ABORTED Q2xvdWQ :gave up",
				"stop dial#1",
				"close-new 1",
				"emit declined target=s2 host=s2.example.net:6697 reason=the server withdrew its migration offer"),
		}},
		{"a second START while dialling", []step{
			exOpen[0],
			start(":s1 MIGRATE START s3.example.net +6697 OtherTok 9f3Tz s3", true,
				"send old MIGRATE NAK OtherTok :migration in progress",
				"warn: declined a second MIGRATE START: a migration is already under way"),
			dialed(1, nil,
				"stop dial#1",
				"send old MIGRATE OK Q2xvdWQ",
				"emit accepted target=s2 host=s2.example.net:6697",
				"start proceed#2 30s"),
		}},
		{"PROCEED before OK is ignored", []step{
			exOpen[0],
			line(LinkOld, exProceed, "warn: ignored unexpected MIGRATE PROCEED from the current server"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, baseCfg, append(exTokens, "OtherTok"), tc.steps) })
	}
}

// TestBadFields: a START whose fields do not parse is warned about and,
// when its resume token parses (NAK needs it), declined with NAK.
func TestBadFields(t *testing.T) {
	long := ""
	for len(long) < 129 {
		long += "a"
	}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{":s1 MIGRATE START s2.example.net +6697 " + long + " 9f3Tz s2",
			[]string{"warn: ignored MIGRATE START: invalid resume token"}},
		{":s1 MIGRATE START s2.example.net +6697 Q2x!dWQ 9f3Tz s2",
			[]string{"warn: ignored MIGRATE START: invalid resume token"}},
		{":s1 MIGRATE START s2.example.net +6697",
			[]string{"warn: ignored MIGRATE START: missing parameters"}},
	} {
		t.Run(tc.line, func(t *testing.T) { run(t, baseCfg, exTokens, []step{start(tc.line, true, tc.want...)}) })
	}
	nak := func(field, target string) []string {
		return []string{
			"warn: declined MIGRATE START: " + field,
			"send old MIGRATE NAK Q2xvdWQ :invalid parameters",
			"emit declined target=" + target + " host= reason=the server's migration offer was malformed (" + field + ")",
		}
	}
	for _, tc := range []struct {
		args string // after START
		want []string
	}{
		{"s2.example.net +6697 Q2xvdWQ", nak("missing parameters", "s2.example.net")},
		{"s2.example.net +6697 Q2xvdWQ " + long + " s2", nak("invalid confirm token", "s2")},
		{"s2.example.net +6697 Q2xvdWQ 9f3T% s2", nak("invalid confirm token", "s2")},
		{"s2.example.net 0 Q2xvdWQ 9f3Tz s2", nak("invalid port", "s2")},
		{"s2.example.net 65536 Q2xvdWQ 9f3Tz s2", nak("invalid port", "s2")},
		{"s2.example.net + Q2xvdWQ 9f3Tz s2", nak("invalid port", "s2")},
		{"s2.example.net ++6697 Q2xvdWQ 9f3Tz s2", nak("invalid port", "s2")},
		{"s2.example.net -6697 Q2xvdWQ 9f3Tz s2", nak("invalid port", "s2")},
		{"s2.example.net 6697x Q2xvdWQ 9f3Tz s2", nak("invalid port", "s2")},
		{"s2.example.net 000006697 Q2xvdWQ 9f3Tz s2", nak("invalid port", "s2")},
		{"[::1] +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"fe80::1%eth0 +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"s2..example.net +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"-s2.example.net +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"s2.example.net. +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"s2_x.example.net +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"1.2.3 +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"s2.example.net:6697 +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{strings.Repeat("a.", 127) + "net +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{strings.Repeat("a", 64) + ".net +6697 Q2xvdWQ 9f3Tz s2", nak("invalid host", "s2")},
		{"s2.example.net +6697 Q2xvdWQ 9f3Tz " + strings.Repeat("s", 64), nak("invalid server name", "s2.example.net")},
		{"s2.example.net +6697 Q2xvdWQ 9f3Tz :s2 with spaces", nak("invalid server name", "s2.example.net")},
	} {
		t.Run(tc.args, func(t *testing.T) {
			run(t, baseCfg, exTokens, []step{start(":s1 MIGRATE START "+tc.args, true, tc.want...)})
		})
	}
	// Valid edge forms are dialled.
	for _, tc := range []struct{ args, dial string }{
		{"2001:db8::1 +6697 Q2xvdWQ 9f3Tz", "dial 1 2001:db8::1:6697 tls sni= 10s"},
		{"127.0.0.1 +1 Q2xvdWQ 9f3Tz s2", "dial 1 127.0.0.1:1 tls sni= 10s"},
		{"S2.Example.NET +65535 Q2xvdWQ 9f3Tz s2", "dial 1 S2.Example.NET:65535 tls sni=S2.Example.NET 10s"},
		{"s2.example.net +6697 Q2xvdWQ 9f3Tz s2 extra params", "dial 1 s2.example.net:6697 tls sni=s2.example.net 10s"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			m := NewMachine[string](baseCfg)
			acts := renderAll(m.Start(t0, msg(t, ":s1 MIGRATE START "+tc.args), true))
			if len(acts) != 3 || acts[1] != tc.dial {
				t.Fatalf("got %q, want the dial %q", acts, tc.dial)
			}
		})
	}
}
