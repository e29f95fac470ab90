// Package logfile is ferry's debug log: a file under the XDG state
// directory (stdout belongs to the TUI), with timestamps and levels, capped
// in size with one rotation, and safe for concurrent use.
//
// Every line written is passed through Mask first, so raw IRC traffic
// logged by mistake through Printf still has its secrets (PASS,
// AUTHENTICATE payloads, MIGRATE tokens, services passwords) masked. Use
// Raw to log traffic on purpose.
package logfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultMaxSize is the size at which the log is rotated to path+".1"
// (replacing the previous one), so the log never takes more than about
// twice this on disk.
const DefaultMaxSize = 5 << 20

// Logger writes the debug log. All methods may be called from any
// goroutine; a nil *Logger discards everything, so components can take an
// optional logger without checks.
type Logger struct {
	mu    sync.Mutex
	path  string
	f     *os.File
	size  int64
	max   int64
	debug bool
	now   func() time.Time
	err   error // first write error; logging then stops
}

// Open opens (appending to) the log at path, creating it 0600 and its
// directory 0700. With debug false, Debugf and Raw write nothing.
func Open(path string, debug bool) (*Logger, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("debug log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("debug log: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("debug log: %w", err)
	}
	return &Logger{path: path, f: f, size: fi.Size(), max: DefaultMaxSize, debug: debug, now: time.Now}, nil
}

// SetMaxSize changes the rotation size (bytes; <= 0 means DefaultMaxSize).
func (l *Logger) SetMaxSize(n int64) {
	if l == nil {
		return
	}
	if n <= 0 {
		n = DefaultMaxSize
	}
	l.mu.Lock()
	l.max = n
	l.mu.Unlock()
}

// Debug reports whether debug output is on (--debug), so callers can skip
// building expensive messages.
func (l *Logger) Debug() bool { return l != nil && l.debug }

// Printf logs at INFO level. It satisfies the small Logger interfaces of
// ferry's packages (Printf(format string, v ...any)).
func (l *Logger) Printf(format string, v ...any) { l.write("INFO", format, v...) }

// Warnf logs at WARN level: something went wrong and was handled.
func (l *Logger) Warnf(format string, v ...any) { l.write("WARN", format, v...) }

// Errorf logs at ERROR level.
func (l *Logger) Errorf(format string, v ...any) { l.write("ERROR", format, v...) }

// Debugf logs at DEBUG level, only with debug on.
func (l *Logger) Debugf(format string, v ...any) {
	if l.Debug() {
		l.write("DEBUG", format, v...)
	}
}

// Raw logs one line of IRC traffic at DEBUG level (only with debug on),
// masked: dir is a short tag such as "libera >" (sent) or "libera <"
// (received).
func (l *Logger) Raw(dir, line string) {
	if l.Debug() {
		l.write("DEBUG", "%s %s", dir, line)
	}
}

// Close closes the file; later calls write nothing.
func (l *Logger) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

func (l *Logger) write(level, format string, v ...any) {
	if l == nil {
		return
	}
	msg := Mask(fmt.Sprintf(format, v...))
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil || l.err != nil {
		return
	}
	var b strings.Builder
	b.WriteString(l.now().Format("2006-01-02 15:04:05.000"))
	b.WriteByte(' ')
	b.WriteString(level)
	b.WriteByte(' ')
	escape(&b, msg)
	b.WriteByte('\n')
	entry := b.String()
	if l.size > 0 && l.size+int64(len(entry)) > l.max {
		l.rotate()
		if l.f == nil {
			return
		}
	}
	n, err := l.f.WriteString(entry)
	l.size += int64(n)
	if err != nil {
		l.err = err
	}
}

// rotate moves the log to path+".1" and starts a new one. Called with mu
// held. If the rename fails the log is truncated instead, so the size cap
// holds either way.
func (l *Logger) rotate() {
	l.f.Close()
	l.f = nil
	flags := os.O_WRONLY | os.O_APPEND | os.O_CREATE
	if err := os.Rename(l.path, l.path+".1"); err != nil {
		flags |= os.O_TRUNC
	}
	f, err := os.OpenFile(l.path, flags, 0o600)
	if err != nil {
		l.err = err
		return
	}
	l.f, l.size = f, 0
}

// escape writes s with line breaks and other control characters escaped,
// so one call is one line and nothing from the network can forge entries
// or drive a terminal that shows the log.
func escape(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteByte('\t')
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			fmt.Fprintf(b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
}
