package engine

import (
	"fmt"
	"go/ast"
	"go/token"

	"golang.org/x/tools/go/ast/astutil"
)

// ReturnBuiltins rewrites return a, len(v) (several results, a builtin call among the
// later ones) into { var r0 T0 = a; var r1 T1 = len(v); return r0, r1 }, with the
// function's result types: yaegi v0.16.1 writes the value of a builtin call in a return
// into the first result's place, so that it returned 1, 1 for Go's 1, 3. The values are
// still evaluated left to right.
func ReturnBuiltins(n ast.Node) {
	var funcs []*ast.FuncType
	count := 0
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		switch m := c.Node().(type) {
		case *ast.FuncDecl:
			funcs = append(funcs, m.Type)
		case *ast.FuncLit:
			funcs = append(funcs, m.Type)
		case *ast.ReturnStmt:
			if len(funcs) == 0 || len(m.Results) < 2 || !laterBuiltinCall(m.Results) {
				return true
			}
			types := resultTypes(funcs[len(funcs)-1])
			if len(types) != len(m.Results) {
				return true
			}
			var list []ast.Stmt
			var names []ast.Expr
			for i, r := range m.Results {
				count++
				name := fmt.Sprintf("_gomatcalcR%d", count)
				list = append(list, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: m.Pos(), Tok: token.VAR, Specs: []ast.Spec{
					&ast.ValueSpec{Names: []*ast.Ident{{NamePos: r.Pos(), Name: name}}, Type: types[i], Values: []ast.Expr{r}}}}})
				names = append(names, &ast.Ident{NamePos: r.Pos(), Name: name})
			}
			list = append(list, &ast.ReturnStmt{Return: m.Return, Results: names})
			c.Replace(&ast.BlockStmt{Lbrace: m.Pos(), List: list, Rbrace: m.End()})
			return false
		}
		return true
	}, func(c *astutil.Cursor) bool {
		switch c.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			funcs = funcs[:len(funcs)-1]
		}
		return true
	})
}

// laterBuiltinCall reports whether a result after the first is a call of a builtin.
func laterBuiltinCall(results []ast.Expr) bool {
	for _, r := range results[1:] {
		for {
			p, ok := r.(*ast.ParenExpr)
			if !ok {
				break
			}
			r = p.X
		}
		if call, ok := r.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && id.Obj == nil && Builtin(id.Name) {
				return true
			}
		}
	}
	return false
}

// resultTypes lists a function's result types, one per result.
func resultTypes(t *ast.FuncType) []ast.Expr {
	if t.Results == nil {
		return nil
	}
	var out []ast.Expr
	for _, f := range t.Results.List {
		for range max(1, len(f.Names)) {
			out = append(out, f.Type)
		}
	}
	return out
}
