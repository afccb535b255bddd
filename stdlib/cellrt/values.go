package cellrt

import (
	"reflect"

	"github.com/gomatcalc/gomatcalc/stdlib/display"
)

// Values returns its arguments. The session passes a cell's last expression through it:
// yaegi hands a compiled function the plain Go value of a type defined in a cell, where
// an interpreted function would return yaegi's own wrapper of it.
func Values(v ...any) []any { return v }

// Compiled code cannot call the methods of a type defined in a cell. yaegi can: passing
// such a value to one of the XxxOf functions below, whose parameter is registered with
// the matching interface in MapTypes (package stdlib), wraps it in an implementation of
// that interface. The session's _gomatcalcShow calls each of them and Shown puts the
// results together.

// Stringer and the interfaces below are the methods a value renders through.
type (
	Stringer   interface{ String() string }
	Errorer    interface{ Error() string }
	HTMLer     interface{ HTML() string }
	Markdowner interface{ Markdown() string }
	LaTeXer    interface{ LaTeX() string }
	SVGer      interface{ SVG() string }
	PNGer      interface{ PNG() []byte }
	JPEGer     interface{ JPEG() []byte }
	JSONer     interface{ JSON() any }
)

// fromCell reports whether v is yaegi's wrapper of a cell's value: a struct whose first
// field is the value (IValue) and whose other fields are the methods.
func fromCell(v any) bool {
	t := reflect.TypeOf(v)
	return t != nil && t.Kind() == reflect.Struct && t.NumField() > 0 && t.Field(0).Name == "IValue"
}

// methodOf calls method when v is a cell's value wrapped in I, catching a panic.
func methodOf[I any](v any, method func(I) any) (result any) {
	r, ok := v.(I)
	if !ok || !fromCell(v) {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			result = &display.MethodPanic{Value: p}
		}
	}()
	return method(r)
}

// StringOf returns v.String() for a cell's value with that method, else nil.
func StringOf(v any) any { return methodOf(v, func(r Stringer) any { return r.String() }) }

// ErrorOf returns v.Error() for a cell's value with that method, else nil.
func ErrorOf(v any) any { return methodOf(v, func(r Errorer) any { return r.Error() }) }

// HTMLOf returns v.HTML() for a cell's value with that method, else nil.
func HTMLOf(v any) any { return methodOf(v, func(r HTMLer) any { return r.HTML() }) }

// MarkdownOf returns v.Markdown() for a cell's value with that method, else nil.
func MarkdownOf(v any) any { return methodOf(v, func(r Markdowner) any { return r.Markdown() }) }

// LaTeXOf returns v.LaTeX() for a cell's value with that method, else nil.
func LaTeXOf(v any) any { return methodOf(v, func(r LaTeXer) any { return r.LaTeX() }) }

// SVGOf returns v.SVG() for a cell's value with that method, else nil.
func SVGOf(v any) any { return methodOf(v, func(r SVGer) any { return r.SVG() }) }

// PNGOf returns v.PNG() for a cell's value with that method, else nil.
func PNGOf(v any) any { return methodOf(v, func(r PNGer) any { return r.PNG() }) }

// JPEGOf returns v.JPEG() for a cell's value with that method, else nil.
func JPEGOf(v any) any { return methodOf(v, func(r JPEGer) any { return r.JPEG() }) }

// JSONOf returns v.JSON() for a cell's value with that method, else nil.
func JSONOf(v any) any { return methodOf(v, func(r JSONer) any { return r.JSON() }) }

// Shown is v with the results of its methods (from the XxxOf functions, in the order
// String, Error, HTML, Markdown, LaTeX, SVG, PNG, JPEG, JSON) rendered into a
// display.Bundle with the session's display settings, or v itself when it has none of
// them (compiled values render later).
func (rt *Runtime) Shown(v any, results ...any) any {
	names := []string{"String", "Error", "HTML", "Markdown", "LaTeX", "SVG", "PNG", "JPEG", "JSON"}
	found := map[string]any{}
	for i, r := range results {
		if r != nil && i < len(names) {
			found[names[i]] = r
		}
	}
	if len(found) == 0 {
		return v
	}
	return display.Bundle(rt.display.RenderResults(v, found))
}
