package engine

import (
	"go/ast"
	"go/token"
	"strconv"

	"golang.org/x/tools/go/ast/astutil"

	"github.com/gomatcalc/gomatcalc/interp/internal/gosrc"
)

// Workaround (yaegi v0.16.1): a function literal evaluated at the top level copies the
// whole global frame into its closure (getFunc clones the frame it runs in), and the
// global frame has a slot for every variable and temporary of every unit the session has
// run. The closure keeps the copy for good, and the copy holds the closures of earlier
// cells, which hold their own copies: a cell making a closure, run again and again, keeps
// memory growing with the square of the number of runs. A literal inside a function
// copies that function's frame instead, a few slots. TestBugTopLevelClosureCopiesFrame
// checks the bug.

// LitPrefix names the functions LiftFuncLits declares: _gomatcalcLit1, _gomatcalcLit2,
// ... in each cell, declared anew by the next.
const LitPrefix = "_gomatcalcLit"

// Part is a piece of a top-level block: the functions that make the function literals of
// its statements, compiled before it, and the statements.
type Part struct {
	Funcs []ast.Decl // *ast.FuncDecl
	Block *ast.BlockStmt
}

// LiftFuncLits moves each function literal of a top-level block (outside any function)
// into a function of its own that returns it, and calls that function where the literal
// was: the closure copies the small frame of that function, not the global frame. The
// literal means what it meant: its free variables are the session's globals, which a
// function reads as the literal did. A literal that uses a variable of an enclosing
// statement (a loop's, a block's), or a name that its own or a later top-level statement
// defines, stays (a function declared before the statement could not see it, or would see
// an earlier cell's). A literal that uses a name an earlier statement of the block defines
// needs that statement compiled first: the block is split there into parts, compiled and
// run in order. A block with a goto outside function literals stays whole. count numbers
// the functions over the blocks of a cell.
func LiftFuncLits(block *ast.BlockStmt, count *int) []Part {
	whole := []Part{{Block: block}}
	if len(block.List) == 0 || hasGoto(block) {
		return whole
	}
	// later[i]: the names statements i, i+1, ... define at the top level.
	later := make([]map[string]bool, len(block.List)+1)
	later[len(block.List)] = map[string]bool{}
	for i := len(block.List) - 1; i >= 0; i-- {
		later[i] = topDefined(block.List[i])
		for name := range later[i+1] {
			later[i][name] = true
		}
	}
	var parts []Part
	var current *Part
	since := map[string]bool{} // the names the current part's statements define
	lifted := false
	for i, st := range block.List {
		inner := declaredIn(st)
		var funcs []ast.Decl
		split := false
		st = astutil.Apply(st, func(c *astutil.Cursor) bool {
			lit, ok := c.Node().(*ast.FuncLit)
			if !ok {
				return true
			}
			uses := usedNames(lit)
			if meets(uses, inner) || meets(uses, later[i]) {
				return false // stays, with what it holds
			}
			*count++
			name := LitPrefix + strconv.Itoa(*count)
			funcs = append(funcs, maker(name, lit))
			split = split || meets(uses, since)
			c.Replace(&ast.CallExpr{Fun: &ast.Ident{NamePos: lit.Pos(), Name: name}, Lparen: lit.Pos(), Rparen: lit.End() - 1})
			return false
		}, nil).(ast.Stmt)
		lifted = lifted || len(funcs) > 0
		if current == nil || split {
			parts = append(parts, Part{Block: &ast.BlockStmt{Lbrace: st.Pos()}})
			current = &parts[len(parts)-1]
			since = map[string]bool{}
		}
		current.Funcs = append(current.Funcs, funcs...)
		current.Block.List = append(current.Block.List, st)
		current.Block.Rbrace = st.End()
		for name := range topDefined(st) {
			since[name] = true
		}
	}
	if !lifted {
		return whole
	}
	parts[len(parts)-1].Block.Rbrace = block.Rbrace
	return parts
}

// maker is func name() T { return lit }, T being lit's type.
func maker(name string, lit *ast.FuncLit) *ast.FuncDecl {
	at := lit.Pos()
	return &ast.FuncDecl{
		Name: &ast.Ident{NamePos: at, Name: name},
		Type: &ast.FuncType{Func: at, Params: &ast.FieldList{Opening: at, Closing: at},
			Results: &ast.FieldList{List: []*ast.Field{{Type: gosrc.Clone(lit.Type).(*ast.FuncType)}}}},
		Body: &ast.BlockStmt{Lbrace: at, List: []ast.Stmt{&ast.ReturnStmt{Return: at, Results: []ast.Expr{lit}}}, Rbrace: lit.End() - 1},
	}
}

// meets reports whether a and b share a name.
func meets(a, b map[string]bool) bool {
	for name := range a {
		if b[name] {
			return true
		}
	}
	return false
}

// usedNames are the identifiers of lit that may name something outside it: every one but
// the fields and methods of selectors, the names of its parameters and results, and their
// uses in its body (a name declared inside the body may shadow an outer one only after a
// use: it counts).
func usedNames(lit *ast.FuncLit) map[string]bool {
	names := func(n ast.Node) map[string]bool {
		uses := map[string]bool{}
		var visit func(n ast.Node) bool
		visit = func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				ast.Inspect(n.X, visit)
				return false
			case *ast.Ident:
				uses[n.Name] = true
			}
			return true
		}
		ast.Inspect(n, visit)
		return uses
	}
	uses := map[string]bool{}
	for _, list := range []*ast.FieldList{lit.Type.Params, lit.Type.Results} {
		if list == nil {
			continue
		}
		for _, f := range list.List {
			for name := range names(f.Type) {
				uses[name] = true
			}
		}
	}
	body := names(lit.Body)
	for _, list := range []*ast.FieldList{lit.Type.Params, lit.Type.Results} {
		if list == nil {
			continue
		}
		for _, f := range list.List {
			for _, n := range f.Names {
				delete(body, n.Name)
			}
		}
	}
	for name := range body {
		uses[name] = true
	}
	return uses
}

// topDefined are the names a top-level statement defines at the top level.
func topDefined(st ast.Stmt) map[string]bool {
	names := map[string]bool{}
	switch st := st.(type) {
	case *ast.LabeledStmt:
		return topDefined(st.Stmt)
	case *ast.AssignStmt:
		if st.Tok == token.DEFINE {
			addIdents(names, st.Lhs...)
		}
	case *ast.DeclStmt:
		addSpecNames(names, st.Decl)
	}
	return names
}

// declaredIn are the names a statement declares anywhere outside function literals: at
// the top level, and in the scopes of its blocks, loops, ifs and switches.
func declaredIn(st ast.Stmt) map[string]bool {
	names := map[string]bool{}
	inspectTop(st, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE {
				addIdents(names, n.Lhs...)
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				addIdents(names, n.Key, n.Value)
			}
		case *ast.DeclStmt:
			addSpecNames(names, n.Decl)
		}
		return true
	})
	return names
}

func addIdents(names map[string]bool, exprs ...ast.Expr) {
	for _, e := range exprs {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			names[id.Name] = true
		}
	}
}

func addSpecNames(names map[string]bool, d ast.Decl) {
	gd, ok := d.(*ast.GenDecl)
	if !ok {
		return
	}
	for _, s := range gd.Specs {
		switch s := s.(type) {
		case *ast.ValueSpec:
			for _, n := range s.Names {
				names[n.Name] = true
			}
		case *ast.TypeSpec:
			names[s.Name.Name] = true
		}
	}
}
