package tangent

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// Matrix is the derivative of a mat.Matrix: the tangent of each of its entries. A nil
// Matrix (and a nil *Dense or *VecDense in one) is the zero derivative, that of a
// constant matrix.
type Matrix interface {
	// Dims returns the dimensions of the matrix.
	Dims() (r, c int)
	// At returns the tangent of entry (i, j); nil for a constant entry.
	At(i, j int) *T
}

// Vector is the derivative of a mat.Vector. A nil Vector is the zero derivative.
type Vector interface {
	Matrix
	// Len returns the length of the vector.
	Len() int
	// AtVec returns the tangent of entry i; nil for a constant entry.
	AtVec(i int) *T
}

// Dense is the derivative of a mat.Dense: the tangents of its entries, row-major. Its
// zero value is an empty matrix, ready to be a receiver, as gonum's is; a nil *Dense is
// the zero derivative. Every method that writes its receiver takes the operands of the
// mat.Dense method of the same name, each followed by its derivative (nil for a
// constant), and makes the receiver the derivative of that method's result. It is to be
// called before the mat.Dense method, while the operands have the values that method
// reads; the receiver may be one of the operands. A method's panics for operands of the
// wrong shape are gonum's (mat.ErrShape, ...).
type Dense struct {
	rows, cols int
	data       []*T // nil: all zero
}

// VecDense is the derivative of a mat.VecDense, a column vector: the tangents of its
// entries. Its zero value is an empty vector, and a nil *VecDense is the zero derivative.
// Its methods follow Dense's conventions.
type VecDense struct {
	n    int
	data []*T // nil: all zero
}

// NewDense returns the derivative of mat.NewDense(r, c, data) whose entries have the
// tangents ddata, row-major; ddata nil is a constant matrix. Like mat.NewDense, it uses
// ddata as its storage rather than copying it. data is only checked for its length.
func NewDense(r, c int, data []float64, ddata []*T) *Dense {
	checkDims(r, c)
	if data != nil && len(data) != r*c || ddata != nil && len(ddata) != r*c {
		panic(mat.ErrShape)
	}
	return &Dense{rows: r, cols: c, data: ddata}
}

// NewVecDense returns the derivative of mat.NewVecDense(n, data) whose entries have the
// tangents ddata; ddata nil is a constant vector. It uses ddata as its storage.
func NewVecDense(n int, data []float64, ddata []*T) *VecDense {
	checkDims(n, 1)
	if data != nil && len(data) != n || ddata != nil && len(ddata) != n {
		panic(mat.ErrShape)
	}
	return &VecDense{n: n, data: ddata}
}

func checkDims(r, c int) {
	if r <= 0 || c <= 0 {
		if r == 0 || c == 0 {
			panic(mat.ErrZeroLength)
		}
		panic(mat.ErrNegativeDimension)
	}
}

// DenseCopyOf returns the derivative of mat.DenseCopyOf(a): a copy of da, shaped as a.
func DenseCopyOf(a mat.Matrix, da Matrix) *Dense {
	r, c := a.Dims()
	m := &Dense{}
	m.set("DenseCopyOf", r, c, copyOf(entries("DenseCopyOf", da, r, c)))
	return m
}

func copyOf(e []*T) []*T {
	if e == nil {
		return nil
	}
	return append([]*T(nil), e...)
}

// At returns da.At(i, j), the tangent of entry (i, j) of the matrix da is the derivative
// of; nil when da is nil.
func At(da Matrix, i, j int) *T {
	if isNil(da) {
		return nil
	}
	return da.At(i, j)
}

// AtVec returns dv.AtVec(i); nil when dv is nil.
func AtVec(dv Vector, i int) *T {
	if isNil(dv) {
		return nil
	}
	return dv.AtVec(i)
}

// Transpose returns the derivative of a.T() for a's derivative da: a view of da
// transposed; nil when da is nil.
func Transpose(da Matrix) Matrix {
	switch d := da.(type) {
	case transposed:
		return d.m
	}
	if isNil(da) {
		return nil
	}
	return transposed{da}
}

type transposed struct{ m Matrix }

func (t transposed) Dims() (r, c int) {
	c, r = t.m.Dims()
	return r, c
}

func (t transposed) At(i, j int) *T { return t.m.At(j, i) }

// Dims returns the dimensions of the matrix; 0, 0 for a nil *Dense.
func (m *Dense) Dims() (r, c int) {
	if m == nil {
		return 0, 0
	}
	return m.rows, m.cols
}

