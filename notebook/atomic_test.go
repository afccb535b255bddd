package notebook

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileReplacesAndKeepsPermissions(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.ipynb")
	os.WriteFile(path, []byte("old"), 0o600)
	if err := WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(data) != "new" || info.Mode().Perm() != 0o600 {
		t.Errorf("got %q with mode %v", data, info.Mode())
	}
	onlyFile(t, dir, "a.ipynb")
}

// TestAFailingWriteLeavesTheOldFile stands for a full disk or a crash: the write stops
// half way through, and the notebook is as it was, with no temporary file left.
func TestAFailingWriteLeavesTheOldFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.ipynb")
	os.WriteFile(path, []byte("old contents"), 0o644)
	full := errors.New("no space left on device")
	err := writeAtomic(path, func(w io.Writer) error {
		w.Write([]byte(`{"cells": [`))
		return full
	})
	if !errors.Is(err, full) {
		t.Errorf("got %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "old contents" {
		t.Errorf("the old file became %q", data)
	}
	onlyFile(t, dir, "a.ipynb")
}

func TestANotebookThatCannotBeEncodedIsNotWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.ipynb")
	os.WriteFile(path, []byte("old contents"), 0o644)
	nb := codeNotebook("x")
	nb.Cells[0].Outputs = []*Output{{Type: DisplayData, Data: map[string]any{"application/json": math.NaN()}}}
	if err := Write(path, nb); err == nil {
		t.Error("no error")
	}
	if data, _ := os.ReadFile(path); string(data) != "old contents" {
		t.Errorf("the old file became %q", data)
	}
	onlyFile(t, dir, "a.ipynb")
}

func TestWriteIntoAMissingDirectoryFails(t *testing.T) {
	if err := WriteFile(filepath.Join(t.TempDir(), "no", "a.ipynb"), []byte("x")); err == nil {
		t.Error("no error")
	}
}

func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %q, want only %s", names, name)
	}
}

// A symbolic link stays a link: the file it names gets the new content.
func TestWriteFileFollowsASymlink(t *testing.T) {
	dir := t.TempDir()
	target, link := filepath.Join(dir, "real.ipynb"), filepath.Join(dir, "link.ipynb")
	os.WriteFile(target, []byte("old"), 0o644)
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := WriteFile(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", info, err)
	}
	if data, _ := os.ReadFile(target); string(data) != "new" {
		t.Errorf("the target holds %q", data)
	}
}

// A read-only file is not overwritten.
func TestWriteFileRefusesAReadOnlyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.ipynb")
	os.WriteFile(path, []byte("keep"), 0o444)
	err := WriteFile(path, []byte("new"))
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("got %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "keep" {
		t.Errorf("the file holds %q", data)
	}
}
