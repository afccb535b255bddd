package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"slices"
	"sort"
	"strings"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
)

// Redefining a function in a notebook changes what its callers do, as rebuilding a Go
// program would. yaegi binds a call to the function defined when the caller was
// compiled, so a cell that redefines functions is compiled with every function of the
// earlier cells that calls them, directly or through others, again from its own cell's
// text (callees first). If those no longer compile with the new definitions (a changed
// signature), the cell compiles without them and says which still call the old ones.

// calledNames is every name a function's body calls by a plain name.
func calledNames(body *ast.BlockStmt) []string {
	seen := map[string]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && !seen[id.Name] {
				seen[id.Name] = true
			}
		}
		return true
	})
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// recordCalls remembers what the cell's functions call.
func (s *Session) recordCalls(c *cell) {
	for _, u := range c.units {
		if u.kind != declUnit || u.serial != 0 {
			continue
		}
		for _, d := range u.file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Body != nil && c.defines(fd.Name.Name) {
				s.calls[fd.Name.Name] = calledNames(fd.Body)
			}
		}
	}
}

func (c *cell) defines(name string) bool {
	return slices.ContainsFunc(c.funcs, func(d declared) bool { return d.name == name })
}

// callersOf returns the session's functions that call one of names, directly or through
// others, not those the cell defines again itself; callees come before their callers.
func (s *Session) callersOf(names []string, c *cell) []string {
	callers := map[string]bool{}
	changed := map[string]bool{}
	for _, n := range names {
		changed[n] = true
	}
	for grew := true; grew; {
		grew = false
		for f, callees := range s.calls {
			if callers[f] || c.defines(f) {
				continue
			}
			for _, g := range callees {
				if changed[g] || callers[g] {
					callers[f], grew = true, true
					break
				}
			}
		}
	}
	var order []string
	done := map[string]bool{}
	var visit func(f string)
	visit = func(f string) {
		if done[f] || !callers[f] {
			return
		}
		done[f] = true
		for _, g := range s.calls[f] {
			visit(g)
		}
		order = append(order, f)
	}
	all := make([]string, 0, len(callers))
	for f := range callers {
		all = append(all, f)
	}
	sort.Strings(all)
	for _, f := range all {
		visit(f)
	}
	return order
}

// redeclareCallers adds to the cell, after its declarations, the functions of earlier
// cells that call a function the cell redefines, each parsed again from its own cell
// (whose number its line markers keep).
func (s *Session) redeclareCallers(c *cell) {
	var redefined []string
	for _, d := range c.funcs {
		if _, ok := s.funcs[d.name]; ok {
			redefined = append(redefined, d.name)
		}
	}
	if len(redefined) == 0 {
		return
	}
	at := 0 // after the cell's last unit of declarations
	for i, u := range c.units {
		if u.kind != stmtUnit {
			at = i + 1
		}
	}
	var units []*unit
	for _, name := range s.callersOf(redefined, c) {
		o := s.funcs[name]
		if o.cell == nil {
			continue
		}
		orig, errs := parseCell(s.engine.FileSet(), o.cell.src)
		if len(errs) > 0 {
			continue
		}
		for _, u := range orig.units {
			if u.kind != declUnit {
				continue
			}
			for _, d := range u.file.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name {
					file := &ast.File{Package: fd.Pos(), Name: &ast.Ident{NamePos: fd.Pos(), Name: "main"}, Decls: []ast.Decl{fd}}
					units = append(units, &unit{kind: declUnit, file: file, serial: o.cell.serial})
					c.redeclared = append(c.redeclared, name)
				}
			}
		}
	}
	c.units = slices.Insert(c.units, at, units...)
}

// staleCallersNote says which functions still call the old definitions, and why.
func (c *cell) staleCallersNote(err error) string {
	why := firstLine(err)
	var ee *engine.Error
	if errors.As(err, &ee) {
		why = internalNames.Replace(engine.UserNames(ee.Msg)) // its position is another cell's
	}
	verb := "call"
	if len(c.redeclared) == 1 {
		verb = "calls"
	}
	return fmt.Sprintf("note: %s still %s the functions this cell redefines as they were before: "+
		"compiled again with the new ones, they fail (%s); change them to fit and run their cells again\n",
		strings.Join(c.redeclared, ", "), verb, why)
}
