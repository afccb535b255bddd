package forward

import (
	"fmt"
	"go/ast"
	"go/token"
)

// Kind is what a value carries of the derivative.
type Kind int

const (
	// Inactive values carry none: ints, bools, strings, slices of them.
	Inactive Kind = iota
	// Unknown values have a type the syntax does not give (globals, results of unknown
	// calls): they are constants, and may not receive a value that depends on x.
	Unknown
	// UntypedInt and UntypedFloat are constants without a type yet (2, 0.5, math.Pi).
	UntypedInt
	UntypedFloat
	// Float is a float64.
	Float
	// Floats is a slice or array of float64, or of such slices and arrays.
	Floats
	// Mat is one of gonum's matrices, vectors or factorizations (Type.Gonum says which).
	Mat
)

// Type is a value's kind and, for Float and Floats, its Go type; for Mat, the name of
// its gonum type ("Dense", "*Dense", "Matrix", ...).
type Type struct {
	Kind  Kind
	Expr  ast.Expr
	Gonum string
}

// Active reports whether values of t carry a derivative.
func (t Type) Active() bool { return t.Kind == Float || t.Kind == Floats || t.Kind == Mat }

// Func is what a caller of a tangent needs to know of a function.
type Func struct {
	Params  []Type
	Results []Type
	Tangent string        // the tangent's name
	Sig     *ast.FuncType // the tangent's type
}

// ActiveParams reports whether a parameter of the function carries a derivative: only
// such functions get tangents.
func (f *Func) ActiveParams() bool {
	for _, p := range f.Params {
		if p.Active() {
			return true
		}
	}
	return false
}

// Unsupported says why a function has no tangent, and where.
type Unsupported struct {
	Pos token.Pos
	Why string
}

func (u *Unsupported) Error() string { return u.Why }

// gonumTypes are the types of package mat whose derivatives package tangent has, by
// how cells write them, with the name of the derivative's type.
var gonumTypes = map[string]string{
	"Dense": "Dense", "*Dense": "*Dense", "VecDense": "VecDense", "*VecDense": "*VecDense",
	"Matrix": "Matrix", "Vector": "Vector", "Symmetric": "Matrix", "*SymDense": "*Dense", "EigenSym": "EigenSym",
}

// classify reads a type expression: float64, []float64, [3][]float64 and gonum's
// matrices and vectors are active; the basic types other than floats, and slices and
// arrays of them, are inactive; anything else (structs, maps, pointers, named types) is
// unsupported. mat is the name of package mat in the cell.
func classify(e ast.Expr, mat string) (Type, error) {
	if name := gonumName(e, mat); gonumTypes[name] != "" {
		return Type{Kind: Mat, Expr: e, Gonum: name}, nil
	}
	switch t := e.(type) {
	case *ast.Ident:
		switch t.Name {
		case "float64":
			return Type{Kind: Float, Expr: t}, nil
		case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "uintptr",
			"byte", "rune", "bool", "string":
			return Type{Kind: Inactive}, nil
		}
	case *ast.ParenExpr:
		return classify(t.X, mat)
	case *ast.ArrayType:
		if t.Len != nil {
			if _, ok := t.Len.(*ast.Ellipsis); ok {
				break
			}
		}
		elem, err := classify(t.Elt, mat)
		if err != nil {
			return Type{}, err
		}
		if elem.Active() {
			return Type{Kind: Floats, Expr: t}, nil
		}
		return Type{Kind: Inactive}, nil
	}
	return Type{}, &Unsupported{Pos: e.Pos(), Why: fmt.Sprintf("has a value of type %s, which forward mode does not take yet", typeText(e))}
}

// gonumName is "Dense" for mat.Dense, "*Dense" for *mat.Dense, "" for another type.
func gonumName(e ast.Expr, mat string) string {
	star := ""
	if s, ok := e.(*ast.StarExpr); ok {
		star, e = "*", s.X
	}
	sel, ok := e.(*ast.SelectorExpr)
	if !ok || mat == "" {
		return ""
	}
	if id, ok := sel.X.(*ast.Ident); !ok || id.Name != mat {
		return ""
	}
	return star + sel.Sel.Name
}

// elem is the type of an element of t, a Floats.
func elem(t Type) Type {
	a := t.Expr.(*ast.ArrayType)
	if id, ok := a.Elt.(*ast.Ident); ok && id.Name == "float64" {
		return Type{Kind: Float, Expr: id}
	}
	return Type{Kind: Floats, Expr: a.Elt}
}

// combine is the type of x op y for an arithmetic op, as Go's untyped constants work.
func combine(x, y Type) Type {
	switch {
	case x.Kind == Float || x.Kind == Floats:
		return x
	case y.Kind == Float || y.Kind == Floats:
		return y
	case x.Kind == Inactive || y.Kind == Inactive:
		return Type{Kind: Inactive}
	case x.Kind == Unknown || y.Kind == Unknown:
		return Type{Kind: Unknown}
	case x.Kind == UntypedFloat || y.Kind == UntypedFloat:
		return Type{Kind: UntypedFloat}
	}
	return Type{Kind: UntypedInt}
}

// typeText is a short text of a type expression for messages.
func typeText(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return "*" + typeText(t.X)
	case *ast.SelectorExpr:
		return typeText(t.X) + "." + t.Sel.Name
	case *ast.ArrayType:
		if t.Len == nil {
			return "[]" + typeText(t.Elt)
		}
		return "[...]" + typeText(t.Elt)
	case *ast.MapType:
		return "map[" + typeText(t.Key) + "]" + typeText(t.Value)
	case *ast.FuncType:
		return "func"
	case *ast.StructType:
		return "struct"
	case *ast.InterfaceType:
		return "interface"
	}
	return "that type"
}
