package migrate

import (
	"strings"
	"testing"
	"time"
)

// TestAfterOK covers the failure rows "after OK, before PROCEED".
func TestAfterOK(t *testing.T) {
	stayed := func(reason string) []string {
		return []string{
			"close-new 1",
			"flush PRIVMSG #chan :message 2 | PRIVMSG #chan :message 3",
			"emit failed target=s2 host=s2.example.net:6697 reason=" + reason + " recovery=stayed on s1",
		}
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"ABORTED: stay on OLD, flush to OLD in order", []step{
			submit("PRIVMSG #chan :message 3", true),
			line(LinkOld, ":s1 FAIL MIGRATE ABORTED Q2xvdWQ :could not hand over",
				append([]string{"stop proceed#2"}, stayed("s1 aborted the migration")...)...),
			submit("PRIVMSG #chan :message 4", false),
			line(LinkOld, exProceed, "warn: ignored unexpected MIGRATE PROCEED from the current server"),
		}},
		{"ABORTED with another token is ignored", []step{
			line(LinkOld, ":s1 FAIL MIGRATE ABORTED OtherTok :could not hand over",
				"warn: ignored unexpected FAIL MIGRATE ABORTED from the current server"),
			submit("PRIVMSG #chan :message 3", true),
			at(30*time.Second+40*time.Millisecond, fire(TimerProceed, 2, stayed("s1 did not hand the session over within 30s")...)),
		}},
		{"30 s pass without PROCEED", []step{
			submit("PRIVMSG #chan :message 3", true),
			at(30*time.Second+40*time.Millisecond, fire(TimerProceed, 2, stayed("s1 did not hand the session over within 30s")...)),
			fire(TimerProceed, 2), // a second fire of the same timer is stale
		}},
		{"OLD drops: treated as after PROCEED", []step{
			at(50*time.Millisecond, oldLost(
				"warn: lost s1 during the migration window; resuming on s2",
				"stop proceed#2",
				"send new MIGRATE RESUME Q2xvdWQ",
				"start confirm#3 15s",
				"emit proceeding target=s2 host=s2.example.net:6697",
				"warn: (took over: true)")),
			submit("PRIVMSG #chan :message 3", true),
			at(90*time.Millisecond, line(LinkNew, exConfirm,
				"stop confirm#3",
				"promote 1",
				"flush PRIVMSG #chan :message 2 | PRIVMSG #chan :message 3",
				"emit resumed target=s2 host=s2.example.net:6697 window=50ms")),
		}},
		{"PROCEED with a wrong token is ignored", []step{
			line(LinkOld, ":s1 MIGRATE PROCEED OtherTok",
				"warn: ignored MIGRATE PROCEED: its token does not match the migration under way"),
			line(LinkNew, ":s2 MIGRATE PROCEED Q2xvdWQ",
				"warn: ignored unexpected MIGRATE PROCEED from the target server"),
			line(LinkNew, exConfirm, "warn: ignored unexpected MIGRATE CONFIRM from the target server"),
		}},
		{"NEW drops in the window, then ABORTED: stay on OLD", []step{
			newLost("close-new 1", "warn: lost the connection to s2 during the migration window; waiting for s1"),
			newLost(),
			submit("PRIVMSG #chan :message 3", true),
			line(LinkOld, ":s1 FAIL MIGRATE ABORTED Q2xvdWQ :could not hand over",
				"stop proceed#2",
				"flush PRIVMSG #chan :message 2 | PRIVMSG #chan :message 3",
				"emit failed target=s2 host=s2.example.net:6697 reason=s1 aborted the migration recovery=stayed on s1"),
		}},
		{"NEW drops in the window, then PROCEED: fallback reconnect", []step{
			newLost("close-new 1", "warn: lost the connection to s2 during the migration window; waiting for s1"),
			line(LinkOld, exProceed,
				"stop proceed#2",
				"warn: migration to s2 failed: the connection to s2 was lost before the hand-over; reconnecting to irc.example.net",
				"reconnect: migration failed: the connection to s2 was lost before the hand-over"),
			submit("PRIVMSG #chan :message 3", true),
			oldLost("warn: (took over: true)"),
			at(2*time.Second, reconnected(
				"flush PRIVMSG #chan :message 2 | PRIVMSG #chan :message 3",
				"emit failed target=s2 host=s2.example.net:6697 reason=the connection to s2 was lost before the hand-over recovery=reconnected to irc.example.net")),
			reconnected(),
		}},
		{"NEW and OLD both drop in the window: fallback reconnect", []step{
			newLost("close-new 1", "warn: lost the connection to s2 during the migration window; waiting for s1"),
			oldLost(
				"stop proceed#2",
				"warn: migration to s2 failed: the connections to s1 and s2 were both lost; reconnecting to irc.example.net",
				"reconnect: migration failed: the connections to s1 and s2 were both lost",
				"warn: (took over: true)"),
			reconnected(
				"flush PRIVMSG #chan :message 2",
				"emit failed target=s2 host=s2.example.net:6697 reason=the connections to s1 and s2 were both lost recovery=reconnected to irc.example.net"),
		}},
		{"a repeated report of the target's dial changes nothing", []step{
			dialed(1, nil),
			dialed(2, nil, "close-new 2"), // a dial that is not ours
			line(LinkOld, exProceed,
				"stop proceed#2",
				"send new MIGRATE RESUME Q2xvdWQ",
				"start confirm#3 15s",
				"emit proceeding target=s2 host=s2.example.net:6697"),
		}},
		{"a FAIL reply echoing a current token masks it", []step{
			line(LinkOld, ":s1 FAIL MIGRATE NOT_ALLOWED Q2xvdWQ :no", `info: cannot migrate to "<token>": the server does not allow it`),
		}},
		{"a second START in the window", []step{
			start(":s1 MIGRATE START s3.example.net +6697 OtherTok Zz s3", true,
				"send old MIGRATE NAK OtherTok :migration in progress",
				"warn: declined a second MIGRATE START: a migration is already under way"),
			line(LinkOld, exProceed,
				"stop proceed#2",
				"send new MIGRATE RESUME Q2xvdWQ",
				"start confirm#3 15s",
				"emit proceeding target=s2 host=s2.example.net:6697"),
		}},
		{"the user abandons: queued items handed back", []step{
			submit("PRIVMSG #chan :message 3", true),
			abandon(
				"stop proceed#2",
				"close-new 1",
				"emit failed target=s2 host=s2.example.net:6697 reason=the migration was cancelled recovery=the connection was closed",
				`warn: (handed back: ["PRIVMSG #chan :message 2" "PRIVMSG #chan :message 3"])`),
			abandon(`warn: (handed back: [])`),
			fire(TimerProceed, 2),
			dialed(1, nil, "close-new 1"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run(t, baseCfg, append(exTokens, "OtherTok"), seq(exOpen, tc.steps))
		})
	}
}

