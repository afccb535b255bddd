package tangent

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// parts is a matrix tangent taken apart for gonum's routines: the r×c matrices of its
// first derivatives along each of k directions and, at second order, of its second
// derivatives along each pair of them, packed as a T packs them. A nil matrix is zero, and
// a nil *parts is the zero tangent.
type parts struct {
	r, c   int
	k      int
	order2 bool
	first  []*mat.Dense
	second []*mat.Dense // packed(k) of them at second order
}

// isNil reports whether da is a nil interface or a nil pointer of this package.
func isNil(da Matrix) bool {
	switch d := da.(type) {
	case nil:
		return true
	case *Dense:
		return d == nil
	case *VecDense:
		return d == nil
	}
	return false
}

// entries returns da's entries row-major, or nil when they are all zero, for a matrix
// that is r×c. A non-zero da of another shape panics. The slice may be da's own: it is
// only read.
func entries(rule string, da Matrix, r, c int) []*T {
	if isNil(da) {
		return nil
	}
	var out []*T
	dr, dc := da.Dims()
	switch d := da.(type) {
	case *Dense:
		out = d.data
	case *VecDense:
		out = d.data
	default:
		out = make([]*T, dr*dc)
		for i := 0; i < dr; i++ {
			for j := 0; j < dc; j++ {
				out[i*dc+j] = da.At(i, j)
			}
		}
	}
	if allNil(out) {
		return nil
	}
	if dr != r || dc != c {
		panic(fmt.Sprintf("tangent: %s: a %d×%d derivative of a %d×%d matrix", rule, dr, dc, r, c))
	}
	return out
}

// vecEntries returns the entries of the derivative of a vector of length n, or nil when
// they are all zero.
func vecEntries(rule string, dv Vector, n int) []*T {
	if isNil(dv) {
		return nil
	}
	if d, ok := dv.(*VecDense); ok {
		return entries(rule, d, n, 1)
	}
	out := make([]*T, dv.Len())
	for i := range out {
		out[i] = dv.AtVec(i)
	}
	if allNil(out) {
		return nil
	}
	if len(out) != n {
		panic(fmt.Sprintf("tangent: %s: a derivative of length %d of a vector of length %d", rule, len(out), n))
	}
	return out
}

func allNil(ts []*T) bool {
	for _, t := range ts {
		if t != nil {
			return false
		}
	}
	return true
}

// reference returns the first non-nil tangent of ts, after checking that all of them
// agree with it in directions and order.
func reference(rule string, ts ...[]*T) *T {
	var ref *T
	for _, s := range ts {
		for _, t := range s {
			if t == nil {
				continue
			}
			if ref == nil {
				ref = t
			} else {
				same(rule, ref, t)
			}
		}
	}
	return ref
}

// partsOf takes the r×c entries e (row-major; nil: zero) apart.
func partsOf(rule string, e []*T, r, c int) *parts {
	ref := reference(rule, e)
	if ref == nil {
		return nil
	}
	k := len(ref.first)
	p := &parts{r: r, c: c, k: k, order2: ref.order2, first: make([]*mat.Dense, k)}
	if p.order2 {
		p.second = make([]*mat.Dense, packed(k))
	}
	put := func(ms []*mat.Dense, s, at int, v float64) {
		if v == 0 {
			return
		}
		if ms[s] == nil {
			ms[s] = mat.NewDense(r, c, nil)
		}
		ms[s].RawMatrix().Data[at] = v
	}
	for at, t := range e {
		if t == nil {
			continue
		}
		for u, v := range t.first {
			put(p.first, u, at, v)
		}
		for s, v := range t.second {
			put(p.second, s, at, v)
		}
	}
	return p
}

// entries puts p back together: its entries row-major, nil for a zero tangent.
func (p *parts) entries() []*T {
	if p == nil {
		return nil
	}
	n := p.r * p.c
	out := make([]*T, n)
	for at := range out {
		var first, second []float64
		for u, m := range p.first {
			if m == nil {
				continue
			}
			if v := m.RawMatrix().Data[at]; v != 0 {
				if first == nil {
					first = make([]float64, p.k)
				}
				first[u] = v
			}
		}
		for s, m := range p.second {
			if m == nil {
				continue
			}
			if v := m.RawMatrix().Data[at]; v != 0 {
				if second == nil {
					second = make([]float64, packed(p.k))
				}
				second[s] = v
			}
		}
		if first == nil && second == nil {
			continue
		}
		if first == nil {
			first = make([]float64, p.k)
		}
		out[at] = &T{first: first, second: second, order2: p.order2}
	}
	if allNil(out) {
		return nil
	}
	return out
}

// agree returns the directions and order of the tangents p and q (either may be nil, not
// both), panicking when they differ.
func agree(rule string, p, q *parts) (int, bool) {
	switch {
	case p == nil:
		return q.k, q.order2
	case q == nil:
		return p.k, p.order2
	}
	if p.k != q.k {
		panic(fmt.Sprintf("tangent: %s: tangents along %d and %d directions", rule, p.k, q.k))
	}
	if p.order2 != q.order2 {
		panic(fmt.Sprintf("tangent: %s: tangents of orders %d and %d", rule, order(p.order2), order(q.order2)))
	}
	return p.k, p.order2
}

