package engine

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"os"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// Each TestBug runs plain yaegi v0.16.1 (interp.New with Go's standard library and none
// of the engine) on the smallest program that shows one bug the engine works around, and
// asserts that the bug is still there. When yaegi does as Go does, the test fails and says
// which workaround to delete. The programs are handed to yaegi as the engine hands it a
// unit: a file of declarations or a block of statements, through CompileAST and Execute.
// TestYaegiPrivateFields and TestYaegiPanicFrames check what the engine reads of yaegi's
// unexported state and of its output.

// plain is an interpreter as yaegi comes.
type plain struct {
	i              *interp.Interpreter
	stdout, stderr bytes.Buffer
}

func newPlain(t *testing.T) *plain {
	t.Helper()
	p := &plain{}
	p.i = interp.New(interp.Options{Stdout: &p.stdout, Stderr: &p.stderr})
	if err := p.i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	return p
}

// outcome is what yaegi made of one unit.
type outcome struct {
	value    reflect.Value
	err      error // the compile error, or the run's (a panic is an interp.Panic)
	panicked any   // what the compiler panicked with
	ran      bool
}

func (o outcome) String() string {
	switch {
	case o.panicked != nil:
		return fmt.Sprintf("compiler panic %q", fmt.Sprint(o.panicked))
	case o.err != nil && !o.ran:
		return fmt.Sprintf("compile error %q", o.err)
	case o.err != nil:
		return fmt.Sprintf("run error %q", o.err)
	case o.value.IsValid() && o.value.CanInterface():
		return fmt.Sprintf("value %#v", o.value.Interface())
	}
	return "no value"
}

// is reports whether the unit ran without error to the value want.
func (o outcome) is(want any) bool {
	return o.ran && o.err == nil && o.value.IsValid() && o.value.CanInterface() && reflect.DeepEqual(o.value.Interface(), want)
}

// failed reports whether the unit did not compile or panicked, with msg in the message.
func (o outcome) failed(msg string) bool {
	text := fmt.Sprint(o.panicked)
	if o.err != nil {
		text += " " + o.err.Error()
	}
	return (o.panicked != nil || o.err != nil) && strings.Contains(text, msg)
}

// decls compiles and runs src as a file of declarations.
func (p *plain) decls(t *testing.T, src string) outcome {
	t.Helper()
	f, err := parser.ParseFile(p.i.FileSet(), interp.DefaultSourceName, "package main\n"+src, 0)
	if err != nil {
		t.Fatalf("parsing %q: %v", src, err)
	}
	return p.unit(f)
}

// stmts compiles and runs src as a block of statements at the top level.
func (p *plain) stmts(t *testing.T, src string) outcome {
	t.Helper()
	f, err := parser.ParseFile(p.i.FileSet(), interp.DefaultSourceName, "package main\nfunc _() {\n"+src+"\n}", 0)
	if err != nil {
		t.Fatalf("parsing %q: %v", src, err)
	}
	return p.unit(f.Decls[0].(*ast.FuncDecl).Body)
}

// must runs a unit that has to work for the test to mean anything.
func (p *plain) must(t *testing.T, o outcome, src string) {
	t.Helper()
	if !o.ran || o.err != nil {
		t.Fatalf("plain yaegi on %q: %v", src, o)
	}
}

func (p *plain) unit(n ast.Node) (o outcome) {
	var prog *interp.Program
	func() {
		defer func() { o.panicked = recover() }()
		prog, o.err = p.i.CompileAST(n)
	}()
	if o.panicked != nil || o.err != nil {
		return o
	}
	o.value, o.err = p.i.Execute(prog)
	o.ran = true
	return o
}

// gone reports a bug that is no more.
func gone(t *testing.T, bug, workaround string) {
	t.Helper()
	t.Errorf("yaegi no longer %s: delete the workaround %s", bug, workaround)
}

