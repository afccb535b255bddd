package engine

import (
	"go/ast"
	"go/constant"
	"go/format"
	"go/parser"
	"go/token"
	"math"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/gomatcalc/gomatcalc/interp/internal/gosrc"
)

// The rewrites, one at a time: each case is a cell's declarations (a file) or statements
// (a block, wrapped as parseCell wraps them), and the Go the rewrite makes of it. Texts
// are compared as gofmt prints their trees with every position dropped, so that layout
// does not count. Cases a rewrite gets wrong are in tables named knownWrong, with the Go
// that would be right; they are skipped until the rewrite is fixed.

type rewriteCase struct {
	name     string
	decls    bool // in and want are declarations; else statements
	in, want string
}

// source is the file a case's text stands for: statements go in a function's body.
func source(text string, decls bool) string {
	if decls {
		return "package main\n\n" + text + "\n"
	}
	return "package main\n\nfunc _gomatcalcStatements() {\n" + text + "\n}\n"
}

// parseCase parses a case's input; node is the unit a rewrite takes: the file, or the
// block of statements.
func parseCase(t *testing.T, text string, decls bool) (fset *token.FileSet, f *ast.File, node ast.Node) {
	t.Helper()
	fset = token.NewFileSet()
	f, err := parser.ParseFile(fset, FileName, source(text, decls), 0)
	if err != nil {
		t.Fatalf("parsing the input: %v\n%s", err, text)
	}
	if decls {
		return fset, f, f
	}
	return fset, f, f.Decls[0].(*ast.FuncDecl).Body
}

// printNode is gofmt's text of a node.
func printNode(t *testing.T, fset *token.FileSet, n any) string {
	t.Helper()
	text, err := gosrc.Print(fset, n)
	if err != nil {
		t.Fatalf("printing: %v", err)
	}
	return text
}

// sameGo compares the printed output of a rewrite with the case's want.
func sameGo(t *testing.T, got, wantText string, decls bool) {
	t.Helper()
	want := source(wantText, decls)
	cw, err := gosrc.Canonical(want)
	if err != nil {
		t.Fatalf("the case's want does not parse: %v\n%s", err, want)
	}
	cg, err := gosrc.Canonical(got)
	if err != nil {
		t.Errorf("the output does not parse: %v\n%s", err, got)
		return
	}
	if cg != cw {
		if pretty, err := format.Source([]byte(want)); err == nil {
			want = string(pretty)
		}
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// checkRewrites runs apply on each case's unit and compares the file printed after.
func checkRewrites(t *testing.T, cases []rewriteCase, apply func(t *testing.T, n ast.Node)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset, f, n := parseCase(t, c.in, c.decls)
			apply(t, n)
			sameGo(t, printNode(t, fset, f), c.want, c.decls)
		})
	}
}

// knownWrong runs the cases a rewrite gets wrong: skipped, unless the environment has
// GOMATCALC_KNOWN_WRONG=1 (then they fail until the rewrite is fixed).
func knownWrong(t *testing.T, why string, cases []rewriteCase, apply func(t *testing.T, n ast.Node)) {
	t.Helper()
	t.Run("knownWrong", func(t *testing.T) {
		skipKnownWrong(t, why)
		checkRewrites(t, cases, apply)
	})
}

func skipKnownWrong(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("GOMATCALC_KNOWN_WRONG") != "1" {
		t.Skip("known wrong: " + why)
	}
}

