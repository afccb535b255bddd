package matcalc_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// The Hessian lesson: f(x, y) = 2x² + 3y² - xy has Hessian [[4, -1], [-1, 6]].
func ExampleHessian() {
	f := func(p []float64) float64 {
		x, y := p[0], p[1]
		return 2*x*x + 3*y*y - x*y
	}
	h := matcalc.Hessian(f, []float64{1, 2})
	fmt.Printf("%.6f\n", mat.Formatted(h))
	// Output:
	// ⎡ 4.000000  -1.000000⎤
	// ⎣-1.000000   6.000000⎦
}

// Lecture 1: d(A²) = dA A + A dA, which is not 2A dA when A and dA do not commute.
func ExampleD() {
	square := func(a *mat.Dense) *mat.Dense {
		var p mat.Dense
		p.Mul(a, a)
		return &p
	}
	a := mat.NewDense(2, 2, []float64{1, 2, 3, 4})
	da := mat.NewDense(2, 2, []float64{0, 1, 0, 0})
	fmt.Printf("%.6f\n", mat.Formatted(matcalc.D(square, a).Apply(da).(*mat.Dense)))
	// Output:
	// ⎡3.000000  5.000000⎤
	// ⎣0.000000  3.000000⎦
}

// Lecture 7: the gradient of det is det(A) A⁻ᵀ.
func ExampleGradient() {
	det := func(a *mat.Dense) float64 { return mat.Det(a) }
	a := mat.NewDense(2, 2, []float64{2, 1, 1, 3})
	fmt.Printf("%.6f\n", mat.Formatted(matcalc.Gradient(det, a).(*mat.Dense)))
	// Output:
	// ⎡ 3.000000  -1.000000⎤
	// ⎣-1.000000   2.000000⎦
}

// A long computation stops when its context is done: here f cancels it itself at its
// fifth call, as a user's stop button or a deadline would. The call panics with
// ErrCanceled before calling f again.
func ExampleWithContext() {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	f := func(p []float64) float64 {
		calls++
		if calls == 5 {
			cancel()
		}
		return p[0] * p[1]
	}
	defer func() {
		fmt.Println(recover() == matcalc.ErrCanceled, "after", calls, "calls")
	}()
	matcalc.Hessian(f, make([]float64, 20), matcalc.WithContext(ctx))
	// Output: true after 5 calls
}
