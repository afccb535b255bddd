package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"maps"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
	"github.com/gomatcalc/gomatcalc/interp/internal/forward"
	"github.com/gomatcalc/gomatcalc/interp/internal/gosrc"
)

// The pass of this file gives matcalc exact derivatives of the functions cells define:
// each function with a float parameter gets a tangent (package forward) declared beside
// it, and a call matcalc.D(f, x) (Gradient, Hessian, ...) of such an f becomes
// matcalc.D(matcalc.Exact(f, tangentOfF), x); of a function that has none,
// matcalc.D(matcalc.Numerical(f, why), x), so that the result says why it is numerical.

const (
	tangentPkg     = "_gomatcalctan"
	tangentPath    = "github.com/gomatcalc/gomatcalc/stdlib/matcalc/tangent"
	matcalcPath    = "github.com/gomatcalc/gomatcalc/stdlib/matcalc"
	tangentOfPrefx = "_gomatcalcTan_"
)

// differentiated are the matcalc functions whose first argument is the f they
// differentiate (Check stays numerical: it compares df with differences).
var differentiated = map[string]bool{"D": true, "D2": true, "Derivative": true, "Gradient": true, "GradientAcc": true,
	"GradientSlice": true, "GradientVec": true, "GradientDense": true, "Jacobian": true, "JacobianAcc": true,
	"Hessian": true, "HessianAcc": true, "HVP": true, "HVPAcc": true, "Newton": true, "NewtonMin": true}

// tangentTable is what the session knows of its functions' tangents.
type tangentTable struct {
	funcs map[string]*forward.Func // declared functions with tangents
	vars  map[string]*forward.Func // func variables of the cells' top level with tangents
	why   map[string]string        // why a function or func variable has none
	// declared are the tangent variables declared so far (a nil one stays declared).
	declared map[string]bool
}

func newTangentTable() *tangentTable {
	return &tangentTable{funcs: map[string]*forward.Func{}, vars: map[string]*forward.Func{}, why: map[string]string{}, declared: map[string]bool{}}
}

// callable are the functions a tangent may call through theirs, by name: declared
// functions and func variables alike (a func variable's tangent variable changes with it).
func (t *tangentTable) callable() map[string]*forward.Func {
	all := maps.Clone(t.vars)
	maps.Copy(all, t.funcs)
	return all
}

func (t *tangentTable) clone() *tangentTable {
	return &tangentTable{funcs: maps.Clone(t.funcs), vars: maps.Clone(t.vars), why: maps.Clone(t.why), declared: maps.Clone(t.declared)}
}

// tangents runs the pass on a cell's units and returns the session's table as it will be
// once the cell compiles, and how many tangents it made.
func (s *Session) tangents(c *cell) (*tangentTable, int) {
	path := s.pathOf(c)
	fset := s.engine.FileSet()
	next := s.tangent.clone()
	env := &forward.Env{Tan: tangentPkg, Why: func(name string) string { return next.why[name] }}
	if path("math") == "math" {
		env.Math = "math"
	}
	if path("fmt") == "fmt" {
		env.Fmt = "fmt"
	}
	if path("mat") == "gonum.org/v1/gonum/mat" {
		env.Mat = "mat"
	}
	made := 0
	whyAt := func(name string, err error) string {
		u, ok := err.(*forward.Unsupported)
		if !ok {
			return name + " " + err.Error()
		}
		if p := fset.Position(u.Pos); p.Line > 0 {
			return fmt.Sprintf("%s %s (line %d)", name, u.Why, p.Line)
		}
		return name + " " + u.Why
	}

	// Declared functions: each may call the others, so those that fail are taken out
	// until the rest hold.
	decls := map[string]*ast.FuncDecl{}
	for _, u := range c.units {
		if u.kind != declUnit {
			continue
		}
		for _, d := range u.file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil {
				decls[fd.Name.Name] = fd
			}
		}
	}
	for name, fd := range decls {
		delete(next.funcs, name)
		delete(next.vars, name)
		delete(next.why, name)
		sig, err := forward.Signature(fd.Type, tangentOfPrefx+name, env)
		switch {
		case c.noTangents != "":
			next.why[name] = name + " " + c.noTangents
		case err != nil:
			next.why[name] = whyAt(name, err)
		case sig.ActiveParams():
			next.funcs[name] = sig
		default:
			next.why[name] = name + " takes no float"
		}
	}
	tangentOf := map[string]*ast.FuncDecl{}
	for changed := true; changed; {
		changed = false
		env.Funcs = next.callable()
		for name, fd := range decls {
			sig, ok := next.funcs[name]
			if !ok || tangentOf[name] != nil {
				continue
			}
			tf, err := forward.Decl(fd, sig, env)
			if err != nil {
				delete(next.funcs, name)
				next.why[name] = whyAt(name, err)
				clear(tangentOf) // those made may call it
				changed = true
				break
			}
			tangentOf[name] = tf
		}
	}
	made += len(tangentOf)
	for _, u := range c.units {
		if u.kind != declUnit {
			continue
		}
		var out []ast.Decl
		for _, d := range u.file.Decls {
			out = append(out, d)
			fd, ok := d.(*ast.FuncDecl)
			if !ok || decls[fd.Name.Name] != fd {
				continue
			}
			// A function redefined without a tangent needs no stub for the old one:
			// yaegi binds a call to the function defined when the caller was, so the
			// tangents that call the old tangent go with callers that call the old function.
			if tf := tangentOf[fd.Name.Name]; tf != nil {
				out = append(out, tf)
			}
		}
		u.file.Decls = out
	}

	// Func variables at the cells' top level.
	env.Funcs = next.callable()
	for _, u := range c.units {
		if u.kind == stmtUnit {
			var n int
			u.block.List, n = funcVarTangents(u.block.List, next, env, whyAt, c.noTangents)
			made += n
		}
	}
	forgetAssignedVars(c, next)
	for _, u := range c.units {
		made += rewriteMatcalcCalls(u.node(), path, next, env, whyAt, c.noTangents)
	}
	return next, made
}

