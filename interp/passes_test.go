package interp

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"testing"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
	"github.com/gomatcalc/gomatcalc/interp/internal/gosrc"
)

// The notebook's passes, one at a time, then all of them as transform runs them: each
// case is a cell's declarations (a file) or statements (a block, wrapped as parseCell
// wraps them, with its /*line*/ directive), and the Go the pass makes of it. Texts are
// compared as gofmt prints their trees with every position dropped, so that layout does
// not count. Cases a pass gets wrong are in tables named knownWrong, with the Go that
// would be right; they are skipped unless GOMATCALC_KNOWN_WRONG=1.

type passCase struct {
	name     string
	decls    bool // in and want are declarations; else statements
	in, want string
	line     int // the cell's line the statements start on; 0: 1
}

// blockVarNumber is the number engine.BlockScopes puts in a block variable's name.
var blockVarNumber = regexp.MustCompile(engine.BlockVarPrefix + `\d+_`)

// passSource is the file a case's text stands for.
func passSource(text string, decls bool, line int) string {
	if decls {
		return "package main\n\n" + text + "\n"
	}
	if line == 0 {
		line = 1
	}
	return fmt.Sprintf("package main\n\nfunc %s() {/*line %s:%d:1*/%s\n}\n", stmtsFunc, engine.FileName, line, text)
}

func parsePassCase(t *testing.T, c passCase) (*token.FileSet, *ast.File, ast.Node) {
	t.Helper()
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, engine.FileName, passSource(c.in, c.decls, c.line), 0)
	if err != nil {
		t.Fatalf("parsing the input: %v\n%s", err, c.in)
	}
	if c.decls {
		return fset, f, f
	}
	return fset, f, f.Decls[0].(*ast.FuncDecl).Body
}

func printGo(t *testing.T, fset *token.FileSet, n any) string {
	t.Helper()
	text, err := gosrc.Print(fset, n)
	if err != nil {
		t.Fatalf("printing: %v", err)
	}
	return text
}

// sameFile compares a printed file with want, the source of a file.
func sameFile(t *testing.T, got, want string) {
	t.Helper()
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
		t.Errorf("got:\n%s\nwant:\n%s", got, gofmtNoComments(want))
	}
}

// gofmtNoComments is src as gofmt prints it, without its comments (the /*line*/
// directive), for messages.
func gofmtNoComments(src string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, 0)
	if err != nil {
		return src
	}
	var b bytes.Buffer
	if err := format.Node(&b, fset, f); err != nil {
		return src
	}
	return b.String()
}

func checkPass(t *testing.T, cases []passCase, apply func(n ast.Node, fset *token.FileSet, decls bool)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset, f, n := parsePassCase(t, c)
			apply(n, fset, c.decls)
			sameFile(t, printGo(t, fset, f), passSource(c.want, c.decls, c.line))
		})
	}
}

func knownWrongPass(t *testing.T, why string, cases []passCase, apply func(n ast.Node, fset *token.FileSet, decls bool)) {
	t.Helper()
	t.Run("knownWrong", func(t *testing.T) {
		if os.Getenv("GOMATCALC_KNOWN_WRONG") != "1" {
			t.Skip("known wrong: " + why)
		}
		checkPass(t, cases, apply)
	})
}

func pathsOf(m map[string]string) func(string) string {
	return func(name string) string { return m[name] }
}

