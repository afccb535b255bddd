package stdlib

import (
	"bufio"
	"bytes"
	"flag"
	"os"
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

func TestSetPublisherIsNotExposedToCells(t *testing.T) {
	syms := Symbols["github.com/gomatcalc/gomatcalc/stdlib/display/display"]
	if syms == nil {
		t.Fatal("no display symbols")
	}
	if _, ok := syms["SetPublisher"]; ok {
		t.Error("cells must not be able to replace the session's publisher")
	}
	if _, ok := syms["HTML"]; !ok {
		t.Error("display.HTML is missing")
	}
}
