package tangent

import (
	"fmt"
	"math"
)

// The tangents of the functions of package math: each F(x, dx) is the tangent of
// math.F(x) for x's tangent dx.

// Sqrt returns the tangent of math.Sqrt(x): 1/(2√x), second -1/(4x√x).
func Sqrt(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	s := math.Sqrt(x)
	d1 := 0.5 / s
	return Unary(dx, d1, -0.5*d1/x)
}

// Cbrt returns the tangent of math.Cbrt(x): 1/(3∛x²), second -2/(9∛x⁵).
func Cbrt(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	c := math.Cbrt(x)
	d1 := 1 / (3 * c * c)
	return Unary(dx, d1, -2*d1/(3*x))
}

// Exp returns the tangent of math.Exp(x): eˣ, second eˣ.
func Exp(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	e := math.Exp(x)
	return Unary(dx, e, e)
}

// Exp2 returns the tangent of math.Exp2(x): 2ˣ ln 2, second 2ˣ ln² 2.
func Exp2(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	e := math.Exp2(x) * math.Ln2
	return Unary(dx, e, e*math.Ln2)
}

// Expm1 returns the tangent of math.Expm1(x): eˣ, second eˣ.
func Expm1(x float64, dx *T) *T { return Exp(x, dx) }

// Log returns the tangent of math.Log(x): 1/x, second -1/x².
func Log(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / x
	return Unary(dx, d1, -d1*d1)
}

// Log2 returns the tangent of math.Log2(x): 1/(x ln 2), second -1/(x² ln 2).
func Log2(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / (x * math.Ln2)
	return Unary(dx, d1, -d1/x)
}

// Log10 returns the tangent of math.Log10(x): 1/(x ln 10), second -1/(x² ln 10).
func Log10(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / (x * math.Ln10)
	return Unary(dx, d1, -d1/x)
}

// Log1p returns the tangent of math.Log1p(x): 1/(1+x), second -1/(1+x)².
func Log1p(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / (1 + x)
	return Unary(dx, d1, -d1*d1)
}

// Sin returns the tangent of math.Sin(x): cos x, second -sin x.
func Sin(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	s, c := math.Sincos(x)
	return Unary(dx, c, -s)
}

// Cos returns the tangent of math.Cos(x): -sin x, second -cos x.
func Cos(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	s, c := math.Sincos(x)
	return Unary(dx, -s, -c)
}

// Tan returns the tangent of math.Tan(x): 1 + tan² x, second 2 tan x (1 + tan² x).
func Tan(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	t := math.Tan(x)
	d1 := 1 + t*t
	return Unary(dx, d1, 2*t*d1)
}

// Asin returns the tangent of math.Asin(x): 1/√((1-x)(1+x)), second x/((1-x)(1+x))^(3/2).
func Asin(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / math.Sqrt((1-x)*(1+x))
	return Unary(dx, d1, x*d1*d1*d1)
}

// Acos returns the tangent of math.Acos(x): -1/√((1-x)(1+x)), second
// -x/((1-x)(1+x))^(3/2).
func Acos(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / math.Sqrt((1-x)*(1+x))
	return Unary(dx, -d1, -x*d1*d1*d1)
}

// Atan returns the tangent of math.Atan(x): 1/(1+x²), second -2x/(1+x²)².
func Atan(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / (1 + x*x)
	return Unary(dx, d1, -2*x*d1*d1)
}

// Sinh returns the tangent of math.Sinh(x): cosh x, second sinh x.
func Sinh(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	return Unary(dx, math.Cosh(x), math.Sinh(x))
}

// Cosh returns the tangent of math.Cosh(x): sinh x, second cosh x.
func Cosh(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	return Unary(dx, math.Sinh(x), math.Cosh(x))
}

// Tanh returns the tangent of math.Tanh(x): 1/cosh² x, second -2 tanh x / cosh² x.
func Tanh(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	c := math.Cosh(x)
	d1 := 1 / (c * c)
	return Unary(dx, d1, -2*math.Tanh(x)*d1)
}

// Asinh returns the tangent of math.Asinh(x): 1/√(1+x²), second -x/(1+x²)^(3/2).
func Asinh(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / math.Hypot(1, x)
	return Unary(dx, d1, -x*d1*d1*d1)
}

// Acosh returns the tangent of math.Acosh(x): 1/√((x-1)(x+1)), second
// -x/((x-1)(x+1))^(3/2).
func Acosh(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / math.Sqrt((x-1)*(x+1))
	return Unary(dx, d1, -x*d1*d1*d1)
}

// Atanh returns the tangent of math.Atanh(x): 1/((1-x)(1+x)), second 2x/((1-x)(1+x))².
func Atanh(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := 1 / ((1 - x) * (1 + x))
	return Unary(dx, d1, 2*x*d1*d1)
}

// twoOverSqrtPi is 2/√π, the scale of erf's derivative.
const twoOverSqrtPi = 1.12837916709551257389615890312154517

// Erf returns the tangent of math.Erf(x): (2/√π) e^(-x²), second -2x (2/√π) e^(-x²).
func Erf(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := twoOverSqrtPi * math.Exp(-x*x)
	return Unary(dx, d1, -2*x*d1)
}

// Erfc returns the tangent of math.Erfc(x): -(2/√π) e^(-x²), second 2x (2/√π) e^(-x²).
func Erfc(x float64, dx *T) *T {
	if dx == nil {
		return nil
	}
	d1 := twoOverSqrtPi * math.Exp(-x*x)
	return Unary(dx, -d1, 2*x*d1)
}

