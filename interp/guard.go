package interp

import (
	"reflect"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
)

// allocGuards replace gonum's constructors in cells with ones that check the size of a
// new matrix first: a matrix larger than the machine's memory would end the process
// ("fatal error: runtime: out of memory"); checked, it fails the cell (see cellrt.Len).
var allocGuards = map[string]map[string]reflect.Value{"gonum.org/v1/gonum/mat/mat": {
	"NewDense": reflect.ValueOf(func(r, c int, data []float64) *mat.Dense {
		checkMatrix(r, c, data)
		return mat.NewDense(r, c, data)
	}),
	"NewSymDense": reflect.ValueOf(func(n int, data []float64) *mat.SymDense {
		checkMatrix(n, n, data)
		return mat.NewSymDense(n, data)
	}),
	"NewTriDense": reflect.ValueOf(func(n int, kind mat.TriKind, data []float64) *mat.TriDense {
		checkMatrix(n, n, data)
		return mat.NewTriDense(n, kind, data)
	}),
	"NewVecDense": reflect.ValueOf(func(n int, data []float64) *mat.VecDense {
		checkMatrix(n, 1, data)
		return mat.NewVecDense(n, data)
	}),
	"NewDiagDense": reflect.ValueOf(func(n int, data []float64) *mat.DiagDense {
		checkMatrix(n, 1, data)
		return mat.NewDiagDense(n, data)
	}),
}}

// checkMatrix panics, as a cell's error, when an r×c matrix of new float64s would not
// fit in memory. With data given, gonum allocates nothing.
func checkMatrix(r, c int, data []float64) {
	if data != nil || r <= 0 || c <= 0 {
		return
	}
	cellrt.Len(r, 0.0)
	cellrt.Len(c, 0.0)
	if r > (1<<62)/c {
		cellrt.Len(uint64(1<<63), 0.0)
	}
	cellrt.Len(r*c, 0.0)
}
