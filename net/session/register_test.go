package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

const allCaps = "cap-notify server-time message-tags echo-message batch away-notify account-notify account-tag extended-join multi-prefix userhost-in-names setname chghost invite-notify"

func TestRegistration(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		first []string // sent by Register
	}{
		{"without PASS", Config{Nick: "me", User: "u", Realname: "Real Name"},
			[]string{"CAP LS 302", "NICK me", "USER u 0 * :Real Name"}},
		{"with PASS", Config{Nick: "me", User: "u", Realname: "Real Name", Password: "s3cret"},
			[]string{"CAP LS 302", "PASS s3cret", "NICK me", "USER u 0 * :Real Name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := newScript(t, tt.cfg)
			sc.s.Register()
			sc.expect(tt.first...)
			for _, o := range sc.rec.out {
				if o.Class != ClassConn {
					t.Errorf("%s sent as %v, want conn", o.Msg, o.Class)
				}
			}
			sc.feed(":srv CAP * LS :multi-prefix sts=port=6697 unknown-cap server-time")
			sc.expect("CAP REQ :server-time multi-prefix")
			if sc.s.Registered() {
				t.Fatal("registered before 001")
			}
			sc.feed(":srv CAP * ACK :server-time multi-prefix")
			sc.expect("CAP END")
			evs := sc.feed(":srv 001 me :Welcome to the net me!u@host.example")
			reg := one[event.Registered](t, evs)
			if reg.Nick != "me" || reg.ServerName != "srv" {
				t.Errorf("Registered = %+v", reg)
			}
			if !sc.s.Registered() || !sc.s.Ready() {
				t.Errorf("Registered %v Ready %v, want both (no channels to join)", sc.s.Registered(), sc.s.Ready())
			}
			if !sc.s.HasCap("server-time") || !sc.s.HasCap("multi-prefix") || sc.s.HasCap("unknown-cap") {
				t.Errorf("caps wrong: %v", sc.s.caps)
			}
			if sc.s.user != "u" || sc.s.host != "host.example" {
				t.Errorf("own user@host from 001 = %q@%q", sc.s.user, sc.s.host)
			}
		})
	}
}

func TestRegistrationDefaultsUserRealname(t *testing.T) {
	rec := &recorder{}
	s := New(Config{Nick: "zed", Sender: rec})
	s.Register()
	got := []string{}
	for _, o := range rec.out {
		got = append(got, o.Msg.String())
	}
	if got[2] != "USER zed 0 * zed" {
		t.Errorf("USER line %q, want nick as user and realname", got[2])
	}
}

