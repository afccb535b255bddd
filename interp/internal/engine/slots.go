package engine

import (
	"fmt"
	"reflect"
	"sync"
	"unsafe"
	"weak"

	"github.com/traefik/yaegi/interp"
)

// Workaround (yaegi v0.16.1): the interpreter never empties a slot of its global frame.
// Each unit it compiles adds slots there, for the variables its top level defines and for
// every value its top-level statements compute on the way (temporaries), and each slot
// keeps its value for good: the temporaries of every cell ever run, and every earlier
// value of a variable that a cell defines again (x := ... run twice makes a second x; the
// first stays, named by nothing). TestBugGlobalSlotsKept checks the bug.
//
// After each run the engine empties the slots no code can read any more: a slot is kept
// while a symbol of a package names it (a variable of the session), while a function
// that reads it may still run (an earlier cell's function or closure keeps the variable
// it was compiled with, even after a later cell defines the name again; yaegi can run a
// function only while its node is reachable, which the engine watches through a weak
// pointer), and while a unit that may still run has it (its own slots, the slots its
// statements read, and those named by the names it would restore if it failed as it
// starts). Every other slot of a unit that has run, or that will never run (its Program
// was collected), is emptied. A unit interrupted while it ran may go on in the
// background: its slots are kept for good.
//
// The same run forgets the interpreter's lists of child scopes, which only its debugger
// reads (scope.child: a scope for every block compiled, with its symbols and their
// syntax trees).

// slotTable is the engine's account of the global frame's slots.
type slotTable struct {
	// readers are, for each slot a function body reads, those functions (yaegi's node of
	// each, weakly): the slot is kept while one of them is reachable.
	readers map[int]map[weak.Pointer[byte]]bool
	forever map[int]bool // slots of units interrupted while they ran
	units   []*unitSlots // compiled units that may still run
	// candidates are slots of units that will not run any more, not yet emptied.
	candidates map[int]bool
	// literals are the slots of function literals evaluated at the top level: a closure
	// writes its slot back after each call (yaegi's getFunc), with what the slot held when
	// the closure was made (in a loop, the previous closure), so it is emptied again at
	// every sweep.
	literals map[int]bool
}

// unitSlots is what one compiled unit has of the global frame.
type unitSlots struct {
	prog     weak.Pointer[Program]
	from, to int          // the slots its compile added
	reads    map[int]bool // slots its top-level statements use
	restores map[int]bool // slots named by the Checkpoint taken before its compile
	done     bool         // it ran to its end (or failed as it started)
}

func newSlotTable() slotTable {
	return slotTable{readers: map[int]map[weak.Pointer[byte]]bool{}, forever: map[int]bool{}, candidates: map[int]bool{}, literals: map[int]bool{}}
}

// slotCount is the number of slots the interpreter has allocated in the global frame
// (its universe scope's frame layout; the frame itself grows to it at the next run).
func slotCount(i *interp.Interpreter) int {
	u := unexported(reflect.ValueOf(i).Elem().FieldByName("universe"))
	if !u.IsValid() || u.IsNil() {
		return 0
	}
	t := unexported(u.Elem().FieldByName("types"))
	if !t.IsValid() || t.Kind() != reflect.Slice {
		return 0
	}
	return t.Len()
}

// compiled records the unit p whose compile allocated the slots [from, slotCount).
func (e *Engine) compiled(p *Program, from int) {
	u := &unitSlots{prog: weak.Make(p), from: from, to: slotCount(e.yaegi), reads: map[int]bool{}, restores: map[int]bool{}}
	root := unexported(reflect.ValueOf(p.prog).Elem().FieldByName("root"))
	inits := unexported(reflect.ValueOf(p.prog).Elem().FieldByName("init"))
	w := nodeWalker{seen: map[uintptr]bool{}, visit: func(level, findex int, fn reflect.Value, literal bool) {
		switch {
		case findex < 0:
		case fn.IsValid():
			if level == globalLevel {
				e.slots.read(findex, fn)
			}
		case level == globalLevel || level == 0:
			u.reads[findex] = true
			if literal {
				e.slots.literals[findex] = true
			}
		}
	}}
	w.walk(root, reflect.Value{})
	for k := 0; inits.IsValid() && k < inits.Len(); k++ {
		w.walk(inits.Index(k), reflect.Value{})
	}
	for _, sym := range symbolIndexes(p.before.syms) {
		u.restores[sym] = true
	}
	p.slots = u
	e.slots.units = append(e.slots.units, u)
}

// read records that the function fn (a *node of yaegi) reads the global slot k.
func (t *slotTable) read(k int, fn reflect.Value) {
	r := weak.Make((*byte)(fn.UnsafePointer()))
	if t.readers[k] == nil {
		t.readers[k] = map[weak.Pointer[byte]]bool{}
	}
	t.readers[k][r] = true
}

// failed records a compile that failed after allocating the slots [from, slotCount).
func (e *Engine) failed(from int) {
	for k := from; k < slotCount(e.yaegi); k++ {
		e.slots.candidates[k] = true
	}
}

