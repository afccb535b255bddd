package tangent_test

import (
	"fmt"
	"math"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc/tangent"
)

// The tangent of f(x, y) = sin(x)·eʸ, written by hand as a notebook session generates it:
// every float64 of f has its *tangent.T next to it.
func fTangent(p []float64, dp []*tangent.T) (float64, *tangent.T) {
	x, dx := p[0], dp[0]
	y, dy := p[1], dp[1]
	s, ds := math.Sin(x), tangent.Sin(x, dx)
	e, de := math.Exp(y), tangent.Exp(y, dy)
	return s * e, tangent.Mul(s, ds, e, de)
}

// Seeding x and y with the two unit directions at second order gives the gradient and the
// Hessian of f in one evaluation.
func Example() {
	p := []float64{0.5, 1}
	dp := []*tangent.T{tangent.New([]float64{1, 0}, true), tangent.New([]float64{0, 1}, true)}
	v, dv := fTangent(p, dp)
	fmt.Printf("f      = %.6f\n", v)
	fmt.Printf("∇f     = [%.6f %.6f]\n", dv.First(0), dv.First(1))
	fmt.Printf("∇²f    = [%.6f %.6f; %.6f %.6f]\n", dv.Second(0, 0), dv.Second(0, 1), dv.Second(1, 0), dv.Second(1, 1))
	fmt.Printf("cos·eʸ = %.6f\n", math.Cos(0.5)*math.E)
	// Output:
	// f      = 1.303214
	// ∇f     = [2.385517 1.303214]
	// ∇²f    = [-1.303214 2.385517; 2.385517 1.303214]
	// cos·eʸ = 2.385517
}

// A function with no derivative at the point panics with a NotDifferentiable rather than
// guess a one-sided derivative.
func ExampleAbs() {
	defer func() { fmt.Println(recover()) }()
	tangent.Abs(0, tangent.New([]float64{1}, false))
	// Output:
	// tangent: not differentiable: math.Abs at 0
}
