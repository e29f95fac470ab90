package ircx

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCasemap(t *testing.T) {
	tests := []struct {
		cm     Casemap
		a, b   string
		equal  bool
		folded string // Fold(a)
	}{
		{CasemapRFC1459, "#Chan[1]", "#chan{1}", true, "#chan{1}"},
		{CasemapRFC1459, "Nick~\\", "nick^|", true, "nick^|"},
		{CasemapRFC1459Strict, "#Chan[1]\\", "#chan{1}|", true, "#chan{1}|"},
		{CasemapRFC1459Strict, "a~", "a^", false, "a~"},
		{CasemapASCII, "#Chan[1]", "#chan{1}", false, "#chan[1]"},
		{CasemapASCII, "ÄB", "Äb", true, "Äb"},
		{CasemapRFC1459, "abc", "abcd", false, "abc"},
		{CasemapRFC7613, "#Chan[1]", "#chan{1}", false, "#chan[1]"},
		{CasemapRFC7613, "#Ä", "#ä", true, "#ä"},
		{CasemapRFC7613, "#STRASSE", "#straße", true, "#strasse"},
		{CasemapRFC7613, "#Ｆｅｒｒｙ", "#ferry", true, "#ferry"},
		{CasemapRFC7613, "#Ω", "#ω", true, "#ω"},
		{CasemapRFC7613, "#a\xff", "#A\xff", true, "#a\xff"},
	}
	for _, tt := range tests {
		if got := tt.cm.Equal(tt.a, tt.b); got != tt.equal {
			t.Errorf("%v.Equal(%q, %q) = %v", tt.cm, tt.a, tt.b, got)
		}
		if got := tt.cm.Fold(tt.a); got != tt.folded {
			t.Errorf("%v.Fold(%q) = %q, want %q", tt.cm, tt.a, got, tt.folded)
		}
		if tt.cm.Equal(tt.a, tt.b) != (tt.cm.Fold(tt.a) == tt.cm.Fold(tt.b)) {
			t.Errorf("%v: Equal and Fold disagree on %q/%q", tt.cm, tt.a, tt.b)
		}
	}
	for _, name := range []string{"rfc1459", "ascii", "rfc1459-strict", "rfc7613"} {
		cm, ok := ParseCasemap(name)
		if !ok || cm.String() != name {
			t.Errorf("ParseCasemap(%q) = %v %v", name, cm, ok)
		}
	}
	if cm, ok := ParseCasemap("rfc9999"); ok || cm != CasemapASCII {
		t.Errorf("unknown casemap: %v %v", cm, ok)
	}
}