func TestCapLSMultiline(t *testing.T) {
	sc := newScript(t, Config{ExtraCaps: []string{"draft/migrate"}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS * :cap-notify server-time message-tags",
		":srv CAP * LS * :echo-message batch draft/migrate")
	sc.expect() // nothing until the last LS line
	sc.feed(":srv CAP * LS :away-notify account-tag extended-join")
	sc.expect("CAP REQ :cap-notify server-time message-tags echo-message batch away-notify account-tag extended-join draft/migrate")
	sc.feed(":srv CAP me ACK :cap-notify server-time message-tags echo-message batch away-notify account-tag extended-join draft/migrate")
	sc.expect("CAP END")
	for _, c := range []string{"cap-notify", "batch", "extended-join", "draft/migrate"} {
		if !sc.s.HasCap(c) {
			t.Errorf("cap %s not enabled", c)
		}
	}
}

func TestCapAllSupportedAndNak(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :" + allCaps + " sasl")
	// sasl is not requested without SASL configured.
	sc.expect("CAP REQ :" + allCaps)
	sc.feed(":srv CAP * NAK :" + allCaps)
	sc.expect("CAP END")
	if sc.s.HasCap("server-time") {
		t.Error("NAKed cap enabled")
	}
}

func TestCapNoneOffered(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :foo bar")
	sc.expect("CAP END")
}

func TestServerWithoutCap(t *testing.T) {
	sc := newScript(t, Config{})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv 421 * CAP :Unknown command", ":srv 001 me :hi")
	sc.expect()
	if !sc.s.Registered() {
		t.Fatal("not registered")
	}
}

func TestCapNewDel(t *testing.T) {
	var sts []string
	sc := newScript(t, Config{OnSTS: func(v string) { sts = append(sts, v) }})
	sc.register("cap-notify server-time sts=duration=300,port=6697")
	if len(sts) != 1 || sts[0] != "duration=300,port=6697" {
		t.Fatalf("OnSTS calls %q", sts)
	}
	sc.feed(":srv CAP me NEW :away-notify foo sts=duration=60")
	sc.expect("CAP REQ away-notify")
	if len(sts) != 2 || sts[1] != "duration=60" {
		t.Errorf("OnSTS after NEW %q", sts)
	}
	sc.feed(":srv CAP me ACK away-notify")
	sc.expect() // no CAP END after registration
	if !sc.s.HasCap("away-notify") {
		t.Error("away-notify not enabled after NEW/ACK")
	}
	sc.feed(":srv CAP me DEL :away-notify server-time")
	if sc.s.HasCap("away-notify") || sc.s.HasCap("server-time") || !sc.s.HasCap("cap-notify") {
		t.Errorf("after DEL caps = %v", sc.s.caps)
	}
	// Offered again: requested again.
	sc.feed(":srv CAP me NEW :server-time")
	sc.expect("CAP REQ server-time")
	// An ACK with -cap disables.
	sc.feed(":srv CAP me ACK :-cap-notify")
	if sc.s.HasCap("cap-notify") {
		t.Error("-cap-notify ACK left it enabled")
	}
}

func TestNickFallback(t *testing.T) {
	sc := newScript(t, Config{Nick: "me", AltNicks: []string{"me2", "me3"}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :", ":srv 433 * me :Nickname is already in use")
	sc.expect("CAP END", "NICK me2")
	sc.feed(":srv 432 * me2 :Erroneous nickname")
	sc.expect("NICK me3")
	sc.feed(":srv 437 * me3 :Nick/channel is temporarily unavailable")
	sc.expect("NICK me_")
	sc.feed(":srv 433 * me_ :in use")
	sc.expect("NICK me__")
	evs := sc.feed(":srv 001 me__ :Welcome")
	if one[event.Registered](t, evs).Nick != "me__" || sc.s.Nick() != "me__" {
		t.Errorf("nick after fallback %q", sc.s.Nick())
	}
	// After registration a refused /nick only reports.
	evs = sc.feed(":srv 433 me__ other :Nickname is already in use")
	sc.expect()
	if info := one[event.Info](t, evs); !info.Error || info.Code != "433" {
		t.Errorf("433 after registration = %+v", info)
	}
}

func TestNickFallbackGivesUp(t *testing.T) {
	sc := newScript(t, Config{Nick: "me"})
	sc.s.Register()
	sc.sent()
	var errs int
	for i := 0; i < 40; i++ {
		errs += len(only[event.Error](sc.feed(":srv 433 * x :in use")))
	}
	if n := len(sc.sent()); n != maxNickTries {
		t.Errorf("sent %d NICKs, want %d", n, maxNickTries)
	}
	if errs != 1 {
		t.Errorf("%d errors, want one", errs)
	}
}

func TestSASLPlainSuccess(t *testing.T) {
	sc := newScript(t, Config{SASL: &SASL{Mechanism: "PLAIN", Username: "acct", Password: "pw", Required: true}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :server-time sasl=PLAIN,EXTERNAL")
	sc.expect("CAP REQ :server-time sasl")
	sc.feed(":srv CAP * ACK :server-time sasl")
	sc.expect("AUTHENTICATE PLAIN")
	sc.feed("AUTHENTICATE +")
	sc.expect("AUTHENTICATE YWNjdABhY2N0AHB3") // base64("acct\0acct\0pw")
	evs := sc.feed(":srv 900 me me!u@h acct :You are now logged in as acct", ":srv 903 me :SASL authentication successful")
	sc.expect("CAP END")
	if len(only[event.Info](evs)) != 2 {
		t.Errorf("events %#v", evs)
	}
	sc.feed(":srv 001 me :Welcome")
	if sc.s.Fatal() != nil || !sc.s.Registered() {
		t.Fatalf("fatal %v registered %v", sc.s.Fatal(), sc.s.Registered())
	}
	for _, l := range sc.log.lines {
		if strings.Contains(l, "YWNjdABhY2N0AHB3") || strings.Contains(l, "pw") {
			t.Errorf("secret logged: %q", l)
		}
	}
}

func TestSASLLongPayloadChunks(t *testing.T) {
	// 300 bytes of raw payload -> 400 bytes of base64 exactly: a "+" follows.
	pw := strings.Repeat("p", 300-2*len("a")-2)
	sc := newScript(t, Config{SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: pw}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :sasl", ":srv CAP * ACK :sasl", "AUTHENTICATE +")
	out := sc.sent()
	if len(out) != 4 || out[1] != "AUTHENTICATE PLAIN" || len(out[2]) != len("AUTHENTICATE ")+400 || out[3] != "AUTHENTICATE +" {
		t.Errorf("chunks %q", out)
	}
}

func TestSASLExternal(t *testing.T) {
	sc := newScript(t, Config{SASL: &SASL{Mechanism: "EXTERNAL", Required: true}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :sasl")
	sc.expect("CAP REQ sasl")
	sc.feed(":srv CAP * ACK :sasl")
	sc.expect("AUTHENTICATE EXTERNAL")
	sc.feed("AUTHENTICATE +")
	sc.expect("AUTHENTICATE +")
	sc.feed(":srv 907 me :You have already authenticated")
	sc.expect("CAP END")
}

func TestSASLFailures(t *testing.T) {
	for _, code := range []string{"902", "904", "905", "906"} {
		for _, required := range []bool{true, false} {
			name := code + "/optional"
			if required {
				name = code + "/required"
			}
			t.Run(name, func(t *testing.T) {
				sc := newScript(t, Config{SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: "b", Required: required}})
				sc.s.Register()
				sc.sent()
				sc.feed(":srv CAP * LS :sasl", ":srv CAP * ACK :sasl", "AUTHENTICATE +")
				sc.sent()
				evs := sc.feed(":srv 908 me PLAIN :are available SASL mechanisms", ":srv "+code+" me :SASL authentication failed")
				if required {
					// Fatal() carries the reason; the owner reports it once.
					if errs := only[event.Error](evs); len(errs) != 0 {
						t.Errorf("required failure also emitted %+v", errs)
					}
					sc.expect("QUIT :SASL authentication failed")
					err := sc.s.Fatal()
					if err == nil || !errors.Is(err, errSASL) {
						t.Fatalf("required SASL failure: Fatal() %v", err)
					}
					if !strings.Contains(err.Error(), "SASL is required") || !strings.Contains(err.Error(), code) {
						t.Errorf("error text %q does not say why", err)
					}
					if sc.s.Ready() || sc.s.Registered() {
						t.Error("registered after a fatal SASL failure")
					}
				} else {
					e := one[event.Error](t, evs)
					sc.expect("CAP END")
					if e.Fatal || sc.s.Fatal() != nil {
						t.Fatalf("optional SASL failure fatal: %+v %v", e, sc.s.Fatal())
					}
					if !strings.Contains(e.Text, "continuing without logging in") {
						t.Errorf("error text %q", e.Text)
					}
				}
				// A duplicate failure numeric changes nothing.
				sc.feed(":srv 904 me :SASL authentication failed")
				sc.expect()
			})
		}
	}
}

func TestSASLNotOffered(t *testing.T) {
	tests := []struct {
		ls, want string
		required bool
	}{
		{"server-time", "does not offer SASL", true},
		{"server-time", "does not offer SASL", false},
		{"sasl=EXTERNAL", `mechanisms "EXTERNAL", not PLAIN`, true},
	}
	for _, tt := range tests {
		sc := newScript(t, Config{SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: "b", Required: tt.required}})
		sc.s.Register()
		sc.sent()
		evs := sc.feed(":srv CAP * LS :" + tt.ls)
		out := sc.sent()
		if len(out) == 1 && strings.HasPrefix(out[0], "CAP REQ") {
			evs = sc.feed(":srv CAP * ACK :" + strings.TrimPrefix(out[0], "CAP REQ "))
			out = sc.sent()
		}
		if tt.required {
			if err := sc.s.Fatal(); err == nil || !strings.Contains(err.Error(), tt.want) || len(only[event.Error](evs)) != 0 {
				t.Errorf("%s required: Fatal() %v, events %+v", tt.ls, err, evs)
			}
		} else if e := one[event.Error](t, evs); !strings.Contains(e.Text, tt.want) || e.Fatal || sc.s.Fatal() != nil {
			t.Errorf("%s optional: %+v", tt.ls, e)
		}
		last := out[len(out)-1]
		if tt.required && last != "QUIT :SASL authentication failed" || !tt.required && last != "CAP END" {
			t.Errorf("%s required=%v: sent %q", tt.ls, tt.required, out)
		}
	}
}

func TestSASLRequiredServerWithoutCap(t *testing.T) {
	sc := newScript(t, Config{SASL: &SASL{Mechanism: "PLAIN", Username: "a", Password: "b", Required: true}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv 421 * CAP :Unknown command")
	if sc.s.Fatal() == nil {
		t.Fatal("no fatal error when the server has no CAP and SASL is required")
	}
	sc.expect("QUIT :SASL authentication failed")
	sc.feed(":srv 001 me :Welcome")
	sc.expect() // no rejoin on a fatal session
}

func TestStage(t *testing.T) {
	sc := newScript(t, Config{Autojoin: []Channel{{"#a", ""}, {"#b", ""}}})
	sc.s.StopRejoinWait() // not registered: nothing to give up on
	if got := sc.s.Stage(); got != StageRegistering {
		t.Fatalf("new session: Stage %v, want registering", got)
	}
	sc.register("")
	sc.feed(":srv 376 me :End of MOTD")
	if got := sc.s.Stage(); got != StageRegistered {
		t.Fatalf("after 001: Stage %v, want registered", got)
	}
	sc.feed(":me!u@h JOIN #a")
	if got := sc.s.Stage(); got != StageRegistered {
		t.Fatalf("one JOIN of two answered: Stage %v, want registered", got)
	}
	sc.s.StopRejoinWait()
	if got := sc.s.Stage(); got != StageReady || !sc.s.Ready() {
		t.Fatalf("after StopRejoinWait: Stage %v, want ready", got)
	}
	sc.feed(":me!u@h JOIN #b")
	if got := sc.s.Stage(); got != StageReady {
		t.Fatalf("late JOIN answer: Stage %v, want ready", got)
	}
	sc.s.Register()
	if got := sc.s.Stage(); got != StageRegistering {
		t.Fatalf("after Register: Stage %v, want registering", got)
	}
}
