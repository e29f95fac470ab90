package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic replaces path with data, readable by the user only, so
// that a crash at any point leaves either the old file or the new one,
// whole: the data goes to a temporary file in the same directory (rename
// is atomic only within a file system), is fsynced, renamed over path, and
// the directory is fsynced so the rename itself survives a power cut. The
// real file is never opened for writing. Every file ferry keeps under the
// state directory (STS policies, the buffer order, the journal of unsent
// lines) is written this way.
//
// beforeRename, when not nil, runs between writing the temporary file and
// the rename; an error from it aborts the write there, as a crash would
// (tests use it).
func WriteFileAtomic(path string, data []byte, beforeRename func(tmp string) error) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if beforeRename != nil {
		if err = beforeRename(tmp); err != nil {
			return err
		}
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
