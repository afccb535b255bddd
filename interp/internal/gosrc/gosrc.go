// Package gosrc prints and copies syntax trees: Go source for the tests that compare what
// a pass made with what it should make, and deep copies for passes that use a piece of a
// tree twice.
package gosrc

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"reflect"
)

// Print is gofmt's text of a node.
func Print(fset *token.FileSet, n any) (string, error) {
	var b bytes.Buffer
	if err := format.Node(&b, fset, n); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Canonical is src's tree as gofmt prints it with no positions: the layout of the text
// is gone, its meaning is not.
func Canonical(src string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	return Print(token.NewFileSet(), f)
}

// Clone is a deep copy of a syntax tree, positions kept, without the parser's objects.
func Clone(n ast.Node) ast.Node {
	return cloneValue(reflect.ValueOf(n)).Interface().(ast.Node)
}

var objectType = reflect.TypeOf((*ast.Object)(nil))

func cloneValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || v.Type() == objectType {
			return reflect.Zero(v.Type())
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(cloneValue(v.Elem()))
		return p
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(cloneValue(v.Elem()))
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(cloneValue(v.Index(i)))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			out.Field(i).Set(cloneValue(v.Field(i)))
		}
		return out
	}
	return v
}

var (
	posType     = reflect.TypeOf(token.NoPos)
	genDeclType = reflect.TypeOf(ast.GenDecl{})
)

// FillPositions gives every position of n that is not set the nearest set one before
// it (at, for those before any): yaegi finds a node's file, and through it the file's
// imports, by the node's position, so made nodes need one. Positions whose being set
// means something are left as they are: a call's Ellipsis (f(xs...)) and a
// declaration's parentheses (var (...)).
func FillPositions(n ast.Node, at token.Pos) {
	fillValue(reflect.ValueOf(n), &at)
}

func fillValue(v reflect.Value, at *token.Pos) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() && v.Type() != objectType {
			fillValue(v.Elem(), at)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			fillValue(v.Index(i), at)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if name := v.Type().Field(i).Name; name == "Ellipsis" || v.Type() == genDeclType && (name == "Lparen" || name == "Rparen") {
				continue
			}
			if f.Type() != posType {
				fillValue(f, at)
				continue
			}
			if p := token.Pos(f.Int()); p.IsValid() {
				*at = p
			} else if f.CanSet() {
				f.SetInt(int64(*at))
			}
		}
	}
}