func TestLaunches(t *testing.T) {
	// As transform does: defers at the top level of statements are the cell's.
	apply := func(n ast.Node, _ *token.FileSet, decls bool) { launches(n, !decls) }
	checkPass(t, []passCase{
		{name: "go f(x)",
			in: "go f(x)",
			want: `{
	_gomatcalcGo1 := f
	_gomatcalcrt.Go(_gomatcalcGo1, x)
}`},
		{name: "go with a function literal",
			in: "go func(i int) {\nwork(i)\n}(i)",
			want: `{
	_gomatcalcGo1 := func(i int) {
		work(i)
	}
	_gomatcalcrt.Go(_gomatcalcGo1, i)
}`},
		{name: "go close(ch): a builtin is no value",
			in: "go close(ch)",
			want: `{
	_gomatcalcGo1Arg0 := ch
	_gomatcalcGo1 := func() {
		close(_gomatcalcGo1Arg0)
	}
	_gomatcalcrt.Go(_gomatcalcGo1)
}`},
		{name: "a builtin's arguments are evaluated at once",
			in: "defer delete(m, key())",
			want: `{
	_gomatcalcDefer1Arg0 := m
	_gomatcalcDefer1Arg1 := key()
	_gomatcalcDefer1 := func() {
		delete(_gomatcalcDefer1Arg0, _gomatcalcDefer1Arg1)
	}
	_gomatcalcrt.Defer(_gomatcalcDefer1)
}`},
		{name: "a spread: GoSpread spreads the last argument",
			in: "go f(a, xs...)",
			want: `{
	_gomatcalcGo1 := f
	_gomatcalcrt.GoSpread(_gomatcalcGo1, a, xs)
}`},
		{name: "a top-level defer",
			in: "defer fmt.Println(\"bye\")",
			want: `{
	_gomatcalcDefer1 := fmt.Println
	_gomatcalcrt.Defer(_gomatcalcDefer1, "bye")
}`},
		{name: "a top-level defer with a spread",
			in: "defer f(xs...)",
			want: `{
	_gomatcalcDefer1 := f
	_gomatcalcrt.DeferSpread(_gomatcalcDefer1, xs)
}`},
		{name: "a method value",
			in: "go s.run(1)",
			want: `{
	_gomatcalcGo1 := s.run
	_gomatcalcrt.Go(_gomatcalcGo1, 1)
}`},
		{name: "an instantiated generic function",
			in: "go worker[int](1)",
			want: `{
	_gomatcalcGo1 := worker[int]
	_gomatcalcrt.Go(_gomatcalcGo1, 1)
}`},
		{name: "numbered on",
			in: "go f()\ndefer g()",
			want: `{
	_gomatcalcGo1 := f
	_gomatcalcrt.Go(_gomatcalcGo1)
}
{
	_gomatcalcDefer2 := g
	_gomatcalcrt.Defer(_gomatcalcDefer2)
}`},
		{name: "a defer in a top-level loop is the cell's",
			in: "for i := 0; i < 2; i++ {\ndefer use(i)\n}",
			want: `for i := 0; i < 2; i++ {
	{
		_gomatcalcDefer1 := use
		_gomatcalcrt.Defer(_gomatcalcDefer1, i)
	}
}`},
		{name: "in a function: go changes, defer stays", decls: true,
			in: "func f() {\ndefer mu.Unlock()\ngo g()\n}",
			want: `func f() {
	defer mu.Unlock()
	{
		_gomatcalcGo1 := g
		_gomatcalcrt.Go(_gomatcalcGo1)
	}
}`},
		{name: "a defer in a goroutine's literal stays",
			in: "go func() {\ndefer wg.Done()\nwork()\n}()",
			want: `{
	_gomatcalcGo1 := func() {
		defer wg.Done()
		work()
	}
	_gomatcalcrt.Go(_gomatcalcGo1)
}`},
		// The outer go is numbered after the inner one, so both are _gomatcalcGo2: the
		// inner is in a block of its own, which is all Go needs.
		{name: "a go in a go's argument",
			in: "go f(func() {\ngo g()\n})",
			want: `{
	_gomatcalcGo2 := f
	_gomatcalcrt.Go(_gomatcalcGo2, func() {
		{
			_gomatcalcGo2 := g
			_gomatcalcrt.Go(_gomatcalcGo2)
		}
	})
}`},
	}, apply)
	knownWrongPass(t, "launches takes the function as a value", []passCase{
		// A generic function is no value until instantiated: "cannot use generic function
		// worker without instantiation" (the session: "reflect: call of MakeFunc with
		// non-Func type"). Called in a literal, as builtins are, it is inferred.
		{name: "a generic function", decls: true,
			in: "func worker[T any](x T) {}\nfunc start() {\ngo worker(1)\n}",
			want: `func worker[T any](x T) {}
func start() {
	{
		_gomatcalcGo1Arg0 := 1
		_gomatcalcGo1 := func() {
			worker(_gomatcalcGo1Arg0)
		}
		_gomatcalcrt.Go(_gomatcalcGo1)
	}
}`},
	}, apply)
}

