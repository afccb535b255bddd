package tangent

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The matrix rules against the lectures' closed forms, which the tests compute with
// gonum from the formulas, not through the rules.

// randDense returns an r×c matrix of fixed pseudo-random normal entries.
func randDense(r, c int, seed uint64) *mat.Dense {
	g := rand.New(rand.NewPCG(seed, 18096))
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, g.NormFloat64())
		}
	}
	return m
}

func randVec(n int, seed uint64) *mat.VecDense {
	return mat.NewVecDense(n, randDense(n, 1, seed).RawMatrix().Data)
}

// seedDense returns the tangent of an r×c matrix seeded with the unit directions of its
// vec coordinates (column by column): entry (i, j) moves along direction j*r + i. offset
// and k place them among k directions in all.
func seedDense(r, c, offset, k int, order2 bool) *Dense {
	e := make([]*T, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			g := make([]float64, k)
			g[offset+j*r+i] = 1
			e[i*c+j] = New(g, order2)
		}
	}
	return NewDense(r, c, nil, e)
}

func seedVec(n, offset, k int, order2 bool) *VecDense {
	e := make([]*T, n)
	for i := range e {
		g := make([]float64, k)
		g[offset+i] = 1
		e[i] = New(g, order2)
	}
	return NewVecDense(n, nil, e)
}

// jacobian returns the Jacobian in vec coordinates of a result whose tangent is d, along k
// directions.
func jacobian(d Matrix, k int) *mat.Dense {
	r, c := d.Dims()
	j := mat.NewDense(r*c, k, nil)
	for p := 0; p < r; p++ {
		for q := 0; q < c; q++ {
			for u := 0; u < k; u++ {
				j.Set(q*r+p, u, d.At(p, q).First(u))
			}
		}
	}
	return j
}

// secondAlong returns the matrix of second derivatives of the result with tangent d along
// directions u and v.
func secondAlong(d Matrix, u, v int) *mat.Dense {
	r, c := d.Dims()
	m := mat.NewDense(r, c, nil)
	for p := 0; p < r; p++ {
		for q := 0; q < c; q++ {
			m.Set(p, q, d.At(p, q).Second(u, v))
		}
	}
	return m
}

// unit returns E_u, the n×n matrix with a 1 at vec coordinate u.
func unit(r, c, u int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	m.Set(u%r, u/r, 1)
	return m
}

// relErr is the largest entry of got - want relative to want's largest entry (1 when
// want is zero).
func relErr(got, want mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(got, want)
	w := mat.Norm(want, math.Inf(1))
	if w == 0 {
		w = 1
	}
	return mat.Norm(&d, math.Inf(1)) / w
}

func wantClose(t *testing.T, what string, got, want mat.Matrix, tol float64) {
	t.Helper()
	if e := relErr(got, want); e > tol {
		t.Errorf("%s: relative error %.2g > %.2g\ngot  %v\nwant %v", what, e, tol, mat.Formatted(got, mat.Squeeze()), mat.Formatted(want, mat.Squeeze()))
	}
}

func product(ms ...mat.Matrix) *mat.Dense {
	p := mat.DenseCopyOf(ms[0])
	for _, m := range ms[1:] {
		p = mul(p, m)
	}
	return p
}

func TestSquare(t *testing.T) {
	const n = 3
	a := randDense(n, n, 1)
	da := seedDense(n, n, 0, n*n, true)
	var dsq Dense
	dsq.Mul(a, da, a, da)
	// The Jacobian of A² in vec coordinates is I ⊗ A + Aᵀ ⊗ I.
	var want, kt mat.Dense
	id := mat.NewDiagDense(n, []float64{1, 1, 1})
	want.Kronecker(id, a)
	kt.Kronecker(a.T(), id)
	want.Add(&want, &kt)
	wantClose(t, "Jacobian of A²", jacobian(&dsq, n*n), &want, ulps)
	// The second derivative along E_u and E_v is E_u E_v + E_v E_u.
	for u := 0; u < n*n; u++ {
		for v := 0; v < n*n; v++ {
			var w mat.Dense
			eu, ev := unit(n, n, u), unit(n, n, v)
			w.Add(mul(eu, ev), mul(ev, eu))
			if got := secondAlong(&dsq, u, v); !mat.Equal(got, &w) {
				t.Fatalf("second derivative of A² along %d, %d: %v", u, v, mat.Formatted(got))
			}
		}
	}
	// Pow(a, 2) is the same.
	var dp Dense
	dp.Pow(a, da, 2)
	wantClose(t, "Jacobian of Pow(A, 2)", jacobian(&dp, n*n), &want, ulps)
}

