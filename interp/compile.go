package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
	"github.com/gomatcalc/gomatcalc/stdlib"
)

// runCell transforms, compiles and runs a parsed cell and returns the values of its last
// expression. Either every unit compiles or the session stays as it was; then the units
// run in order.
func (s *Session) runCell(ctx context.Context, c *cell, count int) ([]any, error) {
	if err := s.checkCell(c); err != nil {
		return nil, err
	}
	if err := s.transform(c); err != nil {
		return nil, err
	}
	before := s.engine.Checkpoint()
	progs, err := s.compile(c)
	// What the session adds to a cell must not make it fail: a cell that compiles without
	// the earlier functions it compiles again (callers.go), or without its tangents (the
	// session's code, not the cell's: it then runs numerically), runs so, and says it.
	var note string
	for _, without := range []string{"callers", "tangents"} {
		if err == nil || without == "callers" && len(c.redeclared) == 0 || without == "tangents" && c.tangentsMade == 0 {
			continue
		}
		s.engine.Restore(before)
		again, errs := parseCell(s.engine.FileSet(), c.src)
		if len(errs) > 0 {
			return nil, errs
		}
		again.serial, again.noCallers, again.noTangents = c.serial, true, c.noTangents
		if without == "callers" {
			note = c.staleCallersNote(err)
		} else {
			again.noTangents = fmt.Sprintf("its tangent did not compile (%v)", firstLine(err))
		}
		*c = *again
		if err := s.transform(c); err != nil {
			return nil, err
		}
		progs, err = s.compile(c)
	}
	if err != nil {
		s.engine.Restore(before)
		return nil, err
	}
	if out := s.out.current(); note != "" && out != nil {
		out.Stream("stderr", note)
	}
	for _, imp := range c.imports {
		s.didImport(imp)
	}
	s.recordDeclarations(ctx, c, count)
	var vals []any
	for _, p := range progs {
		v, err := s.engine.Run(ctx, p.prog)
		var ee *engine.Error
		if errors.As(err, &ee) && ee.Kind == engine.Panic && ee.Msg == engine.ReturnSignal {
			return nil, nil // a top-level return: the cell ends here
		}
		if err != nil {
			return nil, err
		}
		if p.shown {
			vals = values(v)
		}
	}
	return vals, nil
}

// compiled is a unit ready to run.
type compiled struct {
	prog  *engine.Program
	shown bool // its value is the cell's
}

// checkCell fails on what yaegi would get wrong without a word: an import of a package
// the session does not have, a package used without its import, a type redefined.
func (s *Session) checkCell(c *cell) error {
	for _, imp := range c.imports {
		if err := available(imp); err != nil {
			return err
		}
	}
	if err := s.checkImported(c); err != nil {
		return err
	}
	for _, t := range c.types {
		if old, ok := s.types[t.name]; ok && old != t.text {
			// yaegi would keep the old definition without a word.
			return &engine.Error{Kind: engine.Compile, Pos: token.Position{Line: t.line, Column: t.col}, Msg: fmt.Sprintf(
				"type %s is already defined as %q and the interpreter cannot change a type: restart the kernel, then run the cells again", t.name, old)}
		}
	}
	return nil
}

// pathOf maps a package name of the cell to its import path, "" for none.
func (s *Session) pathOf(c *cell) func(string) string {
	own := map[string]string{}
	for _, imp := range c.imports {
		name := imp.name
		if name == "" {
			name = packageName(imp.path)
		}
		own[name] = imp.path
	}
	return func(name string) string {
		if p, ok := own[name]; ok {
			return p
		}
		return s.packages[name]
	}
}