func TestDepthGuards(t *testing.T) {
	apply := func(n ast.Node, _ *token.FileSet, _ bool) { depthGuards(n) }
	checkPass(t, []passCase{
		{name: "a recursive function", decls: true,
			in: "func fib(n int) int {\nif n < 2 {\nreturn n\n}\nreturn fib(n-1) + fib(n-2)\n}",
			want: `func fib(n int) (_gomatcalcR0 int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("fib")
	}
	if n < 2 {
		{
			_gomatcalcR0 = n
			_gomatcalcDepth--
			return
		}
	}
	{
		_gomatcalcR0 = fib(n-1) + fib(n-2)
		_gomatcalcDepth--
		return
	}
}`},
		{name: "a function that declares a variable stays where it is", decls: true,
			in: "func f(n int) int {\nm := n - 1\nreturn f(m)\n}",
			want: `func f(n int) (_gomatcalcR0 int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("f")
	}
	m := n - 1
	{
		_gomatcalcR0 = f(m)
		_gomatcalcDepth--
		return
	}
}`},
		{name: "named results become locals, a shadowed one too", decls: true,
			in: "func load() (n int, err error) {\nif err := g(); err != nil {\nreturn 0, err\n}\nn = 3\nreturn\n}",
			want: `func load() (_gomatcalcR0 int, _gomatcalcR1 error) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("load")
	}
	var n int
	var err error
	if err := g(); err != nil {
		{
			_gomatcalcR0 = 0
			_gomatcalcR1 = err
			_gomatcalcDepth--
			return
		}
	}
	n = 3
	{
		_gomatcalcR0 = n
		_gomatcalcR1 = err
		_gomatcalcDepth--
		return
	}
}`},
		{name: "several values: those that call first, as gc evaluates them", decls: true,
			in: "func f(n int) (int, int, error) {\nreturn n, f2(n), nil\n}",
			want: "func f(n int) (_gomatcalcR0 int, _gomatcalcR1 int, _gomatcalcR2 error) {\n_gomatcalcDepth++\nif _gomatcalcDepth > 50000 {\n_gomatcalcrt.Overflowing(\"f\")\n}\n" +
				"{\n_gomatcalcR1 = f2(n)\n_gomatcalcR0 = n\n_gomatcalcR2 = nil\n_gomatcalcDepth--\nreturn\n}\n}"},
		{name: "a blank result name", decls: true,
			in: "func f() (_ int, err error) {\nerr = g()\nreturn\n}",
			want: `func f() (_gomatcalcR0 int, _gomatcalcR1 error) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("f")
	}
	var err error
	err = g()
	{
		_gomatcalcR1 = err
		_gomatcalcDepth--
		return
	}
}`},
		{name: "a call's several results", decls: true,
			in: "func pair(n int) (int, error) {\nreturn pair(n + 1)\n}",
			want: `func pair(n int) (_gomatcalcR0 int, _gomatcalcR1 error) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("pair")
	}
	{
		_gomatcalcR0, _gomatcalcR1 = pair(n + 1)
		_gomatcalcDepth--
		return
	}
}`},
		{name: "no results: a return, and the end", decls: true,
			in: "func walk(n int) {\nif n == 0 {\nreturn\n}\nwalk(n - 1)\n}",
			want: `func walk(n int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("walk")
	}
	if n == 0 {
		{
			_gomatcalcDepth--
			return
		}
	}
	walk(n - 1)
	_gomatcalcDepth--
}`},
		{name: "a method of a generic type", decls: true,
			in: "func (l *List[T]) Len() int {\nif l == nil {\nreturn 0\n}\nreturn 1 + l.next.Len()\n}",
			want: `func (l *List[T]) Len() (_gomatcalcR0 int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("Len")
	}
	if l == nil {
		{
			_gomatcalcR0 = 0
			_gomatcalcDepth--
			return
		}
	}
	{
		_gomatcalcR0 = 1 + l.next.Len()
		_gomatcalcDepth--
		return
	}
}`},
		{name: "a function literal", decls: false,
			in: "g = func(n int) int { return g(n) }",
			want: `g = func(n int) (_gomatcalcR0 int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("a function literal")
	}
	{
		_gomatcalcR0 = g(n)
		_gomatcalcDepth--
		return
	}
}`},
		{name: "a literal in a guarded function keeps its returns", decls: true,
			in: "func outer() int {\ninner := func() int {\nreturn g()\n}\nreturn inner()\n}",
			want: `func outer() (_gomatcalcR0 int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("outer")
	}
	inner := func() (_gomatcalcR0 int) {
		_gomatcalcDepth++
		if _gomatcalcDepth > 50000 {
			_gomatcalcrt.Overflowing("a function literal")
		}
		{
			_gomatcalcR0 = g()
			_gomatcalcDepth--
			return
		}
	}
	{
		_gomatcalcR0 = inner()
		_gomatcalcDepth--
		return
	}
}`},
		{name: "no call stays", decls: true,
			in:   "func sq(x float64) float64 { return x * x }",
			want: "func sq(x float64) float64 { return x * x }"},
		{name: "calls of packages, builtins and conversions stay", decls: true,
			in:   "func f(s []int) int {\nfmt.Println(s)\nreturn len(s) + int(float64(cap(s)))\n}",
			want: "func f(s []int) int {\nfmt.Println(s)\nreturn len(s) + int(float64(cap(s)))\n}"},
		{name: "calls of the session's own stay", decls: true,
			in:   "func f(x int) any { return _gomatcalcShow(x) }",
			want: "func f(x int) any { return _gomatcalcShow(x) }"},
		{name: "a function literal without plain calls stays",
			in:   "f := func(x float64) float64 { return math.Sin(x) }",
			want: "f := func(x float64) float64 { return math.Sin(x) }"},
		{name: "a function without a body stays", decls: true,
			in:   "func ext(x int) int",
			want: "func ext(x int) int"},
		// Go allows several func init; init cannot be called, so it cannot recurse: it
		// needs no guard.
		{name: "two func init", decls: true,
			in:   "func init() {\na()\n}\nfunc init() {\nb()\n}",
			want: "func init() {\na()\n}\nfunc init() {\nb()\n}"},
	}, apply)
}

