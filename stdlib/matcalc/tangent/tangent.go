package tangent

import "fmt"

// T is the derivative part of a value: its first derivatives along k directions and, at
// second order, its second derivatives along each pair of them. A nil *T is the zero
// derivative (a constant). A T is never changed once made (rules return new ones), so
// copying a *T copies a value.
type T struct {
	first []float64
	// second holds the second derivatives as a packed lower triangle: the derivative
	// along directions i and j (j ≤ i) at i*(i+1)/2 + j. nil means zero.
	second []float64
	order2 bool
}

// New returns the tangent with first derivatives first (copied) along len(first)
// directions and, when second is true, second derivatives that are zero: the seed of an
// input coordinate.
func New(first []float64, second bool) *T {
	return &T{first: append([]float64{}, first...), order2: second}
}

// First returns the derivative along direction i; 0 for a nil T.
func (t *T) First(i int) float64 {
	if t == nil {
		return 0
	}
	return t.first[i]
}

// Second returns the second derivative along directions i and j (Second(i, j) ==
// Second(j, i)); 0 for a nil T and for a T of first order.
func (t *T) Second(i, j int) float64 {
	if t == nil || t.second == nil {
		return 0
	}
	if i >= len(t.first) || j >= len(t.first) {
		panic(fmt.Sprintf("tangent: Second(%d, %d) of a tangent along %d directions", i, j, len(t.first)))
	}
	if j > i {
		i, j = j, i
	}
	return t.second[i*(i+1)/2+j]
}

// Directions returns the number k of directions t carries derivatives along; 0 for nil.
func (t *T) Directions() int {
	if t == nil {
		return 0
	}
	return len(t.first)
}

// Order returns 2 for a tangent that carries second derivatives, 1 for one that does not,
// and 0 for nil.
func (t *T) Order() int {
	switch {
	case t == nil:
		return 0
	case t.order2:
		return 2
	}
	return 1
}

// String is the tangent's derivatives: "[1 0.5]" at first order, "[1 0.5; 0 0 2]" with
// the packed lower triangle of second derivatives.
func (t *T) String() string {
	switch {
	case t == nil:
		return "0"
	case !t.order2:
		return fmt.Sprint(t.first)
	}
	second := t.second
	if second == nil {
		second = make([]float64, packed(len(t.first)))
	}
	return fmt.Sprintf("%v; %v", t.first, second)
}

// NotDifferentiable is the panic value of a rule at a point where its function has no
// derivative along the directions in use: What names the function and the point, as in
// "math.Abs at 0".
type NotDifferentiable struct{ What string }

// Error returns "tangent: not differentiable: " and What.
func (e NotDifferentiable) Error() string { return "tangent: not differentiable: " + e.What }

// NoRule is the panic value of a generated tangent that cannot differentiate its
// function after all: Why says what stopped it ("f calls fmt.Sprint, which has no
// derivative rule"). matcalc differentiates such a function numerically, saying Why.
type NoRule struct{ Why string }

// Error returns "tangent: no derivative rule: " and Why.
func (e NoRule) Error() string { return "tangent: no derivative rule: " + e.Why }

// packed is the length of the packed lower triangle of a k×k matrix.
func packed(k int) int { return k * (k + 1) / 2 }

// same panics unless a and b (both non-nil) have the same directions and order.
func same(rule string, a, b *T) {
	if len(a.first) != len(b.first) {
		panic(fmt.Sprintf("tangent: %s: tangents along %d and %d directions", rule, len(a.first), len(b.first)))
	}
	if a.order2 != b.order2 {
		panic(fmt.Sprintf("tangent: %s: tangents of orders %d and %d", rule, a.Order(), b.Order()))
	}
}

// isZero reports whether t has no non-zero derivative.
func isZero(t *T) bool {
	if t == nil {
		return true
	}
	for _, v := range t.first {
		if v != 0 {
			return false
		}
	}
	for _, v := range t.second {
		if v != 0 {
			return false
		}
	}
	return true
}

// equal reports whether a and b are the same derivative.
func equal(a, b *T) bool {
	if a == nil || b == nil {
		return isZero(a) && isZero(b)
	}
	same("equal", a, b)
	for i := range a.first {
		if a.first[i] != b.first[i] {
			return false
		}
	}
	for i := 0; i < packed(len(a.first)) && (a.second != nil || b.second != nil); i++ {
		var av, bv float64
		if a.second != nil {
			av = a.second[i]
		}
		if b.second != nil {
			bv = b.second[i]
		}
		if av != bv {
			return false
		}
	}
	return true
}

// addScaled adds c·h to the packed triangle s (h nil: zero).
func addScaled(s []float64, c float64, h []float64) {
	if h == nil || c == 0 {
		return
	}
	for i, v := range h {
		s[i] += c * v
	}
}

// addOuter adds c·g gᵀ to the packed triangle s.
func addOuter(s []float64, c float64, g []float64) {
	if c == 0 {
		return
	}
	for i, gi := range g {
		if gi == 0 {
			continue
		}
		ci, row := c*gi, s[packed(i):]
		for j, gj := range g[:i+1] {
			row[j] += ci * gj
		}
	}
}

