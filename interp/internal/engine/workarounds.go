package engine

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/token"
	"math/big"
	"reflect"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// The rewrites of this file work around bugs of yaegi v0.16.1 in the syntax tree: each
// turns code yaegi gets wrong into code it gets right with the same meaning in Go 1.22.
// bugs_test.go holds a test of each bug.

// MainName is what a cell's func main is called in the interpreter.
const MainName = "_gomatcalcMain"

// RenameMain renames the function main, and every use of the name, to MainName and
// reports whether the tree declares main. yaegi runs a declared main after every later
// evaluation; renamed, it runs when the session calls it, once, after the cell that
// declares it (as `go run` would), or when a cell calls main().
func RenameMain(n ast.Node) (declared bool) {
	var walk func(n ast.Node) bool
	walk = func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.File:
			for _, d := range m.Decls {
				ast.Inspect(d, walk)
			}
			return false // not the package's name
		case *ast.FuncDecl:
			if m.Recv != nil {
				// A method named main keeps its name; a receiver named main is renamed.
				for _, f := range m.Recv.List {
					for _, n := range f.Names {
						ast.Inspect(n, walk)
					}
					ast.Inspect(f.Type, walk)
				}
				ast.Inspect(m.Type, walk)
				if m.Body != nil {
					ast.Inspect(m.Body, walk)
				}
				return false
			}
			if m.Name.Name == "main" {
				declared = true
				m.Name.Name = MainName
			}
		case *ast.SelectorExpr:
			ast.Inspect(m.X, walk) // not the field or method
			return false
		case *ast.KeyValueExpr:
			if _, ok := m.Key.(*ast.Ident); ok {
				ast.Inspect(m.Value, walk) // a field name, or a map key the same as any
				return false
			}
		case *ast.StructType:
			inspectFieldTypes(m.Fields, walk) // not the names of fields
			return false
		case *ast.InterfaceType:
			inspectFieldTypes(m.Methods, walk) // not the names of methods
			return false
		case *ast.Ident:
			if m.Name == "main" {
				m.Name = MainName
			}
		}
		return true
	}
	ast.Inspect(n, walk)
	return declared
}

func inspectFieldTypes(list *ast.FieldList, visit func(ast.Node) bool) {
	if list == nil {
		return
	}
	for _, f := range list.List {
		ast.Inspect(f.Type, visit)
	}
}

// InlineFloatConstants replaces each float constant of a compiled package (math.Pi,
// math.Sqrt2) with its exact literal: yaegi gives them type "untyped float64", so that
// 0.25*math.Pi fails with "mismatched types untyped float and untyped float64". An
// untyped literal is the constant as Go defines it. path maps a package name of the cell
// to its import path ("" for none).
func InlineFloatConstants(n ast.Node, path func(name string) string, tables ...map[string]map[string]reflect.Value) {
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		sel, ok := c.Node().(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok || path(pkg.Name) == "" {
			return true
		}
		p := path(pkg.Name)
		key := p + "/" + tableName(p) // the package's own name, whatever the cell calls it
		for _, t := range append([]map[string]map[string]reflect.Value{StdlibSymbols()}, tables...) {
			v, ok := t[key][sel.Sel.Name]
			if !ok || !v.IsValid() || !v.CanInterface() {
				continue
			}
			if cv, ok := v.Interface().(constant.Value); ok && cv.Kind() == constant.Float {
				c.Replace(&ast.ParenExpr{Lparen: sel.Pos(), X: &ast.BasicLit{ValuePos: sel.Pos(), Kind: token.FLOAT, Value: floatLiteral(cv)}, Rparen: sel.End() - 1})
			}
			return false
		}
		return true
	}, nil)
}

// tableName is the name of the package at path in the symbol tables' keys: its last
// element, before a major version ("math/rand/v2" is rand).
func tableName(path string) string {
	parts := strings.Split(path, "/")
	name := parts[len(parts)-1]
	if len(parts) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = parts[len(parts)-2]
	}
	return name
}

