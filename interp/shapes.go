package interp

import (
	"context"
	"fmt"
	"go/ast"
	"reflect"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
)

// shapeMismatch is the panic of gonum's operations on matrices of the wrong shapes, which
// names none of them.
const shapeMismatch = "mat: dimension mismatch"

// shapeDetail says the shapes of the matrices a statement at line (of the cell's own
// top-level code) operates on: "A is 3×3, B is 2×3", from the receivers and arguments of
// its calls whose evaluation has no side effects, evaluated again in the session. It
// returns "" when it cannot tell.
func (s *Session) shapeDetail(c *cell, line int) string {
	fset := s.engine.FileSet()
	var operands []ast.Expr
	c.inspectTopLevel(func(n ast.Node) {
		call, ok := n.(*ast.CallExpr)
		if !ok || fset.Position(call.Lparen).Line != line {
			return
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && pure(sel.X) {
			operands = append(operands, sel.X)
		}
		for _, a := range call.Args {
			if pure(a) {
				operands = append(operands, a)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var shapes []string
	seen := map[string]bool{}
	for _, e := range operands {
		src := c.textOf(e)
		if seen[src] {
			continue
		}
		seen[src] = true
		v, err := s.evaluate(ctx, asCompiled(e))
		if err != nil || len(v) != 1 {
			continue
		}
		if m, ok := matrixOf(v[0]); ok {
			shapes = append(shapes, src+" is "+shape(m))
		}
	}
	return strings.Join(shapes, ", ")
}

// matrixOf is v as a mat.Matrix, also when v holds one of gonum's matrices by value
// (var C mat.Dense: its methods have pointer receivers).
func matrixOf(v any) (mat.Matrix, bool) {
	if m, ok := v.(mat.Matrix); ok {
		return m, true
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return nil, false
	}
	p := reflect.New(rv.Type())
	p.Elem().Set(rv)
	m, ok := p.Interface().(mat.Matrix)
	return m, ok
}

// shape is m's size as a person reads it: 3×2, or empty (a receiver gonum may size).
func shape(m mat.Matrix) (s string) {
	defer func() {
		if recover() != nil {
			s = "empty"
		}
	}()
	if e, ok := m.(interface{ IsEmpty() bool }); ok && e.IsEmpty() {
		return "empty"
	}
	r, c := m.Dims()
	return fmt.Sprintf("%d×%d", r, c)
}