func TestRestoringGuards(t *testing.T) {
	// A function with a defer of its own may recover a panic that skipped the decrements
	// of the functions it called: its guard sets the depth back in a deferred call. With
	// variables, its body moves to a function of its own (a yaegi bug, see depthGuards);
	// guardFunctions(n, true) moves every one of them here.
	apply := func(n ast.Node, _ *token.FileSet, _ bool) { guardFunctions(n, true) }
	checkPass(t, []passCase{
		{name: "a recursive function", decls: true,
			in: "func fib(n int) int {\ndefer done()\nif n < 2 {\nreturn n\n}\nreturn fib(n-1) + fib(n-2)\n}",
			want: `func fib(n int) int {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("fib")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return _gomatcalcBody_fib(n)
}
func _gomatcalcBody_fib(n int) int {
	defer done()
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}`},
		{name: "unnamed parameters", decls: true,
			in: "func f(int, string) {\ndefer done()\ng()\n}",
			want: `func f(_gomatcalcArg0 int, _gomatcalcArg1 string) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("f")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	_gomatcalcBody_f(_gomatcalcArg0, _gomatcalcArg1)
}
func _gomatcalcBody_f(int, string) {
	defer done()
	g()
}`},
		{name: "blank parameters", decls: true,
			in: "func f(_ int, s, _ string) {\ndefer done()\ng(s)\n}",
			want: `func f(_gomatcalcArg0 int, s, _gomatcalcArg2 string) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("f")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	_gomatcalcBody_f(_gomatcalcArg0, s, _gomatcalcArg2)
}
func _gomatcalcBody_f(_ int, s, _ string) {
	defer done()
	g(s)
}`},
		{name: "a parameter named int", decls: true,
			in: "func f(int, _ string) {\ndefer done()\ng()\n}",
			want: `func f(int, _gomatcalcArg1 string) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("f")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	_gomatcalcBody_f(int, _gomatcalcArg1)
}
func _gomatcalcBody_f(int, _ string) {
	defer done()
	g()
}`},
		{name: "variadic", decls: true,
			in: "func sum(xs ...int) int {\ndefer done()\nif len(xs) == 0 {\nreturn 0\n}\nreturn xs[0] + sum(xs[1:]...)\n}",
			want: `func sum(xs ...int) int {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("sum")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return _gomatcalcBody_sum(xs...)
}
func _gomatcalcBody_sum(xs ...int) int {
	defer done()
	if len(xs) == 0 {
		return 0
	}
	return xs[0] + sum(xs[1:]...)
}`},
		{name: "generic", decls: true,
			in: "func gsum[T int | float64](xs []T) T {\ndefer done()\nif len(xs) == 0 {\nvar z T\nreturn z\n}\nreturn xs[0] + gsum(xs[1:])\n}",
			want: `func gsum[T int | float64](xs []T) T {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("gsum")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return _gomatcalcBody_gsum[T](xs)
}
func _gomatcalcBody_gsum[T int | float64](xs []T) T {
	defer done()
	if len(xs) == 0 {
		var z T
		return z
	}
	return xs[0] + gsum(xs[1:])
}`},
		{name: "generic and variadic, two type parameters", decls: true,
			in: "func apply[K comparable, V any](f func(K) V, ks ...K) []V {\ndefer done()\nvar out []V\nfor _, k := range ks {\nout = append(out, f(k))\n}\nreturn out\n}",
			want: `func apply[K comparable, V any](f func(K) V, ks ...K) []V {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("apply")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return _gomatcalcBody_apply[K, V](f, ks...)
}
func _gomatcalcBody_apply[K comparable, V any](f func(K) V, ks ...K) []V {
	defer done()
	var out []V
	for _, k := range ks {
		out = append(out, f(k))
	}
	return out
}`},
		{name: "a method calling itself", decls: true,
			in: "func (t *Tree) Sum() int {\ndefer done()\nif t == nil {\nreturn 0\n}\nreturn t.Val + t.Left.Sum() + t.Right.Sum()\n}",
			want: `func (t *Tree) Sum() int {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("Sum")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return t._gomatcalcBody_Sum()
}
func (t *Tree) _gomatcalcBody_Sum() int {
	defer done()
	if t == nil {
		return 0
	}
	return t.Val + t.Left.Sum() + t.Right.Sum()
}`},
		{name: "a method with an unnamed receiver", decls: true,
			in: "func (*Tree) Reset() {\ndefer done()\nreset()\n}",
			want: `func (_gomatcalcRecv *Tree) Reset() {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("Reset")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	_gomatcalcRecv._gomatcalcBody_Reset()
}
func (*Tree) _gomatcalcBody_Reset() {
	defer done()
	reset()
}`},
		{name: "a method of a generic type", decls: true,
			in: "func (l *List[T]) Len() int {\ndefer done()\nif l == nil {\nreturn 0\n}\nreturn 1 + l.next.Len()\n}",
			want: `func (l *List[T]) Len() int {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("Len")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return l._gomatcalcBody_Len()
}
func (l *List[T]) _gomatcalcBody_Len() int {
	defer done()
	if l == nil {
		return 0
	}
	return 1 + l.next.Len()
}`},
		{name: "a variadic method", decls: true,
			in: "func (s *Set) Add(xs ...int) {\ndefer done()\nif len(xs) > 1 {\ns.Add(xs[1:]...)\n}\n}",
			want: `func (s *Set) Add(xs ...int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("Add")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	s._gomatcalcBody_Add(xs...)
}
func (s *Set) _gomatcalcBody_Add(xs ...int) {
	defer done()
	if len(xs) > 1 {
		s.Add(xs[1:]...)
	}
}`},
		{name: "named results", decls: true,
			in: "func div(a, b int) (q, r int) {\ndefer done()\nq, r = divmod(a, b)\nreturn\n}",
			want: `func div(a, b int) (q, r int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("div")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return _gomatcalcBody_div(a, b)
}
func _gomatcalcBody_div(a, b int) (q, r int) {
	defer done()
	q, r = divmod(a, b)
	return
}`},
		{name: "a function literal",
			in: "f := func(n int) {\ndefer done()\ng(n)\n}",
			want: `f := func(n int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("a function literal")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	func(n int) {
		defer done()
		g(n)
	}(n)
}`},
		{name: "a function literal with a result and an unnamed parameter",
			in: "h := func(x float64, _ int) float64 {\ndefer done()\nreturn k(x) * 2\n}",
			want: `h := func(x float64, _gomatcalcArg1 int) float64 {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("a function literal")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return func(x float64, _ int) float64 {
		defer done()
		return k(x) * 2
	}(x, _gomatcalcArg1)
}`},
		{name: "recursion through a variable",
			in: "fact = func(n int) int {\ndefer done()\nif n == 0 {\nreturn 1\n}\nreturn n * fact(n-1)\n}",
			want: `fact = func(n int) int {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("a function literal")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	return func(n int) int {
		defer done()
		if n == 0 {
			return 1
		}
		return n * fact(n-1)
	}(n)
}`},
	}, apply)
	inline := func(n ast.Node, _ *token.FileSet, _ bool) { depthGuards(n) }
	checkPass(t, []passCase{
		{name: "without variables the guard is inline", decls: true,
			in: "func f(n int) int {\ndefer done()\nreturn f(n)\n}",
			want: `func f(n int) int {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("f")
	}
	defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
	defer done()
	return f(n)
}`},
		{name: "a defer in a literal is the literal's: the function counts, the literal restores", decls: true,
			in: "func f(n int) {\ng := func() {\ndefer done()\n}\nf(n)\n}",
			want: `func f(n int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("f")
	}
	g := func() {
		_gomatcalcDepth++
		if _gomatcalcDepth > 50000 {
			_gomatcalcrt.Overflowing("a function literal")
		}
		defer _gomatcalcRestoreDepth(_gomatcalcDepth - 1)
		defer done()
	}
	f(n)
	_gomatcalcDepth--
}`},
	}, inline)
}

