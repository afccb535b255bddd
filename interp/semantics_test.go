package interp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// step is one cell of a semantics case and what Go says it does.
type step struct {
	code   string
	stdout string // exactly, when want is not an error
	value  string // text/plain of the cell's value, "" for none
	err    string // a substring of the error, "" for success
	stderr string // a substring of stderr, when set
}

// runSteps runs the cells of a case in a new session.
func runSteps(t *testing.T, name string, steps []step) {
	t.Helper()
	s := newSession(t)
	for i, st := range steps {
		res, out := exec(t, s, st.code)
		switch {
		case st.err != "":
			if res.Err == nil || !strings.Contains(strings.Join(append([]string{res.Err.Value}, res.Err.Traceback...), "\n"), st.err) {
				t.Errorf("%s, cell %d %q: error %v, want one with %q", name, i+1, st.code, res.Err, st.err)
			}
		case res.Err != nil:
			t.Errorf("%s, cell %d %q: %s: %s\n%s", name, i+1, st.code, res.Err.Name, res.Err.Value, strings.Join(res.Err.Traceback, "\n"))
		default:
			if got := out.streams["stdout"]; got != st.stdout {
				t.Errorf("%s, cell %d %q: stdout %q, want %q", name, i+1, st.code, got, st.stdout)
			}
			got, _ := res.Value["text/plain"].(string)
			if got != st.value {
				t.Errorf("%s, cell %d %q: value %q, want %q", name, i+1, st.code, got, st.value)
			}
			if !strings.Contains(out.streams["stderr"], st.stderr) {
				t.Errorf("%s, cell %d %q: stderr %q, want it to say %q", name, i+1, st.code, out.streams["stderr"], st.stderr)
			}
		}
	}
}

