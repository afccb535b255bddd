package interp

import (
	"reflect"
	"unsafe"

	"github.com/traefik/yaegi/interp"
)

// forgetSyntaxTrees drops the syntax trees that yaegi v0.16.1 keeps of every source it
// has evaluated (Interpreter.roots, read only by its debugger, which the session never
// starts). Kept, they cost a session several KiB for every cell it ever ran. Nothing else
// refers to the list: what a cell defined stays reachable from yaegi's scopes. It reports
// whether yaegi still has the field (a test checks it).
func forgetSyntaxTrees(i *interp.Interpreter) bool {
	f := reflect.ValueOf(i).Elem().FieldByName("roots")
	if !f.IsValid() || f.Kind() != reflect.Slice {
		return false
	}
	// The field is unexported: set it through its address.
	f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	f.Set(reflect.Zero(f.Type()))
	return true
}