func TestParseCaps(t *testing.T) {
	got := ParseCaps(" sasl=PLAIN,EXTERNAL  -echo-message  server-time = sts=port=6697,duration=3 ", 0)
	want := []Cap{
		{Name: "sasl", Value: "PLAIN,EXTERNAL"},
		{Name: "echo-message", Remove: true},
		{Name: "server-time"},
		{Name: "sts", Value: "port=6697,duration=3"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseCaps\n got  %+v\n want %+v", got, want)
	}
	if got := ParseCaps("a b c d", 2); len(got) != 2 {
		t.Errorf("limit not applied: %v", got)
	}
	if got := CapValueList("PLAIN,,EXTERNAL"); !reflect.DeepEqual(got, []string{"PLAIN", "EXTERNAL"}) {
		t.Errorf("CapValueList %q", got)
	}
	if CapValueList("") != nil {
		t.Error("empty value should be nil")
	}
}

func TestISupportApply(t *testing.T) {
	is := DefaultISupport()
	changed := is.Apply([]string{"CASEMAPPING=ascii", "PREFIX=(qaohv)~&@%+", "CHANTYPES=#&!", "CHANMODES=beI,k,l,imnst", "NETWORK=Some\\x20Net", "LINELEN=2048", "STATUSMSG=@+", "AWAYLEN=200"})
	if !changed {
		t.Fatal("no change reported")
	}
	want := ISupport{Casemap: CasemapASCII, CasemapName: "ascii", Prefixes: "~&@%+", PrefixModes: "qaohv", ChanTypes: "#&!",
		ChanModes: [4]string{"beI", "k", "l", "imnst"}, StatusMsg: "@+", Network: "Some Net", LineLen: 2048}
	if is != want {
		t.Errorf("Apply\n got  %+v\n want %+v", is, want)
	}
	if is.Apply([]string{"AWAYLEN=300"}) {
		t.Error("unrelated token reported as change")
	}
	// Bad values are ignored; negation restores defaults.
	is.Apply([]string{"PREFIX=(ov)@", "PREFIX=junk", "LINELEN=12", "LINELEN=x", "-NETWORK", "-CASEMAPPING"})
	if is.Prefixes != "~&@%+" || is.LineLen != 2048 || is.Network != "" || is.Casemap != CasemapRFC1459 {
		t.Errorf("after bad/negated tokens %+v", is)
	}
	is.Apply([]string{"LINELEN=99999999"})
	if is.LineLen != maxLineLen {
		t.Errorf("LINELEN not bounded: %d", is.LineLen)
	}
	is.Apply([]string{"PREFIX="})
	if is.Prefixes != "" || is.PrefixModes != "" {
		t.Errorf("empty PREFIX: %+v", is)
	}
}

func TestISupportModes(t *testing.T) {
	is := DefaultISupport()
	is.Apply([]string{"PREFIX=(qaohv)~&@%+", "CHANMODES=beI,k,l,imnst", "STATUSMSG=@+"})
	tests := []struct {
		mode   byte
		adding bool
		param  bool
	}{
		{'o', true, true}, {'o', false, true}, {'b', false, true}, {'k', false, true},
		{'l', true, true}, {'l', false, false}, {'m', true, false}, {'Z', true, false},
	}
	for _, tt := range tests {
		if got := is.ModeTakesParam(tt.mode, tt.adding); got != tt.param {
			t.Errorf("ModeTakesParam(%c, %v) = %v", tt.mode, tt.adding, got)
		}
	}
	if is.PrefixForMode('h') != '%' || is.PrefixForMode('b') != 0 {
		t.Error("PrefixForMode")
	}
	if is.PrefixRank('~') != 0 || is.PrefixRank('+') != 4 || is.PrefixRank('x') != 5 {
		t.Error("PrefixRank")
	}
	if is.StripStatusMsg("@#c") != "#c" || is.StripStatusMsg("+@#c") != "#c" || is.StripStatusMsg("bob") != "bob" || is.StripStatusMsg("@") != "" {
		t.Error("StripStatusMsg")
	}
	if !is.IsChannel("#c") || is.IsChannel("c") || is.IsChannel("") {
		t.Error("IsChannel")
	}
}

func TestSplitText(t *testing.T) {
	tests := []struct {
		text  string
		limit int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"hello world foo", 11, []string{"hello world", "foo"}},
		{"hello world foo", 5, []string{"hello", "world", "foo"}},
		{"abcdefghij", 4, []string{"abcd", "efgh", "ij"}},
		{"ééééé", 5, []string{"éé", "éé", "é"}}, // 2-byte chars, never cut inside
		{"𝄞𝄞", 5, []string{"𝄞", "𝄞"}},
		{"a verylongword", 6, []string{"a", "verylo", "ngword"}},
		{"one\ntwo\r\n\nthree", 100, []string{"one", "two", "three"}},
		{"", 10, nil},
		{"abc", 1, []string{"abc"}}, // limit below a rune is raised to 4
	}
	for _, tt := range tests {
		if got := SplitText(tt.text, tt.limit); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitText(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
		}
	}
}

func TestSplitTextProperties(t *testing.T) {
	text := strings.Repeat("Grüße aus Köln 🎉 — ", 50) + strings.Repeat("日本語", 100)
	for limit := 4; limit < 300; limit += 7 {
		pieces := SplitText(text, limit)
		for _, p := range pieces {
			if len(p) > limit || !utf8.ValidString(p) || p == "" {
				t.Fatalf("limit %d: bad piece %q", limit, p)
			}
		}
	}
}

func TestDecodeText(t *testing.T) {
	if got := DecodeText("caf\xe9 \xfcber"); got != "café über" {
		t.Errorf("DecodeText latin-1 = %q", got)
	}
	if got := DecodeText("café"); got != "café" {
		t.Errorf("DecodeText utf-8 = %q", got)
	}
}

func TestParseMessageSafe(t *testing.T) {
	for _, line := range []string{"@0 ", "@a=b \r\n", "@a ", ":p ", "", "@", ":"} {
		if m, err := ParseMessage(line); err == nil {
			t.Errorf("ParseMessage(%q) = %v, want an error", line, m)
		}
	}
	m, err := ParseMessage("@a=b :n!u@h PRIVMSG #c :hi there\r\n")
	if err != nil || m.Command != "PRIVMSG" || m.Tags["a"] != "b" || m.Trailing() != "hi there" {
		t.Errorf("good line: %v %v", m, err)
	}
}

