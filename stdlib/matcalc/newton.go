package matcalc

import (
	"fmt"
	"math"
	"reflect"

	"gonum.org/v1/gonum/mat"
)

// NewtonStep is one iterate of Newton's method.
type NewtonStep struct {
	X        any     // the iterate, of x0's kind
	Residual float64 // ‖f(x)‖ for Newton, ‖∇f(x)‖ for NewtonMin (2-norm)
	Step     float64 // ‖x_next - x‖, 0 for the last iterate
}

// NewtonResult is the outcome of Newton or NewtonMin.
type NewtonResult struct {
	X         any  // the last iterate, of x0's kind
	Converged bool // the residual or the step fell below the tolerance
	Steps     []NewtonStep
	Reason    string // why the iteration stopped
}

// NewtonOption sets an option of Newton and NewtonMin.
type NewtonOption func(*newtonConfig)

type newtonConfig struct {
	tol      float64
	maxIter  int
	jacobian reflect.Value
}

// Tolerance stops the iteration when the residual or the step (relative to 1 + ‖x‖) is
// at most tol; the default is 1e-12.
func Tolerance(tol float64) NewtonOption { return func(c *newtonConfig) { c.tol = tol } }

// MaxIterations bounds the number of Newton steps; the default is 50.
func MaxIterations(n int) NewtonOption { return func(c *newtonConfig) { c.maxIter = n } }

// WithJacobian gives Newton the Jacobian of f as a func from x's kind to *mat.Dense (or to
// float64 for f: R -> R) instead of computing it with D.
func WithJacobian(j any) NewtonOption {
	return func(c *newtonConfig) { c.jacobian = reflect.ValueOf(j) }
}

// Newton finds a root of f: R -> R or Rⁿ -> Rⁿ from x0 by Newton's method,
// x ← x - f'(x)⁻¹ f(x), with the Jacobian from D unless WithJacobian gives it. Near a
// simple root the number of correct digits doubles with each step.
func Newton(f, x0 any, opts ...NewtonOption) *NewtonResult {
	fn, x := newFunction("Newton", f, x0)
	if fn.out.size() != fn.in.size() {
		panic(fmt.Sprintf("matcalc: Newton: f maps %v to %v; a root needs as many equations as unknowns", fn.in, fn.out))
	}
	cfg := config(opts)
	jacobian := func(x []float64) *mat.Dense {
		if cfg.jacobian.IsValid() {
			return userJacobian(cfg.jacobian, fn, x)
		}
		return (&Linear{fn: fn, x: x}).Matrix()
	}
	return iterate(fn, x, cfg, fn.eval, jacobian)
}

// NewtonMin finds a stationary point of scalar f from x0 as Lecture 7 does: Newton's
// method on the gradient, x ← x - H(x)⁻¹ ∇f(x), with gradient and Hessian from D and D2.
func NewtonMin(f, x0 any, opts ...NewtonOption) *NewtonResult {
	fn, x := newFunction("NewtonMin", f, x0)
	if fn.out.size() != 1 {
		panic(fmt.Sprintf("matcalc: NewtonMin: f must return a float64, it returns %v", fn.out))
	}
	gradient := func(x []float64) []float64 { return (&Linear{fn: fn, x: x}).Matrix().RawRowView(0) }
	hessianAt := func(x []float64) *mat.Dense { h, _ := hessian(fn, x); return h }
	return iterate(fn, x, config(opts), gradient, hessianAt)
}

func config(opts []NewtonOption) newtonConfig {
	cfg := newtonConfig{tol: 1e-12, maxIter: 50}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// iterate runs Newton's method on the equation residual(x) = 0 with Jacobian jac.
func iterate(fn *function, x []float64, cfg newtonConfig, residual func([]float64) []float64, jac func([]float64) *mat.Dense) *NewtonResult {
	res := &NewtonResult{}
	for k := 0; ; k++ {
		r := residual(x)
		step := NewtonStep{X: fn.in.point(x), Residual: norm2(r)}
		if step.Residual <= cfg.tol {
			res.Steps = append(res.Steps, step)
			res.Converged, res.Reason = true, fmt.Sprintf("residual %.3g ≤ tolerance %g", step.Residual, cfg.tol)
			break
		}
		if k == cfg.maxIter {
			res.Steps = append(res.Steps, step)
			res.Reason = fmt.Sprintf("%d iterations without convergence", cfg.maxIter)
			break
		}
		n := len(x)
		var dx mat.VecDense
		if err := dx.SolveVec(jac(x), mat.NewVecDense(n, r)); err != nil {
			res.Steps = append(res.Steps, step)
			res.Reason = "the Jacobian is singular at the last iterate: " + err.Error()
			break
		}
		next := make([]float64, n)
		for i := range x {
			next[i] = x[i] - dx.AtVec(i)
		}
		step.Step = mat.Norm(&dx, 2)
		res.Steps = append(res.Steps, step)
		x = next
		if step.Step <= cfg.tol*(1+norm2(x)) {
			res.Steps = append(res.Steps, NewtonStep{X: fn.in.point(x), Residual: norm2(residual(x))})
			res.Converged, res.Reason = true, fmt.Sprintf("step %.3g ≤ tolerance %g × (1 + ‖x‖)", step.Step, cfg.tol)
			break
		}
	}
	res.X = res.Steps[len(res.Steps)-1].X
	return res
}

func userJacobian(j reflect.Value, fn *function, x []float64) *mat.Dense {
	if j.Kind() != reflect.Func || j.Type().NumIn() != 1 || j.Type().NumOut() != 1 {
		panic(fmt.Sprintf("matcalc: Newton: the Jacobian must be a func of x, got %v", j.Type()))
	}
	arg, ok := fn.in.value(x, j.Type().In(0))
	if !ok {
		panic(fmt.Sprintf("matcalc: Newton: the Jacobian takes %v, but x is %v", j.Type().In(0), fn.in))
	}
	switch v := j.Call([]reflect.Value{arg})[0].Interface().(type) {
	case float64:
		return mat.NewDense(1, 1, []float64{v})
	case mat.Matrix:
		return mat.DenseCopyOf(v)
	default:
		panic(fmt.Sprintf("matcalc: Newton: the Jacobian returned %T, want *mat.Dense or float64", v))
	}
}

func norm2(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x * x
	}
	return math.Sqrt(s)
}
