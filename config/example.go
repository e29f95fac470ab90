package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

//go:embed example.toml
var example string

// Example returns the commented example config that WriteExample writes.
// It uses (or shows, commented out) every key, and passes Load.
func Example() string { return example }

// WriteExample writes the example config to path for a first run, creating
// its directories (0700). It never replaces an existing file: created is
// false, with a nil error, when path already exists. The file is 0600, as
// the user may put passwords in it.
func WriteExample(path string) (created bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, fmt.Errorf("write example config: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("write example config: %w", err)
	}
	if _, err := f.WriteString(example); err != nil {
		f.Close()
		os.Remove(path)
		return false, fmt.Errorf("write example config %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return false, fmt.Errorf("write example config %s: %w", path, err)
	}
	return true, nil
}