// paths is a cell's package names and their import paths.
func paths(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

func TestRenameMain(t *testing.T) {
	cases := []struct {
		rewriteCase
		declared bool
	}{
		{rewriteCase{name: "func main", decls: true,
			in:   `func main() { fmt.Println("hi") }`,
			want: `func _gomatcalcMain() { fmt.Println("hi") }`}, true},
		{rewriteCase{name: "a call of main",
			in:   "main()",
			want: "_gomatcalcMain()"}, false},
		{rewriteCase{name: "main as a value",
			in:   "f := main\nf()",
			want: "f := _gomatcalcMain\nf()"}, false},
		{rewriteCase{name: "main called by another function", decls: true,
			in:   "func main() { helper() }\nfunc helper() { if false { main() } }",
			want: "func _gomatcalcMain() { helper() }\nfunc helper() { if false { _gomatcalcMain() } }"}, true},
		{rewriteCase{name: "a method named main and a field named main keep their names", decls: true,
			in:   "type T struct{ main int }\nfunc (t T) main() int { return t.main }\nfunc (t T) run() int { return t.main() + T{main: 1}.main }",
			want: "type T struct{ main int }\nfunc (t T) main() int { return t.main }\nfunc (t T) run() int { return t.main() + T{main: 1}.main }"}, false},
		{rewriteCase{name: "a method's body calling main", decls: true,
			in:   "func (T) run() { main() }",
			want: "func (T) run() { _gomatcalcMain() }"}, false},
		{rewriteCase{name: "a struct literal with a field main, at the top level",
			in:   "x := T{main: 3}.main()",
			want: "x := T{main: 3}.main()"}, false},
		{rewriteCase{name: "an interface method main", decls: true,
			in:   "type I interface{ main() int }",
			want: "type I interface{ main() int }"}, false},
		{rewriteCase{name: "a field of func type named main", decls: true,
			in:   "type S struct{ main func(main int) }",
			want: "type S struct{ main func(_gomatcalcMain int) }"}, false},
		{rewriteCase{name: "a local variable named main, renamed throughout", decls: true,
			in:   "func f() int { main := 2; return main + 1 }",
			want: "func f() int { _gomatcalcMain := 2; return _gomatcalcMain + 1 }"}, false},
		{rewriteCase{name: "a label named main",
			in:   "main:\nfor {\nbreak main\n}",
			want: "_gomatcalcMain:\nfor {\nbreak _gomatcalcMain\n}"}, false},
		{rewriteCase{name: "a selector of another package's main",
			in:   "pkg.main()",
			want: "pkg.main()"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset, f, n := parseCase(t, c.in, c.decls)
			if got := RenameMain(n); got != c.declared {
				t.Errorf("RenameMain reports declared = %v, want %v", got, c.declared)
			}
			sameGo(t, printNode(t, fset, f), c.want, c.decls)
		})
	}
	knownWrong(t, "RenameMain renames a use of main but not what it refers to", []rewriteCase{
		// A key of a map literal is a value, not a field name: it refers to the variable.
		{name: "a map literal's key that is a variable named main", decls: true,
			in:   "func f() map[int]string { main := 3; return map[int]string{main: \"x\"} }",
			want: "func f() map[int]string { _gomatcalcMain := 3; return map[int]string{_gomatcalcMain: \"x\"} }"},
	}, func(t *testing.T, n ast.Node) { RenameMain(n) })
}

// unitsTable is a table of compiled constants of a package beyond the standard library.
var unitsTable = map[string]map[string]reflect.Value{"example.com/units/units": {
	"Inch": reflect.ValueOf(constant.MakeFromLiteral("0.0254", token.FLOAT, 0)),
	"Feet": reflect.ValueOf(constant.MakeInt64(12)),
}}

func TestInlineFloatConstants(t *testing.T) {
	path := paths(map[string]string{"math": "math", "units": "example.com/units", "fmt": "fmt"})
	apply := func(t *testing.T, n ast.Node) { InlineFloatConstants(n, path, unitsTable) }
	checkRewrites(t, []rewriteCase{
		// The digits are those of yaegi's table (stdlib/go1_22_math.go: binary floats, not
		// math's decimals), rounded to 80 significant digits.
		{name: "math.Pi",
			in:   "x := 0.25 * math.Pi",
			want: "x := 0.25 * (3.141592653589793238462643383279502884197169399375105820974944594789982923695636)"},
		{name: "constants in a call, negated and divided",
			in:   "fmt.Println(-math.E, 1/math.Sqrt2)",
			want: "fmt.Println(-(2.7182818284590452353602874713526624977572470936999595749669676256633782431567323), 1/(1.4142135623730950488016887242096980785696718753769480731766797395760833515753814))"},
		{name: "a constant that is no decimal: Log2E = 1/Ln2",
			in:   "x := math.Log2E",
			want: "x := (1.4426950408889634073599246810018921374266459541529859341354494077206642776899755)"},
		// 2^1024 - 2^971, to 80 significant digits.
		{name: "math.MaxFloat64",
			in:   "x := math.MaxFloat64",
			want: "x := (1.7976931348623157081452742373170435679807056752584499659891747680315726078002854e+308)"},
		{name: "integer constants stay",
			in:   "x := math.MaxInt8 + units.Feet",
			want: "x := math.MaxInt8 + units.Feet"},
		{name: "functions and variables stay",
			in:   "x := math.Sqrt(2) + math.Inf(1)",
			want: "x := math.Sqrt(2) + math.Inf(1)"},
		{name: "a constant of another table",
			in:   "x := 3 * units.Inch",
			want: "x := 3 * (0.0254)"},
		{name: "a package the cell does not import",
			in:   "x := 2 * cmplx.Pi",
			want: "x := 2 * cmplx.Pi"},
		{name: "in a function", decls: true,
			in:   "func area(r float64) float64 { return math.Pi * r * r }",
			want: "func area(r float64) float64 { return (3.141592653589793238462643383279502884197169399375105820974944594789982923695636) * r * r }"},
	}, apply)
	knownWrong(t, "InlineFloatConstants looks the constant up by the name the cell gives the package, and does not see local names", []rewriteCase{
		// Go's math.Pi is the decimal of math/const.go; yaegi's table holds a binary float
		// 4.8e-64 above it, which the rewrite writes out: d is 4.8e-64 where Go's is 0
		// (below a float64's precision everywhere else).
		{name: "the constant is math's exactly",
			in:   "d := math.Pi - 3.14159265358979323846264338327950288419716939937510582097494459",
			want: "d := (3.14159265358979323846264338327950288419716939937510582097494459) - 3.14159265358979323846264338327950288419716939937510582097494459"},
		// A variable named math hides the package: math.Pi is its field.
		{name: "a variable named as the package",
			in:   "math := struct{ Pi float64 }{2}\nx := math.Pi",
			want: "math := struct{ Pi float64 }{2}\nx := math.Pi"},
	}, func(t *testing.T, n ast.Node) {
		InlineFloatConstants(n, paths(map[string]string{"m": "math", "math": "math"}))
	})
}

func TestBlockScopes(t *testing.T) {
	apply := func(t *testing.T, n ast.Node) { BlockScopes(n.(*ast.BlockStmt), 7) }
	checkRewrites(t, []rewriteCase{
		{name: "a loop's variable and a block's",
			in:   "i := 1\nfor i := 0; i < 3; i++ {\nh := i\n_ = h\n}\nfmt.Println(i)",
			want: "i := 1\nfor _gomatcalcB7_1_i := 0; _gomatcalcB7_1_i < 3; _gomatcalcB7_1_i++ {\n_gomatcalcB7_2_h := _gomatcalcB7_1_i\n_ = _gomatcalcB7_2_h\n}\nfmt.Println(i)"},
		{name: "shadowing blocks each get their own",
			in:   "{\nx := 1\n{\nx := \"a\"\n_ = x\n}\n_ = x\n}",
			want: "{\n_gomatcalcB7_1_x := 1\n{\n_gomatcalcB7_2_x := \"a\"\n_ = _gomatcalcB7_2_x\n}\n_ = _gomatcalcB7_1_x\n}"},
		// Fields, a function literal's own variables and the blank keep their names; a
		// variable a literal captures is renamed inside it too.
		{name: "what keeps its name",
			in:   "for _, c := range []struct{ r int }{{1}} {\nf := func(r int) int { k := r; return k + c.r }\n_ = f\n}",
			want: "for _, _gomatcalcB7_1_c := range []struct{ r int }{{1}} {\n_gomatcalcB7_2_f := func(r int) int { k := r; return k + _gomatcalcB7_1_c.r }\n_ = _gomatcalcB7_2_f\n}"},
		{name: "an if's and a switch's",
			in:   "if v, ok := m[1]; ok {\n_ = v\n}\nswitch w := g(); w {\n}",
			want: "if _gomatcalcB7_1_v, _gomatcalcB7_2_ok := m[1]; _gomatcalcB7_2_ok {\n_ = _gomatcalcB7_1_v\n}\nswitch _gomatcalcB7_3_w := g(); _gomatcalcB7_3_w {\n}"},
	}, apply)
	if got := UserNames("declared and not used: _gomatcalcB12_3_x"); got != "declared and not used: x" {
		t.Errorf("UserNames: %q", got)
	}
}

func TestOrderAssignments(t *testing.T) {
	apply := func(t *testing.T, n ast.Node) { OrderAssignments(n) }
	checkRewrites(t, []rewriteCase{
		{name: "a call among the values",
			in:   "a, b = b, f()",
			want: "{\n_gomatcalcV1, _gomatcalcV2 := b, f()\na, b = _gomatcalcV1, _gomatcalcV2\n}"},
		{name: "a receive among the values",
			in:   "x, y = <-ch, x",
			want: "{\n_gomatcalcV1, _gomatcalcV2 := <-ch, x\nx, y = _gomatcalcV1, _gomatcalcV2\n}"},
		{name: "two assignments, numbered on",
			in:   "a, b = b, f()\nc, d = g(), c",
			want: "{\n_gomatcalcV1, _gomatcalcV2 := b, f()\na, b = _gomatcalcV1, _gomatcalcV2\n}\n{\n_gomatcalcV3, _gomatcalcV4 := g(), c\nc, d = _gomatcalcV3, _gomatcalcV4\n}"},
		{name: "an index on the left",
			in:   "s[0], i = i, f()",
			want: "{\n_gomatcalcV1, _gomatcalcV2 := i, f()\ns[0], i = _gomatcalcV1, _gomatcalcV2\n}"},
		{name: "a swap without calls stays",
			in:   "a, b = b, a",
			want: "a, b = b, a"},
		{name: "a function literal is no call",
			in:   "f, g = g, func() {}",
			want: "f, g = g, func() {}"},
		{name: "one call with two results stays",
			in:   "a, b = f()",
			want: "a, b = f()"},
		{name: "a definition stays",
			in:   "a, b := b, f()",
			want: "a, b := b, f()"},
		{name: "a single assignment stays",
			in:   "a = f()",
			want: "a = f()"},
		{name: "an if's init statement goes first",
			in:   "if a, b = b, f(); a > b {\n}",
			want: "{\n{\n_gomatcalcV1, _gomatcalcV2 := b, f()\na, b = _gomatcalcV1, _gomatcalcV2\n}\nif a > b {\n}\n}"},
		{name: "a switch's, in an else",
			in:   "if x {\n} else if a, b = b, f(); a > b {\n}",
			want: "if x {\n} else {\n{\n_gomatcalcV1, _gomatcalcV2 := b, f()\na, b = _gomatcalcV1, _gomatcalcV2\n}\nif a > b {\n}\n}"},
		{name: "an if header with a definition stays",
			in:   "if a, b := b, f(); a > b {\n}",
			want: "if a, b := b, f(); a > b {\n}"},
		// The post statement runs at the top of the body from the second iteration on.
		{name: "a loop's post statement",
			in: "for i, s := 0, 1.0; i < 3; i, s = i+1, f(s) {\nif s > 2 {\ncontinue\n}\ng(i)\n}",
			want: "{\ni, s := 0, 1.0\nfor _gomatcalcFirst1 := true; ; _gomatcalcFirst1 = false {\nif !_gomatcalcFirst1 {\n{\n" +
				"_gomatcalcV2, _gomatcalcV3 := i+1, f(s)\ni, s = _gomatcalcV2, _gomatcalcV3\n}\n}\nif !(i < 3) {\nbreak\n}\n" +
				"if s > 2 {\ncontinue\n}\ng(i)\n}\n}"},
		{name: "a labeled loop keeps its label",
			in:   "outer:\nfor i, s := 0, 1.0; i < 3; i, s = i+1, f(s) {\ncontinue outer\n}",
			want: "{\ni, s := 0, 1.0\nouter:\nfor _gomatcalcFirst1 := true; ; _gomatcalcFirst1 = false {\nif !_gomatcalcFirst1 {\n{\n_gomatcalcV2, _gomatcalcV3 := i+1, f(s)\ni, s = _gomatcalcV2, _gomatcalcV3\n}\n}\nif !(i < 3) {\nbreak\n}\ncontinue outer\n}\n}"},
		{name: "a loop with a function literal stays",
			in:   "for i, s := 0, 1.0; i < 3; i, s = i+1, f(s) {\ngo func() { g(i) }()\n}",
			want: "for i, s := 0, 1.0; i < 3; i, s = i+1, f(s) {\ngo func() { g(i) }()\n}"},
		{name: "in a case clause",
			in:   "switch {\ncase true:\na, b = b, f()\n}",
			want: "switch {\ncase true:\n{\n_gomatcalcV1, _gomatcalcV2 := b, f()\na, b = _gomatcalcV1, _gomatcalcV2\n}\n}"},
		{name: "in a select clause",
			in:   "select {\ncase <-done:\na, b = b, f()\n}",
			want: "select {\ncase <-done:\n{\n_gomatcalcV1, _gomatcalcV2 := b, f()\na, b = _gomatcalcV1, _gomatcalcV2\n}\n}"},
		{name: "in a function", decls: true,
			in:   "func swap() (int, int) {\np, q := 1, 2\np, q = q, g()\nreturn p, q\n}",
			want: "func swap() (int, int) {\np, q := 1, 2\n{\n_gomatcalcV1, _gomatcalcV2 := q, g()\np, q = _gomatcalcV1, _gomatcalcV2\n}\nreturn p, q\n}"},
	}, apply)
}

func TestRangeOverInts(t *testing.T) {
	cases := []struct {
		rewriteCase
		maybe, changed bool
	}{
		{rewriteCase{name: "range 3",
			in: "for i := range 3 {\nfmt.Println(i)\n}",
			want: `{
	_gomatcalcN1 := 3
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		i := _gomatcalcI1
		fmt.Println(i)
	}
}`}, false, true},
		{rewriteCase{name: "no variable",
			in: "for range 3 {\nn++\n}",
			want: `{
	_gomatcalcN1 := 3
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		n++
	}
}`}, false, true},
		{rewriteCase{name: "the blank variable",
			in:   "for _ = range 3 {\n}",
			want: "for _ = range 3 {\n}"}, false, false},
		{rewriteCase{name: "len and conversions are integers",
			in: "for i := range len(s) * int(k) {\nuse(i)\n}",
			want: `{
	_gomatcalcN1 := len(s) * int(k)
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		i := _gomatcalcI1
		use(i)
	}
}`}, false, true},
		{rewriteCase{name: "the body assigns the variable: the count does not change",
			in: "for i := range 3 {\ni *= 2\nuse(i)\n}",
			want: `{
	_gomatcalcN1 := 3
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		i := _gomatcalcI1
		i *= 2
		use(i)
	}
}`}, false, true},
		{rewriteCase{name: "a variable that may be an integer, surely only",
			in:   "for i := range n {\nuse(i)\n}",
			want: "for i := range n {\nuse(i)\n}"}, false, false},
		{rewriteCase{name: "a variable that may be an integer, maybe",
			in: "for i := range n {\nuse(i)\n}",
			want: `{
	_gomatcalcN1 := n
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		i := _gomatcalcI1
		use(i)
	}
}`}, true, true},
		{rewriteCase{name: "a call is evaluated once",
			in: "for i := range count() {\nuse(i)\n}",
			want: `{
	_gomatcalcN1 := count()
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		i := _gomatcalcI1
		use(i)
	}
}`}, true, true},
		// Documented: with maybe, every range with a key only is taken for an integer's
		// (here a map's, which does not compile); the session keeps the result only if
		// yaegi compiles it.
		{rewriteCase{name: "maybe takes any single-key range",
			in: "for k := range m {\nuse(k)\n}",
			want: `{
	_gomatcalcN1 := m
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		k := _gomatcalcI1
		use(k)
	}
}`}, true, true},
		{rewriteCase{name: "never a composite literal, a slice expression, make or a string",
			in:   "for i := range []int{1} {\n}\nfor i := range s[1:] {\n}\nfor i := range make([]int, 2) {\n}\nfor i := range \"ab\" {\n}",
			want: "for i := range []int{1} {\n}\nfor i := range s[1:] {\n}\nfor i := range make([]int, 2) {\n}\nfor i := range \"ab\" {\n}"}, true, false},
		{rewriteCase{name: "key and value, or an assignment, stay",
			in:   "for k, v := range m {\n}\nfor i = range 3 {\n}",
			want: "for k, v := range m {\n}\nfor i = range 3 {\n}"}, true, false},
		{rewriteCase{name: "labels on nested loops",
			in: "outer:\nfor i := range 3 {\nfor j := range 3 {\nif j == i {\ncontinue outer\n}\n}\n}",
			want: `{
	_gomatcalcN2 := 3
outer:
	for _gomatcalcI2 := _gomatcalcN2 - _gomatcalcN2; _gomatcalcI2 < _gomatcalcN2; _gomatcalcI2++ {
		i := _gomatcalcI2
		{
			_gomatcalcN1 := 3
			for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
				j := _gomatcalcI1
				if j == i {
					continue outer
				}
			}
		}
	}
}`}, false, true},
		{rewriteCase{name: "a label and break",
			in: "L:\nfor range 3 {\nbreak L\n}",
			want: `{
	_gomatcalcN1 := 3
L:
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		break L
	}
}`}, false, true},
		{rewriteCase{name: "a closure keeps its iteration's variable",
			in: "for i := range 3 {\nfs = append(fs, func() int { return i })\n}",
			want: `{
	_gomatcalcN1 := 3
	for _gomatcalcI1 := _gomatcalcN1 - _gomatcalcN1; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {
		i := _gomatcalcI1
		fs = append(fs, func() int { return i })
	}
}`}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset, f, n := parseCase(t, c.in, c.decls)
			if got := RangeOverInts(n, c.maybe); got != c.changed {
				t.Errorf("RangeOverInts reports changed = %v, want %v", got, c.changed)
			}
			sameGo(t, printNode(t, fset, f), c.want, c.decls)
		})
	}
	knownWrong(t, "RangeOverInts puts a labeled loop in a block", []rewriteCase{
		// goto L from after the loop now jumps into a block: "goto L jumps into block".
		// The limit can be declared in the loop's header instead.
		{name: "goto a labeled loop",
			in:   "n := 0\nL:\nfor range 3 {\nn++\n}\nif n < 6 {\ngoto L\n}",
			want: "n := 0\nL:\nfor _gomatcalcN1, _gomatcalcI1 := 3, 0; _gomatcalcI1 < _gomatcalcN1; _gomatcalcI1++ {\nn++\n}\nif n < 6 {\ngoto L\n}"},
	}, func(t *testing.T, n ast.Node) { RangeOverInts(n, false) })
}