// transform runs the passes over every unit of the cell: first the engine's, which
// make yaegi compile Go as Go means it, then the notebook's.
func (s *Session) transform(c *cell) error {
	path := s.pathOf(c)
	fset := s.engine.FileSet()
	own := func(name string) bool {
		_, earlier := s.funcs[name]
		return earlier || slices.ContainsFunc(c.funcs, func(d declared) bool { return d.name == name })
	}
	for _, u := range c.units {
		if u.kind == stmtUnit {
			engine.BlockScopes(u.block, c.textNumber()) // first: it reads the parser's objects
		}
	}
	if !c.noCallers {
		s.redeclareCallers(c)
	}
	c.tangents, c.tangentsMade = s.tangents(c)
	declaresMain := false
	var units []*unit
	lits := 0
	for _, u := range c.units {
		n := u.node()
		declaresMain = engine.RenameMain(n) || declaresMain
		engine.InlineFloatConstants(n, path, stdlib.Symbols)
		engine.GenericStdlib(n, path)
		engine.MinMaxArgs(n, own)
		engine.BuiltinPrints(n)
		engine.OrderAssignments(n)
		engine.ReturnBuiltins(n)
		engine.PerIterationLoopVars(n)
		launches(n, u.kind == stmtUnit)
		depthGuards(n)
		displayArgs(n, path)
		makeGuards(n)
		if u.kind == stmtUnit {
			if r := engine.TopLevelReturns(u.block); r != nil {
				p := fset.Position(r.Pos())
				return &engine.Error{Kind: engine.Compile, Pos: p, Msg: "too many return values: a return at a cell's top level ends the cell, " +
					"as in main, and returns nothing; to show a value, write it on the cell's last line"}
			}
			engine.BlocksInFuncs(u.block)
		}
		serial := c.serial
		if u.serial != 0 {
			serial = u.serial
		}
		lineMarkers(n, fset, serial, own)
		if u.kind != stmtUnit {
			units = append(units, u)
			continue
		}
		var earlier []ast.Stmt
		for _, part := range engine.LiftFuncLits(u.block, &lits) {
			if len(part.Funcs) > 0 {
				at := part.Funcs[0].Pos()
				units = append(units, &unit{kind: declUnit, file: &ast.File{Package: at, Name: &ast.Ident{NamePos: at, Name: "main"}, Decls: part.Funcs}})
			}
			units = append(units, &unit{kind: stmtUnit, block: part.Block, earlier: earlier})
			earlier = append(earlier[:len(earlier):len(earlier)], part.Block.List...)
		}
	}
	c.units = units
	if last := len(c.units) - 1; last >= 0 && c.units[last].kind == stmtUnit {
		c.units[last].shown = lastExpression(c.units[last].block) != nil
	}
	if declaresMain {
		// As `go run` does, and once: the cell's main runs after everything it declares.
		call := &ast.ExprStmt{X: engine.Call("", engine.MainName)}
		c.units = append(c.units, &unit{kind: stmtUnit, block: &ast.BlockStmt{Lbrace: c.units[0].node().Pos(), List: []ast.Stmt{call}}})
	}
	return nil
}

// compile compiles every unit of the cell, in order; on error the caller restores the
// session's names.
func (s *Session) compile(c *cell) ([]compiled, error) {
	path := s.pathOf(c)
	var out []compiled
	for _, u := range c.units {
		switch u.kind {
		case importUnit:
			u.file.Decls = s.newImports(u.file.Decls)
			if len(u.file.Decls) == 0 {
				continue
			}
		case declUnit:
			if hoisted := s.engine.HoistVars(u.file); len(hoisted) > 0 {
				p, err := s.compileUnit(&unit{kind: stmtUnit, block: &ast.BlockStmt{Lbrace: u.file.Package, List: hoisted}}, path)
				if err != nil {
					return nil, err
				}
				out = append(out, compiled{prog: p})
			}
		}
		p, err := s.compileUnit(u, path)
		if err != nil {
			return nil, err
		}
		out = append(out, compiled{prog: p, shown: u.shown})
	}
	return out, nil
}

// newImports drops the import specs the session has already.
func (s *Session) newImports(decls []ast.Decl) []ast.Decl {
	var out []ast.Decl
	for _, d := range decls {
		gd := d.(*ast.GenDecl)
		var specs []ast.Spec
		for _, sp := range gd.Specs {
			is := sp.(*ast.ImportSpec)
			path, _ := strconv.Unquote(is.Path.Value)
			imp := importSpec{path: path}
			if is.Name != nil {
				imp.name = is.Name.Name
			}
			if !s.imported[imp] {
				specs = append(specs, sp)
			}
		}
		if len(specs) > 0 {
			gd.Specs = specs
			out = append(out, gd)
		}
	}
	return out
}

