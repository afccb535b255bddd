package interp

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// recorder is a lang.Output that keeps everything a cell sends.
type recorder struct {
	mu       sync.Mutex
	streams  map[string]string
	displays []lang.Display
	clears   int
	input    string
	allow    bool
}

func newRecorder() *recorder { return &recorder{streams: map[string]string{}} }

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams[name] += text
}
func (r *recorder) Display(d lang.Display) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.displays = append(r.displays, d)
}
func (r *recorder) Clear(bool) { r.clears++ }
func (r *recorder) Input(string, bool) (string, error) {
	if !r.allow {
		return "", lang.ErrNoStdin
	}
	return r.input, nil
}

func newSession(t *testing.T) *Session {
	t.Helper()
	s, err := New(Options{Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func exec(t *testing.T, s *Session, code string) (lang.ExecuteResult, *recorder) {
	t.Helper()
	out := newRecorder()
	return s.Execute(context.Background(), lang.ExecuteRequest{Code: code}, out), out
}

func TestCellValues(t *testing.T) {
	s := newSession(t)
	tests := []struct {
		code string
		want string // text/plain of the value; "" for no value
	}{
		{"1+1", "2"},
		{"x := 20", ""},
		{"x + 22", "42"},
		{"var y = 2", ""},
		{"y", "2"},
		{`import "strconv"` + "\n" + `strconv.Atoi("12")`, "12 <nil>"},
		{`import "strconv"` + "\n" + `strconv.Itoa(7)`, `"7"`},
		{`fmt.Println("printed")`, ""},
		{"func noResult() {}\n", ""},
		{"noResult()", ""},
		{"for i := 0; i < 2; i++ { x++ }", ""},
		{"x", "22"},
		{"_ = x", ""},
		{"if true { x }", ""},
		{"math.Sqrt(16)", "4"},
		{"A := mat.NewDense(2, 2, []float64{1, 0, 0, 1})\nA.At(1, 1)", "1"},
	}
	for _, tt := range tests {
		res, _ := exec(t, s, tt.code)
		if res.Err != nil {
			t.Errorf("%q: %v", tt.code, res.Err)
			continue
		}
		got, _ := res.Value["text/plain"].(string)
		if got != tt.want {
			t.Errorf("%q displayed %q, want %q", tt.code, got, tt.want)
		}
	}
}

func TestRerunningCellsIsHarmless(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{`import "strings"`, "n := 1", "func f() int { return 1 }", "var v = 3"} {
		for run := 0; run < 2; run++ {
			if res, _ := exec(t, s, code); res.Err != nil {
				t.Errorf("run %d of %q: %v", run+1, code, res.Err)
			}
		}
	}
}

func TestOutputIsCaptured(t *testing.T) {
	s := newSession(t)
	_, out := exec(t, s, `import "os"`+"\n"+`fmt.Println("interpreted")`+"\n"+
		`os.Stdout.WriteString("compiled\n")`+"\n"+`fmt.Fprintln(os.Stderr, "problem")`)
	if out.streams["stdout"] != "interpreted\ncompiled\n" {
		t.Errorf("stdout %q", out.streams["stdout"])
	}
	if out.streams["stderr"] != "problem\n" {
		t.Errorf("stderr %q", out.streams["stderr"])
	}
}

func TestErrorsKeepState(t *testing.T) {
	s := newSession(t)
	exec(t, s, "kept := 5")
	for _, tt := range []struct{ code, name, value string }{
		{`panic("custom")`, "panic", "custom"},
		{"undefinedThing + 1", "CompileError", "undefined: undefinedThing"},
		{"x := (", "SyntaxError", ""},
	} {
		res, out := exec(t, s, tt.code)
		if res.Err == nil || res.Err.Name != tt.name || !strings.Contains(res.Err.Value, tt.value) {
			t.Errorf("%q: error %+v, want %s containing %q", tt.code, res.Err, tt.name, tt.value)
		}
		if strings.Contains(out.streams["stderr"], "panic") {
			t.Errorf("%q: yaegi's panic line leaked to stderr: %q", tt.code, out.streams["stderr"])
		}
	}
	res, _ := exec(t, s, "kept")
	if res.Err != nil || res.Value["text/plain"] != "5" {
		t.Errorf("state lost after errors: %+v", res)
	}
}

func TestInterruptStopsALoop(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	res := s.Execute(ctx, lang.ExecuteRequest{Code: "for {}"}, newRecorder())
	if res.Err == nil || res.Err.Name != "Interrupted" {
		t.Fatalf("got %+v", res.Err)
	}
	if res, _ := exec(t, s, "1"); res.Err != nil {
		t.Errorf("next cell after interrupt: %v", res.Err)
	}
}

// An interrupt names the line it found the cell at, and the line of another cell's
// function it was in.
func TestAnInterruptNamesTheLine(t *testing.T) {
	s := newSession(t)
	s.Execute(context.Background(), lang.ExecuteRequest{Code: "func spin(n int) int {\n\tfor {\n\t\tn = n * 3 / 2\n\t}\n}", ExecutionCount: 7}, newRecorder())
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	res := s.Execute(ctx, lang.ExecuteRequest{Code: "x := 1\nx = spin(x)\nx"}, newRecorder())
	tb := strings.Join(res.Err.Traceback, "\n")
	if res.Err == nil || res.Err.Name != "Interrupted" || res.Err.Line != 2 ||
		!strings.Contains(tb, "at line 2 of this cell\n    x = spin(x)") || !strings.Contains(tb, "in code of cell [7], at line 3\n    n = n * 3 / 2") {
		t.Errorf("got %+v\n%s", res.Err, tb)
	}
}

// gonum's shape panic names no shapes: the session adds those of the statement's
// operands.
func TestAShapeMismatchNamesTheShapes(t *testing.T) {
	s := newSession(t)
	exec(t, s, "A := mat.NewDense(3, 3, nil)\nB := mat.NewDense(2, 3, nil)\nD := mat.NewDense(2, 2, nil)")
	for code, want := range map[string]string{
		"var C mat.Dense\nC.Mul(A, B)": "mat: dimension mismatch: C is empty, A is 3×3, B is 2×3",
		"D.Mul(A, A)":                  "mat: dimension mismatch: D is 2×2, A is 3×3",
		"D.Add(D, B)":                  "mat: dimension mismatch: D is 2×2, B is 2×3",
	} {
		if res, _ := exec(t, s, code); res.Err == nil || res.Err.Value != want {
			t.Errorf("%s: %+v, want %q", code, res.Err, want)
		}
	}
}

func TestStdin(t *testing.T) {
	s := newSession(t)
	out := newRecorder()
	out.allow, out.input = true, "Ada"
	res := s.Execute(context.Background(), lang.ExecuteRequest{Code: "var name string\nfmt.Scanln(&name)\nname"}, out)
	if res.Err != nil || res.Value["text/plain"] != `"Ada"` {
		t.Errorf("got %+v %v", res.Value, res.Err)
	}
	res, _ = exec(t, s, "var s string\n_, err := fmt.Scanln(&s)\nerr")
	if res.Err != nil || !strings.Contains(res.Value["text/plain"].(string), "stdin is not available") {
		t.Errorf("without stdin: %+v %v", res.Value, res.Err)
	}
}

func TestDisplayAndClear(t *testing.T) {
	s := newSession(t)
	res, out := exec(t, s, `display.HTML("<b>x</b>")`+"\n"+`display.Clear()`)
	if res.Err != nil || res.Value != nil {
		t.Fatalf("display calls show no value: %+v %v", res.Value, res.Err)
	}
	if len(out.displays) != 1 || out.displays[0].Data["text/html"] != "<b>x</b>" {
		t.Errorf("displays %+v", out.displays)
	}
	if out.clears != 1 {
		t.Errorf("clears %d", out.clears)
	}
}

func TestHelpCellPages(t *testing.T) {
	s := newSession(t)
	for _, code := range []string{"?mat.NewDense", "mat.NewDense?"} {
		res, _ := exec(t, s, code)
		page, _ := res.Page["text/plain"].(string)
		if !strings.HasPrefix(page, "func NewDense(r, c int, data []float64) *Dense") || !strings.Contains(page, "row-major") {
			t.Errorf("%q paged %q", code, page)
		}
	}
}

func TestUserExpressions(t *testing.T) {
	s := newSession(t)
	res := s.Execute(context.Background(), lang.ExecuteRequest{Code: "u := 4",
		UserExpressions: map[string]string{"sq": "u * u", "bad": "nope"}}, newRecorder())
	if got := res.UserExpressions["sq"]; got.Err != nil || got.Value["text/plain"] != "16" {
		t.Errorf("sq: %+v", got)
	}
	if got := res.UserExpressions["bad"]; got.Err == nil {
		t.Errorf("bad: %+v", got)
	}
}

func TestComplete(t *testing.T) {
	s := newSession(t)
	exec(t, s, "A := mat.NewDense(2, 2, nil)\nlongName := 1\nfunc longFunc() {}\ntype longType int")
	exec(t, s, "vs := []*mat.VecDense{mat.NewVecDense(1, nil), mat.NewVecDense(1, nil)}")
	exec(t, s, "type Vec struct{ X, Y float64 }\nfunc (v Vec) Norm() float64 { return 0 }\nfunc (v *Vec) Scale(k float64) { v.X *= k }\np := &Vec{1, 2}")
	exec(t, s, "type stack struct{ items []Vec }\nst := stack{[]Vec{{1, 2}}}")
	tests := []struct {
		code       string
		want       []string // all must be among the matches
		start, end int
	}{
		{"mat.NewD", []string{"NewDense", "NewDiagDense"}, 4, 8},
		{"x := A.Di", []string{"Dims"}, 7, 9},
		{"long", []string{"longName", "longFunc", "longType"}, 0, 4},
		{"fo", []string{"for"}, 0, 2},
		{"a := 1\nfmt.Sprin", []string{"Sprint", "Sprintf", "Sprintln"}, 11, 16},
		// After calls and indexes, from the types alone: nothing is evaluated.
		{"mat.NewDense(2, 2, nil).Ad", []string{"Add"}, 24, 26},
		{"matcalc.D(f, 1.0).", []string{"Apply", "Matrix", "Err"}, 18, 18},
		{"A.T().D", []string{"Dims"}, 6, 7},
		{"r := matcalc.Newton(g, 1.0).Steps[0].", []string{"X"}, 37, 37},
		{"vs[1].", []string{"Dims", "AtVec"}, 6, 6},
		// A cell type's methods and fields.
		{"p.", []string{"Norm", "Scale", "X", "Y"}, 2, 2},
		// Unexported fields by their own names (yaegi's reflect type says "Xitems").
		{"st.it", []string{"items"}, 3, 5},
		{"st.items[0].", []string{"Norm", "X"}, 12, 12},
	}
	for _, tt := range tests {
		c := s.Complete(tt.code, len(tt.code))
		for _, w := range tt.want {
			if !contains(c.Matches, w) {
				t.Errorf("%q: %q not among %v", tt.code, w, c.Matches)
			}
		}
		if c.Start != tt.start || c.End != tt.end {
			t.Errorf("%q: range %d-%d, want %d-%d", tt.code, c.Start, c.End, tt.start, tt.end)
		}
	}
}

// TestCompleteImports: members of a package not imported yet, with the import they need,
// and the paths cells can import inside an import's string.
func TestCompleteImports(t *testing.T) {
	s := newSession(t)
	exec(t, s, "A := mat.NewDense(2, 2, nil)\nvar strconv = 3")
	types := func(c lang.Completion) map[string]string {
		out := map[string]string{}
		list, _ := c.Metadata["_jupyter_types_experimental"].([]map[string]any)
		if len(list) != len(c.Matches) {
			t.Errorf("%d types for %d matches", len(list), len(c.Matches))
		}
		for i, m := range list {
			if m["text"] != c.Matches[i] || m["start"] != c.Start || m["end"] != c.End {
				t.Errorf("type %d: %v, match %q at %d-%d", i, m, c.Matches[i], c.Start, c.End)
			}
			out[m["text"].(string)], _ = m["type"].(string)
		}
		return out
	}

	// strings. before import "strings": its functions and types, each saying the import.
	c := s.Complete("strings.Fi", 10)
	for _, w := range []string{"Fields", "FieldsFunc"} {
		if !contains(c.Matches, w) {
			t.Errorf("strings.Fi: %q not among %v", w, c.Matches)
		}
	}
	if c.Start != 8 || c.End != 10 {
		t.Errorf("strings.Fi: range %d-%d", c.Start, c.End)
	}
	if got := types(c)["Fields"]; got != `function, needs import "strings"` {
		t.Errorf("strings.Fields: type %q", got)
	}
	if got, _ := c.Metadata["needs_import"].([]string); len(got) != 1 || got[0] != "strings" {
		t.Errorf("strings.Fi: needs_import %v", c.Metadata["needs_import"])
	}
	c = s.Complete("strings.", 8)
	if got := types(c)["Builder"]; got != `type, needs import "strings"` {
		t.Errorf("strings.Builder: type %q", got)
	}
	// Imported, it needs nothing.
	exec(t, s, `import "strings"`)
	c = s.Complete("strings.Fi", 10)
	if got := types(c)["Fields"]; got != "function" || c.Metadata["needs_import"] != nil {
		t.Errorf("imported strings.Fields: type %q, %v", got, c.Metadata)
	}
	// A name of several packages offers what each has.
	c = s.Complete("rand.Int", 8)
	if !contains(c.Matches, "Intn") || !contains(c.Matches, "Int") {
		t.Errorf("rand.Int: %v", c.Matches)
	}
	// A session variable with a package's name is the variable.
	if c := s.Complete("strconv.Ito", 11); len(c.Matches) != 0 {
		t.Errorf("strconv variable: %v", c.Matches)
	}
	// Kinds of imported members and of a variable's methods.
	if got := types(s.Complete("math.P", 6))["Pi"]; got != "constant" {
		t.Errorf("math.Pi: %q", got)
	}
	if got := types(s.Complete("A.Di", 4))["Dims"]; got != "method" {
		t.Errorf("A.Dims: %q", got)
	}

	// Import paths inside an import's string, not keywords.
	for _, tt := range []struct {
		code  string // | is the cursor
		want  []string
		start int // of the path
	}{
		{`import "str|`, []string{"strings", "strconv"}, 8},
		{`import "str|"`, []string{"strings", "strconv"}, 8},
		{`import s "str|`, []string{"strings"}, 10},
		{"import (\n\t\"fmt\"\n\t\"math/r|", []string{"math/rand", "math/rand/v2"}, 18},
		{`import "gonum.org/v1/gonum/m|`, []string{"gonum.org/v1/gonum/mat"}, 8},
		{`import "github.com/gomatcalc/gomatcalc/stdlib/m|`, []string{"github.com/gomatcalc/gomatcalc/stdlib/matcalc"}, 8},
	} {
		cursor := strings.Index(tt.code, "|")
		code := tt.code[:cursor] + tt.code[cursor+1:]
		c := s.Complete(code, cursor)
		for _, w := range tt.want {
			if !contains(c.Matches, w) {
				t.Errorf("%q: %q not among %v", tt.code, w, c.Matches)
			}
		}
		for _, m := range c.Matches {
			if !strings.HasPrefix(m, code[tt.start:cursor]) || m == "import" {
				t.Errorf("%q: %q", tt.code, m)
			}
		}
		if c.Start != tt.start || c.End != cursor {
			t.Errorf("%q: range %d-%d, want %d-%d", tt.code, c.Start, c.End, tt.start, cursor)
		}
		if got := types(c)[tt.want[0]]; got != "package" {
			t.Errorf("%q: type %q", tt.code, got)
		}
	}
	// The session's own run-time support is not for cells.
	if c := s.Complete(`import "github.com/gomatcalc/gomatcalc/stdlib/c`, 47); contains(c.Matches, "github.com/gomatcalc/gomatcalc/stdlib/cellrt") {
		t.Errorf("cellrt offered: %v", c.Matches)
	}
	// Any other string is no import, and no place for names either.
	if c := s.Complete(`fmt.Println("str`, 16); len(c.Matches) != 0 {
		t.Errorf("a string: %v", c.Matches)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestInspect(t *testing.T) {
	s := newSession(t)
	exec(t, s, "v := 3.5\nA := mat.NewDense(2, 2, nil)")
	exec(t, s, "// area is the area of a w by h rectangle.\nfunc area(w, h float64) float64 {\n\treturn w * h\n}")
	exec(t, s, "type point struct{ x, y float64 }\nps := []*point{{1, 2}}")
	for _, tt := range []struct {
		code   string
		cursor int
		want   string // the start of the text
	}{
		{"mat.NewDense(2, 2, nil)", 6, "func NewDense(r, c int, data []float64) *Dense\n\nNewDense creates"},
		{"A.Mul(A, A)", 3, "func (m *Dense) Mul(a, b Matrix)\n\nMul takes the matrix product"},
		{"fmt.Sprintf", 5, "func Sprintf(format string, a ...any) string"},
		{"v", 1, "var v float64 = 3.5"},
		// A method after a call: the doc comment of the type it returns.
		{"matcalc.D(f, v).Apply(1.0)", 20, "func (l *Linear) Apply(dx any) any"},
		// A matrix shows as a cell shows it, not as gonum's struct.
		{"A", 1, "var A *mat.Dense = \n⎡0  0⎤\n⎣0  0⎦"},
		// A cell's type by its name.
		{"ps", 2, "var ps []*point = "},
		// A function of the session shows its declaration and where it is.
		{"area(2, 3)", 2, "// area is the area of a w by h rectangle.\nfunc area(w, h float64) float64\n\n(declared at line 2 of cell [0])"},
	} {
		in := s.Inspect(tt.code, tt.cursor, 0)
		text, _ := in.Data["text/plain"].(string)
		if !in.Found || !strings.HasPrefix(text, tt.want) {
			t.Errorf("%q: %+v, want %q", tt.code, in, tt.want)
		}
	}
	if in := s.Inspect("nothingHere", 3, 0); in.Found {
		t.Errorf("unknown name found: %+v", in)
	}
}

// TestInspectInsideCall: Shift-Tab where arguments are typed shows the function called.
func TestInspectInsideCall(t *testing.T) {
	s := newSession(t)
	exec(t, s, "A := mat.NewDense(2, 2, nil)\nx := []float64{1, 2}\nsq := func(v float64) float64 { return v * v }")
	exec(t, s, "// area is the area of a w by h rectangle.\nfunc area(w, h float64) float64 {\n\treturn w * h\n}")
	exec(t, s, "type vec struct{ x, y float64 }\n\n// scale multiplies v by k.\nfunc (v *vec) scale(k float64) { v.x *= k; v.y *= k }\np := &vec{1, 2}\nps := []*vec{p}")
	for _, tt := range []struct {
		code string // | is the cursor
		want []string
	}{
		// Inside the parentheses of a compiled function: its signature and doc comment,
		// which says what kinds it takes.
		{"matcalc.Hessian(|", []string{"func Hessian(f, x any, opts ...Option) *mat.SymDense\n\nHessian returns the Hessian",
			"float64, []float64, *mat.VecDense or", "returns a float64"}},
		{"h := matcalc.Hessian(|)", []string{"func Hessian(f, x any"}},
		// After a comma, and on an argument being typed.
		{"mat.NewDense(2, |", []string{"func NewDense(r, c int, data []float64) *Dense\n\nNewDense creates"}},
		{"mat.NewDense(2|", []string{"func NewDense(r, c int, data []float64) *Dense"}},
		{"matcalc.Hessian(sq, x|)", []string{"func Hessian(f, x any"}},
		// Inside a slice literal that is an argument.
		{"mat.NewDense(2, 2, []float64{1, |", []string{"func NewDense("}},
		// A method of a cell variable's type (A is a *mat.Dense).
		{"A.Mul(|", []string{"func (m *Dense) Mul(a, b Matrix)\n\nMul takes the matrix product"}},
		{"A.Mul(A, |)", []string{"func (m *Dense) Mul(a, b Matrix)"}},
		{"A.T().Dims(|", []string{"Dims", "func() (int, int)"}}, // mat.Matrix: the interface method's type
		// The innermost call; a name followed by its own call is that call's function.
		{"fmt.Println(math.Sqrt(|", []string{"func Sqrt(x float64) float64"}},
		{"fmt.Println(math.Sq|rt(2))", []string{"func Sqrt(x float64) float64"}},
		{"fmt.Println(\"(\", |", []string{"func Println(a ...any) (n int, err error)"}},
		// A function declared in a cell.
		{"area(2, |", []string{"// area is the area of a w by h rectangle.\nfunc area(w, h float64) float64"}},
		// A method of a cell type, on a variable and after an index.
		{"p.scale(|", []string{"// scale multiplies v by k.\nfunc (v *vec) scale(k float64)"}},
		{"ps[0].scale(2|", []string{"func (v *vec) scale(k float64)"}},
		// A func variable: its type, not an address.
		{"sq(|", []string{"var sq func(float64) float64"}},
		{"sq|", []string{"var sq func(float64) float64"}},
	} {
		cursor := strings.Index(tt.code, "|")
		code := tt.code[:cursor] + tt.code[cursor+1:]
		in := s.Inspect(code, cursor, 0)
		text, _ := in.Data["text/plain"].(string)
		for _, w := range tt.want {
			if !in.Found || !strings.Contains(text, w) {
				t.Errorf("%q: %q, want it to hold %q", tt.code, text, w)
			}
		}
		if strings.Contains(text, "0x") {
			t.Errorf("%q: an address: %q", tt.code, text)
		}
	}
	// Not a call: a block, a grouping, a func literal's parameters.
	for _, tt := range []string{"if true {\n\t|", "y := (1 + |", "func(|"} {
		cursor := strings.Index(tt, "|")
		if in := s.Inspect(tt[:cursor]+tt[cursor+1:], cursor, 0); in.Found {
			t.Errorf("%q: found %+v", tt, in)
		}
	}
}

func TestIsComplete(t *testing.T) {
	s := newSession(t)
	for code, want := range map[string]string{
		"1+1":                       lang.Complete,
		"x := 1":                    lang.Complete,
		"func f() int { return 1 }": lang.Complete,
		`import "os"` + "\nos.Args": lang.Complete,
		"func f() {":                lang.Incomplete,
		"x := []int{1,":             lang.Incomplete,
		"y := 1 +":                  lang.Incomplete,
		"s := `raw":                 lang.Incomplete,
		"/* a comment":              lang.Incomplete,
		`s := "abc`:                 lang.Invalid,
		"r := 'a":                   lang.Invalid,
		"x := 1)":                   lang.Invalid,
		"for for":                   lang.Invalid,
		"x := 1 2":                  lang.Invalid,
	} {
		if got := s.IsComplete(code).Status; got != want {
			t.Errorf("%q: %s, want %s", code, got, want)
		}
	}
	if got := s.IsComplete("if x {\n\tfor {").Indent; got != "\t\t" {
		t.Errorf("indent %q", got)
	}
}

// BenchmarkExecute measures a trivial cell in the session: parse, yaegi compile and run,
// and the capture of os.Stdout and os.Stderr.
func BenchmarkExecute(b *testing.B) {
	s, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	out := newRecorder()
	for i := 0; i < b.N; i++ {
		s.Execute(context.Background(), lang.ExecuteRequest{Code: "1+1"}, out)
	}
}

// valueTest is a cell and the text/plain of the value it must show.
type valueTest struct{ code, want string }

// mimeTest is a cell and what its value shows as one MIME type.
type mimeTest struct{ code, mime, want string }

// expectMIME runs each cell in s and checks its value in the test's MIME type.
func expectMIME(t *testing.T, s *Session, tests []mimeTest) {
	t.Helper()
	for _, tt := range tests {
		res, _ := exec(t, s, tt.code)
		if res.Err != nil || res.Value[tt.mime] != tt.want {
			t.Errorf("%q: %s = %q (%v), want %q", tt.code, tt.mime, res.Value[tt.mime], res.Err, tt.want)
		}
	}
}

// expectValues runs each cell in s and checks the value it shows.
func expectValues(t *testing.T, s *Session, tests []valueTest) {
	t.Helper()
	for _, tt := range tests {
		res, _ := exec(t, s, tt.code)
		if res.Err != nil {
			t.Errorf("%q: %s", tt.code, strings.Join(res.Err.Traceback, "\n"))
			continue
		}
		if got := res.Value["text/plain"]; got != tt.want {
			t.Errorf("%q displayed %v, want %s", tt.code, got, tt.want)
		}
	}
}

func TestMixedCells(t *testing.T) {
	s := newSession(t)
	tests := []valueTest{
		{`import "strings"` + "\n" + `strings.ToUpper("go")`, `"GO"`},
		{"func sq(x int) int { return x * x }\nsq(4)", "16"},
		{"base := 1\nfunc addBase(y int) int { return base + y }\naddBase(2)", "3"},
		{"type P struct{ X, Y float64 }\nfunc (p P) Norm() float64 { return math.Hypot(p.X, p.Y) }\nP{3, 4}.Norm()", "5"},
		{"var v = 3\nv++\nv", "4"},
		{"const c = 2\nc * 21", "42"},
		{"n := 0\nfunc() { n = 7 }()\nn", "7"},
		{`import "strings"` + "\n" + `import "sort"` + "\nxs := []string{\"b\", \"a\"}\nsort.Strings(xs)\nstrings.Join(xs, \",\")", `"a,b"`},
	}
	expectValues(t, s, tests)
}

func TestErrorsNameTheCellsOwnLines(t *testing.T) {
	s := newSession(t)
	tests := []struct {
		code  string
		name  string
		lines []string // each must start a traceback line
	}{
		{"a := 1\n\tb := undefinedName + a", "CompileError", []string{"line 2:7: undefined: undefinedName"}},
		{"x := 2\n\ny := x * nope(3)", "CompileError", []string{"line 3:10: undefined: nope"}},
		{"var w = zz", "CompileError", []string{"line 1:9: undefined: zz"}},
		{"x := 1\ny := )\nz := ]", "SyntaxError", []string{"line 2:6:", "line 3:"}},
		{`import "fmt"` + "\nfunc g() {\n\tfmt.Println(nope)\n}", "CompileError", []string{"line 3:"}},
	}
	for _, tt := range tests {
		res, _ := exec(t, s, tt.code)
		if res.Err == nil || res.Err.Name != tt.name {
			t.Errorf("%q: got %+v, want %s", tt.code, res.Err, tt.name)
			continue
		}
		tb := strings.Join(res.Err.Traceback, "\n")
		for _, l := range tt.lines {
			if !strings.Contains("\n"+tb, "\n"+l) {
				t.Errorf("%q: traceback lacks %q:\n%s", tt.code, l, tb)
			}
		}
	}
}

func TestPanicTracebackPointsAtTheFunction(t *testing.T) {
	s := newSession(t)
	s.Execute(context.Background(), lang.ExecuteRequest{Code: "func at5(a []int) int {\n\treturn a[5]\n}", ExecutionCount: 3}, newRecorder())
	res, _ := exec(t, s, "at5([]int{1, 2, 3})")
	if res.Err == nil || res.Err.Name != "panic" {
		t.Fatalf("got %+v", res.Err)
	}
	tb := strings.Join(res.Err.Traceback, "\n")
	// yaegi knows the function of each frame, not the line in it that panicked.
	if !strings.Contains(tb, "in at5, declared at line 1 of cell [3]") || !strings.Contains(tb, "func at5(a []int) int {") {
		t.Errorf("traceback:\n%s", tb)
	}
}

func TestGo122Idioms(t *testing.T) {
	s := newSession(t)
	tests := []valueTest{
		{"min(3, 1, 2)", "1"},
		{"max(2.5, 7.5)", "7.5"},
		{`min("b", "a")`, `"a"`},
		{"m := map[string]int{\"a\": 1}\nclear(m)\nlen(m)", "0"},
		{"sl := []int{1, 2}\nclear(sl)\nsl", "[0 0]"},
		{"total := 0\nfor i := range 5 { total += i }\ntotal", "10"},
		{"n := 4\ncount := 0\nfor range n { count++ }\ncount", "4"},
		{"var n64 int64 = 3\nvar last int64\nfor i := range n64 { last = i }\nlast", "2"},
		{"xs := []int{5, 6}\nsum := 0\nfor i := range xs { sum += i }\nsum", "1"},
		// Closures made in a loop see their own iteration's variable (Go 1.22).
		{"var fs []func() int\nfor i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }\nfs[0]() + 10*fs[1]() + 100*fs[2]()", "210"},
		{"var gs []func() string\nfor k, v := range []string{\"a\", \"b\"} { gs = append(gs, func() string { return fmt.Sprint(k, v) }) }\ngs[0]() + gs[1]()", `"0a1b"`},
		{`import "sync"` + "\nvar wg sync.WaitGroup\nsquares := make([]int, 4)\nfor i := 0; i < 4; i++ {\n\twg.Add(1)\n\tgo func() { defer wg.Done(); squares[i] = i * i }()\n}\nwg.Wait()\nsquares", "[0 1 4 9]"},
		// A body that changes the loop variable still steers the loop.
		{"seen := 0\nfor i := 0; i < 10; i++ { i += 4; f := func() {}; f(); seen++ }\nseen", "2"},
	}
	expectValues(t, s, tests)
}

func TestAPanickingGoroutineDoesNotEndTheSession(t *testing.T) {
	s := newSession(t)
	res, out := exec(t, s, `import "time"`+"\ngo func() { panic(\"in a goroutine\") }()\ntime.Sleep(500 * time.Millisecond)")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if !strings.Contains(out.streams["stderr"], "panic in a goroutine (recovered, the session goes on): in a goroutine") {
		t.Errorf("stderr %q", out.streams["stderr"])
	}
	if res, _ := exec(t, s, "1 + 1"); res.Err != nil {
		t.Errorf("after the goroutine's panic: %v", res.Err)
	}
	// With spread arguments too: go f(xs...).
	res, out = exec(t, s, "sum := func(xs ...int) { panic(fmt.Sprint(len(xs))) }\nnums := []int{1, 2, 3}\ngo sum(nums...)\ntime.Sleep(500 * time.Millisecond)")
	if res.Err != nil || !strings.Contains(out.streams["stderr"], "the session goes on): 3") {
		t.Errorf("go f(xs...): %v, stderr %q", res.Err, out.streams["stderr"])
	}
}

func TestOsExitFailsTheCellOnly(t *testing.T) {
	s := newSession(t)
	exec(t, s, "alive := true")
	res, _ := exec(t, s, `import "os"`+"\nos.Exit(3)")
	if res.Err == nil || res.Err.Name != "Exit" || !strings.Contains(res.Err.Value, "os.Exit(3)") {
		t.Fatalf("got %+v", res.Err)
	}
	if res, _ := exec(t, s, "alive"); res.Err != nil || res.Value["text/plain"] != "true" {
		t.Errorf("state lost: %+v", res)
	}
}

func TestImports(t *testing.T) {
	s := newSession(t)
	for _, tt := range []struct{ code, want string }{
		// sum 1..4 and mean of 1, 2, 3
		{`import "gonum.org/v1/gonum/floats"` + "\nfloats.Sum([]float64{1, 2, 3, 4})", "10"},
		{`import "gonum.org/v1/gonum/stat"` + "\nstat.Mean([]float64{1, 2, 3}, nil)", "2"},
		{`import "gonum.org/v1/gonum/floats"` + "\nfloats.Max([]float64{1, 5})", "5"},
		// A major version is not the package's name.
		{`import "math/rand/v2"` + "\nrand.IntN(1)", "0"},
	} {
		res, _ := exec(t, s, tt.code)
		if res.Err != nil || res.Value["text/plain"] != tt.want {
			t.Errorf("%q: %v %v, want %s", tt.code, res.Value, res.Err, tt.want)
		}
	}
	res, _ := exec(t, s, `import "github.com/nobody/nothing"`)
	if res.Err == nil || !strings.Contains(res.Err.Value, "is not available") || !strings.Contains(res.Err.Value, "floats") {
		t.Errorf("unknown import: %+v", res.Err)
	}
}

// A package used without its import fails the cell as go build would, naming the import.
func TestAMissingImportIsNamed(t *testing.T) {
	s := newSession(t)
	for _, tt := range []struct{ code, want string }{
		// (yaegi alone panicked with a nil dereference on this one.)
		{"var wg sync.WaitGroup", `line 1:8: undefined: sync (import "sync" first)`},
		{"n, err := strconv.Atoi(\"12\")", `line 1:11: undefined: strconv (import "strconv" first)`},
		{"x := 1\nfunc roll() int { return rand.Intn(6) }", `line 2:26: undefined: rand (import "crypto/rand" or "math/rand" or "math/rand/v2" first)`},
	} {
		res, _ := exec(t, s, tt.code)
		if res.Err == nil || !strings.Contains(strings.Join(res.Err.Traceback, "\n"), tt.want) {
			t.Errorf("%q: %+v, want %q", tt.code, res.Err, tt.want)
		}
	}
	// Names of packages that are the cell's own variables, or imported in the same cell,
	// are fine.
	expectValues(t, s, []valueTest{
		{"time := struct{ Hour int }{3}\ntime.Hour", "3"},
		{"import \"strings\"\nstrings.ToUpper(\"go\")", `"GO"`},
		{"type sort struct{ By string }\nsort{\"x\"}.By", `"x"`},
	})
}

func TestRedefinitions(t *testing.T) {
	s := newSession(t)
	exec(t, s, "func f(x int) int { return x }")
	if res, _ := exec(t, s, "func f(x, y int) int { return x + y }\nf(1, 2)"); res.Err != nil || res.Value["text/plain"] != "3" {
		t.Errorf("a function redefined with a new signature: %+v %v", res.Value, res.Err)
	}
	exec(t, s, "type T struct{ A int }")
	if res, _ := exec(t, s, "type T struct{ A int }"); res.Err != nil {
		t.Errorf("re-running a type's cell: %v", res.Err)
	}
	res, _ := exec(t, s, "x := 1\ntype T struct{ A, B int }")
	if res.Err == nil || !strings.Contains(res.Err.Value, "line 2:6: type T is already defined") ||
		!strings.Contains(res.Err.Value, "restart the kernel") {
		t.Errorf("a changed type must fail clearly: %+v", res.Err)
	}
}

func TestRunawayRecursionFailsTheCell(t *testing.T) {
	s := newSession(t)
	exec(t, s, "kept := 1")
	res, _ := exec(t, s, "func down(n int) int { return down(n+1) + 1 }\ndown(0)")
	if res.Err == nil || !strings.Contains(res.Err.Value, "stack overflow: down nested more than 50000 calls") {
		t.Fatalf("got %+v", res.Err)
	}
	// Bounded recursion is untouched: fib(20) = 6765.
	res, _ = exec(t, s, "func fib(n int) int { if n < 2 { return n }; return fib(n-1) + fib(n-2) }\nfib(20) + kept - 1")
	if res.Err != nil || res.Value["text/plain"] != "6765" {
		t.Errorf("fib(20): %+v %v", res.Value, res.Err)
	}
}

func TestStdinThroughOsStdin(t *testing.T) {
	s := newSession(t)
	out := newRecorder()
	out.allow, out.input = true, "Ada"
	code := `import "bufio"` + "\n" + `import "os"` + "\nline, _ := bufio.NewReader(os.Stdin).ReadString('\\n')\nline"
	res := s.Execute(context.Background(), lang.ExecuteRequest{Code: code}, out)
	if res.Err != nil || res.Value["text/plain"] != `"Ada\n"` {
		t.Errorf("got %+v %v", res.Value, res.Err)
	}
	res, _ = exec(t, s, "_, err := bufio.NewReader(os.Stdin).ReadString('\\n')\nerr")
	if res.Err != nil || !strings.Contains(res.Value["text/plain"].(string), "stdin is not available") {
		t.Errorf("without stdin: %+v %v", res.Value, res.Err)
	}
}

func TestRuntimePanicsNameTheLine(t *testing.T) {
	s := newSession(t)
	exec(t, s, "func at5(a []int) int {\n\treturn a[5]\n}")
	tests := []struct{ code, msg, at string }{
		{"x := 1\ny := []int{}\nw := 2 // a comment\n_ = y[x + w]\nz := 3", "runtime error: index out of range [3] with length 0", "at line 4 of this cell"},
		{"a := []int{1, 2, 3}\ni := 5\na[i]", "runtime error: index out of range [5] with length 3", "at line 3 of this cell"},
		{"s := \"abc\"\nfmt.Println(s[7])", "runtime error: index out of range [7] with length 3", "at line 2 of this cell"},
		// Inside a function the operands are gone: Go's message without them.
		{"var m map[string]int\nm[\"a\"] = 1", "assignment to entry in nil map", "at line 2 of this cell"},
		{"zero := 0\n3 / zero", "runtime error: integer divide by zero", "at line 2 of this cell"},
		{`panic("custom")`, "custom", "at line 1 of this cell"},
		{"v := 1\nat5([]int{v})", "runtime error: index out of range", "at line 2 of this cell"},
	}
	for _, tt := range tests {
		res, _ := exec(t, s, tt.code)
		if res.Err == nil || res.Err.Name != "panic" || res.Err.Value != tt.msg {
			t.Errorf("%q: got %+v, want panic %q", tt.code, res.Err, tt.msg)
			continue
		}
		if tb := strings.Join(res.Err.Traceback, "\n"); !strings.Contains(tb, tt.at) {
			t.Errorf("%q: traceback lacks %q:\n%s", tt.code, tt.at, tb)
		}
	}
}

func TestSlicesAndMaps(t *testing.T) {
	s := newSession(t)
	exec(t, s, `import "slices"`+"\n"+`import "maps"`+"\n"+`import "strings"`)
	tests := []valueTest{
		{"xs := []int{3, 1, 2}\nslices.Sort(xs)\nxs", "[1 2 3]"},
		{"slices.Max([]float64{2.5, -1, 7})", "7"},
		{"slices.Min([]float64{2.5, -1, 7})", "-1"},
		{"slices.Contains([]string{\"a\", \"b\"}, \"b\")", "true"},
		{"ys := []int{1, 2, 3}\nslices.Reverse(ys)\nys", "[3 2 1]"},
		{"zs := []string{\"bb\", \"a\", \"ccc\"}\nslices.SortFunc(zs, func(a, b string) int { return len(a) - len(b) })\nstrings.Join(zs, \",\")", `"a,bb,ccc"`},
		{"slices.BinarySearch([]int{1, 3, 5}, 3)", "1 true"},
		{"slices.Equal([]int{1, 2}, []int{1, 2})", "true"},
		{"m := map[string]int{\"b\": 2, \"a\": 1}\nslices.Sorted(maps.Keys(m))", "[a b]"},
		{"len(maps.Values(m))", "2"},
		{"maps.Equal(m, maps.Clone(m))", "true"},
	}
	expectValues(t, s, tests)
}

func TestMatcalcInCells(t *testing.T) {
	s := newSession(t)
	// The Hessian of 2x² + 3y² - xy is [[4, -1], [-1, 6]] (the Hessian lesson).
	res, _ := exec(t, s, "f := func(p []float64) float64 { return 2*p[0]*p[0] + 3*p[1]*p[1] - p[0]*p[1] }\nH := matcalc.Hessian(f, []float64{1, 2})\n[]float64{H.At(0, 0), H.At(0, 1), H.At(1, 1)}")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	var h00, h01, h11 float64
	fmt.Sscanf(res.Value["text/plain"].(string), "[%g %g %g]", &h00, &h01, &h11)
	if math.Abs(h00-4) > 1e-9 || math.Abs(h01+1) > 1e-9 || math.Abs(h11-6) > 1e-9 {
		t.Errorf("Hessian %v", res.Value["text/plain"])
	}
	// A function defined in a cell: ∇det at [[2 1] [1 3]] is det(A) A⁻ᵀ = [[3 -1] [-1 2]].
	res, _ = exec(t, s, "func det(a *mat.Dense) float64 { return mat.Det(a) }\nA := mat.NewDense(2, 2, []float64{2, 1, 1, 3})\ng := matcalc.Gradient(det, A).(*mat.Dense)\nmath.Abs(g.At(0, 0)-3) + math.Abs(g.At(0, 1)+1) + math.Abs(g.At(1, 1)-2) < 1e-10")
	if res.Err != nil || res.Value["text/plain"] != "true" {
		t.Errorf("gradient of det: %v %v", res.Value, res.Err)
	}
	res, _ = exec(t, s, "matcalc.D(3, 1.0)")
	if res.Err == nil || !strings.Contains(res.Err.Value, "matcalc: D: f must be a func") {
		t.Errorf("a mistake must fail the cell with matcalc's message: %+v", res.Err)
	}
}

// A cell differentiates the course's Babylonian square root by running it on a
// matcalc.Dual (Lecture 5): at 49 it is 7 + (1/14)ε, shown as a + b·ε and in LaTeX.
func TestDualInCells(t *testing.T) {
	s := newSession(t)
	res, _ := exec(t, s, `func babylonian(x matcalc.Dual, n int) matcalc.Dual {
	t := matcalc.Constant(1).Add(x).Scale(0.5)
	for i := 2; i <= n; i++ {
		t = t.Add(x.Div(t)).Scale(0.5)
	}
	return t
}
babylonian(matcalc.Variable(49), 10)`)
	if res.Err != nil {
		t.Fatal(strings.Join(res.Err.Traceback, "\n"))
	}
	if got := res.Value["text/plain"]; got != "7 + 0.07142857142857142·ε" {
		t.Errorf("text/plain %q, want 7 + 1/14·ε", got)
	}
	if got := res.Value["text/latex"]; got != `$$7 + 0.07142857142857142\varepsilon$$` {
		t.Errorf("text/latex %q", got)
	}
	// The derivative, against 1/(2√x), and a math function through the chain rule:
	// (sin x²)' = 2x cos x².
	expectValues(t, s, []valueTest{
		{"d := babylonian(matcalc.Variable(2), 10)\nmath.Abs(d.Derivative()-0.5/math.Sqrt(2)) < 1e-16", "true"},
		{"x := matcalc.Variable(3)\ny := x.Mul(x).Sin()\nmath.Abs(y.Derivative()-6*math.Cos(9)) < 1e-14", "true"},
	})
}

func TestInterruptStopsAMatcalcLoop(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	code := `import "time"` + "\nslow := func(p []float64) float64 { time.Sleep(time.Millisecond); return p[0] * p[1] }\nmatcalc.Hessian(slow, make([]float64, 50), matcalc.Numerically())"
	res := s.Execute(ctx, lang.ExecuteRequest{Code: code}, newRecorder())
	if res.Err == nil || res.Err.Name != "Interrupted" {
		t.Fatalf("got %+v", res.Err)
	}
	if res, _ := exec(t, s, "1"); res.Err != nil {
		t.Errorf("after the interrupt: %v", res.Err)
	}
}

func TestRichValues(t *testing.T) {
	s := newSession(t)
	res, _ := exec(t, s, "A := mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})\nA")
	if h, _ := res.Value["text/html"].(string); !strings.Contains(h, "2×3 mat.Dense</caption>") || strings.Count(h, "<td") != 6 {
		t.Errorf("matrix html: %v %v", res.Value, res.Err)
	}
	if l, _ := res.Value["text/latex"].(string); !strings.Contains(l, `\begin{bmatrix} 1 & 2 & 3 \\ 4 & 5 & 6 \end{bmatrix}`) {
		t.Errorf("matrix latex: %q", l)
	}
	// The precision is the session's: a cell changes it.
	res, _ = exec(t, s, "display.SetPrecision(3)\nmat.NewDense(1, 2, []float64{2.0 / 3, 1})")
	if res.Value["text/plain"] != "[0.667  1]" {
		t.Errorf("3 digits: %v %v", res.Value, res.Err)
	}
	exec(t, s, "display.SetPrecision(6)")

	// A plot as the last expression renders as SVG, and as PNG for an untrusted notebook.
	res, _ = exec(t, s, `import (
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
)
p := plot.New()
p.Title.Text = "squares"
line, _ := plotter.NewLine(plotter.XYs{{X: 1, Y: 1}, {X: 2, Y: 4}})
p.Add(line)
p`)
	if svg, _ := res.Value["image/svg+xml"].(string); !strings.Contains(svg, "<svg") || res.Value["text/plain"] != `<plot "squares">` {
		t.Errorf("plot: %v %v", res.Value["text/plain"], res.Err)
	}
	if png, _ := res.Value["image/png"].(string); !strings.HasPrefix(png, "iVBORw0KGgo") { // "\x89PNG\r\n\x1a\n" in base64
		t.Errorf("plot has no PNG: %.40q", png)
	}

	// A handle updates one output in place; creating it shows no second output.
	res, out := exec(t, s, "h := display.Show(1)\nh.Update(2)\nh")
	if res.Value != nil || len(out.displays) != 2 || out.displays[0].ID == "" || out.displays[1].ID != out.displays[0].ID ||
		!out.displays[1].Update || out.displays[1].Data["text/plain"] != "2" {
		t.Errorf("handle: %v %+v", res.Value, out.displays)
	}

	// A type defined in a cell renders through its HTML method.
	res, _ = exec(t, s, "type bold string\nfunc (b bold) HTML() string { return \"<b>\" + string(b) + \"</b>\" }\nbold(\"hi\")")
	if res.Value["text/html"] != "<b>hi</b>" {
		t.Errorf("cell type with HTML: %v %v", res.Value, res.Err)
	}

	// matcalc's results render as tables: the Hessian lesson's [[4, -1], [-1, 6]].
	res, _ = exec(t, s, "matcalc.D2(func(v []float64) float64 { return 2*v[0]*v[0] + 3*v[1]*v[1] - v[0]*v[1] }, []float64{1, 2})")
	if h, _ := res.Value["text/html"].(string); !strings.Contains(h, "2×2 Hessian") || !strings.Contains(h, ">-1<") || !strings.Contains(h, ">6<") {
		t.Errorf("D2: %v %v", res.Value, res.Err)
	}
}

func TestCellTypesRender(t *testing.T) {
	s := newSession(t)
	exec(t, s, `type P struct{ X, Y float64 }
func (p P) Norm() float64 { return math.Hypot(p.X, p.Y) }
type money float64
func (m money) String() string { return fmt.Sprintf("$%.2f", float64(m)) }
type grid [][]int
func (g grid) HTML() string { return fmt.Sprintf("<table data-rows=%d></table>", len(g)) }
func (g grid) String() string { return "grid" }
type bad struct{}
func (bad) HTML() string { panic("no html today") }`)
	expectMIME(t, s, []mimeTest{
		// A struct with methods prints as Go prints it, not as the interpreter holds it.
		{"P{3, 4}", "text/plain", "{3 4}"},
		{"&P{3, 4}", "text/plain", "&{3 4}"},
		{"P{3, 4}.Norm()", "text/plain", "5"},
		{"money(2.5)", "text/plain", "$2.50"},
		{"grid{{1}, {2}}", "text/html", "<table data-rows=2></table>"},
		{"grid{{1}, {2}}", "text/plain", "grid"},
		{"bad{}", "text/plain", "{}\n(rendering failed: text/html: panic: no html today)"},
		// Several results of a call still show on one line.
		{"func two() (P, error) { return P{1, 2}, nil }\ntwo()", "text/plain", "{1 2} <nil>"},
	})
	// display.Value and display.Show call a cell type's methods too.
	res, out := exec(t, s, "display.Value(grid{{1}})\nh := display.Show(money(1))\nh.Update(2)")
	if res.Err != nil || len(out.displays) != 3 || out.displays[0].Data["text/html"] != "<table data-rows=1></table>" ||
		out.displays[1].Data["text/plain"] != "$1.00" {
		t.Errorf("display of cell types: %v %+v", res.Err, out.displays)
	}
}

// A sleep the interrupt cut short fails its cell, every time: the rest of the cell may
// reach its end before yaegi sees the interrupt.
func TestAnInterruptedSleepIsAlwaysAnInterrupt(t *testing.T) {
	s := newSession(t)
	exec(t, s, "import \"time\"")
	for i := 0; i < 30; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		if i%2 == 0 {
			cancel() // before the cell starts: the sleep ends at once
		} else {
			time.AfterFunc(5*time.Millisecond, cancel)
		}
		res := s.Execute(ctx, lang.ExecuteRequest{Code: "time.Sleep(time.Hour)\nn := 1\n_ = n"}, newRecorder())
		cancel()
		if res.Err == nil || res.Err.Name != "Interrupted" {
			t.Fatalf("run %d: got %+v, want Interrupted", i, res.Err)
		}
	}
}

func TestInterruptedSleepLeavesNoGoroutine(t *testing.T) {
	s := newSession(t)
	exec(t, s, "import \"time\"")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	res := s.Execute(ctx, lang.ExecuteRequest{Code: "time.Sleep(time.Hour)"}, newRecorder())
	cancel()
	if res.Err == nil || res.Err.Name != "Interrupted" {
		t.Fatalf("got %+v", res.Err)
	}
	// The interrupted sleep returns, and its goroutine ends with it.
	sleeping := func() bool {
		buf := make([]byte, 1<<20)
		stacks := string(buf[:runtime.Stack(buf, true)])
		for _, g := range strings.Split(stacks, "\n\n") {
			if strings.Contains(g, "time.Sleep") && strings.Contains(g, "yaegi") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(2 * time.Second)
	for sleeping() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if sleeping() {
		t.Error("the interrupted cell's goroutine still sleeps")
	}
	// A goroutine's sleep is not cut short when the cell that started it ends.
	exec(t, s, "woke := false\ngo func() { time.Sleep(300 * time.Millisecond); woke = true }()")
	if res, _ := exec(t, s, "woke"); res.Value["text/plain"] != "false" {
		t.Errorf("the goroutine woke at the end of its cell: %v", res.Value)
	}
	time.Sleep(500 * time.Millisecond)
	if res, _ := exec(t, s, "woke"); res.Value["text/plain"] != "true" {
		t.Errorf("the goroutine did not wake: %v", res.Value)
	}
}

func TestMatcalcInAGoroutineAfterItsCell(t *testing.T) {
	s := newSession(t)
	// The kernel cancels each cell's context when the cell ends; a goroutine the cell
	// started must still be able to differentiate (d/dx x² at 3 is 6).
	ctx, cancel := context.WithCancel(context.Background())
	s.Execute(ctx, lang.ExecuteRequest{Code: "import \"time\"\nslope := 0.0\ngo func() { time.Sleep(50 * time.Millisecond); slope = matcalc.D(func(x float64) float64 { return x * x }, 3.0).Apply(1.0).(float64) }()"}, newRecorder())
	cancel()
	time.Sleep(300 * time.Millisecond)
	res, _ := exec(t, s, "math.Abs(slope-6) < 1e-9")
	if res.Err != nil || res.Value["text/plain"] != "true" {
		t.Errorf("derivative in a goroutine after its cell: %v %v", res.Value, res.Err)
	}
}

func TestSeveralVariablesFromOneValueInTopLevelBlocks(t *testing.T) {
	s := newSession(t)
	exec(t, s, "import \"strconv\"\nfunc two() (float64, error) { return 1, nil }\nm := map[string]int{\"a\": 1}\nvar x interface{} = 3\ntotal := 0")
	expectValues(t, s, []valueTest{
		// yaegi alone: "undefined: v", "nil type", a nil dereference.
		{"out := 0\nif true {\n\tv, ok := m[\"a\"]\n\tif ok { out = v }\n}\nout", "1"},
		{"if v, ok := m[\"a\"]; ok {\n\ttotal = v\n}\ntotal", "1"},
		{"if n, err := strconv.Atoi(\"5\"); err == nil {\n\ttotal = n\n}\ntotal", "5"},
		{"k := 0\nswitch n, ok := x.(int); {\ncase ok:\n\tk = n\n}\nk", "3"},
		{"total = 0\nfor i := 0; i < 3; i++ {\n\ta, err := two()\n\tb, err := two()\n\ttotal += int(a + b)\n\t_ = err\n}\ntotal", "6"},
	})
	res, _ := exec(t, s, "x := 1\nif v, ok := m[\"zz\"]; !ok {\n\tpanic(fmt.Sprint(\"missing \", v))\n}")
	if res.Err == nil || res.Err.Value != "missing 0" || !strings.Contains(strings.Join(res.Err.Traceback, "\n"), "at line 2 of this cell") {
		t.Errorf("a panic in a wrapped block: %+v", res.Err)
	}
}

// beyondMemory says whether msg is the allocation guard's: more than the machine's memory,
// or than the server's limit where one is set (MEM_LIMIT, a cgroup's).
func beyondMemory(msg string) bool {
	return strings.Contains(msg, "more than this machine's memory") || strings.Contains(msg, "more than this server's memory limit")
}

func TestMakeBeyondMemoryFailsTheCell(t *testing.T) {
	s := newSession(t)
	res, _ := exec(t, s, "kept := 1\nb := make([]byte, 1<<40)\nlen(b)")
	if res.Err == nil || !beyondMemory(res.Err.Value) {
		t.Fatalf("make of a terabyte: %+v", res.Err)
	}
	expectValues(t, s, []valueTest{
		{"kept", "1"},
		{"len(make([]float64, 3, 10))", "3"},
		{"var n64 int64 = 4\nlen(make([]int, n64))", "4"},
		{"type P struct{ X, Y float64 }\nlen(make([]P, 2))", "2"},
		{"len(make([]error, uint8(5)))", "5"},
		{"len(make([]byte, 1e3))", "1000"},
	})
	// gonum's constructors, strings.Repeat, bytes.Repeat and reflect.MakeSlice are
	// checked the same way.
	for _, code := range []string{"mat.NewDense(1000000, 1000000, nil)", "mat.NewSymDense(1<<40, nil)", "mat.NewVecDense(1<<40, nil)",
		"import \"strings\"\nstrings.Repeat(\"ab\", 1<<40)", "import \"bytes\"\nbytes.Repeat([]byte(\"ab\"), 1<<62)",
		"import \"reflect\"\nreflect.MakeSlice(reflect.TypeOf([]float64{}), 1<<40, 1<<40)"} {
		if res, _ := exec(t, s, code); res.Err == nil || !beyondMemory(res.Err.Value) {
			t.Errorf("%s: %+v", code, res.Err)
		}
	}
	expectValues(t, s, []valueTest{
		{"r, c := mat.NewDense(2, 3, nil).Dims()\nr * c", "6"},
		{"mat.NewVecDense(2, []float64{1, 2}).Len()", "2"},
		{"strings.Repeat(\"ab\", 3)", `"ababab"`},
		{"len(bytes.Repeat([]byte(\"x\"), 4))", "4"},
		{"reflect.MakeSlice(reflect.TypeOf([]int{}), 2, 5).Cap()", "5"},
		{"mat.NewTriDense(2, mat.Upper, nil).IsEmpty()", "false"},
	})
}

func TestRecursionThroughOtherFunctionsIsBounded(t *testing.T) {
	s := newSession(t)
	// Each of these would end the process with Go's fatal stack overflow.
	for _, tt := range []struct{ code, fn string }{
		{"func even(n int) bool { if n == 0 { return true }; return odd(n - 1) }\nfunc odd(n int) bool { if n == 0 { return false }; return even(n - 1) }\neven(1 << 40)", "even"},
		{"var f func(int) int\nf = func(n int) int { return f(n + 1) }\nf(0)", "a function literal"},
	} {
		res, _ := exec(t, s, tt.code)
		if res.Err == nil || !strings.Contains(res.Err.Value, "stack overflow: "+tt.fn+" nested more than") {
			t.Errorf("%q: %+v", tt.code, res.Err)
		}
	}
	expectValues(t, s, []valueTest{{"even(10)", "true"}, {"odd(7)", "true"}})
}

func TestAPanicInAfterFuncDoesNotEndTheSession(t *testing.T) {
	s := newSession(t)
	res, out := exec(t, s, "import \"time\"\ntime.AfterFunc(10*time.Millisecond, func() { panic(\"late\") })\ntime.Sleep(200 * time.Millisecond)")
	if res.Err != nil || !strings.Contains(out.streams["stderr"], "panic in a goroutine (recovered, the session goes on): late") {
		t.Errorf("%v %q", res.Err, out.streams)
	}
}

// yaegi confuses a generic function's type parameter with a cell's type of the same name
// (T "too many arguments", E "undefined type"): the session's own generics must work
// whatever the cell's types are called.
func TestCellTypesNamedLikeTypeParameters(t *testing.T) {
	s := newSession(t)
	exec(t, s, `type T struct{ A int }
func (t T) HTML() string { return fmt.Sprintf("<b>%d</b>", t.A) }
type E int
type K string
type V float64
import "slices"
import "maps"`)
	expectMIME(t, s, []mimeTest{
		{"T{7}", "text/html", "<b>7</b>"},
		{"min(E(3), E(1), E(2))", "text/plain", "1"},
		{"max(V(0.5), V(2))", "text/plain", "2"},
		{"es := []E{1, 3, 2}\nslices.Sort(es)\nslices.Reverse(es)\nes", "text/plain", "[3 2 1]"},
		{"maps.Keys(map[K]V{\"a\": 1})", "text/plain", "[a]"},
		{"n := E(0)\nfor i := range E(3) { n += i }\nn", "text/plain", "3"},
	})
}

// A defer at a cell's top level runs once, when the cell ends, with the arguments it had
// when it was deferred; yaegi alone ran it again at the end of every later cell.
func TestTopLevelDeferRunsWhenTheCellEnds(t *testing.T) {
	s := newSession(t)
	_, out := exec(t, s, "n := 1\ndefer fmt.Println(\"deferred\", n)\ndefer fmt.Println(\"last in, first out\")\nn = 2\nfmt.Println(\"body\", n)")
	if got := out.streams["stdout"]; got != "body 2\nlast in, first out\ndeferred 1\n" {
		t.Errorf("stdout %q", got)
	}
	if _, out = exec(t, s, "fmt.Println(\"next cell\")"); out.streams["stdout"] != "next cell\n" {
		t.Errorf("a later cell printed %q", out.streams["stdout"])
	}
	// It runs when the cell fails too; a defer inside a function is the function's.
	res, out := exec(t, s, "defer fmt.Println(\"cleanup\")\nfunc() { defer fmt.Println(\"inner\"); fmt.Println(\"in func\") }()\npanic(\"boom\")")
	if res.Err == nil || !strings.Contains(res.Err.Value, "boom") || out.streams["stdout"] != "in func\ninner\ncleanup\n" {
		t.Errorf("failing cell: %v, stdout %q", res.Err, out.streams["stdout"])
	}
	// A panic in a deferred call fails the cell.
	if res, _ := exec(t, s, "defer func() { panic(\"in defer\") }()\n1"); res.Err == nil || res.Err.Value != "in defer" {
		t.Errorf("panicking defer: %+v", res.Err)
	}
}

// A forgotten type assertion on a matcalc result of type any fails with yaegi's words,
// and a hint that says what to write.
func TestForgottenAssertionHints(t *testing.T) {
	s := newSession(t)
	exec(t, s, "f := func(x float64) float64 { return x * x }")
	for code, want := range map[string]string{
		"y := matcalc.D(f, 2.0).Apply(1.0) * 2":                                                   "ApplyFloat",
		"var z float64 = matcalc.D(f, 2.0).Apply(1.0)":                                            "Apply(dx).(float64)",
		"math.Sqrt(matcalc.D(f, 2.0).Apply(1.0))":                                                 "ApplyFloat",
		"g := matcalc.Gradient(func(p []float64) float64 { return p[0] }, []float64{1, 2})\ng[0]": "GradientSlice",
	} {
		res, _ := exec(t, s, code)
		if res.Err == nil || !strings.Contains(res.Err.Value, "hint: ") || !strings.Contains(res.Err.Value, want) {
			t.Errorf("%q: error %+v, want a hint naming %s", code, res.Err, want)
		}
	}
	// The typed forms need no assertion.
	if res, _ := exec(t, s, "matcalc.D(f, 2.0).ApplyFloat(1.0) > 3.99"); res.Err != nil || res.Value["text/plain"] != "true" {
		t.Errorf("ApplyFloat: %+v %v", res.Value, res.Err)
	}
	// A matcalc error reaches the cell with the estimate and what to do (forward mode
	// would say the derivative is 0, as it is between the steps).
	res, _ := exec(t, s, "matcalc.Derivative(func(x float64) float64 { return math.Round(x * 100) / 100 }, 0.3, matcalc.Numerically())")
	if res.Err == nil || !strings.Contains(res.Err.Value, "matcalc: Derivative:") || !strings.Contains(res.Err.Value, "matcalc.Tolerance") {
		t.Errorf("a rounded f: %+v", res.Err)
	}
}

// A shorthand's result, a plain gonum matrix, says how matcalc computed it: exactly, or
// with the digits it trusts.
func TestShorthandShowsItsDigits(t *testing.T) {
	s := newSession(t)
	exec(t, s, "f := func(p []float64) float64 { return 2*p[0]*p[0] + 3*p[1]*p[1] - p[0]*p[1] }")
	res, _ := exec(t, s, "matcalc.Hessian(f, []float64{1, 2}, matcalc.Numerically())")
	text, _ := res.Value["text/plain"].(string)
	if res.Err != nil || !strings.HasPrefix(text, "⎡ 4  -1⎤\n⎣-1   6⎦\nHessian by matcalc: numerical, ") || !strings.Contains(text, "correct digits") {
		t.Fatalf("got %q, %v", text, res.Err)
	}
	res, _ = exec(t, s, "H := matcalc.Hessian(f, []float64{1, 2})\nH")
	text, _ = res.Value["text/plain"].(string)
	if res.Err != nil || text != "⎡ 4  -1⎤\n⎣-1   6⎦\nHessian by matcalc: exact (forward mode)" {
		t.Fatalf("got %q, %v", text, res.Err)
	}
	res, _ = exec(t, s, "H.SetSym(0, 0, 5)\nH")
	if text, _ := res.Value["text/plain"].(string); strings.Contains(text, "matcalc") {
		t.Errorf("changed by hand, still vouched for: %q", text)
	}
}

// The HTML a session produces carries no style attribute and no <svg>, which the
// sanitizer of an untrusted notebook drops: matrices, matcalc's results, tables, a
// progress bar.
func TestHTMLSurvivesUntrustedNotebooks(t *testing.T) {
	s := newSession(t)
	cells := []string{
		"mat.NewDense(2, 2, []float64{1, 2, 3, 4})",
		"mat.NewDense(40, 40, nil)",
		"[]float64{1, 2}",
		"matcalc.D(func(x []float64) []float64 { return []float64{x[0] * x[1]} }, []float64{1, 2})",
		"matcalc.D2(func(x []float64) float64 { return x[0] * x[0] * x[1] }, []float64{1, 2})",
		"matcalc.Check(func(x float64) float64 { return x * x }, func(x, dx float64) float64 { return 2 * x * dx }, 3.0)",
		"matcalc.Newton(func(x float64) float64 { return x*x - 2 }, 1.0)",
		"bar := display.Progress(2)\nbar.Add(2)",
	}
	seen := 0
	for _, code := range cells {
		res, out := exec(t, s, code)
		if res.Err != nil {
			t.Fatalf("%s: %v", code, res.Err)
		}
		bundles := []map[string]any{res.Value}
		for _, d := range out.displays {
			bundles = append(bundles, d.Data)
		}
		for _, b := range bundles {
			h, ok := b["text/html"].(string)
			if !ok {
				continue
			}
			seen++
			if strings.Contains(h, "style=") || strings.Contains(h, "<svg") {
				t.Errorf("%s: html %.400s", code, h)
			}
		}
	}
	if seen < len(cells) {
		t.Errorf("%d HTML outputs from %d cells", seen, len(cells))
	}
}