func TestBlocksInFuncs(t *testing.T) {
	apply := func(t *testing.T, n ast.Node) { BlocksInFuncs(n.(*ast.BlockStmt)) }
	checkRewrites(t, []rewriteCase{
		{name: "if with v, ok :=",
			in:   "if v, ok := m[\"k\"]; ok {\nfmt.Println(v)\n}",
			want: "func() {\nif v, ok := m[\"k\"]; ok {\nfmt.Println(v)\n}\n}()"},
		{name: "a type switch that binds its variable",
			in:   "switch v := a.(type) {\ncase int:\nfmt.Println(v)\n}",
			want: "func() {\nswitch v := a.(type) {\ncase int:\nfmt.Println(v)\n}\n}()"},
		{name: "a type switch that binds nothing stays",
			in:   "switch a.(type) {\ncase int:\n}",
			want: "switch a.(type) {\ncase int:\n}"},
		{name: "a block",
			in:   "{\nv, ok := m[\"k\"]\nfmt.Println(v, ok)\n}",
			want: "func() {\n{\nv, ok := m[\"k\"]\nfmt.Println(v, ok)\n}\n}()"},
		{name: "a for loop's body",
			in:   "for i := 0; i < 3; i++ {\nn, err := strconv.Atoi(s[i])\nuse(n, err)\n}",
			want: "func() {\nfor i := 0; i < 3; i++ {\nn, err := strconv.Atoi(s[i])\nuse(n, err)\n}\n}()"},
		{name: "a range loop",
			in:   "for k := range m {\nv, ok := m[k]\nuse(v, ok)\n}",
			want: "func() {\nfor k := range m {\nv, ok := m[k]\nuse(v, ok)\n}\n}()"},
		{name: "a switch's case",
			in:   "switch {\ncase x > 0:\nq, r := divmod(x)\nuse(q, r)\n}",
			want: "func() {\nswitch {\ncase x > 0:\nq, r := divmod(x)\nuse(q, r)\n}\n}()"},
		{name: "a type switch's case",
			in:   "switch x := a.(type) {\ncase int:\nq, r := divmod(x)\nuse(q, r)\n}",
			want: "func() {\nswitch x := a.(type) {\ncase int:\nq, r := divmod(x)\nuse(q, r)\n}\n}()"},
		{name: "a select's receive",
			in:   "select {\ncase v, ok := <-ch:\nuse(v, ok)\n}",
			want: "func() {\nselect {\ncase v, ok := <-ch:\nuse(v, ok)\n}\n}()"},
		{name: "with its label",
			in:   "L:\nfor {\nv, ok := <-ch\nif !ok {\nbreak L\n}\nuse(v)\n}",
			want: "func() {\nL:\nfor {\nv, ok := <-ch\nif !ok {\nbreak L\n}\nuse(v)\n}\n}()"},
		{name: "only the statement that needs it",
			in:   "x := 1\nif v, ok := m[\"k\"]; ok {\nx = v\n}\nfmt.Println(x)",
			want: "x := 1\nfunc() {\nif v, ok := m[\"k\"]; ok {\nx = v\n}\n}()\nfmt.Println(x)"},
		{name: "one value each stays",
			in:   "if x := f(); x > 0 {\n}\nif a, b := 1, 2; a < b {\n}",
			want: "if x := f(); x > 0 {\n}\nif a, b := 1, 2; a < b {\n}"},
		{name: "at the top level itself stays",
			in:   "v, ok := m[\"k\"]",
			want: "v, ok := m[\"k\"]"},
		{name: "inside a function literal stays",
			in:   "if true {\nf := func() {\nv, ok := m[\"k\"]\nuse(v, ok)\n}\nf()\n}",
			want: "if true {\nf := func() {\nv, ok := m[\"k\"]\nuse(v, ok)\n}\nf()\n}"},
		{name: "a statement with a return stays",
			in:   "if v, ok := m[\"k\"]; ok {\nreturn\n}",
			want: "if v, ok := m[\"k\"]; ok {\nreturn\n}"},
		{name: "a return in a function literal is no return of the statement",
			in:   "if v, ok := m[\"k\"]; ok {\ng := func() { return }\ng()\n}",
			want: "func() {\nif v, ok := m[\"k\"]; ok {\ng := func() { return }\ng()\n}\n}()"},
	}, apply)
}

