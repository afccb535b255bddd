package matcalc

import (
	"context"
	"fmt"
	"math"
	"reflect"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// Accuracy is what matcalc knows of a result's error.
type Accuracy struct {
	// Err bounds the error of every coordinate (matrices column by column). It is a
	// conservative estimate: the disagreement of neighbouring extrapolations, and never
	// less than the round-off of the differences they came from.
	Err float64
	// Digits is the number of correct significant digits that Err leaves: -log10(Err/s)
	// for the size s of the result (its largest coordinate; for a derivative that is zero,
	// the size of f's differences, or of f over x's scale when only round-off is left),
	// at most 15.
	Digits float64
	// HMax and HMin are the largest and smallest steps the result came from.
	HMax, HMin float64
	// Exact reports a result of forward mode, through f's tangent (Exact): exact up to
	// the rounding of the derivative rules' closed forms, with Err 0 and Digits 15.
	Exact bool
	// Why says why a numerical result is not exact, when f came as a *Function (from
	// Numerical, or from Exact with a tangent that could not be used): "f calls
	// fmt.Sprint, which has no derivative rule". It is empty for a plain func and under
	// Numerically.
	Why string
}

// String is the accuracy as a notebook shows it: "exact (forward mode)", or
// "numerical, 12.3 correct digits (error ≤ 4.1e-13)", with the reason in parentheses
// after "numerical" when it is known.
func (a Accuracy) String() string {
	if a.Exact {
		return "exact (forward mode)"
	}
	method := "numerical"
	if a.Why != "" {
		method += " (" + a.Why + ")"
	}
	return fmt.Sprintf("%s, %.1f correct digits (error ≤ %.2g)", method, a.Digits, a.Err)
}

func (e estimate) accuracy() Accuracy {
	return Accuracy{Err: e.err, Digits: digitsOf(e.err, e.size()), HMax: e.hMax, HMin: e.hMin}
}

func digitsOf(err, scale float64) float64 {
	switch {
	case err == 0:
		return 15
	case scale == 0 || math.IsInf(err, 0):
		return 0
	}
	return math.Max(0, math.Min(15, -math.Log10(err/scale)))
}

// noted attaches to a result the line a notebook shows under it, "Hessian by matcalc:
// numerical, 12.4 correct digits (error ≤ 2.1e-12)" or "Hessian by matcalc: exact (forward
// mode)", while it holds these numbers (a float64 has
// no place for one), and returns it.
func noted(result any, what string, a Accuracy) any {
	matfmt.Note(result, what+" by matcalc: "+a.String())
	return result
}

// Option sets an option of a derivative (D, D2, Gradient, Jacobian, Hessian, HVP) or of
// Newton's method. Tolerance and Step apply to numerical derivatives only.
type Option func(*settings)

// NewtonOption is the Option of Newton and NewtonMin.
type NewtonOption = Option

type settings struct {
	tol      float64 // 0: the default of the call
	step     float64 // 0: from x's scale
	maxIter  int
	jacobian reflect.Value
	method   int               // anyMethod, numericalMethod or forwardMethod
	ctxs     []context.Context // of the WithContext options
}

func newSettings(opts []Option) settings {
	var s settings
	for _, o := range opts {
		o(&s)
	}
	return s
}

// Tolerance is the accuracy a call must reach. A derivative whose estimated error,
// relative to its size, is above tol fails with an error instead of returning a number
// (the default 1e-6 asks for 6 correct digits; Tolerance(1) accepts any estimate). Newton's
// method stops when the residual or the step (relative to 1 + ‖x‖) is at most tol (default
// 1e-12).
func Tolerance(tol float64) Option { return func(s *settings) { s.tol = tol } }

// Step sets the first step a derivative tries, as a distance in x's coordinates (the
// largest coordinate of the step); the default is a tenth of x's scale. The step still
// shrinks where f is not smooth, so Step is for an f that varies on a scale much smaller
// than x's, where the search would take long to find it.
func Step(h float64) Option { return func(s *settings) { s.step = h } }

// MaxIterations bounds the number of Newton steps; the default is 50.
func MaxIterations(n int) Option { return func(s *settings) { s.maxIter = n } }

// WithJacobian gives Newton the Jacobian of f as a func from x's kind to *mat.Dense (or to
// float64 for f: R -> R) instead of computing it with D.
func WithJacobian(j any) Option {
	return func(s *settings) { s.jacobian = reflect.ValueOf(j) }
}

// WithContext stops the computation once ctx is done: every loop that calls f checks ctx
// before each call and panics with ErrCanceled, also in the methods of a result that call
// f again (Apply, Matrix, ... of the *Linear or *Bilinear that D and D2 return). Several
// WithContext options stop it when any of their contexts is done. A notebook session
// passes one to every call, done when the cell is interrupted.
func WithContext(ctx context.Context) Option {
	return func(s *settings) {
		if ctx != nil && ctx.Done() != nil {
			s.ctxs = append(s.ctxs, ctx)
		}
	}
}

// checkCanceled panics with ErrCanceled when one of the contexts is done.
func (s *settings) checkCanceled() {
	for _, ctx := range s.ctxs {
		if ctx.Err() != nil {
			panic(ErrCanceled)
		}
	}
}

// defaultTolerance is the relative error a derivative may have: 6 correct digits.
const defaultTolerance = 1e-6

// verdict returns e's accuracy, or panics with a matcalc: error that gives the estimate,
// the steps tried and what to do when it is not small against the result. what names the
// result ("the derivative along dx", "the Hessian").
func (fn *function) verdict(what string, e estimate) Accuracy {
	tol := fn.set.tol
	if tol == 0 {
		tol = defaultTolerance
	}
	if e.err <= tol*e.scale || e.roundoffOnly() && e.noise <= tol*e.natural {
		a := e.accuracy()
		a.Why = fn.why()
		return a
	}
	var msg string
	if math.IsInf(e.err, 0) {
		msg = fmt.Sprintf("matcalc: %s: no step from %.3g down to %.3g gave %s: %s", fn.name, e.h0, e.hLast, what, e.trouble)
	} else {
		msg = fmt.Sprintf("matcalc: %s: %s is uncertain: error estimate %.2g against a size of %.2g (%.1f correct digits; Tolerance %g asks for %.0f), from steps %.3g to %.3g",
			fn.name, what, e.err, e.scale, digitsOf(e.err, e.scale), tol, -math.Log10(tol), e.hMax, e.hMin)
		if e.trouble != "" {
			msg += "; larger steps failed: " + e.trouble
		}
	}
	panic(msg + ". f may not be smooth near x, or be computed with too little accuracy: try a smaller first step (matcalc.Step(1e-4)), a point farther from where f is not defined or not smooth, or accept fewer digits (matcalc.Tolerance(1e-3)).")
}
