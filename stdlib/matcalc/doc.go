// Package matcalc is matrix calculus as MIT 18.S096 teaches it, on gonum.
//
// The derivative f'(x) of a function at a point is the linear operator with
//
//	f(x + dx) - f(x) = f'(x)[dx]   to first order in dx,
//
// and the second derivative f”(x) is the symmetric bilinear form with
//
//	f'(x + dx')[dx] - f'(x)[dx] = f''(x)[dx', dx]   to first order in dx'.
//
// D returns f'(x) as a *Linear, D2 returns f”(x) as a *Bilinear; Gradient, Jacobian,
// Hessian and HVP give their usual matrices and vectors. Points and directions are
// float64, []float64, *mat.VecDense or *mat.Dense, and functions are plain Go funcs from
// one of these kinds to one of these kinds (a parameter typed mat.Matrix or mat.Vector
// takes the matching point). Matrices enter coordinates column by column (vec stacks the
// columns, as in the course), so the Jacobian of A -> A² is I ⊗ A + Aᵀ ⊗ I.
//
// A derivative is exact when f comes with its tangent, matcalc.Exact(f, tangent): a Go
// function that computes f's value and, next to every float64, its derivatives, by the
// rules of package tangent (the notebook session generates tangents of a cell's
// functions). matcalc then differentiates in forward mode: a Jacobian, a gradient or a
// Hessian of n variables in one evaluation of the tangent along the n unit directions,
// exact up to the rounding of the rules' closed forms. The tangent's value must agree with
// f's, bit for bit, where matcalc knows f's: where it does not, or where the tangent has no
// rule for a function f calls (tangent.NoRule), the derivative is numerical. Exact
// derivatives are built for f from and to float64, []float64, *mat.Dense and
// *mat.VecDense (a parameter typed mat.Matrix or mat.Vector as well): matrices and their
// derivatives (tangent.Dense, tangent.VecDense) are seeded and read in vec coordinates,
// so the exact Jacobian of A -> A² is I ⊗ A + Aᵀ ⊗ I and the exact Hessian of det on
// 3×3 matrices is 9×9, both from one evaluation of the tangent.
//
// Otherwise (a plain func, or matcalc.Numerical(f, why)) the derivative is numerical:
// central differences extrapolated by Ridders' method on steps that follow f (steps where
// f is not finite, panics, or whose differences do not settle as a smooth f's do are left
// behind). On smooth, well-scaled functions first derivatives get about 12 correct digits
// and second derivatives about 9. Every result says which method made it and carries an
// honest error estimate (its Accuracy: "exact (forward mode)", or "numerical, 12.3 correct
// digits (error ≤ 4.1e-13)" with the reason it is not exact when known), and a numerical
// result whose estimate is above Tolerance (6 digits by default) is not returned at all:
// the call panics with what it found and what to try. Numerically and ForwardMode choose a
// method.
//
// Dual is the course's own way to a derivative in forward mode (Lecture 5): a dual number
// a + b·ε with ε² = 0, whose arithmetic carries derivatives by the sum, product, quotient
// and chain rules, so that a function written on Duals returns its exact derivative with
// its value. A tangent is the same idea along many directions at once, and to second order.
//
// The helpers course notebooks need beside gonum: Vec and Unvec (columns stacked), Kron,
// FrobeniusInner, Identity, seeded Randn, Rand and RandnVec, and the matrix functions
// Sqrtm, Logm, Sinm, Cosm and Expm.
//
// Programmer errors (a wrong kind, mismatched shapes, a value that is not finite) panic
// with a message prefixed "matcalc:" that names what was expected and what was given.
package matcalc