func TestTopLevelReturns(t *testing.T) {
	cases := []struct {
		rewriteCase
		withValues bool
	}{
		{rewriteCase{name: "a return in an if",
			in:   "if x > 0 {\nreturn\n}\nfmt.Println(x)",
			want: "if x > 0 {\npanic(\"_gomatcalc: return from the cell\")\n}\nfmt.Println(x)"}, false},
		{rewriteCase{name: "the last statement",
			in:   "fmt.Println(1)\nreturn",
			want: "fmt.Println(1)\npanic(\"_gomatcalc: return from the cell\")"}, false},
		{rewriteCase{name: "in a loop and a switch",
			in:   "for {\nswitch {\ncase done():\nreturn\n}\n}",
			want: "for {\nswitch {\ncase done():\npanic(\"_gomatcalc: return from the cell\")\n}\n}"}, false},
		{rewriteCase{name: "in a select",
			in:   "select {\ncase <-ch:\nreturn\ndefault:\n}",
			want: "select {\ncase <-ch:\npanic(\"_gomatcalc: return from the cell\")\ndefault:\n}"}, false},
		{rewriteCase{name: "returns of function literals stay",
			in:   "f := func() int { return 1 }\ngo func() { return }()\nreturn",
			want: "f := func() int { return 1 }\ngo func() { return }()\npanic(\"_gomatcalc: return from the cell\")"}, false},
		{rewriteCase{name: "a return with a value is left for the session to refuse",
			in:   "return 1",
			want: "return 1"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset, f, n := parseCase(t, c.in, c.decls)
			if got := TopLevelReturns(n.(*ast.BlockStmt)); (got != nil) != c.withValues {
				t.Errorf("TopLevelReturns returns %v, want a return with values: %v", got, c.withValues)
			}
			sameGo(t, printNode(t, fset, f), c.want, c.decls)
		})
	}
}