func TestBugMainRunsAfterEveryEvaluation(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, `import "fmt"`), `import "fmt"`)
	src := `func main() { fmt.Println("main") }`
	p.must(t, p.decls(t, src), src)
	before := strings.Count(p.stdout.String(), "main\n")
	p.must(t, p.stmts(t, "_ = 1"), "_ = 1")
	if after := strings.Count(p.stdout.String(), "main\n"); after == before {
		gone(t, "runs a declared func main again after every later evaluation",
			"RenameMain in workarounds.go (and the call of MainName that transform appends in interp/compile.go)")
	}
}

func TestBugFailedCompileLeavesSymbols(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, "func f() int { return 1 }"), "func f")
	failing := "func g() int { return 2 }\nfunc f() int { return nosuch }"
	if o := p.decls(t, failing); o.err == nil && o.panicked == nil {
		t.Fatalf("plain yaegi compiled %q: %v", failing, o)
	}
	// Go: the failed unit declared nothing, so g is undefined and f still returns 1.
	leftBehind := p.stmts(t, "_ = g")
	broken := p.stmts(t, "f()")
	if leftBehind.failed("undefined: g") && broken.is(1) {
		gone(t, "leaves the symbols of a unit that failed to compile behind (g is undefined, f still returns 1)",
			"Checkpoint/Restore in Engine.Compile and Engine.Run, state.go (the session's own Checkpoint/Restore around a whole cell, interp/compile.go, may stay)")
	}
	t.Logf("after the failed unit: `_ = g`: %v; `f()`: %v", leftBehind, broken)
}

func TestBugSyntaxTreesKept(t *testing.T) {
	p := newPlain(t)
	roots := unexported(reflect.ValueOf(p.i).Elem().FieldByName("roots"))
	if !roots.IsValid() || roots.Kind() != reflect.Slice {
		t.Fatal("yaegi's Interpreter has no roots slice: see TestYaegiPrivateFields")
	}
	before := roots.Len()
	for _, src := range []string{"x := 1", "y := 2", "z := 3"} {
		p.must(t, p.stmts(t, src), src)
	}
	if grown := roots.Len() - before; grown < 3 {
		gone(t, fmt.Sprintf("keeps the syntax tree of every unit it compiled (Interpreter.roots grew by %d over 3 units)", grown),
			"forgetSyntaxTrees in state.go (and its call in Engine.Run)")
	}
}

func TestBugUndefinedInFunctionPanics(t *testing.T) {
	p := newPlain(t)
	o := p.decls(t, "func g() { x := []int{nope}; _ = x }")
	if o.panicked == nil {
		if o.failed("undefined: nope") {
			gone(t, "panics on an undefined name inside a function (\"CFG post-order panic: ... incomplete type nope\")",
				"undefinedInFunc and its case in compilerPanic, engine.go")
			return
		}
		t.Fatalf("plain yaegi on an undefined name in a function: %v, want a compiler panic", o)
	}
	msg := fmt.Sprint(o.panicked)
	if !undefinedInFunc.MatchString(msg) {
		t.Fatalf("yaegi's compiler panics with %q, which undefinedInFunc (engine.go) no longer matches: update the pattern", msg)
	}
	if e := compilerPanic(o.panicked); e.Kind != Compile || e.Internal || e.Msg != "undefined: nope" || e.Pos.Line != 2 {
		t.Errorf("compilerPanic(%q) = %+v, want the compile error \"undefined: nope\" on line 2", msg, e)
	}
}

func TestBugRangeOverIntNilType(t *testing.T) {
	// The session tries RangeOverInts only when yaegi's compiler panics "nil type"
	// (compileUnit, interp/compile.go).
	top := newPlain(t).stmts(t, "n := 0\nfor i := range 3 { n += i }\nn")
	p := newPlain(t)
	inFunc := p.decls(t, "func f() int { n := 0; for i := range 3 { n += i }; return n }")
	if inFunc.ran && inFunc.err == nil {
		inFunc = p.stmts(t, "f()")
	}
	if top.is(3) && inFunc.is(3) {
		gone(t, "fails on a range over an integer", "RangeOverInts in workarounds.go (and its retry in compileUnit, interp/compile.go)")
		return
	}
	for _, o := range []outcome{top, inFunc} {
		if !o.is(3) && !(o.panicked != nil && strings.Contains(fmt.Sprint(o.panicked), "nil type")) {
			t.Errorf("yaegi fails on a range over an integer with %v, not the compiler panic \"nil type\" that compileUnit (interp/compile.go) retries with RangeOverInts: update the retry", o)
		}
	}
}

