package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"strings"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
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

// depthGuards make the functions that may recurse count their depth, so that runaway
// recursion fails its cell ("stack overflow: f nested more than 50000 calls deep") and
// the session goes on, where Go would die of a stack overflow and take the session's
// state with it. A function that calls itself or a function by a plain name (another of
// the session's, or a func variable) counts its calls in the session's variable
// _gomatcalcDepth: one more on entry (past cellrt.MaxDepth, the runtime's Overflowing
// ends the goroutine), one less at each return. An interpreted increment costs a small
// part of a call into compiled code or of a defer (fib(27) ran twice as long with
// cellrt.Enter and a deferred Leave).
//
// Returns go through results of the session's own names (_gomatcalcR0, ...), assigned
// before the count goes down, so that the calls a return makes count at this depth; the
// function's own result names become local variables. A panic skips the decrements: a
// function with a defer statement of its own, where a panic may be recovered, restores
// the count in a deferred call instead (and the count starts afresh with each cell).
// yaegi v0.16.1 hands a function the zero value of a local variable declared after a
// defer when the variable's type has methods and it is passed as an interface: such a
// function that declares variables becomes a guard that holds none but its parameters
// and calls the function's body, moved to a function of its own.
func depthGuards(n ast.Node) { guardFunctions(n, false) }

// guardFunctions is depthGuards, with every guard of a function that defers a function
// of its own when alwaysMove.
func guardFunctions(n ast.Node, alwaysMove bool) {
	if f, ok := n.(*ast.File); ok {
		var decls []ast.Decl
		for _, d := range f.Decls {
			decls = append(decls, d)
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil || fd.Recv == nil && fd.Name.Name == "init" || !callsItself(fd) && !callsFunctions(fd.Body) {
				continue // (init is never called: its callees have guards of their own)
			}
			switch {
			case !defers(fd.Body):
				countDepth(fd.Type, fd.Body, fd.Name.Name)
			case alwaysMove || declaresVariables(fd.Body):
				decls = append(decls, guardDecl(fd))
			default:
				fd.Body.List = append(restoringGuard(fd.Body.Lbrace, fd.Name.Name), fd.Body.List...)
			}
		}
		f.Decls = decls
	}
	astutil.Apply(n, nil, func(c *astutil.Cursor) bool {
		lit, ok := c.Node().(*ast.FuncLit)
		if !ok || !callsFunctions(lit.Body) || isGuard(lit.Body) {
			return true
		}
		switch {
		case !defers(lit.Body):
			countDepth(lit.Type, lit.Body, "a function literal")
		case alwaysMove || declaresVariables(lit.Body):
			c.Replace(guardLit(lit))
		default:
			lit.Body.List = append(restoringGuard(lit.Body.Lbrace, "a function literal"), lit.Body.List...)
		}
		return true
	})
}

// The session's variable that counts the depth, and its function that sets it.
const (
	depthVar     = "_gomatcalcDepth"
	restoreDepth = "_gomatcalcRestoreDepth"
	resultPrefix = "_gomatcalcR"
)

// enterStmts are depth++ and the check against cellrt.MaxDepth.
func enterStmts(at token.Pos, name string) []ast.Stmt {
	inc := &ast.IncDecStmt{X: &ast.Ident{NamePos: at, Name: depthVar}, TokPos: at, Tok: token.INC}
	over := &ast.IfStmt{If: at,
		Cond: &ast.BinaryExpr{X: &ast.Ident{NamePos: at, Name: depthVar}, OpPos: at, Op: token.GTR,
			Y: &ast.BasicLit{ValuePos: at, Kind: token.INT, Value: strconv.Itoa(cellrt.MaxDepth)}},
		Body: &ast.BlockStmt{Lbrace: at, List: []ast.Stmt{&ast.ExprStmt{X: engine.Call(runtimePkg, "Overflowing", engine.String(name))}}, Rbrace: at}}
	return []ast.Stmt{inc, over}
}

func leaveStmt(at token.Pos) ast.Stmt {
	return &ast.IncDecStmt{X: &ast.Ident{NamePos: at, Name: depthVar}, TokPos: at, Tok: token.DEC}
}

// restoringGuard is enterStmts and a deferred call that sets the depth back to what it
// was on entry, however the function ends.
func restoringGuard(at token.Pos, name string) []ast.Stmt {
	was := &ast.BinaryExpr{X: &ast.Ident{NamePos: at, Name: depthVar}, OpPos: at, Op: token.SUB, Y: &ast.BasicLit{ValuePos: at, Kind: token.INT, Value: "1"}}
	restore := &ast.DeferStmt{Defer: at, Call: &ast.CallExpr{Fun: &ast.Ident{NamePos: at, Name: restoreDepth}, Lparen: at, Args: []ast.Expr{was}, Rparen: at}}
	return append(enterStmts(at, name), restore)
}

