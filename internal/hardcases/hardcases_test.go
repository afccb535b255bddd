package hardcases

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// Tolerances of the independent check: the best Richardson-extrapolated difference must
// agree with the closed form this well (max norm, relative to the closed form's). First
// derivatives agree to 1e-8 or better on every case; a second difference of an eigenvalue
// next to a gap of 1e-4 cannot do better than a few 1e-6 (round-off of EigenSym over h²
// at steps small enough to stay inside the gap), hence the looser second tolerance. A
// wrong sign, factor or transposition is off by order 1 either way.
const (
	firstTol  = 1e-6
	secondTol = 1e-5
)

var families = []string{"pole", "domain edge", "logdet", "inverse", "qr", "eigen gap", "implicit", "sqrtm", "smooth"}

func TestVecIsColumnMajor(t *testing.T) {
	got := Vec(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6}))
	if want := []float64{1, 4, 2, 5, 3, 6}; !slices.Equal(got, want) {
		t.Errorf("Vec of a 2×3 matrix = %v, want its columns %v", got, want)
	}
	if got := Vec(mat.NewVecDense(2, []float64{7, 8})); !slices.Equal(got, []float64{7, 8}) {
		t.Errorf("Vec of a VecDense = %v", got)
	}
}

// maxRelErr is ‖got − want‖∞ / ‖want‖∞, +Inf when got is not finite.
func maxRelErr(got, want []float64) float64 {
	e, s := 0.0, 0.0
	for i := range want {
		if math.IsNaN(got[i]) || math.IsInf(got[i], 0) {
			return math.Inf(1)
		}
		e, s = math.Max(e, math.Abs(got[i]-want[i])), math.Max(s, math.Abs(want[i]))
	}
	if s == 0 {
		return e
	}
	return e / s
}

// agreement checks a closed form without it: over steps h = 10^-1 … 10^-9 (four a
// decade) it extrapolates the central difference D(h) of t ↦ f(X + t Dx) at t = 0 (the
// second difference when second is set) by Richardson, one level, (4 D(h/2) − D(h)) / 3,
// and two, from h, h/2 and h/4; it returns the best relative error against want and the
// step it came at. A wrong sign, factor or transposition in want leaves that error near 1
// at every step.
func agreement(c Case, want []float64, second bool) (best, atH float64) {
	f0 := c.Along(0)
	diff := func(h float64) []float64 {
		p, m := c.Along(h), c.Along(-h)
		out := make([]float64, len(p))
		for i := range p {
			if second {
				out[i] = (p[i] - 2*f0[i] + m[i]) / (h * h)
			} else {
				out[i] = (p[i] - m[i]) / (2 * h)
			}
		}
		return out
	}
	// extrapolate removes the h^order term from estimates at h and h/2.
	extrapolate := func(a, b []float64, order float64) []float64 {
		r, w := make([]float64, len(a)), math.Pow(2, order)
		for i := range r {
			r[i] = (w*b[i] - a[i]) / (w - 1)
		}
		return r
	}
	best = math.Inf(1)
	for k := 4; k <= 36; k++ {
		h := math.Pow(10, -float64(k)/4)
		d1, d2, d4 := diff(h), diff(h/2), diff(h/4)
		r1, r2 := extrapolate(d1, d2, 2), extrapolate(d2, d4, 2)
		for _, r := range [][]float64{r1, extrapolate(r1, r2, 4)} {
			if e := maxRelErr(r, want); e < best {
				best, atH = e, h
			}
		}
	}
	return best, atH
}

// checkCase checks a case's shapes and its closed forms against agreement.
func checkCase(t *testing.T, c Case) {
	t.Helper()
	if c.Name == "" || !slices.Contains(families, c.Family) {
		t.Errorf("%q: family %q is not one of %v", c.Name, c.Family, families)
	}
	if reflect.TypeOf(c.X) != reflect.TypeOf(c.Dx) || len(Vec(c.X)) != len(Vec(c.Dx)) {
		t.Errorf("%s: Dx (%T) is not shaped like X (%T)", c.Name, c.Dx, c.X)
	}
	if n := len(c.Along(0)); n != len(c.Want) || c.Want2 != nil && len(c.Want2) != n {
		t.Fatalf("%s: f has %d coordinates, Want %d, Want2 %d", c.Name, n, len(c.Want), len(c.Want2))
	}
	if e, h := agreement(c, c.Want, false); !(e < firstTol) {
		t.Errorf("%s: Want disagrees with the extrapolated central difference: best relative error %.2g (h = %.2g)", c.Name, e, h)
	}
	if c.Want2 == nil {
		return
	}
	if e, h := agreement(c, c.Want2, true); !(e < secondTol) {
		t.Errorf("%s: Want2 disagrees with the extrapolated second difference: best relative error %.2g (h = %.2g)", c.Name, e, h)
	}
}

