package forward

import (
	"go/ast"
	"go/token"
	"strconv"
)

// block makes the tangent of a block, in a scope of its own.
func (g *gen) block(b *ast.BlockStmt) *ast.BlockStmt {
	g.push()
	defer g.pop()
	return &ast.BlockStmt{Lbrace: b.Lbrace, List: g.stmts(b.List), Rbrace: b.Rbrace}
}

func (g *gen) stmts(list []ast.Stmt) []ast.Stmt {
	var out []ast.Stmt
	for _, s := range list {
		out = append(out, g.stmt(s)...)
	}
	return out
}

// stmt makes the tangent of a statement: the calls it hoists, then the statement.
func (g *gen) stmt(s ast.Stmt) []ast.Stmt {
	outer := g.pre
	g.pre = nil
	made := g.stmtBody(s)
	out := append(g.pre, made...)
	g.pre = outer
	return out
}

// single makes the tangent of a statement that must stay one statement (a loop's init
// or post statement).
func (g *gen) single(s ast.Stmt) ast.Stmt {
	if s == nil {
		return nil
	}
	if s == nil {
		return nil
	}
	out := g.stmt(s)
	if len(out) != 1 {
		fail(s.Pos(), "computes a call in a loop's init or post statement")
	}
	return out[0]
}

// wrapped is stmts as one statement: a block when there are several.
func wrapped(pos token.Pos, stmts []ast.Stmt) ast.Stmt {
	if len(stmts) == 1 {
		return stmts[0]
	}
	return &ast.BlockStmt{Lbrace: pos, List: stmts}
}

func (g *gen) stmtBody(s ast.Stmt) []ast.Stmt {
	switch x := s.(type) {
	case *ast.AssignStmt:
		return g.assign(x)
	case *ast.DeclStmt:
		return g.decl(x)
	case *ast.ExprStmt:
		return g.exprStmt(x)
	case *ast.IncDecStmt:
		g.lhsType(x.X)
		return []ast.Stmt{x}
	case *ast.ReturnStmt:
		return []ast.Stmt{g.ret(x)}
	case *ast.BlockStmt:
		return []ast.Stmt{g.block(x)}
	case *ast.IfStmt:
		return []ast.Stmt{g.ifStmt(x)}
	case *ast.ForStmt:
		return []ast.Stmt{g.forStmt(x)}
	case *ast.RangeStmt:
		return []ast.Stmt{g.rangeStmt(x)}
	case *ast.SwitchStmt:
		return []ast.Stmt{g.switchStmt(x)}
	case *ast.LabeledStmt:
		inner := g.stmt(x.Stmt)
		last := inner[len(inner)-1]
		if b, ok := last.(*ast.BlockStmt); ok && len(inner) == 1 && isLoop(x.Stmt) {
			// A loop that needed statements before it: the label stays on the loop.
			loop := b.List[len(b.List)-1]
			b.List[len(b.List)-1] = &ast.LabeledStmt{Label: x.Label, Colon: x.Colon, Stmt: loop}
			return inner
		}
		if len(inner) != 1 {
			fail(x.Pos(), "computes a call before a labeled statement")
		}
		return []ast.Stmt{&ast.LabeledStmt{Label: x.Label, Colon: x.Colon, Stmt: inner[0]}}
	case *ast.BranchStmt, *ast.EmptyStmt:
		return []ast.Stmt{s}
	case *ast.GoStmt:
		fail(x.Pos(), "starts a goroutine")
	case *ast.DeferStmt:
		fail(x.Pos(), "defers a call")
	case *ast.SendStmt:
		fail(x.Pos(), "sends on a channel")
	case *ast.SelectStmt:
		fail(x.Pos(), "selects on channels")
	case *ast.TypeSwitchStmt:
		fail(x.Pos(), "switches on a type")
	}
	fail(s.Pos(), "has a statement forward mode does not take")
	return nil
}

func isLoop(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.ForStmt, *ast.RangeStmt:
		return true
	}
	return false
}

