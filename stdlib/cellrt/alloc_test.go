package cellrt

import (
	"fmt"
	"testing"

	"github.com/gomatcalc/gomatcalc/internal/limits"
)

// The guard compares with the limit it is given and names it.
func TestLenNamesTheLimit(t *testing.T) {
	server := limits.Limits{Memory: 1 << 30, MemoryFrom: "MEM_LIMIT"}
	machine := limits.Limits{Memory: 16 << 30, MemoryFrom: limits.Machine}
	for _, c := range []struct {
		n    any
		elem any
		lim  limits.Limits
		want string // the panic, "" for none
	}{
		// 2^27 float64s are exactly 1 GiB: they fit; one more does not.
		{n: 1 << 27, elem: 0.0, lim: server},
		{n: 1<<27 + 1, elem: 0.0, lim: server, want: "runtime error: makeslice: 134217729 elements of 8 bytes are more than this server's memory limit (1.0 GiB, MEM_LIMIT)"},
		{n: uint64(1 << 40), elem: byte(0), lim: machine, want: "runtime error: makeslice: 1099511627776 elements of 1 bytes are more than this machine's memory (16.0 GiB)"},
		{n: 1 << 31, elem: byte(0), lim: machine},
		{n: 1 << 40, elem: nil, lim: limits.Limits{}}, // nothing known: nothing judged
		{n: -1, elem: 0.0, lim: server},               // make's to report
	} {
		got := func() (msg string) {
			defer func() {
				if r := recover(); r != nil {
					msg = fmt.Sprint(r)
				}
			}()
			checkLen(c.n, c.elem, c.lim)
			return ""
		}()
		if got != c.want {
			t.Errorf("%v of %T under %+v: panic %q, want %q", c.n, c.elem, c.lim, got, c.want)
		}
	}
}
