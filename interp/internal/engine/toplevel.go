package engine

import (
	"go/ast"
	"go/constant"
	"go/token"

	"golang.org/x/tools/go/ast/astutil"
)

// BlocksInFuncs runs in a function literal, func() { ... }(), each statement of a
// top-level block that is an if, for, switch, select or block defining several
// variables from one value (v, ok := m[k]; n, err := f()) or binding a type switch's
// variable (switch v := x.(type)): yaegi compiles those wrongly outside a function
// ("undefined: v", "nil type", a nil dereference, "index out of range [1] with length
// 1"). The variables are the statement's own, so nothing else changes.
func BlocksInFuncs(block *ast.BlockStmt) {
	for i, st := range block.List {
		inner := st
		if l, ok := st.(*ast.LabeledStmt); ok {
			inner = l.Stmt
		}
		switch inner.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.BlockStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		default:
			continue
		}
		if (definesSeveralFromOne(inner) || bindsTypeSwitch(inner)) && !returns(inner) && !hasGoto(inner) {
			lit := &ast.FuncLit{Type: &ast.FuncType{Func: st.Pos(), Params: &ast.FieldList{}},
				Body: &ast.BlockStmt{Lbrace: st.Pos(), List: []ast.Stmt{st}, Rbrace: st.End()}}
			block.List[i] = &ast.ExprStmt{X: &ast.CallExpr{Fun: lit, Lparen: st.End(), Rparen: st.End()}}
		}
	}
}

// definesSeveralFromOne reports whether n, outside function literals, has a statement
// a, b := x.
func definesSeveralFromOne(n ast.Node) bool {
	found := false
	inspectTop(n, func(n ast.Node) bool {
		if as, ok := n.(*ast.AssignStmt); ok {
			found = found || as.Tok == token.DEFINE && len(as.Lhs) > 1 && len(as.Rhs) == 1
		}
		return !found
	})
	return found
}

// bindsTypeSwitch reports whether n, outside function literals, has a type switch that
// binds a variable.
func bindsTypeSwitch(n ast.Node) bool {
	found := false
	inspectTop(n, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSwitchStmt); ok {
			_, binds := ts.Assign.(*ast.AssignStmt)
			found = found || binds
		}
		return !found
	})
	return found
}

// hasGoto reports whether n has a goto, whose label a function literal would hide.
func hasGoto(n ast.Node) bool {
	found := false
	inspectTop(n, func(n ast.Node) bool {
		if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.GOTO {
			found = true
		}
		return !found
	})
	return found
}

// returns reports whether n has a return statement outside function literals.
func returns(n ast.Node) bool {
	found := false
	inspectTop(n, func(n ast.Node) bool {
		_, ok := n.(*ast.ReturnStmt)
		found = found || ok
		return !found
	})
	return found
}

// ReturnSignal is the panic value by which a top-level return ends a cell.
const ReturnSignal = "_gomatcalc: return from the cell"

// TopLevelReturns turns each return at a cell's top level (outside any function) into
// panic(ReturnSignal), which the session takes for the cell's end, as a return ends
// main: yaegi's compiler panics on them. A return with values is left for yaegi to
// refuse; the session says what to write.
func TopLevelReturns(block *ast.BlockStmt) (withValues *ast.ReturnStmt) {
	astutil.Apply(block, func(c *astutil.Cursor) bool {
		if funcBody(c.Node()) != nil {
			return false
		}
		r, ok := c.Node().(*ast.ReturnStmt)
		if !ok {
			return true
		}
		if len(r.Results) > 0 {
			withValues = r
			return false
		}
		call := Call("", "panic", &ast.BasicLit{ValuePos: r.Pos(), Kind: token.STRING, Value: `"` + ReturnSignal + `"`})
		call.Fun.(*ast.Ident).NamePos = r.Pos()
		c.Replace(&ast.ExprStmt{X: call})
		return false
	}, nil)
	return withValues
}