// lhsType is the type of what an assignment writes: a variable of the function's, or an
// element of one; writing anything else (a global, a field, through a pointer) is
// unsupported, since the derivative would not follow the value there.
func (g *gen) lhsType(e ast.Expr) Type {
	switch x := e.(type) {
	case *ast.Ident:
		if x.Name == "_" {
			return Type{Kind: Unknown}
		}
		t, ok := g.local(x.Name)
		if !ok {
			fail(x.Pos(), "assigns to %s, a variable outside the function", x.Name)
		}
		return t
	case *ast.IndexExpr:
		g.pure(x.Index)
		t := g.lhsType(x.X)
		if t.Kind == Floats {
			return elem(t)
		}
		return t
	case *ast.ParenExpr:
		return g.lhsType(x.X)
	}
	fail(e.Pos(), "assigns to a field or through a pointer")
	return Type{}
}

// pure fails unless e calls nothing but conversions and len: an index that is written
// twice, for the value and its derivative, must be the same both times.
func (g *gen) pure(e ast.Expr) {
	ast.Inspect(e, func(n ast.Node) bool {
		if c, ok := n.(*ast.CallExpr); ok {
			id, isIdent := c.Fun.(*ast.Ident)
			if !isIdent || (id.Name != "len" && id.Name != "int" && id.Name != "cap") {
				fail(c.Pos(), "calls %s in the index of an element it assigns", callee(c.Fun))
			}
		}
		return true
	})
}

// tanLHS is the derivative of what an assignment writes.
func (g *gen) tanLHS(e ast.Expr) ast.Expr {
	switch x := e.(type) {
	case *ast.Ident:
		return &ast.Ident{NamePos: x.Pos(), Name: d(x.Name)}
	case *ast.IndexExpr:
		return &ast.IndexExpr{X: g.tanLHS(x.X), Index: clone(x.Index)}
	case *ast.ParenExpr:
		return g.tanLHS(x.X)
	}
	fail(e.Pos(), "assigns to a field or through a pointer")
	return nil
}

// accepts checks that a variable of type to may hold a value of type from.
func (g *gen) accepts(pos token.Pos, name string, to, from Type) {
	if from.Active() && !to.Active() && name != "_" {
		fail(pos, "gives %s, whose type forward mode cannot see, a value that depends on the argument", name)
	}
}

// definedType is the type a variable gets from its initial value.
func definedType(t Type) Type {
	switch t.Kind {
	case UntypedFloat:
		return Type{Kind: Float, Expr: ast.NewIdent("float64")}
	case UntypedInt:
		return Type{Kind: Inactive}
	}
	return t
}

var arithmetic = map[token.Token]token.Token{token.ADD_ASSIGN: token.ADD, token.SUB_ASSIGN: token.SUB,
	token.MUL_ASSIGN: token.MUL, token.QUO_ASSIGN: token.QUO}

// assign makes one parallel assignment of the values and their derivatives, so that
// every derivative is computed from the values before the assignment, as they are.
func (g *gen) assign(x *ast.AssignStmt) []ast.Stmt {
	if op, ok := arithmetic[x.Tok]; ok && g.lhsType(x.Lhs[0]).Active() {
		y := &ast.BinaryExpr{X: clone(x.Lhs[0]), OpPos: x.TokPos, Op: op, Y: &ast.ParenExpr{X: x.Rhs[0]}}
		x = &ast.AssignStmt{Lhs: x.Lhs, TokPos: x.TokPos, Tok: token.ASSIGN, Rhs: []ast.Expr{y}}
	}
	if len(x.Lhs) != len(x.Rhs) {
		return []ast.Stmt{g.assignCall(x)}
	}
	define := x.Tok == token.DEFINE
	types := make([]Type, len(x.Lhs))
	for i, l := range x.Lhs {
		from := g.typeOf(x.Rhs[i])
		switch {
		case define && !g.inCurrentScope(l.(*ast.Ident).Name):
			types[i] = definedType(from)
		default:
			types[i] = g.lhsType(l)
			if x.Tok != token.ASSIGN && x.Tok != token.DEFINE && from.Active() {
				fail(x.Pos(), "updates a variable that is no float with a float")
			}
			g.accepts(l.Pos(), lhsName(l), types[i], from)
		}
		x.Rhs[i] = g.prep(x.Rhs[i], ctx{active: types[i].Active(), hoist: true})
	}
	lhs, rhs := x.Lhs, x.Rhs
	var dl, dr []ast.Expr
	for i, l := range x.Lhs {
		if !types[i].Active() || isBlank(l) {
			continue
		}
		dl = append(dl, g.tanLHS(l))
		dr = append(dr, g.tanOr(types[i], x.Rhs[i]))
	}
	if define {
		for i, l := range x.Lhs {
			g.declare(l.(*ast.Ident).Name, types[i])
		}
	}
	return []ast.Stmt{&ast.AssignStmt{Lhs: append(lhs, dl...), TokPos: x.TokPos, Tok: x.Tok, Rhs: append(rhs, dr...)}}
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}

