package forward

import (
	"fmt"
	"go/ast"
	"go/token"
)

// mathRules are the functions of package math with a rule of the same name in package
// tangent, by their number of arguments.
var mathRules = map[string]int{
	"Sqrt": 1, "Cbrt": 1, "Exp": 1, "Exp2": 1, "Expm1": 1, "Log": 1, "Log2": 1, "Log10": 1, "Log1p": 1,
	"Sin": 1, "Cos": 1, "Tan": 1, "Asin": 1, "Acos": 1, "Atan": 1, "Sinh": 1, "Cosh": 1, "Tanh": 1,
	"Asinh": 1, "Acosh": 1, "Atanh": 1, "Erf": 1, "Erfc": 1, "Abs": 1,
	"Floor": 1, "Ceil": 1, "Trunc": 1, "Round": 1,
	"Pow": 2, "Atan2": 2, "Hypot": 2, "Max": 2, "Min": 2,
}

// mathConstants are the untyped float constants of package math.
var mathConstants = map[string]bool{"E": true, "Pi": true, "Phi": true, "Sqrt2": true, "SqrtE": true, "SqrtPi": true,
	"SqrtPhi": true, "Ln2": true, "Log2E": true, "Ln10": true, "Log10E": true, "MaxFloat64": true, "SmallestNonzeroFloat64": true}

// mathFloats are functions of package math that return a float64 with no derivative
// part: constants, whatever their arguments.
var mathFloats = map[string]bool{"Inf": true, "NaN": true, "Float64frombits": true}

// fmtPrints are the functions of package fmt that only read their arguments.
var fmtPrints = map[string]bool{"Print": true, "Println": true, "Printf": true, "Sprint": true, "Sprintln": true,
	"Sprintf": true, "Errorf": true}

// mathName returns F when e is math.F.
func (g *gen) mathName(e ast.Expr) (string, bool) {
	return g.pkgMember(e, g.env.Math)
}

func (g *gen) pkgMember(e ast.Expr, pkg string) (string, bool) {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || pkg == "" {
		return "", false
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok || id.Name != pkg {
		return "", false
	}
	if _, local := g.local(pkg); local {
		return "", false
	}
	return sel.Sel.Name, true
}

// cellFunc returns the function of the session's a call calls by name, if it has a
// tangent, and whether the name is a function of the session's at all.
func (g *gen) cellFunc(fun ast.Expr) (f *Func, name string) {
	id, ok := fun.(*ast.Ident)
	if !ok {
		return nil, ""
	}
	if _, local := g.local(id.Name); local {
		return nil, ""
	}
	return g.env.Funcs[id.Name], id.Name
}

// typeOf is the type of an expression, as far as the syntax gives it.
func (g *gen) typeOf(e ast.Expr) Type {
	switch x := e.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.INT:
			return Type{Kind: UntypedInt}
		case token.FLOAT:
			return Type{Kind: UntypedFloat}
		}
		return Type{Kind: Inactive}
	case *ast.Ident:
		if t, ok := g.local(x.Name); ok {
			return t
		}
		switch x.Name {
		case "true", "false", "nil":
			return Type{Kind: Inactive}
		case "iota":
			return Type{Kind: UntypedInt}
		}
		return Type{Kind: Unknown}
	case *ast.ParenExpr:
		return g.typeOf(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			return addressOf(g.typeOf(x.X))
		}
		if x.Op == token.NOT || x.Op == token.ARROW {
			return Type{Kind: Unknown}
		}
		return g.typeOf(x.X)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO:
			return combine(g.typeOf(x.X), g.typeOf(x.Y))
		case token.SHL, token.SHR:
			return g.typeOf(x.X)
		case token.REM, token.AND, token.OR, token.XOR, token.AND_NOT:
			return combine(g.typeOf(x.X), g.typeOf(x.Y))
		}
		return Type{Kind: Inactive} // comparisons, && and ||
	case *ast.IndexExpr:
		t := g.typeOf(x.X)
		if t.Kind == Floats {
			return elem(t)
		}
		return t
	case *ast.SliceExpr:
		return g.typeOf(x.X)
	case *ast.CompositeLit:
		if x.Type == nil {
			return Type{Kind: Unknown}
		}
		if t, err := classify(x.Type, g.env.Mat); err == nil {
			return t
		}
		return Type{Kind: Unknown}
	case *ast.SelectorExpr:
		if name, ok := g.mathName(x); ok && mathConstants[name] {
			return Type{Kind: UntypedFloat}
		}
		return Type{Kind: Unknown}
	case *ast.CallExpr:
		return g.callType(x)
	}
	return Type{Kind: Unknown}
}