func TestBugUntypedFloatConstantsOfPackages(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, `import "math"`), `import "math"`)
	o := p.stmts(t, "0.25 * math.Pi")
	if o.is(0.7853981633974483) {
		gone(t, "gives the float constants of compiled packages the type \"untyped float64\"",
			"InlineFloatConstants in workarounds.go")
		return
	}
	if !o.failed("mismatched types untyped float and untyped float64") {
		t.Errorf("plain yaegi on 0.25 * math.Pi: %v, want the error \"mismatched types untyped float and untyped float64\"", o)
	}
}

func TestBugAssignmentOrder(t *testing.T) {
	// Go evaluates every value on the right before it assigns any: a = 2, b = 20.
	top := newPlain(t).stmts(t, "a, b := 1, 2\nf := func() int { a = 10; return 20 }\na, b = b, f()\na*100 + b")
	p := newPlain(t)
	p.must(t, p.decls(t, "func swap() int { p, q := 1, 2; g := func() int { p = 100; return 3 }; p, q = q, g(); return p*10 + q }"), "func swap")
	inFunc := p.stmts(t, "swap()")
	if top.is(220) && inFunc.is(23) {
		gone(t, "assigns a, b = x, f() before it has every value", "OrderAssignments in workarounds.go")
	}
	t.Logf("at the top level: %v (Go: 220); in a function: %v (Go: 23)", top, inFunc)
}

func TestBugAssignmentWithACompiledCallLosesValues(t *testing.T) {
	// i, s = i+1, math.Max(s, 2) in Go: i = 1, s = 2, so 21. Plain yaegi keeps i at 0, in
	// a loop's post statement too (the loop never ends; here it stops at n > 10).
	p := newPlain(t)
	p.must(t, p.decls(t, `import "math"`), `import "math"`)
	p.must(t, p.decls(t, "func lost() float64 { i, s := 0, 1.0; i, s = i+1, math.Max(s, 2); return float64(i) + s*10 }"), "func lost")
	p.must(t, p.decls(t, "func loop() int { n := 0; for i, s := 0, 1.0; i < 3; i, s = i+1, math.Max(s, 2) { n++; if n > 10 { return -1 } }; return n }"), "func loop")
	lost, loop := p.stmts(t, "lost()"), p.stmts(t, "loop()")
	if lost.is(21.0) && loop.is(3) {
		gone(t, "loses the values beside a compiled call in a parallel assignment", "OrderAssignments in workarounds.go")
	}
	t.Logf("i, s = i+1, math.Max(s, 2): %v (Go: 21); the loop's iterations: %v (Go: 3)", lost, loop)
}

func TestBugTopLevelBlocksShareTheSessionsVariables(t *testing.T) {
	// Go: a loop's i is the loop's; the session's i stays 10.
	p := newPlain(t)
	p.must(t, p.stmts(t, "i := 10"), "i := 10")
	o := p.stmts(t, "for i := 0; i < 3; i++ {\n}\ni")
	if o.is(10) {
		gone(t, "keeps the variables of the top level's blocks with the session's, by name", "BlockScopes in scopes.go")
	}
	t.Logf("the session's i after a loop over i: %v (Go: 10)", o)
}

func TestBugSeveralFromOneInTopLevelBlocks(t *testing.T) {
	for _, src := range []string{
		"m := map[string]int{\"k\": 1}\nn := 0\nif v, ok := m[\"k\"]; ok { n = v }\nn",
		"m := map[string]int{\"k\": 1}\nn := 0\n{ v, ok := m[\"k\"]; if ok { n = v } }\nn",
		"m := map[string]int{\"k\": 1}\nn := 0\nfor k := range m { v, ok := m[k]; if ok { n = v } }\nn",
	} {
		if o := newPlain(t).stmts(t, src); !o.is(1) {
			t.Logf("%q: %v", src, o)
			return // the bug is there
		}
	}
	gone(t, "fails on a, b := x inside a block at the top level", "BlocksInFuncs in toplevel.go")
}

