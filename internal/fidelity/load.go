package fidelity

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// ModuleDir is the directory of a module of the build list (go list -m), in the module
// cache: the corpora are read where go test finds them.
func ModuleDir(path string) (string, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		return "", fmt.Errorf("fidelity: no directory for module %s (go mod download?): %v", path, err)
	}
	return dir, nil
}

// LoadAll loads both corpora from the module cache.
func LoadAll() (map[string][]Case, error) {
	ydir, err := ModuleDir("github.com/traefik/yaegi")
	if err != nil {
		return nil, err
	}
	gdir, err := ModuleDir("gonum.org/v1/gonum")
	if err != nil {
		return nil, err
	}
	y, err := LoadYaegi(filepath.Join(ydir, "_test"))
	if err != nil {
		return nil, err
	}
	g, err := LoadGonum(gdir)
	return map[string][]Case{Yaegi: y, Gonum: g}, err
}