func (g *gen) callType(c *ast.CallExpr) Type {
	if t, ok := g.matType(c); ok {
		return t
	}
	if name, ok := g.mathName(c.Fun); ok {
		switch {
		case mathRules[name] > 0 || mathFloats[name]:
			return Type{Kind: Float, Expr: ast.NewIdent("float64")}
		case name == "IsNaN" || name == "IsInf" || name == "Signbit":
			return Type{Kind: Inactive}
		}
		return Type{Kind: Unknown}
	}
	if id, ok := c.Fun.(*ast.Ident); ok {
		if _, local := g.local(id.Name); !local {
			switch id.Name {
			case "float64":
				return Type{Kind: Float, Expr: id}
			case "len", "cap", "copy", "int", "int64", "int32", "uint", "uint64", "bool", "string", "byte", "rune":
				return Type{Kind: Inactive}
			case "append":
				if len(c.Args) > 0 {
					return g.typeOf(c.Args[0])
				}
			case "make":
				if len(c.Args) > 0 {
					if t, err := classify(c.Args[0], g.env.Mat); err == nil {
						return t
					}
				}
			case "new":
				if len(c.Args) == 1 {
					if t, err := classify(&ast.StarExpr{X: c.Args[0]}, g.env.Mat); err == nil && t.Kind == Mat {
						return t
					}
				}
			case "min", "max":
				t := Type{Kind: UntypedInt}
				for _, a := range c.Args {
					t = combine(t, g.typeOf(a))
				}
				return t
			}
		}
	}
	if f, _ := g.cellFunc(c.Fun); f != nil && len(f.Results) == 1 {
		return f.Results[0]
	}
	if a, ok := c.Fun.(*ast.ArrayType); ok {
		if t, err := classify(a, g.env.Mat); err == nil {
			return t
		}
	}
	if p, ok := c.Fun.(*ast.ParenExpr); ok {
		if t, err := classify(p.X, g.env.Mat); err == nil {
			return t
		}
	}
	return Type{Kind: Unknown}
}

// ctx is where an expression is: whether its derivative is taken (so that a call in it
// must run once, for value and derivative both), and whether calls may be hoisted out
// of it to statements before its statement.
type ctx struct {
	active bool
	hoist  bool
}

// prep readies an expression for its tangent: calls of functions with tangents, and in
// an active expression every call that may not give the same value twice, become
// temporaries computed before the statement. It fails on what has no rule.
func (g *gen) prep(e ast.Expr, c ctx) ast.Expr {
	switch x := e.(type) {
	case *ast.ParenExpr:
		x.X = g.prep(x.X, c)
	case *ast.UnaryExpr:
		if k := g.typeOf(x.X).Kind; x.Op == token.AND && (k == Float || k == Floats) {
			fail(x.Pos(), "takes the address of a float")
		}
		x.X = g.prep(x.X, c)
	case *ast.BinaryExpr:
		x.X = g.prep(x.X, c)
		if x.Op == token.LAND || x.Op == token.LOR {
			x.Y = g.prep(x.Y, ctx{active: c.active})
		} else {
			x.Y = g.prep(x.Y, c)
		}
	case *ast.IndexExpr:
		x.X = g.prep(x.X, c)
		x.Index = g.prep(x.Index, c)
	case *ast.SliceExpr:
		x.X = g.prep(x.X, c)
		for _, p := range []*ast.Expr{&x.Low, &x.High, &x.Max} {
			if *p != nil {
				*p = g.prep(*p, c)
			}
		}
	case *ast.CompositeLit:
		for i, el := range x.Elts {
			if kv, ok := el.(*ast.KeyValueExpr); ok {
				kv.Value = g.prep(kv.Value, c)
			} else {
				x.Elts[i] = g.prep(el, c)
			}
		}
		if x.Type != nil && !g.typeOf(x).Active() {
			for _, el := range x.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					el = kv.Value
				}
				if g.typeOf(el).Active() {
					fail(x.Pos(), "puts a float into a value of type %s", typeText(x.Type))
				}
			}
		}
	case *ast.SelectorExpr:
		if _, ok := x.X.(*ast.Ident); !ok {
			x.X = g.prep(x.X, c)
		}
	case *ast.StarExpr:
		if g.typeOf(x.X).Active() {
			fail(x.Pos(), "dereferences a pointer to a matrix")
		}
		x.X = g.prep(x.X, c)
	case *ast.TypeAssertExpr:
		x.X = g.prep(x.X, c)
	case *ast.FuncLit:
		fail(x.Pos(), "defines a function literal")
	case *ast.CallExpr:
		return g.prepCall(x, c)
	}
	return e
}

