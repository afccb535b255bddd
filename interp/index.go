package interp

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"time"
)

// indexDetail completes yaegi's "index out of range", which has lost the index and the
// length, as Go words it: "index out of range [5] with length 3". It finds the index
// expressions on the statement's line of the chunk, outside any function, whose operands
// have no side effects, and evaluates them again in the session: right for the
// top-level code of a cell, where the operands are the session's variables. It returns ""
// when it cannot tell.
func (s *Session) indexDetail(c *cell, line int) string {
	fset := s.engine.FileSet()
	var found []*ast.IndexExpr
	c.inspectTopLevel(func(n ast.Node) {
		if n, ok := n.(*ast.IndexExpr); ok && fset.Position(n.Lbrack).Line == line && pure(n.X) && pure(n.Index) {
			found = append(found, n)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	for _, ix := range found {
		length, err1 := s.evaluate(ctx, "len("+asCompiled(ix.X)+")")
		index, err2 := s.evaluate(ctx, asCompiled(ix.Index))
		if err1 != nil || err2 != nil || len(length) != 1 || len(index) != 1 {
			continue
		}
		n, ok1 := length[0].(int)
		i, ok2 := asInt(index[0])
		if ok1 && ok2 && (i < 0 || i >= int64(n)) {
			return fmt.Sprintf(" [%d] with length %d", i, n)
		}
	}
	return ""
}

// inspectTopLevel calls visit with every node of the cell's top-level statements, outside
// function literals (where the operands are the session's variables).
func (c *cell) inspectTopLevel(visit func(ast.Node)) {
	for _, u := range c.units {
		if u.kind != stmtUnit {
			continue
		}
		ast.Inspect(u.block, func(n ast.Node) bool {
			if _, ok := n.(*ast.FuncLit); ok {
				return false
			}
			visit(n)
			return true
		})
	}
}

// asCompiled is e's text as the session compiled it, with the names the passes gave (a
// top-level block's variables have names of their own: engine.BlockScopes), to evaluate
// it again.
func asCompiled(e ast.Expr) string { return types.ExprString(e) }

// textOf is the cell's text of n.
func (c *cell) textOf(n ast.Node) string {
	return c.text[c.file.Offset(n.Pos()):c.file.Offset(n.End())]
}

// pure reports whether evaluating e again has no effect: names, constants, selectors,
// arithmetic and indexing of those.
func pure(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case nil, *ast.Ident, *ast.BasicLit, *ast.SelectorExpr, *ast.BinaryExpr, *ast.ParenExpr, *ast.IndexExpr:
		case *ast.UnaryExpr:
			ok = ok && n.Op != token.ARROW
		default:
			ok = false
		}
		return ok
	})
	return ok
}

func asInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint:
		return int64(v), true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint64:
		return int64(v), true
	}
	return 0, false
}
