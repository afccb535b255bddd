package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"sort"
	"strings"
)

// The session rewrites a cell's text where yaegi (Go 1.22 at its newest) would behave
// differently from the Go a student compiles today. Edits never add or remove a line, so
// positions in errors stay on the cell's own lines.

// runtimePkg is the name cells see package cellrt by.
const runtimePkg = "_gomatcalcrt"

// intsFunc turns `range n` over an integer into a range over a slice.
const intsFunc = "_gomatcalcInts"

// prelude gives cells what yaegi lacks: the builtins min, max and clear of Go 1.21, and
// the helper for ranging over an integer (Go 1.22).
const prelude = `
type _gomatcalcOrdered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}
type _gomatcalcInteger interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr
}
func min[_gomatcalcT _gomatcalcOrdered](x _gomatcalcT, y ..._gomatcalcT) _gomatcalcT {
	for _, v := range y {
		if v < x {
			x = v
		}
	}
	return x
}
func max[_gomatcalcT _gomatcalcOrdered](x _gomatcalcT, y ..._gomatcalcT) _gomatcalcT {
	for _, v := range y {
		if v > x {
			x = v
		}
	}
	return x
}
func clear(v interface{}) { ` + runtimePkg + `.Clear(v) }
` + genericsPrelude + `
func ` + intsFunc + `[_gomatcalcT _gomatcalcInteger](n _gomatcalcT) []_gomatcalcT {
	var s []_gomatcalcT
	var i _gomatcalcT // (yaegi fails on _gomatcalcT(0) for a cell's named type)
	for ; i < n; i++ {
		s = append(s, i)
	}
	return s
}
`

// slicesFuncs and mapsFuncs are the functions of packages slices and maps that yaegi
// v0.16.1 cannot instantiate (their constraints are of the form S ~[]E). A call
// slices.Sort(...) becomes _gomatcalc_slices_Sort(...), defined in genericsPrelude over
// plain slices and maps. maps.Keys and maps.Values return slices, as golang.org/x/exp/maps
// did: yaegi has no range over functions for Go 1.23's iterators.
var (
	slicesFuncs = map[string]bool{"Sort": true, "SortFunc": true, "SortStableFunc": true,
		"IsSorted": true, "Max": true, "Min": true, "Reverse": true, "Equal": true,
		"Clone": true, "Compact": true, "BinarySearch": true, "Insert": true, "Sorted": true}
	mapsFuncs = map[string]bool{"Keys": true, "Values": true, "Clone": true, "Equal": true, "Copy": true}
)