// TestAliasing is c.Mul(&c, X) as a session generates it: the derivative first, reading
// c's old value, into the receiver that is also an operand.
func TestAliasing(t *testing.T) {
	const n = 3
	a, x := randDense(n, n, 2), randDense(n, n, 3)
	c := mat.DenseCopyOf(a)
	dc := seedDense(n, n, 0, n*n, false)
	dc.Mul(c, dc, x, nil)
	c.Mul(c, x)
	// d(A X) = dA X: the Jacobian is Xᵀ ⊗ I.
	var want mat.Dense
	want.Kronecker(x.T(), mat.NewDiagDense(n, []float64{1, 1, 1}))
	wantClose(t, "Jacobian of c.Mul(c, X)", jacobian(dc, n*n), &want, ulps)
	// c.Mul(c, c): c² with c's old value on both sides.
	c = mat.DenseCopyOf(a)
	dc = seedDense(n, n, 0, n*n, false)
	dc.Mul(c, dc, c, dc)
	c.Mul(mat.DenseCopyOf(c), c)
	var sq Dense
	sq.Mul(a, seedDense(n, n, 0, n*n, false), a, seedDense(n, n, 0, n*n, false))
	wantClose(t, "c.Mul(c, c)", jacobian(dc, n*n), jacobian(&sq, n*n), 0)
	// A receiver made by NewDense writes into its storage, as gonum's does.
	store := make([]*T, n*n)
	r := NewDense(n, n, nil, store)
	r.Add(a, seedDense(n, n, 0, n*n, false), a, nil)
	if store[4] == nil || store[4].First(4) != 1 {
		t.Errorf("Add did not write into the receiver's storage: %v", store)
	}
}

func TestInverse(t *testing.T) {
	const n = 3
	a := randDense(n, n, 4)
	var x mat.Dense
	if err := x.Inverse(a); err != nil {
		t.Fatal(err)
	}
	var dx Dense
	if err := dx.Inverse(a, seedDense(n, n, 0, n*n, true)); err != nil {
		t.Fatal(err)
	}
	// d(A⁻¹) = -A⁻¹ dA A⁻¹: the Jacobian is -(A⁻ᵀ ⊗ A⁻¹).
	var want mat.Dense
	want.Kronecker(x.T(), &x)
	want.Scale(-1, &want)
	wantClose(t, "Jacobian of A⁻¹", jacobian(&dx, n*n), &want, ulps)
	// Second: X (E_u X E_v + E_v X E_u) X.
	worst := 0.0
	for u := 0; u < n*n; u++ {
		for v := 0; v < n*n; v++ {
			eu, ev := unit(n, n, u), unit(n, n, v)
			var w mat.Dense
			w.Add(product(&x, eu, &x, ev, &x), product(&x, ev, &x, eu, &x))
			worst = math.Max(worst, relErr(secondAlong(&dx, u, v), &w))
		}
	}
	if worst > ulps {
		t.Errorf("second derivative of A⁻¹: relative error %.2g", worst)
	}
	// A singular matrix: gonum's error, and a zero derivative.
	s := mat.NewDense(2, 2, []float64{1, 2, 2, 4})
	var ds Dense
	var xs mat.Dense
	err, want2 := ds.Inverse(s, seedDense(2, 2, 0, 4, false)), xs.Inverse(s)
	if err == nil || err.Error() != want2.Error() || ds.At(0, 0) != nil {
		t.Errorf("singular: %v (gonum: %v), %v", err, want2, ds.At(0, 0))
	}
}

