// Package interp is a Go notebook session on yaegi: the state cells share, the value of
// a cell's last expression, output streamed while a cell runs, errors, interrupt, and
// help while typing. It implements lang.Session and knows nothing of Jupyter's wire.
//
// A cell is a pipeline: parse it once (cell.go), transform the tree in passes (the
// engine's workarounds of yaegi's bugs, then passes.go), compile every unit, atomically,
// then run them (compile.go), and render the last value.
package interp

import (
	"context"
	"fmt"
	"go/parser"
	"io"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/stdlib"
	"github.com/gomatcalc/gomatcalc/stdlib/cellrt"
	"github.com/gomatcalc/gomatcalc/stdlib/display"
)

// preloaded are the packages every session imports before its first cell.
var preloaded = []importSpec{
	{path: "fmt"},
	{path: "math"},
	{path: "gonum.org/v1/gonum/mat"},
	{path: "github.com/gomatcalc/gomatcalc/stdlib/display"},
	{path: "github.com/gomatcalc/gomatcalc/stdlib/matcalc"},
	{name: runtimePkg, path: "github.com/gomatcalc/gomatcalc/stdlib/cellrt"},
	{name: tangentPkg, path: tangentPath},
}

// gonumPackages are the compiled packages beyond the standard library that cells import.
var gonumPackages = []string{"github.com/gomatcalc/gomatcalc/stdlib/matcalc", "gonum.org/v1/gonum/mat", "floats", "stat",
	"stat/distuv", "optimize", "optimize/functions", "diff/fd", "integrate", "num/dual", "num/hyperdual", "blas",
	"blas/blas64", "lapack", "gonum.org/v1/plot", "plot/plotter", "plot/plotutil", "plot/vg", "plot/vg/draw"}

// Options configure a Session.
type Options struct {
	// Version is the gomatcalc version reported by kernel_info.
	Version string
}

// Session is one notebook's Go session. Sessions share no run-time state (runtime.go),
// but while a cell runs os.Stdout and os.Stderr point at its session's pipes (capture).
type Session struct {
	opts     Options
	engine   *engine.Engine
	out      output
	imported map[importSpec]bool
	packages map[string]string   // package name in cells -> import path
	funcs    map[string]origin   // where each function of the session was defined
	calls    map[string][]string // the names each function of the session calls (callers.go)
	types    map[string]string   // each type's definition, spaces folded
	// methods lists the methods of each type defined in a cell, and typeNames the cell
	// types of each reflect type (yaegi's reflect types of cell types have neither names
	// nor methods): for completion.
	methods   map[string][]string
	typeNames map[reflect.Type][]string
	// methodSigs holds the declaration of each method of a cell type ("T.M"), up to its
	// body, with its doc comment: for Shift-Tab.
	methodSigs map[string]string
	// serial numbers the cells run; cells maps the numbers of those that declared
	// functions (which line markers can name later) to them.
	serial int
	cells  map[int]origin
	// interrupt is closed when the running cell is interrupted (not when it ends).
	interrupt atomic.Pointer[chan struct{}]
	tangent   *tangentTable    // the tangents of the session's functions (tangents.go)
	rt        *cellrt.Runtime  // the run-time state of the session's cells (runtime.go)
	disp      *display.Display // the session's displays and their settings
}

// origin is where a function was defined.
type origin struct {
	cell  *cell
	count int // the cell's execution count
	line  int // the line of the cell where the function is declared
	// signature is the declaration up to its body, with its doc comment.
	signature string
}