// HoistVars takes out of a file of declarations the var specs whose values use a
// variable of an earlier cell (earlier reports those names) and returns them as
// statements, to run before the file: yaegi orders a file's variables by what they use
// and takes a variable of an earlier evaluation for one never initialized ("variable
// definition loop"), while the same declaration as a statement works. Specs that also
// use a name the file declares stay (yaegi reports the loop).
func (e *Engine) HoistVars(f *ast.File) []ast.Stmt {
	earlier := e.hasValue
	declared := map[string]bool{} // and the methods the file declares
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			declared[d.Name.Name] = true
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.ValueSpec:
					for _, n := range s.Names {
						declared[n.Name] = true
					}
				case *ast.TypeSpec:
					declared[s.Name.Name] = true
				}
			}
		}
	}
	var hoisted []ast.Stmt
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		kept := gd.Specs[:0]
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			usesEarlier, usesFile := false, false
			exprs := vs.Values
			if vs.Type != nil {
				exprs = append([]ast.Expr{vs.Type}, exprs...)
			}
			for _, v := range exprs {
				ast.Inspect(v, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
						usesFile = usesFile || declared[sel.Sel.Name] // a method of the file
						ast.Inspect(sel.X, func(n ast.Node) bool {
							if id, ok := n.(*ast.Ident); ok {
								usesFile = usesFile || declared[id.Name]
								usesEarlier = usesEarlier || !declared[id.Name] && earlier(id.Name)
							}
							return true
						})
						return false
					}
					if id, ok := n.(*ast.Ident); ok {
						usesFile = usesFile || declared[id.Name]
						usesEarlier = usesEarlier || !declared[id.Name] && earlier(id.Name)
					}
					return true
				})
			}
			if usesEarlier && !usesFile {
				hoisted = append(hoisted, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: gd.TokPos, Tok: token.VAR, Specs: []ast.Spec{vs}}})
				continue
			}
			kept = append(kept, s)
		}
		gd.Specs = kept
	}
	decls := f.Decls[:0]
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR && len(gd.Specs) == 0 {
			continue
		}
		decls = append(decls, d)
	}
	f.Decls = decls
	return hoisted
}

// MinMaxArgs makes calls of min and max what the prelude's generic ones can do: with
// constants only (min(1.5, 2.0)), the call becomes the constant it is in Go; otherwise an
// argument that is a variable goes first when the first is a constant (min(1.5, x32)
// becomes min(x32, 1.5)): the prelude's functions take their type from the first argument,
// and yaegi cannot instantiate them from untyped constants. min and max are symmetric, and
// moving a plain variable changes no order of evaluation. own reports the names a cell
// has declared for itself (its own min is left alone).
func MinMaxArgs(n ast.Node, own func(name string) bool) {
	astutil.Apply(n, nil, func(c *astutil.Cursor) bool {
		call, ok := c.Node().(*ast.CallExpr)
		if !ok || call.Ellipsis.IsValid() || len(call.Args) == 0 {
			return true
		}
		id, ok := call.Fun.(*ast.Ident)
		if !ok || id.Name != "min" && id.Name != "max" || id.Obj != nil || own(id.Name) {
			return true
		}
		if best := constantChoice(call.Args, id.Name == "min"); best != nil {
			c.Replace(&ast.ParenExpr{Lparen: call.Pos(), X: best, Rparen: call.End() - 1})
			return true
		}
		if !isLiteral(call.Args[0]) {
			return true
		}
		for i, a := range call.Args {
			switch a.(type) {
			case *ast.Ident, *ast.SelectorExpr:
				if !isLiteral(a) {
					call.Args[0], call.Args[i] = call.Args[i], call.Args[0]
					return true
				}
			}
		}
		return true
	})
}

// constantChoice is the argument min (or max) picks when every argument is a number
// literal, or nil.
func constantChoice(args []ast.Expr, least bool) ast.Expr {
	var best ast.Expr
	var bestValue constant.Value
	for _, a := range args {
		v := literalValue(a)
		if v == nil {
			return nil
		}
		if best == nil || least && constant.Compare(v, token.LSS, bestValue) || !least && constant.Compare(v, token.GTR, bestValue) {
			best, bestValue = a, v
		}
	}
	return best
}

// literalValue is the value of a number literal, maybe negated or in parentheses, or nil.
func literalValue(e ast.Expr) constant.Value {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.INT || e.Kind == token.FLOAT {
			if v := constant.MakeFromLiteral(e.Value, e.Kind, 0); v.Kind() != constant.Unknown {
				return v
			}
		}
	case *ast.UnaryExpr:
		if v := literalValue(e.X); v != nil && (e.Op == token.SUB || e.Op == token.ADD) {
			return constant.UnaryOp(e.Op, v, 0)
		}
	case *ast.ParenExpr:
		return literalValue(e.X)
	}
	return nil
}

// isLiteral reports whether e is a number literal, maybe negated or in parentheses.
func isLiteral(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.BasicLit:
		return e.Kind == token.INT || e.Kind == token.FLOAT
	case *ast.UnaryExpr:
		return (e.Op == token.SUB || e.Op == token.ADD) && isLiteral(e.X)
	case *ast.ParenExpr:
		return isLiteral(e.X)
	}
	return false
}
