// Command docgen writes the doc comments of packages cells import, for Shift-Tab and
// `?name` in a session: a JSON object from import path to name ("NewDense",
// "Dense.Mul") to the declaration and its doc comment. `go generate ./stdlib` runs it.
//
//	go run ./stdlib/internal/docgen -o docs.json PACKAGE...
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	out := flag.String("o", "docs.json", "output file")
	flag.Parse()
	all := map[string]map[string]string{}
	for _, path := range flag.Args() {
		docs, err := packageDocs(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "docgen:", err)
			os.Exit(1)
		}
		all[path] = docs
	}
	data, err := json.MarshalIndent(all, "", " ")
	if err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, append(data, '\n'), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

// packageDocs returns the documentation of every exported name of the package at path.
func packageDocs(path string) (map[string]string, error) {
	var info struct {
		Dir     string
		GoFiles []string
	}
	cmd := exec.Command("go", "list", "-json", path)
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %s: %w", path, err)
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var files []*ast.File
	sort.Strings(info.GoFiles)
	for _, name := range info.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(info.Dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	pkg, err := doc.NewFromFiles(fset, files, path)
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	entry := func(decl ast.Node, comment string) string {
		return declaration(fset, decl) + "\n\n" + strings.TrimSpace(comment)
	}
	addFuncs := func(prefix string, funcs []*doc.Func) {
		for _, f := range funcs {
			docs[prefix+f.Name] = entry(f.Decl, f.Doc)
		}
	}
	addValues := func(values []*doc.Value) {
		for _, v := range values {
			for _, name := range v.Names {
				if token.IsExported(name) {
					docs[name] = entry(v.Decl, v.Doc)
				}
			}
		}
	}
	addFuncs("", pkg.Funcs)
	addValues(pkg.Consts)
	addValues(pkg.Vars)
	for _, t := range pkg.Types {
		docs[t.Name] = entry(t.Decl, t.Doc)
		addFuncs("", t.Funcs)
		addFuncs(t.Name+".", t.Methods)
		addValues(t.Consts)
		addValues(t.Vars)
	}
	return docs, nil
}

// declaration prints a declaration without function bodies.
func declaration(fset *token.FileSet, decl ast.Node) string {
	if f, ok := decl.(*ast.FuncDecl); ok {
		copy := *f
		copy.Body = nil
		copy.Doc = nil
		decl = &copy
	}
	if g, ok := decl.(*ast.GenDecl); ok {
		copy := *g
		copy.Doc = nil
		decl = &copy
	}
	var b bytes.Buffer
	(&printer.Config{Mode: printer.UseSpaces | printer.TabIndent, Tabwidth: 8}).Fprint(&b, fset, decl)
	return b.String()
}