// compileUnit compiles one unit. A unit whose value is shown is tried with each way of
// showing its last expression, then as written. Where yaegi's compiler fails on a range
// over an integer, the unit is tried again with counting loops.
func (s *Session) compileUnit(u *unit, path func(string) string) (*engine.Program, error) {
	var last *ast.ExprStmt
	var ways []ast.Expr
	if u.shown {
		last = lastExpression(u.block)
		ways = append(showing(last.X), last.X)
	}
	try := func() (*engine.Program, error) {
		p, err := s.engine.Compile(u.node())
		var ee *engine.Error
		if errors.As(err, &ee) && ee.Internal && strings.Contains(ee.Msg, "nil type") {
			if u.kind == stmtUnit && s.typeCommaOk(u.block, u.earlier, path) {
				if p, err2 := s.engine.Compile(u.node()); err2 == nil {
					return p, nil
				}
			}
			for _, maybe := range []bool{false, true} {
				if engine.RangeOverInts(u.node(), maybe) {
					if p, err2 := s.engine.Compile(u.node()); err2 == nil {
						return p, nil
					}
				}
			}
		}
		if errors.As(err, &ee) && strings.Contains(ee.Msg, "definition loop") && u.kind == stmtUnit && s.typeDefines(u.block, u.earlier, path) {
			return s.engine.Compile(u.node())
		}
		return p, err
	}
	if last == nil {
		p, err := try()
		if err != nil {
			return nil, s.explain(u, err)
		}
		return p, nil
	}
	var err error
	for _, way := range ways {
		last.X = way
		var p *engine.Program
		if p, err = try(); err == nil {
			u.shown = way != ways[len(ways)-1]
			return p, nil
		}
	}
	u.shown = false
	return nil, s.explain(u, err)
}

// explain replaces "constant definition loop", yaegi's word at a cell's top level for
// an undefined name or a type it could not infer, with the error the same statements
// give inside a function, or with what to write instead.
func (s *Session) explain(u *unit, err error) error {
	var ee *engine.Error
	if !errors.As(err, &ee) || !strings.Contains(ee.Msg, "definition loop") {
		return err
	}
	var stmts []ast.Stmt
	if u.kind == stmtUnit {
		stmts = u.block.List
	} else {
		for _, d := range u.file.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && (gd.Tok == token.VAR || gd.Tok == token.CONST) {
				stmts = append(stmts, &ast.DeclStmt{Decl: gd})
			}
		}
	}
	at := u.node().Pos()
	body := &ast.BlockStmt{Lbrace: at, List: stmts}
	probe := &ast.BlockStmt{Lbrace: at, List: []ast.Stmt{&ast.AssignStmt{Lhs: []ast.Expr{engine.Ident("_")}, Tok: token.ASSIGN,
		Rhs: []ast.Expr{&ast.FuncLit{Type: &ast.FuncType{Params: &ast.FieldList{}}, Body: body}}}}}
	before := s.engine.Checkpoint()
	_, inFunc := s.engine.Compile(probe)
	s.engine.Restore(before)
	var fe *engine.Error
	if errors.As(inFunc, &fe) && fe.Kind == engine.Compile && !fe.Internal && fe.Pos.Line > 0 {
		return fe
	}
	ee.Msg += ": the interpreter cannot infer the type of a variable defined here, at the cell's top level (yaegi's limit); " +
		"declare it with its type, as in var x float64 = xs[1], or compute it inside a function"
	return ee
}

// typeDefines gives x := xs[i] at the block's top level, where xs is a variable of an
// earlier cell, xs's element type: var x T = xs[i]. yaegi cannot infer the type of an
// element of a value that compiled code made ([]float64 from mat.Col) at a cell's top
// level ("constant definition loop"). earlier are the statements of the cell before the
// block. It reports whether it changed anything.
func (s *Session) typeDefines(block *ast.BlockStmt, earlier []ast.Stmt, path func(string) string) bool {
	globals := s.engine.Globals()
	changed := false
	for i, st := range block.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			continue
		}
		name, ok1 := as.Lhs[0].(*ast.Ident)
		ix, ok2 := as.Rhs[0].(*ast.IndexExpr)
		if !ok1 || !ok2 {
			continue
		}
		base, ok := ix.X.(*ast.Ident)
		if !ok {
			continue
		}
		var t reflect.Type
		if v, found := globals[base.Name]; found && v.IsValid() {
			t = v.Type()
		} else {
			t = definedByCall(slices.Concat(earlier, block.List[:i]), base.Name, path)
		}
		if t == nil {
			continue
		}
		var elem reflect.Type
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			elem = t.Elem()
		case reflect.String:
			elem = reflect.TypeOf(byte(0))
		default:
			continue
		}
		typ, err := parser.ParseExpr(s.typeString(elem))
		if err != nil || !s.knownPackages(typ) {
			continue
		}
		block.List[i] = &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: as.Pos(), Tok: token.VAR, Specs: []ast.Spec{
			&ast.ValueSpec{Names: []*ast.Ident{name}, Type: typ, Values: as.Rhs}}}}
		changed = true
	}
	return changed
}

