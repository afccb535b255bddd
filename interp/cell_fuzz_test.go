package interp

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"testing"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
)

// FuzzParseCell feeds the parser and every pass arbitrary text: they must never panic,
// and every rewritten unit must print to Go that parses.
func FuzzParseCell(f *testing.F) {
	for _, seed := range []string{
		"x := 1\nx",
		"import \"fmt\"\nfmt.Println(1)",
		"func f(x int) int { return x }\ntype T struct{ A int }\nf(2)",
		"for i := range 10 { go func() { _ = i }() }",
		"a := []int{1, 2}\nslices.Sort(a)\nmax(1.5, 2)",
		"if x {", "}}}", "\"unterminated", "/* comment", "x := `raw\nstring`\nx",
		"var (\n a = 1\n b = 2\n)\na + b", "display.Value(T{})", "go f(xs...)",
		"go fmt.Println(make([]int, 3))", "defer fmt.Println(min(1.5, 2.0))",
		"a, b = b, f()\nreturn", "func main() { main := 1; _ = main }",
		"L: for i := range n { if i > 2 { break L } }", "x := 0.25 * math.Pi",
	} {
		f.Add(seed)
	}
	s, err := New(Options{Version: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, errs := parseCell(s.engine.FileSet(), src)
		if len(errs) > 0 {
			return
		}
		defer s.engine.Forget(c.file)
		_ = s.transform(c)
		for _, u := range c.units {
			if u.kind == stmtUnit {
				engine.RangeOverInts(u.block, true)
			}
			var node any = u.node()
			if u.kind == stmtUnit {
				node = &ast.File{Name: ast.NewIdent("p"), Decls: []ast.Decl{&ast.FuncDecl{Name: ast.NewIdent("_"), Type: &ast.FuncType{Params: &ast.FieldList{}}, Body: u.block}}}
			}
			var buf bytes.Buffer
			if err := printer.Fprint(&buf, s.engine.FileSet(), node); err != nil {
				t.Fatalf("printing %q: %v", src, err)
			}
			if _, err := parser.ParseFile(token.NewFileSet(), "", buf.String(), 0); err != nil {
				t.Fatalf("cell %q rewritten to Go that does not parse: %v\n%s", src, err, buf.String())
			}
		}
	})
}