func TestHoistVars(t *testing.T) {
	cases := []struct {
		name     string
		earlier  []string // units of declarations run before
		in       string
		wantFile string // the declarations left
		wantStmt string // the statements hoisted
	}{
		{name: "a variable of an earlier cell",
			earlier: []string{"var a = 1"}, in: "var b = a + 1",
			wantFile: "", wantStmt: "var b = a + 1"},
		{name: "a spec of a group",
			earlier: []string{"var a = 1"}, in: "var (\nb = a + 1\nc = 2\n)",
			wantFile: "var (\nc = 2\n)", wantStmt: "var b = a + 1"},
		{name: "a field of an earlier variable",
			earlier: []string{"type P struct{ X int }\nvar p = P{3}"}, in: "var s = p.X",
			wantFile: "", wantStmt: "var s = p.X"},
		{name: "a constant of an earlier cell",
			earlier: []string{"const k = 2"}, in: "var b = k * 2",
			wantFile: "", wantStmt: "var b = k * 2"},
		{name: "in a function literal",
			earlier: []string{"var a = 1"}, in: "var f = func() int { return a }",
			wantFile: "", wantStmt: "var f = func() int { return a }"},
		{name: "with a package",
			earlier: []string{"import \"fmt\"", "var a = 1"}, in: "var s = fmt.Sprint(a)\nvar t = fmt.Sprint(2)",
			wantFile: "var t = fmt.Sprint(2)", wantStmt: "var s = fmt.Sprint(a)"},
		{name: "a name of the file too stays",
			earlier: []string{"var a = 1"}, in: "var c = 1\nvar b = a + c",
			wantFile: "var c = 1\nvar b = a + c", wantStmt: ""},
		{name: "a function of the file stays",
			earlier: []string{"var a = 1"}, in: "func g() int { return a }\nvar b = g() + a",
			wantFile: "func g() int { return a }\nvar b = g() + a", wantStmt: ""},
		{name: "a name the file declares again stays",
			earlier: []string{"var a = 1"}, in: "var a = 5\nvar d = a",
			wantFile: "var a = 5\nvar d = a", wantStmt: ""},
		{name: "nothing of an earlier cell",
			earlier: []string{"var a = 1"}, in: "var b = 2\nconst c = 3",
			wantFile: "var b = 2\nconst c = 3", wantStmt: ""},
		// M is declared in the file, which runs after the hoisted statements: the
		// session says "undefined selector M".
		{name: "a method the file declares",
			earlier: []string{"type T int\nvar t T"}, in: "func (T) M() int { return 1 }\nvar b = t.M()",
			wantFile: "func (T) M() int { return 1 }\nvar b = t.M()", wantStmt: ""},
		// The spec's type is the file's: the hoisted statement comes before it.
		{name: "a type the file declares",
			earlier: []string{"const k = 2"}, in: "type U int\nvar b U = k",
			wantFile: "type U int\nvar b U = k", wantStmt: ""},
	}
	run := func(t *testing.T, earlier []string, in, wantFile, wantStmt string) {
		e, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, src := range earlier {
			f, err := parser.ParseFile(e.FileSet(), FileName, "package main\n"+src, 0)
			if err != nil {
				t.Fatal(err)
			}
			p, err := e.Compile(f)
			if err != nil {
				t.Fatalf("%q: %v", src, err)
			}
			if _, err := e.Run(t.Context(), p); err != nil {
				t.Fatalf("%q: %v", src, err)
			}
		}
		fset, f, _ := parseCase(t, in, true)
		hoisted := e.HoistVars(f)
		sameGo(t, printNode(t, fset, f), wantFile, true)
		block := &ast.BlockStmt{List: hoisted}
		holder := &ast.File{Name: ast.NewIdent("main"), Decls: []ast.Decl{&ast.FuncDecl{Name: ast.NewIdent("_gomatcalcStatements"), Type: &ast.FuncType{Params: &ast.FieldList{}}, Body: block}}}
		sameGo(t, printNode(t, fset, holder), wantStmt, false)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { run(t, c.earlier, c.in, c.wantFile, c.wantStmt) })
	}
}

