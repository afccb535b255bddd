package matcalc

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Linear is a derivative f'(x): the linear operator that takes a direction dx at x to the
// change f'(x)[dx] of f, to first order.
type Linear struct {
	fn *function
	x  []float64
	// Err is the error estimate of the last Apply or Matrix, in the max norm.
	Err    float64
	jac    *mat.Dense // the Jacobian, once computed
	jacErr float64
}

// D returns the derivative f'(x). f is a func from x's kind to a point kind.
func D(f, x any) *Linear {
	fn, xv := newFunction("D", f, x)
	return &Linear{fn: fn, x: xv}
}

// Apply returns f'(x)[dx], of f's output kind. dx has the shape of x.
func (l *Linear) Apply(dx any) any {
	d := l.fn.direction("dx", dx)
	v, err := l.directional(d)
	l.Err = err
	return l.fn.out.point(v)
}

// directional is the derivative of f at x along d, in coordinates.
func (l *Linear) directional(d []float64) ([]float64, float64) {
	h := step(l.x, d)
	if h == 0 {
		return make([]float64, l.fn.out.size()), 0
	}
	return ridders(func(h float64) []float64 { return central(l.fn, l.x, d, h) }, h, firstOrderTol)
}

// central is the central difference (f(x + h d) - f(x - h d)) / 2h.
func central(fn *function, x, d []float64, h float64) []float64 {
	p, m := fn.eval(axpy(x, h, d)), fn.eval(axpy(x, -h, d))
	for i := range p {
		p[i] = (p[i] - m[i]) / (2 * h)
	}
	return p
}

// Matrix returns the Jacobian of f at x in vec coordinates: m×n for f from n to m
// coordinates, 1×n (the gradient transposed) for scalar f, n²×n² for a function from n×n
// matrices to n×n matrices.
func (l *Linear) Matrix() *mat.Dense {
	// Computed once: showing a derivative asks for its matrix in several forms.
	if l.jac == nil {
		l.jac, l.jacErr = l.jacobian()
	}
	l.Err = l.jacErr
	return mat.DenseCopyOf(l.jac)
}

func (l *Linear) jacobian() (*mat.Dense, float64) {
	m, n := l.fn.out.size(), l.fn.in.size()
	basis := unitVectors(n)
	est := func(h float64) []float64 {
		jac := make([]float64, m*n) // row-major, as mat.NewDense wants
		for j, e := range basis {
			col := central(l.fn, l.x, e, h)
			for i, v := range col {
				jac[i*n+j] = v
			}
		}
		return jac
	}
	v, err := ridders(est, step(l.x, basis[0]), firstOrderTol)
	return mat.NewDense(m, n, v), err
}

func unitVectors(n int) [][]float64 {
	out := make([][]float64, n)
	for i := range out {
		out[i] = make([]float64, n)
		out[i][i] = 1
	}
	return out
}

// Jacobian returns the Jacobian matrix of f at x in vec coordinates: D(f, x).Matrix().
func Jacobian(f, x any) *mat.Dense {
	return D(f, x).Matrix()
}

// Gradient returns the gradient of scalar f at x, of x's kind: the vector (or matrix) ∇f
// with f'(x)[dx] = ⟨∇f, dx⟩. For f(A) = det A it is det(A) A⁻ᵀ.
func Gradient(f, x any) any {
	l := D(f, x)
	l.fn.name = "Gradient"
	if l.fn.out.size() != 1 {
		panic(fmt.Sprintf("matcalc: Gradient: f must return a float64, it returns %v", l.fn.out))
	}
	return l.fn.in.point(l.Matrix().RawRowView(0))
}
