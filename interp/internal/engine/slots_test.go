package engine

import (
	"context"
	"go/ast"
	"go/parser"
	"reflect"
	"runtime"
	"testing"
)

// testEngine is an engine fed units as the session feeds them.
type testEngine struct {
	*Engine
	t *testing.T
}

func newTestEngine(t *testing.T) testEngine {
	t.Helper()
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	return testEngine{e, t}
}

// stmts is src as a block of top-level statements; decls as a file of declarations.
func (e testEngine) stmts(src string) ast.Node {
	e.t.Helper()
	f, err := parser.ParseFile(e.FileSet(), FileName, "package main\nfunc _() {\n"+src+"\n}", 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return f.Decls[0].(*ast.FuncDecl).Body
}

func (e testEngine) decls(src string) ast.Node {
	e.t.Helper()
	f, err := parser.ParseFile(e.FileSet(), FileName, "package main\n"+src, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return f
}

func (e testEngine) compile(n ast.Node) *Program {
	e.t.Helper()
	p, err := e.Compile(n)
	if err != nil {
		e.t.Fatalf("compile: %v", err)
	}
	return p
}

func (e testEngine) run(p *Program) reflect.Value {
	e.t.Helper()
	v, err := e.Run(context.Background(), p)
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	return v
}

// value runs src and returns the value of its last expression.
func (e testEngine) value(src string) any {
	e.t.Helper()
	v := e.run(e.compile(e.stmts(src)))
	if !v.IsValid() || !v.CanInterface() {
		return nil
	}
	return v.Interface()
}

// framed reports whether a slot of the global frame holds the string s.
func (e testEngine) framed(s string) bool {
	data, unlock := globalFrame(e.yaegi)
	if data == nil {
		e.t.Fatal("no global frame: see TestYaegiPrivateFields")
	}
	defer unlock()
	for _, v := range *data {
		if v.IsValid() && v.Kind() == reflect.String && v.String() == s {
			return true
		}
	}
	return false
}

func TestSweepEmptiesWhatNoCodeReads(t *testing.T) {
	e := newTestEngine(t)
	e.run(e.compile(e.decls(`import "strings"`)))
	e.value(`x := strings.Repeat("first ", 2)`)
	e.value(`strings.Repeat("temporary ", 2)`)
	e.value(`x := strings.Repeat("second ", 2)`)
	if e.framed("first first ") {
		t.Error("the first value of x, defined again, is still in the global frame")
	}
	if e.framed("temporary temporary ") {
		t.Error("the value an earlier unit computed is still in the global frame")
	}
	if !e.framed("second second ") || e.value("x") != "second second " {
		t.Errorf("x = %v, want the second value, in the global frame", e.value("x"))
	}
}

func TestSweepKeepsWhatFunctionsRead(t *testing.T) {
	e := newTestEngine(t)
	e.value("x := 1")
	e.run(e.compile(e.decls("func g() int { return x }")))
	e.value("y := 10")
	e.value("h := func() int { return y }")
	e.value("hs := []func() int{func() int { return y + 1 }}")
	e.run(e.compile(e.decls("func old() int { return x + 2 }")))
	e.value("kept := old")
	e.run(e.compile(e.decls("func old() int { return 0 }")))
	e.value("x := 2\ny := 20")
	// The functions above are reachable only through their values now, and the sweep
	// watches yaegi's nodes weakly: collections first.
	runtime.GC()
	runtime.GC()
	e.value("0")
	// yaegi compiles a function with the variables of its time: the later cells'
	// x and y are new variables.
	for src, want := range map[string]int{"g()": 1, "h()": 10, "hs[0]()": 11, "kept()": 3, "old()": 0, "x": 2, "y": 20} {
		if got := e.value(src); got != want {
			t.Errorf("%s = %v, want %d", src, got, want)
		}
	}
}

func TestSweepEmptiesWhatDeadFunctionsRead(t *testing.T) {
	e := newTestEngine(t)
	e.run(e.compile(e.decls(`import "strings"`)))
	// The closures made as the session makes them (LiftFuncLits): a closure made at the
	// top level would copy the global frame, the earlier closure with it. yaegi keeps
	// the syntax tree of the first function to make a closure of this type (through a
	// type's node): a first round makes it.
	for _, s := range []string{"first", "old", "new"} {
		e.value(`x := strings.Repeat("` + s + ` ", 2)`)
		e.run(e.compile(e.decls("func mk() func() string { return func() string { return x } }")))
		e.value("f := mk()")
	}
	runtime.GC()
	runtime.GC()
	e.value("0")
	if e.framed("old old ") {
		t.Error("the first x stays in the global frame, read only by a closure no longer reachable")
	}
	if v := e.value("f()"); v != "new new " {
		t.Errorf("f() = %v, want the second x", v)
	}
}

func TestSweepKeepsWhatAUnitStillToRunUses(t *testing.T) {
	e := newTestEngine(t)
	e.value("a := 1\nx := 5")
	// The units of a cell compile before any runs. The second fails as it starts
	// (yaegi orders global variables then), and puts back the names of before its
	// compile: the old x, which the first unit's run must not have emptied.
	first := e.compile(e.stmts("z := x + 1"))
	second := e.compile(e.decls("var x = a + 1"))
	e.run(first)
	if _, err := e.Run(context.Background(), second); err == nil {
		t.Fatal("var x = a + 1 ran: the test needs a unit that fails as it starts (see TestBugVarUsingEarlierVar)")
	}
	if x, z := e.value("x"), e.value("z"); x != 5 || z != 6 {
		t.Errorf("after the failed unit: x, z = %v, %v; want 5, 6", x, z)
	}
	// A unit compiled, then another compiled and run, then the first run.
	later := e.compile(e.stmts("w := 7\nw * x"))
	e.value("1 + 1")
	if v := e.value("0"); v != 0 {
		t.Fatalf("0 = %v", v)
	}
	if v := e.run(later); !v.IsValid() || v.Interface() != 35 {
		t.Errorf("w * x = %v, want 35", v)
	}
}