// funcVarTangents declares, after each top-level f := func..., f's tangent as a variable
// _gomatcalcTan_f; a later assignment of anything else to f sets it to nil.
func funcVarTangents(list []ast.Stmt, next *tangentTable, env *forward.Env, whyAt func(string, error) string, noTangents string) ([]ast.Stmt, int) {
	made := 0
	definedHere := map[string]bool{}
	var out []ast.Stmt
	for _, st := range list {
		out = append(out, st)
		add := func(m ast.Stmt) {
			gosrc.FillPositions(m, st.Pos())
			out = append(out, m)
		}
		name, tok, lit := funcVarAssignment(st)
		if name == "" {
			continue
		}
		tanVar := tangentOfPrefx + name
		exists := definedHere[name] || next.declared[tanVar]
		delete(next.vars, name)
		delete(next.funcs, name)
		delete(next.why, name)
		delete(env.Funcs, name)
		if lit == nil {
			next.why[name] = name + " is assigned a function the session did not see defined"
			if exists {
				add(&ast.AssignStmt{Lhs: []ast.Expr{engine.Ident(tanVar)}, Tok: token.ASSIGN, Rhs: []ast.Expr{engine.Ident("nil")}})
			}
			continue
		}
		tl, sig, err := forward.Lit(lit, env)
		if err == nil && !sig.ActiveParams() {
			continue
		}
		if err == nil && noTangents != "" {
			err = errors.New(noTangents)
		}
		if err != nil {
			next.why[name] = whyAt(name, err)
			if exists {
				add(&ast.AssignStmt{Lhs: []ast.Expr{engine.Ident(tanVar)}, Tok: token.ASSIGN, Rhs: []ast.Expr{engine.Ident("nil")}})
			}
			continue
		}
		sig.Tangent = tanVar
		next.vars[name] = sig
		env.Funcs[name] = sig
		if tok == token.ASSIGN && !exists {
			tok = token.DEFINE
		}
		if tok == token.DEFINE && definedHere[name] {
			tok = token.ASSIGN
		}
		definedHere[name] = true
		next.declared[tanVar] = true
		add(&ast.AssignStmt{Lhs: []ast.Expr{engine.Ident(tanVar)}, Tok: tok, Rhs: []ast.Expr{tl}})
		made++
	}
	return out, made
}

// funcVarAssignment returns name, the token and the literal of f := func... (or =, or
// var f = func...); name alone for another assignment of one value to one variable.
func funcVarAssignment(st ast.Stmt) (name string, tok token.Token, lit *ast.FuncLit) {
	switch x := st.(type) {
	case *ast.AssignStmt:
		if len(x.Lhs) != 1 || len(x.Rhs) != 1 || (x.Tok != token.DEFINE && x.Tok != token.ASSIGN) {
			return "", 0, nil
		}
		id, ok := x.Lhs[0].(*ast.Ident)
		if !ok || id.Name == "_" {
			return "", 0, nil
		}
		lit, _ := x.Rhs[0].(*ast.FuncLit)
		return id.Name, x.Tok, lit
	case *ast.DeclStmt:
		gd, ok := x.Decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR || len(gd.Specs) != 1 {
			return "", 0, nil
		}
		vs := gd.Specs[0].(*ast.ValueSpec)
		if len(vs.Names) != 1 || len(vs.Values) != 1 || vs.Names[0].Name == "_" {
			return "", 0, nil
		}
		lit, _ := vs.Values[0].(*ast.FuncLit)
		return vs.Names[0].Name, token.DEFINE, lit
	}
	return "", 0, nil
}