func TestDisplayArgs(t *testing.T) {
	path := pathsOf(map[string]string{"display": displayPath, "d": displayPath, "plot": "gonum.org/v1/plot"})
	apply := func(n ast.Node, _ *token.FileSet, _ bool) { displayArgs(n, path) }
	checkPass(t, []passCase{
		{name: "display.Value",
			in:   "display.Value(x)",
			want: "display.Value(_gomatcalcShow(x))"},
		{name: "display.Show",
			in:   "h := display.Show(m)",
			want: "h := display.Show(_gomatcalcShow(m))"},
		{name: "an import alias",
			in:   "d.Show(x)",
			want: "d.Show(_gomatcalcShow(x))"},
		{name: "nested",
			in:   "display.Show(display.Value(x))",
			want: "display.Show(_gomatcalcShow(display.Value(_gomatcalcShow(x))))"},
		{name: "two arguments or a spread stay",
			in:   "display.Value(x, y)\ndisplay.Show(xs...)",
			want: "display.Value(x, y)\ndisplay.Show(xs...)"},
		{name: "other functions of display stay",
			in:   "display.HTML(s)",
			want: "display.HTML(s)"},
		{name: "another package's Show stays",
			in:   "plot.Show(x)",
			want: "plot.Show(x)"},
		{name: "a name that is no package stays",
			in:   "h.Show(x)",
			want: "h.Show(x)"},
		{name: "in a function", decls: true,
			in:   "func render(v T) { display.Show(v) }",
			want: "func render(v T) { display.Show(_gomatcalcShow(v)) }"},
	}, apply)
	knownWrongPass(t, "displayArgs does not see local names", []passCase{
		// A parameter named display hides the package.
		{name: "a parameter named as the package", decls: true,
			in:   "func render(display *Panel, x int) { display.Show(x) }",
			want: "func render(display *Panel, x int) { display.Show(x) }"},
	}, apply)
}

func TestMakeGuards(t *testing.T) {
	apply := func(n ast.Node, _ *token.FileSet, _ bool) { makeGuards(n) }
	checkPass(t, []passCase{
		{name: "a length",
			in:   "s := make([]int, n)",
			want: "s := make([]int, _gomatcalcrt.Len(n, *new(int)))"},
		{name: "a length and a capacity",
			in:   "s := make([]float64, n, 2*n)",
			want: "s := make([]float64, _gomatcalcrt.Len(n, *new(float64)), _gomatcalcrt.Len(2*n, *new(float64)))"},
		{name: "a constant length",
			in:   "s := make([]int, 0)",
			want: "s := make([]int, _gomatcalcrt.Len(0, *new(int)))"},
		{name: "slices of slices and structs",
			in:   "a := make([][]float64, n)\nb := make([]struct{ x, y int }, n)",
			want: "a := make([][]float64, _gomatcalcrt.Len(n, *new([]float64)))\nb := make([]struct{ x, y int }, _gomatcalcrt.Len(n, *new(struct{ x, y int })))"},
		{name: "nested",
			in:   "s := make([]int, len(make([]int, n)))",
			want: "s := make([]int, _gomatcalcrt.Len(len(make([]int, _gomatcalcrt.Len(n, *new(int)))), *new(int)))"},
		{name: "a type parameter", decls: true,
			in:   "func zeros[T any](n int) []T { return make([]T, n) }",
			want: "func zeros[T any](n int) []T { return make([]T, _gomatcalcrt.Len(n, *new(T))) }"},
		{name: "maps and channels stay",
			in:   "m := make(map[string]int, n)\nch := make(chan int, n)",
			want: "m := make(map[string]int, n)\nch := make(chan int, n)"},
		// Not guarded: the type's name does not say it is a slice.
		{name: "a named slice type stays",
			in:   "v := make(Vec, n)",
			want: "v := make(Vec, n)"},
	}, apply)
}