func TestBugTypeSwitchBindingAtTheTopLevel(t *testing.T) {
	o := newPlain(t).stmts(t, "n := 0\nvar a any = 3\nswitch w := a.(type) {\ncase int:\n\tn = w + 1\n}\nn")
	if o.is(4) {
		gone(t, "fails to compile a type switch binding a variable at the top level", "BlocksInFuncs in toplevel.go")
	}
	t.Logf("a type switch binding w at the top level: %v (Go: 4)", o)
}

func TestBugLoopVariableShared(t *testing.T) {
	// Go 1.22: each iteration has its own variable.
	three := newPlain(t).stmts(t, "fs := []func() int{}\nfor i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }\nfs[0]()*100 + fs[1]()*10 + fs[2]()")
	ranged := newPlain(t).stmts(t, "fs := []func() int{}\nfor _, v := range []int{7, 8, 9} { fs = append(fs, func() int { return v }) }\nfs[0]()*100 + fs[1]()*10 + fs[2]()")
	if three.is(12) && ranged.is(789) {
		gone(t, "shares one loop variable across iterations (Go 1.21)", "PerIterationLoopVars in loopvars.go")
	}
	t.Logf("for: %v (Go 1.22: 12); range: %v (Go 1.22: 789)", three, ranged)
}

func TestBugLoopVariableRedeclaredInBody(t *testing.T) {
	// The reason PerIterationLoopVars renames the header's variables instead of
	// inserting i := i: yaegi, at the top level, takes the body's i for the header's.
	counted := newPlain(t).stmts(t, "n := 0\nfor i := 0; i < 3 && n < 10; i++ { i := i; n++; _ = i }\nn")
	summed := newPlain(t).stmts(t, "s := 0\nfor _, v := range []int{1, 2, 3} { v := v; s += v }\ns")
	if counted.is(3) && summed.is(6) {
		gone(t, "mishandles a loop body that redeclares the loop variable (i := i)",
			"the renaming of the header's variables (loopPrefix) in PerIterationLoopVars, loopvars.go: the body can declare i := i itself")
	}
	t.Logf("for: %v (Go: 3); range: %v (Go: 6)", counted, summed)
}

func TestBugBuiltinsMissing(t *testing.T) {
	for _, c := range []struct{ name, src string }{
		{"min", "min(2, 1)"},
		{"max", "max(1, 2)"},
		{"clear", "m := map[int]int{1: 1}\nclear(m)\nlen(m)"},
	} {
		o := newPlain(t).stmts(t, c.src)
		if o.ran && o.err == nil {
			gone(t, "lacks the builtin "+c.name, "the prelude's func "+c.name+" in prelude.go")
		} else if !o.failed("undefined: " + c.name) {
			t.Errorf("plain yaegi on %q: %v, want \"undefined: %s\"", c.src, o, c.name)
		}
	}
}

