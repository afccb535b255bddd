package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
)

// The passes of this file give cells a notebook's meaning, on the syntax tree: each
// takes a unit's tree and changes it in place, and they compose in any order. (The
// passes that work around yaegi's bugs are the engine's.)

// runtimePkg is the name cells see package cellrt by.
const runtimePkg = "_gomatcalcrt"

// launches makes goroutines safe and top-level defers the cell's: go f(x) becomes
// { fnN := f; cellrt.Go(fnN, x) } (a panic in the goroutine no longer ends the process),
// and a defer at the cell's top level, { fnN := f; cellrt.Defer(fnN, x) }: it runs when
// the cell ends (yaegi alone ran it again at the end of every later cell). The arguments
// are still evaluated at once. The function goes through a variable: yaegi mixes up the
// captured variables of a function literal handed straight to compiled code from a loop.
func launches(n ast.Node, topLevel bool) {
	calls := 0
	var walk func(n ast.Node, inFunc bool)
	walk = func(n ast.Node, inFunc bool) {
		astutil.Apply(n, func(c *astutil.Cursor) bool {
			switch m := c.Node().(type) {
			case *ast.FuncLit:
				if c.Node() != n {
					walk(m.Body, true)
					return false
				}
			case *ast.FuncDecl:
				if m.Body != nil {
					walk(m.Body, true)
				}
				return false
			case *ast.GoStmt:
				calls++
				walk(m.Call, inFunc)
				c.Replace(launch(m.Call, "Go", calls))
				return false
			case *ast.DeferStmt:
				if !inFunc && topLevel {
					calls++
					walk(m.Call, inFunc)
					c.Replace(launch(m.Call, "Defer", calls))
					return false
				}
			}
			return true
		}, nil)
	}
	walk(n, false)
}

// launch is the block that hands call to cellrt's Go or Defer.
func launch(call *ast.CallExpr, how string, n int) ast.Stmt {
	pos := call.Pos()
	fn := fmt.Sprintf("_gomatcalc%s%d", how, n)
	var stmts []ast.Stmt
	fun := call.Fun
	args := call.Args
	if id, ok := fun.(*ast.Ident); ok && builtinFuncs[id.Name] {
		// A builtin is no value: its arguments are evaluated now, and a literal calls it.
		var params []ast.Expr
		for i, a := range args {
			name := fmt.Sprintf("%sArg%d", fn, i)
			stmts = append(stmts, engine.Define([]string{name}, a))
			params = append(params, engine.Ident(name))
		}
		inner := &ast.CallExpr{Fun: fun, Lparen: call.Lparen, Args: params, Ellipsis: call.Ellipsis, Rparen: call.Rparen}
		fun = &ast.FuncLit{Type: &ast.FuncType{Func: pos, Params: &ast.FieldList{}}, Body: &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{&ast.ExprStmt{X: inner}}, Rbrace: call.End()}}
		args = nil
	} else if call.Ellipsis.IsValid() {
		how += "Spread"
	}
	stmts = append(stmts, engine.Define([]string{fn}, fun))
	run := engine.Call(runtimePkg, how, append([]ast.Expr{&ast.Ident{NamePos: pos, Name: fn}}, args...)...)
	run.Lparen, run.Rparen = call.Lparen, call.Rparen
	stmts = append(stmts, &ast.ExprStmt{X: run})
	return &ast.BlockStmt{Lbrace: pos, List: stmts, Rbrace: call.End()}
}

// builtins are the predeclared functions, which are no values.
var builtinFuncs = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true,
	"new": true, "panic": true, "print": true, "println": true, "real": true, "recover": true,
}

// notCalls are the names a call can use that never run a function of the session:
// builtins and conversions to predeclared types.
var notCalls = map[string]bool{
	"bool": true, "byte": true, "complex64": true, "complex128": true, "error": true,
	"float32": true, "float64": true, "int": true, "int8": true, "int16": true, "int32": true,
	"int64": true, "rune": true, "string": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true, "any": true,
}

// depthGuards make the functions that may recurse count their depth: Go dies of a stack
// overflow, which would end the kernel. A function that calls itself or a function by a
// plain name (another of the session's, or a func variable) starts with
// cellrt.Enter(name); defer cellrt.Leave().
func depthGuards(n ast.Node) {
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.FuncDecl:
			if m.Body != nil && (callsItself(m) || callsFunctions(m.Body)) {
				guard(m.Body, m.Name.Name)
			}
		case *ast.FuncLit:
			if callsFunctions(m.Body) {
				guard(m.Body, "a function literal")
			}
		}
		return true
	})
}

func guard(body *ast.BlockStmt, name string) {
	enter := &ast.ExprStmt{X: engine.Call(runtimePkg, "Enter", engine.String(name))}
	leave := &ast.DeferStmt{Defer: body.Lbrace, Call: engine.Call(runtimePkg, "Leave")}
	body.List = append([]ast.Stmt{enter, leave}, body.List...)
}

// callsFunctions reports whether body calls a function by a plain name (not a package's
// function), through which recursion can run.
func callsFunctions(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && !builtinFuncs[id.Name] && !notCalls[id.Name] && !strings.HasPrefix(id.Name, "_gomatcalc") {
				found = true
			}
		}
		return !found
	})
	return found
}

// callsItself reports whether a function's body calls the function by its name (a
// method: any method of that name).
func callsItself(fd *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				found = found || fd.Recv == nil && fun.Name == fd.Name.Name
			case *ast.SelectorExpr:
				found = found || fd.Recv != nil && fun.Sel.Name == fd.Name.Name
			}
		}
		return !found
	})
	return found
}