// typeCommaOk declares the variables of v, ok := m[k], v, ok := <-ch and v, ok := x.(T)
// at the block's top level with their types, then assigns them (var v V; var ok bool;
// v, ok = m[k]): yaegi's compiler panics "nil type" on the definitions outside a
// function, and compiles the assignment. V comes from the syntax (T), from the value of
// an earlier cell's variable, or from the literal or make that defines it in this block.
// earlier are the statements of the cell before the block. It reports whether it changed
// anything.
func (s *Session) typeCommaOk(block *ast.BlockStmt, earlier []ast.Stmt, path func(string) string) bool {
	changed := false
	var list []ast.Stmt
	for i, st := range block.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 2 || len(as.Rhs) != 1 {
			list = append(list, st)
			continue
		}
		value := s.commaOkType(as.Rhs[0], slices.Concat(earlier, block.List[:i]), path)
		if value == nil {
			list = append(list, st)
			continue
		}
		for k, typ := range []ast.Expr{value, &ast.Ident{NamePos: as.Pos(), Name: "bool"}} {
			if id, ok := as.Lhs[k].(*ast.Ident); ok && id.Name != "_" {
				list = append(list, &ast.DeclStmt{Decl: &ast.GenDecl{TokPos: as.Pos(), Tok: token.VAR,
					Specs: []ast.Spec{&ast.ValueSpec{Names: []*ast.Ident{{NamePos: id.Pos(), Name: id.Name}}, Type: typ}}}})
			}
		}
		list = append(list, &ast.AssignStmt{Lhs: as.Lhs, TokPos: as.TokPos, Tok: token.ASSIGN, Rhs: as.Rhs})
		changed = true
	}
	block.List = list
	return changed
}

// commaOkType is the type of the first value of a comma-ok expression, or nil.
func (s *Session) commaOkType(e ast.Expr, before []ast.Stmt, path func(string) string) ast.Expr {
	switch e := e.(type) {
	case *ast.TypeAssertExpr:
		return e.Type
	case *ast.IndexExpr:
		return s.elemType(e.X, before, path, reflect.Map)
	case *ast.UnaryExpr:
		if e.Op == token.ARROW {
			return s.elemType(e.X, before, path, reflect.Chan)
		}
	case *ast.ParenExpr:
		return s.commaOkType(e.X, before, path)
	}
	return nil
}