const genericsPrelude = `
func _gomatcalc_slices_Sort[_gomatcalcE _gomatcalcOrdered](s []_gomatcalcE) {
	` + runtimePkg + `.SortSlice(s, func(i, j int) bool { return s[i] < s[j] }, false)
}
func _gomatcalc_slices_SortFunc[_gomatcalcE any](s []_gomatcalcE, cmp func(a, b _gomatcalcE) int) {
	` + runtimePkg + `.SortSlice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 }, false)
}
func _gomatcalc_slices_SortStableFunc[_gomatcalcE any](s []_gomatcalcE, cmp func(a, b _gomatcalcE) int) {
	` + runtimePkg + `.SortSlice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 }, true)
}
func _gomatcalc_slices_Sorted[_gomatcalcE _gomatcalcOrdered](s []_gomatcalcE) []_gomatcalcE {
	c := append([]_gomatcalcE(nil), s...)
	_gomatcalc_slices_Sort(c)
	return c
}
func _gomatcalc_slices_IsSorted[_gomatcalcE _gomatcalcOrdered](s []_gomatcalcE) bool {
	for i := 1; i < len(s); i++ {
		if s[i] < s[i-1] {
			return false
		}
	}
	return true
}
func _gomatcalc_slices_Max[_gomatcalcE _gomatcalcOrdered](s []_gomatcalcE) _gomatcalcE {
	if len(s) == 0 {
		panic("slices.Max: empty list")
	}
	m := s[0]
	for _, v := range s[1:] {
		if v > m {
			m = v
		}
	}
	return m
}
func _gomatcalc_slices_Min[_gomatcalcE _gomatcalcOrdered](s []_gomatcalcE) _gomatcalcE {
	if len(s) == 0 {
		panic("slices.Min: empty list")
	}
	m := s[0]
	for _, v := range s[1:] {
		if v < m {
			m = v
		}
	}
	return m
}
func _gomatcalc_slices_Reverse[_gomatcalcE any](s []_gomatcalcE) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}
func _gomatcalc_slices_Equal[_gomatcalcE comparable](a, b []_gomatcalcE) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
func _gomatcalc_slices_Clone[_gomatcalcE any](s []_gomatcalcE) []_gomatcalcE {
	if s == nil {
		return nil
	}
	return append([]_gomatcalcE{}, s...)
}
func _gomatcalc_slices_Compact[_gomatcalcE comparable](s []_gomatcalcE) []_gomatcalcE {
	if len(s) < 2 {
		return s
	}
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
func _gomatcalc_slices_BinarySearch[_gomatcalcE _gomatcalcOrdered](s []_gomatcalcE, target _gomatcalcE) (int, bool) {
	lo, hi := 0, len(s)
	for lo < hi {
		mid := (lo + hi) / 2
		if s[mid] < target {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo, lo < len(s) && s[lo] == target
}
func _gomatcalc_slices_Insert[_gomatcalcE any](s []_gomatcalcE, i int, v ..._gomatcalcE) []_gomatcalcE {
	out := append([]_gomatcalcE{}, s[:i]...)
	out = append(out, v...)
	return append(out, s[i:]...)
}
func _gomatcalc_maps_Keys[_gomatcalcK comparable, _gomatcalcV any](m map[_gomatcalcK]_gomatcalcV) []_gomatcalcK {
	keys := make([]_gomatcalcK, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
func _gomatcalc_maps_Values[_gomatcalcK comparable, _gomatcalcV any](m map[_gomatcalcK]_gomatcalcV) []_gomatcalcV {
	values := make([]_gomatcalcV, 0, len(m))
	for _, v := range m {
		values = append(values, v)
	}
	return values
}
func _gomatcalc_maps_Clone[_gomatcalcK comparable, _gomatcalcV any](m map[_gomatcalcK]_gomatcalcV) map[_gomatcalcK]_gomatcalcV {
	if m == nil {
		return nil
	}
	c := make(map[_gomatcalcK]_gomatcalcV, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
func _gomatcalc_maps_Equal[_gomatcalcK, _gomatcalcV comparable](a, b map[_gomatcalcK]_gomatcalcV) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}
func _gomatcalc_maps_Copy[_gomatcalcK comparable, _gomatcalcV any](dst, src map[_gomatcalcK]_gomatcalcV) {
	for k, v := range src {
		dst[k] = v
	}
}
`

// edit replaces text[start:end] with repl.
type edit struct {
	start, end int
	repl       string
}

func applyEdits(text string, edits []edit) string {
	sort.Slice(edits, func(i, j int) bool { return edits[i].start > edits[j].start })
	for _, e := range edits {
		text = text[:e.start] + e.repl + text[e.end:]
	}
	return text
}

