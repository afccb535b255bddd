// Package install writes gomatcalc's kernelspec where Jupyter looks for kernels.
package install

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// KernelName is the kernelspec's directory name: `jupyter console --kernel gomatcalc`.
const KernelName = "gomatcalc"

//go:embed logo-32x32.png logo-64x64.png
var logos embed.FS

// Where chooses the Jupyter data directory the spec goes into.
type Where struct {
	User      bool   // the user's data directory (JUPYTER_DATA_DIR when set); the default
	SysPrefix bool   // the active Python environment's share/jupyter
	Prefix    string // PREFIX/share/jupyter
	// CopyBinary copies the kernel's binary to PREFIX/bin and has the spec start that
	// copy: a binary in an administrator's home is not one students can run.
	CopyBinary bool
}

// SystemPrefix is where `gomatcalc install --system` puts the binary and the spec, for
// every user of the machine: Jupyter looks in /usr/local/share/jupyter whatever the
// Python, and /usr/local/bin is on everyone's PATH.
const SystemPrefix = "/usr/local"

// Spec is the kernel.json that Jupyter reads.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata"`
}

// NewSpec returns the spec that starts binary as a kernel.
func NewSpec(binary string) Spec {
	return Spec{
		Argv:          []string{binary, "kernel", "{connection_file}"},
		DisplayName:   "Go (matcalc)",
		Language:      "go",
		InterruptMode: "message",
		Metadata:      map[string]any{},
	}
}

// Kernelspec writes the spec for binary (an absolute path) and its logos, replacing any
// earlier one, and returns the directory it wrote.
func Kernelspec(binary string, where Where) (string, error) {
	if !filepath.IsAbs(binary) {
		return "", fmt.Errorf("install: kernel binary %q is not an absolute path", binary)
	}
	if strings.Contains(binary, string(filepath.Separator)+"go-build") {
		return "", errors.New("install: this binary is a temporary `go run` build; build it first (go build -o ~/go/bin/gomatcalc .) and run its install")
	}
	data, err := dataDir(where)
	if err != nil {
		return "", err
	}
	if where.CopyBinary {
		if where.Prefix == "" {
			return "", errors.New("install: copying the binary needs a prefix")
		}
		if binary, err = copyBinary(binary, filepath.Join(where.Prefix, "bin")); err != nil {
			return "", err
		}
	}
	dir := filepath.Join(data, "kernels", KernelName)
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("install: removing the old kernelspec: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	spec, err := json.MarshalIndent(NewSpec(binary), "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "kernel.json"), append(spec, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	for _, name := range []string{"logo-32x32.png", "logo-64x64.png"} {
		b, err := logos.ReadFile(name)
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return "", fmt.Errorf("install: %w", err)
		}
	}
	return dir, nil
}

// dataDir is the Jupyter data directory where chooses.
func dataDir(where Where) (string, error) {
	switch {
	case where.Prefix != "":
		abs, err := filepath.Abs(where.Prefix)
		if err != nil {
			return "", err
		}
		return filepath.Join(abs, "share", "jupyter"), nil
	case where.SysPrefix:
		prefix, err := pythonPrefix()
		if err != nil {
			return "", err
		}
		return filepath.Join(prefix, "share", "jupyter"), nil
	}
	return userDataDir()
}

// userDataDir follows jupyter_core's jupyter_data_dir.
func userDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("install: no home directory: %w", err)
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if appdata := os.Getenv("APPDATA"); appdata != "" {
			return filepath.Join(appdata, "jupyter"), nil
		}
		return filepath.Join(home, "AppData", "Roaming", "jupyter"), nil
	}
	if xdg := os.Getenv("XDG_DATA_HOME"); xdg != "" {
		return filepath.Join(xdg, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// pythonPrefix is sys.prefix of the active Python environment (virtualenv, conda, or
// the python3 on PATH).
func pythonPrefix() (string, error) {
	for _, v := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := os.Getenv(v); p != "" {
			return p, nil
		}
	}
	out, err := exec.Command("python3", "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("install: --sys-prefix needs an active Python environment or python3 on PATH: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// copyBinary copies binary into dir as gomatcalc, readable and runnable by everyone, and
// returns the copy's path. The copy is written beside and renamed into place, so that
// kernels running the old binary go on and none starts half a file.
func copyBinary(binary, dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	dst := filepath.Join(abs, "gomatcalc")
	if same, err := filepath.EvalSymlinks(dst); err == nil && same == binary {
		return dst, nil
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	src, err := os.Open(binary)
	if err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(abs, ".gomatcalc-*")
	if err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, there is nothing to remove
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install: copying the binary: %w", err)
	}
	if err := tmp.Chmod(0o755); err != nil {
		tmp.Close()
		return "", fmt.Errorf("install: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	return dst, nil
}