func TestMinMaxArgs(t *testing.T) {
	apply := func(t *testing.T, n ast.Node) { MinMaxArgs(n, func(string) bool { return false }) }
	checkRewrites(t, []rewriteCase{
		{name: "a variable first",
			in:   "y := min(1.5, x32)",
			want: "y := min(x32, 1.5)"},
		{name: "constants only: the constant it is",
			in:   "y := max(1.5, 2.0)",
			want: "y := (2.0)"},
		{name: "integer and float constants",
			in:   "y := min(1, 2.5)",
			want: "y := (1)"},
		{name: "negative constants",
			in:   "y := max(-3, -(2.5), -7)",
			want: "y := (-(2.5))"},
		{name: "a constant min assigned to a float32",
			in:   "var f32 float32 = min(1.5, 2.0)",
			want: "var f32 float32 = (1.5)"},
		{name: "a function of the cell named min", decls: true,
			in:   "func min(a, b int) int { return a - b }\nfunc f(x int) int { return min(1, x) }",
			want: "func min(a, b int) int { return a - b }\nfunc f(x int) int { return min(1, x) }"},
		{name: "a variable already first stays",
			in:   "y := min(x, 1.5)",
			want: "y := min(x, 1.5)"},
		{name: "a negative literal",
			in:   "y := min(-1, x)",
			want: "y := min(x, -1)"},
		{name: "a literal in parentheses",
			in:   "y := max((0.5), x)",
			want: "y := max(x, (0.5))"},
		{name: "a field",
			in:   "y := min(1.5, s.f)",
			want: "y := min(s.f, 1.5)"},
		{name: "the first variable of several",
			in:   "y := min(1, 2, x, z)",
			want: "y := min(x, 2, 1, z)"},
		{name: "a call is not moved",
			in:   "y := min(1.5, f())",
			want: "y := min(1.5, f())"},
		{name: "nested",
			in:   "y := max(0, min(1.5, x))",
			want: "y := max(0, min(x, 1.5))"},
		{name: "other functions stay",
			in:   "y := math.Min(1.5, x)",
			want: "y := math.Min(1.5, x)"},
	}, apply)
}

func TestGenericStdlib(t *testing.T) {
	path := paths(map[string]string{"slices": "slices", "maps": "maps", "s": "slices", "sort": "sort"})
	apply := func(t *testing.T, n ast.Node) { GenericStdlib(n, path) }
	checkRewrites(t, []rewriteCase{
		{name: "slices.Sort",
			in:   "slices.Sort(q)",
			want: "_gomatcalc_slices_Sort(q)"},
		{name: "an import alias: import s \"slices\"",
			in:   "s.Sort(q)\nr := s.Clone(q)",
			want: "_gomatcalc_slices_Sort(q)\nr := _gomatcalc_slices_Clone(q)"},
		{name: "maps",
			in:   "ks := maps.Keys(m)\nc := maps.Clone(m)",
			want: "ks := _gomatcalc_maps_Keys(m)\nc := _gomatcalc_maps_Clone(m)"},
		{name: "nested",
			in:   "slices.Sort(slices.Clone(q))",
			want: "_gomatcalc_slices_Sort(_gomatcalc_slices_Clone(q))"},
		{name: "a function value",
			in:   "var f func([]int) = slices.Sort",
			want: "var f func([]int) = _gomatcalc_slices_Sort"},
		{name: "functions yaegi instantiates stay",
			in:   "ok := slices.Contains(q, 1) && slices.Index(q, 2) > 0",
			want: "ok := slices.Contains(q, 1) && slices.Index(q, 2) > 0"},
		{name: "another package's Sort stays",
			in:   "sort.Sort(x)",
			want: "sort.Sort(x)"},
		{name: "a name that is no package stays",
			in:   "v.Sort(q)",
			want: "v.Sort(q)"},
		{name: "in a function", decls: true,
			in:   "func top(q []float64) float64 { return slices.Max(q) }",
			want: "func top(q []float64) float64 { return _gomatcalc_slices_Max(q) }"},
	}, apply)
	knownWrong(t, "GenericStdlib swaps the function and keeps what surrounds it", []rewriteCase{
		// slices.Sort[S ~[]E, E] is instantiated with S = []int; the prelude's Sort has
		// only E, which becomes []int (the session: a compiler panic).
		{name: "an explicit instantiation",
			in:   "slices.Sort[[]int](q)",
			want: "_gomatcalc_slices_Sort[int](q)"},
		// A variable named slices hides the package.
		{name: "a variable named as the package",
			in:   "slices := sorter{}\nslices.Sort(q)",
			want: "slices := sorter{}\nslices.Sort(q)"},
	}, apply)
}

func TestBuiltinPrints(t *testing.T) {
	apply := func(t *testing.T, n ast.Node) { BuiltinPrints(n) }
	checkRewrites(t, []rewriteCase{
		{name: "println",
			in:   "println(\"a\", 1)",
			want: "_gomatcalcengine.Println(\"a\", 1)"},
		{name: "print",
			in:   "print(x)",
			want: "_gomatcalcengine.Print(x)"},
		{name: "no arguments",
			in:   "println()",
			want: "_gomatcalcengine.Println()"},
		{name: "in go and defer",
			in:   "defer println(\"bye\")\ngo print(1)",
			want: "defer _gomatcalcengine.Println(\"bye\")\ngo _gomatcalcengine.Print(1)"},
		{name: "nested",
			in:   "println(f(func() { print(1) }))",
			want: "_gomatcalcengine.Println(f(func() { _gomatcalcengine.Print(1) }))"},
		{name: "a variable of the cell named println stays",
			in:   "println := func(s string) {}\nprintln(\"x\")",
			want: "println := func(s string) {}\nprintln(\"x\")"},
		{name: "a function of the cell named print stays", decls: true,
			in:   "func print(s string) {}\nfunc f() { print(\"x\") }",
			want: "func print(s string) {}\nfunc f() { print(\"x\") }"},
		{name: "fmt's stay",
			in:   "fmt.Println(1)",
			want: "fmt.Println(1)"},
	}, apply)
}

