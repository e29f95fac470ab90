package chatlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-irc/ferry/net/event"
	"github.com/ferry-irc/ferry/net/ircx"
)

func TestFileName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#ferry", "#ferry.log"},
		{"#Ferry", "#ferry.log"},
		{"[Bob]", "{bob}.log"},
		{"{bob}", "{bob}.log"},
		{`a\b`, "a%7Cb.log"}, // rfc1459: \ folds to |, which Windows forbids
		{"a|b", "a%7Cb.log"},
		{"~x", "^x.log"},
		{"#a/b", "#a%2Fb.log"},
		{"../../etc/passwd", "%2E.%2F..%2Fetc%2Fpasswd.log"},
		{".", "%2E.log"},
		{"#a:b*c?d", "#a%3Ab%2Ac%3Fd.log"},
		{"#100%", "#100%25.log"},
		{"@server", "%40server.log"}, // cannot collide with ServerFile
		{"con", "%63on.log"},
		{"NUL", "%6Eul.log"},
		{"#café", "#café.log"},
		{"#a\x1b[31mb", "#a%1B{31mb.log"},
		{"#a\u202eb", "#a%E2%80%AEb.log"},
		{"#\xff", "#%FF.log"},
		{"", "%00.log"},
	}
	for _, tt := range tests {
		if got := FileName(ircx.CasemapRFC1459, tt.in); got != tt.want {
			t.Errorf("FileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := FileName(ircx.CasemapRFC1459, "#"+strings.Repeat("x", 400))
	long2 := FileName(ircx.CasemapRFC1459, "#"+strings.Repeat("x", 399)+"y")
	if len(long) > maxNameLen+4 || long == long2 {
		t.Errorf("long names: %q (%d bytes) vs %q", long, len(long), long2)
	}
	// The network's mapping decides which names share a file.
	for _, tt := range []struct {
		cm   ircx.Casemap
		a, b string
		same bool
	}{
		{ircx.CasemapRFC1459, "#[a]", "#{a}", true},
		{ircx.CasemapASCII, "#[a]", "#{a}", false},
		{ircx.CasemapRFC7613, "#[a]", "#{a}", false},
		{ircx.CasemapRFC7613, "#Ä", "#ä", true},
		{ircx.CasemapRFC1459, "#Ä", "#ä", false},
	} {
		if same := FileName(tt.cm, tt.a) == FileName(tt.cm, tt.b); same != tt.same {
			t.Errorf("%v: %q and %q share a file: %v, want %v", tt.cm, tt.a, tt.b, same, tt.same)
		}
	}
	if DirName("Libera.Chat") != "libera.chat" || DirName("") != "@unknown" || DirName("a/b") != "a%2Fb" {
		t.Errorf("DirName: %q %q %q", DirName("Libera.Chat"), DirName(""), DirName("a/b"))
	}
}

// TestNamesStayInside: hostile buffer and network names only ever create
// files directly under <dir>/<network>/.
func TestNamesStayInside(t *testing.T) {
	w, dir := openTest(t, Options{})
	var evs []event.Event
	for _, name := range []string{"../escape", "/abs", "#a/../../b", "..", `\..\x`} {
		evs = append(evs, event.Message{Meta: event.Meta{Network: "../net"}, Buffer: name, From: "x", Text: "t"})
	}
	w.Write(event.Batch{Events: evs})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "%2E.%2Fnet" {
		t.Fatalf("top level: %v", entries)
	}
	files, _ := os.ReadDir(filepath.Join(dir, entries[0].Name()))
	if len(files) != 5 {
		t.Errorf("got %d files, want 5: %v", len(files), files)
	}
	for _, f := range files {
		if f.IsDir() || strings.ContainsAny(f.Name(), `/\`) {
			t.Errorf("unexpected entry %q", f.Name())
		}
	}
}

// TestOpenFileBound: no more than MaxOpen files are open; an evicted log is
// closed with a "Log closed" line and reopened with "Log opened".
func TestOpenFileBound(t *testing.T) {
	w, dir := openTest(t, Options{MaxOpen: 2})
	msg := func(buf, text string) event.Event {
		return event.Message{Meta: at(0), Buffer: buf, From: "x", Text: text}
	}
	w.Write(event.Batch{Events: []event.Event{msg("#a", "1"), msg("#b", "2"), msg("#c", "3"), msg("#a", "4")}})
	// #c evicted #a (the least recently used), so #a was closed and
	// reopened for line 4.
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := read(t, filepath.Join(dir, "libera", "#a.log"))
	want := "--- Log opened Thu Nov 26 14:03:12 2026\n2026-11-26 14:03:12 <x> 1\n--- Log closed Thu Nov 26 14:03:12 2026\n" +
		"--- Log opened Thu Nov 26 14:03:12 2026\n2026-11-26 14:03:12 <x> 4\n--- Log closed Thu Nov 26 14:03:12 2026\n"
	if got != want {
		t.Errorf("#a.log:\n%s\nwant:\n%s", got, want)
	}
}

func TestPlain(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"\x02bold\x02 \x1ditalic\x1d \x1funder\x1f \x0fr", "bold italic under r"},
		{"\x0304,12red on blue\x03 \x033x \x03,5y", "red on blue x ,5y"},
		{"\x04FF0000hex\x04", "hex"},
		{"esc\x1b[31m bel\x07 nl\nc1\u009b", "esc\uFFFD[31m bel\uFFFD nl\uFFFDc1\uFFFD"},
		{"rtl\u202eevil", "rtl\uFFFDevil"},
	}
	for _, tt := range tests {
		if got := plain(tt.in); got != tt.want {
			t.Errorf("plain(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzFileName: any buffer name maps to one safe path element.
func FuzzFileName(f *testing.F) {
	for _, s := range []string{"#ferry", "..", "../x", "a\\b", "con", "\x00", "#\u202e", strings.Repeat("é", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		names := []string{DirName(name)}
		for _, cm := range []ircx.Casemap{ircx.CasemapRFC1459, ircx.CasemapASCII, ircx.CasemapRFC1459Strict, ircx.CasemapRFC7613} {
			names = append(names, FileName(cm, name))
		}
		for _, got := range names {
			if got == "" || got == "." || got == ".." || strings.HasPrefix(got, ".") || len(got) > maxNameLen+4 ||
				strings.ContainsAny(got, "/\\:*?\"<>|\x00") || strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || isBidi(r) }) {
				t.Fatalf("unsafe name %q for %q", got, name)
			}
		}
		if got := FileName(ircx.CasemapRFC7613, name); got == ServerFile {
			t.Fatalf("%q maps to the server log", name)
		}
	})
}

// The writer files a buffer by the case mapping the session reported: on
// an ascii network #[a] and #{a} are two channels and two logs, on an
// rfc1459 one (the default) one.
func TestWriterFilesByNetworkCasemap(t *testing.T) {
	for _, tt := range []struct {
		casemap string
		files   int
	}{{"", 1}, {"rfc1459", 1}, {"ascii", 2}} {
		w, dir := openTest(t, Options{})
		w.Write(event.Batch{Events: []event.Event{
			event.ISupport{Meta: at(0), ChanTypes: "#", Casemap: tt.casemap},
			event.Message{Meta: at(1), Buffer: "#[a]", From: "bob", Text: "one"},
			event.Message{Meta: at(2), Buffer: "#{a}", From: "bob", Text: "two"},
		}})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir(filepath.Join(dir, "libera"))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range ents {
			if e.Name() != ServerFile {
				n++
			}
		}
		if n != tt.files {
			t.Errorf("CASEMAPPING %q: %d channel logs, want %d", tt.casemap, n, tt.files)
		}
	}
}