// The cases of "the session on the syntax tree": ordinary Go, pasted into cells, runs as
// compiled Go 1.22 runs it.
func TestGoSemantics(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
	}{
		{"a pasted program runs its main once", []step{
			{code: "package main\n\nimport \"fmt\"\n\nfunc init() { fmt.Println(\"init\") }\n\nfunc main() {\n\tfmt.Println(\"hello\")\n}", stdout: "init\nhello\n"},
			{code: "x := 1\nx", value: "1"},
			{code: "main()", stdout: "hello\n"},
			{code: "fmt.Println(\"after\")", stdout: "after\n"},
		}},
		{"main redefined runs the new one", []step{
			{code: "func main() { fmt.Println(\"one\") }", stdout: "one\n"},
			{code: "func main() { fmt.Println(\"two\") }", stdout: "two\n"},
			{code: "1 + 1", value: "2"},
		}},
		{"returns of functions that count their depth", []step{
			// Results named by the session; the function's own names are locals (a
			// closure changing one, a shadowed one returned explicitly).
			{code: "func probe(k int) error {\n\tif k < 0 {\n\t\treturn fmt.Errorf(\"negative %d\", k)\n\t}\n\treturn nil\n}\n" +
				"func load(k int) (n int, err error) {\n\tif err := probe(k); err != nil {\n\t\treturn -1, err\n\t}\n\tinc := func() { n++ }\n\tinc()\n\tinc()\n\treturn\n}\n" +
				"fmt.Println(load(1))\nfmt.Println(load(-2))", stdout: "2 <nil>\n-1 negative -2\n"},
			// An error result of nil beside a float64 (yaegi fails on them assigned at once).
			{code: "func worst(xs []float64) (float64, error) {\n\tw := 0.0\n\tfor _, x := range xs {\n\t\tif x < 0 {\n\t\t\treturn x, probe(-1)\n\t\t}\n\t\tw = math.Max(w, sq(x))\n\t}\n\treturn w, nil\n}\n" +
				"func sq(x float64) float64 { return x * x }\nfmt.Println(worst([]float64{1, 3, 2}))\nfmt.Println(worst([]float64{1, -3}))", stdout: "9 <nil>\n-3 negative -1\n"},
			// A call among the values runs before the others are read, as gc does.
			{code: "func both() (int, int) {\n\tn := 1\n\tbump := func() int { n += 10; return n }\n\treturn n, bump()\n}\nboth()", value: "11 11"},
			{code: "func walk(n int) {\n\tif n == 0 {\n\t\treturn\n\t}\n\twalk(n - 1)\n}\nwalk(100000)", err: "stack overflow: walk nested more than 50000 calls deep"},
			{code: "func ok(n int) int {\n\tif n == 0 {\n\t\treturn 0\n\t}\n\treturn ok(n-1) + 1\n}\nok(40000)", value: "40000"},
		}},
		{"a method or field named main is no main", []step{
			{code: "type T struct{ main int }\nfunc (T) main() int { return 7 }\nT{main: 3}.main()", value: "7"},
		}},
		{"range over an integer in a function", []step{
			{code: "func sum(n int) int {\n\ts := 0\n\tfor i := range n {\n\t\ts += i\n\t}\n\treturn s\n}\nsum(5)", value: "10"},
			{code: "func count() (c int) { for range 3 { c++ }; return }\ncount()", value: "3"},
			{code: "n := 0\nfor i := range 4 { n += i }\nn", value: "6"},
			{code: "xs := []int{5, 6}\nfunc twice(k int) []int { var out []int; for i := range k { for _, x := range xs { out = append(out, i*x) } }; return out }\ntwice(2)", value: "[0 0 5 6]"},
			{code: "func labelled() int {\n\tc := 0\nL:\n\tfor i := range 10 {\n\t\tif i == 3 {\n\t\t\tbreak L\n\t\t}\n\t\tc++\n\t}\n\treturn c\n}\nlabelled()", value: "3"},
			{code: "func keep() int { n := 3; for i := range n { i += 10; _ = i }; return n }\nkeep()", value: "3"},
		}},
		{"untyped float constants of packages", []step{
			{code: "x := 0.25 * math.Pi\nx == math.Pi/4", value: "true"},
			{code: "1.5 + math.E", value: "4.2182818284590455"},
			{code: "math.Sqrt2 * 0.5", value: "0.7071067811865476"},
			{code: "const tau = 2 * math.Pi\nvar f32 float32 = math.Pi\nfloat64(f32) != tau", value: "true"},
		}},
		// yaegi alone kept the top level's block variables with the session's, by name.
		{"a block's variables at the top level are the block's", []step{
			{code: "i, h := 10, 1.0"},
			{code: "for i := 0; i < 3; i++ {\n\th := float64(i)\n\t_ = h\n}\nfmt.Println(i, h)", stdout: "10 1\n"},
			{code: "if h := \"s\"; h != \"\" {\n\tfmt.Println(h)\n}\nh", stdout: "s\n", value: "1"},
			{code: "for i := 0; i < 2; i++ {\n\tfor i := 0; i < 3; i++ {\n\t\t_ = i\n\t}\n\tfmt.Println(i)\n}", stdout: "0\n1\n"},
			{code: "{\n\tx := 1\n\t{\n\t\tx := \"a\"\n\t\tfmt.Println(x)\n\t}\n\tfmt.Println(x)\n}", stdout: "a\n1\n"},
			{code: "for _, v := range []struct{ name string }{{\"a\"}} {\n\tfmt.Println(v.name)\n}", stdout: "a\n"},
			{code: "n := 0\nvar a any = 3\nswitch w := a.(type) {\ncase int:\n\tn = w + 1\n}\nn", value: "4"},
			{code: "v := \"global\"\n{\n\tvar v = 2.5\n\tfmt.Println(v)\n}\nfor _, v := range []int{7} {\n\tfmt.Println(v)\n}\nv", stdout: "2.5\n7\n", value: `"global"`},
		}},
		{"a, b = x, f() evaluates every value first", []step{
			{code: "a, b := 1, 2\nf := func() int { a = 10; return 20 }\na, b = b, f()\nfmt.Println(a, b)", stdout: "2 20\n"},
			{code: "func swap() (int, int) { p, q := 1, 2; g := func() int { p = 100; return 3 }; p, q = q, g(); return p, q }\nswap()", value: "2 3"},
			// With a compiled call among the values, yaegi alone kept i at 0: the loop
			// never ended.
			{code: "i, s := 0, 1.0\ni, s = i+1, math.Max(s, 2)\nfmt.Println(i, s)", stdout: "1 2\n"},
			{code: "func header() string {\n\ti, s := 0, 1.0\n\tif i, s = i+1, math.Max(s, 2); i > 0 {\n\t\treturn fmt.Sprint(i, s)\n\t}\n\treturn \"lost\"\n}\nheader()", value: `"1 2"`},
			{code: "func steps(x []float64) (int, float64) {\n\tn, s := 0, 0.0\n\tfor i, m := 0, 0.0; i < len(x); i, m = i+1, math.Max(m, x[i]) {\n\t\tn++\n\t\ts = m\n\t}\n\treturn n, s\n}\nsteps([]float64{3, 1, 2})", value: "3 3"},
		}},
		{"definitions that use earlier ones", []step{
			{code: "v := mat.NewVecDense(2, []float64{1, 2})\nxs := mat.Col(nil, 0, v)"},
			{code: "x := xs[1]\nx", value: "2"},
			{code: "n := 3\nvar m = n + 1\nm", value: "4"},
			{code: "import \"strings\"\nw := strings.TrimSpace(\" ab\")\nc := w[0]\nc", value: "97"},
			{code: "u := mat.NewVecDense(2, []float64{3, 4})\nus := mat.Col(nil, 0, u)\nu1 := us[1]\nu1", value: "4"},
			{code: "var k = n * 2", stdout: ""},
			{code: "var k2 = k + 1\nfunc g() int { return k2 }\ng()", value: "7"},
		}},
		{"a top-level return ends the cell", []step{
			{code: "fmt.Println(\"before\")\nif true {\n\treturn\n}\nfmt.Println(\"after\")", stdout: "before\n"},
			{code: "y := 5\nreturn\ny = 6"},
			{code: "y", value: "5"},
			{code: "return 1", err: "too many return values"},
		}},
		{"go and defer of calls with nested rewrites", []step{
			{code: "import \"sync\"\nvar wg sync.WaitGroup\nwg.Add(1)\ngo func(xs []int) { defer wg.Done(); fmt.Println(len(xs)) }(make([]int, 3))\nwg.Wait()", stdout: "3\n"},
			{code: "defer fmt.Println(min(1.5, 2.0))\nfmt.Println(\"first\")", stdout: "first\n1.5\n"},
			{code: "import \"slices\"\na := []int{3, 1, 2}\nch := make(chan int)\nworker := func(b []int) { ch <- b[0] }\ngo worker(slices.Clone(a))\n<-ch", value: "3"},
			{code: "done := make(chan bool)\ngo close(done)\n<-done", value: "false"},
		}},
		// The engine makes them inside functions of their own (engine.LiftFuncLits),
		// splitting a block where a literal uses what an earlier statement defines.
		{"function literals at a cell's top level", []step{
			{code: "k := 3\nf := func() int { return k * 2 }\nk = 4\nf()", value: "8"},
			{code: "var fib func(int) int\nfib = func(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nfib(10)", value: "55"},
			{code: "m := map[string]int{\"a\": 1}\nsize := func() int { return len(m) }\nv, ok := m[\"a\"]\nfmt.Println(size(), v, ok)", stdout: "1 1 true\n"},
			{code: "n := 10\nfs := []func() int{}\nfor i := 0; i < 3; i++ {\nfs = append(fs, func() int { return i * n })\n}\nfs[0]() + fs[1]() + fs[2]()", value: "30"},
			{code: "done := make(chan int)\ngo func() { done <- n + 1 }()\n<-done", value: "11"},
			{code: "h := func() { panic(\"inner\") }\nh()", err: "  in func"},
			{code: "x := 1\ng := func() int { return x }"},
			// yaegi compiles a function with the variables of its time: x is a new variable.
			{code: "x := 2\ng() * 10 + x", value: "12"},
		}},
		{"comma-ok definitions at a cell's top level", []step{
			{code: "m := map[string]int{\"k\": 2}\nv, ok := m[\"k\"]\nfmt.Println(v, ok)", stdout: "2 true\n"},
			{code: "w, found := m[\"nope\"]\nfmt.Println(w, found)", stdout: "0 false\n"},
			{code: "ch := make(chan float64, 1)\nch <- 1.5\nr, open := <-ch\nfmt.Println(r, open)", stdout: "1.5 true\n"},
			{code: "var a any = 4\nx, isInt := a.(int)\n_, isString := a.(string)\nfmt.Println(x, isInt, isString)", stdout: "4 true false\n"},
		}},
		{"builtin calls among several results", []step{
			{code: "func f(v []int) (int, int) { return 1, len(v) }\nf([]int{1, 2, 3})", value: "1 3"},
			{code: "func g(v []float64) (float64, int, []float64) { return 2, cap(v), append(v, 1) }\ng(make([]float64, 2, 5))", value: "2 5 [0 0 1]"},
			{code: "func h() (a, b int) { return 7, max(3, 4) }\nh()", value: "7 4"},
		}},
		{"loop variables, fields and aliases", []step{
			{code: "type st struct{ i int }\ns := st{i: 3}\nvar fs []func() int\nfor i := 0; i < s.i; i++ { fs = append(fs, func() int { return i }) }\nfs[0]() + fs[2]()", value: "2"},
			{code: "import s2 \"slices\"\nq := []int{3, 1, 2}\ns2.Sort(q)\nq", value: "[1 2 3]"},
			{code: "var x32 float32 = 2.5\nmin(1.5, x32)", value: "1.5"},
			{code: "max(x32, 3)", value: "3"},
		}},
	}
	for _, c := range cases {
		runSteps(t, c.name, c.steps)
	}
}

