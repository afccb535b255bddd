package matcalc

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

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

// Newton finds a root of f: R -> R or Rⁿ -> Rⁿ from x0 by Newton's method,
// x ← x - f'(x)⁻¹ f(x), with the Jacobian from D unless WithJacobian gives it. Near a
// simple root the number of correct digits doubles with each step.
func Newton(f, x0 any, opts ...Option) *NewtonResult {
	fn, x := newFunction("Newton", f, x0, opts)
	if !fn.set.jacobian.IsValid() {
		fn.requireForward()
	}
	if fn.out.size() != fn.in.size() {
		panic(fmt.Sprintf("matcalc: Newton: f maps %v to %v; a root needs as many equations as unknowns", fn.in, fn.out))
	}
	// A Jacobian with a few correct digits still makes Newton converge, and whether it
	// converged is judged by f itself: the Jacobian's check is loose.
	jfn := fn.withTolerance(1e-3)
	jacobian := func(x []float64) *mat.Dense {
		if fn.set.jacobian.IsValid() {
			return userJacobian(fn.set.jacobian, fn, x)
		}
		return (&Linear{fn: jfn, x: x, fx: jfn.eval(x)}).Matrix()
	}
	return iterate(fn, x, fn.eval, jacobian)
}

// NewtonMin finds a stationary point of scalar f from x0 as Lecture 7 does: Newton's
// method on the gradient, x ← x - H(x)⁻¹ ∇f(x), with gradient and Hessian from D and D2.
func NewtonMin(f, x0 any, opts ...Option) *NewtonResult {
	fn, x := newFunction("NewtonMin", f, x0, opts)
	fn.requireForward()
	if fn.out.size() != 1 {
		panic(fmt.Sprintf("matcalc: NewtonMin: f must return a float64, it returns %v", fn.out))
	}
	// The gradient is the residual, so it is checked as D checks it; the Hessian only
	// steers, so its check is loose.
	gfn, hfn := fn.withTolerance(0), fn.withTolerance(1e-3)
	gradient := func(x []float64) []float64 {
		return (&Linear{fn: gfn, x: x, fx: gfn.eval(x)}).Matrix().RawRowView(0)
	}
	hessianAt := func(x []float64) *mat.Dense {
		if hfn.exact() { // f(x) for the tangent's check; the numerical Hessian needs none
			if h, ok := hfn.exactHessian(x, hfn.eval(x)); ok {
				return h
			}
		}
		h, e := hessian(hfn, x)
		hfn.verdict("the Hessian", e)
		return h
	}
	return iterate(fn, x, gradient, hessianAt)
}

// iterate runs Newton's method on the equation residual(x) = 0 with Jacobian jac. A
// matcalc error on the way (f not finite at an iterate, a Jacobian that cannot be
// trusted) ends the iteration with the iterates so far and the error as its reason.
func iterate(fn *function, x []float64, residual func([]float64) []float64, jac func([]float64) *mat.Dense) *NewtonResult {
	tol, maxIter := fn.set.tol, fn.set.maxIter
	if tol == 0 {
		tol = 1e-12
	}
	if maxIter == 0 {
		maxIter = 50
	}
	res := &NewtonResult{}
	stop := func(step NewtonStep, converged bool, reason string) *NewtonResult {
		res.Steps = append(res.Steps, step)
		res.Converged, res.Reason, res.X = converged, reason, step.X
		return res
	}
	for k := 0; ; k++ {
		step := NewtonStep{X: fn.in.point(x)}
		r, err := caught(func() []float64 { return residual(x) })
		if err != nil {
			return stop(step, false, err.Error())
		}
		step.Residual = norm2(r)
		if step.Residual <= tol {
			return stop(step, true, fmt.Sprintf("residual %.3g ≤ tolerance %g", step.Residual, tol))
		}
		if k == maxIter {
			return stop(step, false, fmt.Sprintf("%d iterations without convergence", maxIter))
		}
		j, err := caught(func() *mat.Dense { return jac(x) })
		if err != nil {
			return stop(step, false, err.Error())
		}
		n := len(x)
		var dx mat.VecDense
		if err := dx.SolveVec(j, mat.NewVecDense(n, r)); err != nil {
			return stop(step, false, "the Jacobian is singular at the last iterate: "+err.Error())
		}
		next := make([]float64, n)
		for i := range x {
			next[i] = x[i] - dx.AtVec(i)
		}
		step.Step = mat.Norm(&dx, 2)
		res.Steps = append(res.Steps, step)
		x = next
		if step.Step <= tol*(1+norm2(x)) {
			last := NewtonStep{X: fn.in.point(x)}
			r, err := caught(func() []float64 { return residual(x) })
			if err != nil {
				return stop(last, false, err.Error())
			}
			last.Residual = norm2(r)
			return stop(last, true, fmt.Sprintf("step %.3g ≤ tolerance %g × (1 + ‖x‖)", step.Step, tol))
		}
	}
}

// caught runs f and returns a matcalc panic in it as an error.
func caught[T any](f func() T) (v T, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, ok := r.(string)
			if !ok || !strings.HasPrefix(msg, "matcalc: ") {
				panic(r)
			}
			err = errors.New(strings.TrimPrefix(msg, "matcalc: "))
		}
	}()
	return f(), nil
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