// genericCalls are a call, as Go 1.23 writes it, of each function of slices and maps the
// prelude replaces.
var genericCalls = map[string]string{
	"slices.Sort":           "slices.Sort([]int{2, 1})",
	"slices.SortFunc":       "slices.SortFunc([]int{2, 1}, func(a, b int) int { return a - b })",
	"slices.SortStableFunc": "slices.SortStableFunc([]int{2, 1}, func(a, b int) int { return a - b })",
	"slices.IsSorted":       "slices.IsSorted([]int{1, 2})",
	"slices.Max":            "slices.Max([]int{1, 2})",
	"slices.Min":            "slices.Min([]int{1, 2})",
	"slices.Reverse":        "slices.Reverse([]int{1, 2})",
	"slices.Equal":          "slices.Equal([]int{1}, []int{1})",
	"slices.Clone":          "slices.Clone([]int{1})",
	"slices.Compact":        "slices.Compact([]int{1, 1})",
	"slices.BinarySearch":   "slices.BinarySearch([]int{1, 2}, 2)",
	"slices.Insert":         "slices.Insert([]int{1}, 0, 2)",
	"slices.Sorted":         "slices.Sorted(maps.Keys(map[int]int{2: 0, 1: 0}))",
	"maps.Keys":             "maps.Keys(map[int]int{1: 1})",
	"maps.Values":           "maps.Values(map[int]int{1: 1})",
	"maps.Clone":            "maps.Clone(map[int]int{1: 1})",
	"maps.Equal":            "maps.Equal(map[int]int{1: 1}, map[int]int{1: 1})",
	"maps.Copy":             "maps.Copy(map[int]int{}, map[int]int{1: 1})",
}

func TestBugGenericStdlib(t *testing.T) {
	var names []string
	for name := range slicesFuncs {
		names = append(names, "slices."+name)
	}
	for name := range mapsFuncs {
		names = append(names, "maps."+name)
	}
	sort.Strings(names)
	for _, name := range names {
		call, ok := genericCalls[name]
		if !ok {
			t.Errorf("GenericStdlib replaces %s: add a call of it to genericCalls", name)
			continue
		}
		p := newPlain(t)
		imports := `import "slices"`
		if strings.Contains(call, "maps.") {
			imports = `import "maps"`
			if strings.Contains(call, "slices.") {
				imports = "import (\n\"maps\"\n\"slices\"\n)"
			}
		}
		p.must(t, p.decls(t, imports), imports)
		if o := p.stmts(t, call); o.ran && o.err == nil {
			pkg, fn, _ := strings.Cut(name, ".")
			gone(t, "fails on "+call, fmt.Sprintf("%q of %sFuncs and the prelude's _gomatcalc_%s_%s, prelude.go", fn, pkg, pkg, fn))
		}
	}
}

func TestBugRangeOverFunc(t *testing.T) {
	// The reason the prelude's maps.Keys and maps.Values return slices, and its
	// slices.Sorted takes one, where Go 1.23's take and return iterators.
	o := newPlain(t).stmts(t, "n := 0\nfor x := range func(yield func(int) bool) { yield(2) } { n += x }\nn")
	if o.is(2) {
		gone(t, "fails on a range over a function",
			"the slices of the prelude's maps.Keys, maps.Values and slices.Sorted (prelude.go): make them Go 1.23's iterators")
	}
}

// orderedMin is the prelude's min, under another name.
const orderedMin = `type ordered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}
func least[T ordered](x T, y ...T) T {
	for _, v := range y {
		if v < x {
			x = v
		}
	}
	return x
}`

func TestBugGenericFromUntypedConstants(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, orderedMin), "func least")
	// Go infers float64 from untyped constants, and float32 from the one typed argument.
	consts := p.stmts(t, "least(1.5, 2.0)")
	mixed := p.stmts(t, "x32 := float32(2)\nleast(1.5, x32)")
	if consts.is(1.5) && mixed.is(float32(1.5)) {
		gone(t, "instantiates a generic function from the first argument only, and not from untyped constants",
			"MinMaxArgs in workarounds.go")
	}
	t.Logf("least(1.5, 2.0): %v; least(1.5, x32): %v", consts, mixed)
}

func TestBugTopLevelReturn(t *testing.T) {
	o := newPlain(t).stmts(t, "x := 1\n_ = x\nreturn")
	if o.ran && o.err == nil {
		gone(t, "panics on a return at the top level",
			"TopLevelReturns in toplevel.go (and the ReturnSignal check in runCell, interp/compile.go)")
		return
	}
	if o.panicked == nil {
		t.Errorf("plain yaegi on a top-level return: %v, want a compiler panic", o)
	}
}

