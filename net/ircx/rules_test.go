package ircx

import (
	"testing"
	"unicode/utf8"
)

func TestStripFormatting(t *testing.T) {
	tests := map[string]string{
		"plain":                    "plain",
		"\x02b\x02\x1di\x1d\x1fu":  "biu",
		"\x0312blue\x03 \x034,5x":  "blue x",
		"\x03,5comma":              "comma",
		"\x04FF00AAhex\x04123":     "hex123",
		"\x04ff00aa,000000both":    "both",
		"  \x0f spaced \x16 ":      "spaced",
		"\x01ACTION \x02w\x02\x01": "\x01ACTION w\x01",
	}
	for in, want := range tests {
		if got := StripFormatting(in); got != want {
			t.Errorf("StripFormatting(%q) = %q, want %q", in, got, want)
		}
	}
}

// Moved from net/chatlog with the rule, plus the CS alias the debug log
// knew and the chat log did not.
func TestMaskServiceText(t *testing.T) {
	tests := []struct{ target, text, want string }{
		{"NickServ", "IDENTIFY hunter2", "IDENTIFY ***"},
		{"nickserv", "identify alice hunter2", "identify ***"},
		{"NickServ@services.libera.chat", "IDENTIFY hunter2", "IDENTIFY ***"},
		{"NickServ", "REGISTER hunter2 a@example.net", "REGISTER ***"},
		{"NickServ", "GHOST alice hunter2", "GHOST ***"},
		{"NickServ", "SET PASSWORD hunter2", "SET PASSWORD ***"},
		{"NickServ", "SET EMAIL a@example.net", "SET EMAIL a@example.net"},
		{"NickServ", "INFO alice", "INFO alice"},
		{"NickServ", "IDENTIFY", "IDENTIFY"},
		{"Q@CServe.quakenet.org", "AUTH alice hunter2", "AUTH ***"},
		{"X", "login alice hunter2", "login ***"},
		{"AuthServ", "auth alice hunter2", "auth ***"},
		{"ChanServ", "REGISTER #chan", "REGISTER ***"},
		{"#ferry", "IDENTIFY hunter2", "IDENTIFY hunter2"},
		{"alice", "IDENTIFY hunter2", "IDENTIFY hunter2"},
		{"serv", "IDENTIFY hunter2", "IDENTIFY hunter2"},
		{"CS", "REGISTER #chan hunter2", "REGISTER ***"},
		{"ns", "ID hunter2", "ID ***"},
	}
	for _, tt := range tests {
		if got := MaskServiceText(tt.target, tt.text); got != tt.want {
			t.Errorf("MaskServiceText(%q, %q) = %q, want %q", tt.target, tt.text, got, tt.want)
		}
	}
}

func TestParseCasemapAnyCase(t *testing.T) {
	tests := []struct {
		token string
		want  Casemap
		ok    bool
	}{
		{"RFC1459", CasemapRFC1459, true},
		{"Ascii", CasemapASCII, true},
		{"STRICT-RFC1459", CasemapRFC1459Strict, true},
		{"RFC7613", CasemapRFC7613, true},
		{"rfc7700", CasemapASCII, false}, // unknown: ascii, the part every mapping agrees on
		{"", CasemapASCII, false},
	}
	for _, tt := range tests {
		if got, ok := ParseCasemap(tt.token); got != tt.want || ok != tt.ok {
			t.Errorf("ParseCasemap(%q) = %v %v, want %v %v", tt.token, got, ok, tt.want, tt.ok)
		}
	}
	if d := DefaultISupport().Casemap; d != CasemapRFC1459 {
		t.Errorf("no CASEMAPPING token means %v, want rfc1459", d)
	}
}

func TestContainsWord(t *testing.T) {
	tests := []struct {
		cm         Casemap
		text, word string
		want       bool
	}{
		{CasemapRFC1459, "hi bob", "bob", true},
		{CasemapRFC1459, "BOB: look", "bob", true},
		{CasemapRFC1459, "bobby is here", "bob", false},
		{CasemapRFC1459, "bob_ and bob-", "bob", false},
		{CasemapRFC1459, "ask \x02bob\x02!", "bob", true},       // formatting ignored
		{CasemapRFC1459, "ask \x0304bob\x03, now", "bob", true}, // colour codes too
		{CasemapRFC1459, "hi {bob}", "[bob]", true},             // the network's mapping
		{CasemapASCII, "hi {bob}", "[bob]", false},
		{CasemapRFC7613, "hi {bob}", "[bob]", false},
		{CasemapRFC1459, "grüße JÜRGEN", "jürgen", true}, // Unicode folding: Ü is ü
		{CasemapRFC1459, "hallo JÖRG.", "jÖrg", true},
		{CasemapRFC1459, "bobé", "bob", false}, // é is a letter: no boundary
		{CasemapRFC1459, "bob’s turn", "bob", true},
		{CasemapRFC1459, "deploy failed", "deploy", true},
		{CasemapRFC1459, "redeploy", "deploy", false},
		{CasemapRFC1459, "", "bob", false},
		{CasemapRFC1459, "bob", "", false},
	}
	for _, tt := range tests {
		if got := tt.cm.ContainsWord(tt.text, tt.word); got != tt.want {
			t.Errorf("%v.ContainsWord(%q, %q) = %v, want %v", tt.cm, tt.text, tt.word, got, tt.want)
		}
	}
}

