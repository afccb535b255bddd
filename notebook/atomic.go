package notebook

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write saves nb at path atomically (see WriteFile).
func Write(path string, nb *Notebook) error {
	data, err := Marshal(nb)
	if err != nil {
		return err
	}
	return WriteFile(path, data)
}

// WriteFile replaces the file at path with data atomically: it writes a temporary file
// in the same directory, syncs it to disk and renames it over path. A crash, an
// interrupt or a full disk leaves either the old file or the new one, never a truncated
// one. An existing file keeps its permissions.
func WriteFile(path string, data []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic is WriteFile with the writing of the content given as a function. A
// symbolic link is followed (the file it names is replaced, the link stays), and a file
// its owner may not write is refused, as an editor would refuse it.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if info, err := os.Stat(path); err == nil && info.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s: the file is read-only: not written", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	perm := fs.FileMode(0o644)
	if info, err := os.Stat(path); err == nil {
		perm = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable once the directory is synced; not every system can.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
