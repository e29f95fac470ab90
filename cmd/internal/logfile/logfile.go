// Package logfile is ferry's debug log: a file under the XDG state
// directory (stdout belongs to the TUI), with timestamps and levels, capped
// in size with one rotation, and safe for concurrent use.
//
// A run of identical lines (same level, same text after masking) is
// written once, followed by one line saying how often it repeated, so a
// server that makes ferry log the same thing thousands of times does not
// push everything else out of the log.
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
	"strconv"
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

	// The last line written, to fold repeats of it (see write). Only its
	// masked text is kept.
	lastLevel, lastMsg string
	repeats            int       // identical lines since, not written yet
	repeatFrom         time.Time // when the first of them came
	repeatAt           time.Time // when the last of them came
}

// A run of repeats is written out (the count, then the line again) after
// maxRepeats lines or repeatSpan, whichever comes first, so a run that
// never ends still shows in the log as it goes.
const (
	maxRepeats = 100000
	repeatSpan = 30 * time.Second
)

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
	l.flushRepeats()
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
	now := l.now()
	if level == l.lastLevel && msg == l.lastMsg && l.repeats < maxRepeats &&
		(l.repeats == 0 || now.Sub(l.repeatFrom) < repeatSpan) {
		if l.repeats == 0 {
			l.repeatFrom = now
		}
		l.repeats++
		l.repeatAt = now
		return
	}
	l.flushRepeats()
	l.lastLevel, l.lastMsg = level, msg
	var b strings.Builder
	b.WriteString(now.Format(stamp))
	b.WriteByte(' ')
	b.WriteString(level)
	b.WriteByte(' ')
	escape(&b, msg)
	b.WriteByte('\n')
	l.append(b.String())
}

const stamp = "2006-01-02 15:04:05.000"

// flushRepeats writes how often the last line repeated, if it did. Called
// with mu held.
func (l *Logger) flushRepeats() {
	if l.repeats == 0 {
		return
	}
	n, at := l.repeats, l.repeatAt
	l.repeats = 0
	times := "once more"
	if n > 1 {
		times = strconv.Itoa(n) + " more times"
	}
	l.append(fmt.Sprintf("%s %s (the line above repeated %s, the last at %s)\n",
		at.Format(stamp), l.lastLevel, times, at.Format("15:04:05.000")))
}

// append writes one entry, rotating first if it would pass the size cap.
// Called with mu held.
func (l *Logger) append(entry string) {
	if l.f == nil || l.err != nil {
		return
	}
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