func TestBugVarUsingEarlierVar(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, "var a = 1"), "var a = 1")
	o := p.decls(t, "var b = a + 1")
	if o.ran && o.err == nil {
		if v := p.stmts(t, "b"); v.is(2) {
			gone(t, "fails on a var declaration that uses a variable of an earlier evaluation",
				"HoistVars in toplevel.go (and its call in compile, interp/compile.go)")
		}
		return
	}
	if !o.failed("variable definition loop") {
		t.Errorf("plain yaegi on var b = a + 1: %v, want \"variable definition loop\"", o)
	}
}

func TestBugBuiltinPrints(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.stmts(t, `println(1.5, "x")`), "println")
	// Go's println writes to stderr, floats as the runtime prints them.
	if p.stdout.String() == "" && p.stderr.String() == "+1.500000e+000 x\n" {
		gone(t, "writes println to stdout in fmt's format", "BuiltinPrints in builtins.go (and Print, Println in symbols, prelude.go)")
	}
	t.Logf("stdout %q, stderr %q (Go: \"\", \"+1.500000e+000 x\\n\")", p.stdout.String(), p.stderr.String())
}

func TestBugOsExitPanics(t *testing.T) {
	exit := stdlib.Symbols["os/os"]["Exit"]
	if !exit.IsValid() {
		t.Fatal("yaegi's stdlib has no os.Exit")
	}
	if exit.Pointer() == reflect.ValueOf(os.Exit).Pointer() {
		// Not run here: it would end the test.
		gone(t, "replaces os.Exit with a panic", "the engine's os.Exit (exit.go, and \"os/os\" Exit in symbols, prelude.go)")
		return
	}
	p := newPlain(t)
	p.must(t, p.decls(t, "import (\n\"fmt\"\n\"os\"\n)"), "imports")
	p.must(t, p.decls(t, `func f() { defer fmt.Println("deferred"); os.Exit(3) }`), "func f")
	p.must(t, p.decls(t, `func g() (r interface{}) { defer func() { r = recover() }(); os.Exit(4); return nil }`), "func g")
	f := p.stmts(t, "f()")
	ranDeferred := strings.Contains(p.stdout.String(), "deferred")
	recovered := p.stmts(t, "g()")
	if !ranDeferred && !recovered.ran {
		gone(t, "runs deferred calls on os.Exit, and lets recover stop it", "the engine's os.Exit (exit.go, and \"os/os\" Exit in symbols, prelude.go)")
	}
	t.Logf("f(): %v, deferred call ran: %v; g() recovering: %v", f, ranDeferred, recovered)
}

