package display_test

import (
	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/display"
)

// Outside a notebook, displays print their text/plain form.
func ExampleValue() {
	display.Value(mat.NewDense(2, 2, []float64{1, 2.0 / 3, 0, 1}))
	display.Markdown("**done**")
	// Output:
	// ⎡1  0.666667⎤
	// ⎣0         1⎦
	// **done**
}

// A Display of one's own has its own settings; with no publisher it prints too.
func ExampleNew() {
	d := display.New(nil)
	d.SetPrecision(3)
	d.Value(mat.NewDense(1, 2, []float64{2.0 / 3, 1}))
	display.Value(mat.NewDense(1, 2, []float64{2.0 / 3, 1}))
	// Output:
	// [0.667  1]
	// [0.666667  1]
}