// What Go writes where: println to stderr in the runtime's format, os.Args without the
// kernel's command line, the process's environment, os.Exit without running deferred calls.
func TestProgramEnvironment(t *testing.T) {
	s := newSession(t)
	res, out := exec(t, s, "println(\"x\", 1.5, 3, true, -0.25)\nprint(\"a\", 1)\nprintln()")
	if res.Err != nil || out.streams["stdout"] != "" || out.streams["stderr"] != "x +1.500000e+000 3 true -2.500000e-001\na1\n" {
		t.Errorf("println: %v, streams %q", res.Err, out.streams)
	}
	res, _ = exec(t, s, "import \"os\"\nlen(os.Args)")
	if res.Err != nil || res.Value["text/plain"] != "1" {
		t.Errorf("os.Args: %v %v", res.Value, res.Err)
	}
	// The process's environment, as a program sees its own (yaegi's is empty by default).
	t.Setenv("GOMATCALC_TEST_ENV", "seen")
	s = newSession(t)
	res, _ = exec(t, s, "import \"os\"\nos.Getenv(\"GOMATCALC_TEST_ENV\") + \" \" + fmt.Sprint(len(os.Environ()) > 0)")
	if res.Err != nil || res.Value["text/plain"] != `"seen true"` {
		t.Errorf("os.Getenv: %v %v", res.Value, res.Err)
	}
	res, out = exec(t, s, "func quit() {\n\tdefer fmt.Println(\"deferred\")\n\tos.Exit(2)\n}\nfunc() {\n\tdefer func() { recover() }()\n\tquit()\n}()\nfmt.Println(\"after\")")
	if res.Err == nil || res.Err.Name != "Exit" || !strings.Contains(res.Err.Value, "os.Exit(2)") || out.streams["stdout"] != "" {
		t.Errorf("os.Exit: %v, stdout %q", res.Err, out.streams["stdout"])
	}
	if res, out = exec(t, s, "fmt.Println(\"next\")"); res.Err != nil || out.streams["stdout"] != "next\n" {
		t.Errorf("after os.Exit: %v %q", res.Err, out.streams)
	}
	// A flag set that would exit on a parse error fails the cell instead.
	res, _ = exec(t, s, "import \"flag\"\nfs := flag.NewFlagSet(\"cell\", flag.ExitOnError)\nfs.Parse([]string{\"-nope\"})")
	if res.Err == nil || !strings.Contains(res.Err.Value, "flag provided but not defined: -nope") {
		t.Errorf("flag.ExitOnError: %+v", res.Err)
	}
	// log.Fatal logs, then exits as os.Exit(1) does.
	res, out = exec(t, s, "import \"log\"\nlog.SetFlags(0)\nfunc() {\n\tdefer func() { recover() }()\n\tlog.Fatal(\"bad input\")\n}()\nfmt.Println(\"not reached\")")
	if res.Err == nil || res.Err.Name != "Exit" || out.streams["stderr"] != "bad input\n" || out.streams["stdout"] != "" {
		t.Errorf("log.Fatal: %v, streams %q", res.Err, out.streams)
	}
	// Half a character at a cell's end is shown as the replacement character, in that
	// cell, not run into the next one's text.
	if _, out = exec(t, s, "fmt.Print(\"a\\xe2\\x82\")"); out.streams["stdout"] != "a\uFFFD" {
		t.Errorf("half a character: %q", out.streams)
	}
	if _, out = exec(t, s, "fmt.Print(\"b\")"); out.streams["stdout"] != "b" {
		t.Errorf("the next cell: %q", out.streams)
	}
	// Compiled code's writes to os.Stdout keep their order with fmt.Print's.
	res, out = exec(t, s, "os.Stdout.WriteString(\"a\")\nfmt.Print(\"b\")\nos.Stdout.WriteString(\"c\")\nfmt.Fprint(os.Stdout, \"d\\n\")")
	if res.Err != nil || out.streams["stdout"] != "abcd\n" {
		t.Errorf("order of writes: %v %q", res.Err, out.streams)
	}
}