// TestAfterProceed covers the failure row "after PROCEED": INVALID_TOKEN,
// wrong confirm token, NEW drops, or 15 s pass -> an ordinary reconnect to
// the configured server, then the queue is flushed there.
func TestAfterProceed(t *testing.T) {
	fallback := func(reason string, pre ...string) []string {
		return append(pre,
			"close-new 1",
			"warn: migration to s2 failed: "+reason+"; reconnecting to irc.example.net",
			"reconnect: migration failed: "+reason)
	}
	recovered := func(reason string) step {
		return at(5*time.Second, reconnected(
			"flush PRIVMSG #chan :message 2 | PRIVMSG #chan :message 3 | PRIVMSG #chan :message 4",
			"emit failed target=s2 host=s2.example.net:6697 reason="+reason+" recovery=reconnected to irc.example.net"))
	}
	for _, tc := range []struct {
		name   string
		reason string
		fail   step
	}{
		{"INVALID_TOKEN", "s2 did not recognise the session",
			line(LinkNew, ":s2 FAIL MIGRATE INVALID_TOKEN Q2xvdWQ :no such session", fallback("s2 did not recognise the session", "stop confirm#3")...)},
		{"wrong confirm token", "s2 sent a confirmation that does not match; the connection is not trusted",
			line(LinkNew, ":s2 MIGRATE CONFIRM 9f3Ty", fallback("s2 sent a confirmation that does not match; the connection is not trusted", "stop confirm#3")...)},
		{"empty confirm token", "s2 sent a confirmation that does not match; the connection is not trusted",
			line(LinkNew, ":s2 MIGRATE CONFIRM", fallback("s2 sent a confirmation that does not match; the connection is not trusted", "stop confirm#3")...)},
		{"NEW drops", "the connection to s2 was lost",
			newLost(fallback("the connection to s2 was lost", "stop confirm#3")...)},
		{"15 s pass", "s2 did not confirm within 15s",
			at(15*time.Second+60*time.Millisecond, fire(TimerConfirm, 3, fallback("s2 did not confirm within 15s")...))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := run(t, baseCfg, exTokens, seq(exResume, []step{
				tc.fail,
				// Stale inputs of the failed migration change nothing.
				line(LinkNew, exConfirm, "warn: ignored unexpected MIGRATE CONFIRM from the target server"),
				fire(TimerConfirm, 3),
				newLost(),
				submit("PRIVMSG #chan :message 4", true),
				oldLost("warn: (took over: true)"), // the first reconnect attempt failed
				start(":irc MIGRATE START s3.example.net +6697 NewTok Zz s3", true,
					"send old MIGRATE NAK NewTok :migration in progress",
					"warn: declined a second MIGRATE START: a migration is already under way"),
				recovered(tc.reason),
				submit("PRIVMSG #chan :message 5", false),
			}))
			if m.State() != Idle || m.Queued() != 0 {
				t.Fatalf("state %s with %d queued", m.State(), m.Queued())
			}
		})
	}
}

