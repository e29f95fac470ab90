// Package transport carries IRC lines over one TCP or TLS connection.
//
// It knows nothing of IRC state: a Transport frames irc.v4 messages, Dial opens
// the connection with the security rules of STS and net/migrate/SPEC.md section 4
// applied (certificate verified against the host, STS upgrades without any
// plaintext fallback), and a Writer sends queued lines in order through the
// flood Limiter. The connection owner (net/conn) decides what to send and when.
package transport

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"gopkg.in/irc.v4"

	"github.com/ferry-irc/ferry/net/ircx"
)

// MaxLineLength bounds one incoming line in bytes, message tags included and
// the line ending excluded. IRCv3 allows 8191 bytes of tags plus 512 of
// message; the bound leaves room for servers that exceed that, while keeping a
// hostile or broken server from making us buffer without limit.
const MaxLineLength = 64 * 1024

// WriteTimeout bounds one write to the connection. A peer that stops reading
// would otherwise block the writing goroutine forever; past this the write
// fails and the owner treats the connection as dead.
const WriteTimeout = 2 * time.Minute

// DirectTimeout bounds a line Writer.WriteNow writes on its caller's
// goroutine. That goroutine is the connection owner's loop, which must not
// hang for WriteTimeout on a peer that stopped reading; a short control line
// on an idle connection goes straight into the socket buffer, so a write that
// cannot finish within this bound means the connection is dead (it is then
// failed like any other write error).
const DirectTimeout = 2 * time.Second

// BoundedWriter is implemented by Transports that can write one message
// with a caller-chosen bound in place of WriteTimeout. Writer.WriteNow
// writes on its caller's goroutine only through it.
type BoundedWriter interface {
	WriteMessageWithin(m *irc.Message, d time.Duration) error
}

// ErrBadLine is returned by WriteMessage for a message that cannot be framed
// as one IRC line (it contains CR, LF or NUL, or has no command). Nothing is
// written and the connection stays usable.
var ErrBadLine = errors.New("message cannot be sent as one IRC line")

// Transport is one IRC connection, framed by irc.v4.
//
// Read side: one goroutine calls ReadMessage. Write side: one goroutine at a
// time calls WriteMessage (normally a Writer's goroutine, or the caller of
// Writer.WriteNow, which the Writer serialises). Close and the accessors may be called
// from any goroutine; Close unblocks a pending read or write.
type Transport interface {
	// ReadMessage returns the next message. Lines over MaxLineLength are
	// discarded and lines irc.ParseMessage rejects are skipped: neither is
	// fatal. The error is io.EOF when the peer closed, or the read error.
	ReadMessage() (*irc.Message, error)
	// WriteMessage writes m as one CRLF-terminated line.
	WriteMessage(m *irc.Message) error
	Close() error
	IsTLS() bool
	RemoteAddr() string
}

// Logger receives notes about discarded input. It never receives line
// contents, which may carry other people's private messages.
type Logger interface {
	Printf(format string, v ...any)
}

type nopLogger struct{}

func (nopLogger) Printf(string, ...any) {}

// NewTransport wraps an existing connection (tests, ferryd, an accepted
// socket). isTLS says whether c is already a TLS connection.
func NewTransport(c net.Conn, isTLS bool) Transport {
	return NewTransportLog(c, isTLS, nil)
}

// NewTransportLog is NewTransport with a Logger told about every discarded
// line (too long, or unparsable). A nil log discards the notes.
func NewTransportLog(c net.Conn, isTLS bool, log Logger) Transport {
	if log == nil {
		log = nopLogger{}
	}
	return &transport{
		c:     c,
		r:     bufio.NewReaderSize(c, MaxLineLength+2),
		isTLS: isTLS,
		log:   log,
	}
}

type transport struct {
	c     net.Conn
	r     *bufio.Reader
	isTLS bool
	log   Logger

	wmu  sync.Mutex // serialises writes should two goroutines ever write
	once sync.Once
	cerr error
}

func (t *transport) IsTLS() bool { return t.isTLS }

func (t *transport) RemoteAddr() string {
	if a := t.c.RemoteAddr(); a != nil {
		return a.String()
	}
	return ""
}

func (t *transport) Close() error {
	t.once.Do(func() { t.cerr = t.c.Close() })
	return t.cerr
}

func (t *transport) ReadMessage() (*irc.Message, error) {
	for {
		line, err := t.readLine()
		if err != nil {
			return nil, err
		}
		if line == nil {
			continue // discarded overlong line
		}
		m, perr := parseLine(line)
		if perr != nil {
			if !errors.Is(perr, irc.ErrZeroLengthMessage) {
				t.log.Printf("transport: skipped an unparsable line of %d bytes from %s: %v", len(line), t.RemoteAddr(), perr)
			}
			continue
		}
		return m, nil
	}
}

// readLine returns the next line without its ending; nil (and no error) when
// the line was too long and has been discarded. A final line the peer closed
// without terminating is still returned; the following call reports io.EOF.
func (t *transport) readLine() ([]byte, error) {
	b, err := t.r.ReadSlice('\n')
	switch {
	case err == nil:
	case errors.Is(err, bufio.ErrBufferFull):
		// Longer than the buffer: throw the rest of the line away too.
		n := len(b)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = t.r.ReadSlice('\n')
			n += len(b)
		}
		if err != nil && !(errors.Is(err, io.EOF) && n > 0) {
			return nil, err
		}
		t.log.Printf("transport: discarded a line of at least %d bytes from %s (limit %d)", n, t.RemoteAddr(), MaxLineLength)
		return nil, nil
	case errors.Is(err, io.EOF) && len(b) > 0:
		// An unterminated last line: hand it over; EOF comes next call.
	default:
		return nil, err
	}
	b = bytes.TrimRight(b, "\r\n")
	if len(b) > MaxLineLength {
		t.log.Printf("transport: discarded a line of %d bytes from %s (limit %d)", len(b), t.RemoteAddr(), MaxLineLength)
		return nil, nil
	}
	return b, nil
}

// parseLine parses one line with ircx.ParseMessage, which guards irc.v4's
// parser against lines that would make it panic. The bytes are kept as they
// are (no UTF-8 repair: the session decides how to decode text).
func parseLine(b []byte) (*irc.Message, error) {
	return ircx.ParseMessage(string(b))
}

func (t *transport) WriteMessage(m *irc.Message) error {
	return t.WriteMessageWithin(m, WriteTimeout)
}

// WriteMessageWithin is WriteMessage bounded by d instead of WriteTimeout
// (BoundedWriter).
func (t *transport) WriteMessageWithin(m *irc.Message, d time.Duration) error {
	if m == nil || m.Command == "" {
		return ErrBadLine
	}
	line := m.String()
	if strings.ContainsAny(line, "\r\n\x00") {
		return fmt.Errorf("%s: %w", m.Command, ErrBadLine)
	}
	t.wmu.Lock()
	defer t.wmu.Unlock()
	_ = t.c.SetWriteDeadline(time.Now().Add(d))
	if _, err := io.WriteString(t.c, line+"\r\n"); err != nil {
		return fmt.Errorf("write to %s: %w", t.RemoteAddr(), err)
	}
	return nil
}
