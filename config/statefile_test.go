package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// WriteFileAtomic: the new file is the user's only, and a write that
// dies before the rename leaves the old file whole and no temporary file.
func TestWriteFileAtomic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "f.json")
	if err := WriteFileAtomic(path, []byte("old"), nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	crash := errors.New("crash")
	if err := WriteFileAtomic(path, []byte("new"), func(string) error { return crash }); !errors.Is(err, crash) {
		t.Fatalf("err = %v, want the crash", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after a crash the file holds %q, want the old content", b)
	}
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
		t.Errorf("%d files left in the directory, want only the file itself", len(ents))
	}
}
