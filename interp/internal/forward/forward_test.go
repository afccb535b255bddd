package forward

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/gomatcalc/gomatcalc/interp/internal/gosrc"
)

// tangents parses declarations, makes the tangent of every function with an active
// parameter (each may call the others), and returns them as gofmt prints them, or the
// reason each has none.
func tangents(t *testing.T, src string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "cell.go", "package main\n\n"+src, 0)
	if err != nil {
		t.Fatalf("parsing: %v", err)
	}
	env := &Env{Tan: "tan", Math: "math", Fmt: "fmt", Funcs: map[string]*Func{}}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			if sig, err := Signature(fd.Type, "tan_"+fd.Name.Name, "tan"); err == nil && sig.ActiveParams() {
				env.Funcs[fd.Name.Name] = sig
			}
		}
	}
	out := map[string]string{}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		sig, ok := env.Funcs[fd.Name.Name]
		if !ok {
			_, err := Signature(fd.Type, "", "tan")
			if err != nil {
				out[fd.Name.Name] = "unsupported: " + err.Error()
			}
			continue
		}
		tf, err := Decl(fd, sig, env)
		if err != nil {
			out[fd.Name.Name] = "unsupported: " + err.Error()
			continue
		}
		text, err := gosrc.Print(token.NewFileSet(), tf)
		if err != nil {
			t.Fatalf("printing %s: %v", fd.Name.Name, err)
		}
		if _, err := parser.ParseFile(token.NewFileSet(), "", "package main\n"+text, 0); err != nil {
			t.Fatalf("the tangent of %s does not parse: %v\n%s", fd.Name.Name, err, text)
		}
		out[fd.Name.Name] = strings.TrimSpace(text)
	}
	return out
}

func TestPrint(t *testing.T) {
	for name, text := range tangents(t, `
func f(x []float64) float64 { return math.Sin(x[0])*math.Exp(x[1]) + x[0]*x[2]*x[2] }
func rosen(x []float64) float64 {
	a, b := 1-x[0], x[1]-x[0]*x[0]
	return a*a + 100*b*b
}
func babylonian(x float64, n int) float64 {
	t := (1 + x) / 2
	for i := 2; i <= n; i++ {
		t = (t + x/t) / 2
	}
	return t
}
func lse(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += math.Exp(v)
	}
	return math.Log(s)
}
func g(x []float64) []float64 {
	out := make([]float64, len(x))
	for i := range x {
		out[i] = sq(x[i]) + babylonian(x[i], 3)
	}
	return append(out, 1)
}
func sq(x float64) float64 { return x * x }
func bad(x float64) float64 { return x * float64(len(fmt.Sprint(x))) }
`) {
		t.Logf("%s:\n%s", name, text)
	}
}
