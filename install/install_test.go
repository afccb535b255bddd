package install

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func readSpec(t *testing.T, dir string) Spec {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Spec
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInstallHonoursJupyterDataDir(t *testing.T) {
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	dir, err := Kernelspec("/opt/bin/gomatcalc", Where{})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(data, "kernels", "gomatcalc"); dir != want {
		t.Errorf("installed in %s, want %s", dir, want)
	}
	s := readSpec(t, dir)
	if s.DisplayName != "Go (matcalc)" || s.Language != "go" || s.InterruptMode != "message" {
		t.Errorf("spec %+v", s)
	}
	if len(s.Argv) != 3 || s.Argv[0] != "/opt/bin/gomatcalc" || s.Argv[1] != "kernel" || s.Argv[2] != "{connection_file}" {
		t.Errorf("argv %q", s.Argv)
	}
	for _, logo := range []string{"logo-32x32.png", "logo-64x64.png"} {
		b, err := os.ReadFile(filepath.Join(dir, logo))
		if err != nil || len(b) < 8 || string(b[1:4]) != "PNG" {
			t.Errorf("%s: not a PNG (%v)", logo, err)
		}
	}
}

func TestReinstallReplacesTheOldSpec(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", t.TempDir())
	dir, err := Kernelspec("/old/gomatcalc", Where{User: true})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("x"), 0o644)
	if _, err := Kernelspec("/new/gomatcalc", Where{User: true}); err != nil {
		t.Fatal(err)
	}
	if s := readSpec(t, dir); s.Argv[0] != "/new/gomatcalc" {
		t.Errorf("argv[0] %s", s.Argv[0])
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.txt")); !os.IsNotExist(err) {
		t.Errorf("files of the old spec remain")
	}
}

func TestPrefix(t *testing.T) {
	prefix := t.TempDir()
	dir, err := Kernelspec("/bin/gomatcalc", Where{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(prefix, "share", "jupyter", "kernels", "gomatcalc"); dir != want {
		t.Errorf("got %s, want %s", dir, want)
	}
}

// A system install copies the binary where everyone can run it, and the spec starts the
// copy; installing again over a copy a kernel is running replaces it whole.
func TestCopyBinary(t *testing.T) {
	prefix := t.TempDir()
	src := filepath.Join(t.TempDir(), "built")
	if err := os.WriteFile(src, []byte("#!/bin/sh\necho v1\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	dir, err := Kernelspec(src, Where{Prefix: prefix, CopyBinary: true})
	if err != nil {
		t.Fatal(err)
	}
	copied := filepath.Join(prefix, "bin", "gomatcalc")
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec Spec
	if err := json.Unmarshal(b, &spec); err != nil || spec.Argv[0] != copied {
		t.Fatalf("the spec starts %v (%v), want %s", spec.Argv, err, copied)
	}
	info, err := os.Stat(copied)
	if err != nil || info.Mode().Perm() != 0o755 {
		t.Fatalf("the copy: %v %v, want mode 0755", info, err)
	}
	old, err := os.Open(copied) // as a running kernel holds it
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	os.WriteFile(src, []byte("#!/bin/sh\necho v2\n"), 0o700)
	if _, err := Kernelspec(src, Where{Prefix: prefix, CopyBinary: true}); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(copied); string(now) != "#!/bin/sh\necho v2\n" {
		t.Errorf("the copy after a reinstall: %q", now)
	}
	if was, _ := io.ReadAll(old); string(was) != "#!/bin/sh\necho v1\n" {
		t.Errorf("the running kernel's binary changed under it: %q", was)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(prefix, "bin", ".gomatcalc-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestSysPrefixUsesTheActiveEnvironment(t *testing.T) {
	env := t.TempDir()
	t.Setenv("VIRTUAL_ENV", env)
	dir, err := Kernelspec("/bin/gomatcalc", Where{SysPrefix: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(env, "share", "jupyter", "kernels", "gomatcalc"); dir != want {
		t.Errorf("got %s, want %s", dir, want)
	}
}

func TestRefusesBinariesThatWillVanish(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", t.TempDir())
	for _, bin := range []string{"relative/gomatcalc", "/tmp/go-build123/b001/exe/gomatcalc"} {
		if _, err := Kernelspec(bin, Where{}); err == nil {
			t.Errorf("%s: installed a spec that cannot start", bin)
		}
	}
}