// New returns a session with the preloaded packages imported.
func New(opts Options) (*Session, error) {
	s := &Session{opts: opts, imported: map[importSpec]bool{}, packages: map[string]string{},
		tangent: newTangentTable(), calls: map[string][]string{}, funcs: map[string]origin{}, types: map[string]string{}, methods: map[string][]string{},
		typeNames: map[reflect.Type][]string{}, methodSigs: map[string]string{}, cells: map[int]origin{}}
	never := make(chan struct{})
	s.interrupt.Store(&never)
	stdinReader := &inputReader{out: &s.out}
	// os.Stdin in cells asks the front end for lines too (bufio.NewReader(os.Stdin)); it is
	// an io.Reader there, not an *os.File.
	var stdin io.Reader = stdinReader
	// os.Args is a program's with no arguments: the kernel's command line is not the cell's.
	args := []string{"cell"}
	osStdin := map[string]map[string]reflect.Value{"os/os": {"Stdin": reflect.ValueOf(&stdin).Elem(), "Args": reflect.ValueOf(&args).Elem()}}
	// time.Sleep in a cell ends when the cell is interrupted: an interrupted sleep would
	// otherwise hold its goroutine until the time is up.
	// time.AfterFunc runs its func on a goroutine of its own: a panic there is reported,
	// as in a goroutine a cell starts, instead of ending the process.
	sleep := map[string]map[string]reflect.Value{"time/time": {"Sleep": reflect.ValueOf(s.sleep), "AfterFunc": reflect.ValueOf(cellrt.AfterFunc)}}
	// MapTypes lets cellrt call the display methods of types defined in cells.
	mapTypes := map[string]map[string]reflect.Value{".": {"MapTypes": reflect.ValueOf(stdlib.MapTypes)}}
	e, err := engine.New(engine.Options{
		Stdin:   stdinReader,
		Stdout:  &streamWriter{out: &s.out, stream: 0, fallback: writerFunc(osStdout)},
		Stderr:  &streamWriter{out: &s.out, stream: 1, fallback: writerFunc(osStderr)},
		Symbols: []map[string]map[string]reflect.Value{stdlib.Symbols, osStdin, sleep, mapTypes, allocGuards, s.newRuntime()},
	})
	if err != nil {
		return nil, fmt.Errorf("interp: %w", err)
	}
	s.engine = e
	ctx := context.Background()
	for _, imp := range preloaded {
		if err := s.importPackage(ctx, imp); err != nil {
			return nil, fmt.Errorf("interp: preloading %s: %w", imp.path, err)
		}
	}
	if err := s.compileSource(ctx, showFuncDecl); err != nil {
		return nil, fmt.Errorf("interp: prelude: %w", err)
	}
	return s, nil
}

// compileSource compiles and runs a file of the session's own.
func (s *Session) compileSource(ctx context.Context, src string) error {
	f, err := parser.ParseFile(s.engine.FileSet(), engine.FileName, src, 0)
	if err != nil {
		return err
	}
	p, err := s.engine.Compile(f)
	if err != nil {
		return err
	}
	_, err = s.engine.Run(ctx, p)
	return err
}

// runStatement compiles and runs a statement of the session's own, with no pass.
func (s *Session) runStatement(ctx context.Context, src string) error {
	c, errs := parseCell(s.engine.FileSet(), src)
	if len(errs) > 0 {
		return errs
	}
	defer s.engine.Forget(c.file)
	p, err := s.engine.Compile(c.units[0].node())
	if err != nil {
		return err
	}
	_, err = s.engine.Run(ctx, p)
	return err
}

// Info describes the session for kernel_info.
func (s *Session) Info() lang.Info { return Describe(s.opts.Version) }

// Describe is the kernel_info of a session of gomatcalc version, without a session.
func Describe(version string) lang.Info {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return lang.Info{
		Implementation:        "gomatcalc",
		ImplementationVersion: version,
		Banner: "gomatcalc " + version + ": Go for matrix calculus, interpreted by yaegi v0.16.1\n" +
			"(Go " + goVersion + " runtime, Go 1.22 language). Preloaded: fmt, math, mat, matcalc, display.",
		Language: lang.LanguageInfo{
			Name:           "go",
			Version:        goVersion,
			Mimetype:       "text/x-go",
			FileExtension:  ".go",
			PygmentsLexer:  "go",
			CodemirrorMode: "go",
		},
		HelpLinks: []lang.HelpLink{
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
			{Text: "gonum mat", URL: "https://pkg.go.dev/gonum.org/v1/gonum/mat"},
			{Text: "yaegi", URL: "https://github.com/traefik/yaegi"},
		},
	}
}