// parseChunk parses a chunk's text as Go and returns the file and the offset of the text
// in what was parsed.
func parseChunk(text string, kind chunkKind) (*ast.File, *token.FileSet, int) {
	prefix, suffix := declPrefix, ""
	if kind == stmtChunk {
		prefix, suffix = stmtPrefix, "\n}"
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", prefix+text+suffix, 0)
	if err != nil {
		return nil, nil, 0
	}
	return f, fset, len(prefix)
}

// rewriteCell makes goroutines safe and loop variables per iteration.
func rewriteCell(text string, kind chunkKind) string {
	f, fset, base := parseChunk(text, kind)
	if f == nil {
		return text
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset - base }
	src := func(n ast.Node) string { return text[off(n.Pos()):off(n.End())] }
	var edits []edit
	calls := 0
	// callThrough turns the go or defer statement stmt of call into a call of cellrt's
	// launch(fn, args...): { fnN := fn; cellrt.launch(fnN, args...) }. The arguments are
	// still evaluated at once. The function goes through a variable: yaegi mixes up the
	// captured variables of a function literal handed straight to compiled code from a loop.
	callThrough := func(stmt ast.Node, call *ast.CallExpr, launch string) {
		calls++
		fn := fmt.Sprintf("_gomatcalc%s%d", launch, calls)
		args := []string{fn}
		for _, a := range call.Args {
			args = append(args, src(a))
		}
		if call.Ellipsis.IsValid() {
			launch += "Spread"
		}
		edits = append(edits, edit{off(stmt.Pos()), off(call.Fun.Pos()), "{ " + fn + " := "},
			edit{off(call.Lparen), off(call.Rparen) + 1, "; " + runtimePkg + "." + launch + "(" + strings.Join(args, ", ") + ") }"})
	}
	inFunction := functionBodies(f, off)
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			// A panic in the goroutine no longer ends the process.
			callThrough(n, n.Call, "Go")
		case *ast.DeferStmt:
			// A defer at the cell's top level runs when the cell ends: yaegi alone ran it
			// again at the end of every later cell.
			if !inFunction(off(n.Pos())) {
				callThrough(n, n.Call, "Defer")
			}
		case *ast.FuncDecl:
			// Go dies of a stack overflow: functions that may recurse (that call themselves
			// or another function of the session) count their depth instead.
			// (A statement chunk is parsed inside func _() {...}, which is not the cell's.)
			if fd := n; n.Body != nil && off(n.Pos()) >= 0 && (callsItself(n) || callsFunctions(n.Body)) {
				at := off(n.Body.Lbrace) + 1
				edits = append(edits, edit{at, at, fmt.Sprintf(" %s.Enter(%q); defer %s.Leave();", runtimePkg, fd.Name.Name, runtimePkg)})
			}
		case *ast.FuncLit:
			// A function literal recurses through the variable it is stored in.
			if callsFunctions(n.Body) {
				at := off(n.Body.Lbrace) + 1
				edits = append(edits, edit{at, at, fmt.Sprintf(" %s.Enter(%q); defer %s.Leave();", runtimePkg, "a function literal", runtimePkg)})
			}
		case *ast.SelectorExpr:
			if pkg, ok := n.X.(*ast.Ident); ok && (pkg.Name == "slices" && slicesFuncs[n.Sel.Name] ||
				pkg.Name == "maps" && mapsFuncs[n.Sel.Name]) {
				edits = append(edits, edit{off(n.Pos()), off(n.End()), "_gomatcalc_" + pkg.Name + "_" + n.Sel.Name})
			}
		case *ast.CallExpr:
			// display.Value(v) and display.Show(v) render v in compiled code, which cannot
			// call the methods of a type defined in a cell: showFunc calls them first.
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && len(n.Args) == 1 && !n.Ellipsis.IsValid() {
				if pkg, ok := sel.X.(*ast.Ident); ok && pkg.Name == "display" && (sel.Sel.Name == "Value" || sel.Sel.Name == "Show") {
					arg := n.Args[0]
					edits = append(edits, edit{off(arg.Pos()), off(arg.Pos()), showFunc + "("}, edit{off(arg.End()), off(arg.End()), ")"})
				}
			}
			// make([]E, n) of more than the machine's memory would end the process: the
			// length (and capacity) are checked first.
			if id, ok := n.Fun.(*ast.Ident); ok && id.Name == "make" && len(n.Args) >= 2 {
				if at, ok := n.Args[0].(*ast.ArrayType); ok && at.Len == nil {
					for _, a := range n.Args[1:] {
						edits = append(edits, edit{off(a.Pos()), off(a.Pos()), runtimePkg + ".Len("},
							edit{off(a.End()), off(a.End()), ", *new(" + src(at.Elt) + "))"})
					}
				}
			}
			// yaegi cannot instantiate min or max from untyped float constants alone.
			if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "min" || id.Name == "max") {
				for _, a := range n.Args {
					if lit, ok := a.(*ast.BasicLit); ok && lit.Kind == token.FLOAT {
						edits = append(edits, edit{off(lit.Pos()), off(lit.End()), "float64(" + lit.Value + ")"})
					}
				}
			}
		case *ast.ForStmt:
			if init, ok := n.Init.(*ast.AssignStmt); ok && init.Tok == token.DEFINE {
				edits = append(edits, perIteration(identNames(init.Lhs), n.Body, off, n.Init, n.Cond, n.Post)...)
			}
		case *ast.RangeStmt:
			if n.Tok == token.DEFINE {
				edits = append(edits, perIteration(identNames([]ast.Expr{n.Key, n.Value}), n.Body, off, n.Key, n.Value)...)
			}
		}
		return true
	})
	if kind == stmtChunk {
		edits = append(edits, lineMarkers(f, fset, off)...)
		edits = append(edits, blocksInFuncs(f, off)...)
	}
	return applyEdits(text, edits)
}