func TestDet(t *testing.T) {
	const n = 3
	a := randDense(n, n, 5)
	var x mat.Dense
	if err := x.Inverse(a); err != nil {
		t.Fatal(err)
	}
	det := mat.Det(a)
	d := Det(a, seedDense(n, n, 0, n*n, true))
	// The gradient is det(A) A⁻ᵀ, in vec coordinates; the Hessian
	// det A (tr(X E_u) tr(X E_v) - tr(X E_u X E_v)) = det A (X_ji X_lk - X_li X_jk) for
	// u = (i, j), v = (k, l).
	g, wg := mat.NewDense(n, n, nil), mat.NewDense(n, n, nil)
	h, wh := mat.NewDense(n*n, n*n, nil), mat.NewDense(n*n, n*n, nil)
	for u := 0; u < n*n; u++ {
		i, j := u%n, u/n
		g.Set(i, j, d.First(u))
		wg.Set(i, j, det*x.At(j, i))
		for v := 0; v < n*n; v++ {
			k, l := v%n, v/n
			h.Set(u, v, d.Second(u, v))
			wh.Set(u, v, det*(x.At(j, i)*x.At(l, k)-x.At(l, i)*x.At(j, k)))
		}
	}
	wantClose(t, "gradient of det", g, wg, ulps)
	wantClose(t, "Hessian of det", h, wh, ulps)
	if Det(a, nil) != nil || Det(a, (*Dense)(nil)) != nil {
		t.Error("det of a constant matrix has a derivative")
	}
	if r := panicOf(func() { Det(mat.NewDense(2, 2, []float64{1, 2, 2, 4}), seedDense(2, 2, 0, 4, false)) }); r == nil {
		t.Error("det at a singular matrix did not panic")
	} else if _, ok := r.(NoRule); !ok {
		t.Errorf("det at a singular matrix: %v", r)
	}
}

// checkScalar compares the gradient and Hessian that d carries along k directions with
// closed forms.
func checkScalar(t *testing.T, what string, d *T, g *mat.VecDense, h mat.Matrix, tol float64) {
	t.Helper()
	k := g.Len()
	gg, hh := mat.NewVecDense(k, nil), mat.NewDense(k, k, nil)
	for u := 0; u < k; u++ {
		gg.SetVec(u, d.First(u))
		for v := 0; v < k; v++ {
			hh.Set(u, v, d.Second(u, v))
		}
	}
	wantClose(t, what+": gradient", gg, g, tol)
	wantClose(t, what+": Hessian", hh, h, tol)
}

func TestQuadraticForm(t *testing.T) {
	const n = 4
	a, x := randDense(n, n, 6), randVec(n, 7)
	dx := seedVec(n, 0, n, true)
	var sym mat.Dense
	sym.Add(a, a.T())
	var g mat.VecDense
	g.MulVec(&sym, x)
	checkScalar(t, "xᵀAx by Inner", Inner(x, dx, a, nil, x, dx), &g, &sym, ulps)
	// By MulVec and Dot, as a cell writes it.
	var ax mat.VecDense
	var dax VecDense
	dax.MulVec(a, nil, x, dx)
	ax.MulVec(a, x)
	checkScalar(t, "xᵀAx by Dot", Dot(x, dx, &ax, &dax), &g, &sym, ulps)
}