// finished records the end of p's run: interrupted (its statements may still be running
// in the background) or not.
func (e *Engine) finished(p *Program, interrupted bool) {
	u := p.slots
	if u == nil {
		return
	}
	if interrupted {
		for k := u.from; k < u.to; k++ {
			e.slots.forever[k] = true
		}
		for k := range u.reads {
			e.slots.forever[k] = true
		}
	}
	u.done = true
}

// sweep empties the slots of the global frame that no code can read (see above), and
// forgets the interpreter's child scopes.
func (e *Engine) sweep() {
	forgetChildScopes(e.yaegi)
	t := &e.slots
	live := t.units[:0]
	for _, u := range t.units {
		if u.done || u.prog.Value() == nil {
			for k := u.from; k < u.to; k++ {
				t.candidates[k] = true
			}
			continue
		}
		live = append(live, u)
	}
	clear(t.units[len(live):])
	t.units = live
	for k, rs := range t.readers {
		for r := range rs {
			if r.Value() == nil {
				delete(rs, r)
			}
		}
		if len(rs) == 0 {
			delete(t.readers, k)
			t.candidates[k] = true
		}
	}
	named := namedSlots(e.yaegi)
	kept := func(k int) bool {
		if t.forever[k] || t.readers[k] != nil || named[k] {
			return true
		}
		for _, u := range live {
			if k >= u.from && k < u.to || u.reads[k] || u.restores[k] {
				return true
			}
		}
		return false
	}
	data, unlock := globalFrame(e.yaegi)
	if data == nil {
		return
	}
	defer unlock()
	for k := range t.candidates {
		switch {
		case t.forever[k] || t.readers[k] != nil:
			delete(t.candidates, k) // again a candidate when its readers are gone
		case k >= len(*data) || kept(k):
			// Not in the frame yet (it will be, with a zero value), or still wanted.
		default:
			(*data)[k] = reflect.Value{}
			delete(t.candidates, k)
		}
	}
	for k := range t.literals {
		if t.forever[k] {
			delete(t.literals, k)
		} else if k < len(*data) && (*data)[k].IsValid() && !kept(k) {
			(*data)[k] = reflect.Value{}
		}
	}
}

// globalFrame is the global frame's slots, locked until unlock is called; nil when
// yaegi keeps them elsewhere (TestYaegiPrivateFields).
func globalFrame(i *interp.Interpreter) (data *[]reflect.Value, unlock func()) {
	f := unexported(reflect.ValueOf(i).Elem().FieldByName("frame"))
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil, nil
	}
	d := unexported(f.Elem().FieldByName("data"))
	m := unexported(f.Elem().FieldByName("mutex"))
	if !d.IsValid() || d.Type() != reflect.TypeOf([]reflect.Value(nil)) || !m.IsValid() || m.Type() != reflect.TypeOf(sync.RWMutex{}) {
		return nil, nil
	}
	mu := (*sync.RWMutex)(unsafe.Pointer(m.UnsafeAddr()))
	mu.Lock()
	return (*[]reflect.Value)(unsafe.Pointer(d.UnsafeAddr())), mu.Unlock
}

// namedSlots are the slots the symbols of every package scope name (the universe's are
// predeclared: true, false and iota have the index 0 of no slot).
func namedSlots(i *interp.Interpreter) map[int]bool {
	named := map[int]bool{}
	in := reflect.ValueOf(i).Elem()
	var scopes []reflect.Value
	if m := unexported(in.FieldByName("scopes")); m.IsValid() && m.Kind() == reflect.Map {
		iter := m.MapRange()
		for iter.Next() {
			scopes = append(scopes, iter.Value())
		}
	}
	for _, sc := range scopes {
		if !sc.IsValid() || sc.IsNil() {
			continue
		}
		for _, k := range symbolIndexes(sc.Elem().FieldByName("sym")) {
			named[k] = true
		}
	}
	return named
}

// symbolIndexes are the frame slots of the variables, constants and functions of a
// map[string]*symbol (the index of a symbol of another kind, a package or a type, is no
// slot).
func symbolIndexes(syms reflect.Value) []int {
	valued := valuedKinds()
	if !syms.IsValid() || syms.Kind() != reflect.Map || valued == nil {
		return nil
	}
	var out []int
	iter := syms.MapRange()
	for iter.Next() {
		s := iter.Value()
		if s.IsNil() || !valued[s.Elem().FieldByName("kind").Uint()] {
			continue
		}
		if k := int(s.Elem().FieldByName("index").Int()); k >= 0 {
			out = append(out, k)
		}
	}
	return out
}