// Abs returns the tangent of math.Abs(x): sign(x) dx. At x = 0 it panics with a
// NotDifferentiable unless dx is zero.
func Abs(x float64, dx *T) *T {
	switch {
	case x > 0:
		return dx
	case x < 0:
		return Neg(dx)
	case isZero(dx):
		return nil
	}
	panic(NotDifferentiable{"math.Abs at 0"})
}

// Pow returns the tangent of math.Pow(x, y): y x^(y-1) dx + x^y ln x dy. A constant
// exponent (dy nil) needs no logarithm, so x may be negative or zero.
func Pow(x float64, dx *T, y float64, dy *T) *T {
	if dx == nil && dy == nil {
		return nil
	}
	if dy == nil {
		// x⁰ and x¹ have no x^(y-2) to form, which at x = 0 is infinite.
		switch y {
		case 0:
			return nil
		case 1:
			return dx
		}
		return Unary(dx, y*math.Pow(x, y-1), y*(y-1)*math.Pow(x, y-2))
	}
	pm1 := math.Pow(x, y-1)
	fx := y * pm1
	z, l := math.Pow(x, y), math.Log(x)
	fy := z * l
	return Binary(dx, dy, fx, fy, y*(y-1)*math.Pow(x, y-2), pm1*(1+y*l), fy*l)
}

// Atan2 returns the tangent of math.Atan2(y, x): (x dy - y dx)/(x² + y²). At the origin
// it panics with a NotDifferentiable unless both tangents are zero.
func Atan2(y float64, dy *T, x float64, dx *T) *T {
	if dx == nil && dy == nil {
		return nil
	}
	h := math.Hypot(x, y)
	if h == 0 {
		if isZero(dx) && isZero(dy) {
			return nil
		}
		panic(NotDifferentiable{"math.Atan2 at (0, 0)"})
	}
	c, s := x/h, y/h // the cosine and sine of the angle
	h2 := h * h
	return Binary(dy, dx, c/h, -s/h, -2*c*s/h2, (s-c)*(s+c)/h2, 2*c*s/h2)
}

// Hypot returns the tangent of math.Hypot(p, q): (p dp + q dq)/√(p² + q²). At the origin
// it panics with a NotDifferentiable unless both tangents are zero.
func Hypot(p float64, dp *T, q float64, dq *T) *T {
	if dp == nil && dq == nil {
		return nil
	}
	h := math.Hypot(p, q)
	if h == 0 {
		if isZero(dp) && isZero(dq) {
			return nil
		}
		panic(NotDifferentiable{"math.Hypot at (0, 0)"})
	}
	c, s := p/h, q/h
	return Binary(dp, dq, c, s, s*s/h, -c*s/h, c*c/h)
}

// Max returns the tangent of math.Max(x, y) (and of the builtin max): that of the larger
// argument. At a tie it panics with a NotDifferentiable unless the tangents are equal.
func Max(x float64, dx *T, y float64, dy *T) *T { return choose("math.Max", x, dx, y, dy, x > y) }

// Min returns the tangent of math.Min(x, y) (and of the builtin min): that of the smaller
// argument. At a tie it panics with a NotDifferentiable unless the tangents are equal.
func Min(x float64, dx *T, y float64, dy *T) *T { return choose("math.Min", x, dx, y, dy, x < y) }

func choose(name string, x float64, dx *T, y float64, dy *T, first bool) *T {
	if dx == nil && dy == nil {
		return nil
	}
	if dx != nil && dy != nil {
		same(name[len("math."):], dx, dy)
	}
	switch {
	case first, math.IsNaN(x):
		return dx
	case x != y, math.IsNaN(y):
		return dy
	case equal(dx, dy):
		return dx
	}
	panic(NotDifferentiable{name + " at a tie"})
}

// Floor returns the tangent of math.Floor(x): nil, a zero derivative, except at an
// integer x, where it panics with a NotDifferentiable unless dx is zero.
func Floor(x float64, dx *T) *T { return step("math.Floor", x, dx, x == math.Floor(x)) }

// Ceil returns the tangent of math.Ceil(x): nil, a zero derivative, except at an integer
// x, where it panics with a NotDifferentiable unless dx is zero.
func Ceil(x float64, dx *T) *T { return step("math.Ceil", x, dx, x == math.Ceil(x)) }

// Trunc returns the tangent of math.Trunc(x): nil, a zero derivative, except at an
// integer x other than 0, where it panics with a NotDifferentiable unless dx is zero.
func Trunc(x float64, dx *T) *T { return step("math.Trunc", x, dx, x == math.Trunc(x) && x != 0) }

// Round returns the tangent of math.Round(x): nil, a zero derivative, except halfway
// between two integers, where it panics with a NotDifferentiable unless dx is zero.
func Round(x float64, dx *T) *T {
	return step("math.Round", x, dx, math.Abs(x-math.Trunc(x)) == 0.5)
}

// step is the tangent of a step function at x, which jumps there when jump is true.
func step(name string, x float64, dx *T, jump bool) *T {
	if jump && !math.IsInf(x, 0) && !isZero(dx) {
		panic(NotDifferentiable{name + " at " + format(x)})
	}
	return nil
}

func format(x float64) string { return fmt.Sprint(x) }