func TestBugTopLevelClosureCopiesFrame(t *testing.T) {
	p := newPlain(t)
	// A global frame of 4000 slots (96 KB of reflect.Values).
	var names []string
	for k := 0; k < 4000; k++ {
		names = append(names, fmt.Sprintf("v%d", k))
	}
	p.must(t, p.decls(t, "var "+strings.Join(names, ", ")+" int"), "4000 variables")
	p.must(t, p.decls(t, "func mk() func() int { return func() int { return 1 } }"), "func mk")
	// What running a unit allocates: the same closure, made at the top level and made
	// inside a function (both units add slots, and the frame grows by a copy).
	allocated := func(src string) uint64 {
		prog, err := p.i.CompileAST(mustParseBlock(t, p, src))
		if err != nil {
			t.Fatalf("compiling %q: %v", src, err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := p.i.Execute(prog); err != nil {
			t.Fatalf("running %q: %v", src, err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	allocated("g := mk()") // warms up what the first run allocates
	inFunc := allocated("h := mk()")
	top := allocated("f := func() int { return 1 }")
	if top < inFunc+64<<10 {
		gone(t, fmt.Sprintf("copies the global frame into a closure made at the top level (it allocated %d bytes, %d for the same closure made in a function)", top, inFunc),
			"LiftFuncLits in funclits.go (and its call in transform, interp/compile.go)")
	}
	t.Logf("the closure made at the top level: %d bytes allocated; in a function: %d", top, inFunc)
}

func TestBugGlobalSlotsKept(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, `import "strings"`), `import "strings"`)
	for _, src := range []string{`x := strings.Repeat("first", 2)`, `strings.Repeat("temporary", 2)`, `x := strings.Repeat("second", 2)`} {
		p.must(t, p.stmts(t, src), src)
	}
	data, unlock := globalFrame(p.i)
	if data == nil {
		t.Fatal("no global frame: see TestYaegiPrivateFields")
	}
	kept := map[string]bool{}
	for _, v := range *data {
		if v.IsValid() && v.Kind() == reflect.String {
			kept[v.String()] = true
		}
	}
	unlock()
	if !kept["firstfirst"] && !kept["temporarytemporary"] {
		gone(t, "keeps the values of global slots nothing names (an earlier x, a temporary)",
			"the sweep of slots.go (its calls in Engine.Compile, Engine.Run and compilePrelude)")
	}
	t.Logf("in the global frame: the first x %v, the temporary %v", kept["firstfirst"], kept["temporarytemporary"])
}

func TestBugChildScopesKept(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.stmts(t, "x := 1"), "x := 1")
	main := unexported(reflect.ValueOf(p.i).Elem().FieldByName("scopes")).MapIndex(reflect.ValueOf("main"))
	if !main.IsValid() {
		t.Fatal("no scope of package main: see TestYaegiPrivateFields")
	}
	children := func() int { return unexported(main.Elem().FieldByName("child")).Len() }
	before := children()
	for _, src := range []string{"y := 2", "{ z := 3; _ = z }", "if x > 0 { x++ }"} {
		p.must(t, p.stmts(t, src), src)
	}
	if grown := children() - before; grown < 3 {
		gone(t, fmt.Sprintf("keeps a child scope for every block it compiled (package main's grew by %d over 3 units)", grown),
			"forgetChildScopes in slots.go")
	}
}

// TestYaegiPrivateFields checks the engine's reflection into yaegi's unexported state.
func TestYaegiPrivateFields(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, `import "fmt"`), `import "fmt"`)
	p.must(t, p.decls(t, "var x = 1\nfunc f() { fmt.Println(x) }"), "var x, func f")
	m := mainSymbols(p.i)
	if !m.IsValid() {
		t.Fatal("mainSymbols (state.go) finds no symbols of package main: yaegi's Interpreter.scopes " +
			"(map[string]*scope, by import path) or scope.sym (map[string]*symbol) changed; update mainSymbols, " +
			"or Checkpoint/Restore, Declared and HoistVars stop working")
	}
	for _, key := range []string{"x", "f"} {
		if !m.MapIndex(reflect.ValueOf(key)).IsValid() {
			t.Errorf("package main's symbols lack %q: update mainSymbols (state.go)", key)
		}
	}
	if !m.MapIndex(reflect.ValueOf("fmt/" + FileName)).IsValid() {
		t.Errorf("package main's symbols lack the import %q: yaegi keys imports differently; update Declared (state.go)", "fmt/"+FileName)
	}

	e := &Engine{yaegi: p.i}
	if !e.hasValue("x") || e.hasValue("fmt") || !e.Declared("fmt") || e.Declared("nosuch") {
		t.Errorf("hasValue(x), hasValue(fmt), Declared(fmt), Declared(nosuch) = %v, %v, %v, %v; want true, false, true, false",
			e.hasValue("x"), e.hasValue("fmt"), e.Declared("fmt"), e.Declared("nosuch"))
	}
	cp := e.Checkpoint()
	p.must(t, p.decls(t, "var y = 2"), "var y = 2")
	if !e.hasValue("y") {
		t.Fatal("a new variable is not among package main's symbols: update mainSymbols (state.go)")
	}
	e.Restore(cp)
	if e.hasValue("y") || !e.hasValue("x") {
		t.Error("Restore (state.go) did not put back the symbols of its Checkpoint: yaegi keeps them elsewhere now")
	}

	if !forgetSyntaxTrees(p.i) {
		t.Fatal("forgetSyntaxTrees (state.go) finds no Interpreter.roots slice: yaegi keeps its syntax trees elsewhere " +
			"(update forgetSyntaxTrees), or no longer keeps them (see TestBugSyntaxTreesKept)")
	}
	if n := unexported(reflect.ValueOf(p.i).Elem().FieldByName("roots")).Len(); n != 0 {
		t.Errorf("Interpreter.roots has %d trees after forgetSyntaxTrees, want 0", n)
	}
	p.must(t, p.stmts(t, "f()"), "f() after forgetSyntaxTrees")

	// slots.go: the frame, its layout, the symbols' slots, yaegi's nodes and scopes.
	if !nodeFields().ok || valuedKinds() == nil {
		t.Fatal("yaegi's node (child, kind, level, findex; kinds funcDecl, funcLit) or symbol (kind, index; " +
			"varSym, constSym, funcSym) changed: update nodeFields and valuedKinds (slots.go)")
	}
	data, unlock := globalFrame(p.i)
	if data == nil {
		t.Fatal("globalFrame (slots.go) finds no Interpreter.frame.data ([]reflect.Value) or frame.mutex: update it")
	}
	frameLen := len(*data)
	unlock()
	x := m.MapIndex(reflect.ValueOf("x")).Elem().FieldByName("index").Int()
	if n := slotCount(p.i); n == 0 || n != frameLen || !namedSlots(p.i)[int(x)] {
		t.Errorf("slotCount %d, the frame's length %d, x's slot %d named: %v; want the universe scope's types as long as the frame, and x's slot named (slots.go)",
			n, frameLen, x, namedSlots(p.i)[int(x)])
	}
	if !forgetChildScopes(p.i) {
		t.Error("forgetChildScopes (slots.go) finds no scope.child slice: update it")
	}
	prog, err := p.i.CompileAST(mustParseBlock(t, p, "k := 1\n_ = func() int { return k + x }"))
	if err != nil {
		t.Fatal(err)
	}
	var global, literal, inFunc bool
	w := nodeWalker{seen: map[uintptr]bool{}, visit: func(level, findex int, fn reflect.Value, lit bool) {
		global = global || fn.IsValid() && level == globalLevel && findex == int(x)
		literal = literal || lit && !fn.IsValid()
		inFunc = inFunc || fn.IsValid()
	}}
	w.walk(unexported(reflect.ValueOf(prog).Elem().FieldByName("root")), reflect.Value{})
	if !global || !literal || !inFunc {
		t.Errorf("walking a unit's nodes (slots.go) found x read in a function: %v, a literal at the top level: %v, a function body: %v; want all",
			global, literal, inFunc)
	}
}

