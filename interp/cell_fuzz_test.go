package interp

import (
	"strings"
	"testing"
)

// FuzzParseCell feeds the cell splitter and the rewrites arbitrary text: they must never
// panic, and the chunks they make must come from the cell in order.
func FuzzParseCell(f *testing.F) {
	for _, seed := range []string{
		"x := 1\nx",
		"import \"fmt\"\nfmt.Println(1)",
		"func f(x int) int { return x }\ntype T struct{ A int }\nf(2)",
		"for i := range 10 { go func() { _ = i }() }",
		"a := []int{1, 2}\nslices.Sort(a)\nmax(1.5, 2)",
		"if x {", "}}}", "\"unterminated", "/* comment", "x := `raw\nstring`\nx",
		"var (\n a = 1\n b = 2\n)\na + b", "display.Value(T{})", "go f(xs...)",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c, errs := parseCell(src)
		if len(errs) > 0 {
			return
		}
		last := -1
		for _, ch := range c.chunks {
			if ch.kind == importChunk {
				continue
			}
			if ch.offset < 0 || ch.offset > len(src) || ch.offset < last {
				t.Fatalf("chunk at %d after %d in %q", ch.offset, last, src)
			}
			last = ch.offset
			_ = ch.source(true)
			if len(ch.wrappers) > 0 && !strings.Contains(ch.source(true), showFunc) {
				t.Fatalf("shown chunk without %s: %q", showFunc, ch.source(true))
			}
		}
	})
}
