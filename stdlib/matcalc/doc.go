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
// Go functions cannot be differentiated symbolically, so every derivative is numerical:
// central differences extrapolated by Ridders' method on steps that follow f (steps where
// f is not finite, panics, or whose differences do not settle as a smooth f's do are left
// behind). On smooth, well-scaled functions first derivatives get about 12 correct digits
// and second derivatives about 9. Every result carries an honest error estimate (its
// Accuracy), and a result whose estimate is above Tolerance (6 digits by default) is not
// returned at all: the call panics with what it found and what to try.
//
// Dual is the course's other way to a derivative, forward mode (Lecture 5): a dual number
// a + b·ε with ε² = 0, whose arithmetic carries derivatives by the sum, product, quotient
// and chain rules, so that a function written on Duals returns its exact derivative with
// its value. D and the functions above do not use it: they differentiate numerically.
//
// The helpers course notebooks need beside gonum: Vec and Unvec (columns stacked), Kron,
// FrobeniusInner, Identity, seeded Randn, Rand and RandnVec, and the matrix functions
// Sqrtm, Logm, Sinm, Cosm and Expm.
//
// Programmer errors (a wrong kind, mismatched shapes, a value that is not finite) panic
// with a message prefixed "matcalc:" that names what was expected and what was given.
package matcalc