func TestLeastSquares(t *testing.T) {
	const m, n = 5, 3
	a, b, x := randDense(m, n, 8), randVec(m, 9), randVec(n, 10)
	dx := seedVec(n, 0, n, true)
	// r = Ax - b; f = r·r.
	var r mat.VecDense
	var dr VecDense
	dr.MulVec(a, nil, x, dx)
	r.MulVec(a, x)
	dr.SubVec(&r, &dr, b, nil)
	r.SubVec(&r, b)
	// Gradient 2Aᵀ(Ax - b), Hessian 2AᵀA.
	var g mat.VecDense
	g.MulVec(a.T(), &r)
	g.ScaleVec(2, &g)
	var h mat.Dense
	h.Mul(a.T(), a)
	h.Scale(2, &h)
	checkScalar(t, "‖Ax - b‖²", Dot(&r, &dr, &r, &dr), &g, &h, ulps)
	// ‖Ax - b‖ by Norm: gradient Aᵀr/‖r‖, Hessian (AᵀA - ggᵀ)/‖r‖ with g that gradient.
	nr := mat.Norm(&r, 2)
	var g1 mat.VecDense
	g1.ScaleVec(0.5/nr, &g)
	var h1, gg mat.Dense
	h1.Scale(0.5/nr, &h)
	gg.Outer(1/nr, &g1, &g1)
	h1.Sub(&h1, &gg)
	checkScalar(t, "‖Ax - b‖", Norm(&r, &dr, 2), &g1, &h1, ulps)
	if r := panicOf(func() { Norm(&r, &dr, 1) }); r != (NoRule{"mat.Norm with norm 1 has no derivative rule (only 2 has)"}) {
		t.Errorf("Norm 1: %v", r)
	}
	z := mat.NewVecDense(2, nil)
	if r := panicOf(func() { Norm(z, seedVec(2, 0, 2, false), 2) }); r != (NotDifferentiable{"mat.Norm at 0"}) {
		t.Errorf("Norm at 0: %v", r)
	}
}

func TestTraceCube(t *testing.T) {
	const n = 3
	x := randDense(n, n, 11)
	dx := seedDense(n, n, 0, n*n, false)
	var x2, x3 mat.Dense
	var dx2, dx3 Dense
	dx2.Mul(x, dx, x, dx)
	x2.Mul(x, x)
	dx3.Mul(&x2, &dx2, x, dx)
	x3.Mul(&x2, x)
	d := Trace(&x3, &dx3)
	// The gradient of tr(X³) is 3(X²)ᵀ.
	g := mat.NewDense(n, n, nil)
	for u := 0; u < n*n; u++ {
		g.Set(u%n, u/n, d.First(u))
	}
	var want mat.Dense
	want.Scale(3, x2.T())
	wantClose(t, "gradient of tr(X³)", g, &want, ulps)
	// Sum: the gradient of the sum of X's entries is all ones.
	s := Sum(x, dx)
	for u := 0; u < n*n; u++ {
		if s.First(u) != 1 {
			t.Fatalf("Sum: %v", s)
		}
	}
}