// forgetAssignedVars takes the tangent from a func variable that a function body, or a
// statement the pass does not follow (a, f = ..., f, b := ...), assigns, and sets its
// tangent variable to nil there: the tangent would no longer be that of its value.
func forgetAssignedVars(c *cell, next *tangentTable) {
	for _, u := range c.units {
		top := map[ast.Stmt]bool{}
		if u.kind == stmtUnit {
			for _, st := range u.block.List {
				if name, _, _ := funcVarAssignment(st); name != "" {
					top[st] = true
				}
			}
		}
		astutil.Apply(u.node(), func(cur *astutil.Cursor) bool {
			a, ok := cur.Node().(*ast.AssignStmt)
			if !ok || top[a] {
				return true
			}
			for _, l := range a.Lhs {
				id, ok := l.(*ast.Ident)
				if !ok {
					continue
				}
				if next.vars[id.Name] != nil {
					delete(next.vars, id.Name)
					next.why[id.Name] = id.Name + " is assigned where the session does not follow it (in a function, a block or with other variables)"
				}
				if tanVar := tangentOfPrefx + id.Name; next.declared[tanVar] && a.Tok == token.ASSIGN {
					if _, inList := cur.Parent().(*ast.BlockStmt); inList || isCaseBody(cur.Parent()) {
						reset := &ast.AssignStmt{Lhs: []ast.Expr{engine.Ident(tanVar)}, Tok: token.ASSIGN, Rhs: []ast.Expr{engine.Ident("nil")}}
						gosrc.FillPositions(reset, a.Pos())
						cur.InsertAfter(reset)
					}
				}
			}
			return true
		}, nil)
	}
}

func isCaseBody(n ast.Node) bool {
	switch n.(type) {
	case *ast.CaseClause, *ast.CommClause:
		return true
	}
	return false
}

// rewriteMatcalcCalls pairs the f of every matcalc.D(f, ...) (and its siblings) with its
// tangent, or marks it numerical with the reason.
func rewriteMatcalcCalls(n ast.Node, path func(string) string, next *tangentTable, env *forward.Env, whyAt func(string, error) string, noTangents string) int {
	made := 0
	var locals []map[string]bool
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		switch x := c.Node().(type) {
		case *ast.FuncDecl:
			locals = append(locals, declaredIn(x.Type, x.Body))
		case *ast.FuncLit:
			locals = append(locals, declaredIn(x.Type, x.Body))
		case *ast.CallExpr:
			sel, ok := x.Fun.(*ast.SelectorExpr)
			if !ok || len(x.Args) == 0 || !differentiated[sel.Sel.Name] {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || path(pkg.Name) != matcalcPath {
				return true
			}
			if paired, lit := pair(pkg.Name, x.Args[0], locals, next, env, whyAt, noTangents); paired != nil {
				x.Args[0] = paired
				if lit {
					made++
				}
			}
		}
		return true
	}, func(c *astutil.Cursor) bool {
		switch c.Node().(type) {
		case *ast.FuncDecl, *ast.FuncLit:
			locals = locals[:len(locals)-1]
		}
		return true
	})
	return made
}

// pair is f paired with its tangent for matcalc, or marked numerical with the reason;
// nil for an f the session knows nothing of (a compiled function, a local variable);
// and whether it made a function literal's tangent.
func pair(pkg string, f ast.Expr, locals []map[string]bool, next *tangentTable, env *forward.Env, whyAt func(string, error) string, noTangents string) (ast.Expr, bool) {
	exact := func(tan ast.Expr) ast.Expr {
		call := engine.Call(pkg, "Exact", f, tan)
		gosrc.FillPositions(call, f.Pos())
		return call
	}
	numerical := func(why string) ast.Expr {
		call := engine.Call(pkg, "Numerical", f, engine.String(why))
		gosrc.FillPositions(call, f.Pos())
		return call
	}
	switch x := f.(type) {
	case *ast.Ident:
		for _, l := range locals {
			if l[x.Name] {
				return nil, false
			}
		}
		if sig := next.funcs[x.Name]; sig != nil {
			return exact(engine.Ident(sig.Tangent)), false
		}
		if sig := next.vars[x.Name]; sig != nil {
			return exact(engine.Ident(sig.Tangent)), false
		}
		if why := next.why[x.Name]; why != "" {
			return numerical(why), false
		}
	case *ast.FuncLit:
		tl, sig, err := forward.Lit(x, env)
		if err == nil && sig.ActiveParams() && noTangents != "" {
			err = errors.New(noTangents)
		}
		if err != nil {
			return numerical(whyAt("the function literal", err)), false
		}
		if sig.ActiveParams() {
			return exact(tl), true
		}
	}
	return nil, false
}

// declaredIn is every name a function declares, its parameters and results and the
// variables of its body (not those of function literals in it), wherever in the body:
// a name that is one of them is not the session's function of that name.
func declaredIn(ft *ast.FuncType, body *ast.BlockStmt) map[string]bool {
	names := map[string]bool{}
	for _, fl := range []*ast.FieldList{ft.Params, ft.Results} {
		if fl == nil {
			continue
		}
		for _, f := range fl.List {
			for _, n := range f.Names {
				names[n.Name] = true
			}
		}
	}
	if body == nil {
		return names
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		case *ast.RangeStmt:
			if x.Tok == token.DEFINE {
				for _, e := range []ast.Expr{x.Key, x.Value} {
					if id, ok := e.(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		case *ast.ValueSpec:
			for _, n := range x.Names {
				names[n.Name] = true
			}
		}
		return true
	})
	return names
}