func TestISupportChatHistory(t *testing.T) {
	tests := []struct {
		tokens    []string
		limit     int
		refTypes  string
		msgid, ts bool
	}{
		{nil, 0, "", true, true},
		{[]string{"CHATHISTORY=100"}, 100, "", true, true},
		{[]string{"CHATHISTORY=0"}, 0, "", true, true},
		{[]string{"CHATHISTORY=50", "CHATHISTORY=-3", "CHATHISTORY=x"}, 50, "", true, true},
		{[]string{"CHATHISTORY=50", "-CHATHISTORY"}, 0, "", true, true},
		{[]string{"MSGREFTYPES=timestamp"}, 0, "timestamp", false, true},
		{[]string{"MSGREFTYPES=timestamp,MSGID"}, 0, "timestamp,MSGID", true, true},
		{[]string{"MSGREFTYPES=msgid", "-MSGREFTYPES"}, 0, "", true, true},
	}
	for _, tt := range tests {
		is := DefaultISupport()
		is.Apply(tt.tokens)
		if is.ChatHistory != tt.limit || is.MsgRefTypes != tt.refTypes ||
			is.AcceptsMsgRef("msgid") != tt.msgid || is.AcceptsMsgRef("timestamp") != tt.ts {
			t.Errorf("%q: ChatHistory %d MsgRefTypes %q msgid %v timestamp %v", tt.tokens,
				is.ChatHistory, is.MsgRefTypes, is.AcceptsMsgRef("msgid"), is.AcceptsMsgRef("timestamp"))
		}
	}
	is := DefaultISupport()
	is.Apply([]string{"MSGREFTYPES=" + strings.Repeat("x", 10000)})
	if len(is.MsgRefTypes) > maxRefTypesLen {
		t.Errorf("MSGREFTYPES not bounded: %d bytes", len(is.MsgRefTypes))
	}
}

func TestISupportTargMax(t *testing.T) {
	tests := []struct {
		tokens              []string
		join, privmsg, kick int
	}{
		{nil, 0, 0, 0}, // not advertised: no limit known
		{[]string{"TARGMAX=PRIVMSG:4,NOTICE:4,JOIN:,KICK:1"}, 0, 4, 1},
		{[]string{"TARGMAX=JOIN:3,privmsg:20"}, 3, 20, 0}, // names case-insensitively; unlisted: no limit
		{[]string{"TARGMAX=JOIN:x,PRIVMSG:-2,KICK:0"}, 0, 0, 0},
		{[]string{"TARGMAX=JOIN:3", "-TARGMAX"}, 0, 0, 0},
		{[]string{"TARGMAX=JOIN:3", "TARGMAX=JOIN:5"}, 5, 0, 0},
		{[]string{"TARGMAX="}, 0, 0, 0},
		{[]string{`TARGMAX=JOIN\x3a2`}, 2, 0, 0}, // \xHH escapes are decoded
	}
	for _, tt := range tests {
		is := DefaultISupport()
		is.Apply(tt.tokens)
		if j, p, k := is.MaxTargets("JOIN"), is.MaxTargets("PRIVMSG"), is.MaxTargets("KICK"); j != tt.join || p != tt.privmsg || k != tt.kick {
			t.Errorf("%q: JOIN %d PRIVMSG %d KICK %d, want %d %d %d", tt.tokens, j, p, k, tt.join, tt.privmsg, tt.kick)
		}
	}
	is := DefaultISupport()
	if !is.Apply([]string{"TARGMAX=JOIN:2"}) || is.Apply([]string{"TARGMAX=JOIN:2"}) {
		t.Error("Apply does not report a TARGMAX change exactly once")
	}
	is.Apply([]string{"TARGMAX=" + strings.Repeat("JOIN:1,", 5000)})
	if len(is.TargMax) > maxTargMaxLen {
		t.Errorf("TARGMAX not bounded: %d bytes", len(is.TargMax))
	}
}

func TestFormatServerTime(t *testing.T) {
	at := time.Date(2026, 11, 26, 12, 3, 4, 567_890_123, time.FixedZone("CET", 3600))
	if got := FormatServerTime(at); got != "2026-11-26T11:03:04.567Z" {
		t.Errorf("FormatServerTime = %q", got)
	}
	back, err := time.Parse(time.RFC3339Nano, FormatServerTime(at))
	if err != nil || back.After(at) {
		t.Errorf("round trip %v %v: a reference must not point after the message", back, err)
	}
}