func TestSolve(t *testing.T) {
	const n, m = 3, 2
	a, b := randDense(n, n, 12), randDense(n, m, 13)
	k := n*n + n*m
	da, db := seedDense(n, n, 0, k, true), seedDense(n, m, n*n, k, true)
	var x, ainv mat.Dense
	if err := x.Solve(a, b); err != nil {
		t.Fatal(err)
	}
	ainv.Inverse(a)
	var dx Dense
	if err := dx.Solve(a, da, b, db); err != nil {
		t.Fatal(err)
	}
	// dX = A⁻¹(dB - dA X): the Jacobian is [-(Xᵀ ⊗ A⁻¹), I ⊗ A⁻¹].
	var ja, jb mat.Dense
	ja.Kronecker(x.T(), &ainv)
	ja.Scale(-1, &ja)
	jb.Kronecker(mat.NewDiagDense(m, []float64{1, 1}), &ainv)
	want := mat.NewDense(n*m, k, nil)
	want.Slice(0, n*m, 0, n*n).(*mat.Dense).Copy(&ja)
	want.Slice(0, n*m, n*n, k).(*mat.Dense).Copy(&jb)
	wantClose(t, "Jacobian of A⁻¹B", jacobian(&dx, k), want, ulps)
	// Second: along E_u, E_v of A, A⁻¹(E_u A⁻¹ E_v + E_v A⁻¹ E_u) X; along E_u of A and
	// F_v of B, -A⁻¹ E_u A⁻¹ F_v; along two of B, 0.
	worst := 0.0
	for u := 0; u < k; u++ {
		for v := 0; v < k; v++ {
			var w mat.Dense
			switch {
			case u < n*n && v < n*n:
				eu, ev := unit(n, n, u), unit(n, n, v)
				w.Add(product(&ainv, eu, &ainv, ev, &x), product(&ainv, ev, &ainv, eu, &x))
			case u < n*n:
				w.Scale(-1, product(&ainv, unit(n, n, u), &ainv, unit(n, m, v-n*n)))
			case v < n*n:
				w.Scale(-1, product(&ainv, unit(n, n, v), &ainv, unit(n, m, u-n*n)))
			default:
				w.ReuseAs(n, m)
			}
			if e := relErr(secondAlong(&dx, u, v), &w); e > worst {
				worst = e
			}
		}
	}
	if worst > ulps {
		t.Errorf("second derivative of A⁻¹B: relative error %.2g", worst)
	}
	// A singular matrix: gonum's error, and a zero derivative.
	sing := mat.NewDense(2, 2, []float64{1, 2, 2, 4})
	var ds Dense
	var xs mat.Dense
	if err, want := ds.Solve(sing, seedDense(2, 2, 0, 4, false), mat.NewDense(2, 1, []float64{1, 1}), nil), xs.Solve(sing, mat.NewDense(2, 1, []float64{1, 1})); err == nil || err.Error() != want.Error() || ds.At(0, 0) != nil {
		t.Errorf("singular: %v (gonum: %v), %v", err, want, ds.At(0, 0))
	}
	// SolveVec agrees with Solve on a column.
	bv := mat.NewVecDense(n, mat.Col(nil, 0, b))
	dbv := seedVec(n, 0, n, false)
	var dxv VecDense
	if err := dxv.SolveVec(a, nil, bv, dbv); err != nil {
		t.Fatal(err)
	}
	wantClose(t, "Jacobian of A⁻¹b", jacobian(&dxv, n), &ainv, ulps)
	// A least-squares solve differentiates through b only.
	tall := randDense(4, 2, 14)
	var dls VecDense
	if err := dls.SolveVec(tall, nil, randVec(4, 15), seedVec(4, 0, 4, false)); err != nil {
		t.Fatal(err)
	}
	var pinv, ata mat.Dense
	ata.Mul(tall.T(), tall)
	ata.Inverse(&ata)
	pinv.Mul(&ata, tall.T())
	wantClose(t, "Jacobian of the least-squares solution in b", jacobian(&dls, 4), &pinv, ulps)
	if r := panicOf(func() { dls.SolveVec(tall, seedDense(4, 2, 0, 8, false), randVec(4, 15), nil) }); r == nil {
		t.Error("least squares in A did not panic")
	} else if _, ok := r.(NoRule); !ok {
		t.Errorf("least squares in A: %v", r)
	}
}

// sym2 returns the 2×2 symmetric matrix [a b; b c] and its tangent along the three
// directions of (a, b, c).
func sym2(a, b, c float64) (*mat.SymDense, *Dense) {
	da, db, dc := New([]float64{1, 0, 0}, true), New([]float64{0, 1, 0}, true), New([]float64{0, 0, 1}, true)
	return mat.NewSymDense(2, []float64{a, b, b, c}), NewDense(2, 2, nil, []*T{da, db, db, dc})
}

