package engine

import (
	"fmt"
	"go/ast"
	"go/token"
	"regexp"
)

// BlockVarPrefix starts the names BlockScopes gives: _gomatcalcB<cell>_<n>_ and the name.
const BlockVarPrefix = "_gomatcalcB"

// blockVarName matches the part of a name BlockScopes adds.
var blockVarName = regexp.MustCompile(BlockVarPrefix + `\d+_\d+_`)

// UserNames is s with the names BlockScopes gave put back as the user wrote them.
func UserNames(s string) string { return blockVarName.ReplaceAllString(s, "") }

// BlockScopes gives every variable and constant declared in a block of a cell's top level
// (a loop's, an if's, a switch's, a { } block's, at any depth) a name of its own, unique in
// the session: yaegi keeps the variables of the top level's blocks with the session's
// variables, by name, so that a loop's i overwrote a variable i of an earlier cell, and
// an inner x of another type failed with "reflect.Set: value of type string is not
// assignable to type int". Variables of the top level itself (the session's) and of
// function literals (which yaegi scopes as Go does) keep their names. cell tells the
// names apart from those of other cells: a number of the cell's text, so that running a
// cell again reuses its names (and yaegi's slots for them) instead of adding new ones at
// every run. The parser's resolution of names to objects says which identifier is which
// variable, so it must run on the parser's tree.
func BlockScopes(block *ast.BlockStmt, cell uint32) {
	// The nodes inside the top level's statements, not the statements themselves (nor a
	// var statement's specs): a variable declared there is a block's. (One declared in
	// another unit of the cell, a var declaration before the statements say, is not.)
	nested := map[ast.Node]bool{}
	for _, s := range block.List {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n.(type) {
			case nil, *ast.FuncLit:
				return false
			case *ast.DeclStmt, *ast.GenDecl, *ast.ValueSpec:
				if n == s || isSpecOf(s, n) {
					return true
				}
			}
			if n != s {
				nested[n] = true
			}
			return true
		})
	}
	// The blocks' objects, as the identifiers outside function literals refer to them:
	// the variables of a function literal are seen only inside it.
	renamed := map[*ast.Object]string{}
	var collect func(n ast.Node) bool
	collect = func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.Ident:
			o := x.Obj
			if o == nil || (o.Kind != ast.Var && o.Kind != ast.Con) || renamed[o] != "" || x.Name == "_" {
				return true
			}
			// A struct's field is declared by a Field too, and keeps its name.
			if _, field := o.Decl.(*ast.Field); field {
				return true
			}
			if d, ok := o.Decl.(ast.Node); ok && (nested[d] || isRangeDecl(d)) {
				renamed[o] = fmt.Sprintf("%s%d_%d_%s", BlockVarPrefix, cell, len(renamed)+1, x.Name)
			}
		}
		return true
	}
	for _, s := range block.List {
		ast.Inspect(s, collect)
	}
	if len(renamed) == 0 {
		return
	}
	ast.Inspect(block, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(x.X, func(m ast.Node) bool { rename(m, renamed); return true })
			return false // a field's name is no variable
		case *ast.KeyValueExpr:
			// A struct literal's key is a field's name; a map's or slice's is a value.
			if id, ok := x.Key.(*ast.Ident); !ok || id.Obj == nil {
				ast.Inspect(x.Value, func(m ast.Node) bool { rename(m, renamed); return true })
				if !ok {
					ast.Inspect(x.Key, func(m ast.Node) bool { rename(m, renamed); return true })
				}
				return false
			}
		case *ast.Ident:
			rename(x, renamed)
		}
		return true
	})
}

// isRangeDecl reports whether d is what the parser makes a range's key and value
// declared by: an assignment from "range x" that is not in the tree.
func isRangeDecl(d ast.Node) bool {
	as, ok := d.(*ast.AssignStmt)
	if !ok || len(as.Rhs) != 1 {
		return false
	}
	u, ok := as.Rhs[0].(*ast.UnaryExpr)
	return ok && u.Op == token.RANGE
}

// isSpecOf reports whether n is the GenDecl or a spec of the var statement s.
func isSpecOf(s ast.Stmt, n ast.Node) bool {
	d, ok := s.(*ast.DeclStmt)
	if !ok {
		return false
	}
	gd, ok := d.Decl.(*ast.GenDecl)
	if !ok {
		return false
	}
	if n == gd {
		return true
	}
	for _, spec := range gd.Specs {
		if n == spec {
			return true
		}
	}
	return false
}

func rename(n ast.Node, renamed map[*ast.Object]string) {
	if id, ok := n.(*ast.Ident); ok && id.Obj != nil {
		if name, ok := renamed[id.Obj]; ok {
			id.Name = name
		}
	}
}