// floatLiteral is a decimal literal of v, exact to far more digits than a float64 holds.
func floatLiteral(v constant.Value) string {
	var f big.Float
	f.SetPrec(512)
	switch x := constant.Val(v).(type) {
	case *big.Float:
		f.Set(x)
	case *big.Rat:
		f.SetRat(x)
	case int64:
		f.SetInt64(x)
	case *big.Int:
		f.SetInt(x)
	default:
		return v.ExactString()
	}
	s := f.Text('g', 80)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// OrderAssignments splits a, b = x, f() (several values, a call or receive among them)
// into { t0, t1 := x, f(); a, b = t0, t1 }: yaegi assigns each value as soon as it has
// it, so that f sees a already changed, where Go evaluates every value first (and with a
// compiled f, i, s = i+1, f(s) loses the i+1 altogether).
//
// A loop's post statement must stay one statement, so a loop whose post statement needs
// the split runs it at the top of the body instead, from the second iteration on:
//
//	{ init; for first := true; ; first = false { if !first { post }; if !cond { break }; body } }
//
// where continue still runs the post statement and then the condition. Only loops without
// function literals are changed: one could see that the loop's variables are no longer
// new in each iteration. (An if or switch header is left alone.)
func OrderAssignments(n ast.Node) {
	count := 0
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		as, ok := c.Node().(*ast.AssignStmt)
		if !ok || !needsOrder(as) {
			return true
		}
		if _, inList := c.Parent().(*ast.BlockStmt); !inList {
			if _, inCase := c.Parent().(*ast.CaseClause); !inCase {
				if _, inComm := c.Parent().(*ast.CommClause); !inComm {
					return true // an if/for/switch header: left alone (a loop's, below)
				}
			}
		}
		c.Replace(ordered(as, &count))
		return false
	}, func(c *astutil.Cursor) bool {
		// After the statement's body: its statements are ordered already.
		switch x := c.Node().(type) {
		case *ast.LabeledStmt:
			// The label stays on the statement, for its break and continue statements.
			if init, st := headerFirst(x.Stmt, &count); st != nil {
				c.Replace(withInit(init, &ast.LabeledStmt{Label: x.Label, Colon: x.Colon, Stmt: st}))
			}
		case ast.Stmt:
			if _, labeled := c.Parent().(*ast.LabeledStmt); labeled {
				return true
			}
			if init, st := headerFirst(x, &count); st != nil {
				c.Replace(withInit(init, st))
			}
		}
		return true
	})
}

// headerFirst is an if's, switch's or loop's init statement, ordered, and the statement
// without it, when the init statement needs ordering (it runs once, before the rest, so
// it may run as a statement of its own: it defines nothing); for a loop whose post
// statement needs ordering, the loop as postFirst makes it. A nil statement otherwise.
func headerFirst(st ast.Stmt, count *int) (init, out ast.Stmt) {
	var header *ast.Stmt
	switch x := st.(type) {
	case *ast.IfStmt:
		c := *x
		header, out = &c.Init, &c
	case *ast.SwitchStmt:
		c := *x
		header, out = &c.Init, &c
	case *ast.TypeSwitchStmt:
		c := *x
		header, out = &c.Init, &c
	case *ast.ForStmt:
		c := *x
		header, out = &c.Init, &c
	default:
		return nil, nil
	}
	if as, ok := (*header).(*ast.AssignStmt); ok && needsOrder(as) {
		init, *header = ordered(as, count), nil
	}
	if loop, ok := out.(*ast.ForStmt); ok {
		if loopInit, post := postFirst(loop, count); post != nil {
			if init == nil {
				init = loopInit // else the init statement went first, and the loop has none
			}
			return init, post
		}
	}
	if init == nil {
		return nil, nil
	}
	return init, out
}

// withInit is { init; loop }, or the loop when there is no init statement.
func withInit(init, loop ast.Stmt) ast.Stmt {
	if init == nil {
		return loop
	}
	return &ast.BlockStmt{Lbrace: init.Pos(), List: []ast.Stmt{init, loop}, Rbrace: loop.End()}
}

func needsOrder(as *ast.AssignStmt) bool {
	return as.Tok == token.ASSIGN && len(as.Lhs) >= 2 && len(as.Lhs) == len(as.Rhs) && HasCall(as.Rhs...)
}

