package interp

import (
	"bytes"
	"flag"
	"reflect"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
)

// allocGuards replace what cells call that would end the process rather than fail the
// cell: gonum's constructors, strings.Repeat, bytes.Repeat and reflect.MakeSlice check
// the size first (a matrix or string larger than the machine's memory would end it with
// "fatal error: runtime: out of memory"; checked, it fails the cell, see cellrt.Len), and
// flag.NewFlagSet panics where ExitOnError would exit.
var allocGuards = map[string]map[string]reflect.Value{
	// strings.Repeat, bytes.Repeat and reflect.MakeSlice allocate what a cell asks for
	// too: checked the same way.
	"strings/strings": {"Repeat": reflect.ValueOf(func(s string, count int) string {
		checkRepeat(len(s), count)
		return strings.Repeat(s, count)
	})},
	"bytes/bytes": {"Repeat": reflect.ValueOf(func(b []byte, count int) []byte {
		checkRepeat(len(b), count)
		return bytes.Repeat(b, count)
	})},
	"reflect/reflect": {"MakeSlice": reflect.ValueOf(func(t reflect.Type, n, c int) reflect.Value {
		if t.Kind() == reflect.Slice {
			elem := reflect.Zero(t.Elem()).Interface()
			cellrt.Len(n, elem)
			cellrt.Len(c, elem)
		}
		return reflect.MakeSlice(t, n, c)
	})},
	// A flag set that exits on a parse error would end the process (compiled code calls
	// the real os.Exit): it panics instead, which fails the cell with the error.
	"flag/flag": {"NewFlagSet": reflect.ValueOf(func(name string, handling flag.ErrorHandling) *flag.FlagSet {
		if handling == flag.ExitOnError {
			handling = flag.PanicOnError
		}
		return flag.NewFlagSet(name, handling)
	})},
	"gonum.org/v1/gonum/mat/mat": {
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

// checkRepeat panics, as a cell's error, when count copies of n bytes would not fit in
// memory.
func checkRepeat(n, count int) {
	if n <= 0 || count <= 0 {
		return
	}
	if count > (1<<62)/n {
		cellrt.Len(uint64(1<<63), byte(0))
	}
	cellrt.Len(n*count, byte(0))
}

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
