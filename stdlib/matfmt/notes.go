package matfmt

import (
	"hash/fnv"
	"math"
	"runtime"
	"sync"
	"weak"

	"gonum.org/v1/gonum/mat"
)

// A note is a line shown under a matrix that the computation which made it vouches for
// (matcalc: "Hessian by matcalc: numerical, 12.4 correct digits (error ≤ 2.1e-12)"). It
// is shown only while the matrix holds the numbers it was noted with: a matrix changed
// since is shown without it. Notes are kept by the matrix's identity, weakly, so they
// neither keep a matrix alive nor outlive it, and one session's matrices never see
// another's.
type note struct {
	text string
	sum  uint64 // checksum of the entries when noted
}

var notes sync.Map // noteKey -> note

// noteKey is a weak pointer to the storage of a noted value, with its length for a slice.
type noteKey struct {
	ptr any // weak.Pointer[mat.Dense], [mat.SymDense], [mat.VecDense] or [float64]
	n   int
}

// Note attaches text to m, a *mat.Dense, *mat.SymDense, *mat.VecDense or a non-empty
// []float64, while its entries stay as they are now. Other values are ignored.
func Note(m any, text string) {
	k, sum, ok := keyOf(m)
	if !ok {
		return
	}
	if _, had := notes.Swap(k, note{text, sum}); !had {
		addCleanup(m, k)
	}
}

// NoteOf returns the note attached to m, or "" when there is none or m has changed.
func NoteOf(m any) string {
	k, sum, ok := keyOf(m)
	if !ok {
		return ""
	}
	n, found := notes.Load(k)
	if !found || n.(note).sum != sum {
		return ""
	}
	return n.(note).text
}

func keyOf(m any) (noteKey, uint64, bool) {
	switch m := m.(type) {
	case *mat.Dense:
		if m != nil && !m.IsEmpty() {
			return noteKey{ptr: weak.Make(m)}, checksum(m), true
		}
	case *mat.SymDense:
		if m != nil && !m.IsEmpty() {
			return noteKey{ptr: weak.Make(m)}, checksum(m), true
		}
	case *mat.VecDense:
		if m != nil && !m.IsEmpty() {
			return noteKey{ptr: weak.Make(m)}, checksum(m), true
		}
	case []float64:
		if len(m) > 0 {
			return noteKey{ptr: weak.Make(&m[0]), n: len(m)}, checksum(mat.NewVecDense(len(m), m)), true
		}
	}
	return noteKey{}, 0, false
}

// addCleanup forgets k's note once m's storage is collected.
func addCleanup(m any, k noteKey) {
	forget := func(k noteKey) { notes.Delete(k) }
	switch m := m.(type) {
	case *mat.Dense:
		runtime.AddCleanup(m, forget, k)
	case *mat.SymDense:
		runtime.AddCleanup(m, forget, k)
	case *mat.VecDense:
		runtime.AddCleanup(m, forget, k)
	case []float64:
		runtime.AddCleanup(&m[0], forget, k)
	}
}

func checksum(m mat.Matrix) uint64 {
	h := fnv.New64a()
	r, c := m.Dims()
	var b [8]byte
	put := func(u uint64) {
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b[:])
	}
	put(uint64(r))
	put(uint64(c))
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			put(math.Float64bits(m.At(i, j)))
		}
	}
	return h.Sum64()
}
