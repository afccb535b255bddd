package forward

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"

	"github.com/gomatcalc/gomatcalc/interp/internal/gosrc"
)

// Env is what a function's tangent may use beyond its own body.
type Env struct {
	Tan  string // the name of package tangent in generated code
	Math string // the name of package math in the cell ("" when not imported)
	Fmt  string // the name of package fmt in the cell
	Mat  string // the name of gonum's package mat in the cell
	// Funcs are the functions callable through their tangents, by name.
	Funcs map[string]*Func
	// Why says why a function of the session's by that name has no tangent, "" for a name
	// that is not one.
	Why func(name string) string
}

// Prefix starts the name of every variable's derivative: _Δx is x's.
const Prefix = "_Δ"

// tempPrefix names the values of calls the tangent computes once for the value and its
// derivative both.
const tempPrefix = "_gomatcalcF"

func d(name string) string {
	if name == "_" {
		return name
	}
	return Prefix + name
}

// Signature reads a function type: the kinds of its parameters and results, and the
// type of its tangent, named tangent.
func Signature(ft *ast.FuncType, tangent string, env *Env) (f *Func, err error) {
	tanPkg := env.Tan
	defer recoverUnsupported(&err)
	f = &Func{Tangent: tangent}
	var params, results, resultTans []*ast.Field
	for _, field := range ft.Params.List {
		if _, ok := field.Type.(*ast.Ellipsis); ok {
			fail(field.Pos(), "takes a variadic parameter")
		}
		t := must(classify(field.Type, env.Mat))
		names := field.Names
		if len(names) == 0 {
			names = []*ast.Ident{{NamePos: field.Pos(), Name: "_"}}
		}
		for _, n := range names {
			f.Params = append(f.Params, t)
			params = append(params, &ast.Field{Names: []*ast.Ident{ast.NewIdent(n.Name)}, Type: clone(field.Type)})
			if t.Active() {
				params = append(params, &ast.Field{Names: []*ast.Ident{ast.NewIdent(d(n.Name))}, Type: tangentType(t, tanPkg)})
			}
		}
	}
	if ft.Results != nil {
		for _, field := range ft.Results.List {
			if len(field.Names) > 0 {
				fail(field.Pos(), "names its results")
			}
			t := must(classify(field.Type, env.Mat))
			f.Results = append(f.Results, t)
			results = append(results, &ast.Field{Type: clone(field.Type)})
			if t.Active() {
				resultTans = append(resultTans, &ast.Field{Type: tangentType(t, tanPkg)})
			}
		}
	}
	f.Sig = &ast.FuncType{Func: ft.Func, Params: &ast.FieldList{List: params}, Results: &ast.FieldList{List: append(results, resultTans...)}}
	return f, nil
}

// Decl returns the tangent of a function declaration whose signature is sig.
func Decl(fd *ast.FuncDecl, sig *Func, env *Env) (out *ast.FuncDecl, err error) {
	defer recoverUnsupported(&err)
	g := &gen{env: env, sig: sig}
	body := g.body(fd.Type, fd.Body)
	out = &ast.FuncDecl{Name: &ast.Ident{NamePos: fd.Name.Pos(), Name: sig.Tangent}, Type: clone(sig.Sig), Body: body}
	gosrc.FillPositions(out, fd.Pos())
	return out, nil
}

// Lit returns the tangent of a function literal, and its signature.
func Lit(fl *ast.FuncLit, env *Env) (out *ast.FuncLit, sig *Func, err error) {
	sig, err = Signature(fl.Type, "", env)
	if err != nil {
		return nil, nil, err
	}
	defer recoverUnsupported(&err)
	g := &gen{env: env, sig: sig}
	body := g.body(fl.Type, fl.Body)
	out = &ast.FuncLit{Type: clone(sig.Sig), Body: body}
	gosrc.FillPositions(out, fl.Pos())
	return out, sig, nil
}

// gen makes one function's tangent.
type gen struct {
	env    *Env
	sig    *Func
	scopes []map[string]Type
	temps  int
	pre    []ast.Stmt // the calls hoisted out of the statement being made
}

