package logfile

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMask(t *testing.T) {
	tests := []struct{ in, want string }{
		{"PASS hunter2", "PASS ***"},
		{"PASS :hunter2 with spaces", "PASS :***"},
		{"pass hunter2", "pass ***"},
		{"AUTHENTICATE PLAIN", "AUTHENTICATE PLAIN"},
		{"AUTHENTICATE EXTERNAL", "AUTHENTICATE EXTERNAL"},
		{"AUTHENTICATE +", "AUTHENTICATE +"},
		{"AUTHENTICATE *", "AUTHENTICATE *"},
		{"AUTHENTICATE AGFsaWNlAGh1bnRlcjI=", "AUTHENTICATE ***"},
		{"@time=2026-11-26T14:03:12Z :s1 MIGRATE START s2.example.net +6697 Q2xvdWQ 9f3Tz s2",
			"@time=2026-11-26T14:03:12Z :s1 MIGRATE START s2.example.net +6697 *** *** s2"},
		{":s1 MIGRATE START 127.0.0.1 6667 Q2xvdWQ 9f3Tz", ":s1 MIGRATE START 127.0.0.1 6667 *** ***"},
		{"MIGRATE OK Q2xvdWQ", "MIGRATE OK ***"},
		{"MIGRATE NAK Q2xvdWQ :target unreachable", "MIGRATE NAK *** :target unreachable"},
		{":s1 MIGRATE PROCEED Q2xvdWQ", ":s1 MIGRATE PROCEED ***"},
		{"MIGRATE RESUME Q2xvdWQ", "MIGRATE RESUME ***"},
		{":s2 MIGRATE CONFIRM 9f3Tz", ":s2 MIGRATE CONFIRM ***"},
		{"MIGRATE REQUEST s2", "MIGRATE REQUEST s2"},
		{":s1 FAIL MIGRATE ABORTED Q2xvdWQ :could not hand over", ":s1 FAIL MIGRATE ABORTED *** :could not hand over"},
		{":s2 FAIL MIGRATE INVALID_TOKEN Q2xvdWQ :unknown token", ":s2 FAIL MIGRATE INVALID_TOKEN *** :unknown token"},
		{":s1 FAIL MIGRATE UNKNOWN_SERVER s9 :no such server", ":s1 FAIL MIGRATE UNKNOWN_SERVER s9 :no such server"},
		{"PRIVMSG NickServ :IDENTIFY hunter2", "PRIVMSG NickServ :IDENTIFY ***"},
		{"PRIVMSG NickServ :identify alice hunter2", "PRIVMSG NickServ :identify ***"},
		{"PRIVMSG NickServ IDENTIFY", "PRIVMSG NickServ IDENTIFY"},
		{"NOTICE Q@CServe.quakenet.org :AUTH alice hunter2", "NOTICE Q@CServe.quakenet.org :AUTH ***"},
		{"PRIVMSG #ferry :IDENTIFY is a word", "PRIVMSG #ferry :IDENTIFY is a word"},
		{"NICKSERV IDENTIFY hunter2", "NICKSERV IDENTIFY ***"},
		{"NS identify alice hunter2", "NS identify ***"},
		{"OPER admin hunter2", "OPER admin ***"},
		{"libera > PASS hunter2", "libera > PASS ***"},
		{"s1 < :s1 MIGRATE CONFIRM 9f3Tz", "s1 < :s1 MIGRATE CONFIRM ***"},
		{"PASS hunter2\r\n", "PASS ***\r\n"},
		{"sent PASS hunter2", "sent PASS ***"},
		{"libera < :s1 FAIL MIGRATE UNKNOWN_SERVER s9 :no such server", "libera < :s1 FAIL MIGRATE UNKNOWN_SERVER s9 :no such server"},
		{"PRIVMSG #ferry :MIGRATE OK is what clients send", "PRIVMSG #ferry :MIGRATE OK is what clients send"},
		{"PRIVMSG #ferry :hello", "PRIVMSG #ferry :hello"},
		{":s1 001 me :Welcome", ":s1 001 me :Welcome"},
		{"", ""},
		{"dial irc.example.net:6697: connection refused", "dial irc.example.net:6697: connection refused"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestSecretsNeverInLog writes lines carrying every kind of secret through
// each way of logging, and checks none reaches the file.
func TestSecretsNeverInLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "debug.log")
	l, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	lines := []string{
		"PASS serverpw1",
		"AUTHENTICATE PLAIN",
		"AUTHENTICATE AGFsaWNlAHNhc2xwdzI=",
		":s1 MIGRATE START s2.example.net +6697 RESUMETOKEN3 CONFIRMTOKEN4 s2",
		"MIGRATE OK RESUMETOKEN3",
		"MIGRATE NAK RESUMETOKEN3 :target unreachable",
		":s1 MIGRATE PROCEED RESUMETOKEN3",
		"MIGRATE RESUME RESUMETOKEN3",
		":s2 MIGRATE CONFIRM CONFIRMTOKEN4",
		":s1 FAIL MIGRATE ABORTED RESUMETOKEN3 :aborted",
		":s2 FAIL MIGRATE INVALID_TOKEN RESUMETOKEN3 :bad token",
		"PRIVMSG NickServ :IDENTIFY alice nickservpw5",
		"OPER admin operpw6",
	}
	for _, line := range lines {
		l.Raw("libera >", line)
		l.Printf("sent %s", line)
		l.Debugf("%s", line)
		l.Warnf("libera < %s", line)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, secret := range []string{"serverpw1", "AGFsaWNlAHNhc2xwdzI=", "RESUMETOKEN3", "CONFIRMTOKEN4", "nickservpw5", "operpw6"} {
		if strings.Contains(got, secret) {
			t.Errorf("secret %q in the debug log:\n%s", secret, got)
		}
	}
	if n := strings.Count(got, "\n"); n != 4*len(lines) {
		t.Errorf("%d lines, want %d", n, 4*len(lines))
	}
	if !strings.Contains(got, "DEBUG libera > MIGRATE START s2.example.net") && !strings.Contains(got, "DEBUG libera > :s1 MIGRATE START s2.example.net +6697 *** *** s2") {
		t.Errorf("masked lines lost their context:\n%s", got)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestLevelsAndFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "debug.log")
	l, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	l.Printf("info %d", 1)
	l.Debugf("debug %d", 2)
	l.Raw("x >", "PING 1")
	l.Errorf("bad\nline\x1b[2J")
	l.Close()
	l.Printf("after close")
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	re := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (INFO|ERROR) `)
	if len(lines) != 2 {
		t.Fatalf("lines = %q", lines)
	}
	for _, line := range lines {
		if !re.MatchString(line) {
			t.Errorf("bad line %q", line)
		}
	}
	if !strings.HasSuffix(lines[0], "INFO info 1") || !strings.HasSuffix(lines[1], `ERROR bad\nline\x1b[2J`) {
		t.Errorf("lines = %q", lines)
	}

	var nilLogger *Logger
	nilLogger.Printf("no panic")
	nilLogger.Debugf("no panic")
	if nilLogger.Debug() || nilLogger.Close() != nil {
		t.Error("nil logger")
	}
}

func TestRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "debug.log")
	l, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	l.SetMaxSize(1000)
	for i := range 100 {
		l.Printf("line %03d %s", i, strings.Repeat("x", 40))
	}
	l.Close()
	cur, _ := os.ReadFile(path)
	old, err := os.ReadFile(path + ".1")
	if err != nil {
		t.Fatal("no rotated file:", err)
	}
	if len(cur) > 1000 || len(old) > 1000 {
		t.Errorf("sizes %d and %d exceed the cap", len(cur), len(old))
	}
	if !strings.Contains(string(cur), "line 099") {
		t.Errorf("latest line missing from the current file")
	}
	// One rotation only: the .1 file holds the lines just before the
	// current file's, and there is no .2.
	if _, err := os.Stat(path + ".2"); err == nil {
		t.Error("a second rotation file exists")
	}
	firstCur := strings.SplitN(string(cur), "\n", 2)[0]
	oldLines := strings.Split(strings.TrimSuffix(string(old), "\n"), "\n")
	var a, c int
	fmt.Sscanf(oldLines[len(oldLines)-1][strings.Index(oldLines[len(oldLines)-1], "line "):], "line %d", &a)
	fmt.Sscanf(firstCur[strings.Index(firstCur, "line "):], "line %d", &c)
	if c != a+1 {
		t.Errorf("rotation lost lines: .1 ends at %d, current starts at %d", a, c)
	}

	// Reopening continues the size count from the file.
	l, err = Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if l.size != int64(len(cur)) {
		t.Errorf("reopened size %d, want %d", l.size, len(cur))
	}
	l.Close()
}

func TestConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "debug.log")
	l, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				l.Debugf("g%d i%d", g, i)
			}
		}()
	}
	wg.Wait()
	l.Close()
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("%d lines, want 1600", len(lines))
	}
	re := regexp.MustCompile(`^\S+ \S+ DEBUG g\d i\d+$`)
	for _, line := range lines {
		if !re.MatchString(line) {
			t.Fatalf("interleaved line %q", line)
		}
	}
}

// FuzzMask: Mask never panics, is idempotent, and a PASS or AUTHENTICATE
// payload never survives it.
func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"PASS hunter2", "AUTHENTICATE AGFs", ":s1 MIGRATE START h +1 a b s2", "MIGRATE OK tok",
		":s1 FAIL MIGRATE ABORTED tok :x", "PRIVMSG NickServ :IDENTIFY pw", "@a=b :p NS identify x y",
		"libera > PASS :a b", "", ":", "@", "PASS", "MIGRATE", "FAIL MIGRATE",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		m := Mask(line)
		if Mask(m) != m {
			t.Fatalf("not idempotent: %q -> %q -> %q", line, m, Mask(m))
		}
		if strings.HasPrefix(line, "PASS ") && len(strings.TrimSpace(line)) > len("PASS ") && !strings.Contains(m, "***") {
			t.Fatalf("PASS line not masked: %q -> %q", line, m)
		}
	})
}

// net/conn's traffic lines put the message after "conn NET: host:port ->":
// Mask still finds it there.
func TestMaskFindsMessageAfterConnTag(t *testing.T) {
	for _, line := range []string{
		"conn libera: irc.libera.chat:6697 -> PASS hunter2",
		"conn libera: irc.libera.chat:6697 -> PRIVMSG NickServ :IDENTIFY hunter2",
		"conn libera: irc.libera.chat:6697 <- :s1 MIGRATE START s2 +6697 hunter2 hunter3 s2",
	} {
		if got := Mask(line); strings.Contains(got, "hunter") {
			t.Errorf("Mask(%q) = %q: the secret shows", line, got)
		}
	}
}

// readLines returns the log's lines without their time stamps.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if f := strings.SplitN(line, " ", 3); len(f) == 3 {
			out = append(out, f[2])
		} else {
			out = append(out, line)
		}
	}
	return out
}

// Identical consecutive lines are written once, then counted: a server
// making ferry log the same line thousands of times costs two lines.
func TestRepeatsFolded(t *testing.T) {
	path := filepath.Join(t.TempDir(), "debug.log")
	l, err := Open(path, true)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	l.now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	l.Printf("first")
	for range 1000 {
		l.Printf("session: ignored %q", "cap")
	}
	l.Warnf("session: ignored %q", "cap") // another level: a new run
	l.Printf("PASS %s", "hunter1")        // both mask to "PASS ***": folded,
	l.Printf("PASS %s", "hunter2")        // and neither secret shows
	l.Printf("last")
	l.Printf("last")
	l.Close()
	want := []string{
		"INFO first",
		`INFO session: ignored "cap"`,
		"INFO (the line above repeated 999 more times, the last at 01:00:01.001)",
		`WARN session: ignored "cap"`,
		"INFO PASS ***",
		"INFO (the line above repeated once more, the last at 01:00:01.004)",
		"INFO last",
		"INFO (the line above repeated once more, the last at 01:00:01.006)", // written by Close
	}
	got := readLines(t, path)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A run that goes on is reported as it goes, every repeatSpan, not only
// when it ends.
func TestRepeatsReportedAsTheyGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "debug.log")
	l, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	l.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	for range 70 { // one a second: a report every 30 s
		l.Printf("again")
	}
	got := readLines(t, path) // before Close: what a reader sees now
	want := []string{
		"INFO again",
		"INFO (the line above repeated 30 more times, the last at 01:00:31.000)",
		"INFO again",
		"INFO (the line above repeated 30 more times, the last at 01:01:02.000)",
		"INFO again",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	l.Close()
}

func BenchmarkRepeatedLine(b *testing.B) {
	l, err := Open(filepath.Join(b.TempDir(), "debug.log"), false)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	for range b.N {
		l.Printf("session: CAP LS: ignoring %q", "some-capability")
	}
}

// Identical lines from many goroutines are all counted.
func TestRepeatsConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "debug.log")
	l, err := Open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				l.Printf("same %s", "line")
			}
		}()
	}
	wg.Wait()
	l.Close()
	got := readLines(t, path)
	if len(got) != 2 || got[0] != "INFO same line" || !strings.HasPrefix(got[1], "INFO (the line above repeated 1599 more times, ") {
		t.Errorf("log: %q", got)
	}
}