func TestIsServiceTarget(t *testing.T) {
	for target, want := range map[string]bool{
		"NickServ": true, "chanserv": true, "CS": true, "ns": true, "Q": true, "x": true,
		"AuthServ": true, "Q@CServe.quakenet.org": true, "NickServ@services.libera.chat": true,
		"serv": false, "alice": false, "#ferry": false, "": false, "QQ": false,
	} {
		if got := IsServiceTarget(target); got != want {
			t.Errorf("IsServiceTarget(%q) = %v", target, got)
		}
	}
}

func TestMaskSecrets(t *testing.T) {
	tests := []struct{ line, want string }{
		{"PASS hunter2", "PASS ***"},
		{"pass hunter2", "PASS ***"}, // irc.v4 upper-cases the command
		{"AUTHENTICATE PLAIN", "AUTHENTICATE PLAIN"},
		{"AUTHENTICATE aHVudGVyMg==", "AUTHENTICATE ***"},
		{"OPER admin hunter2", "OPER admin ***"},
		{"IDENTIFY alice hunter2", "IDENTIFY *** ***"},
		{"PRIVMSG NickServ :IDENTIFY hunter2", "PRIVMSG NickServ :IDENTIFY ***"},
		{"PRIVMSG ChanServ :IDENTIFY #c hunter2", "PRIVMSG ChanServ :IDENTIFY ***"},
		{"NOTICE CS :REGISTER #c hunter2", "NOTICE CS :REGISTER ***"},
		{"NS IDENTIFY alice hunter2", "NS IDENTIFY ***"},
		{"nickserv identify hunter2", "NICKSERV identify ***"},
		{"MEMOSERV SEND bob hi", "MEMOSERV SEND bob hi"},
		{"PRIVMSG #ferry :IDENTIFY hunter2", "PRIVMSG #ferry :IDENTIFY hunter2"},
		{"PRIVMSG NickServ :INFO alice", "PRIVMSG NickServ :INFO alice"},
		{"BOUNCER ADDNETWORK host=h;pass=hunter2;name=x", "BOUNCER ADDNETWORK host=h;pass=***;name=x"},
		{"BOUNCER CHANGENETWORK 4 pass=hunter2", "BOUNCER CHANGENETWORK 4 pass=***"},
		{":s BOUNCER NETWORK 4 name=x;pass=hunter2", ":s BOUNCER NETWORK 4 name=x;pass=***"},
		{"BOUNCER ADDNETWORK host=h;name=pass", "BOUNCER ADDNETWORK host=h;name=pass"},
	}
	for _, tt := range tests {
		m, err := ParseMessage(tt.line)
		if err != nil {
			t.Fatal(err)
		}
		before := m.String()
		if got := MaskSecrets(m); got != tt.want {
			t.Errorf("MaskSecrets(%q) = %q, want %q", tt.line, got, tt.want)
		}
		if m.String() != before {
			t.Errorf("MaskSecrets changed its message: %q", m.String())
		}
	}
}

// The guard rejects every shape of a tag block with nothing after it.
func TestParseMessageTagsOnly(t *testing.T) {
	for _, line := range []string{"@a=b", "@a=b ", "@a=b   ", "@a=b  \r\n"} {
		if m, err := ParseMessage(line); err == nil {
			t.Errorf("ParseMessage(%q) = %v, want an error", line, m)
		}
	}
}

// FuzzCasemap: Fold never panics, is idempotent, and agrees with Equal,
// under every mapping; the names come from the network.
func FuzzCasemap(f *testing.F) {
	for _, s := range []string{"#Foo[1]~", "#Ä", "#ＦＯＯ", "ß", "\xff#A", "ǅ"} {
		f.Add(s, "#foo{1}^")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, cm := range []Casemap{CasemapRFC1459, CasemapASCII, CasemapRFC1459Strict, CasemapRFC7613} {
			fa := cm.Fold(a)
			if cm.Fold(fa) != fa {
				t.Fatalf("%v: Fold not idempotent on %q: %q -> %q", cm, a, fa, cm.Fold(fa))
			}
			if cm.Equal(a, b) != (fa == cm.Fold(b)) {
				t.Fatalf("%v: Equal(%q, %q) disagrees with Fold", cm, a, b)
			}
			cm.ContainsWord(a, b)
		}
	})
}

// FuzzContainsWord holds ContainsWord, which jumps between the bytes a
// match can start with, to the plain rule: try every rune start.
func FuzzContainsWord(f *testing.F) {
	f.Add("hi Bob!", "bob", 0)
	f.Add("[bob] {bob}", "{BOB}", 0)
	f.Add("\x02bob\x02: hi", "bob", 1)
	f.Add("bobby bob_ böb", "BÖB", 3)
	f.Fuzz(func(t *testing.T, text, word string, cm int) {
		c := Casemap(uint(cm) % uint(len(firstBytes)))
		want := false
		if word != "" && len(word) <= len(text) {
			plain := StripFormatting(text)
			for i := 0; i+len(word) <= len(plain); i++ {
				if utf8.RuneStart(plain[i]) && c.wordAt(plain, i, word) {
					want = true
					break
				}
			}
		}
		if got := c.ContainsWord(text, word); got != want {
			t.Errorf("%v.ContainsWord(%q, %q) = %v, the plain rule says %v", c, text, word, got, want)
		}
	})
}