// dropInnerMarkers removes the line markers that are not the top-level ones
// (_gomatcalcLine = n alone).
func dropInnerMarkers(n ast.Node) {
	isInner := func(st ast.Stmt) bool {
		as, ok := st.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 {
			return false
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		return ok && id.Name == lineVar
	}
	drop := func(list []ast.Stmt) []ast.Stmt {
		var out []ast.Stmt
		for _, st := range list {
			if !isInner(st) {
				out = append(out, st)
			}
		}
		return out
	}
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.BlockStmt:
			m.List = drop(m.List)
		case *ast.CaseClause:
			m.Body = drop(m.Body)
		case *ast.CommClause:
			m.Body = drop(m.Body)
		}
		return true
	})
}

func TestLineMarkers(t *testing.T) {
	apply := func(n ast.Node, fset *token.FileSet, _ bool) {
		lineMarkers(n, fset, 0, func(name string) bool { return name == "fib" })
	}
	checkPass(t, []passCase{
		{name: "each top-level statement",
			in:   "x := 1\nfmt.Println(x)",
			want: "_gomatcalcLine, _gomatcalcTopLine = 1, 1\nx := 1\n_gomatcalcLine, _gomatcalcTopLine = 2, 2\nfmt.Println(x)"},
		{name: "a statement of several lines, and what can panic in its block",
			in:   "for i := 0; i < 2; i++ {\nfmt.Println(i)\n}\ny := 2",
			want: "_gomatcalcLine, _gomatcalcTopLine = 1, 1\nfor i := 0; i < 2; i++ {\n_gomatcalcLine = 2\nfmt.Println(i)\n}\n_gomatcalcLine, _gomatcalcTopLine = 4, 4\ny := 2"},
		{name: "a call of a function the session declared marks nothing: it marks itself", decls: true,
			in:   "func f(n int, s []int) int {\nx := fib(n) + fib(n-1)\ny := g(x)\nreturn s[x] + y\n}",
			want: "func f(n int, s []int) int {\nx := fib(n) + fib(n-1)\n_gomatcalcLine = 5\ny := g(x)\n_gomatcalcLine = 6\nreturn s[x] + y\n}"},
		{name: "two statements on a line",
			in:   "a := 1; b := 2",
			want: "_gomatcalcLine, _gomatcalcTopLine = 1, 1\na := 1\n_gomatcalcLine, _gomatcalcTopLine = 1, 1\nb := 2"},
		{name: "a label stays on its statement",
			in:   "L:\nfor {\nbreak L\n}",
			want: "_gomatcalcLine, _gomatcalcTopLine = 1, 1\nL:\nfor {\nbreak L\n}"},
		{name: "statements from the cell's third line",
			in:   "x := 1\nx++",
			want: "_gomatcalcLine, _gomatcalcTopLine = 3, 3\nx := 1\n_gomatcalcLine, _gomatcalcTopLine = 4, 4\nx++",
			line: 3},
		{name: "in a function: only what can panic",
			in:    "func f(a []float64, n int) float64 {\ns := 0.0\nfor i := 0; i < n; i++ {\ns += a[i]\ns *= 0.5\n}\nreturn s / float64(n)\n}",
			want:  "func f(a []float64, n int) float64 {\ns := 0.0\n_gomatcalcLine = 5\nfor i := 0; i < n; i++ {\n_gomatcalcLine = 6\ns += a[i]\ns *= 0.5\n}\n_gomatcalcLine = 9\nreturn s / float64(n)\n}",
			decls: true},
		{name: "case clauses and a function literal",
			in:    "func g(k int) {\nswitch k {\ncase 1:\nh(k)\n}\n_ = func() { panic(k) }\n}",
			want:  "func g(k int) {\n_gomatcalcLine = 4\nswitch k {\ncase 1:\n_gomatcalcLine = 6\nh(k)\n}\n_gomatcalcLine = 8\n_ = func() {\n_gomatcalcLine = 8\npanic(k)\n}\n}",
			decls: true},
	}, apply)
}

func TestLastExpression(t *testing.T) {
	cases := []struct {
		in   string
		want []string // the ways of showing the last expression; nil: none
	}{
		{"x := 2\nx * 3", []string{"_gomatcalcrt.Values(_gomatcalcShow(x * 3))", "_gomatcalcrt.Values(x * 3)"}},
		{"f()", []string{"_gomatcalcrt.Values(_gomatcalcShow(f()))", "_gomatcalcrt.Values(f())"}},
		{"strconv.Atoi(\"1\")", []string{"_gomatcalcrt.Values(_gomatcalcShow(strconv.Atoi(\"1\")))", "_gomatcalcrt.Values(strconv.Atoi(\"1\"))"}},
		{"math.Sqrt(2)", []string{"_gomatcalcrt.Values(_gomatcalcShow(math.Sqrt(2)))", "_gomatcalcrt.Values(math.Sqrt(2))"}},
		{"fmt.Println(1)", nil},
		{"fmt.Printf(\"%d\", 1)", nil},
		{"fmt.Fprintln(w, 1)", nil},
		{"sb.WriteString(\"x\")", nil},
		{"w.Write(p)", nil},
		{"x := 1", nil},
		{"if x {\n}", nil},
		{"", nil},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			fset, _, n := parsePassCase(t, passCase{in: c.in})
			last := lastExpression(n.(*ast.BlockStmt))
			if last == nil {
				if c.want != nil {
					t.Errorf("no last expression, want %q", c.want)
				}
				return
			}
			if c.want == nil {
				t.Fatalf("last expression %s, want none", printGo(t, fset, last.X))
			}
			ways := showing(last.X)
			if len(ways) != len(c.want) {
				t.Fatalf("%d ways of showing, want %d", len(ways), len(c.want))
			}
			for i, w := range ways {
				got := "package main\nvar _ = " + printGo(t, fset, w)
				sameFile(t, got, "package main\nvar _ = "+c.want[i])
			}
		})
	}
}