// A cell that fails to compile leaves the session exactly as it was: no function of it
// is defined, and a function it redefines keeps its old body.
func TestFailedCompileChangesNothing(t *testing.T) {
	runSteps(t, "atomic cells", []step{
		{code: "func solve(a, b float64) (float64, error) { return b / a, nil }"},
		{code: "func helper() int { return 1 }\nfunc solve(a, b float64) (float64, error) { return nope, nil }", err: "undefined: nope"},
		{code: "solve(2, 6)", value: "3 <nil>"},
		{code: "helper()", err: "undefined: helper"},
		{code: "x := 1\ny := x + missing", err: "undefined: missing"},
		{code: "x", err: "undefined: x"},
		{code: "import \"strings\"\nfunc up(s string) string { return strings.ToUpper(s) }\nup(1)", err: "cannot convert 1 to string"},
		{code: "up(\"a\")", err: "undefined: up"},
		{code: "func vec() *mat.VecDense { var v mat.VecDense; return v }", err: "line 1:55: cannot use v as a result of this function in return argument"},
	})
}

// A panic inside a function names the line it happened on, in the cell that declares the
// function, and the line of this cell that called it.
func TestPanicLines(t *testing.T) {
	s := newSession(t)
	s.Execute(context.Background(), lang.ExecuteRequest{Code: "func get(a []int, i int) int {\n\tif i > 10 {\n\t\treturn 0\n\t}\n\treturn a[i]\n}", ExecutionCount: 4}, newRecorder())
	res, _ := exec(t, s, "xs := []int{1, 2}\nn := get(xs, 1)\nm := get(xs, 5)\n_ = n + m")
	if res.Err == nil || res.Err.Line != 3 {
		t.Fatalf("got %+v", res.Err)
	}
	tb := strings.Join(res.Err.Traceback, "\n")
	for _, want := range []string{"at line 5 of cell [4]", "return a[i]", "called at line 3 of this cell", "m := get(xs, 5)"} {
		if !strings.Contains(tb, want) {
			t.Errorf("traceback lacks %q:\n%s", want, tb)
		}
	}
	// A panic deep in a recursion, under statements that call the cell's own functions
	// (which set no marker of their own), names its own line.
	s.Execute(context.Background(), lang.ExecuteRequest{Code: "func walk(a []int, i int) int {\n\tif i == 0 {\n\t\treturn a[5]\n\t}\n\tx := walk(a, i-1)\n\treturn x + 1\n}", ExecutionCount: 5}, newRecorder())
	res, _ = exec(t, s, "n := 1\nn += walk([]int{1}, 3)")
	tb = strings.Join(res.Err.Traceback, "\n")
	if res.Err == nil || !strings.Contains(tb, "at line 3 of cell [5]") || !strings.Contains(tb, "called at line 2 of this cell") {
		t.Errorf("a panic in a recursion: %v\n%s", res.Err, tb)
	}
	// Compiled code's panic names the line that called it.
	res, _ = exec(t, s, "func det(a *mat.Dense) float64 {\n\tb := mat.NewDense(3, 3, nil)\n\tb.Mul(a, a)\n\treturn mat.Det(b)\n}\ndet(mat.NewDense(2, 2, nil))")
	tb = strings.Join(res.Err.Traceback, "\n")
	if res.Err == nil || !strings.Contains(tb, "at line 3 of this cell") || !strings.Contains(tb, "called at line 6 of this cell") {
		t.Errorf("a panic in gonum: %v\n%s", res.Err, tb)
	}
}

