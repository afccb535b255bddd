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
	if id, ok := fun.(*ast.Ident); ok && engine.Builtin(id.Name) {
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

// depthGuards make the functions that may recurse check, now and then, how deep the
// goroutine's stack is, so that runaway recursion fails its cell ("stack overflow: f
// recursed too deep, past 256 MB of stack") and the session goes on, where Go would die
// of a stack overflow and take the session's state with it. A function that calls itself or a
// function by a plain name (another of the session's, or a func variable) counts its
// calls down in the session's variable _gomatcalcCalls; when the count runs out, the
// runtime's CheckDepth looks at the stacks (past cellrt.MaxStack, it ends the goroutine
// if it is a deep one) and says how many calls may go before it looks again. One interpreted decrement and a
// comparison a call: no count to restore at returns, after panics, or in goroutines,
// which share the countdown but each have their own stack (fib(27) ran twice as long with
// cellrt.Enter and a deferred Leave, and 1.2 times as long with a depth counted up on
// entry and down at every return).
func depthGuards(n ast.Node) {
	if f, ok := n.(*ast.File); ok {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || fd.Recv == nil && fd.Name.Name == "init" || !callsItself(fd) && !callsFunctions(fd.Body) {
				continue // (init is never called: its callees have guards of their own)
			}
			fd.Body.List = append([]ast.Stmt{depthCheck(fd.Body.Lbrace, fd.Name.Name)}, fd.Body.List...)
		}
	}
	ast.Inspect(n, func(m ast.Node) bool {
		if lit, ok := m.(*ast.FuncLit); ok && callsFunctions(lit.Body) && !isGuarded(lit.Body) {
			lit.Body.List = append([]ast.Stmt{depthCheck(lit.Body.Lbrace, "a function literal")}, lit.Body.List...)
		}
		return true
	})
}

// callsVar counts down the calls of guarded functions until the next look at the stack.
const callsVar = "_gomatcalcCalls"

// depthCheck is `if _gomatcalcCalls--; _gomatcalcCalls < 0 { _gomatcalcCalls =
// _gomatcalcrt.CheckDepth(name) }`.
func depthCheck(at token.Pos, name string) ast.Stmt {
	calls := func() *ast.Ident { return &ast.Ident{NamePos: at, Name: callsVar} }
	return &ast.IfStmt{If: at,
		Init: &ast.IncDecStmt{X: calls(), TokPos: at, Tok: token.DEC},
		Cond: &ast.BinaryExpr{X: calls(), OpPos: at, Op: token.LSS, Y: &ast.BasicLit{ValuePos: at, Kind: token.INT, Value: "0"}},
		Body: &ast.BlockStmt{Lbrace: at, List: []ast.Stmt{&ast.AssignStmt{Lhs: []ast.Expr{calls()}, TokPos: at, Tok: token.ASSIGN,
			Rhs: []ast.Expr{engine.Call(runtimePkg, "CheckDepth", engine.String(name))}}}, Rbrace: at}}
}

// isGuarded reports whether body starts with a depth check already.
func isGuarded(body *ast.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	check, ok := body.List[0].(*ast.IfStmt)
	if !ok {
		return false
	}
	dec, ok := check.Init.(*ast.IncDecStmt)
	if !ok {
		return false
	}
	id, ok := dec.X.(*ast.Ident)
	return ok && id.Name == callsVar
}