func lhsName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.Ident:
			return x.Name
		case *ast.IndexExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		default:
			return "a variable"
		}
	}
}

// assignCall makes a, b := g(x) for a call with several results: through g's tangent
// when it has one, else the results are constants.
func (g *gen) assignCall(x *ast.AssignStmt) ast.Stmt {
	call, ok := x.Rhs[0].(*ast.CallExpr)
	var f *Func
	if ok {
		f, _ = g.cellFunc(call.Fun)
	}
	if f == nil || len(f.Results) != len(x.Lhs) {
		x.Rhs[0] = g.prep(x.Rhs[0], ctx{hoist: true})
		for _, l := range x.Lhs {
			if x.Tok == token.DEFINE && !g.inCurrentScope(l.(*ast.Ident).Name) {
				g.declare(l.(*ast.Ident).Name, Type{Kind: Unknown})
			} else {
				g.lhsType(l)
			}
		}
		return x
	}
	for i, a := range call.Args {
		call.Args[i] = g.prep(a, ctx{active: true, hoist: true})
	}
	var dl []ast.Expr
	for i, l := range x.Lhs {
		t := f.Results[i]
		if x.Tok != token.DEFINE || g.inCurrentScope(lhsName(l)) {
			g.accepts(l.Pos(), lhsName(l), g.lhsType(l), t)
		}
		if t.Active() {
			if isBlank(l) {
				dl = append(dl, ast.NewIdent("_"))
			} else {
				dl = append(dl, g.tanLHS(l))
			}
		}
	}
	if x.Tok == token.DEFINE {
		for i, l := range x.Lhs {
			g.declare(l.(*ast.Ident).Name, f.Results[i])
		}
	}
	return &ast.AssignStmt{Lhs: append(x.Lhs, dl...), TokPos: x.TokPos, Tok: x.Tok, Rhs: []ast.Expr{g.tangentCall(call, f)}}
}

// decl makes var declarations: each variable's derivative first, from the values
// before the declaration (var x = x * 2 reads the x outside), then the variable.
func (g *gen) decl(x *ast.DeclStmt) []ast.Stmt {
	gd := x.Decl.(*ast.GenDecl)
	switch gd.Tok {
	case token.CONST:
		for _, spec := range gd.Specs {
			for _, n := range spec.(*ast.ValueSpec).Names {
				g.declare(n.Name, Type{Kind: Unknown})
			}
		}
		return []ast.Stmt{x}
	case token.VAR:
	default:
		fail(x.Pos(), "declares a type inside the function")
	}
	var out []ast.Stmt
	for _, spec := range gd.Specs {
		vs := spec.(*ast.ValueSpec)
		if len(vs.Values) != 0 && len(vs.Values) != len(vs.Names) {
			fail(vs.Pos(), "declares variables from a call with several results")
		}
		var declared Type
		if vs.Type != nil {
			declared = must(classify(vs.Type, g.env.Mat))
		}
		types := make([]Type, len(vs.Names))
		var tans []ast.Expr
		for i := range vs.Names {
			t := declared
			if vs.Type == nil {
				t = definedType(g.typeOf(vs.Values[i]))
			}
			types[i] = t
			if len(vs.Values) > 0 {
				if vs.Type != nil {
					g.accepts(vs.Names[i].Pos(), vs.Names[i].Name, t, g.typeOf(vs.Values[i]))
				}
				vs.Values[i] = g.prep(vs.Values[i], ctx{active: t.Active(), hoist: true})
				if t.Active() {
					tans = append(tans, g.tanOr(t, vs.Values[i]))
				}
			}
		}
		for i, n := range vs.Names {
			if !types[i].Active() {
				continue
			}
			dspec := &ast.ValueSpec{Names: []*ast.Ident{{NamePos: n.Pos(), Name: d(n.Name)}}, Type: tangentType(types[i], g.env.Tan)}
			if tans != nil {
				dspec.Values = []ast.Expr{tans[0]}
				tans = tans[1:]
			}
			out = append(out, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: gd.TokPos, Tok: token.VAR, Specs: []ast.Spec{dspec}}})
		}
		out = append(out, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: gd.TokPos, Tok: token.VAR, Specs: []ast.Spec{vs}}})
		for i, n := range vs.Names {
			g.declare(n.Name, types[i])
		}
	}
	return out
}

