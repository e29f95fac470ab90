// Package journal keeps the lines the user typed that had not reached the
// server when ferry ended, so that the next start can show them again
// (marked "not sent") instead of losing them in silence. They are never
// sent automatically: the user sends them again with /resend.
//
// The journal is one small JSON file, private to the user (0600), replaced
// atomically (a temporary file in the same directory, then a rename), so a
// crash while writing leaves either the old journal or the new one.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/ferry-irc/ferry/config"
)

// FileName is the journal's name in ferry's state directory.
const FileName = "unsent.json"

// version is the file format; a file of another version is refused rather
// than misread.
const version = 1

// Kind is what kind of line it was, as the user typed it.
type Kind string

const (
	Privmsg Kind = "privmsg"
	Notice  Kind = "notice"
	Action  Kind = "action" // CTCP ACTION, /me
)

// Line is one of our lines that was not delivered.
type Line struct {
	Network string    `json:"network"`
	Target  string    `json:"target"` // the buffer: a channel or a nick
	Nick    string    `json:"nick,omitempty"`
	Kind    Kind      `json:"kind"`
	Text    string    `json:"text"`
	Time    time.Time `json:"time"` // when it was typed
}

type file struct {
	Version int    `json:"version"`
	Lines   []Line `json:"lines"`
}

// Read returns the lines of the journal at path; none (and no error) when
// there is no journal. Lines without a network, target or text, or of an
// unknown kind, are dropped: they could not be shown or sent.
func Read(path string) ([]Line, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("read journal %s: %w", path, err)
	}
	if f.Version != version {
		return nil, fmt.Errorf("read journal %s: unknown version %d", path, f.Version)
	}
	out := f.Lines[:0]
	for _, l := range f.Lines {
		if l.Network == "" || l.Target == "" || l.Text == "" {
			continue
		}
		switch l.Kind {
		case Privmsg, Notice, Action:
			out = append(out, l)
		}
	}
	return out, nil
}

// Write replaces the journal at path with lines, atomically, creating its
// directory (0700) when needed. With no lines it removes the journal.
func Write(path string, lines []Line) error {
	if len(lines) == 0 {
		return Remove(path)
	}
	b, err := json.MarshalIndent(file{Version: version, Lines: lines}, "", "  ")
	if err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	if err := config.WriteFileAtomic(path, append(b, '\n'), nil); err != nil {
		return fmt.Errorf("write journal: %w", err)
	}
	return nil
}

// Remove deletes the journal at path (the lines were shown); no journal is
// not an error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove journal: %w", err)
	}
	return nil
}
