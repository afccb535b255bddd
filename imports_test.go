package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection keeps the layout's promise: the protocol knows no interpreter, the
// session no ZeroMQ, the stdlib packages neither, and the notebook runner only the
// contract (kernel/lang), so that it runs any session.
func TestImportDirection(t *testing.T) {
	forbidden := map[string][]string{
		"./kernel/...": {"github.com/traefik/yaegi", "github.com/gomatcalc/gomatcalc/interp"},
		"./interp/...": {"github.com/go-zeromq/zmq4", "github.com/gomatcalc/gomatcalc/kernel\n"},
		"./stdlib/...": {"github.com/go-zeromq/zmq4", "github.com/gomatcalc/gomatcalc/kernel", "github.com/gomatcalc/gomatcalc/interp"},
		"./notebook/...": {"github.com/traefik/yaegi", "github.com/go-zeromq/zmq4", "github.com/gomatcalc/gomatcalc/interp",
			"github.com/gomatcalc/gomatcalc/kernel\n", "github.com/gomatcalc/gomatcalc/stdlib"},
	}
	// In the session, one adapter package alone imports yaegi (the generated symbol
	// tables of stdlib name none of its packages either).
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}: {{join .Imports " "}}`, "./interp/...", "./stdlib/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		if strings.Contains(imports, "github.com/traefik/yaegi") && pkg != "github.com/gomatcalc/gomatcalc/interp/internal/engine" {
			t.Errorf("%s imports yaegi: only interp/internal/engine may", pkg)
		}
	}
	for pkgs, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkgs, err, out)
		}
		deps := string(out)
		for _, b := range bad {
			if strings.Contains(deps, b) {
				t.Errorf("%s depends on %s", pkgs, strings.TrimSpace(b))
			}
		}
	}
}