// Execute runs one cell.
func (s *Session) Execute(ctx context.Context, req lang.ExecuteRequest, out lang.Output) (res lang.ExecuteResult) {
	if expr, ok := helpRequest(req.Code); ok {
		return lang.ExecuteResult{Page: s.help(expr)}
	}
	c, syntaxErrs := parseCell(s.engine.FileSet(), req.Code)
	if len(syntaxErrs) > 0 {
		return lang.ExecuteResult{Err: syntaxError(req.Code, syntaxErrs)}
	}
	s.serial++
	c.serial = s.serial
	if c.declaresFunctions() {
		s.cells[c.serial] = origin{cell: c.source(), count: req.ExecutionCount}
	}
	s.out.set(out)
	defer s.out.set(nil)
	end := s.watchInterrupt(ctx)
	defer end()
	s.rt.Reset()
	s.resetLine()
	if stop, err := capture(&s.out); err == nil {
		defer stop()
	}

	// The calls the cell's top-level defer statements postponed run when it ends, even
	// when it fails, as the cell's own code: an interrupt stops them too.
	defer func() {
		if !s.rt.Pending() {
			return
		}
		err := s.runStatement(ctx, runtimePkg+".EndCell()")
		p := s.rt.DeferredPanic()
		switch {
		case res.Err != nil:
		case err != nil:
			res.Err = s.cellError(err, c)
		case p != nil:
			msg := fmt.Sprint(p)
			res.Err = &lang.Error{Name: "panic", Value: msg,
				Traceback: []string{red + "panic: " + msg + reset, "  in a call deferred by this cell"}}
		}
	}()
	values, err := s.runCell(ctx, c, req.ExecutionCount)
	if name := s.rt.Overflow(); name != "" {
		err = &recursionError{fn: name}
	}
	if err == nil && ctx.Err() != nil {
		// The interrupt cut a wait short (time.Sleep ends at once), and the rest of the
		// cell ran to its end before yaegi looked: the cell did not run as written.
		err = &engine.Error{Kind: engine.Interrupted, Msg: "interrupted"}
	}
	if err != nil {
		res.Err = s.cellError(err, c)
		hintAssertion(res.Err, c.text)
		return res
	}
	res.Value = s.render(values)
	if len(req.UserExpressions) > 0 {
		res.UserExpressions = map[string]lang.ExpressionResult{}
		for name, expr := range req.UserExpressions {
			v, err := s.evaluate(ctx, expr)
			if err != nil {
				res.UserExpressions[name] = lang.ExpressionResult{Err: s.cellError(err, &cell{src: expr})}
				continue
			}
			res.UserExpressions[name] = lang.ExpressionResult{Value: s.render(v)}
		}
	}
	if !c.declaresFunctions() {
		// Nothing compiled from the cell can report a position any more.
		s.engine.Forget(c.file)
	}
	return res
}

// watchInterrupt closes a new interrupt channel when ctx is cancelled while the cell
// runs; end marks the cell's end.
func (s *Session) watchInterrupt(ctx context.Context) (end func()) {
	intr, done := make(chan struct{}), make(chan struct{})
	s.interrupt.Store(&intr)
	go func() {
		select {
		case <-ctx.Done():
			select {
			case <-done: // ended before: the kernel cancels every cell's context at its end
			default:
				close(intr)
			}
		case <-done:
		}
	}()
	return func() { close(done) }
}

// sleep is time.Sleep for cells: it returns early when the cell is interrupted.
func (s *Session) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-*s.interrupt.Load():
	}
}

func (s *Session) importPackage(ctx context.Context, imp importSpec) error {
	if s.imported[imp] {
		return nil
	}
	if err := available(imp); err != nil {
		return err
	}
	if err := s.compileSource(ctx, "package main\n"+imp.String()); err != nil {
		return err
	}
	s.didImport(imp)
	return nil
}

// available fails on a package cells cannot import.
func available(imp importSpec) error {
	if _, ok := packageSymbols(imp.path); !ok {
		return fmt.Errorf("package %q is not available: cells can import Go's standard library (as of Go 1.22) and %s",
			imp.path, strings.Join(gonumPackages, ", "))
	}
	return nil
}

func (s *Session) didImport(imp importSpec) {
	s.imported[imp] = true
	name := imp.name
	if name == "" {
		name = packageName(imp.path)
	}
	s.packages[name] = imp.path
}

// importPaths maps the name of each package cells can import to its paths.
var importPaths = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, table := range []map[string]map[string]reflect.Value{engine.StdlibSymbols(), stdlib.Symbols} {
		for key := range table {
			slash := strings.LastIndexByte(key, '/') // keys are "path/name"
			if slash < 0 || strings.Contains(key, "internal") {
				continue
			}
			name := key[slash+1:]
			out[name] = append(out[name], key[:slash])
		}
	}
	for _, paths := range out {
		sort.Strings(paths)
	}
	return out
})

// packageName is the name a package is known by when imported without one: the last
// element of its path, before a major version ("math/rand/v2" is rand).
func packageName(path string) string {
	i := strings.LastIndexByte(path, '/')
	if name := path[i+1:]; i <= 0 || !majorVersion.MatchString(name) {
		return name
	}
	return packageName(path[:i])
}

var majorVersion = regexp.MustCompile(`^v[0-9]+$`)

// values unpacks the []interface{} valuesFunc returns.
func values(v reflect.Value) []any {
	if !v.IsValid() || v.Kind() != reflect.Slice {
		return nil
	}
	out := make([]any, v.Len())
	for i := range out {
		out[i] = v.Index(i).Interface()
	}
	return out
}

// render is the bundle of a cell's values: one value renders richly; several, as Go
// prints them on one line.
func (s *Session) render(vals []any) lang.Bundle {
	switch len(vals) {
	case 0:
		return nil
	case 1:
		return lang.Bundle(s.disp.Render(vals[0]))
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprint(v)
	}
	return lang.PlainText(strings.Join(parts, " "))
}