func TestFixedClosedForms(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Fixed() {
		if seen[c.Name] {
			t.Errorf("two fixed cases are named %q", c.Name)
		}
		seen[c.Name] = true
		checkCase(t, c)
	}
}

func TestRandomClosedForms(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		for _, c := range Random(seed, 160) {
			checkCase(t, c)
		}
	}
}

func TestRandomIsDeterministicAndCycles(t *testing.T) {
	a, b, other := Random(7, 40), Random(7, 40), Random(8, 40)
	for i := range a {
		if a[i].Name != b[i].Name || !slices.Equal(Vec(a[i].X), Vec(b[i].X)) || !slices.Equal(a[i].Want, b[i].Want) {
			t.Fatalf("Random(7, 40)[%d] differs between calls: %q, %q", i, a[i].Name, b[i].Name)
		}
	}
	same := 0
	for i := range a {
		if a[i].Name == other[i].Name {
			same++
		}
	}
	if same > len(a)/4 {
		t.Errorf("Random(7, …) and Random(8, …) share %d of %d names", same, len(a))
	}
	want := []string{"pole", "domain edge", "logdet", "inverse", "qr", "eigen gap", "implicit", "sqrtm"}
	for i, c := range a {
		if c.Family != want[i%len(want)] {
			t.Errorf("Random case %d is %q, want family %q", i, c.Name, want[i%len(want)])
		}
	}
}

// claimedT is the t a name states after marker, or false when it states none.
func claimedT(t *testing.T, name, marker string) (float64, bool) {
	_, rest, ok := strings.Cut(name, marker)
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Fields(rest)[0], 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v, true
}

// TestFixedAreHard checks what the names promise: where det(A + t dA) changes sign,
// where Q and R jump, that √A turns NaN within a step of 0.1, and the eigenvalue gaps.
func TestFixedAreHard(t *testing.T) {
	near := 0
	for _, c := range Fixed() {
		switch c.Family {
		case "logdet":
			tc, ok := claimedT(t, c.Name, "changes sign at t = ")
			if !ok {
				continue
			}
			sign := func(s float64) float64 { return math.Copysign(1, mat.Det(shift(c.X, s*tc, c.Dx).(*mat.Dense))) }
			if sign(0) != sign(0.95) || sign(0) == sign(1.05) {
				t.Errorf("%s: the sign of det does not change between 0.95t and 1.05t", c.Name)
			}
			if math.Abs(tc) >= 0.01 && math.Abs(tc) <= 0.1 {
				near++
			}
		case "qr":
			tc, ok := claimedT(t, c.Name, "flips at t = ")
			if !ok {
				continue
			}
			jump := maxRelErr(c.Along(1.01*tc), c.Along(0.99*tc))
			smooth := maxRelErr(c.Along(0.98*tc), c.Along(0.99*tc))
			if !(jump > 0.1) || !(smooth < 0.1) {
				t.Errorf("%s: f changes by %.2g across the flip and %.2g just before it", c.Name, jump, smooth)
			}
		case "sqrtm":
			nan := slices.ContainsFunc(c.Along(0.1), math.IsNaN) || slices.ContainsFunc(c.Along(-0.1), math.IsNaN)
			if !nan {
				t.Errorf("%s: √(A ± 0.1 dA) is finite both ways", c.Name)
			}
		case "eigen gap":
			vals := c.Along(0)
			gap := math.Inf(1)
			for i := 1; i < len(vals); i++ {
				gap = math.Min(gap, vals[i]-vals[i-1])
			}
			want, _ := strconv.ParseFloat(strings.Fields(strings.SplitAfter(c.Name, "gap ")[1])[0], 64)
			if math.Abs(gap-want) > 0.01*want {
				t.Errorf("%s: the smallest gap is %.3g", c.Name, gap)
			}
		}
	}
	if near < 3 {
		t.Errorf("%d fixed log|det| cases change sign for |t| in [0.01, 0.1], want 3", near)
	}
}
