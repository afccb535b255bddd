package engine

import (
	"go/ast"
	"strconv"
	"testing"
)

func TestLiftFuncLits(t *testing.T) {
	// The parts print as a file: each part's functions, then its statements as the body
	// of _part1, _part2, ...
	cases := []rewriteCase{
		{name: "a literal",
			in:   "f := func() int { return 1 }\nf()",
			want: "func _gomatcalcLit1() func() int {\nreturn func() int { return 1 }\n}\nfunc _part1() {\nf := _gomatcalcLit1()\nf()\n}"},
		{name: "a literal using an earlier cell's names",
			in:   "x := 1\ng := func(a []float64) float64 { return B.Apply(a, a) + float64(n) }",
			want: "func _gomatcalcLit1() func(a []float64) float64 {\nreturn func(a []float64) float64 { return B.Apply(a, a) + float64(n) }\n}\nfunc _part1() {\nx := 1\ng := _gomatcalcLit1()\n}"},
		{name: "a literal using a name of an earlier statement splits the block there",
			in:   "k := 2\nf := func() int { return k }\nf()",
			want: "func _part1() {\nk := 2\n}\nfunc _gomatcalcLit1() func() int {\nreturn func() int { return k }\n}\nfunc _part2() {\nf := _gomatcalcLit1()\nf()\n}"},
		{name: "a recursive literal through an earlier var",
			in:   "var fib func(int) int\nfib = func(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nfib(10)",
			want: "func _part1() {\nvar fib func(int) int\n}\nfunc _gomatcalcLit1() func(n int) int {\nreturn func(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\n}\nfunc _part2() {\nfib = _gomatcalcLit1()\nfib(10)\n}"},
		{name: "two literals of one statement",
			in:   "fs := []func() int{func() int { return 1 }, func() int { return 2 }}",
			want: "func _gomatcalcLit1() func() int {\nreturn func() int { return 1 }\n}\nfunc _gomatcalcLit2() func() int {\nreturn func() int { return 2 }\n}\nfunc _part1() {\nfs := []func() int{_gomatcalcLit1(), _gomatcalcLit2()}\n}"},
		{name: "only the outermost literal",
			in:   "f := func() func() int { return func() int { return 1 } }",
			want: "func _gomatcalcLit1() func() func() int {\nreturn func() func() int { return func() int { return 1 } }\n}\nfunc _part1() {\nf := _gomatcalcLit1()\n}"},
		{name: "a literal called at once",
			in:   "func() { fmt.Println(n) }()",
			want: "func _gomatcalcLit1() func() {\nreturn func() { fmt.Println(n) }\n}\nfunc _part1() {\n_gomatcalcLit1()()\n}"},
		{name: "in a loop, using no variable of the loop",
			in:   "for i := 0; i < 3; i++ {\ngo func() { done <- n }()\n}",
			want: "func _gomatcalcLit1() func() {\nreturn func() { done <- n }\n}\nfunc _part1() {\nfor i := 0; i < 3; i++ {\ngo _gomatcalcLit1()()\n}\n}"},
		{name: "a parameter is no use of a later name",
			in:   "f := func(y int) int { return y }\ny := 2",
			want: "func _gomatcalcLit1() func(y int) int {\nreturn func(y int) int { return y }\n}\nfunc _part1() {\nf := _gomatcalcLit1()\ny := 2\n}"},
		{name: "a field is no use of a later name",
			in:   "f := func() float64 { return p.y }\ny := 2",
			want: "func _gomatcalcLit1() func() float64 {\nreturn func() float64 { return p.y }\n}\nfunc _part1() {\nf := _gomatcalcLit1()\ny := 2\n}"},
		{name: "several parts",
			in: "a := 1\nf := func() int { return a }\nb := 2\ng := func() int { return b + n }\nh := func() int { return 3 }",
			want: "func _part1() {\na := 1\n}\nfunc _gomatcalcLit1() func() int {\nreturn func() int { return a }\n}\nfunc _part2() {\nf := _gomatcalcLit1()\nb := 2\n}\n" +
				"func _gomatcalcLit2() func() int {\nreturn func() int { return b + n }\n}\nfunc _gomatcalcLit3() func() int {\nreturn func() int { return 3 }\n}\nfunc _part3() {\ng := _gomatcalcLit2()\nh := _gomatcalcLit3()\n}"},
	}
	// A literal that uses a name it could not see from a function declared before its
	// statement stays where it is.
	stays := []rewriteCase{
		{name: "its own statement's name (yaegi defines it first)",
			in: "fact := func(n int) int { if n == 0 { return 1 }; return n * fact(n-1) }"},
		{name: "a later statement's name",
			in: "f := func() int { return y }\ny := 2"},
		{name: "a loop's variable",
			in: "for i := 0; i < 3; i++ {\nfs = append(fs, func() int { return i })\n}"},
		{name: "a variable of a block",
			in: "{\nk := 1\nf = func() int { return k }\n}"},
		{name: "an if's variable",
			in: "if v, ok := m[\"k\"]; ok {\nf = func() int { return v }\n}"},
		{name: "a block with a goto",
			in: "f := func() {}\ngoto end\nend:\nf()"},
		{name: "a name used as a selector's operand",
			in: "f := func() float64 { return m.x }\nm := p"},
	}
	for _, c := range stays {
		c.want = "func _part1() {\n" + c.in + "\n}"
		cases = append(cases, c)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fset, f, n := parseCase(t, c.in, false)
			count := 0
			parts := LiftFuncLits(n.(*ast.BlockStmt), &count)
			out := &ast.File{Name: f.Name}
			for k, p := range parts {
				out.Decls = append(out.Decls, p.Funcs...)
				out.Decls = append(out.Decls, &ast.FuncDecl{Name: ast.NewIdent("_part" + strconv.Itoa(k+1)), Type: &ast.FuncType{Params: &ast.FieldList{}}, Body: p.Block})
			}
			sameGo(t, printNode(t, fset, out), c.want, true)
			for _, p := range parts {
				if !p.Block.Pos().IsValid() {
					t.Errorf("a part has no position: yaegi would not find its imports")
				}
			}
		})
	}
}

func TestLiftFuncLitsNumbersOverACell(t *testing.T) {
	_, _, n := parseCase(t, "f := func() int { return 1 }", false)
	count := 2
	parts := LiftFuncLits(n.(*ast.BlockStmt), &count)
	if count != 3 || len(parts) != 1 || len(parts[0].Funcs) != 1 || parts[0].Funcs[0].(*ast.FuncDecl).Name.Name != LitPrefix+"3" {
		t.Errorf("after two literals of the cell's earlier blocks: count %d, parts %+v; want the function %s3", count, parts, LitPrefix)
	}
}

func TestLiftedLiteralFrames(t *testing.T) {
	// yaegi names a closure's frame by the function it was made in.
	var r frameRecorder
	r.Write([]byte(FileName + ":3:5: panic: main." + LitPrefix + "2.func(...)\n"))
	r.Write([]byte(FileName + ":4:1: panic: main." + LitPrefix + "12.func.func(...)\n"))
	frames, _ := r.list()
	if len(frames) != 2 || frames[0].Func != "func" || frames[1].Func != "func.func" {
		t.Errorf("frames %+v, want the literals' frames named func and func.func, as written in the cell", frames)
	}
}