// elemType is the element type of the map or channel x names: from the literal or make
// that defines it in before, or from an earlier cell's value.
func (s *Session) elemType(x ast.Expr, before []ast.Stmt, path func(string) string, kind reflect.Kind) ast.Expr {
	id, ok := x.(*ast.Ident)
	if !ok {
		return nil
	}
	for i := len(before) - 1; i >= 0; i-- {
		as, ok := before[i].(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != len(as.Rhs) {
			continue
		}
		for k, l := range as.Lhs {
			if lid, ok := l.(*ast.Ident); ok && lid.Name == id.Name {
				return syntacticElem(as.Rhs[k])
			}
		}
	}
	v, ok := s.engine.Globals()[id.Name]
	if !ok || !v.IsValid() || v.Kind() != kind {
		return nil
	}
	typ, err := parser.ParseExpr(s.typeString(v.Type().Elem()))
	if err != nil || !s.knownPackages(typ) {
		return nil
	}
	return typ
}

// syntacticElem is the element type written in map[K]V{...}, make(map[K]V), make(chan T).
func syntacticElem(e ast.Expr) ast.Expr {
	var t ast.Expr
	switch e := e.(type) {
	case *ast.CompositeLit:
		t = e.Type
	case *ast.CallExpr:
		if id, ok := e.Fun.(*ast.Ident); ok && id.Name == "make" && len(e.Args) > 0 {
			t = e.Args[0]
		}
	}
	switch t := t.(type) {
	case *ast.MapType:
		return t.Value
	case *ast.ChanType:
		return t.Value
	}
	return nil
}

// definedByCall is the type of name when one of stmts defines it from a call of a
// compiled package's function (s := strings.TrimSpace(x), xs := mat.Col(nil, 0, v)),
// read from the function's own type; nil otherwise.
func definedByCall(stmts []ast.Stmt, name string, path func(string) string) reflect.Type {
	var found reflect.Type
	for _, st := range stmts {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Rhs) != 1 {
			continue
		}
		for k, l := range as.Lhs {
			if id, ok := l.(*ast.Ident); !ok || id.Name != name {
				continue
			}
			found = nil // the latest definition counts
			call, ok := as.Rhs[0].(*ast.CallExpr)
			if !ok {
				continue
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				continue
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok || path(pkg.Name) == "" {
				continue
			}
			syms, _ := packageSymbols(path(pkg.Name))
			if f := syms[sel.Sel.Name]; f.IsValid() && f.Kind() == reflect.Func && f.Type().NumOut() == len(as.Lhs) {
				found = f.Type().Out(k)
			}
		}
	}
	return found
}

// knownPackages reports whether every package a type expression names is imported.
func (s *Session) knownPackages(typ ast.Expr) bool {
	ok := true
	ast.Inspect(typ, func(n ast.Node) bool {
		if sel, isSel := n.(*ast.SelectorExpr); isSel {
			pkg, isIdent := sel.X.(*ast.Ident)
			ok = ok && isIdent && s.packages[pkg.Name] != ""
			return false
		}
		return true
	})
	return ok
}

// recordDeclarations remembers what the cell declares: for help, completion and
// tracebacks.
func (s *Session) recordDeclarations(ctx context.Context, c *cell, count int) {
	src := c.source()
	s.tangent = c.tangents
	s.recordCalls(c)
	for _, f := range c.funcs {
		s.funcs[f.name] = origin{cell: src, count: count, line: f.line, signature: f.text}
	}
	for _, t := range c.types {
		s.types[t.name] = t.text
		s.recordType(ctx, t.name)
	}
	for _, m := range c.methods {
		if !slices.Contains(s.methods[m.text], m.name) {
			s.methods[m.text] = append(s.methods[m.text], m.name)
		}
		s.methodSigs[m.text+"."+m.name] = m.sig
	}
}

// recordType remembers the reflect type yaegi gives the cell type name (read from a nil
// *T: nothing is allocated), so that completion can find the type's methods from a value.
func (s *Session) recordType(ctx context.Context, name string) {
	vals, err := s.evaluate(ctx, "(*"+name+")(nil)")
	if err != nil || len(vals) != 1 {
		return
	}
	t := reflect.TypeOf(vals[0])
	if t == nil || t.Kind() != reflect.Ptr {
		return
	}
	t = t.Elem()
	if !slices.Contains(s.typeNames[t], name) {
		s.typeNames[t] = append(s.typeNames[t], name)
	}
}

// evaluate computes the values of an expression of the session's, in the plain way
// (no passes): for user expressions and the session's own questions.
func (s *Session) evaluate(ctx context.Context, expr string) ([]any, error) {
	c, errs := parseCell(s.engine.FileSet(), expr)
	if len(errs) > 0 {
		return nil, errs
	}
	defer s.engine.Forget(c.file)
	if len(c.units) != 1 || c.units[0].kind != stmtUnit || lastExpression(c.units[0].block) == nil {
		return nil, fmt.Errorf("not an expression: %s", expr)
	}
	u := c.units[0]
	engine.InlineFloatConstants(u.block, s.pathOf(c), stdlib.Symbols)
	u.shown = true
	before := s.engine.Checkpoint()
	p, err := s.compileUnit(u, s.pathOf(c))
	if err != nil {
		return nil, err
	}
	defer s.engine.Restore(before)
	v, err := s.engine.Run(ctx, p)
	if err != nil {
		return nil, err
	}
	if !u.shown {
		return nil, nil
	}
	return values(v), nil
}

// checkImported fails on a package the cell uses without importing it, as Go does, and
// says which import it needs: yaegi says "undefined: strconv" at best, and panics with a
// nil dereference on `var wg sync.WaitGroup`.
func (s *Session) checkImported(c *cell) error {
	path := s.pathOf(c)
	for _, p := range c.packageNames {
		if path(p.name) != "" {
			continue
		}
		if _, ok := s.types[p.name]; ok {
			continue
		}
		paths := importPaths()[p.name]
		if len(paths) == 0 {
			continue // not a package's name: yaegi's own error says what it is
		}
		// Only now the session's names: a variable may have the package's name.
		if s.engine.Declared(p.name) {
			continue
		}
		quoted := make([]string, len(paths))
		for i, path := range paths {
			quoted[i] = strconv.Quote(path)
		}
		return &engine.Error{Kind: engine.Compile, Pos: token.Position{Line: p.line, Column: p.col},
			Msg: fmt.Sprintf("undefined: %s (import %s first)", p.name, strings.Join(quoted, " or "))}
	}
	return nil
}

// firstLine is an error's first line.
func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}
