package stdlib

import (
	"bufio"
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/traefik/yaegi/extract"
)

// TestSymbolsAreFresh regenerates every table that symbols.go's go:generate lines name,
// as `yaegi extract` does, and fails when a committed file differs: run go generate.
func TestSymbolsAreFresh(t *testing.T) {
	f, err := os.Open("symbols.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		args, ok := strings.CutPrefix(sc.Text(), "//go:generate go tool yaegi extract ")
		if !ok {
			continue
		}
		fs := flag.NewFlagSet("extract", flag.ContinueOnError)
		name := fs.String("name", "", "")
		exclude := fs.String("exclude", "", "")
		if err := fs.Parse(strings.Fields(args)); err != nil {
			t.Fatal(err)
		}
		for _, pkg := range fs.Args() {
			n++
			ext := extract.Extractor{Dest: *name}
			if *exclude != "" {
				ext.Exclude = strings.Split(*exclude, ",")
			}
			var want bytes.Buffer
			importPath, err := ext.Extract(pkg, *name, &want)
			if err != nil {
				t.Fatalf("extract %s: %v", pkg, err)
			}
			file := strings.NewReplacer("/", "-", ".", "_", "~", "_").Replace(importPath) + ".go"
			got, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%s: %v (run go generate ./stdlib)", pkg, err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Errorf("%s is stale: run go generate ./stdlib", file)
			}
		}
	}
	if n == 0 {
		t.Fatal("symbols.go names no package to extract")
	}
}

// TestDocsAreFresh regenerates docs.json as the go:generate line says and compares.
func TestDocsAreFresh(t *testing.T) {
	src, err := os.ReadFile("symbols.go")
	if err != nil {
		t.Fatal(err)
	}
	const directive = "//go:generate go run ./internal/docgen -o docs.json "
	var args []string
	for _, line := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(line, directive); ok {
			args = strings.Fields(rest)
		}
	}
	if args == nil {
		t.Fatal("no docgen directive")
	}
	out := filepath.Join(t.TempDir(), "docs.json")
	cmd := exec.Command("go", append([]string{"run", "./internal/docgen", "-o", out}, args...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docgen: %v\n%s", err, msg)
	}
	want, _ := os.ReadFile(out)
	got, _ := os.ReadFile("docs.json")
	if !bytes.Equal(got, want) {
		t.Error("docs.json is stale: run go generate ./stdlib")
	}
	if d, ok := Doc("gonum.org/v1/gonum/mat", "Dense.Mul"); !ok || !strings.HasPrefix(d, "func (m *Dense) Mul(a, b Matrix)") {
		t.Errorf("Doc(mat, Dense.Mul) = %q", d)
	}
}

func TestSessionValuesAreNotExposedToCells(t *testing.T) {
	syms := Symbols["github.com/gomatcalc/gomatcalc/stdlib/display/display"]
	if syms == nil {
		t.Fatal("no display symbols")
	}
	// A cell must not reach the process's default display, nor make displays of its own.
	for _, name := range []string{"New", "Default", "Display", "RenderResults"} {
		if _, ok := syms[name]; ok {
			t.Errorf("cells can use display.%s", name)
		}
	}
	for _, name := range []string{"New", "Runtime"} {
		if _, ok := Symbols["github.com/gomatcalc/gomatcalc/stdlib/cellrt/cellrt"][name]; ok {
			t.Errorf("cells can use cellrt.%s", name)
		}
	}
	if _, ok := syms["HTML"]; !ok {
		t.Error("display.HTML is missing")
	}
}