// At returns the tangent of entry (i, j): nil for a nil or zero *Dense, and panics as
// mat.Dense.At does when (i, j) is outside a non-zero one.
func (m *Dense) At(i, j int) *T {
	if m == nil || m.data == nil {
		return nil
	}
	if uint(i) >= uint(m.rows) {
		panic(mat.ErrRowAccess)
	}
	if uint(j) >= uint(m.cols) {
		panic(mat.ErrColAccess)
	}
	return m.data[i*m.cols+j]
}

// set makes m the r×c derivative with entries e (row-major, nil: zero, not kept by the
// caller), writing into m's storage when m already has the shape, as gonum reuses a
// receiver. A nil m takes a zero derivative only.
func (m *Dense) set(rule string, r, c int, e []*T) {
	if m == nil {
		if !allNil(e) {
			panic(fmt.Sprintf("tangent: Dense.%s: a nil *Dense cannot hold a non-zero derivative", rule))
		}
		return
	}
	if m.rows == r && m.cols == c && m.data != nil {
		if e == nil {
			clear(m.data)
		} else {
			copy(m.data, e)
		}
		return
	}
	m.rows, m.cols, m.data = r, c, e
}

// Set is the derivative of m.Set(i, j, v): entry (i, j) gets the tangent dv.
func (m *Dense) Set(i, j int, v float64, dv *T) {
	if m == nil {
		if dv != nil {
			panic("tangent: Dense.Set: a nil *Dense cannot hold a non-zero derivative")
		}
		return
	}
	if uint(i) >= uint(m.rows) {
		panic(mat.ErrRowAccess)
	}
	if uint(j) >= uint(m.cols) {
		panic(mat.ErrColAccess)
	}
	if m.data == nil {
		if dv == nil {
			return
		}
		m.data = make([]*T, m.rows*m.cols)
	}
	m.data[i*m.cols+j] = dv
}

// Zero is the derivative of m.Zero(): all entries zero.
func (m *Dense) Zero() {
	if m != nil {
		clear(m.data)
	}
}

// Reset is the derivative of m.Reset(): an empty matrix.
func (m *Dense) Reset() {
	if m != nil {
		*m = Dense{}
	}
}

// CloneFrom is the derivative of m.CloneFrom(a): a copy of da, shaped as a.
func (m *Dense) CloneFrom(a mat.Matrix, da Matrix) {
	r, c := a.Dims()
	m.set("CloneFrom", r, c, copyOf(entries("CloneFrom", da, r, c)))
}

// Copy is the derivative of m.Copy(a): the derivatives of the entries mat.Dense.Copy
// copies, as much as the overlap of a and m holds (nothing into an empty m). It returns
// the number of rows and columns copied.
func (m *Dense) Copy(a mat.Matrix, da Matrix) (r, c int) {
	ar, ac := a.Dims()
	if m == nil || m.rows == 0 {
		return 0, 0
	}
	r, c = min(ar, m.rows), min(ac, m.cols)
	e := entries("Copy", da, ar, ac)
	if e == nil && m.data == nil {
		return r, c
	}
	out := append([]*T(nil), m.data...)
	if out == nil {
		out = make([]*T, m.rows*m.cols)
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			var t *T
			if e != nil {
				t = e[i*ac+j]
			}
			out[i*m.cols+j] = t
		}
	}
	m.set("Copy", m.rows, m.cols, out)
	return r, c
}

// sameShape panics with mat.ErrShape unless a and b have the same dimensions, which it
// returns.
func sameShape(a, b mat.Matrix) (r, c int) {
	r, c = a.Dims()
	br, bc := b.Dims()
	if r != br || c != bc {
		panic(mat.ErrShape)
	}
	return r, c
}

// elementwise returns the entries op(i, x, dx, y, dy) of two r×c matrices' derivatives,
// nil when both are zero.
func elementwise(rule string, a mat.Matrix, da Matrix, b mat.Matrix, db Matrix, r, c int, op func(x float64, dx *T, y float64, dy *T) *T) []*T {
	ea, eb := entries(rule, da, r, c), entries(rule, db, r, c)
	if ea == nil && eb == nil {
		return nil
	}
	reference(rule, ea, eb)
	out := make([]*T, r*c)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			var dx, dy *T
			if ea != nil {
				dx = ea[i*c+j]
			}
			if eb != nil {
				dy = eb[i*c+j]
			}
			out[i*c+j] = op(a.At(i, j), dx, b.At(i, j), dy)
		}
	}
	return out
}

// Add is the derivative of m.Add(a, b): da + db.
func (m *Dense) Add(a mat.Matrix, da Matrix, b mat.Matrix, db Matrix) {
	r, c := sameShape(a, b)
	m.set("Add", r, c, elementwise("Add", a, da, b, db, r, c, func(_ float64, dx *T, _ float64, dy *T) *T { return Add(dx, dy) }))
}