// blocksInFuncs runs in a function literal, func() { ... }(), each top-level if, for,
// switch, select or block that defines several variables from one value (v, ok := m[k];
// n, err := f()): yaegi v0.16.1 compiles those wrongly outside a function ("undefined:
// v", "nil type", a nil dereference). The variables are the block's own, so nothing else
// changes; the cell's variables are still reached as before.
func blocksInFuncs(f *ast.File, off func(token.Pos) int) []edit {
	var edits []edit
	for _, st := range f.Decls[0].(*ast.FuncDecl).Body.List {
		inner := st
		if l, ok := st.(*ast.LabeledStmt); ok {
			inner = l.Stmt
		}
		switch inner.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.BlockStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt:
		default:
			continue
		}
		if definesSeveralFromOne(inner) {
			edits = append(edits, edit{off(st.Pos()), off(st.Pos()), "func() { "}, edit{off(st.End()), off(st.End()), " }()"})
		}
	}
	return edits
}

// definesSeveralFromOne reports whether n, outside function literals, has a statement
// a, b := x.
func definesSeveralFromOne(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			found = found || n.Tok == token.DEFINE && len(n.Lhs) > 1 && len(n.Rhs) == 1
		}
		return !found
	})
	return found
}

// lineMarkers records the line of each top-level statement as it starts (see cellrt.At),
// at the end of the line before it so that no column of the cell moves. The first line's
// marker is in chunk.source.
func lineMarkers(f *ast.File, fset *token.FileSet, off func(token.Pos) int) []edit {
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	var edits []edit
	for i := 1; i < len(body); i++ {
		line := fset.Position(body[i].Pos()).Line - 1 // the chunk's first line is line 2
		at := off(body[i-1].End())
		edits = append(edits, edit{at, at, fmt.Sprintf("; %s.At(%d)", runtimePkg, line)})
	}
	return edits
}

func identNames(exprs []ast.Expr) []string {
	var names []string
	for _, e := range exprs {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			names = append(names, id.Name)
		}
	}
	return names
}

// loopPrefix renames a loop's own variable so that its body can declare the user's name.
const loopPrefix = "_gomatcalcLoop_"

// perIteration gives a loop body its own copies of the loop variables, as Go 1.22 does,
// when something in the body can keep them (a closure, a goroutine, an address) and the
// body does not assign them (a copy would then hide the change from the loop). The loop
// header's variables are renamed and the body declares the user's names from them:
// yaegi mishandles a body that redeclares the loop variable under the same name.
func perIteration(names []string, body *ast.BlockStmt, off func(token.Pos) int, header ...ast.Node) []edit {
	if len(names) == 0 || !captures(body) || assigns(body, names) {
		return nil
	}
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	var edits []edit
	for _, h := range header {
		if h == nil || reflect.ValueOf(h).IsNil() {
			continue
		}
		ast.Inspect(h, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && set[id.Name] {
				edits = append(edits, edit{off(id.Pos()), off(id.End()), loopPrefix + id.Name})
			}
			return true
		})
	}
	outer := make([]string, len(names))
	for i, n := range names {
		outer[i] = loopPrefix + n
	}
	at := off(body.Lbrace) + 1
	copies := " " + strings.Join(names, ", ") + " := " + strings.Join(outer, ", ") + ";"
	return append(edits, edit{at, at, copies})
}

func captures(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit, *ast.GoStmt, *ast.DeferStmt:
			found = true
		}
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.AND {
			found = true
		}
		return !found
	})
	return found
}