func (g *gen) anyActive(args []ast.Expr) bool {
	for _, a := range args {
		if g.typeOf(a).Active() {
			return true
		}
	}
	return false
}

func (g *gen) prepCall(call *ast.CallExpr, c ctx) ast.Expr {
	if _, ok := call.Fun.(*ast.Ident); !ok {
		if _, isMath := g.mathName(call.Fun); !isMath {
			call.Fun = g.prep(call.Fun, c)
		}
	}
	for i, a := range call.Args {
		call.Args[i] = g.prep(a, c)
	}
	active := g.anyActive(call.Args)
	if name, ok := g.mathName(call.Fun); ok {
		if active && mathRules[name] != len(call.Args) && !mathFloats[name] {
			fail(call.Pos(), "calls math.%s, which has no derivative rule", name)
		}
		return call
	}
	if name, ok := g.pkgMember(call.Fun, g.env.Fmt); ok && fmtPrints[name] {
		return call
	}
	if id, ok := call.Fun.(*ast.Ident); ok {
		if _, local := g.local(id.Name); !local {
			switch id.Name {
			case "float64", "int", "int64", "int32", "uint", "uint64", "len", "cap", "append", "make", "min", "max",
				"panic", "print", "println", "new":
				if (id.Name == "min" || id.Name == "max") && len(call.Args) < 2 && active {
					fail(call.Pos(), "calls %s with one argument", id.Name)
				}
				if id.Name == "append" && len(call.Args) > 0 && active && !g.typeOf(call.Args[0]).Active() {
					fail(call.Pos(), "appends a value that depends on its argument to a slice whose type forward mode cannot see")
				}
				return call
			case "copy":
				if active {
					fail(call.Pos(), "uses copy's count of elements")
				}
				return call
			}
		}
	}
	if _, ok := call.Fun.(*ast.ArrayType); ok {
		return call
	}
	if g.env.Mat != "" && g.prepMat(call, c) {
		return call
	}
	f, name := g.cellFunc(call.Fun)
	if f != nil && active {
		return g.hoistTangentCall(call, f, c)
	}
	if active {
		if why := g.why(name); why != "" {
			fail(call.Pos(), "calls %s, which has no exact derivative: %s", name, why)
		}
		fail(call.Pos(), "calls %s with a value that depends on its argument; %s has no derivative rule", callee(call.Fun), callee(call.Fun))
	}
	if !c.active {
		return call
	}
	// Computed once: the value and the derivative must see the same value.
	if !c.hoist {
		fail(call.Pos(), "calls %s where its value cannot be computed first", callee(call.Fun))
	}
	tmp := g.temp()
	g.pre = append(g.pre, &ast.AssignStmt{Lhs: []ast.Expr{ast.NewIdent(tmp)}, Tok: token.DEFINE, TokPos: call.Pos(), Rhs: []ast.Expr{call}})
	g.declare(tmp, Type{Kind: Unknown})
	return &ast.Ident{NamePos: call.Pos(), Name: tmp}
}

