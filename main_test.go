package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommandLineMistakesAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"kernel"},
		{"kernel", "a.json", "b.json"},
		{"install", "--nope"},
		{"install", "--user", "--prefix", "/x"},
		{"install", "extra"},
		{"version", "extra"},
	} {
		err := run(args, new(bytes.Buffer), new(bytes.Buffer))
		if !errors.As(err, new(usageError)) {
			t.Errorf("%q: got %v, want a usage error (exit 2)", args, err)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"help"}, &out, &out); err != nil || !strings.Contains(out.String(), "gomatcalc install") {
		t.Errorf("help: %v %q", err, out.String())
	}
	out.Reset()
	if err := run([]string{"version"}, &out, &out); err != nil || !strings.HasPrefix(out.String(), "gomatcalc ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

func TestKernelWithABadConnectionFileFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conn.json")
	os.WriteFile(path, []byte(`{"transport":"ipc","ip":"x"}`), 0o644)
	err := run([]string{"kernel", path}, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "transport") {
		t.Errorf("got %v", err)
	}
}