// addSymOuter adds c·(a bᵀ + b aᵀ) to the packed triangle s.
func addSymOuter(s []float64, c float64, a, b []float64) {
	if c == 0 {
		return
	}
	for i := range a {
		ai, bi := a[i], b[i]
		if ai == 0 && bi == 0 {
			continue
		}
		row := s[packed(i):]
		for j := 0; j <= i; j++ {
			row[j] += c * (ai*b[j] + bi*a[j])
		}
	}
}

// Unary returns the tangent of φ(x) for x's tangent dx, with d1 = φ'(x) and d2 = φ”(x):
// first derivatives φ'·dx, second φ'·Hx + φ”·gx gxᵀ, where gx and Hx are dx's first and
// second derivatives.
func Unary(dx *T, d1, d2 float64) *T {
	if dx == nil {
		return nil
	}
	if d1 == 1 && d2 == 0 {
		return dx
	}
	r := &T{first: make([]float64, len(dx.first)), order2: dx.order2}
	for i, v := range dx.first {
		r.first[i] = d1 * v
	}
	if dx.order2 && (dx.second != nil || d2 != 0) {
		r.second = make([]float64, packed(len(dx.first)))
		addScaled(r.second, d1, dx.second)
		addOuter(r.second, d2, dx.first)
	}
	return r
}

// Binary returns the tangent of φ(x, y) for the tangents dx and dy, with fx, fy the first
// partial derivatives of φ at (x, y) and fxx, fxy, fyy the second:
// first fx·dx + fy·dy, second fx·Hx + fy·Hy + fxx·gx gxᵀ + fxy·(gx gyᵀ + gy gxᵀ) + fyy·gy gyᵀ.
func Binary(dx, dy *T, fx, fy, fxx, fxy, fyy float64) *T {
	return binary("Binary", dx, dy, fx, fy, fxx, fxy, fyy)
}

// binary is Binary, naming the rule name in its panics.
func binary(name string, dx, dy *T, fx, fy, fxx, fxy, fyy float64) *T {
	switch {
	case dx == nil && dy == nil:
		return nil
	case dy == nil:
		return Unary(dx, fx, fxx)
	case dx == nil:
		return Unary(dy, fy, fyy)
	}
	same(name, dx, dy)
	r := &T{first: make([]float64, len(dx.first)), order2: dx.order2}
	for i := range r.first {
		r.first[i] = fx*dx.first[i] + fy*dy.first[i]
	}
	if dx.order2 {
		r.second = make([]float64, packed(len(dx.first)))
		addScaled(r.second, fx, dx.second)
		addScaled(r.second, fy, dy.second)
		addOuter(r.second, fxx, dx.first)
		addSymOuter(r.second, fxy, dx.first, dy.first)
		addOuter(r.second, fyy, dy.first)
	}
	return r
}

// Add returns the tangent of x + y.
func Add(dx, dy *T) *T {
	switch {
	case dx == nil:
		return dy
	case dy == nil:
		return dx
	}
	return binary("Add", dx, dy, 1, 1, 0, 0, 0)
}

// Sub returns the tangent of x - y.
func Sub(dx, dy *T) *T {
	if dy == nil {
		return dx
	}
	return binary("Sub", dx, dy, 1, -1, 0, 0, 0)
}

// Neg returns the tangent of -x.
func Neg(dx *T) *T { return Unary(dx, -1, 0) }

// Mul returns the tangent of x*y: y·dx + x·dy, and at second order y·Hx + x·Hy + dx dyᵀ + dy dxᵀ.
func Mul(x float64, dx *T, y float64, dy *T) *T { return binary("Mul", dx, dy, y, x, 0, 1, 0) }

// Quo returns the tangent of x/y: with z = x/y, dz = (dx - z·dy)/y, and at second order
// Hz = (Hx - z·Hy - dz dyᵀ - dy dzᵀ)/y, which divide once rather than form 1/y².
func Quo(x float64, dx *T, y float64, dy *T) *T {
	if dx == nil && dy == nil {
		return nil
	}
	if dx != nil && dy != nil {
		same("Quo", dx, dy)
	}
	ref := dx
	if ref == nil {
		ref = dy
	}
	z, k := x/y, len(ref.first)
	r := &T{first: make([]float64, k), order2: ref.order2}
	for i := range r.first {
		var gx, gy float64
		if dx != nil {
			gx = dx.first[i]
		}
		if dy != nil {
			gy = dy.first[i]
		}
		r.first[i] = (gx - z*gy) / y
	}
	if !ref.order2 {
		return r
	}
	if dy == nil {
		if dx.second != nil {
			r.second = make([]float64, packed(k))
			for i, v := range dx.second {
				r.second[i] = v / y
			}
		}
		return r
	}
	s := make([]float64, packed(k))
	if dx != nil {
		addScaled(s, 1, dx.second)
	}
	addScaled(s, -z, dy.second)
	addSymOuter(s, -1, r.first, dy.first)
	for i := range s {
		s[i] /= y
	}
	r.second = s
	return r
}
