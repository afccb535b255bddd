package matcalc_test

import (
	"fmt"
	"math"

	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// The lecture's example: the Babylonian algorithm t ← (t + x/t)/2 computes √x, and run
// on a dual number it computes the derivative 1/(2√x) too. Nothing in it knows about
// derivatives; the rules of + and / carry them.
func ExampleDual() {
	babylonian := func(x matcalc.Dual) matcalc.Dual {
		t := matcalc.Constant(1).Add(x).Scale(0.5) // (1 + x)/2: one step from t = 1
		for i := 2; i <= 10; i++ {
			t = t.Add(x.Div(t)).Scale(0.5)
		}
		return t
	}
	fmt.Println(babylonian(matcalc.Variable(49)))
	fmt.Println(math.Sqrt(49), 0.5/math.Sqrt(49))
	// Output:
	// 7 + 0.07142857142857142·ε
	// 7 0.07142857142857142
}

// ε² = 0, and everything follows from it: 1/(1 + ε) = 1 − ε, (1 + ε)⁵ = 1 + 5ε.
func ExampleNewDual() {
	eps := matcalc.NewDual(0, 1)
	one := matcalc.Constant(1)
	fmt.Println(eps.Mul(eps))
	fmt.Println(one.Div(one.Add(eps)))
	fmt.Println(one.Add(eps).Pow(5))
	fmt.Println(matcalc.NewDual(2, 3).Div(matcalc.NewDual(3, 4))) // 2/3 + (3·3 − 2·4)/3² ε
	// Output:
	// 0 + 0·ε
	// 1 - 1·ε
	// 1 + 5·ε
	// 0.6666666666666666 + 0.1111111111111111·ε
}

// The chain rule: f(x) = sin(x²) has f'(x) = cos(x²)·2x, which the Dual carries through
// the square and the sine.
func ExampleDual_Sin() {
	x := matcalc.Variable(3)
	y := x.Mul(x).Sin()
	fmt.Printf("f(3) = %.6f, f'(3) = %.6f\n", y.Value(), y.Derivative())
	fmt.Printf("sin 9 = %.6f, 6 cos 9 = %.6f\n", math.Sin(9), 6*math.Cos(9))
	// Output:
	// f(3) = 0.412118, f'(3) = -5.466782
	// sin 9 = 0.412118, 6 cos 9 = -5.466782
}
