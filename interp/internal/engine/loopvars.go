package engine

import (
	"go/ast"
	"go/token"
	"slices"
)

// loopPrefix renames a loop's own variable so that its body can declare the user's name.
const loopPrefix = "_gomatcalcLoop_"

// PerIterationLoopVars gives a loop body its own copies of the loop's variables, as Go
// 1.22 does (yaegi v0.16.1 shares one variable across iterations, as Go 1.21 did), when
// something in the body can keep them (a closure, a goroutine, a defer, an address) and
// the body does not assign them (a copy would hide the change from the loop). The
// header's variables are renamed and the body declares the user's names from them:
// yaegi mishandles a body that redeclares the loop variable under the same name.
func PerIterationLoopVars(n ast.Node) {
	ast.Inspect(n, func(m ast.Node) bool {
		switch m := m.(type) {
		case *ast.ForStmt:
			if init, ok := m.Init.(*ast.AssignStmt); ok && init.Tok == token.DEFINE {
				perIteration(identNames(init.Lhs), m.Body, m.Init, m.Cond, m.Post)
			}
		case *ast.RangeStmt:
			if m.Tok == token.DEFINE {
				perIteration(identNames([]ast.Expr{m.Key, m.Value}), m.Body, m.Key, m.Value)
			}
		}
		return true
	})
}

func perIteration(names []string, body *ast.BlockStmt, header ...ast.Node) {
	if len(names) == 0 || !captures(body) || assigns(body, names) || redeclares(body, names) {
		return
	}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	for _, h := range header {
		if h == nil {
			continue
		}
		renameIdents(h, set)
	}
	var lhs, rhs []ast.Expr
	for _, n := range names {
		lhs = append(lhs, &ast.Ident{NamePos: body.Lbrace, Name: n})
		rhs = append(rhs, &ast.Ident{NamePos: body.Lbrace, Name: loopPrefix + n})
	}
	copies := &ast.AssignStmt{Lhs: lhs, TokPos: body.Lbrace, Tok: token.DEFINE, Rhs: rhs}
	body.List = append([]ast.Stmt{copies}, body.List...)
}

// renameIdents prefixes the identifiers of h named in set, not the fields of selectors.
func renameIdents(h ast.Node, set map[string]bool) {
	ast.Inspect(h, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			renameIdents(n.X, set)
			return false
		case *ast.FuncLit:
			return false
		case *ast.Ident:
			if set[n.Name] {
				n.Name = loopPrefix + n.Name
			}
		}
		return true
	})
}

func identNames(exprs []ast.Expr) []string {
	var names []string
	for _, e := range exprs {
		if id, ok := e.(*ast.Ident); ok && id != nil && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	return names
}

// rootName is the variable an assignment to e changes: x for x, x.f, x[i], (x).f.
func rootName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.SelectorExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return ""
		}
	}
}

// captures reports whether body can keep a variable beyond an iteration.
func captures(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND
		}
		return !found
	})
	return found
}

// redeclares reports whether body declares one of names at its top level (i := i, the
// idiom before Go 1.22, which makes the copy itself).
func redeclares(body *ast.BlockStmt, names []string) bool {
	for _, st := range body.List {
		if as, ok := st.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok && slices.Contains(names, id.Name) {
					return true
				}
			}
		}
	}
	return false
}

// assigns reports whether body assigns one of names (not by a new declaration), or a
// field or element of one (s.n++, a[0] = 1).
func assigns(body *ast.BlockStmt, names []string) bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					found = found || set[rootName(l)]
				}
			}
		case *ast.IncDecStmt:
			found = found || set[rootName(n.X)]
		}
		return !found
	})
	return found
}
