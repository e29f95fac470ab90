package journal

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state", "ferry", FileName)
	t0 := time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC)
	lines := []Line{
		{Network: "Libera", Target: "#ferry", Nick: "me", Kind: Privmsg, Text: "hello \x02there\x02", Time: t0},
		{Network: "Libera", Target: "alice", Kind: Action, Text: "waves", Time: t0.Add(time.Second)},
		{Network: "OFTC", Target: "#x", Kind: Notice, Text: "line\twith tab", Time: t0.Add(2 * time.Second)},
	}
	if err := Write(path, lines); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
	}
	if di, err := os.Stat(filepath.Dir(path)); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("journal dir: %v %v", di.Mode(), err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, lines) {
		t.Errorf("read back %+v\nwant %+v", got, lines)
	}
	// No temporary file is left behind.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("files in the state dir: %v", ents)
	}
	// Writing nothing removes the journal.
	if err := Write(path, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("journal still there after writing no lines: %v", err)
	}
}

func TestReadMissingAndRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if got, err := Read(path); got != nil || err != nil {
		t.Errorf("Read of no journal = %v, %v", got, err)
	}
	if err := Remove(path); err != nil {
		t.Errorf("Remove of no journal: %v", err)
	}
}

// TestReadRejects: a damaged file or one of another version is an error;
// lines that could not be shown or sent are dropped.
func TestReadRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, content string
		want          []Line
		err           string
	}{
		{"garbage", "{not json", nil, "read journal"},
		{"version", `{"version": 9, "lines": []}`, nil, "unknown version 9"},
		{"unusable lines", `{"version": 1, "lines": [
			{"network": "n", "target": "#a", "kind": "privmsg", "text": "ok"},
			{"network": "", "target": "#a", "kind": "privmsg", "text": "no network"},
			{"network": "n", "target": "", "kind": "privmsg", "text": "no target"},
			{"network": "n", "target": "#a", "kind": "privmsg", "text": ""},
			{"network": "n", "target": "#a", "kind": "raw", "text": "QUIT"}]}`,
			[]Line{{Network: "n", Target: "#a", Kind: Privmsg, Text: "ok"}}, ""},
	}
	for _, tt := range tests {
		path := filepath.Join(dir, tt.name)
		if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.name, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %+v, %v; want %+v", tt.name, got, err, tt.want)
		}
	}
}

// TestWriteReplacesAtomically: a second Write replaces the whole journal.
func TestWriteReplacesAtomically(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	a := []Line{{Network: "n", Target: "#a", Kind: Privmsg, Text: "one"}, {Network: "n", Target: "#a", Kind: Privmsg, Text: "two"}}
	b := []Line{{Network: "n", Target: "#b", Kind: Notice, Text: "three"}}
	if err := Write(path, a); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, b); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil || !reflect.DeepEqual(got, b) {
		t.Errorf("after replace: %+v, %v", got, err)
	}
}
