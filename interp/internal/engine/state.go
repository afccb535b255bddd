package engine

import (
	"go/token"
	"reflect"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// Workaround (yaegi v0.16.1): a unit that fails to compile leaves behind what it had
// declared so far: functions whose bodies never compiled (they return zero values),
// half-typed variables, and a redefined function broken for good. The engine keeps a
// copy of the main package's symbol table before each compile and puts it back on
// failure. Symbols are replaced, not changed in place, when a unit redefines them, so
// the copy of the map is enough. TestBugFailedCompileLeavesSymbols checks the bug.

// Checkpoint is the session's names at one moment.
type Checkpoint struct {
	syms reflect.Value // map[string]*symbol, a copy; invalid: no main package yet
}

// Checkpoint returns the session's names now.
func (e *Engine) Checkpoint() Checkpoint {
	m := mainSymbols(e.yaegi)
	if !m.IsValid() {
		return Checkpoint{}
	}
	saved := reflect.MakeMapWithSize(m.Type(), m.Len())
	iter := m.MapRange()
	for iter.Next() {
		saved.SetMapIndex(iter.Key(), iter.Value())
	}
	return Checkpoint{syms: saved}
}

// Restore puts back the names of cp.
func (e *Engine) Restore(cp Checkpoint) {
	m := mainSymbols(e.yaegi)
	if !m.IsValid() || !cp.syms.IsValid() {
		return
	}
	m.Clear()
	iter := cp.syms.MapRange()
	for iter.Next() {
		m.SetMapIndex(iter.Key(), iter.Value())
	}
}

// mainSymbols is the symbol map of package main's scope (writable), or an invalid value
// before the first unit.
func mainSymbols(i *interp.Interpreter) reflect.Value {
	scopes := unexported(reflect.ValueOf(i).Elem().FieldByName("scopes"))
	if !scopes.IsValid() || scopes.Kind() != reflect.Map {
		return reflect.Value{}
	}
	sc := scopes.MapIndex(reflect.ValueOf("main"))
	if !sc.IsValid() || sc.IsNil() {
		return reflect.Value{}
	}
	sym := unexported(sc.Elem().FieldByName("sym"))
	if !sym.IsValid() || sym.Kind() != reflect.Map {
		return reflect.Value{}
	}
	return sym
}

// unexported makes an unexported field settable.
func unexported(f reflect.Value) reflect.Value {
	if !f.IsValid() || !f.CanAddr() {
		return reflect.Value{}
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// Workaround (yaegi v0.16.1): the interpreter keeps the syntax tree of every source it
// has compiled (Interpreter.roots, read only by its debugger, which the session never
// starts); kept, they cost several KiB for every cell ever run.
func forgetSyntaxTrees(i *interp.Interpreter) bool {
	f := unexported(reflect.ValueOf(i).Elem().FieldByName("roots"))
	if !f.IsValid() || f.Kind() != reflect.Slice {
		return false
	}
	f.Set(reflect.Zero(f.Type()))
	return true
}

// Forget removes a parsed file from the FileSet once nothing compiled from it can report
// a position any more (it declared no function, so no closure or goroutine outlives it).
func (e *Engine) Forget(f *token.File) {
	if f != nil {
		e.FileSet().RemoveFile(f)
	}
}

// hasValue reports whether the session has a variable, constant, function or type of
// that name (not an imported package).
func (e *Engine) hasValue(name string) bool {
	m := mainSymbols(e.yaegi)
	return m.IsValid() && m.MapIndex(reflect.ValueOf(name)).IsValid()
}

// Declared reports whether the session has a name at its top level: a variable,
// constant, function, type or imported package of an earlier unit.
func (e *Engine) Declared(name string) bool {
	m := mainSymbols(e.yaegi)
	if !m.IsValid() {
		return false
	}
	if m.MapIndex(reflect.ValueOf(name)).IsValid() {
		return true
	}
	// Imports are kept by name and file ("fmt/_.go").
	return m.MapIndex(reflect.ValueOf(name + "/" + FileName)).IsValid()
}