func TestEigenSym(t *testing.T) {
	// λ± = m ± r with m = (a+c)/2, r = √(d² + b²), d = (a-c)/2.
	a, b, c := 1.3, -0.4, 0.2
	s, ds := sym2(a, b, c)
	var e EigenSym
	if !e.Factorize(s, ds, false) {
		t.Fatal("Factorize failed")
	}
	d := (a - c) / 2
	r := math.Hypot(d, b)
	r3 := r * r * r
	gr := mat.NewVecDense(3, []float64{d / (2 * r), b / r, -d / (2 * r)})
	hr := mat.NewDense(3, 3, []float64{
		b * b / (4 * r3), -d * b / (2 * r3), -b * b / (4 * r3),
		-d * b / (2 * r3), d * d / r3, d * b / (2 * r3),
		-b * b / (4 * r3), d * b / (2 * r3), b * b / (4 * r3),
	})
	vals := e.Values()
	for i, sign := range []float64{-1, 1} {
		var g mat.VecDense
		g.AddScaledVec(mat.NewVecDense(3, []float64{0.5, 0, 0.5}), sign, gr)
		var h mat.Dense
		h.Scale(sign, hr)
		checkScalar(t, []string{"λ-", "λ+"}[i], vals[i], &g, &h, ulps)
	}
	// A 4×4 matrix: dλ = vᵀ dA v against central differences along a direction.
	const n = 4
	m := randDense(n, n, 16)
	var sm mat.SymDense
	sm.SymOuterK(1, m)
	dir := randDense(n, n, 17)
	dir.Add(dir, dir.T())
	dd := make([]*T, n*n)
	for i := range dd {
		dd[i] = New([]float64{dir.RawMatrix().Data[i]}, false)
	}
	if !e.Factorize(&sm, NewDense(n, n, nil, dd), true) {
		t.Fatal("Factorize failed")
	}
	at := func(h float64) []float64 {
		var p mat.SymDense
		p.SymOuterK(1, m)
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				p.SetSym(i, j, p.At(i, j)+h*dir.At(i, j))
			}
		}
		var es mat.EigenSym
		es.Factorize(&p, false)
		return es.Values(nil)
	}
	const h = 1e-5
	plus, minus := at(h), at(-h)
	for i, v := range e.Values() {
		if fd := (plus[i] - minus[i]) / (2 * h); math.Abs(v.First(0)-fd) > 1e-8*math.Max(1, math.Abs(fd)) {
			t.Errorf("λ%d: %v, differences %v", i, v.First(0), fd)
		}
	}
	// A repeated eigenvalue.
	id := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	if r := panicOf(func() { e.Factorize(id, NewDense(2, 2, nil, []*T{New([]float64{1}, false), nil, nil, nil}), false) }); r == nil {
		t.Error("no panic at a repeated eigenvalue")
	} else if _, ok := r.(NotDifferentiable); !ok {
		t.Errorf("repeated eigenvalue: %v", r)
	}
	if !e.Factorize(id, nil, false) || len(e.Values()) != 2 || e.Values()[0] != nil {
		t.Errorf("constant matrix with a repeated eigenvalue: %v", e.Values())
	}
}