// showFunc takes a single value to what it shows, calling the methods through which a
// value of a type defined in a cell renders (see cellrt.Shown): compiled code cannot call
// them. Its type parameter gives yaegi the value's own type at the call.
const showFunc = "_gomatcalcShow"

const showFuncDecl = "package main\nfunc " + showFunc + "[_gomatcalcT any](v _gomatcalcT) interface{} {\n" +
	"\treturn " + runtimePkg + ".Shown(v, " + runtimePkg + ".StringOf(v), " + runtimePkg + ".ErrorOf(v), " +
	runtimePkg + ".HTMLOf(v), " + runtimePkg + ".MarkdownOf(v), " + runtimePkg + ".LaTeXOf(v), " +
	runtimePkg + ".SVGOf(v), " + runtimePkg + ".PNGOf(v), " + runtimePkg + ".JPEGOf(v), " + runtimePkg + ".JSONOf(v))\n}"

// displayArgs makes display.Value(v) and display.Show(v) call showFunc on v first: they
// render v in compiled code, which cannot call the methods of a type defined in a cell.
func displayArgs(n ast.Node, path func(string) string) {
	ast.Inspect(n, func(m ast.Node) bool {
		call, ok := m.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || call.Ellipsis.IsValid() {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Value" && sel.Sel.Name != "Show" {
			return true
		}
		if pkg, ok := sel.X.(*ast.Ident); ok && path(pkg.Name) == displayPath {
			arg := call.Args[0]
			wrapped := engine.Call("", showFunc, arg)
			wrapped.Fun.(*ast.Ident).NamePos = arg.Pos()
			wrapped.Lparen, wrapped.Rparen = arg.Pos(), arg.End()
			call.Args[0] = wrapped
		}
		return true
	})
}

const displayPath = "github.com/gomatcalc/gomatcalc/stdlib/display"

// makeGuards check the length (and capacity) of make([]E, n) first: more than the
// machine's memory would end the process. make([]E, n) becomes
// make([]E, cellrt.Len(n, *new(E))).
func makeGuards(n ast.Node) {
	ast.Inspect(n, func(m ast.Node) bool {
		call, ok := m.(*ast.CallExpr)
		if !ok || len(call.Args) < 2 {
			return true
		}
		id, ok := call.Fun.(*ast.Ident)
		if !ok || id.Name != "make" {
			return true
		}
		at, ok := call.Args[0].(*ast.ArrayType)
		if !ok || at.Len != nil {
			return true
		}
		for i, a := range call.Args[1:] {
			zero := &ast.StarExpr{Star: a.Pos(), X: &ast.CallExpr{Fun: &ast.Ident{NamePos: a.Pos(), Name: "new"}, Lparen: a.Pos(), Args: []ast.Expr{at.Elt}, Rparen: a.End()}}
			checked := engine.Call(runtimePkg, "Len", a, zero)
			checked.Lparen, checked.Rparen = a.Pos(), a.End()
			call.Args[i+1] = checked
		}
		return true
	})
}

// lineMarkers records the line of each top-level statement of a block as it starts (see
// cellrt.At): yaegi places a panic of the cell's own code at its first statement.
func lineMarkers(block *ast.BlockStmt, fset *token.FileSet) {
	var list []ast.Stmt
	for _, st := range block.List {
		line := fset.Position(st.Pos()).Line
		at := engine.Call(runtimePkg, "At", &ast.BasicLit{ValuePos: st.Pos(), Kind: token.INT, Value: fmt.Sprint(line)})
		at.Fun.(*ast.SelectorExpr).X.(*ast.Ident).NamePos = st.Pos()
		at.Lparen, at.Rparen = st.Pos(), st.Pos()
		list = append(list, &ast.ExprStmt{X: at}, st)
	}
	block.List = list
}

// valuesFunc is the function a cell's last expression is passed to, so that every value
// of a call with several results is kept (f(g()) spreads g's results). It is compiled
// (cellrt.Values): yaegi passes a compiled function the plain value of a type defined in a
// cell.
const valuesFunc = "Values"

// lastExpression is the block's last statement when it is an expression whose value is
// worth showing.
func lastExpression(block *ast.BlockStmt) *ast.ExprStmt {
	if len(block.List) == 0 {
		return nil
	}
	last, ok := block.List[len(block.List)-1].(*ast.ExprStmt)
	if !ok || isPrintCall(last.X) {
		return nil
	}
	return last
}

// showing is the ways of showing e, best first: as a single value with its methods,
// then as the values of a call with any number of results.
func showing(e ast.Expr) []ast.Expr {
	single := engine.Call("", showFunc, e)
	single.Fun.(*ast.Ident).NamePos = e.Pos()
	single.Lparen, single.Rparen = e.Pos(), e.End()
	one := engine.Call(runtimePkg, valuesFunc, single)
	one.Lparen, one.Rparen = e.Pos(), e.End()
	all := engine.Call(runtimePkg, valuesFunc, e)
	all.Lparen, all.Rparen = e.Pos(), e.End()
	return []ast.Expr{one, all}
}

// printFuncs are calls made for what they print; their (n, err) results are not shown.
var printFuncs = map[string]bool{
	"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true,
	"fmt.Fprint": true, "fmt.Fprintf": true, "fmt.Fprintln": true,
	".Write": true, ".WriteString": true, ".WriteByte": true, ".WriteRune": true,
}

func isPrintCall(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if pkg, ok := sel.X.(*ast.Ident); ok && printFuncs[pkg.Name+"."+sel.Sel.Name] {
		return true
	}
	return printFuncs["."+sel.Sel.Name]
}