// hoistTangentCall computes a call of a function with a tangent before the statement,
// through its tangent, and returns the temporary that holds its value.
func (g *gen) hoistTangentCall(call *ast.CallExpr, f *Func, c ctx) ast.Expr {
	if len(f.Results) != 1 {
		fail(call.Pos(), "uses a call of %s, which has %d results, in an expression", callee(call.Fun), len(f.Results))
	}
	if !c.hoist {
		fail(call.Pos(), "calls %s where its value cannot be computed first (a loop's condition or post statement)", callee(call.Fun))
	}
	tmp := g.temp()
	lhs := []ast.Expr{ast.NewIdent(tmp)}
	if f.Results[0].Active() {
		lhs = append(lhs, ast.NewIdent(d(tmp)))
	}
	g.pre = append(g.pre, &ast.AssignStmt{Lhs: lhs, Tok: token.DEFINE, TokPos: call.Pos(), Rhs: []ast.Expr{g.tangentCall(call, f)}})
	g.declare(tmp, f.Results[0])
	return &ast.Ident{NamePos: call.Pos(), Name: tmp}
}

// tangentCall is the call of f's tangent for a call of f: each active argument followed
// by its derivative.
func (g *gen) tangentCall(call *ast.CallExpr, f *Func) *ast.CallExpr {
	if len(call.Args) != len(f.Params) || call.Ellipsis.IsValid() {
		fail(call.Pos(), "calls %s with %d arguments for its %d parameters", callee(call.Fun), len(call.Args), len(f.Params))
	}
	var args []ast.Expr
	for i, a := range call.Args {
		args = append(args, a)
		if p := f.Params[i]; p.Active() {
			if !g.typeOf(a).Active() && g.typeOf(a).Kind == Inactive {
				fail(a.Pos(), "passes a value that is no float to %s", callee(call.Fun))
			}
			args = append(args, g.tanOr(p, a))
		}
	}
	return &ast.CallExpr{Fun: &ast.Ident{NamePos: call.Fun.Pos(), Name: f.Tangent}, Lparen: call.Lparen, Args: args, Rparen: call.Rparen}
}

func (g *gen) temp() string {
	g.temps++
	return fmt.Sprintf("%s%d", tempPrefix, g.temps)
}

func callee(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return callee(f.X) + "." + f.Sel.Name
	case *ast.CallExpr:
		return callee(f.Fun) + "(...)"
	case *ast.IndexExpr:
		return callee(f.X) + "[...]"
	}
	return "a function"
}

// tan is the derivative of a readied expression, nil when it is zero (a constant).
func (g *gen) tan(e ast.Expr) ast.Expr {
	t := g.typeOf(e)
	if !t.Active() {
		return nil
	}
	switch x := e.(type) {
	case *ast.Ident:
		if _, ok := g.local(x.Name); ok {
			return &ast.Ident{NamePos: x.Pos(), Name: d(x.Name)}
		}
		return nil
	case *ast.ParenExpr:
		return g.tan(x.X)
	case *ast.UnaryExpr:
		dx := g.tan(x.X)
		switch {
		case dx == nil:
			return nil
		case x.Op == token.SUB:
			return g.rule("Neg", dx)
		case x.Op == token.AND:
			return &ast.UnaryExpr{OpPos: x.OpPos, Op: token.AND, X: dx}
		}
		return dx
	case *ast.BinaryExpr:
		return g.tanBinary(x)
	case *ast.IndexExpr:
		if dx := g.tan(x.X); dx != nil {
			return &ast.IndexExpr{X: dx, Index: clone(x.Index)}
		}
		return nil
	case *ast.SliceExpr:
		if dx := g.tan(x.X); dx != nil {
			s := clone(x)
			s.X = dx
			return s
		}
		return nil
	case *ast.CompositeLit:
		return g.tanComposite(x, t)
	case *ast.CallExpr:
		return g.tanCall(x, t)
	}
	fail(e.Pos(), "has an expression forward mode does not take")
	return nil
}

func (g *gen) tanBinary(x *ast.BinaryExpr) ast.Expr {
	dx, dy := g.tan(x.X), g.tan(x.Y)
	if dx == nil && dy == nil {
		return nil
	}
	switch x.Op {
	case token.ADD:
		switch {
		case dx == nil:
			return dy
		case dy == nil:
			return dx
		}
		return g.rule("Add", dx, dy)
	case token.SUB:
		switch {
		case dy == nil:
			return dx
		case dx == nil:
			return g.rule("Neg", dy)
		}
		return g.rule("Sub", dx, dy)
	case token.MUL:
		return g.rule("Mul", clone(x.X), orNil(dx), clone(x.Y), orNil(dy))
	case token.QUO:
		return g.rule("Quo", clone(x.X), orNil(dx), clone(x.Y), orNil(dy))
	}
	fail(x.Pos(), "uses %s on floats", x.Op)
	return nil
}