// Sub is the derivative of m.Sub(a, b): da - db.
func (m *Dense) Sub(a mat.Matrix, da Matrix, b mat.Matrix, db Matrix) {
	r, c := sameShape(a, b)
	m.set("Sub", r, c, elementwise("Sub", a, da, b, db, r, c, func(_ float64, dx *T, _ float64, dy *T) *T { return Sub(dx, dy) }))
}

// MulElem is the derivative of m.MulElem(a, b), the element-wise product: da∘b + a∘db.
func (m *Dense) MulElem(a mat.Matrix, da Matrix, b mat.Matrix, db Matrix) {
	r, c := sameShape(a, b)
	m.set("MulElem", r, c, elementwise("MulElem", a, da, b, db, r, c, Mul))
}

// DivElem is the derivative of m.DivElem(a, b), the element-wise quotient: each entry's
// by the rule of Quo.
func (m *Dense) DivElem(a mat.Matrix, da Matrix, b mat.Matrix, db Matrix) {
	r, c := sameShape(a, b)
	m.set("DivElem", r, c, elementwise("DivElem", a, da, b, db, r, c, Quo))
}

// Scale is the derivative of m.Scale(f, a): f·da + df·a.
func (m *Dense) Scale(f float64, df *T, a mat.Matrix, da Matrix) {
	r, c := a.Dims()
	e := entries("Scale", da, r, c)
	m.set("Scale", r, c, scaled("Scale", f, df, e, r*c, func(i int) float64 { return a.At(i/c, i%c) }))
}

// scaled returns the tangents of f·x for the n entries x(i) with tangents e (nil: zero).
func scaled(rule string, f float64, df *T, e []*T, n int, x func(int) float64) []*T {
	if e == nil && df == nil {
		return nil
	}
	if df != nil {
		reference(rule, []*T{df}, e)
	}
	out := make([]*T, n)
	for i := range out {
		var dx *T
		if e != nil {
			dx = e[i]
		}
		out[i] = Mul(f, df, x(i), dx)
	}
	return out
}

// Outer is the derivative of m.Outer(alpha, x, y), alpha x yᵀ: each entry's by the
// product rule.
func (m *Dense) Outer(alpha float64, dalpha *T, x mat.Vector, dx Vector, y mat.Vector, dy Vector) {
	r, c := x.Len(), y.Len()
	ex, ey := vecEntries("Outer", dx, r), vecEntries("Outer", dy, c)
	if ex == nil && ey == nil && dalpha == nil {
		m.set("Outer", r, c, nil)
		return
	}
	reference("Outer", []*T{dalpha}, ex, ey)
	at := func(e []*T, i int) *T {
		if e == nil {
			return nil
		}
		return e[i]
	}
	out := make([]*T, r*c)
	for i := 0; i < r; i++ {
		xi := x.AtVec(i)
		ax, dax := alpha*xi, Mul(alpha, dalpha, xi, at(ex, i))
		for j := 0; j < c; j++ {
			out[i*c+j] = Mul(ax, dax, y.AtVec(j), at(ey, j))
		}
	}
	m.set("Outer", r, c, out)
}

// Dims returns the dimensions of the column vector, n×1; 0, 0 for a nil *VecDense.
func (v *VecDense) Dims() (r, c int) {
	if v == nil {
		return 0, 0
	}
	return v.n, 1
}

// Len returns the length of the vector; 0 for a nil *VecDense.
func (v *VecDense) Len() int {
	if v == nil {
		return 0
	}
	return v.n
}

// At returns the tangent of entry (i, j), with j = 0.
func (v *VecDense) At(i, j int) *T {
	if v != nil && v.data != nil && j != 0 {
		panic(mat.ErrColAccess)
	}
	return v.AtVec(i)
}

// AtVec returns the tangent of entry i: nil for a nil or zero *VecDense, and panics as
// mat.VecDense.AtVec does when i is outside a non-zero one.
func (v *VecDense) AtVec(i int) *T {
	if v == nil || v.data == nil {
		return nil
	}
	if uint(i) >= uint(v.n) {
		panic(mat.ErrVectorAccess)
	}
	return v.data[i]
}

// set makes v the derivative of length n with entries e, as Dense.set.
func (v *VecDense) set(rule string, n int, e []*T) {
	if v == nil {
		if !allNil(e) {
			panic(fmt.Sprintf("tangent: VecDense.%s: a nil *VecDense cannot hold a non-zero derivative", rule))
		}
		return
	}
	if v.n == n && v.data != nil {
		if e == nil {
			clear(v.data)
		} else {
			copy(v.data, e)
		}
		return
	}
	v.n, v.data = n, e
}