// A call deferred at a cell's top level that never returns is stopped by an interrupt,
// as the cell would be, and the session goes on.
func TestInterruptStopsADeferredCall(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{
		"defer func() {\n\tfor {\n\t}\n}()\nfmt.Println(\"body\")",
		"ch := make(chan int)\ndefer func() { <-ch }()",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan lang.ExecuteResult)
		go func() { done <- s.Execute(ctx, lang.ExecuteRequest{Code: code}, newRecorder()) }()
		time.Sleep(300 * time.Millisecond)
		cancel()
		select {
		case res := <-done:
			if res.Err == nil || res.Err.Name != "Interrupted" {
				t.Errorf("%q: got %+v", code, res.Err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: the interrupt did not stop the deferred call", code)
		}
		if res, _ := exec(t, s, "1 + 1"); res.Err != nil || res.Value["text/plain"] != "2" {
			t.Errorf("after %q: %v %v", code, res.Value, res.Err)
		}
	}
}

// A function redefined in a later cell changes what the functions that call it do, as a
// rebuilt program would (yaegi alone kept calling the old one).
func TestRedefinedFunctionsReachTheirCallers(t *testing.T) {
	runSteps(t, "callers", []step{
		{code: "func f() int { return 1 }"},
		{code: "func g() int { return f() * 2 }\nfunc h() int { return g() + 1 }"},
		{code: "func f() int { return 5 }\ng()", value: "10"},
		{code: "h()", value: "11"},
		// g's own cell line still names a panic in it.
		{code: "func f() int { panic(\"boom\") }"},
		{code: "h()", err: "in g, declared at line 1 of cell"},
		// A new signature g no longer fits: the cell runs, g keeps the old f, and a note
		// says so.
		{code: "func f(x int) int { return x }\nf(7)", value: "7",
			stderr: "note: g, h still call the functions this cell redefines as they were before: compiled again with the new ones, they fail (not enough arguments in call to f)"},
		{code: "h()", err: "boom"},
	})
}
