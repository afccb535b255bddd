package matcalc

import (
	"math"
	"strconv"
	"strings"

	"github.com/gomatcalc/gomatcalc/stdlib/matfmt"
)

// Dual is a dual number a + b·ε with ε² = 0, the number forward-mode differentiation
// computes with (Lecture 5, part 2 of MIT 18.S096: "Forward Automatic Differentiation via
// Dual Numbers"). Its value a is f(x) and its derivative b is f'(x)·dx: a function that
// computes with Duals instead of float64s carries its derivative along with its value,
// exactly up to rounding, with no step size to choose.
//
// The sum, product and quotient rules are the algebra of ε:
//
//	(a + bε) ± (c + dε) = (a ± c) + (b ± d)ε
//	(a + bε)(c + dε)    = ac + (bc + ad)ε
//	(a + bε)/(c + dε)   = a/c + (bc − ad)/c² ε
//
// and a smooth function f obeys the chain rule f(a + bε) = f(a) + f'(a)b ε, which is how
// the methods Sin, Exp, Sqrt and the others are defined. Go has no operator overloading,
// so the arithmetic is written as methods: x.Mul(x).Add(Constant(1)) for x² + 1. The math
// functions are methods too (x.Sin(), not matcalc.Sin(x)): matcalc's own names stay those
// of matrix calculus, Tab after "x." lists all a Dual does, and x.Mul(x).Sin() for
// sin(x²) reads in the order forward mode computes, from the inside out. A comparison
// (t > 0 in the course's Julia) compares values: t.Value() > 0.
//
// Variable(x) is the number to differentiate with respect to (derivative 1) and
// Constant(c) a number that does not depend on it (derivative 0); the course's Babylonian
// square root, run on Variable(x), returns √x and 1/(2√x).
//
// gonum.org/v1/gonum/num/dual (dual.Number, with functions dual.Mul(x, y), dual.Sin(x),
// ...) is the same algebra for use in programs. Dual is for teaching: its methods read
// in the order the course writes them, it shows as a + b·ε in a notebook, and each rule
// is one line of this package that states the rule. Its rules are its own and not
// gonum's, which clamp |x| below 1e-15 in Sqrt and PowReal (the derivative of √x at
// 1e-20 comes out 1.6e7 there, not 5e9).
type Dual struct {
	a, b float64 // a + b·ε
}

// NewDual returns the dual number a + b·ε.
func NewDual(a, b float64) Dual { return Dual{a, b} }

// Variable returns x + 1·ε: the variable a derivative is taken with respect to. A
// function f of Duals gives f(Variable(x)) = f(x) + f'(x)·ε.
func Variable(x float64) Dual { return Dual{x, 1} }

// Constant returns c + 0·ε: a number that does not change with the variable.
func Constant(c float64) Dual { return Dual{c, 0} }

// Value returns a of a + b·ε: the value f(x).
func (x Dual) Value() float64 { return x.a }

// Derivative returns b of a + b·ε: the derivative f'(x) when x was a Variable.
func (x Dual) Derivative() float64 { return x.b }

// Add returns x + y: (a + bε) + (c + dε) = (a + c) + (b + d)ε, the sum rule.
func (x Dual) Add(y Dual) Dual { return Dual{x.a + y.a, x.b + y.b} }

// Sub returns x − y: (a + bε) − (c + dε) = (a − c) + (b − d)ε.
func (x Dual) Sub(y Dual) Dual { return Dual{x.a - y.a, x.b - y.b} }

// Neg returns −x.
func (x Dual) Neg() Dual { return Dual{-x.a, -x.b} }

// Scale returns c·x for a real c: ca + cb ε.
func (x Dual) Scale(c float64) Dual { return Dual{c * x.a, c * x.b} }

// Mul returns x·y: (a + bε)(c + dε) = ac + (bc + ad)ε, the product rule (bd ε² = 0).
func (x Dual) Mul(y Dual) Dual { return Dual{x.a * y.a, x.b*y.a + x.a*y.b} }

// Div returns x/y: (a + bε)/(c + dε) = a/c + (bc − ad)/c² ε, the quotient rule.
func (x Dual) Div(y Dual) Dual {
	// Divided by c twice: c² overflows past 1e154.
	return Dual{x.a / y.a, (x.b*y.a - x.a*y.b) / y.a / y.a}
}

// Inv returns 1/x: 1/(a + bε) = 1/a − b/a² ε.
func (x Dual) Inv() Dual {
	r := 1 / x.a
	return x.chain(r, -r*r)
}