func (g *gen) exprStmt(x *ast.ExprStmt) []ast.Stmt {
	call, ok := x.X.(*ast.CallExpr)
	if !ok {
		x.X = g.prep(x.X, ctx{hoist: true})
		return []ast.Stmt{x}
	}
	if id, isIdent := call.Fun.(*ast.Ident); isIdent && id.Name == "copy" && len(call.Args) == 2 {
		if _, local := g.local("copy"); !local {
			dst := g.lhsType(call.Args[0])
			g.pure(call.Args[0])
			g.pure(call.Args[1])
			if !dst.Active() {
				g.accepts(call.Pos(), lhsName(call.Args[0]), dst, g.typeOf(call.Args[1]))
				return []ast.Stmt{x}
			}
			dcopy := &ast.CallExpr{Fun: ast.NewIdent("copy"), Args: []ast.Expr{g.tanLHS(call.Args[0]), g.tanOr(dst, call.Args[1])}}
			return []ast.Stmt{x, &ast.ExprStmt{X: dcopy}}
		}
	}
	if f, _ := g.cellFunc(call.Fun); f != nil {
		for i, a := range call.Args {
			call.Args[i] = g.prep(a, ctx{active: true, hoist: true})
		}
		if g.anyActive(call.Args) {
			return []ast.Stmt{&ast.ExprStmt{X: g.tangentCall(call, f)}}
		}
		return []ast.Stmt{x}
	}
	x.X = g.prep(call, ctx{hoist: true})
	return []ast.Stmt{x}
}

func (g *gen) ret(x *ast.ReturnStmt) ast.Stmt {
	results := g.sig.Results
	if len(x.Results) == 0 {
		return x
	}
	if len(x.Results) != len(results) {
		call, ok := x.Results[0].(*ast.CallExpr)
		var f *Func
		if ok {
			f, _ = g.cellFunc(call.Fun)
		}
		if f == nil || !sameKinds(f.Results, results) {
			fail(x.Pos(), "returns the results of a call forward mode cannot follow")
		}
		for i, a := range call.Args {
			call.Args[i] = g.prep(a, ctx{active: true, hoist: true})
		}
		return &ast.ReturnStmt{Return: x.Return, Results: []ast.Expr{g.tangentCall(call, f)}}
	}
	var tans []ast.Expr
	for i, r := range x.Results {
		g.accepts(r.Pos(), "a result", results[i], g.typeOf(r))
		x.Results[i] = g.prep(r, ctx{active: results[i].Active(), hoist: true})
		if results[i].Active() {
			tans = append(tans, g.tanOr(results[i], x.Results[i]))
		}
	}
	return &ast.ReturnStmt{Return: x.Return, Results: append(x.Results, tans...)}
}

func sameKinds(a, b []Type) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Active() != b[i].Active() {
			return false
		}
	}
	return true
}

// ifStmt keeps its condition: branches are followed as they run (at the point where a
// condition switches, the derivative is the branch's, as ForwardDiff's is).
func (g *gen) ifStmt(x *ast.IfStmt) ast.Stmt {
	g.push()
	defer g.pop()
	var before []ast.Stmt
	if x.Init != nil {
		before = g.stmt(x.Init)
	}
	outer := g.pre
	g.pre = nil
	cond := g.prep(x.Cond, ctx{hoist: true})
	before = append(before, g.pre...)
	g.pre = outer
	out := &ast.IfStmt{If: x.If, Cond: cond, Body: g.block(x.Body)}
	if x.Else != nil {
		out.Else = wrapped(x.Else.Pos(), g.stmt(x.Else))
		if _, ok := out.Else.(*ast.BlockStmt); !ok {
			if _, ok := out.Else.(*ast.IfStmt); !ok {
				out.Else = &ast.BlockStmt{List: []ast.Stmt{out.Else}}
			}
		}
	}
	return wrapped(x.If, append(before, out))
}