// SetVec is the derivative of v.SetVec(i, val): entry i gets the tangent dv.
func (v *VecDense) SetVec(i int, val float64, dv *T) {
	if v == nil {
		if dv != nil {
			panic("tangent: VecDense.SetVec: a nil *VecDense cannot hold a non-zero derivative")
		}
		return
	}
	if uint(i) >= uint(v.n) {
		panic(mat.ErrVectorAccess)
	}
	if v.data == nil {
		if dv == nil {
			return
		}
		v.data = make([]*T, v.n)
	}
	v.data[i] = dv
}

// Zero is the derivative of v.Zero(): all entries zero.
func (v *VecDense) Zero() {
	if v != nil {
		clear(v.data)
	}
}

// Reset is the derivative of v.Reset(): an empty vector.
func (v *VecDense) Reset() {
	if v != nil {
		*v = VecDense{}
	}
}

// CloneFromVec is the derivative of v.CloneFromVec(a): a copy of da.
func (v *VecDense) CloneFromVec(a mat.Vector, da Vector) {
	n := a.Len()
	v.set("CloneFromVec", n, copyOf(vecEntries("CloneFromVec", da, n)))
}

// vectorwise is elementwise for vectors of length n.
func vectorwise(rule string, a mat.Vector, da Vector, b mat.Vector, db Vector, op func(x float64, dx *T, y float64, dy *T) *T) []*T {
	n := a.Len()
	if b.Len() != n {
		panic(mat.ErrShape)
	}
	ea, eb := vecEntries(rule, da, n), vecEntries(rule, db, n)
	if ea == nil && eb == nil {
		return nil
	}
	reference(rule, ea, eb)
	out := make([]*T, n)
	for i := range out {
		var dx, dy *T
		if ea != nil {
			dx = ea[i]
		}
		if eb != nil {
			dy = eb[i]
		}
		out[i] = op(a.AtVec(i), dx, b.AtVec(i), dy)
	}
	return out
}

// AddVec is the derivative of v.AddVec(a, b): da + db.
func (v *VecDense) AddVec(a mat.Vector, da Vector, b mat.Vector, db Vector) {
	v.set("AddVec", a.Len(), vectorwise("AddVec", a, da, b, db, func(_ float64, dx *T, _ float64, dy *T) *T { return Add(dx, dy) }))
}

// SubVec is the derivative of v.SubVec(a, b): da - db.
func (v *VecDense) SubVec(a mat.Vector, da Vector, b mat.Vector, db Vector) {
	v.set("SubVec", a.Len(), vectorwise("SubVec", a, da, b, db, func(_ float64, dx *T, _ float64, dy *T) *T { return Sub(dx, dy) }))
}

// MulElemVec is the derivative of v.MulElemVec(a, b), the element-wise product:
// da∘b + a∘db.
func (v *VecDense) MulElemVec(a mat.Vector, da Vector, b mat.Vector, db Vector) {
	v.set("MulElemVec", a.Len(), vectorwise("MulElemVec", a, da, b, db, Mul))
}

// DivElemVec is the derivative of v.DivElemVec(a, b), the element-wise quotient.
func (v *VecDense) DivElemVec(a mat.Vector, da Vector, b mat.Vector, db Vector) {
	v.set("DivElemVec", a.Len(), vectorwise("DivElemVec", a, da, b, db, Quo))
}

// ScaleVec is the derivative of v.ScaleVec(f, a): f·da + df·a.
func (v *VecDense) ScaleVec(f float64, df *T, a mat.Vector, da Vector) {
	n := a.Len()
	v.set("ScaleVec", n, scaled("ScaleVec", f, df, vecEntries("ScaleVec", da, n), n, a.AtVec))
}

// AddScaledVec is the derivative of v.AddScaledVec(a, alpha, b), a + alpha·b:
// da + alpha·db + dalpha·b.
func (v *VecDense) AddScaledVec(a mat.Vector, da Vector, alpha float64, dalpha *T, b mat.Vector, db Vector) {
	n := a.Len()
	if b.Len() != n {
		panic(mat.ErrShape)
	}
	ea := vecEntries("AddScaledVec", da, n)
	sb := scaled("AddScaledVec", alpha, dalpha, vecEntries("AddScaledVec", db, n), n, b.AtVec)
	if sb == nil {
		v.set("AddScaledVec", n, copyOf(ea))
		return
	}
	if ea != nil {
		reference("AddScaledVec", ea, sb)
		for i := range sb {
			sb[i] = Add(ea[i], sb[i])
		}
	}
	v.set("AddScaledVec", n, sb)
}

// Zero-cost checks that the types implement the interfaces.
var (
	_ Matrix = (*Dense)(nil)
	_ Vector = (*VecDense)(nil)
	_ Matrix = transposed{}
)
