package engine

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
)

// Helpers that build syntax for the rewrites. Nodes they make have no position: yaegi
// reports errors in them, if ever, without one.

// Ident is a new identifier.
func Ident(name string) *ast.Ident { return &ast.Ident{Name: name} }

// Call is pkg.name(args...), or name(args...) when pkg is "".
func Call(pkg, name string, args ...ast.Expr) *ast.CallExpr {
	var fun ast.Expr = Ident(name)
	if pkg != "" {
		fun = &ast.SelectorExpr{X: Ident(pkg), Sel: Ident(name)}
	}
	return &ast.CallExpr{Fun: fun, Args: args}
}

// String is a string literal.
func String(s string) *ast.BasicLit {
	return &ast.BasicLit{Kind: token.STRING, Value: strconv.Quote(s)}
}

// Define is lhs := rhs.
func Define(lhs []string, rhs ...ast.Expr) *ast.AssignStmt {
	var l []ast.Expr
	for _, n := range lhs {
		l = append(l, Ident(n))
	}
	return &ast.AssignStmt{Lhs: l, Tok: token.DEFINE, Rhs: rhs}
}

// funcBody is the body of a function literal or declaration, nil for any other node.
func funcBody(n ast.Node) *ast.BlockStmt {
	switch n := n.(type) {
	case *ast.FuncLit:
		return n.Body
	case *ast.FuncDecl:
		return n.Body
	}
	return nil
}

// Builtin reports whether name is one of Go's builtin functions (len, append, min, ...),
// which are no values and run no function of the session.
func Builtin(name string) bool {
	_, ok := types.Universe.Lookup(name).(*types.Builtin)
	return ok
}

// PredeclaredType reports whether name is a predeclared type (int, float64, error, any):
// a call of it is a conversion.
func PredeclaredType(name string) bool {
	_, ok := types.Universe.Lookup(name).(*types.TypeName)
	return ok
}

// inspectTop walks n but not into function literals or declarations: what runs at the
// cell's top level.
func inspectTop(n ast.Node, visit func(ast.Node) bool) {
	ast.Inspect(n, func(m ast.Node) bool {
		if m != n && funcBody(m) != nil {
			return false
		}
		return visit(m)
	})
}
