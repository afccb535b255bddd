// Package tangent holds the derivative rules of forward-mode differentiation: the code
// that a notebook session generates for a cell's function f, its tangent, computes f's
// value and, next to every float64 v of f, a *T holding v's derivatives.
//
// Forward mode lets every value carry its derivative. A function is a chain of
// elementary steps, and by the chain rule its derivative is the product of the steps'
// derivatives, linear maps: f = φₘ ∘ ... ∘ φ₁ has f'(x) = φₘ'(...) ⋯ φ₁'(x). Applied to a
// direction dx from the right, the product is evaluated in the order the steps run: the
// tangent of the input is dx, and each step maps the tangents of its arguments to the
// tangent of its result (for z = x·y, dz = y·dx + x·dy). That is what the rules here do,
// one elementary operation each: Mul(x, dx, y, dy) is the tangent of x*y, Sin(x, dx) the
// tangent of math.Sin(x). The result is exact up to the rounding of the closed forms;
// there is no step size to choose.
//
// A T carries the derivatives along k directions at once, so that one evaluation gives
// k columns of a Jacobian: seeding the n coordinates of x with the n unit directions gives
// the whole Jacobian (or gradient) in one pass, at a cost that grows with n.
//
// At second order a T also carries the second derivatives along each pair of its
// directions: forward mode over forward mode, the arithmetic of hyper-dual numbers
// (gonum's num/hyperdual, with k directions instead of two). The rules are then the
// chain rule of second derivatives,
//
//	(φ∘x)'' = φ'(x)·x'' + φ''(x)·x'x'ᵀ,
//
// so a function of n variables seeded with its n unit directions gives its Hessian in one
// evaluation.
//
// A nil *T is the zero derivative, that of a constant: rules return nil when all their
// tangents are nil, so constants cost nothing. A T is never changed once made, so rules
// may share one and copying a *T copies a value.
//
// Where a function has no derivative at a point (math.Abs at 0, math.Max at a tie, math.Floor
// at an integer) and the derivative along the directions is not zero, a rule panics with a
// NotDifferentiable: it never returns a one-sided guess. A generated tangent panics with a
// NoRule when it meets a function it has no rule for; matcalc then differentiates
// numerically and says why.
//
// Programmer errors, such as combining tangents of different direction counts, panic with a
// message prefixed "tangent:".
//
// # Matrices
//
// The derivative of a gonum matrix is a matrix of tangents: a Dense beside a mat.Dense, a
// VecDense beside a mat.VecDense, and the interfaces Matrix and Vector beside mat.Matrix
// and mat.Vector; nil (a nil interface or a nil pointer) is the derivative of a constant
// matrix. Every method of Dense and VecDense that writes its receiver is the derivative of
// the gonum method of the same name, taking its operands each followed by its derivative,
// and is called just before it, while the operands still have the values the gonum method
// reads; the receiver may be one of them:
//
//	_Δc.Mul(&c, &_Δc, x, nil) // d(c x) = dc x, with c's old value
//	c.Mul(&c, x)
//
// The rules are the lectures' matrix differentials: d(AB) = dA B + A dB,
// d(A⁻¹) = -A⁻¹ dA A⁻¹, d(A⁻¹B) = A⁻¹(dB - dA A⁻¹B), d det A = det A tr(A⁻¹dA),
// d(xᵀy) = dxᵀy + xᵀdy, dλ = vᵀ dA v for an eigenvalue λ of a symmetric A with unit
// eigenvector v; and at second order the same formulas differentiated once more, as
// d²(A⁻¹)[u, v] = X(A_u X A_v + A_v X A_u - A_uv)X with X = A⁻¹. They compute the
// derivatives along each direction, and each pair of them, as matrices, with gonum's own
// products, factorizations and solves. Functions of matrices with a float64 value (Det,
// Trace, Dot, Inner, Sum, Norm) return its *T; At, AtVec and Transpose are the
// derivatives of a.At(i, j), x.AtVec(i) and a.T().
//
// Operands of the wrong shapes panic as gonum does (mat.ErrShape, ...). Where gonum returns
// an error for a singular matrix (Inverse, Solve), so does the rule, leaving a zero
// derivative; Det at a singular matrix, a least-squares Solve in its matrix and the norms
// other than 2 panic with a NoRule, a repeated eigenvalue with a NotDifferentiable.
package tangent