func order(order2 bool) int {
	if order2 {
		return 2
	}
	return 1
}

// newParts returns a zero r×c tangent along k directions, to be filled.
func newParts(r, c, k int, order2 bool) *parts {
	p := &parts{r: r, c: c, k: k, order2: order2, first: make([]*mat.Dense, k)}
	if order2 {
		p.second = make([]*mat.Dense, packed(k))
	}
	return p
}

// accumulate adds x to *dst (nil: zero), taking x over when *dst is nil.
func accumulate(dst **mat.Dense, x *mat.Dense) {
	switch {
	case x == nil:
	case *dst == nil:
		*dst = x
	default:
		(*dst).Add(*dst, x)
	}
}

// at returns the i-th matrix of ms, or nil when there is none.
func at(ms []*mat.Dense, i int) *mat.Dense {
	if ms == nil {
		return nil
	}
	return ms[i]
}

// bilinear returns the tangent of op(a, b), r×c, for an op linear in each argument (a
// matrix product, say): first derivatives op(a_u, b) + op(a, b_u), second
// op(a_uv, b) + op(a_u, b_v) + op(a_v, b_u) + op(a, b_uv). op must not keep its
// arguments.
func bilinear(rule string, a mat.Matrix, pa *parts, b mat.Matrix, pb *parts, r, c int, op func(x, y mat.Matrix) *mat.Dense) *parts {
	if pa == nil && pb == nil {
		return nil
	}
	k, order2 := agree(rule, pa, pb)
	var af, as, bf, bs []*mat.Dense
	if pa != nil {
		af, as = pa.first, pa.second
	}
	if pb != nil {
		bf, bs = pb.first, pb.second
	}
	res := newParts(r, c, k, order2)
	for u := 0; u < k; u++ {
		if m := at(af, u); m != nil {
			accumulate(&res.first[u], op(m, b))
		}
		if m := at(bf, u); m != nil {
			accumulate(&res.first[u], op(a, m))
		}
	}
	if !order2 {
		return res
	}
	for u := 0; u < k; u++ {
		for v := 0; v <= u; v++ {
			s := packed(u) + v
			dst := &res.second[s]
			if m := at(as, s); m != nil {
				accumulate(dst, op(m, b))
			}
			if m := at(bs, s); m != nil {
				accumulate(dst, op(a, m))
			}
			au, av, bu, bv := at(af, u), at(af, v), at(bf, u), at(bf, v)
			if au != nil && bv != nil {
				accumulate(dst, op(au, bv))
			}
			if av != nil && bu != nil {
				accumulate(dst, op(av, bu))
			}
		}
	}
	return res
}

// mul returns the matrix product x y.
func mul(x, y mat.Matrix) *mat.Dense {
	var d mat.Dense
	d.Mul(x, y)
	return &d
}

// trace returns the trace of the square x.
func trace(x *mat.Dense) float64 {
	if x == nil {
		return 0
	}
	return mat.Trace(x)
}

// traceMul returns tr(x y) for square x and y, without forming x y.
func traceMul(x, y *mat.Dense) float64 {
	if x == nil || y == nil {
		return 0
	}
	n, _ := x.Dims()
	s := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s += x.At(i, j) * y.At(j, i)
		}
	}
	return s
}

// accum sums tangents in place: the tangent of a sum of many terms without a new T for
// each partial sum.
type accum struct{ t *T }

func (s *accum) init(rule string, ref *T) bool {
	if ref == nil {
		return false
	}
	if s.t == nil {
		s.t = &T{first: make([]float64, len(ref.first)), order2: ref.order2}
		if ref.order2 {
			s.t.second = make([]float64, packed(len(ref.first)))
		}
	} else {
		same(rule, s.t, ref)
	}
	return true
}

// add adds c·t.
func (s *accum) add(rule string, c float64, t *T) {
	if !s.init(rule, t) || c == 0 {
		return
	}
	for i, v := range t.first {
		s.t.first[i] += c * v
	}
	addScaled(s.t.second, c, t.second)
}

// addMul adds the tangent of x·y: y·dx + x·dy, and at second order dx dyᵀ + dy dxᵀ.
func (s *accum) addMul(rule string, x float64, dx *T, y float64, dy *T) {
	s.add(rule, y, dx)
	s.add(rule, x, dy)
	if dx != nil && dy != nil && dx.order2 {
		same(rule, dx, dy)
		addSymOuter(s.t.second, 1, dx.first, dy.first)
	}
}

// result returns the sum, nil when it is zero.
func (s *accum) result() *T {
	if isZero(s.t) {
		return nil
	}
	if isZero(&T{second: s.t.second}) {
		s.t.second = nil
	}
	return s.t
}