func (g *gen) forStmt(x *ast.ForStmt) ast.Stmt {
	g.push()
	defer g.pop()
	out := &ast.ForStmt{For: x.For, Init: g.single(x.Init)}
	if x.Cond != nil {
		out.Cond = g.prep(x.Cond, ctx{})
	}
	out.Post = g.single(x.Post)
	out.Body = g.block(x.Body)
	return out
}

// rangeStmt ranges over a slice of floats with its derivatives beside: the value's
// derivative is read from a copy of the derivatives taken as the range takes its slice.
func (g *gen) rangeStmt(x *ast.RangeStmt) ast.Stmt {
	g.push()
	defer g.pop()
	outer := g.pre
	g.pre = nil
	x.X = g.prep(x.X, ctx{hoist: true})
	before := g.pre
	g.pre = outer
	over := g.typeOf(x.X)
	out := &ast.RangeStmt{For: x.For, Key: x.Key, Value: x.Value, TokPos: x.TokPos, Tok: x.Tok, X: x.X}
	var first []ast.Stmt
	elemT := Type{Kind: Unknown}
	keyT := Type{Kind: Inactive}
	switch over.Kind {
	case Floats:
		elemT = elem(over)
	case Inactive, UntypedInt:
	default:
		keyT = Type{Kind: Unknown}
	}
	if x.Value != nil && elemT.Active() && !isBlank(x.Value) {
		g.temps++
		snapshot := tempPrefix + "R" + strconv.Itoa(g.temps)
		before = append(before, &ast.AssignStmt{Lhs: []ast.Expr{ast.NewIdent(snapshot)}, Tok: token.DEFINE, Rhs: []ast.Expr{g.tanOr(over, x.X)}})
		key := x.Key
		if key == nil || isBlank(key) {
			if x.Tok != token.DEFINE {
				fail(x.Pos(), "ranges with = and no key")
			}
			key = ast.NewIdent(tempPrefix + "K" + strconv.Itoa(g.temps))
			out.Key = key
		}
		if _, ok := key.(*ast.Ident); !ok {
			fail(x.Pos(), "ranges with a key that is no variable")
		}
		if x.Tok == token.ASSIGN {
			g.accepts(x.Value.Pos(), lhsName(x.Value), g.lhsType(x.Value), elemT)
		}
		read := &ast.IndexExpr{X: ast.NewIdent(snapshot), Index: ast.NewIdent(key.(*ast.Ident).Name)}
		first = append(first, &ast.AssignStmt{Lhs: []ast.Expr{g.tanLHS(x.Value)}, Tok: x.Tok, Rhs: []ast.Expr{read}})
	} else if x.Tok == token.ASSIGN && x.Value != nil {
		g.accepts(x.Value.Pos(), lhsName(x.Value), g.lhsType(x.Value), elemT)
	}
	if x.Tok == token.DEFINE {
		if x.Key != nil {
			g.declare(x.Key.(*ast.Ident).Name, keyT)
		}
		if x.Value != nil {
			g.declare(x.Value.(*ast.Ident).Name, elemT)
		}
	} else if x.Key != nil {
		g.lhsType(x.Key)
	}
	body := g.block(x.Body)
	body.List = append(first, body.List...)
	out.Body = body
	return wrapped(x.For, append(before, out))
}

func (g *gen) switchStmt(x *ast.SwitchStmt) ast.Stmt {
	g.push()
	defer g.pop()
	var before []ast.Stmt
	if x.Init != nil {
		before = g.stmt(x.Init)
	}
	out := &ast.SwitchStmt{Switch: x.Switch, Body: &ast.BlockStmt{Lbrace: x.Body.Lbrace, Rbrace: x.Body.Rbrace}}
	if x.Tag != nil {
		outer := g.pre
		g.pre = nil
		out.Tag = g.prep(x.Tag, ctx{hoist: true})
		before = append(before, g.pre...)
		g.pre = outer
	}
	for _, s := range x.Body.List {
		cc := s.(*ast.CaseClause)
		c := &ast.CaseClause{Case: cc.Case, Colon: cc.Colon}
		for _, e := range cc.List {
			c.List = append(c.List, g.prep(e, ctx{}))
		}
		g.push()
		c.Body = g.stmts(cc.Body)
		g.pop()
		out.Body.List = append(out.Body.List, c)
	}
	return wrapped(x.Switch, append(before, out))
}
