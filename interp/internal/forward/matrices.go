package forward

import (
	"go/ast"
	"go/token"
)

// gonum's matrices follow the lectures' rules, which package tangent holds: a method that
// writes its receiver is preceded by the same method of the receiver's derivative, with
// each operand followed by its derivative (before, so that c.Mul(&c, X) reads the old c
// for both), and a function of matrices has a rule of the same name.

// The roles of an argument: an operand with a derivative ('M' for a matrix or vector,
// 'F' a float, 'S' a slice of floats), or a value with none ('I').
type roles string

// matMethods are the methods with rules, by name: their arguments' roles, and whether
// they write the receiver (else they read it, and the rule is a function of package
// tangent named in readRules).
var matMethods = map[string]roles{
	"Mul": "MM", "Add": "MM", "Sub": "MM", "Scale": "FM", "Inverse": "M", "Solve": "MM", "Set": "IIF",
	"CloneFrom": "M", "MulElem": "MM", "DivElem": "MM",
	"MulVec": "MM", "AddVec": "MM", "SubVec": "MM", "ScaleVec": "FM", "AddScaledVec": "MFM", "SetVec": "IF",
	"CloneFromVec": "M", "MulElemVec": "MM", "SolveVec": "MM",
	"Factorize": "MI",
}

// readMethods are the methods that read a matrix: the kind of their value.
var readMethods = map[string]Kind{"At": Float, "AtVec": Float, "T": Mat, "Dims": Inactive, "Len": Inactive, "Values": Floats,
	"Caps": Inactive, "IsEmpty": Inactive, "Symmetric": Inactive}

// matFuncs are package mat's functions with rules of the same name in package tangent:
// their arguments' roles and the type of their value.
var matFuncs = map[string]struct {
	roles roles
	value Type
}{
	"Det": {"M", floatType}, "Trace": {"M", floatType}, "Dot": {"MM", floatType}, "Inner": {"MMM", floatType},
	"Sum": {"M", floatType}, "Norm": {"MI", floatType},
	"NewDense": {"IIS", Type{Kind: Mat, Gonum: "*Dense"}}, "NewVecDense": {"IS", Type{Kind: Mat, Gonum: "*VecDense"}},
	"DenseCopyOf": {"M", Type{Kind: Mat, Gonum: "*Dense"}}, "NewSymDense": {"IS", Type{Kind: Mat, Gonum: "*SymDense"}},
}

var floatType = Type{Kind: Float, Expr: ast.NewIdent("float64")}

// matReceiver returns the method's name and receiver when call is a method of one of
// gonum's types on a variable of the function's.
func (g *gen) matReceiver(call *ast.CallExpr) (string, ast.Expr, Type, bool) {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", nil, Type{}, false
	}
	t := g.typeOf(sel.X)
	if t.Kind != Mat {
		return "", nil, Type{}, false
	}
	return sel.Sel.Name, sel.X, t, true
}

// matType is the type of a call of gonum's that has a rule, if it is one.
func (g *gen) matType(call *ast.CallExpr) (Type, bool) {
	if name, ok := g.pkgMember(call.Fun, g.env.Mat); ok {
		if f, ok := matFuncs[name]; ok {
			return f.value, true
		}
		return Type{}, false
	}
	name, _, _, ok := g.matReceiver(call)
	if !ok {
		return Type{}, false
	}
	switch k, read := readMethods[name]; {
	case !read:
		return Type{Kind: Unknown}, true
	case k == Mat:
		return Type{Kind: Mat, Gonum: "Matrix"}, true
	case k == Float:
		return floatType, true
	case k == Floats:
		return Type{Kind: Floats, Expr: &ast.ArrayType{Elt: ast.NewIdent("float64")}}, true
	}
	return Type{Kind: Inactive}, true
}

// prepMat readies a call of gonum's: a method that writes its receiver gets its rule in
// the statements before. It returns false for a call that is none of gonum's.
func (g *gen) prepMat(call *ast.CallExpr, c ctx) bool {
	if name, ok := g.pkgMember(call.Fun, g.env.Mat); ok {
		if _, has := matFuncs[name]; !has {
			if g.anyActive(call.Args) {
				fail(call.Pos(), "calls mat.%s, which has no derivative rule", name)
			}
			return false
		}
		return true
	}
	name, recv, _, ok := g.matReceiver(call)
	if !ok {
		return false
	}
	if _, read := readMethods[name]; read {
		return true
	}
	r, has := matMethods[name]
	if !has {
		fail(call.Pos(), "calls %s.%s, which has no derivative rule", callee(recv), name)
	}
	g.lhsType(recv)
	if !c.hoist {
		fail(call.Pos(), "calls %s.%s where its derivative cannot be computed first", callee(recv), name)
	}
	rule := &ast.CallExpr{Fun: &ast.SelectorExpr{X: g.tanLHS(recv), Sel: ast.NewIdent(name)}, Args: g.withTangents(call, r)}
	g.pre = append(g.pre, &ast.ExprStmt{X: rule})
	return true
}

// withTangents is a call's arguments, each operand followed by its derivative.
func (g *gen) withTangents(call *ast.CallExpr, r roles) []ast.Expr {
	if len(call.Args) != len(r) {
		fail(call.Pos(), "calls %s with %d arguments", callee(call.Fun), len(call.Args))
	}
	var args []ast.Expr
	for i, a := range call.Args {
		args = append(args, clone(a))
		switch r[i] {
		case 'M', 'F':
			args = append(args, orNil(g.tan(a)))
		case 'S':
			if isNil(a) {
				args = append(args, ast.NewIdent("nil"))
			} else {
				args = append(args, orNil(g.tan(a)))
			}
		}
	}
	return args
}

func isNil(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

// tanMat is the derivative of a call of gonum's that reads matrices.
func (g *gen) tanMat(call *ast.CallExpr) (ast.Expr, bool) {
	if name, ok := g.pkgMember(call.Fun, g.env.Mat); ok {
		f, has := matFuncs[name]
		if !has {
			return nil, false
		}
		args := g.withTangents(call, f.roles)
		if name == "NewSymDense" { // a symmetric matrix's derivative is a Dense
			return g.rule("NewDense", append([]ast.Expr{clone(call.Args[0])}, args...)...), true
		}
		return g.rule(name, args...), true
	}
	name, recv, rt, ok := g.matReceiver(call)
	if !ok {
		return nil, false
	}
	drecv := orNil(g.tan(recv))
	if rt.Gonum == "Dense" || rt.Gonum == "VecDense" {
		drecv = &ast.UnaryExpr{Op: token.AND, X: drecv} // the rules take the pointer, as gonum's methods
	}
	switch name {
	case "At":
		return g.rule("At", append([]ast.Expr{drecv}, cloneAll(call.Args)...)...), true
	case "AtVec":
		return g.rule("AtVec", append([]ast.Expr{drecv}, cloneAll(call.Args)...)...), true
	case "T":
		return g.rule("Transpose", drecv), true
	case "Values":
		return &ast.CallExpr{Fun: &ast.SelectorExpr{X: g.tanLHS(recv), Sel: ast.NewIdent("Values")}}, true
	}
	return nil, true
}

func cloneAll(es []ast.Expr) []ast.Expr {
	var out []ast.Expr
	for _, e := range es {
		out = append(out, clone(e))
	}
	return out
}

// addressOf is the type of &x.
func addressOf(t Type) Type {
	if t.Kind == Mat && (t.Gonum == "Dense" || t.Gonum == "VecDense") {
		return Type{Kind: Mat, Gonum: "*" + t.Gonum}
	}
	return Type{Kind: Unknown}
}