func assigns(body *ast.BlockStmt, names []string) bool {
	set := map[string]bool{}
	for _, n := range names {
		set[n] = true
	}
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if n.Tok != token.DEFINE {
				for _, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok && set[id.Name] {
						found = true
					}
				}
			}
		case *ast.IncDecStmt:
			if id, ok := n.X.(*ast.Ident); ok && set[id.Name] {
				found = true
			}
		}
		return !found
	})
	return found
}

// rangeOverInts rewrites `range n` to range over intsFunc(n) wherever the range has at most
// one variable and n is not obviously something else (a composite literal, a string, a
// call to make). It is tried only when yaegi failed on the cell as written, so a wrong
// guess costs nothing: the rewritten cell fails to compile and the first error stands.
//
// With asInt, n is converted to int first: yaegi cannot instantiate a generic function
// from an untyped constant (range 10), while a typed integer keeps its type that way.
func rangeOverInts(text string, kind chunkKind, asInt bool) string {
	f, fset, base := parseChunk(text, kind)
	if f == nil {
		return text
	}
	off := func(p token.Pos) int { return fset.Position(p).Offset - base }
	var edits []edit
	ast.Inspect(f, func(n ast.Node) bool {
		r, ok := n.(*ast.RangeStmt)
		if !ok || r.Value != nil {
			return true
		}
		switch x := r.X.(type) {
		case *ast.CompositeLit:
			return true
		case *ast.BasicLit:
			if x.Kind != token.INT {
				return true
			}
		case *ast.CallExpr:
			if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "make" {
				return true
			}
		}
		open, closing := intsFunc+"(", ")"
		if asInt {
			open, closing = intsFunc+"(int(", "))"
		}
		edits = append(edits, edit{off(r.X.Pos()), off(r.X.Pos()), open},
			edit{off(r.X.End()), off(r.X.End()), closing})
		if r.Key != nil {
			// The integers are the slice's values, of n's type, not its indexes.
			edits = append(edits, edit{off(r.Key.Pos()), off(r.Key.Pos()), "_, "})
		}
		return true
	})
	return applyEdits(text, edits)
}

// functionBodies reports whether an offset of the chunk is inside one of its functions
// (not the func _() a statement chunk is parsed in).
func functionBodies(f *ast.File, off func(token.Pos) int) func(int) bool {
	type span struct{ start, end int }
	var bodies []span
	ast.Inspect(f, func(n ast.Node) bool {
		var body *ast.BlockStmt
		switch n := n.(type) {
		case *ast.FuncLit:
			body = n.Body
		case *ast.FuncDecl:
			if off(n.Pos()) >= 0 {
				body = n.Body
			}
		}
		if body != nil {
			bodies = append(bodies, span{off(body.Pos()), off(body.End())})
			return false // nested functions are inside this one
		}
		return true
	})
	return func(at int) bool {
		for _, b := range bodies {
			if b.start <= at && at < b.end {
				return true
			}
		}
		return false
	}
}

// callsItself reports whether a function's body calls the function by its name (a
// method: any method of that name).
// notCalls are the names a call can use that never run a function of the session:
// builtins and conversions to predeclared types.
var notCalls = map[string]bool{
	"append": true, "cap": true, "clear": true, "close": true, "complex": true, "copy": true,
	"delete": true, "imag": true, "len": true, "make": true, "max": true, "min": true,
	"new": true, "panic": true, "print": true, "println": true, "real": true, "recover": true,
	"bool": true, "byte": true, "complex64": true, "complex128": true, "error": true,
	"float32": true, "float64": true, "int": true, "int8": true, "int16": true, "int32": true,
	"int64": true, "rune": true, "string": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true, "any": true,
}

// callsFunctions reports whether body calls a function by a plain name (not a package's
// function): one of the session's, or a func variable, through which recursion can run.
func callsFunctions(body *ast.BlockStmt) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if id, ok := call.Fun.(*ast.Ident); ok && !notCalls[id.Name] && !strings.HasPrefix(id.Name, "_gomatcalc") {
				found = true
			}
		}
		return !found
	})
	return found
}

func callsItself(fd *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				found = found || fd.Recv == nil && fun.Name == fd.Name.Name
			case *ast.SelectorExpr:
				found = found || fd.Recv != nil && fun.Sel.Name == fd.Name.Name
			}
		}
		return !found
	})
	return found
}
