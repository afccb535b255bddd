package interp

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// BenchmarkIsCompleteLongCell: jupyter console asks after every Enter, so the answer
// must come in time in proportion to the cell (40,000 lines of functions took 33 s).
func BenchmarkIsCompleteLongCell(b *testing.B) {
	s, err := New(Options{Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	var src strings.Builder
	for i := range 40000 {
		if i%2 == 0 {
			fmt.Fprintf(&src, "// f%d does nothing.\nfunc f%d() {}\n", i, i)
		} else {
			fmt.Fprintf(&src, "y%d := %d\n", i, i)
		}
	}
	b.ResetTimer()
	for range b.N {
		if r := s.IsComplete(src.String()); r.Status != lang.Complete {
			b.Fatalf("got %v", r.Status)
		}
	}
}