func TestPerIterationLoopVars(t *testing.T) {
	apply := func(t *testing.T, n ast.Node) { PerIterationLoopVars(n) }
	checkRewrites(t, []rewriteCase{
		{name: "a closure",
			in: "for i := 0; i < 3; i++ {\nfs = append(fs, func() int { return i })\n}",
			want: `for _gomatcalcLoop_i := 0; _gomatcalcLoop_i < 3; _gomatcalcLoop_i++ {
	i := _gomatcalcLoop_i
	fs = append(fs, func() int { return i })
}`},
		{name: "a field of the loop variable's name in the header",
			in: "for i := 0; i < st.i; i++ {\nfs = append(fs, func() int { return i })\n}",
			want: `for _gomatcalcLoop_i := 0; _gomatcalcLoop_i < st.i; _gomatcalcLoop_i++ {
	i := _gomatcalcLoop_i
	fs = append(fs, func() int { return i })
}`},
		{name: "two variables",
			in: "for i, j := 0, 9; i < j; i, j = i+1, j-1 {\ngo use(i, j)\n}",
			want: `for _gomatcalcLoop_i, _gomatcalcLoop_j := 0, 9; _gomatcalcLoop_i < _gomatcalcLoop_j; _gomatcalcLoop_i, _gomatcalcLoop_j = _gomatcalcLoop_i+1, _gomatcalcLoop_j-1 {
	i, j := _gomatcalcLoop_i, _gomatcalcLoop_j
	go use(i, j)
}`},
		{name: "range, key and value, defer",
			in: "for k, v := range m {\ndefer fmt.Println(k, v)\n}",
			want: `for _gomatcalcLoop_k, _gomatcalcLoop_v := range m {
	k, v := _gomatcalcLoop_k, _gomatcalcLoop_v
	defer fmt.Println(k, v)
}`},
		{name: "range, the value only, an address",
			in: "for _, v := range s {\nps = append(ps, &v)\n}",
			want: `for _, _gomatcalcLoop_v := range s {
	v := _gomatcalcLoop_v
	ps = append(ps, &v)
}`},
		{name: "the range expression is not the loop's variable",
			in: "for _, x := range x {\ngo use(x)\n}",
			want: `for _, _gomatcalcLoop_x := range x {
	x := _gomatcalcLoop_x
	go use(x)
}`},
		{name: "range over an integer",
			in: "for i := range 3 {\ngo use(i)\n}",
			want: `for _gomatcalcLoop_i := range 3 {
	i := _gomatcalcLoop_i
	go use(i)
}`},
		{name: "nested loops",
			in: "for i := 0; i < 2; i++ {\nfor j := 0; j < 2; j++ {\ngo use(i, j)\n}\n}",
			want: `for _gomatcalcLoop_i := 0; _gomatcalcLoop_i < 2; _gomatcalcLoop_i++ {
	i := _gomatcalcLoop_i
	for _gomatcalcLoop_j := 0; _gomatcalcLoop_j < 2; _gomatcalcLoop_j++ {
		j := _gomatcalcLoop_j
		go use(i, j)
	}
}`},
		{name: "a label",
			in: "L:\nfor i := 0; i < 3; i++ {\ndefer use(i)\ncontinue L\n}",
			want: `L:
for _gomatcalcLoop_i := 0; _gomatcalcLoop_i < 3; _gomatcalcLoop_i++ {
	i := _gomatcalcLoop_i
	defer use(i)
	continue L
}`},
		{name: "in a function", decls: true,
			in: "func f() {\nfor i := 0; i < 3; i++ {\ngo use(i)\n}\n}",
			want: `func f() {
	for _gomatcalcLoop_i := 0; _gomatcalcLoop_i < 3; _gomatcalcLoop_i++ {
		i := _gomatcalcLoop_i
		go use(i)
	}
}`},
		{name: "nothing keeps the variable: stays",
			in:   "for i := 0; i < 3; i++ {\nsum += i\n}",
			want: "for i := 0; i < 3; i++ {\nsum += i\n}"},
		{name: "the body assigns the variable: stays",
			in:   "for i := 0; i < 3; i++ {\nif i == 1 {\ni++\n}\ngo use(i)\n}",
			want: "for i := 0; i < 3; i++ {\nif i == 1 {\ni++\n}\ngo use(i)\n}"},
		{name: "a closure assigns the variable: stays",
			in:   "for i := 0; i < 3; i++ {\nf := func() { i = 5 }\nf()\n}",
			want: "for i := 0; i < 3; i++ {\nf := func() { i = 5 }\nf()\n}"},
		{name: "an assignment in the header, no definition: stays",
			in:   "for i = 0; i < 3; i++ {\ngo use(i)\n}",
			want: "for i = 0; i < 3; i++ {\ngo use(i)\n}"},
	}, apply)
	knownWrong(t, "PerIterationLoopVars renames what is not the loop's variable, or copies a variable the body changes", []rewriteCase{
		// The i on the right of the header's i := i is the outer one: "undefined: i".
		{name: "for i := i",
			in: "for i := i; i < 8; i++ {\ndefer use(i)\n}",
			want: `for _gomatcalcLoop_i := i; _gomatcalcLoop_i < 8; _gomatcalcLoop_i++ {
	i := _gomatcalcLoop_i
	defer use(i)
}`},
		// A function literal in the header uses the header's variable: not renamed, it
		// is undefined.
		{name: "a function literal in the header",
			in: "for i := 0; i < 3; i = func() int { return i + 1 }() {\ndefer use(i)\n}",
			want: `for _gomatcalcLoop_i := 0; _gomatcalcLoop_i < 3; _gomatcalcLoop_i = func() int { return _gomatcalcLoop_i + 1 }() {
	i := _gomatcalcLoop_i
	defer use(i)
}`},
		// A field name in a composite literal of the header is renamed: "unknown field".
		{name: "a field key in the header",
			in: "for i := 0; i < (T{i: 3}).i; i++ {\ngo use(i)\n}",
			want: `for _gomatcalcLoop_i := 0; _gomatcalcLoop_i < (T{i: 3}).i; _gomatcalcLoop_i++ {
	i := _gomatcalcLoop_i
	go use(i)
}`},
		// The body changes i through a pointer: Go 1.22 carries the change to the next
		// iteration (prints 2, 5), the copy does not (the session prints 2 3 4 5 6).
		{name: "a change through the variable's address",
			in:   "for i := 0; i < 5; i++ {\np := &i\n*p += 2\nfmt.Println(i)\n}",
			want: "for i := 0; i < 5; i++ {\np := &i\n*p += 2\nfmt.Println(i)\n}"},
	}, apply)
}

