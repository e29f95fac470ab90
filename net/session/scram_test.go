package session

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
)

// TestSCRAMRFC7677 checks the client's computation against the example
// exchange of RFC 7677 section 3 (user "user", password "pencil").
func TestSCRAMRFC7677(t *testing.T) {
	c := newSCRAM("user", "pencil", nil)
	first, err := c.Next(nil)
	if err != nil || !strings.HasPrefix(string(first), "n,,n=user,r=") {
		t.Fatalf("client-first %q %v", first, err)
	}
	// The RFC's nonce is fixed; ours came from crypto/rand.
	if c.nonce == "rOprNGfwEbeRWgbNEkqO" || len(c.nonce) < 32 {
		t.Fatalf("nonce %q: not random enough", c.nonce)
	}
	c.nonce = "rOprNGfwEbeRWgbNEkqO"
	c.firstBare = "n=user,r=rOprNGfwEbeRWgbNEkqO"
	final, err := c.Next([]byte("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
	if err != nil {
		t.Fatal(err)
	}
	want := "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
	if string(final) != want {
		t.Fatalf("client-final\n got %s\nwant %s", final, want)
	}
	if err := c.Done(); err == nil {
		t.Fatal("Done before the server's signature was checked")
	}
	resp, err := c.Next([]byte("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
	if err != nil || len(resp) != 0 {
		t.Fatalf("server-final: %q %v", resp, err)
	}
	if err := c.Done(); err != nil {
		t.Fatal(err)
	}
}

func TestSCRAMBadServer(t *testing.T) {
	const serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	start := func(t *testing.T) *scram {
		c := newSCRAM("user", "pencil", nil)
		if _, err := c.Next(nil); err != nil {
			t.Fatal(err)
		}
		c.nonce, c.firstBare = "rOprNGfwEbeRWgbNEkqO", "n=user,r=rOprNGfwEbeRWgbNEkqO"
		return c
	}
	for _, tc := range []struct {
		name, first, final string
		proof              bool // the error says the server failed to prove itself
	}{
		{name: "wrong v", first: serverFirst, final: "v=" + base64.StdEncoding.EncodeToString(make([]byte, 32)), proof: true},
		{name: "no v", first: serverFirst, final: "x=1", proof: true},
		{name: "garbage final", first: serverFirst, final: "garbage", proof: true},
		{name: "e=", first: serverFirst, final: "e=invalid-proof"},
		{name: "foreign nonce", first: "r=somebodyelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
		{name: "nonce not extended", first: "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
		{name: "huge iterations", first: "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=999999999"},
		{name: "zero iterations", first: "r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0"},
		{name: "no salt", first: "r=rOprNGfwEbeRWgbNEkqOxx,i=4096"},
		{name: "extension", first: "m=x,r=rOprNGfwEbeRWgbNEkqOxx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := start(t)
			_, err := c.Next([]byte(tc.first))
			if tc.final != "" {
				if err != nil {
					t.Fatal(err)
				}
				_, err = c.Next([]byte(tc.final))
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if errors.Is(err, errServerProof) != tc.proof {
				t.Errorf("%v: errServerProof %v, want %v", err, !tc.proof, tc.proof)
			}
			if strings.Contains(err.Error(), "pencil") {
				t.Errorf("password in error %q", err)
			}
			if c.Done() == nil {
				t.Error("Done after a failed exchange")
			}
		})
	}
}

func TestSCRAMPrep(t *testing.T) {
	// A control character is refused (RFC 8265 OpaqueString), never sent.
	c := newSCRAM("user", "pen\x07cil", nil)
	c.Next(nil)
	c.nonce, c.firstBare = "rOprNGfwEbeRWgbNEkqO", "n=user,r=rOprNGfwEbeRWgbNEkqO"
	if _, err := c.Next([]byte("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")); err == nil {
		t.Error("password with a control character accepted")
	}
	// Usernames are escaped as saslname.
	c = newSCRAM("a=b,c", "x", nil)
	first, err := c.Next(nil)
	if err != nil || !strings.HasPrefix(string(first), "n,,n=a=3Db=2Cc,r=") {
		t.Errorf("client-first %q %v", first, err)
	}
	// Non-ASCII spaces in a password are mapped to ASCII spaces, so the
	// same password typed on another keyboard logs in.
	a := scramProof(t, "pen cil")
	b := scramProof(t, "pen\u00a0cil")
	if a != b {
		t.Errorf("NBSP not mapped: %s vs %s", a, b)
	}
}

func scramProof(t *testing.T, pass string) string {
	t.Helper()
	c := newSCRAM("user", pass, nil)
	c.Next(nil)
	c.nonce, c.firstBare = "rOprNGfwEbeRWgbNEkqO", "n=user,r=rOprNGfwEbeRWgbNEkqO"
	out, err := c.Next([]byte("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// scramScript runs a session through SCRAM against a scripted server that
// answers with serverFinal, and returns the script after the final line.
func scramScript(t *testing.T, required bool, serverFinal func(c *scram) string) (*script, []event.Event) {
	sc := newScript(t, Config{SASL: &SASL{Mechanism: "SCRAM-SHA-256", Username: "user", Password: "pencil", Required: required}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :sasl=PLAIN,SCRAM-SHA-256")
	sc.expect("CAP REQ sasl")
	sc.feed(":srv CAP * ACK :sasl")
	sc.expect("AUTHENTICATE SCRAM-SHA-256")
	sc.feed("AUTHENTICATE +")
	out := sc.sent()
	if len(out) != 1 {
		t.Fatalf("client-first: %q", out)
	}
	first, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(out[0], "AUTHENTICATE "))
	c := sc.s.sasl.mech.(*scram)
	if string(first) != "n,,"+c.firstBare {
		t.Fatalf("client-first %q", first)
	}
	serverFirst := "r=" + c.nonce + "srvnonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	sc.feed("AUTHENTICATE " + base64.StdEncoding.EncodeToString([]byte(serverFirst)))
	if out := sc.sent(); len(out) != 1 || !strings.HasPrefix(out[0], "AUTHENTICATE ") {
		t.Fatalf("client-final: %q", out)
	}
	var evs []event.Event
	if f := serverFinal(c); f != "" {
		evs = sc.feed("AUTHENTICATE " + base64.StdEncoding.EncodeToString([]byte(f)))
	}
	return sc, evs
}

func TestSCRAMSession(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		sc, _ := scramScript(t, true, func(c *scram) string { return "v=" + base64.StdEncoding.EncodeToString(c.serverSig) })
		sc.expect("AUTHENTICATE +")
		sc.feed(":srv 900 me me!u@h user :You are now logged in as user", ":srv 903 me :SASL authentication successful")
		sc.expect("CAP END")
		if sc.s.Fatal() != nil {
			t.Fatal(sc.s.Fatal())
		}
		for _, l := range sc.log.lines {
			if strings.Contains(l, "pencil") {
				t.Errorf("secret logged: %q", l)
			}
		}
	})
	for _, required := range []bool{true, false} {
		// A forged signature is final even when SASL is optional.
		sc, evs := scramScript(t, required, func(*scram) string { return "v=" + base64.StdEncoding.EncodeToString(make([]byte, 32)) })
		sc.expect("AUTHENTICATE *", "QUIT :SASL authentication failed")
		err := sc.s.Fatal()
		if err == nil || !errors.Is(err, errSASL) || !strings.Contains(err.Error(), "signature is wrong") {
			t.Fatalf("required=%v: Fatal() %v, events %+v", required, err, evs)
		}
		sc.feed(":srv 904 me :SASL authentication failed")
		if sc.s.Fatal() == nil {
			t.Error("Fatal cleared by the 904 that followed")
		}
	}
	t.Run("no v=, straight to 903", func(t *testing.T) {
		sc, _ := scramScript(t, false, func(*scram) string { return "" })
		sc.feed(":srv 903 me :SASL authentication successful")
		sc.expect("QUIT :SASL authentication failed")
		if err := sc.s.Fatal(); err == nil || !strings.Contains(err.Error(), "without sending its SCRAM signature") {
			t.Fatalf("Fatal() %v", err)
		}
	})
	t.Run("wrong password, optional", func(t *testing.T) {
		sc, evs := scramScript(t, false, func(*scram) string { return "e=invalid-proof" })
		sc.expect("AUTHENTICATE *", "CAP END")
		e := one[event.Error](t, evs)
		if !strings.Contains(e.Text, "refused the SCRAM proof") || sc.s.Fatal() != nil {
			t.Errorf("error %q fatal %v", e.Text, sc.s.Fatal())
		}
	})
	t.Run("wrong password, 904", func(t *testing.T) {
		sc, _ := scramScript(t, true, func(*scram) string { return "" })
		sc.feed(":srv 904 me :SASL authentication failed")
		sc.expect("QUIT :SASL authentication failed")
		if err := sc.s.Fatal(); err == nil || !strings.Contains(err.Error(), "904") {
			t.Fatalf("Fatal() %v", err)
		}
	})
}

// TestSCRAMChunkedChallenge: a server-first message longer than 400 bytes
// of base64 arrives in chunks and is read whole.
func TestSCRAMChunkedChallenge(t *testing.T) {
	sc := newScript(t, Config{SASL: &SASL{Mechanism: "SCRAM-SHA-256", Username: "user", Password: "pencil", Required: true}})
	sc.s.Register()
	sc.sent()
	sc.feed(":srv CAP * LS :sasl=SCRAM-SHA-256", ":srv CAP * ACK :sasl", "AUTHENTICATE +")
	sc.sent()
	c := sc.s.sasl.mech.(*scram)
	salt := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("s", 300)))
	enc := base64.StdEncoding.EncodeToString([]byte("r=" + c.nonce + "x,s=" + salt + ",i=4096"))
	if len(enc) <= 400 {
		t.Fatalf("challenge of %d bytes does not need chunks", len(enc))
	}
	for len(enc) >= 400 {
		sc.feed("AUTHENTICATE " + enc[:400])
		sc.expect() // nothing until the last chunk
		enc = enc[400:]
	}
	if enc == "" {
		enc = "+"
	}
	sc.feed("AUTHENTICATE " + enc)
	out := sc.sent()
	if len(out) != 1 {
		t.Fatalf("sent %q", out)
	}
	final, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(out[0], "AUTHENTICATE "))
	if !strings.HasPrefix(string(final), "c=biws,r="+c.nonce+"x,p=") {
		t.Errorf("client-final %q", final)
	}
}
