// Package forward makes the tangent of a Go function from its syntax tree: forward-mode
// differentiation by source transformation, as the course teaches it with dual numbers,
// for a language without operator overloading.
//
// The tangent of f computes what f computes and, next to every float64 value v, its
// derivative part Δv (a *tangent.T of package stdlib/matcalc/tangent; nil is zero):
//
//	func f(x float64, n int) float64      func _gomatcalcTan_f(x float64, _Δx *T, n int) (float64, *T)
//	    y := x * math.Sin(x)                  y, _Δy := x*math.Sin(x), tan.Mul(x, _Δx, math.Sin(x), tan.Sin(x, _Δx))
//	    return y + 1                          return y + 1, _Δy
//
// Every assignment to a float becomes one parallel assignment of the value and its
// derivative, so the derivative is computed from the values before the assignment, as
// the value is. Calls of other functions with tangents go through their tangents; a call
// whose result depends on x and that has no rule (fmt.Sprint, a method of a gonum
// matrix, a closure) makes the whole function unsupported, and the caller differentiates
// numerically, saying why. What the code cannot change through x (ints, strings, values
// of variables outside the function) is a constant: its derivative is zero.
//
// Types are read from the syntax alone: a function's parameters and the variables it
// declares. A variable whose type cannot be read (one defined from a global, or from an
// unknown call) is a constant, and may not receive a value that depends on x: the
// function is then unsupported rather than differentiated wrong.
package forward
