package transport

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"gopkg.in/irc.v4"
)

type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) Printf(format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, format)
}

func (l *logRecorder) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

// feed returns a Transport reading exactly input, then EOF.
func feed(t *testing.T, input string, log Logger) Transport {
	t.Helper()
	client, server := net.Pipe()
	go func() {
		_, _ = io.WriteString(server, input)
		_ = server.Close()
	}()
	tr := NewTransportLog(client, false, log)
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

// readAll reads messages until an error, returning them and the error.
func readAll(tr Transport) ([]*irc.Message, error) {
	var out []*irc.Message
	for {
		m, err := tr.ReadMessage()
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
}

func TestReadBoundDiscardsLongLine(t *testing.T) {
	long := ":big PRIVMSG #c :" + strings.Repeat("x", 100_000) + "\r\n"
	log := &logRecorder{}
	tr := feed(t, long+"PING :after\r\n", log)
	msgs, err := readAll(tr)
	if !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v, want EOF", err)
	}
	if len(msgs) != 1 || msgs[0].Command != "PING" || msgs[0].Trailing() != "after" {
		t.Fatalf("got %v, want only PING :after", msgs)
	}
	if log.count() != 1 {
		t.Errorf("log notes = %d, want 1 for the discarded line", log.count())
	}
}

func TestReadBoundEdges(t *testing.T) {
	// The bound counts tags: a tag block pushing the line past it discards it.
	prefix := "@t=" + strings.Repeat("v", MaxLineLength) + " "
	atLimit := "PRIVMSG #c :" + strings.Repeat("y", MaxLineLength-len("PRIVMSG #c :"))
	overLimit := atLimit + "z"
	input := prefix + "PING :tagged\r\n" + atLimit + "\r\n" + overLimit + "\n" + "PING :last\n"
	msgs, err := readAll(feed(t, input, nil))
	if !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v", err)
	}
	if len(msgs) != 2 {
		t.Fatalf("got %d messages, want 2 (the line exactly at the limit and the last PING)", len(msgs))
	}
	if msgs[0].Command != "PRIVMSG" || len(msgs[0].Trailing()) != MaxLineLength-len("PRIVMSG #c :") {
		t.Errorf("first message = %.40q..., want the line at the limit intact", msgs[0].String())
	}
	if msgs[1].Trailing() != "last" {
		t.Errorf("second message = %q", msgs[1].String())
	}
}

func TestReadFraming(t *testing.T) {
	latin1 := "PRIVMSG #c :caf\xe9 \xff\x00end" // not UTF-8, with a NUL
	input := strings.Join([]string{
		"PING :crlf\r",
		"PING :lf",
		"",                // empty line: ignored
		"\r",              // empty CRLF line: ignored
		"@a=b ",           // tags and nothing else: irc.v4 would panic on it
		"@a=b",            // tags without a space
		":prefix.only",    // prefix without command
		":prefix.only   ", // prefix and spaces
		"@a=b :pfx",       // tags and prefix, no command
		latin1,            // bytes kept as they are
		"@time=x :n!u@h PRIVMSG #c :tagged",
		"PING :unterminated", // last line without a newline is still read
	}, "\n")
	msgs, err := readAll(feed(t, input, nil))
	if !errors.Is(err, io.EOF) {
		t.Fatalf("err = %v", err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Command+" "+m.Trailing())
	}
	want := []string{"PING crlf", "PING lf", "PRIVMSG caf\xe9 \xff\x00end", "PRIVMSG tagged", "PING unterminated"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if msgs[3].Tags["time"] != "x" || msgs[3].Prefix.Name != "n" {
		t.Errorf("tags/prefix lost: %#v", msgs[3])
	}
}

func TestWriteMessage(t *testing.T) {
	client, server := net.Pipe()
	tr := NewTransport(client, false)
	defer tr.Close()
	defer server.Close()
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(server).ReadString('\n')
		got <- line
	}()
	if err := tr.WriteMessage(irc.MustParseMessage("PRIVMSG #c :hello there")); err != nil {
		t.Fatal(err)
	}
	if line := <-got; line != "PRIVMSG #c :hello there\r\n" {
		t.Fatalf("wrote %q", line)
	}
	bad := []*irc.Message{
		nil,
		{Command: ""},
		{Command: "PRIVMSG", Params: []string{"#c", "two\r\nQUIT :injected"}},
		{Command: "PRIVMSG", Params: []string{"#c", "nul\x00"}},
	}
	for _, m := range bad {
		if err := tr.WriteMessage(m); !errors.Is(err, ErrBadLine) {
			t.Errorf("WriteMessage(%v) = %v, want ErrBadLine", m, err)
		}
	}
	if tr.IsTLS() {
		t.Error("IsTLS on a plain pipe")
	}
}