func (g *gen) body(ft *ast.FuncType, body *ast.BlockStmt) *ast.BlockStmt {
	g.push()
	i := 0
	for _, field := range ft.Params.List {
		for _, n := range field.Names {
			g.declare(n.Name, g.sig.Params[i])
			i++
		}
		if len(field.Names) == 0 {
			i++
		}
	}
	b := g.block(clone(body))
	g.pop()
	return b
}

func (g *gen) push() { g.scopes = append(g.scopes, map[string]Type{}) }
func (g *gen) pop()  { g.scopes = g.scopes[:len(g.scopes)-1] }

func (g *gen) declare(name string, t Type) {
	if name != "_" {
		g.scopes[len(g.scopes)-1][name] = t
	}
}

// local returns the type of a variable the function declares, innermost first.
func (g *gen) local(name string) (Type, bool) {
	for i := len(g.scopes) - 1; i >= 0; i-- {
		if t, ok := g.scopes[i][name]; ok {
			return t, true
		}
	}
	return Type{}, false
}

func (g *gen) inCurrentScope(name string) bool {
	_, ok := g.scopes[len(g.scopes)-1][name]
	return ok
}

// unsupported is the panic that ends making a tangent.
type unsupported struct{ u *Unsupported }

func fail(pos token.Pos, format string, args ...any) {
	panic(unsupported{&Unsupported{Pos: pos, Why: fmt.Sprintf(format, args...)}})
}

func must(t Type, err error) Type {
	if err != nil {
		panic(unsupported{err.(*Unsupported)})
	}
	return t
}

func recoverUnsupported(err *error) {
	if r := recover(); r != nil {
		u, ok := r.(unsupported)
		if !ok {
			panic(r)
		}
		*err = u.u
	}
}

func clone[N ast.Node](n N) N { return gosrc.Clone(n).(N) }

// tangentType is the Go type of an active type's derivative: *T for float64, and the
// same slices and arrays of *T for the others.
func tangentType(t Type, tanPkg string) ast.Expr {
	if t.Kind == Mat {
		name := gonumTypes[t.Gonum]
		var e ast.Expr = &ast.SelectorExpr{X: ast.NewIdent(tanPkg), Sel: ast.NewIdent(strings.TrimPrefix(name, "*"))}
		if strings.HasPrefix(name, "*") {
			e = &ast.StarExpr{X: e}
		}
		return e
	}
	if t.Kind == Float {
		return &ast.StarExpr{X: &ast.SelectorExpr{X: ast.NewIdent(tanPkg), Sel: ast.NewIdent("T")}}
	}
	a := t.Expr.(*ast.ArrayType)
	var n ast.Expr
	if a.Len != nil {
		n = clone(a.Len)
	}
	return &ast.ArrayType{Len: n, Elt: tangentType(elem(t), tanPkg)}
}

// zero is the derivative of a constant of active type t, the value of e: a typed nil
// for a float, derivatives of e's length for a slice.
func (g *gen) zero(t Type, e ast.Expr) ast.Expr {
	tt := tangentType(t, g.env.Tan)
	switch {
	case t.Kind == Mat && (t.Gonum == "Dense" || t.Gonum == "VecDense" || t.Gonum == "EigenSym"):
		return &ast.CompositeLit{Type: tt}
	case t.Kind == Float || t.Kind == Mat:
		return &ast.CallExpr{Fun: &ast.ParenExpr{X: tt}, Args: []ast.Expr{ast.NewIdent("nil")}}
	case t.Expr.(*ast.ArrayType).Len != nil:
		return &ast.CompositeLit{Type: tt}
	case elem(t).Kind == Floats:
		fail(e.Pos(), "takes a slice of slices of floats from outside the function")
	}
	return &ast.CallExpr{Fun: ast.NewIdent("make"), Args: []ast.Expr{tt, &ast.CallExpr{Fun: ast.NewIdent("len"), Args: []ast.Expr{clone(e)}}}}
}

// tanOr is e's derivative as a value of type t: its own, or zero for a constant.
func (g *gen) tanOr(t Type, e ast.Expr) ast.Expr {
	if dt := g.tan(e); dt != nil {
		return dt
	}
	return g.zero(t, e)
}
