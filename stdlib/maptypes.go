package stdlib

import (
	"reflect"

	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
)

// MapTypes tells yaegi which interface to wrap a cell's value in when it is passed to
// each of cellrt's XxxOf functions (see cellrt.Shown); the session loads it with
// interp.Exports{".": {"MapTypes": ...}}.
var MapTypes = map[reflect.Value][]reflect.Type{
	reflect.ValueOf(cellrt.StringOf):   {typeOf[cellrt.Stringer]()},
	reflect.ValueOf(cellrt.ErrorOf):    {typeOf[cellrt.Errorer]()},
	reflect.ValueOf(cellrt.HTMLOf):     {typeOf[cellrt.HTMLer]()},
	reflect.ValueOf(cellrt.MarkdownOf): {typeOf[cellrt.Markdowner]()},
	reflect.ValueOf(cellrt.LaTeXOf):    {typeOf[cellrt.LaTeXer]()},
	reflect.ValueOf(cellrt.SVGOf):      {typeOf[cellrt.SVGer]()},
	reflect.ValueOf(cellrt.PNGOf):      {typeOf[cellrt.PNGer]()},
	reflect.ValueOf(cellrt.JPEGOf):     {typeOf[cellrt.JPEGer]()},
	reflect.ValueOf(cellrt.JSONOf):     {typeOf[cellrt.JSONer]()},
}

func typeOf[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }
