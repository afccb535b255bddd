package matcalc

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Typed forms of the calls that return any: course code needs no type assertions, and a
// wrong kind says which form fits.

// ApplyFloat is Apply for an f that returns a float64.
func (l *Linear) ApplyFloat(dx any) float64 {
	l.fn.wantOut("ApplyFloat", scalarKind)
	return l.Apply(dx).(float64)
}

// ApplySlice is Apply for an f that returns a []float64.
func (l *Linear) ApplySlice(dx any) []float64 {
	l.fn.wantOut("ApplySlice", sliceKind)
	return l.Apply(dx).([]float64)
}

// ApplyVec is Apply for an f that returns a *mat.VecDense.
func (l *Linear) ApplyVec(dx any) *mat.VecDense {
	l.fn.wantOut("ApplyVec", vectorKind)
	return l.Apply(dx).(*mat.VecDense)
}

// ApplyDense is Apply for an f that returns a *mat.Dense.
func (l *Linear) ApplyDense(dx any) *mat.Dense {
	l.fn.wantOut("ApplyDense", matrixKind)
	return l.Apply(dx).(*mat.Dense)
}

// ApplyFloat is Apply for a form with float64 values: a second derivative of a scalar f,
// or a form built from a matrix or a func.
func (b *Bilinear) ApplyFloat(u, v any) float64 {
	if b.out.kind != scalarKind {
		panic(fmt.Sprintf("matcalc: ApplyFloat: the form's values are %v; use Apply(u, v).(%s)", b.out, goType(b.out.kind)))
	}
	return b.Apply(u, v).(float64)
}

// ApplyDense is Apply for a second derivative of an f that returns a *mat.Dense.
func (b *Bilinear) ApplyDense(u, v any) *mat.Dense {
	if b.out.kind != matrixKind {
		panic(fmt.Sprintf("matcalc: ApplyDense: the form's values are %v; use Apply(u, v).(%s)", b.out, goType(b.out.kind)))
	}
	return b.Apply(u, v).(*mat.Dense)
}

// Derivative returns f'(x) of f: R → R, a float64.
func Derivative(f any, x float64, opts ...Option) float64 {
	l := newLinear("Derivative", f, x, opts)
	return l.ApplyFloat(1.0)
}

// GradientSlice is Gradient at a point x of kind []float64.
func GradientSlice(f any, x []float64, opts ...Option) []float64 {
	g, _ := gradient("GradientSlice", f, x, opts)
	return g.([]float64)
}

// GradientVec is Gradient at a point x of kind *mat.VecDense.
func GradientVec(f any, x *mat.VecDense, opts ...Option) *mat.VecDense {
	g, _ := gradient("GradientVec", f, x, opts)
	return g.(*mat.VecDense)
}

// GradientDense is Gradient at a point x of kind *mat.Dense.
func GradientDense(f any, x *mat.Dense, opts ...Option) *mat.Dense {
	g, _ := gradient("GradientDense", f, x, opts)
	return g.(*mat.Dense)
}

// wantOut panics, naming the form that fits, unless f returns points of kind want.
func (fn *function) wantOut(method string, want kind) {
	if fn.out.kind != want {
		panic(fmt.Sprintf("matcalc: %s: f returns %v; use %s (or Apply(dx).(%s))", method, fn.out, applyMethod(fn.out.kind), goType(fn.out.kind)))
	}
}

func applyMethod(k kind) string {
	return [...]string{scalarKind: "ApplyFloat", sliceKind: "ApplySlice", vectorKind: "ApplyVec", matrixKind: "ApplyDense"}[k]
}

func goType(k kind) string {
	return [...]string{scalarKind: "float64", sliceKind: "[]float64", vectorKind: "*mat.VecDense", matrixKind: "*mat.Dense"}[k]
}
