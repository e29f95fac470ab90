package transport

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
)

// FuzzReadMessage feeds arbitrary bytes to the reader: it must not panic,
// must end with EOF, and every message it returns must have a command.
func FuzzReadMessage(f *testing.F) {
	for _, s := range []string{
		"PING :x\r\n",
		"@a=b \r\n",
		"@a=b :p\r\n:p\r\n\r\n\n",
		":n!u@h PRIVMSG #c :caf\xe9\x00\r\n",
		"@" + strings.Repeat("t", 70000) + " PING\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		client, server := net.Pipe()
		go func() {
			_, _ = server.Write(in)
			_ = server.Close()
		}()
		tr := NewTransport(client, false)
		defer tr.Close()
		for {
			m, err := tr.ReadMessage()
			if err != nil {
				if !errors.Is(err, io.EOF) {
					t.Fatalf("error %v, want EOF", err)
				}
				return
			}
			if m.Command == "" {
				t.Fatalf("message without a command from %q", in)
			}
		}
	})
}