func TestElementwise(t *testing.T) {
	a, b := randDense(2, 3, 18), randDense(2, 3, 19)
	da, db := seedDense(2, 3, 0, 12, true), seedDense(2, 3, 6, 12, true)
	f, df := 1.5, New(make([]float64, 12), true)
	var prod, quo, sum, diff, scaled Dense
	prod.MulElem(a, da, b, db)
	quo.DivElem(a, da, b, db)
	sum.Add(a, da, b, db)
	diff.Sub(a, da, b, db)
	scaled.Scale(f, df, a, da)
	for i := 0; i < 2; i++ {
		for j := 0; j < 3; j++ {
			x, dx, y, dy := a.At(i, j), da.At(i, j), b.At(i, j), db.At(i, j)
			for _, c := range []struct {
				name      string
				got, want *T
			}{
				{"MulElem", prod.At(i, j), Mul(x, dx, y, dy)},
				{"DivElem", quo.At(i, j), Quo(x, dx, y, dy)},
				{"Add", sum.At(i, j), Add(dx, dy)},
				{"Sub", diff.At(i, j), Sub(dx, dy)},
				{"Scale", scaled.At(i, j), Mul(f, df, x, dx)},
			} {
				if !equal(c.got, c.want) {
					t.Errorf("%s (%d, %d): %v, want %v", c.name, i, j, c.got, c.want)
				}
			}
		}
	}
	// Vectors.
	x, y := randVec(3, 20), randVec(3, 21)
	var outer Dense
	dxo, dyo := seedVec(3, 0, 6, true), seedVec(3, 3, 6, true)
	outer.Outer(2, nil, x, dxo, y, dyo)
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			if want := Mul(2*x.AtVec(i), Mul(2, nil, x.AtVec(i), dxo.AtVec(i)), y.AtVec(j), dyo.AtVec(j)); !equal(outer.At(i, j), want) {
				t.Errorf("Outer (%d, %d): %v, want %v", i, j, outer.At(i, j), want)
			}
		}
	}
	dx, dy := seedVec(3, 0, 6, false), seedVec(3, 3, 6, false)
	alpha, dalpha := 0.7, New([]float64{1, 1, 1, 1, 1, 1}, false)
	var as, sv, mv VecDense
	as.AddScaledVec(x, dx, alpha, dalpha, y, dy)
	sv.ScaleVec(alpha, dalpha, x, nil)
	mv.MulElemVec(x, dx, y, dy)
	for i := 0; i < 3; i++ {
		if want := Add(dx.AtVec(i), Mul(alpha, dalpha, y.AtVec(i), dy.AtVec(i))); !equal(as.AtVec(i), want) {
			t.Errorf("AddScaledVec %d: %v, want %v", i, as.AtVec(i), want)
		}
		if want := Mul(alpha, dalpha, x.AtVec(i), nil); !equal(sv.AtVec(i), want) {
			t.Errorf("ScaleVec %d: %v, want %v", i, sv.AtVec(i), want)
		}
		if want := Mul(x.AtVec(i), dx.AtVec(i), y.AtVec(i), dy.AtVec(i)); !equal(mv.AtVec(i), want) {
			t.Errorf("MulElemVec %d: %v, want %v", i, mv.AtVec(i), want)
		}
	}
	// Set, At, Transpose, CloneFrom, DenseCopyOf.
	var m Dense
	m.CloneFrom(a, da)
	m.Set(1, 2, 0, nil)
	if m.At(1, 2) != nil || m.At(0, 1) != da.At(0, 1) {
		t.Error("Set or CloneFrom")
	}
	tr := Transpose(&m)
	if r, c := tr.Dims(); r != 3 || c != 2 || tr.At(1, 0) != da.At(0, 1) || Transpose(tr) != Matrix(&m) {
		t.Error("Transpose")
	}
	if cp := DenseCopyOf(a.T(), tr); cp.At(1, 0) != da.At(0, 1) {
		t.Error("DenseCopyOf")
	}
	var v VecDense
	v.CloneFromVec(x, dx)
	v.SetVec(0, 1, nil)
	if v.AtVec(0) != nil || AtVec(&v, 1) != dx.AtVec(1) || At(&v, 2, 0) != dx.AtVec(2) || v.Len() != 3 {
		t.Error("SetVec or CloneFromVec")
	}
}

