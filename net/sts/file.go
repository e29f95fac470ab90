package sts

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/ferry-irc/ferry/config"
)

// fileHeader opens the persisted file, for a person who finds it.
const fileHeader = `# ferry's learned STS policies (IRCv3 strict transport security).
# Written by ferry whenever a server advertises a policy over TLS; edits are
# overwritten. Declare your own policies as pins in config.toml's [sts] table.
# duration is in seconds; a policy no longer applies after expires.

`

// file is the TOML layout: [policy."irc.example.net"] tables.
type file struct {
	Policy map[string]filePolicy `toml:"policy"`
}

type filePolicy struct {
	Port     int       `toml:"port"`
	Duration int64     `toml:"duration"`
	Expires  time.Time `toml:"expires"`
}

// load reads the store file; a missing file is an empty store.
func load(path string) (map[string]entry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]entry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read sts store: %w", err)
	}
	var f file
	if _, err := toml.Decode(string(data), &f); err != nil {
		return nil, fmt.Errorf("sts store %s is corrupt: %w", path, err)
	}
	out := make(map[string]entry, len(f.Policy))
	for h, p := range f.Policy {
		switch {
		case p.Port < 1 || p.Port > 65535:
			return nil, fmt.Errorf("sts store %s is corrupt: policy %q: port %d is out of range", path, h, p.Port)
		case p.Duration <= 0 || p.Duration > maxSeconds:
			return nil, fmt.Errorf("sts store %s is corrupt: policy %q: duration %d is out of range", path, h, p.Duration)
		case p.Expires.IsZero():
			return nil, fmt.Errorf("sts store %s is corrupt: policy %q has no expires", path, h)
		}
		out[canon(h)] = entry{Port: p.Port, Duration: time.Duration(p.Duration) * time.Second, Expires: p.Expires}
	}
	return out, nil
}

// store writes the policies to path atomically.
func store(path string, policies map[string]entry) error {
	f := file{Policy: make(map[string]filePolicy, len(policies))}
	for h, e := range policies {
		f.Policy[h] = filePolicy{Port: e.Port, Duration: int64(e.Duration / time.Second), Expires: e.Expires.UTC().Truncate(time.Second)}
	}
	var buf bytes.Buffer
	buf.WriteString(fileHeader)
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encode sts store: %w", err)
	}
	if err := config.WriteFileAtomic(path, buf.Bytes(), beforeRename); err != nil {
		return fmt.Errorf("save sts store %s: %w", path, err)
	}
	return nil
}

// beforeRename is a test hook run between writing the temporary file and
// renaming it over path; an error aborts the write there, as a crash would.
var beforeRename func(tmp string) error

func sortLearned(l []Learned) {
	sort.Slice(l, func(i, j int) bool { return l[i].Host < l[j].Host })
}