// countDepth makes body (of a function of type typ that defers nothing of its own) count
// its depth: enterStmts first, a decrement before each return, after its results are
// assigned, and at the end.
func countDepth(typ *ast.FuncType, body *ast.BlockStmt, name string) {
	at := body.Lbrace
	results, locals := nameResults(typ, at)
	fallsOff := len(results) == 0
	if k := len(body.List); k > 0 {
		if _, ok := body.List[k-1].(*ast.ReturnStmt); ok {
			fallsOff = false
		}
	}
	astutil.Apply(body, func(c *astutil.Cursor) bool {
		switch ret := c.Node().(type) {
		case *ast.FuncLit:
			return false // its returns are its own
		case *ast.ReturnStmt:
			c.Replace(countedReturn(ret, results, locals))
			return false
		}
		return true
	}, nil)
	head := enterStmts(at, name)
	for _, l := range locals {
		head = append(head, l.decl)
	}
	body.List = append(head, body.List...)
	if fallsOff {
		body.List = append(body.List, leaveStmt(body.Rbrace))
	}
}

// namedResult is a result name a function had, now a local variable.
type namedResult struct {
	index int // of the result it was
	name  *ast.Ident
	decl  ast.Stmt
}

// nameResults names typ's results _gomatcalcR0, _gomatcalcR1, ... and returns those
// names, and the results' own names as local variables (zero at the start, as results are).
func nameResults(typ *ast.FuncType, at token.Pos) ([]string, []namedResult) {
	if typ.Results == nil {
		return nil, nil
	}
	var names []string
	var locals []namedResult
	for _, f := range typ.Results.List {
		own := f.Names
		count := max(1, len(own))
		f.Names = nil
		for k := 0; k < count; k++ {
			name := resultPrefix + strconv.Itoa(len(names))
			f.Names = append(f.Names, &ast.Ident{NamePos: at, Name: name})
			if len(own) > 0 && own[k].Name != "_" {
				decl := &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: at, Tok: token.VAR,
					Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{own[k]}, Type: f.Type}}}}
				locals = append(locals, namedResult{index: len(names), name: own[k], decl: decl})
			}
			names = append(names, name)
		}
	}
	return names, locals
}

// countedReturn is { results = values; depth--; return } for ret.
func countedReturn(ret *ast.ReturnStmt, results []string, locals []namedResult) ast.Stmt {
	at := ret.Pos()
	var stmts []ast.Stmt
	values := ret.Results
	if len(values) == 0 { // a bare return returns the named results
		for _, l := range locals {
			stmts = append(stmts, &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{NamePos: at, Name: results[l.index]}}, TokPos: at, Tok: token.ASSIGN,
				Rhs: []ast.Expr{&ast.Ident{NamePos: at, Name: l.name.Name}}})
		}
	} else if len(values) < len(results) { // return f(), f with several results
		var lhs []ast.Expr
		for _, r := range results {
			lhs = append(lhs, &ast.Ident{NamePos: at, Name: r})
		}
		stmts = append(stmts, &ast.AssignStmt{Lhs: lhs, TokPos: at, Tok: token.ASSIGN, Rhs: values})
	} else {
		// One assignment a result: yaegi v0.16.1 fails on some of several at once (an
		// error result assigned nil beside a float64: "reflect: New(nil)"). The values
		// that call a function go first, as gc evaluates a return's calls before its
		// other operands; the others cannot see the results, which only these names hold.
		var calls, others []ast.Stmt
		for i, v := range values {
			as := &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{NamePos: at, Name: results[i]}}, TokPos: at, Tok: token.ASSIGN, Rhs: []ast.Expr{v}}
			if len(values) > 1 && engine.HasCall(v) {
				calls = append(calls, as)
			} else {
				others = append(others, as)
			}
		}
		stmts = append(append(stmts, calls...), others...)
	}
	stmts = append(stmts, leaveStmt(at), &ast.ReturnStmt{Return: at})
	return &ast.BlockStmt{Lbrace: at, List: stmts, Rbrace: ret.End()}
}

// defers reports whether body has a defer statement of its own (not one of a function
// literal in it).
func defers(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.DeferStmt:
			found = true
		}
		return !found
	})
	return found
}

// bodyPrefix names the function a guarded function's body moves to.
const bodyPrefix = "_gomatcalcBody_"