// valuedKinds are the values of yaegi's symbol kinds varSym, constSym and funcSym (by
// their names), nil when its symbol has no such kinds.
var valuedKinds = sync.OnceValue(func() map[uint64]bool {
	sym, ok := reflect.TypeOf(interp.Interpreter{}).FieldByName("universe")
	if !ok || sym.Type.Kind() != reflect.Pointer {
		return nil
	}
	syms, ok := sym.Type.Elem().FieldByName("sym")
	if !ok || syms.Type.Kind() != reflect.Map || syms.Type.Elem().Kind() != reflect.Pointer {
		return nil
	}
	kind, ok := syms.Type.Elem().Elem().FieldByName("kind")
	index, ok2 := syms.Type.Elem().Elem().FieldByName("index")
	if !ok || !ok2 || kind.Type.Kind() != reflect.Uint || index.Type.Kind() != reflect.Int {
		return nil
	}
	valued := map[uint64]bool{}
	for k := uint64(0); k < 64; k++ {
		v := reflect.New(kind.Type).Elem()
		v.SetUint(k)
		switch fmt.Sprint(v.Interface()) {
		case "varSym", "constSym", "funcSym":
			valued[k] = true
		}
	}
	if len(valued) != 3 {
		return nil
	}
	return valued
})

// forgetChildScopes empties the lists of child scopes of the universe and of every
// package scope: only yaegi's debugger reads them.
func forgetChildScopes(i *interp.Interpreter) bool {
	in := reflect.ValueOf(i).Elem()
	scopes := []reflect.Value{unexported(in.FieldByName("universe"))}
	if m := unexported(in.FieldByName("scopes")); m.IsValid() && m.Kind() == reflect.Map {
		iter := m.MapRange()
		for iter.Next() {
			scopes = append(scopes, iter.Value())
		}
	}
	ok := true
	for _, sc := range scopes {
		if !sc.IsValid() || sc.IsNil() {
			continue
		}
		c := unexported(sc.Elem().FieldByName("child"))
		if !c.IsValid() || c.Kind() != reflect.Slice {
			ok = false
			continue
		}
		c.Set(reflect.Zero(c.Type()))
	}
	return ok
}

// globalLevel is yaegi's node.level of a global symbol (globalFrame in its value.go).
const globalLevel = -1

// nodeWalker walks a compiled syntax tree of yaegi (its *node), telling visit the level
// and frame index of every node, the function whose body the node is in (yaegi's node of
// the declaration or literal; invalid at the top level), and whether it is a function
// literal.
type nodeWalker struct {
	seen  map[uintptr]bool
	visit func(level, findex int, fn reflect.Value, literal bool)
}

// nodeFields are the indexes of the fields of yaegi's node the walker reads, and the
// values of its kinds funcDecl and funcLit.
var nodeFields = sync.OnceValue(func() (f struct {
	ok                         bool
	child, kind, level, findex int
	funcDecl, funcLit          uint64
}) {
	t := reflect.TypeOf(interp.Program{})
	root, ok := t.FieldByName("root")
	if !ok || root.Type.Kind() != reflect.Pointer || root.Type.Elem().Kind() != reflect.Struct {
		return f
	}
	n := root.Type.Elem()
	for _, name := range []string{"child", "kind", "level", "findex"} {
		if _, ok := n.FieldByName(name); !ok {
			return f
		}
	}
	child, _ := n.FieldByName("child")
	kind, _ := n.FieldByName("kind")
	level, _ := n.FieldByName("level")
	findex, _ := n.FieldByName("findex")
	if child.Type != reflect.SliceOf(root.Type) || kind.Type.Kind() != reflect.Uint || level.Type.Kind() != reflect.Int || findex.Type.Kind() != reflect.Int {
		return f
	}
	f.child, f.kind, f.level, f.findex = child.Index[0], kind.Index[0], level.Index[0], findex.Index[0]
	// The kinds by name (nkind's String method).
	found := 0
	for k := uint64(0); k < 256 && found < 2; k++ {
		v := reflect.New(kind.Type).Elem()
		v.SetUint(k)
		switch fmt.Sprint(v.Interface()) {
		case "funcDecl":
			f.funcDecl = k
			found++
		case "funcLit":
			f.funcLit = k
			found++
		}
	}
	f.ok = found == 2
	return f
})

func (w *nodeWalker) walk(n, fn reflect.Value) {
	f := nodeFields()
	if !f.ok || !n.IsValid() || n.Kind() != reflect.Pointer || n.IsNil() || w.seen[n.Pointer()] {
		return
	}
	w.seen[n.Pointer()] = true
	e := n.Elem()
	kind := e.Field(f.kind).Uint()
	switch kind {
	case f.funcDecl:
		// Its findex is the size of its frame.
		fn = n
	case f.funcLit:
		// Its slot is in the frame it is evaluated in; its body is a function's.
		w.visit(int(e.Field(f.level).Int()), int(e.Field(f.findex).Int()), fn, !fn.IsValid())
		fn = n
	default:
		w.visit(int(e.Field(f.level).Int()), int(e.Field(f.findex).Int()), fn, false)
	}
	children := e.Field(f.child)
	for k := 0; k < children.Len(); k++ {
		w.walk(children.Index(k), fn)
	}
}
