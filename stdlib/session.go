package stdlib

import (
	"context"
	"reflect"

	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
	"github.com/gomatcalc/gomatcalc/stdlib/display"
	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// The keys of the tables SessionSymbols overrides.
const (
	displayPath = "github.com/gomatcalc/gomatcalc/stdlib/display/display"
	cellrtPath  = "github.com/gomatcalc/gomatcalc/stdlib/cellrt/cellrt"
	matcalcPath = "github.com/gomatcalc/gomatcalc/stdlib/matcalc/matcalc"
)

// sessionOnly are the methods of cellrt.Runtime that the session calls and cells do not.
var sessionOnly = map[string]bool{"Reset": true, "RunDeferred": true, "Pending": true, "DeferredPanic": true}

// SessionSymbols returns the symbols that make one session's cells use its own run-time
// state, shaped as yaegi's Exports (import path/name -> symbol -> value) and meant to be
// loaded after Symbols:
//
//   - each function of package display that d has a method of the same name for (HTML,
//     Value, SetPrecision, Render, ...) is that method of d: its publisher and settings;
//   - each exported method of rt, but those only the session calls (Reset,
//     RunDeferred, Pending, DeferredPanic), is a function of package cellrt (Overflowing, Defer, Shown, ...), which
//     has no package-level functions that keep state;
//   - each function of package matcalc whose last parameter is ...matcalc.Option is
//     wrapped to add matcalc.WithContext(ctx) to its options, so that its loops stop
//     when ctx is done (a result's methods keep the context of the call that made it).
func SessionSymbols(rt *cellrt.Runtime, d *display.Display, ctx context.Context) map[string]map[string]reflect.Value {
	return map[string]map[string]reflect.Value{
		displayPath: sameNamedMethods(Symbols[displayPath], reflect.ValueOf(d)),
		cellrtPath:  runtimeMethods(reflect.ValueOf(rt)),
		matcalcPath: withContext(Symbols[matcalcPath], ctx),
	}
}

// sameNamedMethods returns, for each function in table, recv's method of that name when
// it has one.
func sameNamedMethods(table map[string]reflect.Value, recv reflect.Value) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	for name, v := range table {
		if v.Kind() != reflect.Func {
			continue // a type, a constant or a variable
		}
		if m := recv.MethodByName(name); m.IsValid() {
			out[name] = m
		}
	}
	return out
}

// runtimeMethods returns the exported methods of rt that cells call, by name.
func runtimeMethods(rt reflect.Value) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	for i := 0; i < rt.NumMethod(); i++ {
		if name := rt.Type().Method(i).Name; !sessionOnly[name] {
			out[name] = rt.Method(i)
		}
	}
	return out
}

// withContext returns each function in table that takes ...matcalc.Option last, wrapped to
// pass matcalc.WithContext(ctx) after the caller's options.
func withContext(table map[string]reflect.Value, ctx context.Context) map[string]reflect.Value {
	option := reflect.ValueOf(matcalc.WithContext(ctx))
	out := map[string]reflect.Value{}
	for name, f := range table {
		if f.Kind() != reflect.Func || !takesOptions(f.Type()) {
			continue
		}
		t := f.Type()
		out[name] = reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
			last := len(args) - 1
			// A copy: appending to the caller's slice could write into its spare capacity.
			opts := reflect.MakeSlice(t.In(last), 0, args[last].Len()+1)
			opts = reflect.Append(reflect.AppendSlice(opts, args[last]), option)
			args[last] = opts
			return f.CallSlice(args)
		})
	}
	return out
}

// takesOptions reports whether a function of type t has ...matcalc.Option as its last
// parameter.
func takesOptions(t reflect.Type) bool {
	return t.IsVariadic() && t.In(t.NumIn()-1).Elem() == reflect.TypeFor[matcalc.Option]()
}