// ordered is as, its values in temporaries first.
func ordered(as *ast.AssignStmt, count *int) *ast.BlockStmt {
	// Every value that is not a constant is evaluated into a temporary first (a constant
	// keeps its untyped meaning in the assignment: 1 for a float64).
	var temps []ast.Expr
	var values, final []ast.Expr
	// The operands of an index on the left come first (x[g()], y = 1, f() calls g before f).
	lhs := make([]ast.Expr, len(as.Lhs))
	copy(lhs, as.Lhs)
	for i, l := range lhs {
		ix, ok := l.(*ast.IndexExpr)
		if !ok || !HasCall(ix.Index) {
			continue
		}
		*count++
		name := fmt.Sprintf("_gomatcalcV%d", *count)
		temps = append(temps, &ast.Ident{NamePos: ix.Index.Pos(), Name: name})
		values = append(values, ix.Index)
		lhs[i] = &ast.IndexExpr{X: ix.X, Lbrack: ix.Lbrack, Index: &ast.Ident{NamePos: ix.Index.Pos(), Name: name}, Rbrack: ix.Rbrack}
	}
	for _, r := range as.Rhs {
		if isLiteral(r) || isStringLiteral(r) {
			final = append(final, r)
			continue
		}
		*count++
		name := &ast.Ident{NamePos: r.Pos(), Name: fmt.Sprintf("_gomatcalcV%d", *count)}
		temps = append(temps, name)
		values = append(values, r)
		final = append(final, &ast.Ident{NamePos: r.Pos(), Name: name.Name})
	}
	eval := &ast.AssignStmt{Lhs: temps, TokPos: as.TokPos, Tok: token.DEFINE, Rhs: values}
	assign := &ast.AssignStmt{Lhs: lhs, TokPos: as.TokPos, Tok: token.ASSIGN, Rhs: final}
	return &ast.BlockStmt{Lbrace: as.Pos(), List: []ast.Stmt{eval, assign}, Rbrace: as.End()}
}

// postFirst is the loop's init statement and the loop with its post statement at the
// top of the body, when the post statement needs ordering and the loop has no function
// literal; a nil loop otherwise.
func postFirst(loop *ast.ForStmt, count *int) (init ast.Stmt, out *ast.ForStmt) {
	post, ok := loop.Post.(*ast.AssignStmt)
	if !ok || !needsOrder(post) || hasFuncLit(loop) {
		return nil, nil
	}
	*count++
	first := fmt.Sprintf("_gomatcalcFirst%d", *count)
	pos := loop.For
	notFirst := &ast.UnaryExpr{OpPos: pos, Op: token.NOT, X: &ast.Ident{NamePos: pos, Name: first}}
	var body []ast.Stmt
	body = append(body, &ast.IfStmt{If: pos, Cond: notFirst, Body: &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{ordered(post, count)}, Rbrace: pos}})
	if loop.Cond != nil {
		stop := &ast.UnaryExpr{OpPos: pos, Op: token.NOT, X: &ast.ParenExpr{Lparen: pos, X: loop.Cond, Rparen: pos}}
		body = append(body, &ast.IfStmt{If: pos, Cond: stop, Body: &ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{&ast.BranchStmt{TokPos: pos, Tok: token.BREAK}}, Rbrace: pos}})
	}
	body = append(body, loop.Body.List...)
	out = &ast.ForStmt{For: pos,
		Init: &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{NamePos: pos, Name: first}}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{&ast.Ident{NamePos: pos, Name: "true"}}},
		Post: &ast.AssignStmt{Lhs: []ast.Expr{&ast.Ident{NamePos: pos, Name: first}}, TokPos: pos, Tok: token.ASSIGN, Rhs: []ast.Expr{&ast.Ident{NamePos: pos, Name: "false"}}},
		Body: &ast.BlockStmt{Lbrace: loop.Body.Lbrace, List: body, Rbrace: loop.Body.Rbrace}}
	return loop.Init, out
}

func hasFuncLit(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		_, lit := m.(*ast.FuncLit)
		found = found || lit
		return !found
	})
	return found
}

