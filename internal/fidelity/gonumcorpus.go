package fidelity

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// GonumPackages are the gonum packages whose Examples make the gonum corpus: those the
// notebooks are about.
var GonumPackages = []string{"mat", "floats", "stat", "diff/fd", "optimize", "num/dual"}

// LoadGonum loads the Examples with an output comment of the packages in GonumPackages
// under root (gonum's module directory), from the files go test names example files.
func LoadGonum(root string) ([]Case, error) {
	var cases []Case
	for _, pkg := range GonumPackages {
		p, err := parseTests(filepath.Join(root, pkg))
		if err != nil {
			return nil, err
		}
		for i, f := range p.files {
			base := filepath.Base(p.fset.File(f.Pos()).Name())
			if strings.HasPrefix(base, "example") || strings.HasSuffix(base, "_example_test.go") {
				cases = append(cases, p.cases(path.Base(pkg), i)...)
			}
		}
	}
	return cases, nil
}

// testPackage is the test files of one directory: the declarations an Example uses may
// be in any file of its package (mat's FAO data is).
type testPackage struct {
	fset  *token.FileSet
	files []*ast.File
	srcs  [][]byte
}

func parseTests(dir string) (*testPackage, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
	if err != nil {
		return nil, err
	}
	p := &testPackage{fset: token.NewFileSet()}
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(p.fset, path, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		p.files, p.srcs = append(p.files, f), append(p.srcs, src)
	}
	return p, nil
}

// cases makes a case of each Example of file i that go test runs (one with an output
// comment): a cell with the imports it uses, one with the package's declarations it
// uses (helper types with their methods, functions, data), and its body. Plain yaegi
// runs the same three as one program, the body as main.
func (p *testPackage) cases(pkg string, i int) []Case {
	f, src := p.files[i], p.srcs[i]
	var cases []Case
	for _, ex := range doc.Examples(f) {
		if ex.Output == "" && !ex.EmptyOutput {
			continue // go test compiles it but does not run it
		}
		fd := exampleFunc(f, "Example"+ex.Name) // (Code is the file for a whole-file example)
		start := p.fset.Position(fd.Body.Lbrace).Offset + 1
		end := p.fset.Position(outputComment(f, fd.Body)).Offset
		imports, helpers := p.uses(fd, f)
		c := Case{Corpus: Gonum, Name: pkg + "." + fd.Name.Name, File: p.fset.File(f.Pos()).Name(),
			Want: ex.Output, Unordered: ex.Unordered}
		body := string(src[start:end])
		for _, cell := range []Cell{{"imports", imports}, {"helpers", helpers}, {"body", body}} {
			if strings.TrimSpace(cell.Code) != "" {
				c.Cells = append(c.Cells, cell)
			}
		}
		c.Program = "package main\n\n" + imports + "\n" + helpers + "\nfunc main() {" + body + "}\n"
		cases = append(cases, c)
	}
	return cases
}

func exampleFunc(f *ast.File, name string) *ast.FuncDecl {
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
			return fd
		}
	}
	panic("fidelity: go/doc found an example with no function " + name)
}

var outputPrefix = regexp.MustCompile(`(?i)^[[:space:]]*(unordered )?output:`)

// outputComment is where the body's output comment starts (the body's end without one):
// the body's last comment, as for go/doc.
func outputComment(f *ast.File, body *ast.BlockStmt) token.Pos {
	var last *ast.CommentGroup
	for _, cg := range f.Comments {
		if body.Pos() <= cg.Pos() && cg.End() <= body.End() {
			last = cg
		}
	}
	if last != nil && outputPrefix.MatchString(last.Text()) {
		return last.Pos()
	}
	return body.Rbrace
}

// declIn is a top-level declaration and its file (whose imports it uses).
type declIn struct {
	decl ast.Decl
	file *ast.File
}

// uses finds the package's declarations that fn (of file f) needs, transitively, and the
// imports they and fn use, printed as two cells. go/doc does this for the playground,
// but only within the example's file.
func (p *testPackage) uses(fn *ast.FuncDecl, f *ast.File) (imports, helpers string) {
	byName := map[string][]declIn{} // a top-level name, or a type's name for its methods
	for _, file := range p.files {
		if file.Name.Name != f.Name.Name {
			continue
		}
		for _, d := range file.Decls {
			for _, name := range declNames(d) {
				byName[name] = append(byName[name], declIn{d, file})
			}
		}
	}
	seen := map[ast.Decl]bool{fn: true}
	var found []declIn
	importSet := map[string]bool{}
	for queue := []declIn{{fn, f}}; len(queue) > 0; queue = queue[1:] {
		d := queue[0]
		names := freeNames(d.decl)
		for _, imp := range d.file.Imports {
			if names[importName(imp)] {
				importSet[importLine(imp)] = true
			}
		}
		for name := range names {
			for _, dep := range byName[name] {
				if !seen[dep.decl] {
					seen[dep.decl] = true
					found = append(found, dep)
					queue = append(queue, dep)
				}
			}
		}
	}
	sort.Slice(found, func(i, j int) bool { return found[i].decl.Pos() < found[j].decl.Pos() })
	var b bytes.Buffer
	for _, d := range found {
		printer.Fprint(&b, p.fset, d.decl)
		b.WriteString("\n\n")
	}
	if len(importSet) > 0 {
		lines := make([]string, 0, len(importSet))
		for l := range importSet {
			lines = append(lines, "\t"+l)
		}
		sort.Strings(lines)
		imports = "import (\n" + strings.Join(lines, "\n") + "\n)\n"
	}
	return imports, b.String()
}

// declNames are the names a top-level declaration declares; a method is filed under its
// receiver's type, so that a type brings its methods.
func declNames(d ast.Decl) []string {
	var names []string
	switch d := d.(type) {
	case *ast.FuncDecl:
		if d.Recv == nil {
			return []string{d.Name.Name}
		}
		t := d.Recv.List[0].Type
		if s, ok := t.(*ast.StarExpr); ok {
			t = s.X
		}
		if id, ok := t.(*ast.Ident); ok {
			names = append(names, id.Name)
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				names = append(names, s.Name.Name)
			case *ast.ValueSpec:
				for _, n := range s.Names {
					names = append(names, n.Name)
				}
			}
		}
	}
	return names
}

// freeNames are the identifiers d uses that it does not declare itself (as the parser
// resolved them), a selector's member names aside.
func freeNames(d ast.Decl) map[string]bool {
	names := map[string]bool{}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, visit)
			return false
		case *ast.Ident:
			if n.Obj == nil || n.Obj.Pos() < d.Pos() || n.Obj.Pos() >= d.End() {
				names[n.Name] = true
			}
		}
		return true
	}
	ast.Inspect(d, visit)
	return names
}

// importName is the name an import is used by in its file: gonum's and Go's package
// names are their path's last element before a major version ("math/rand/v2").
func importName(imp *ast.ImportSpec) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	p, _ := strconv.Unquote(imp.Path.Value)
	if dir, last := path.Split(p); majorVersion.MatchString(last) {
		p = path.Clean(dir)
	}
	return path.Base(p)
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

func importLine(imp *ast.ImportSpec) string {
	if imp.Name != nil {
		return fmt.Sprintf("%s %s", imp.Name.Name, imp.Path.Value)
	}
	return imp.Path.Value
}
