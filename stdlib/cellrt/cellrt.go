// Package cellrt is run-time support for notebook cells: what the session rewrites a cell
// to call where yaegi alone would fail. Cells do not import it by name.
package cellrt

import (
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
)

// Go calls f with args on a new goroutine, as the statement `go f(args...)` does (the
// arguments are evaluated by the caller), but a panic there is reported on standard error
// instead of ending the process: a goroutine started by a cell must not kill the kernel.
func Go(f any, args ...any) {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func {
		panic(fmt.Sprintf("go: %T is not a function", f))
	}
	in := arguments(fv.Type(), args)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				fmt.Fprintf(os.Stderr, "panic in a goroutine (recovered, the session goes on): %v\n", r)
				if os.Getenv("GOMATCALC_DEBUG") != "" {
					os.Stderr.Write(debug.Stack())
				}
			}
		}()
		if fv.Type().IsVariadic() {
			fv.CallSlice(in)
			return
		}
		fv.Call(in)
	}()
}

// arguments converts args to the parameter types of t: an untyped constant argument
// arrives as its default type (1 as int for a float64 parameter).
func arguments(t reflect.Type, args []any) []reflect.Value {
	n := t.NumIn()
	if t.IsVariadic() {
		// Collect the trailing arguments into the variadic slice.
		fixed := n - 1
		in := make([]reflect.Value, 0, n)
		for i := 0; i < fixed && i < len(args); i++ {
			in = append(in, convert(args[i], t.In(i)))
		}
		elem := t.In(fixed).Elem()
		rest := reflect.MakeSlice(t.In(fixed), 0, len(args)-fixed)
		for i := fixed; i < len(args); i++ {
			rest = reflect.Append(rest, convert(args[i], elem))
		}
		return append(in, rest)
	}
	if len(args) != n {
		panic(fmt.Sprintf("go: %d arguments for a function of %d parameters", len(args), n))
	}
	in := make([]reflect.Value, n)
	for i, a := range args {
		in[i] = convert(a, t.In(i))
	}
	return in
}

func convert(a any, t reflect.Type) reflect.Value {
	if a == nil {
		return reflect.Zero(t)
	}
	v := reflect.ValueOf(a)
	if !v.Type().AssignableTo(t) && v.Type().ConvertibleTo(t) {
		return v.Convert(t)
	}
	return v
}

// Clear is Go 1.21's clear builtin: it deletes every entry of a map and sets every
// element of a slice to its zero value.
func Clear(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice:
		rv.Clear()
	default:
		panic(fmt.Sprintf("invalid argument: clear(%T): argument must be a map or a slice", v))
	}
}
