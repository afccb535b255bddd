package engine

import (
	"fmt"
	"go/ast"
	"io"
	"math"
	"reflect"
	"strings"

	"golang.org/x/tools/go/ast/astutil"
)

// Workaround (yaegi v0.16.1): the builtins print and println write to the interpreter's
// stdout and format as fmt does; Go writes them to stderr, floats as +1.500000e+000.
// BuiltinPrints points the calls at the engine's own, which do as Go does.

// BuiltinPrints rewrites the calls of print and println.
func BuiltinPrints(n ast.Node) {
	astutil.Apply(n, func(c *astutil.Cursor) bool {
		call, ok := c.Node().(*ast.CallExpr)
		if !ok {
			return true
		}
		if id, ok := call.Fun.(*ast.Ident); ok && (id.Name == "print" || id.Name == "println") && id.Obj == nil {
			name := "Print"
			if id.Name == "println" {
				name = "Println"
			}
			call.Fun = &ast.SelectorExpr{X: &ast.Ident{NamePos: id.Pos(), Name: enginePkg}, Sel: &ast.Ident{NamePos: id.Pos(), Name: name}}
		}
		return true
	}, nil)
}

// enginePkg is the name cells and the prelude see the engine's compiled helpers by.
const enginePkg = "_gomatcalcengine"

// builtinPrint writes args as Go's print does: println separates them with spaces and
// ends the line.
func builtinPrint(w io.Writer, line bool, args []any) {
	var b strings.Builder
	for i, a := range args {
		if line && i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(builtinFormat(a))
	}
	if line {
		b.WriteByte('\n')
	}
	io.WriteString(w, b.String())
}

// builtinFormat is how the runtime prints one value (by its dynamic type: the static type
// is gone by now).
func builtinFormat(a any) string {
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Invalid:
		return "nil"
	case reflect.Bool:
		return fmt.Sprint(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprint(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fmt.Sprint(v.Uint())
	case reflect.Float32, reflect.Float64:
		return runtimeFloat(v.Float())
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return "(" + runtimeFloat(real(c)) + runtimeFloat(imag(c)) + "i)"
	case reflect.String:
		return v.String()
	case reflect.Slice:
		return fmt.Sprintf("[%d/%d]%#x", v.Len(), v.Cap(), v.Pointer())
	case reflect.Ptr, reflect.Chan, reflect.Map, reflect.Func, reflect.UnsafePointer:
		return fmt.Sprintf("%#x", v.Pointer())
	}
	return fmt.Sprint(a)
}

// runtimeFloat formats f as the runtime's printfloat: +d.dddddde±ddd.
func runtimeFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	s := fmt.Sprintf("%+.6e", f) // +1.500000e+00
	mant, exp, _ := strings.Cut(s, "e")
	sign, digits := exp[:1], exp[1:]
	for len(digits) < 3 {
		digits = "0" + digits
	}
	return mant + "e" + sign + digits
}
