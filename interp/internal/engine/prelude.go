package engine

import (
	"fmt"
	"go/ast"
	"go/parser"
	"reflect"
	"sort"

	"golang.org/x/tools/go/ast/astutil"
)

// Workaround (yaegi v0.16.1): yaegi lacks the builtins min, max and clear (Go 1.21), and
// cannot instantiate the functions of packages slices and maps (their constraints are of
// the form S ~[]E). The prelude defines them in interpreted Go, and GenericStdlib points
// calls of slices.F and maps.F there. maps.Keys and maps.Values return slices, as
// golang.org/x/exp/maps did: yaegi has no range over functions for Go 1.23's iterators.

// preludeSource is compiled into every engine before the first cell.
const preludeSource = `package main

import _gomatcalcengine "gomatcalc/engine"

type _gomatcalcOrdered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
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
func clear(v interface{}) { _gomatcalcengine.Clear(v) }

func _gomatcalc_slices_Sort[_gomatcalcE _gomatcalcOrdered](s []_gomatcalcE) {
	_gomatcalcengine.SortSlice(s, func(i, j int) bool { return s[i] < s[j] }, false)
}
func _gomatcalc_slices_SortFunc[_gomatcalcE any](s []_gomatcalcE, cmp func(a, b _gomatcalcE) int) {
	_gomatcalcengine.SortSlice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 }, false)
}
func _gomatcalc_slices_SortStableFunc[_gomatcalcE any](s []_gomatcalcE, cmp func(a, b _gomatcalcE) int) {
	_gomatcalcengine.SortSlice(s, func(i, j int) bool { return cmp(s[i], s[j]) < 0 }, true)
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

var (
	slicesFuncs = map[string]bool{"Sort": true, "SortFunc": true, "SortStableFunc": true,
		"IsSorted": true, "Max": true, "Min": true, "Reverse": true, "Equal": true,
		"Clone": true, "Compact": true, "BinarySearch": true, "Insert": true, "Sorted": true}
	mapsFuncs = map[string]bool{"Keys": true, "Values": true, "Clone": true, "Equal": true, "Copy": true}
)

// symbols are the engine's compiled helpers, which the prelude imports, and its
// replacements of standard symbols.
func (e *Engine) symbols() map[string]map[string]reflect.Value {
	return map[string]map[string]reflect.Value{
		"gomatcalc/engine/engine": {
			"Clear":     reflect.ValueOf(clearValue),
			"SortSlice": reflect.ValueOf(sortSlice),
			"Print":     reflect.ValueOf(func(args ...any) { builtinPrint(e.frames, false, args) }),
			"Println":   reflect.ValueOf(func(args ...any) { builtinPrint(e.frames, true, args) }),
		},
		"os/os": {"Exit": reflect.ValueOf(e.exit)},
	}
}

// clearValue is Go 1.21's clear: it deletes every entry of a map and sets every element
// of a slice to its zero value.
func clearValue(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice:
		rv.Clear()
	default:
		panic(fmt.Sprintf("invalid argument: clear(%T): argument must be a map or a slice", v))
	}
}

// sortSlice sorts s (a slice) by less, stably if asked.
func sortSlice(s any, less func(i, j int) bool, stable bool) {
	if stable {
		sort.SliceStable(s, less)
		return
	}
	sort.Slice(s, less)
}

// compilePrelude compiles and runs the prelude.
func (e *Engine) compilePrelude() error {
	f, err := parser.ParseFile(e.FileSet(), FileName, preludeSource, 0)
	if err != nil {
		return err
	}
	p, err := e.Compile(f)
	if err != nil {
		return err
	}
	_, err = e.yaegi.Execute(p.prog)
	e.finished(p, false)
	e.sweep()
	return err
}

// GenericStdlib points calls of the functions of slices and maps that yaegi cannot
// instantiate to the prelude's. path maps a package name of the cell to its import path.
func GenericStdlib(n ast.Node, path func(name string) string) {
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		sel, ok := c.Node().(*ast.SelectorExpr)
		if !ok {
			return true
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok {
			return true
		}
		switch p := path(pkg.Name); {
		case p == "slices" && slicesFuncs[sel.Sel.Name], p == "maps" && mapsFuncs[sel.Sel.Name]:
			c.Replace(&ast.Ident{NamePos: sel.Pos(), Name: "_gomatcalc_" + p + "_" + sel.Sel.Name})
		}
		return true
	}, nil)
}
