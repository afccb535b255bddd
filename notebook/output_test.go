package notebook

import (
	"strings"
	"testing"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// Text of one stream gathers into one output, also across other outputs between.
func TestStreamsGather(t *testing.T) {
	o := &cellOutput{nb: &Notebook{}, cell: &Cell{}}
	o.Stream("stdout", "a")
	o.Stream("stdout", "b\n")
	o.Stream("stderr", "e")
	o.Stream("stdout", "c")
	o.Display(lang.Display{Data: lang.PlainText("d")})
	o.Stream("stdout", "f")
	o.Stream("stdout", "g")
	o.finish(lang.ExecuteResult{})
	var got []string
	for _, out := range o.cell.Outputs {
		got = append(got, out.Name+":"+out.Text)
	}
	if want := "stdout:ab\n,stderr:e,stdout:c,:,stdout:fg"; strings.Join(got, ",") != want {
		t.Errorf("outputs %q, want %q", strings.Join(got, ","), want)
	}
}

// A cell printing many lines costs time in proportion to them (it was quadratic: 100,000
// lines took 14 s).
func BenchmarkStreamManyLines(b *testing.B) {
	for range b.N {
		o := &cellOutput{nb: &Notebook{}, cell: &Cell{}}
		for range 100000 {
			o.Stream("stdout", "a line of output\n")
		}
		o.finish(lang.ExecuteResult{})
		if len(o.cell.Outputs[0].Text) != 100000*17 {
			b.Fatal("lost text")
		}
	}
}
