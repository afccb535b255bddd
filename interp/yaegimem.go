package interp

import (
	"go/token"
	"reflect"
	"strings"
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

// fileSet is yaegi's private token.FileSet, which keeps every source it has parsed, or
// nil if yaegi no longer has one by that name.
func fileSet(i *interp.Interpreter) *token.FileSet {
	f := reflect.ValueOf(i).Elem().FieldByName("fset")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*token.FileSet)(nil)) {
		return nil
	}
	return *(**token.FileSet)(unsafe.Pointer(f.UnsafeAddr()))
}

// forgetFiles removes from fset the files of base and after (what one evaluation added)
// when src can have left nothing behind that reports a position later: no function, and
// so no closure or goroutine, comes from it.
func forgetFiles(fset *token.FileSet, base int, src string) {
	if fset == nil || strings.Contains(src, "func") {
		return
	}
	var added []*token.File
	fset.Iterate(func(f *token.File) bool {
		if f.Base() >= base {
			added = append(added, f)
		}
		return true
	})
	for _, f := range added {
		fset.RemoveFile(f)
	}
}
