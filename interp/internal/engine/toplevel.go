package engine

import (
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/ast/astutil"
)

// BlocksInFuncs runs in a function literal, func() { ... }(), each statement of a
// top-level block that is an if, for, switch, select or block defining several
// variables from one value (v, ok := m[k]; n, err := f()): yaegi compiles those wrongly
// outside a function ("undefined: v", "nil type", a nil dereference). The variables are
// the statement's own, so nothing else changes.
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
		if definesSeveralFromOne(inner) && !returns(inner) {
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
	declared := map[string]bool{}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				declared[d.Name.Name] = true
			}
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
			for _, v := range vs.Values {
				ast.Inspect(v, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
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

// MinMaxArgs puts first, in a call of min or max, an argument that is a variable when
// the first is a literal (min(1.5, x32) becomes min(x32, 1.5)), and makes float
// literals float64 when all arguments are constants (min(1.5, 2.0)): the prelude's
// generic min and max take their type from the first argument, and yaegi cannot
// instantiate them from untyped constants. min and max are symmetric, and moving a plain
// variable changes no order of evaluation.
func MinMaxArgs(n ast.Node) {
	ast.Inspect(n, func(m ast.Node) bool {
		call, ok := m.(*ast.CallExpr)
		if !ok || call.Ellipsis.IsValid() || len(call.Args) == 0 {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "min" && id.Name != "max" {
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
		allConst := true
		for _, a := range call.Args {
			allConst = allConst && isLiteral(a)
		}
		if allConst {
			for i, a := range call.Args {
				if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.FLOAT {
					call.Args[i] = &ast.CallExpr{Fun: &ast.Ident{NamePos: lit.Pos(), Name: "float64"}, Lparen: lit.Pos(), Args: []ast.Expr{lit}, Rparen: lit.End()}
				}
			}
		}
		return true
	})
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