// chain returns f(x) = f(a) + f'(a)b ε, given fa = f(a) and dfa = f'(a): the chain rule.
// A constant stays a constant, even where f' is infinite (√x at 0).
func (x Dual) chain(fa, dfa float64) Dual {
	if x.b == 0 {
		return Dual{fa, 0}
	}
	return Dual{fa, dfa * x.b}
}

// Pow returns x^p for a real p: (x^p)' = p x^(p−1).
func (x Dual) Pow(p float64) Dual {
	if p == 0 {
		return Constant(1)
	}
	return x.chain(math.Pow(x.a, p), p*math.Pow(x.a, p-1))
}

// Sqrt returns √x: (√x)' = 1/(2√x), infinite at 0.
func (x Dual) Sqrt() Dual {
	s := math.Sqrt(x.a)
	return x.chain(s, 0.5/s)
}

// Exp returns eˣ: (eˣ)' = eˣ.
func (x Dual) Exp() Dual {
	e := math.Exp(x.a)
	return x.chain(e, e)
}

// Log returns the natural logarithm of x: (log x)' = 1/x.
func (x Dual) Log() Dual { return x.chain(math.Log(x.a), 1/x.a) }

// Sin returns sin x: (sin x)' = cos x.
func (x Dual) Sin() Dual { return x.chain(math.Sin(x.a), math.Cos(x.a)) }

// Cos returns cos x: (cos x)' = −sin x.
func (x Dual) Cos() Dual { return x.chain(math.Cos(x.a), -math.Sin(x.a)) }

// Tan returns tan x: (tan x)' = 1 + tan² x = 1/cos² x.
func (x Dual) Tan() Dual {
	t := math.Tan(x.a)
	return x.chain(t, 1+t*t)
}

// Asin returns arcsin x: (arcsin x)' = 1/√(1 − x²), for |x| < 1.
func (x Dual) Asin() Dual { return x.chain(math.Asin(x.a), 1/math.Sqrt(oneMinusSquare(x.a))) }

// Acos returns arccos x: (arccos x)' = −1/√(1 − x²), for |x| < 1.
func (x Dual) Acos() Dual { return x.chain(math.Acos(x.a), -1/math.Sqrt(oneMinusSquare(x.a))) }

// oneMinusSquare is 1 − a² as (1 − a)(1 + a), which keeps its digits near a = ±1.
func oneMinusSquare(a float64) float64 { return (1 - a) * (1 + a) }

// Atan returns arctan x: (arctan x)' = 1/(1 + x²).
func (x Dual) Atan() Dual { return x.chain(math.Atan(x.a), 1/(1+x.a*x.a)) }

// Sinh returns sinh x: (sinh x)' = cosh x.
func (x Dual) Sinh() Dual { return x.chain(math.Sinh(x.a), math.Cosh(x.a)) }

// Cosh returns cosh x: (cosh x)' = sinh x.
func (x Dual) Cosh() Dual { return x.chain(math.Cosh(x.a), math.Sinh(x.a)) }

// Tanh returns tanh x: (tanh x)' = 1/cosh² x (not 1 − tanh² x, which is 0 in floating
// point once |x| > 19.1).
func (x Dual) Tanh() Dual {
	c := math.Cosh(x.a)
	return x.chain(math.Tanh(x.a), 1/(c*c))
}

// Abs returns |x|: (|x|)' = sign(x). |x| has no derivative at 0: there Abs returns 0 +
// NaN·ε (unless x is a constant), not one of the two one-sided slopes.
func (x Dual) Abs() Dual {
	switch {
	case x.a > 0:
		return x
	case x.a < 0:
		return x.Neg()
	}
	return x.chain(math.Abs(x.a), math.NaN()) // at 0, or x is NaN
}

// String returns x as a + b·ε, each number in the fewest digits that read back as it
// (as Go prints a float64): 7 + 0.07142857142857142·ε.
func (x Dual) String() string {
	a, sign, b := x.parts()
	return shortest(a) + sign + strings.TrimPrefix(shortest(b), "+") + "·ε"
}

// LaTeX returns x as a + b\varepsilon.
func (x Dual) LaTeX() string {
	a, sign, b := x.parts()
	return matfmt.LaTeXNumber(shortest(a)) + sign + matfmt.LaTeXNumber(shortest(b)) + `\varepsilon`
}

// parts returns a, the sign before the ε term (" + " or " - ") and |b|.
func (x Dual) parts() (a float64, sign string, b float64) {
	sign, b = " + ", x.b
	switch {
	case b < 0:
		sign, b = " - ", -b
	case b == 0:
		b = 0 // −0, from a negated constant, shows as 0
	}
	return x.a, sign, b
}

// shortest formats v in the fewest digits that read back as v.
func shortest(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