// TestSecurity covers section 4's rules that decide the target.
func TestSecurity(t *testing.T) {
	sts := func(pins map[string]int) func(string) (int, bool) {
		return func(h string) (int, bool) { p, ok := pins[h]; return p, ok }
	}
	offered := func(host, dial string) []string {
		return []string{"emit offered target=s2 host=" + host, dial, "start dial#1 10s"}
	}
	declined := func(nak, host, reason string) []string {
		return []string{"send old MIGRATE NAK Q2xvdWQ :" + nak, "emit declined target=s2 host=" + host + " reason=" + reason}
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		args   string // after START
		oldTLS bool
		want   []string
	}{
		{"no downgrade: TLS session, plaintext target", baseCfg, "s2.example.net 6667 Q2xvdWQ 9f3Tz s2", true,
			declined("insecure target", "s2.example.net:6667", "s2 offered a plaintext connection while this one uses TLS")},
		{"plaintext session, plaintext target", baseCfg, "s2.example.net 6667 Q2xvdWQ 9f3Tz s2", false,
			offered("s2.example.net:6667", "dial 1 s2.example.net:6667 plain sni=s2.example.net 10s")},
		{"plaintext session, TLS target", baseCfg, "s2.example.net +6697 Q2xvdWQ 9f3Tz s2", false,
			offered("s2.example.net:6697", "dial 1 s2.example.net:6697 tls sni=s2.example.net 10s")},
		{"STS upgrades a plaintext target on a TLS session",
			Config{ConfiguredHost: "irc.example.net", STS: sts(map[string]int{"s2.example.net": 6697})},
			"s2.example.net 6667 Q2xvdWQ 9f3Tz s2", true,
			offered("s2.example.net:6697", "dial 1 s2.example.net:6697 tls sni=s2.example.net 10s")},
		{"STS upgrades on a plaintext session too",
			Config{ConfiguredHost: "irc.example.net", STS: sts(map[string]int{"s2.example.net": 7000})},
			"s2.example.net 6667 Q2xvdWQ 9f3Tz s2", false,
			offered("s2.example.net:7000", "dial 1 s2.example.net:7000 tls sni=s2.example.net 10s")},
		{"STS port wins over START's TLS port",
			Config{ConfiguredHost: "irc.example.net", STS: sts(map[string]int{"s2.example.net": 7000})},
			"s2.example.net +6697 Q2xvdWQ 9f3Tz s2", true,
			offered("s2.example.net:7000", "dial 1 s2.example.net:7000 tls sni=s2.example.net 10s")},
		{"STS for another host does not apply",
			Config{ConfiguredHost: "irc.example.net", STS: sts(map[string]int{"irc.example.net": 6697})},
			"s2.example.net 6667 Q2xvdWQ 9f3Tz s2", true,
			declined("insecure target", "s2.example.net:6667", "s2 offered a plaintext connection while this one uses TLS")},
		{"IP target: verified against the address, no SNI", baseCfg, "192.0.2.7 +6697 Q2xvdWQ 9f3Tz s2", true,
			offered("192.0.2.7:6697", "dial 1 192.0.2.7:6697 tls sni= 10s")},
		{"policy any (explicit)", Config{Policy: PolicyAny, ConfiguredHost: "irc.example.net"}, "s2.elsewhere.org +6697 Q2xvdWQ 9f3Tz s2", true,
			offered("s2.elsewhere.org:6697", "dial 1 s2.elsewhere.org:6697 tls sni=s2.elsewhere.org 10s")},
		{"policy never", Config{Policy: PolicyNever, ConfiguredHost: "irc.example.net"}, "s2.example.net +6697 Q2xvdWQ 9f3Tz s2", true,
			declined("migration disabled", "s2.example.net:6697", "migration is disabled for this network (migrate = never)")},
		{"same-domain: match", Config{Policy: PolicySameDomain, ConfiguredHost: "irc.example.net"}, "s2.eu.EXAMPLE.net +6697 Q2xvdWQ 9f3Tz s2", true,
			offered("s2.eu.EXAMPLE.net:6697", "dial 1 s2.eu.EXAMPLE.net:6697 tls sni=s2.eu.EXAMPLE.net 10s")},
		{"same-domain: other domain", Config{Policy: PolicySameDomain, ConfiguredHost: "irc.example.net"}, "s2.example.org +6697 Q2xvdWQ 9f3Tz s2", true,
			declined("target not allowed", "s2.example.org:6697", "s2.example.org is outside the domain of irc.example.net (migrate = same-domain)")},
		{"same-domain: a public suffix is not a domain", Config{Policy: PolicySameDomain, ConfiguredHost: "irc.example.co.uk"}, "evil.co.uk +6697 Q2xvdWQ 9f3Tz s2", true,
			declined("target not allowed", "evil.co.uk:6697", "evil.co.uk is outside the domain of irc.example.co.uk (migrate = same-domain)")},
		{"same-domain: IP matches only itself", Config{Policy: PolicySameDomain, ConfiguredHost: "127.0.0.1"}, "127.0.0.1 +6697 Q2xvdWQ 9f3Tz s2", true,
			offered("127.0.0.1:6697", "dial 1 127.0.0.1:6697 tls sni= 10s")},
		{"same-domain: another IP", Config{Policy: PolicySameDomain, ConfiguredHost: "127.0.0.1"}, "127.0.0.2 +6697 Q2xvdWQ 9f3Tz s2", true,
			declined("target not allowed", "127.0.0.2:6697", "127.0.0.2 is outside the domain of 127.0.0.1 (migrate = same-domain)")},
		{"policy before STS: never beats a pin", Config{Policy: PolicyNever, ConfiguredHost: "irc.example.net", STS: sts(map[string]int{"s2.example.net": 6697})},
			"s2.example.net 6667 Q2xvdWQ 9f3Tz s2", true,
			declined("migration disabled", "s2.example.net:6667", "migration is disabled for this network (migrate = never)")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := run(t, tc.cfg, exTokens, []step{start(":s1 MIGRATE START "+tc.args, tc.oldTLS, tc.want...)})
			if m.Holding() {
				t.Fatal("holding lines right after START")
			}
		})
	}
}

