package matcalc

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Linear is a derivative f'(x): the linear operator that takes a direction dx at x to the
// change f'(x)[dx] of f, to first order.
type Linear struct {
	fn *function
	x  []float64
	fx []float64 // vec f(x)
	// Err is the error estimate of the last Apply or Matrix, in the max norm.
	Err float64
	// Accuracy is what is known of the error of the last Apply or Matrix.
	Accuracy Accuracy
	jac      *mat.Dense // the Jacobian, once computed
	jacAcc   Accuracy
}

// D returns the derivative f'(x). f is a func from x's kind to a point kind. Each result
// it gives is checked: one whose estimated error is not small against it (Tolerance, 6
// digits by default) fails with an error instead.
func D(f, x any, opts ...Option) *Linear { return newLinear("D", f, x, opts) }

// newLinear is D for the call name.
func newLinear(name string, f, x any, opts []Option) *Linear {
	fn, xv := newFunction(name, f, x, opts)
	fn.requireForward()
	return &Linear{fn: fn, x: xv, fx: fn.fx}
}

// Apply returns f'(x)[dx], of f's output kind (float64, []float64, *mat.VecDense or
// *mat.Dense: ApplyFloat and its siblings give it typed). dx has the shape of x.
func (l *Linear) Apply(dx any) any {
	d := l.fn.direction("dx", dx)
	if ts, ok := l.fn.forward(l.x, l.fx, [][]float64{d}, false); ok {
		l.Accuracy, l.Err = exactAccuracy(), 0
		return noted(l.fn.out.point(firsts(ts, 0)), "f'(x)[dx]", l.Accuracy)
	}
	e := l.directional(d)
	l.Accuracy = l.fn.verdict("the derivative along dx", e)
	l.Err = l.Accuracy.Err
	return noted(l.fn.out.point(e.value), "f'(x)[dx]", l.Accuracy)
}

// directional is the derivative of f at x along d, in coordinates.
func (l *Linear) directional(d []float64) estimate {
	h := l.fn.firstStep(l.x, d)
	if h == 0 {
		return exact(l.fn.out.size())
	}
	diff := func(h float64) ([]float64, float64, error) { return central(l.fn, l.x, d, h) }
	e := extrapolation{diff: diff, order: 1, gain: 1, h0: h, aim: firstOrderAim,
		fx: maxAbs(l.fx), scale: xScale(l.x, d), noisiness: l.fn.noisinessAlong(l.x, l.fx, d)}.run()
	return l.kinks(e, d)
}

// kinks widens e's error where f has a kink at x along one of the directions ds: central
// differences see only the mean of the slopes on the two sides (½ for ReLU at 0), so the
// derivative is uncertain by half their gap.
func (l *Linear) kinks(e estimate, ds ...[]float64) estimate {
	if e.value == nil {
		return e
	}
	for _, d := range ds {
		if gap := l.fn.kink(l.x, l.fx, d, e.hMin); gap/2 > e.err {
			e.err = gap / 2
			e.trouble = fmt.Sprintf("f has a kink at x: its slopes on the two sides differ by %.3g", gap)
		}
	}
	return e
}

// exact is the estimate of a derivative along the zero direction.
func exact(n int) estimate { return estimate{value: make([]float64, n), scale: 1} }

// central is the central difference (f(x + h d) - f(x - h d)) / 2h and the largest |f| it
// used.
func central(fn *function, x, d []float64, h float64) ([]float64, float64, error) {
	p, err := fn.at(axpy(x, h, d))
	if err != nil {
		return nil, 0, fmt.Errorf("at x + %.3g·dx: %w", h, err)
	}
	m, err := fn.at(axpy(x, -h, d))
	if err != nil {
		return nil, 0, fmt.Errorf("at x - %.3g·dx: %w", h, err)
	}
	big := 0.0
	for i := range p {
		big = max(big, math.Abs(p[i]), math.Abs(m[i]))
		p[i] = (p[i] - m[i]) / (2 * h)
	}
	return p, big, nil
}

// Matrix returns the Jacobian of f at x in vec coordinates: m×n for f from n to m
// coordinates, 1×n (the gradient transposed) for scalar f, n²×n² for a function from n×n
// matrices to n×n matrices.
func (l *Linear) Matrix() *mat.Dense {
	// Computed once: showing a derivative asks for its matrix in several forms.
	if l.jac == nil {
		if j, ok := l.fn.exactJacobian(l.x, l.fx); ok {
			l.jac, l.jacAcc = j, exactAccuracy()
		} else {
			var e estimate
			l.jac, e = l.jacobian()
			l.jacAcc = l.fn.verdict("the Jacobian", e)
		}
	}
	l.Accuracy, l.Err = l.jacAcc, l.jacAcc.Err
	return noted(mat.DenseCopyOf(l.jac), "Jacobian", l.Accuracy).(*mat.Dense)
}

func (l *Linear) jacobian() (*mat.Dense, estimate) {
	m, n := l.fn.out.size(), l.fn.in.size()
	basis := unitVectors(n)
	diff := func(h float64) ([]float64, float64, error) {
		jac := make([]float64, m*n) // row-major, as mat.NewDense wants
		big := 0.0
		for j, e := range basis {
			col, b, err := central(l.fn, l.x, e, h)
			if err != nil {
				return nil, 0, fmt.Errorf("along coordinate %d: %w", j, err)
			}
			big = max(big, b)
			for i, v := range col {
				jac[i*n+j] = v
			}
		}
		return jac, big, nil
	}
	e := extrapolation{diff: diff, order: 1, gain: 1, h0: l.fn.firstStep(l.x, basis[0]), aim: firstOrderAim,
		fx: maxAbs(l.fx), scale: xScale(l.x, basis[0]), noisiness: l.fn.noisinessAlong(l.x, l.fx, ones(n))}.run()
	e = l.kinks(e, basis...)
	if e.value == nil {
		return mat.NewDense(m, n, nil), e
	}
	return mat.NewDense(m, n, e.value), e
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
func Jacobian(f, x any, opts ...Option) *mat.Dense {
	j, _ := JacobianAcc(f, x, opts...)
	return j
}

// JacobianAcc is Jacobian with the accuracy of its result.
func JacobianAcc(f, x any, opts ...Option) (*mat.Dense, Accuracy) {
	l := newLinear("Jacobian", f, x, opts)
	j := l.Matrix()
	return j, l.Accuracy
}

// Gradient returns the gradient of scalar f at x, of x's kind: the vector (or matrix) ∇f
// with f'(x)[dx] = ⟨∇f, dx⟩. For f(A) = det A it is det(A) A⁻ᵀ. GradientSlice,
// GradientVec and GradientDense give it typed.
func Gradient(f, x any, opts ...Option) any {
	g, _ := GradientAcc(f, x, opts...)
	return g
}

// GradientAcc is Gradient with the accuracy of its result.
func GradientAcc(f, x any, opts ...Option) (any, Accuracy) {
	return gradient("Gradient", f, x, opts)
}

func gradient(name string, f, x any, opts []Option) (any, Accuracy) {
	l := newLinear(name, f, x, opts)
	if l.fn.out.size() != 1 {
		panic(fmt.Sprintf("matcalc: %s: f must return a float64, it returns %v", name, l.fn.out))
	}
	g := l.fn.in.point(l.Matrix().RawRowView(0))
	return noted(g, "gradient", l.Accuracy), l.Accuracy
}