// callsFunctions reports whether body calls a function by a plain name (not a package's
// function), through which recursion can run.
func callsFunctions(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && !engine.Builtin(id.Name) && !engine.PredeclaredType(id.Name) && !strings.HasPrefix(id.Name, "_gomatcalc") {
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

const showFuncDecl = "package main\nvar " + lineVar + ", " + topLineVar + ", " + callsVar + " int\n" +
	"func " + showFunc + "[_gomatcalcT any](v _gomatcalcT) interface{} {\n" +
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

// lineVar is the session's variable that line markers set: yaegi reports a panic at the
// first statement of its function (or of the cell), so the session records where it is.
const lineVar = "_gomatcalcLine"

// topLineVar is set by the markers of a cell's top-level statements only.
const topLineVar = "_gomatcalcTopLine"

// lineBase separates cells in a marker's value: cell k's line n is k*lineBase + n.
const lineBase = 100000

// lineMarkers puts _gomatcalcLine = k*lineBase+line before each statement that can
// panic, in every block of the unit (top-level code and the bodies of functions), and
// before every statement of a statement unit's own block. An assignment of a constant
// costs the interpreter far less than a call; statements that cannot panic (arithmetic
// on floats, assignments of names, conversions) are left unmarked, so tight loops pay
// little.
func lineMarkers(n ast.Node, fset *token.FileSet, cell int, declared func(name string) bool) {
	marker := func(st ast.Stmt, top bool) ast.Stmt {
		value := &ast.BasicLit{ValuePos: st.Pos(), Kind: token.INT, Value: fmt.Sprint(cell*lineBase + fset.Position(st.Pos()).Line)}
		as := &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{NamePos: st.Pos(), Name: lineVar}}, TokPos: st.Pos(), Tok: token.ASSIGN, Rhs: []ast.Expr{value}}
		if top {
			// The cell's own statement, which a panic deeper down was called from.
			as.Lhs = append(as.Lhs, &ast.Ident{NamePos: st.Pos(), Name: topLineVar})
			as.Rhs = append(as.Rhs, &ast.BasicLit{ValuePos: st.Pos(), Kind: token.INT, Value: value.Value})
		}
		return as
	}
	mark := func(list []ast.Stmt, top bool) []ast.Stmt {
		var out []ast.Stmt
		for _, st := range list {
			if st.Pos().IsValid() && (top || canPanic(st, declared)) {
				out = append(out, marker(st, top))
			}
			out = append(out, st)
		}
		return out
	}
	top, _ := n.(*ast.BlockStmt)
	clauses := map[*ast.BlockStmt]bool{} // the bodies of switch and select: clauses only
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.GenDecl:
			// Not in a package-level var's function literal: a variable of the session
			// in its value makes yaegi report a "variable definition loop".
			return false
		case *ast.SwitchStmt:
			clauses[m.Body] = true
		case *ast.TypeSwitchStmt:
			clauses[m.Body] = true
		case *ast.SelectStmt:
			clauses[m.Body] = true
		case *ast.BlockStmt:
			if !clauses[m] {
				m.List = mark(m.List, m == top)
			}
		case *ast.CaseClause:
			m.Body = mark(m.Body, false)
		case *ast.CommClause:
			m.Body = mark(m.Body, false)
		}
		return true
	})
}

// canPanic reports whether running st itself (not the blocks it holds) may panic: it
// calls a function other than one the session declared (declared says which), indexes,
// slices, dereferences, asserts a type, divides integers, shifts, or uses a channel.
// Unsure, it says yes.
func canPanic(st ast.Stmt, declared func(string) bool) bool {
	var parts []ast.Node
	switch st := st.(type) {
	case *ast.AssignStmt:
		if st.Tok == token.QUO_ASSIGN || st.Tok == token.REM_ASSIGN || st.Tok == token.SHL_ASSIGN || st.Tok == token.SHR_ASSIGN {
			return true
		}
		for _, e := range st.Lhs {
			parts = append(parts, e)
		}
		for _, e := range st.Rhs {
			parts = append(parts, e)
		}
	case *ast.IncDecStmt:
		parts = append(parts, st.X)
	case *ast.ReturnStmt:
		for _, e := range st.Results {
			parts = append(parts, e)
		}
	case *ast.IfStmt:
		if st.Init != nil {
			return true
		}
		parts = append(parts, st.Cond)
	case *ast.ForStmt:
		if st.Init != nil || st.Post != nil && canPanic(st.Post, declared) {
			return true
		}
		if st.Cond != nil {
			parts = append(parts, st.Cond)
		}
	case *ast.BlockStmt, *ast.EmptyStmt, *ast.BranchStmt:
		return false
	case *ast.LabeledStmt:
		return canPanic(st.Stmt, declared)
	default:
		return true
	}
	for _, p := range parts {
		if !safeExpr(p, declared) {
			return true
		}
	}
	return false
}

// safeExpr reports whether evaluating e cannot panic: names, literals, arithmetic other
// than integer division and shifts (floats divide safely, but the types are unknown here:
// every / and % counts), comparisons, and conversions to basic types.
func safeExpr(e ast.Node, declared func(string) bool) bool {
	safe := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case nil, *ast.Ident, *ast.BasicLit, *ast.ParenExpr:
		case *ast.BinaryExpr:
			switch n.Op {
			case token.QUO, token.REM, token.SHL, token.SHR:
				safe = false
			}
		case *ast.UnaryExpr:
			safe = safe && n.Op != token.ARROW
		case *ast.CallExpr:
			// A conversion to a predeclared type, or a call of a function the session
			// declared: what panics in it, it marks itself (the assignment to a marker
			// before every call of fib would cost fib(27) a fifth of its time).
			id, ok := n.Fun.(*ast.Ident)
			safe = safe && ok && (engine.PredeclaredType(id.Name) && len(n.Args) == 1 || declared(id.Name))
		default:
			safe = false
		}
		return safe
	})
	return safe
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