func TestSameDomain(t *testing.T) {
	for _, tc := range []struct {
		target, configured string
		want               bool
	}{
		{"s2.example.net", "irc.example.net", true},
		{"example.net", "irc.example.net", true},
		{"s2.example.net", "irc.example.net.", true},
		{"s2.example.com", "irc.example.net", false},
		{"a.example.co.uk", "b.example.co.uk", true},
		{"other.co.uk", "b.example.co.uk", false},
		{"localhost", "localhost", true},
		{"s2.localhost", "localhost", false},
		{"::1", "::1", true},
		{"::ffff:127.0.0.1", "127.0.0.1", true},
		{"127.0.0.1", "localhost", false},
		{"s2.example.net", "", false},
		{"foo.github.io", "bar.github.io", false}, // a private suffix
	} {
		if got := sameDomain(tc.target, tc.configured); got != tc.want {
			t.Errorf("sameDomain(%q, %q) = %v, want %v", tc.target, tc.configured, got, tc.want)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	for in, want := range map[string]Policy{"": PolicyAny, "any": PolicyAny, "same-domain": PolicySameDomain, "never": PolicyNever} {
		if got, err := ParsePolicy(in); err != nil || got != want {
			t.Errorf("ParsePolicy(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"Any", "always", "same_domain", " never"} {
		if _, err := ParsePolicy(in); err == nil {
			t.Errorf("ParsePolicy(%q) accepted", in)
		}
	}
}

// TestRequestReplies: FAIL MIGRATE answers to /migrate become sentences.
func TestRequestReplies(t *testing.T) {
	run(t, baseCfg, []string{"Q2xvdWQ"}, []step{
		line(LinkOld, ":s1 FAIL MIGRATE UNKNOWN_SERVER s9 :No such server", `info: cannot migrate: the network has no server named "s9"`),
		line(LinkOld, ":s1 FAIL MIGRATE NOT_ALLOWED s2 :Not allowed", `info: cannot migrate to "s2": the server does not allow it`),
		line(LinkOld, ":s1 FAIL MIGRATE IN_PROGRESS :Migration in progress", "info: cannot migrate: a migration is already under way"),
		// Echoed server text is clipped to 64 bytes at a rune boundary.
		line(LinkOld, ":s1 FAIL MIGRATE UNKNOWN_SERVER x"+strings.Repeat("é", 40)+" :No such server",
			`info: cannot migrate: the network has no server named "x`+strings.Repeat("é", 31)+`…"`),
		line(LinkOld, ":s1 FAIL MIGRATE SOMETHING_NEW Q2xvdWQ :Q2xvdWQ went away", "info: the server refused the migration request"),
		line(LinkOld, ":s1 FAIL MIGRATE ABORTED Q2xvdWQ :x", "warn: ignored unexpected FAIL MIGRATE ABORTED from the current server"),
		line(LinkOld, ":s1 FAIL MIGRATE INVALID_TOKEN Q2xvdWQ :x", "warn: ignored unexpected FAIL MIGRATE INVALID_TOKEN from the current server"),
		line(LinkOld, ":s1 MIGRATE Q2xvdWQ", "warn: ignored unexpected MIGRATE (unknown) from the current server"),
		line(LinkOld, ":s1 MIGRATE OK Q2xvdWQ", "warn: ignored unexpected MIGRATE OK from the current server"),
		line(LinkOld, ":s1 FAIL JOIN FOO :not ours"),
		line(LinkOld, ":s1 PRIVMSG #chan :not ours"),
	})
}

// TestLineRoutesStart: a START given to Line from OLD is handled as Start
// with the strict TLS assumption; from NEW it is ignored.
func TestLineRoutesStart(t *testing.T) {
	run(t, baseCfg, exTokens, []step{
		line(LinkNew, exStart, "warn: ignored unexpected MIGRATE START from the target server"),
		line(LinkOld, ":s1 MIGRATE START s2.example.net 6667 Q2xvdWQ 9f3Tz s2",
			"send old MIGRATE NAK Q2xvdWQ :insecure target",
			"emit declined target=s2 host=s2.example.net:6667 reason=s2 offered a plaintext connection while this one uses TLS"),
	})
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		exStart:                                ":s1 MIGRATE START s2.example.net +6697 <token> <token> s2",
		exProceed:                              ":s1 MIGRATE PROCEED <token>",
		exConfirm:                              ":s2 MIGRATE CONFIRM <token>",
		"MIGRATE OK Q2xvdWQ":                   "MIGRATE OK <token>",
		"MIGRATE RESUME Q2xvdWQ":               "MIGRATE RESUME <token>",
		"MIGRATE NAK Q2xvdWQ :insecure target": "MIGRATE NAK <token> :insecure target",
		"MIGRATE REQUEST s2":                   "MIGRATE REQUEST s2",
		"MIGRATE FUTURE Q2xvdWQ x":             "MIGRATE FUTURE <token> <token>",
		":s1 FAIL MIGRATE ABORTED Q2xvdWQ :gave up":    ":s1 FAIL MIGRATE ABORTED <token> :gave up",
		":s2 FAIL MIGRATE INVALID_TOKEN Q2xvdWQ":       ":s2 FAIL MIGRATE INVALID_TOKEN <token>",
		":s1 FAIL MIGRATE NOT_ALLOWED s2 :Not allowed": ":s1 FAIL MIGRATE NOT_ALLOWED s2 :Not allowed",
		":s1 PRIVMSG #chan :Q2xvdWQ is just text here": ":s1 PRIVMSG #chan :Q2xvdWQ is just text here",
	} {
		m := msg(t, in)
		orig := m.String()
		if got := Redact(m); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
		if m.String() != orig {
			t.Errorf("Redact modified %q", in)
		}
	}
	if Redact(nil) != "" {
		t.Error("Redact(nil) not empty")
	}
}