// guardDecl moves fd's body to a new function, returned, and makes fd the guard.
func guardDecl(fd *ast.FuncDecl) *ast.FuncDecl {
	body := &ast.FuncDecl{Doc: fd.Doc, Recv: fd.Recv, Name: &ast.Ident{NamePos: fd.Name.Pos(), Name: bodyPrefix + fd.Name.Name}, Type: fd.Type, Body: fd.Body}
	params, args, spread := forwarded(fd.Type.Params)
	var fun ast.Expr = &ast.Ident{NamePos: fd.Body.Lbrace, Name: body.Name.Name}
	recv := fd.Recv
	if recv != nil && len(recv.List) == 1 {
		r := recv.List[0]
		name := &ast.Ident{NamePos: fd.Body.Lbrace, Name: "_gomatcalcRecv"}
		if len(r.Names) == 1 && r.Names[0].Name != "_" {
			name = r.Names[0]
		}
		recv = &ast.FieldList{Opening: recv.Opening, List: []*ast.Field{{Names: []*ast.Ident{name}, Type: r.Type}}, Closing: recv.Closing}
		fun = &ast.SelectorExpr{X: &ast.Ident{NamePos: fd.Body.Lbrace, Name: name.Name}, Sel: &ast.Ident{NamePos: fd.Body.Lbrace, Name: body.Name.Name}}
	} else if tp := fd.Type.TypeParams; tp != nil && len(tp.List) > 0 {
		var names []ast.Expr
		for _, f := range tp.List {
			for _, n := range f.Names {
				names = append(names, &ast.Ident{NamePos: fd.Body.Lbrace, Name: n.Name})
			}
		}
		fun = &ast.IndexListExpr{X: fun, Lbrack: fd.Body.Lbrace, Indices: names, Rbrack: fd.Body.Lbrace}
	}
	fd.Recv = recv
	fd.Type = &ast.FuncType{Func: fd.Type.Func, TypeParams: fd.Type.TypeParams, Params: params, Results: fd.Type.Results}
	fd.Body = guardBody(fd.Body.Lbrace, fd.Body.Rbrace, fd.Name.Name, fun, args, spread, fd.Type.Results)
	return body
}

// guardLit is a literal that guards lit's body: func(params) { guard; return
// lit(args) }.
func guardLit(lit *ast.FuncLit) *ast.FuncLit {
	params, args, spread := forwarded(lit.Type.Params)
	inner := &ast.FuncLit{Type: lit.Type, Body: lit.Body}
	typ := &ast.FuncType{Func: lit.Type.Func, Params: params, Results: lit.Type.Results}
	return &ast.FuncLit{Type: typ, Body: guardBody(lit.Body.Lbrace, lit.Body.Rbrace, "a function literal", inner, args, spread, lit.Type.Results)}
}

// guardBody is { restoringGuard; return fun(args) }.
func guardBody(lbrace, rbrace token.Pos, name string, fun ast.Expr, args []ast.Expr, spread bool, results *ast.FieldList) *ast.BlockStmt {
	call := &ast.CallExpr{Fun: fun, Lparen: lbrace, Args: args, Rparen: lbrace}
	if spread {
		call.Ellipsis = lbrace
	}
	var last ast.Stmt = &ast.ExprStmt{X: call}
	if results != nil && len(results.List) > 0 {
		last = &ast.ReturnStmt{Return: lbrace, Results: []ast.Expr{call}}
	}
	return &ast.BlockStmt{Lbrace: lbrace, List: append(restoringGuard(lbrace, name), last), Rbrace: rbrace}
}

// declaresVariables reports whether body declares a variable or has a function literal
// (whose variables may live in body's frame).
func declaresVariables(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			found = found || n.Tok == token.DEFINE
		case *ast.RangeStmt:
			found = found || n.Tok == token.DEFINE
		case *ast.DeclStmt, *ast.FuncLit, *ast.TypeSwitchStmt:
			found = true
		}
		return !found
	})
	return found
}

// isGuard reports whether body counts its depth already.
func isGuard(body *ast.BlockStmt) bool {
	if len(body.List) == 0 {
		return false
	}
	inc, ok := body.List[0].(*ast.IncDecStmt)
	if !ok {
		return false
	}
	id, ok := inc.X.(*ast.Ident)
	return ok && id.Name == depthVar
}

// forwarded are a function's parameters with a name each, the arguments that pass them
// on, and whether the last is variadic.
func forwarded(params *ast.FieldList) (*ast.FieldList, []ast.Expr, bool) {
	out := &ast.FieldList{Opening: params.Opening, Closing: params.Closing}
	var args []ast.Expr
	spread := false
	i := 0
	for _, f := range params.List {
		var names []*ast.Ident
		count := max(1, len(f.Names))
		for k := 0; k < count; k++ {
			name := fmt.Sprintf("_gomatcalcArg%d", i)
			if k < len(f.Names) && f.Names[k].Name != "_" {
				name = f.Names[k].Name
			}
			i++
			names = append(names, &ast.Ident{NamePos: f.Pos(), Name: name})
			args = append(args, &ast.Ident{NamePos: f.Pos(), Name: name})
		}
		if _, ok := f.Type.(*ast.Ellipsis); ok {
			spread = true
		}
		out.List = append(out.List, &ast.Field{Names: names, Type: f.Type})
	}
	return out, args, spread
}

// callsFunctions reports whether body calls a function by a plain name (not a package's
// function), through which recursion can run.
func callsFunctions(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && !engine.Builtin(id.Name) && !engine.PredeclaredType(id.Name) &&
				(!strings.HasPrefix(id.Name, "_gomatcalc") || strings.HasPrefix(id.Name, tangentOfPrefx)) {
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

const showFuncDecl = "package main\nvar " + lineVar + ", " + topLineVar + ", " + depthVar + " int\n" +
	"func " + restoreDepth + "(depth int) { " + depthVar + " = depth }\n" +
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