// TestCanonical checks the comparison: layout aside, different Go differs.
func TestCanonical(t *testing.T) {
	a, _ := gosrc.Canonical("package main\nfunc f() { x := []int{1,\n2}; _ = x }")
	b, _ := gosrc.Canonical("package main\n\nfunc f() {\n\tx := []int{1, 2}\n\n\t_ = x\n}\n")
	c, _ := gosrc.Canonical("package main\nfunc f() { x := []int{2, 1}; _ = x }")
	if a != b || a == c || strings.TrimSpace(a) == "" {
		t.Errorf("canonical:\n%s\n%s\n%s", a, b, c)
	}
}

// Cases once in knownWrong tables, now right.
func TestFixedRewrites(t *testing.T) {
	t.Run("RenameMain", func(t *testing.T) {
		checkRewrites(t, []rewriteCase{
			// A receiver named main is a variable: renamed with its uses.
			{name: "a receiver named main", decls: true,
				in:   "func (main T) Get() int { return main.v }",
				want: "func (_gomatcalcMain T) Get() int { return _gomatcalcMain.v }"},
		}, func(t *testing.T, n ast.Node) { RenameMain(n) })
	})
	t.Run("InlineFloatConstants", func(t *testing.T) {
		path := paths(map[string]string{"m": "math"})
		checkRewrites(t, []rewriteCase{
			// import m "math": the table's key is the package's own name.
			{name: "an import alias",
				in:   "x := 0.25 * m.Pi",
				want: "x := 0.25 * (3.141592653589793238462643383279502884197169399375105820974944594789982923695636)"},
		}, func(t *testing.T, n ast.Node) { InlineFloatConstants(n, path) })
	})
	t.Run("OrderAssignments", func(t *testing.T) {
		checkRewrites(t, []rewriteCase{
			// A constant cannot change: it needs no temporary, and keeps its untyped meaning.
			{name: "an untyped constant among the values", decls: true,
				in:   "var x float64\nvar y int\nfunc set() { x, y = 1, f() }",
				want: "var x float64\nvar y int\nfunc set() {\n{\n_gomatcalcV1 := f()\nx, y = 1, _gomatcalcV1\n}\n}"},
		}, func(t *testing.T, n ast.Node) { OrderAssignments(n) })
	})
	t.Run("OrderAssignments: the left side's index first", func(t *testing.T) {
		checkRewrites(t, []rewriteCase{
			// Go calls g (an operand of the index on the left) before f.
			{name: "a call in an index on the left",
				in:   "x[g()], y = 1, f()",
				want: "{\n_gomatcalcV1, _gomatcalcV2 := g(), f()\nx[_gomatcalcV1], y = 1, _gomatcalcV2\n}"},
		}, func(t *testing.T, n ast.Node) { OrderAssignments(n) })
	})
	t.Run("BlocksInFuncs: a goto stays with its label", func(t *testing.T) {
		checkRewrites(t, []rewriteCase{
			// A function literal would hide the label: the statement stays (yaegi's own
			// error, if any, is a compile error, not a skipped goto).
			{name: "goto a label of the cell",
				in:   "if v, ok := m[\"k\"]; ok {\n_ = v\ngoto done\n}\nfmt.Println(\"skipped\")\ndone:\nfmt.Println(\"done\")",
				want: "if v, ok := m[\"k\"]; ok {\n_ = v\ngoto done\n}\nfmt.Println(\"skipped\")\ndone:\nfmt.Println(\"done\")"},
		}, func(t *testing.T, n ast.Node) { BlocksInFuncs(n.(*ast.BlockStmt)) })
	})
	t.Run("PerIterationLoopVars", func(t *testing.T) {
		checkRewrites(t, []rewriteCase{
			// The body's own copy, the idiom before Go 1.22, is the per-iteration copy.
			{name: "the body declares i := i",
				in:   "for i := 0; i < 3; i++ {\ni := i\ngo use(i)\n}",
				want: "for i := 0; i < 3; i++ {\ni := i\ngo use(i)\n}"},
			// The body changes a field of the variable, which assigns does not see: Go runs
			// 2 iterations, the copies 3.
			{name: "a change of the variable's field",
				in:   "for s := (S{}); s.n < 3; s.n++ {\ns.n++\nfs = append(fs, func() int { return s.n })\n}",
				want: "for s := (S{}); s.n < 3; s.n++ {\ns.n++\nfs = append(fs, func() int { return s.n })\n}"},
			// s.n++ in the body changes the loop's variable: no copy may hide it.
			{name: "a field of the variable assigned in the body",
				in:   "for s := (S{}); s.n < 2; {\ns.n++\ngo use(s)\n}",
				want: "for s := (S{}); s.n < 2; {\ns.n++\ngo use(s)\n}"},
		}, func(t *testing.T, n ast.Node) { PerIterationLoopVars(n) })
	})
}

// The literal InlineFloatConstants writes is the constant Go's math package declares
// (math/const.go's decimals, copied here), far beyond a float64's 17 digits.
func TestFloatLiteralIsThePackagesConstant(t *testing.T) {
	for name, decimal := range map[string]string{
		"Pi":    "3.14159265358979323846264338327950288419716939937510582097494459",
		"E":     "2.71828182845904523536028747135266249775724709369995957496696763",
		"Sqrt2": "1.41421356237309504880168872420969807856967187537694807317667974",
	} {
		v := StdlibSymbols()["math/math"][name].Interface().(constant.Value)
		got, _, err := big.ParseFloat(floatLiteral(v), 10, 512, big.ToNearestEven)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, _, _ := big.ParseFloat(decimal, 10, 512, big.ToNearestEven)
		diff := new(big.Float).Sub(got, want)
		diff.Quo(diff, want)
		if d, _ := diff.Float64(); math.Abs(d) > 1e-60 {
			t.Errorf("math.%s: the literal is %g away from Go's constant", name, d)
		}
	}
}