// unitWant is one unit of a cell after transform.
type unitWant struct {
	decls bool
	text  string
}

func declsOf(text string) unitWant { return unitWant{decls: true, text: text} }
func stmtsOf(text string) unitWant { return unitWant{text: text} }

// TestTransform runs every pass as transform does (the engine's, then the notebook's) on
// whole cells: the rewrites compose.
func TestTransform(t *testing.T) {
	cases := []struct {
		name, cell string
		want       []unitWant
		shown      bool // the last unit's value is the cell's
	}{
		{name: "go f(make([]int, n))",
			cell: "go f(make([]int, n))",
			want: []unitWant{stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 1, 1
{
	_gomatcalcGo1 := f
	_gomatcalcrt.Go(_gomatcalcGo1, make([]int, _gomatcalcrt.Len(n, *new(int))))
}`)}},
		{name: "defer fmt.Println(min(1.5, 2.0))",
			cell: "defer fmt.Println(min(1.5, 2.0))\nfmt.Println(\"first\")",
			want: []unitWant{stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 1, 1
{
	_gomatcalcDefer1 := fmt.Println
	_gomatcalcrt.Defer(_gomatcalcDefer1, (1.5))
}
_gomatcalcLine, _gomatcalcTopLine = 2, 2
fmt.Println("first")`)}},
		{name: "go worker(slices.Clone(a))",
			cell: "import \"slices\"\nfunc worker(x []int) { fmt.Println(x) }\na := []int{1}\ngo worker(slices.Clone(a))",
			want: []unitWant{
				declsOf("import \"slices\""),
				declsOf("func worker(x []int) { fmt.Println(x) }"),
				stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 3, 3
a := []int{1}
_gomatcalcLine, _gomatcalcTopLine = 4, 4
{
	_gomatcalcGo1 := worker
	_gomatcalcrt.Go(_gomatcalcGo1, _gomatcalc_slices_Clone(a))
}`)}},
		{name: "go close(ch)",
			cell: "ch := make(chan int)\ngo close(ch)",
			want: []unitWant{stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 1, 1
ch := make(chan int)
_gomatcalcLine, _gomatcalcTopLine = 2, 2
{
	_gomatcalcGo1Arg0 := ch
	_gomatcalcGo1 := func() {
		close(_gomatcalcGo1Arg0)
	}
	_gomatcalcrt.Go(_gomatcalcGo1)
}`)}},
		{name: "an import alias: s.Sort",
			cell: "import s \"slices\"\nq := []int{3, 1}\ns.Sort(q)\nq",
			want: []unitWant{
				declsOf("import s \"slices\""),
				stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 2, 2
q := []int{3, 1}
_gomatcalcLine, _gomatcalcTopLine = 3, 3
_gomatcalc_slices_Sort(q)
_gomatcalcLine, _gomatcalcTopLine = 4, 4
q`)}, shown: true},
		{name: "math.Pi and a float32",
			cell: "var x32 float32 = 2\ny := min(math.Pi, x32)",
			want: []unitWant{
				declsOf("var x32 float32 = 2"),
				stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 2, 2
y := min(x32, (3.141592653589793238462643383279502884197169399375105820974944594789982923695636))`)}},
		{name: "a pasted program runs its main once",
			cell: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"hi\")\n}",
			want: []unitWant{
				declsOf("import \"fmt\""),
				declsOf("func _gomatcalcMain() {\n\tfmt.Println(\"hi\")\n}"),
				stmtsOf("_gomatcalcMain()")}},
		// A block's variable at the top level gets a name of its own (engine.BlockScopes).
		{name: "a loop's goroutines get their own variable",
			cell: "for i := 0; i < 3; i++ {\ngo func() { fmt.Println(i) }()\n}",
			want: []unitWant{stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 1, 1
for _gomatcalcLoop__gomatcalcB0_1_i := 0; _gomatcalcLoop__gomatcalcB0_1_i < 3; _gomatcalcLoop__gomatcalcB0_1_i++ {
	_gomatcalcB0_1_i := _gomatcalcLoop__gomatcalcB0_1_i
	{
		_gomatcalcGo1 := func() { fmt.Println(_gomatcalcB0_1_i) }
		_gomatcalcrt.Go(_gomatcalcGo1)
	}
}`)}},
		// The defer is the cell's before BlocksInFuncs moves the if into a literal: it
		// still runs when the cell ends.
		{name: "a defer in a block that moves into a function",
			cell: "m := map[string]int{\"k\": 1}\nif v, ok := m[\"k\"]; ok {\ndefer fmt.Println(v)\n}\nfmt.Println(\"first\")",
			// The literal uses m: it is made by a function compiled after m's
			// statement (engine.LiftFuncLits), so the block is split there.
			want: []unitWant{stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 1, 1
m := map[string]int{"k": 1}
_gomatcalcLine, _gomatcalcTopLine = 2, 2`), declsOf(`func _gomatcalcLit1() func() {
	return func() {
		if _gomatcalcB0_1_v, _gomatcalcB0_2_ok := m["k"]; _gomatcalcB0_2_ok {
			{
				_gomatcalcDefer1 := fmt.Println
				_gomatcalcrt.Defer(_gomatcalcDefer1, _gomatcalcB0_1_v)
			}
		}
	}
}`), stmtsOf(`_gomatcalcLit1()()
_gomatcalcLine, _gomatcalcTopLine = 5, 5
fmt.Println("first")`)}},
		// The return is a panic before BlocksInFuncs looks for returns: the literal
		// passes it on, and the cell ends.
		{name: "a return in a block that moves into a function",
			cell: "m := map[string]int{}\nif _, ok := m[\"k\"]; !ok {\nreturn\n}\nfmt.Println(\"found\")",
			want: []unitWant{stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 1, 1
m := map[string]int{}
_gomatcalcLine, _gomatcalcTopLine = 2, 2`), declsOf(`func _gomatcalcLit1() func() {
	return func() {
		if _, _gomatcalcB0_1_ok := m["k"]; !_gomatcalcB0_1_ok {
			panic("_gomatcalc: return from the cell")
		}
	}
}`), stmtsOf(`_gomatcalcLit1()()
_gomatcalcLine, _gomatcalcTopLine = 5, 5
fmt.Println("found")`)}},
		{name: "a recursive function that prints",
			cell: "func fact(n int) int {\nif n == 0 {\nreturn 1\n}\nreturn n * fact(n-1)\n}\nprintln(fact(3))",
			want: []unitWant{
				declsOf(`func fact(n int) (_gomatcalcR0 int) {
	_gomatcalcDepth++
	if _gomatcalcDepth > 50000 {
		_gomatcalcrt.Overflowing("fact")
	}
	if n == 0 {
		{
			_gomatcalcR0 = 1
			_gomatcalcDepth--
			return
		}
	}
	{
		_gomatcalcR0 = n * fact(n-1)
		_gomatcalcDepth--
		return
	}
}`),
				stmtsOf("_gomatcalcLine, _gomatcalcTopLine = 7, 7\n_gomatcalcengine.Println(fact(3))")}, shown: true},
		{name: "a display of a value in a loop with a swap",
			cell: "a, b := 1, 2\nfor i := range 2 {\na, b = b, next(a)\ndisplay.Show(i)\n}",
			want: []unitWant{stmtsOf(`_gomatcalcLine, _gomatcalcTopLine = 1, 1
a, b := 1, 2
_gomatcalcLine, _gomatcalcTopLine = 2, 2
for _gomatcalcB0_1_i := range 2 {
	{
		_gomatcalcV1, _gomatcalcV2 := b, next(a)
		a, b = _gomatcalcV1, _gomatcalcV2
	}
	display.Show(_gomatcalcShow(_gomatcalcB0_1_i))
}`)}},
	}
	s := newSession(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset := s.engine.FileSet()
			cl, errs := parseCell(fset, c.cell)
			if len(errs) > 0 {
				t.Fatalf("parseCell: %v", errs)
			}
			defer s.engine.Forget(cl.file)
			if err := s.transform(cl); err != nil {
				t.Fatalf("transform: %v", err)
			}
			if len(cl.units) != len(c.want) {
				t.Fatalf("%d units, want %d", len(cl.units), len(c.want))
			}
			for i, u := range cl.units {
				w := c.want[i]
				// The markers inside blocks and functions are TestLineMarkers'; here
				// the cell's top-level ones stand for them.
				dropInnerMarkers(u.node())
				if (u.kind == stmtUnit) == w.decls {
					t.Errorf("unit %d: kind %d, want declarations: %v", i, u.kind, w.decls)
					continue
				}
				var got string
				if u.kind == stmtUnit {
					holder := &ast.File{Name: ast.NewIdent("main"), Decls: []ast.Decl{&ast.FuncDecl{
						Name: ast.NewIdent(stmtsFunc), Type: &ast.FuncType{Params: &ast.FieldList{}}, Body: u.block}}}
					got = printGo(t, fset, holder)
				} else {
					got = printGo(t, fset, u.file)
				}
				want := "package main\n\n" + w.text + "\n"
				if !w.decls {
					want = "package main\n\nfunc " + stmtsFunc + "() {\n" + w.text + "\n}\n"
				}
				// A block variable's name has a number of the cell's text: B0 here.
				sameFile(t, blockVarNumber.ReplaceAllString(got, engine.BlockVarPrefix+"0_"), want)
			}
			if last := cl.units[len(cl.units)-1]; last.shown != c.shown {
				t.Errorf("the last unit is shown: %v, want %v", last.shown, c.shown)
			}
		})
	}
}