// mustParseBlock parses src as a block of top-level statements.
func mustParseBlock(t *testing.T, p *plain, src string) *ast.BlockStmt {
	t.Helper()
	f, err := parser.ParseFile(p.i.FileSet(), interp.DefaultSourceName, "package main\nfunc _() {\n"+src+"\n}", 0)
	if err != nil {
		t.Fatal(err)
	}
	return f.Decls[0].(*ast.FuncDecl).Body
}

// TestYaegiPanicFrames checks the lines yaegi writes to stderr for each frame a panic
// unwinds, which the engine's frameRecorder takes for the traceback (errors.go).
func TestYaegiPanicFrames(t *testing.T) {
	p := newPlain(t)
	p.must(t, p.decls(t, "func inner() { panic(\"boom\") }\nfunc outer() { inner() }"), "inner, outer")
	o := p.stmts(t, "outer()")
	if o.err == nil {
		t.Fatalf("plain yaegi on a panic: %v", o)
	}
	var funcs []string
	for _, line := range strings.SplitAfter(p.stderr.String(), "\n") {
		if line == "" {
			continue
		}
		m := panicLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("yaegi wrote %q to stderr as a panic unwound, which panicLine (errors.go) does not match: update it", line)
			continue
		}
		funcs = append(funcs, m[3])
	}
	if want := []string{"main.inner", "main.outer", "main"}; !reflect.DeepEqual(funcs, want) {
		t.Errorf("the frames yaegi wrote are %q, want %q: update frameRecorder (errors.go)", funcs, want)
	}
}