func (g *gen) tanComposite(x *ast.CompositeLit, t Type) ast.Expr {
	if t.Kind != Floats {
		fail(x.Pos(), "builds a value forward mode does not take")
	}
	el := elem(t)
	out := &ast.CompositeLit{Lbrace: x.Lbrace, Rbrace: x.Rbrace}
	if x.Type != nil {
		out.Type = tangentType(t, g.env.Tan)
	}
	for _, e := range x.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			out.Elts = append(out.Elts, &ast.KeyValueExpr{Key: clone(kv.Key), Value: g.tanElem(el, kv.Value)})
			continue
		}
		out.Elts = append(out.Elts, g.tanElem(el, e))
	}
	return out
}

// tanElem is the derivative of an element of a composite literal, whose type may be
// left out as in [][]float64{{1, 2}}.
func (g *gen) tanElem(t Type, e ast.Expr) ast.Expr {
	if lit, ok := e.(*ast.CompositeLit); ok && lit.Type == nil {
		return g.tanComposite(lit, t)
	}
	return g.tanOr(t, e)
}

func (g *gen) tanCall(call *ast.CallExpr, t Type) ast.Expr {
	if e, ok := g.tanMat(call); ok {
		return e
	}
	if name, ok := g.mathName(call.Fun); ok {
		if mathFloats[name] {
			return nil
		}
		var args []ast.Expr
		any := false
		for _, a := range call.Args {
			da := g.tan(a)
			any = any || da != nil
			args = append(args, clone(a), orNil(da))
		}
		if !any {
			return nil
		}
		return g.rule(name, args...)
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		if a, isArray := call.Fun.(*ast.ArrayType); isArray && len(call.Args) == 1 {
			return g.tanOr(must(classify(a, g.env.Mat)), call.Args[0])
		}
		fail(call.Pos(), "calls %s, which has no derivative rule", callee(call.Fun))
	}
	switch id.Name {
	case "float64":
		return g.tan(call.Args[0])
	case "new":
		return &ast.CallExpr{Fun: ast.NewIdent("new"), Args: []ast.Expr{tangentType(t, g.env.Tan).(*ast.StarExpr).X}}
	case "make":
		args := []ast.Expr{tangentType(t, g.env.Tan)}
		for _, a := range call.Args[1:] {
			args = append(args, clone(a))
		}
		return &ast.CallExpr{Fun: ast.NewIdent("make"), Args: args}
	case "append":
		args := []ast.Expr{g.tanOr(t, call.Args[0])}
		for _, a := range call.Args[1:] {
			if call.Ellipsis.IsValid() {
				args = append(args, g.tanOr(t, a))
			} else {
				args = append(args, g.tanOr(elem(t), a))
			}
		}
		return &ast.CallExpr{Fun: ast.NewIdent("append"), Args: args, Ellipsis: call.Ellipsis}
	case "min", "max":
		rule := map[string]string{"min": "Min", "max": "Max"}[id.Name]
		acc, dacc := clone(call.Args[0]), orNil(g.tan(call.Args[0]))
		for _, a := range call.Args[1:] {
			dacc = g.rule(rule, acc, dacc, clone(a), orNil(g.tan(a)))
			acc = &ast.CallExpr{Fun: ast.NewIdent(id.Name), Args: []ast.Expr{acc, clone(a)}}
		}
		return dacc
	}
	fail(call.Pos(), "calls %s, which has no derivative rule", id.Name)
	return nil
}

func (g *gen) rule(name string, args ...ast.Expr) ast.Expr {
	return &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent(g.env.Tan), Sel: ast.NewIdent(name)}, Args: args}
}

func orNil(e ast.Expr) ast.Expr {
	if e == nil {
		return ast.NewIdent("nil")
	}
	return e
}

func (g *gen) why(name string) string {
	if g.env.Why == nil || name == "" {
		return ""
	}
	return g.env.Why(name)
}