func isStringLiteral(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && (lit.Kind == token.STRING || lit.Kind == token.CHAR)
}

// HasCall reports whether evaluating any of exprs calls a function or receives from a
// channel (function literals are not evaluated).
func HasCall(exprs ...ast.Expr) bool {
	found := false
	for _, e := range exprs {
		ast.Inspect(e, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				found = true
			case *ast.UnaryExpr:
				found = found || n.Op == token.ARROW
			}
			return !found
		})
	}
	return found
}

// RangeOverInts rewrites `for k := range n` into a counting loop, for the ranges whose
// expression may be an integer (all of them when maybe, else only those that surely
// are): yaegi's compiler panics "nil type" on a range over an integer (Go 1.22). The
// rewrite keeps Go's meaning: n is evaluated once, k is a new variable each iteration,
// and assigning it in the body does not change the count. It reports whether it changed
// anything. The session tries it only when yaegi failed that way.
func RangeOverInts(n ast.Node, maybe bool) bool {
	changed := false
	count := 0
	astutil.Apply(n, nil, func(c *astutil.Cursor) bool {
		var label *ast.LabeledStmt
		r, ok := c.Node().(*ast.RangeStmt)
		if l, isLabel := c.Node().(*ast.LabeledStmt); isLabel {
			label = l
			r, ok = l.Stmt.(*ast.RangeStmt)
		}
		if !ok || r.Value != nil || r.Tok == token.ASSIGN || !mayBeInt(r.X, maybe) {
			return true
		}
		if _, isLabel := c.Parent().(*ast.LabeledStmt); isLabel {
			return true // rewritten with its label
		}
		count++
		counter, limit := fmt.Sprintf("_gomatcalcI%d", count), fmt.Sprintf("_gomatcalcN%d", count)
		pos := r.For
		body := r.Body
		if id, ok := r.Key.(*ast.Ident); ok && id.Name != "_" {
			body = &ast.BlockStmt{Lbrace: body.Lbrace, List: append([]ast.Stmt{
				&ast.AssignStmt{Lhs: []ast.Expr{id}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{Ident(counter)}}}, body.List...), Rbrace: body.Rbrace}
		}
		var loop ast.Stmt = &ast.ForStmt{
			For:  pos,
			Init: &ast.AssignStmt{Lhs: []ast.Expr{Ident(counter)}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{&ast.BinaryExpr{X: Ident(limit), OpPos: pos, Op: token.SUB, Y: Ident(limit)}}},
			Cond: &ast.BinaryExpr{X: Ident(counter), OpPos: pos, Op: token.LSS, Y: Ident(limit)},
			Post: &ast.IncDecStmt{X: Ident(counter), TokPos: pos, Tok: token.INC},
			Body: body,
		}
		if label != nil {
			loop = &ast.LabeledStmt{Label: label.Label, Colon: label.Colon, Stmt: loop}
		}
		c.Replace(&ast.BlockStmt{Lbrace: pos, List: []ast.Stmt{
			&ast.AssignStmt{Lhs: []ast.Expr{Ident(limit)}, TokPos: pos, Tok: token.DEFINE, Rhs: []ast.Expr{r.X}},
			loop}, Rbrace: r.End()})
		changed = true
		return true
	})
	return changed
}

// mayBeInt tells the expressions of a range that can be integers: surely (an integer
// literal, len, cap, a conversion to an integer type, arithmetic of those) or, with
// maybe, anything not surely something else (a composite literal, a string, make).
func mayBeInt(x ast.Expr, maybe bool) bool {
	switch x := x.(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT
	case *ast.ParenExpr:
		return mayBeInt(x.X, maybe)
	case *ast.BinaryExpr:
		return mayBeInt(x.X, maybe) || mayBeInt(x.Y, maybe)
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok {
			switch id.Name {
			case "len", "cap", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr":
				return true
			case "make", "append", "string", "new":
				return false
			}
		}
		return maybe
	case *ast.CompositeLit, *ast.SliceExpr, *ast.FuncLit:
		return false
	}
	return maybe
}