// TestZeroTangents runs every rule with zero derivatives in all their forms: the results
// are zero, and a nil receiver takes them.
func TestZeroTangents(t *testing.T) {
	a, b := randDense(3, 3, 22), randDense(3, 3, 23)
	x := randVec(3, 24)
	zeros := []Matrix{nil, (*Dense)(nil), (*VecDense)(nil), &Dense{}, NewDense(3, 3, nil, nil), NewDense(3, 3, nil, make([]*T, 9))}
	vzeros := []Vector{nil, (*VecDense)(nil), &VecDense{}, NewVecDense(3, nil, nil), NewVecDense(3, nil, make([]*T, 3))}
	for zi, z := range zeros {
		for _, m := range []*Dense{nil, {}, NewDense(3, 3, nil, nil)} {
			m.Mul(a, z, b, z)
			m.Add(a, z, b, z)
			m.Sub(a, z, b, z)
			m.MulElem(a, z, b, z)
			m.DivElem(a, z, b, z)
			m.Scale(2, nil, a, z)
			m.Pow(a, z, 3)
			m.CloneFrom(a, z)
			m.Set(0, 0, 1, nil)
			if err := m.Inverse(a, z); err != nil {
				t.Fatal(err)
			}
			if err := m.Solve(a, z, b, z); err != nil {
				t.Fatal(err)
			}
			if m != nil {
				if r, c := m.Dims(); r != 3 || c != 3 || m.At(1, 1) != nil {
					t.Errorf("zero %d: %v", zi, m)
				}
			}
		}
		if Det(a, z) != nil || Trace(a, z) != nil || Sum(a, z) != nil || Norm(a, z, 2) != nil || At(z, 0, 0) != nil || Transpose(z) != nil && Transpose(z).At(0, 0) != nil {
			t.Errorf("zero %d: a scalar has a derivative", zi)
		}
		var e EigenSym
		var s mat.SymDense
		s.SymOuterK(1, a)
		if !e.Factorize(&s, z, false) || e.Values()[2] != nil {
			t.Errorf("zero %d: EigenSym", zi)
		}
	}
	for zi, z := range vzeros {
		for _, v := range []*VecDense{nil, {}, NewVecDense(3, nil, nil)} {
			v.MulVec(a, nil, x, z)
			v.AddVec(x, z, x, z)
			v.SubVec(x, z, x, z)
			v.ScaleVec(2, nil, x, z)
			v.AddScaledVec(x, z, 2, nil, x, z)
			v.MulElemVec(x, z, x, z)
			v.CloneFromVec(x, z)
			v.SetVec(0, 1, nil)
			if err := v.SolveVec(a, nil, x, z); err != nil {
				t.Fatal(err)
			}
			if v != nil && (v.Len() != 3 || v.AtVec(1) != nil) {
				t.Errorf("zero %d: %v", zi, v)
			}
		}
		if Dot(x, z, x, z) != nil || Inner(x, z, a, nil, x, z) != nil || AtVec(z, 1) != nil {
			t.Errorf("zero %d: a scalar has a derivative", zi)
		}
	}
	// A nil receiver cannot hold a derivative that is not zero.
	var m *Dense
	if r := panicOf(func() { m.Add(a, seedDense(3, 3, 0, 9, false), b, nil) }); r != "tangent: Dense.Add: a nil *Dense cannot hold a non-zero derivative" {
		t.Errorf("nil receiver: %v", r)
	}
}

func TestMatrixMismatch(t *testing.T) {
	a := randDense(2, 2, 25)
	two, three := seedDense(2, 2, 0, 4, false), seedDense(2, 2, 0, 5, false)
	second := seedDense(2, 2, 0, 4, true)
	var m Dense
	for _, c := range []struct {
		want string
		f    func()
	}{
		{"tangent: Mul: tangents along 4 and 5 directions", func() { m.Mul(a, two, a, three) }},
		{"tangent: Mul: tangents of orders 1 and 2", func() { m.Mul(a, two, a, second) }},
		{"tangent: Add: tangents along 4 and 5 directions", func() { m.Add(a, two, a, three) }},
		{"tangent: Det: a 3×3 derivative of a 2×2 matrix", func() { Det(a, seedDense(3, 3, 0, 9, false)) }},
	} {
		if r, _ := panicOf(c.f).(string); r != c.want {
			t.Errorf("panicked with %q, want %q", r, c.want)
		}
	}
	// Operands of the wrong shapes panic as gonum does.
	if r := panicOf(func() { m.Mul(a, nil, randDense(3, 3, 1), nil) }); r != mat.ErrShape {
		t.Errorf("Mul of mismatched shapes: %v", r)
	}
}
