// Package interp is a Go notebook session on yaegi: the state cells share, the value of
// a cell's last expression, output streamed while a cell runs, errors, interrupt, and
// help while typing. It implements lang.Session and knows nothing of Jupyter's wire.
package interp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"

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
}

// gonumPackages are the compiled packages beyond the standard library that cells import.
var gonumPackages = []string{"github.com/gomatcalc/gomatcalc/stdlib/matcalc", "gonum.org/v1/gonum/mat", "floats", "stat", "optimize", "diff/fd",
	"num/dual", "num/hyperdual", "blas", "lapack", "gonum.org/v1/plot", "plot/plotter", "plot/plotutil", "plot/vg",
	"plot/vg/draw"}

// Options configure a Session.
type Options struct {
	// Version is the gomatcalc version reported by kernel_info.
	Version string
}

// Session is one notebook's Go session. Sessions share no run-time state (runtime.go),
// but while a cell runs os.Stdout and os.Stderr point at its session's pipes (capture).
type Session struct {
	opts     Options
	yaegi    *interp.Interpreter
	out      output
	imported map[importSpec]bool
	packages map[string]string // package name in cells -> import path
	funcs    map[string]origin // where each function of the session was defined
	types    map[string]string // each type's definition, spaces folded
	// methods lists the methods of each type defined in a cell, and typeNames the cell
	// types of each reflect type (yaegi's reflect types of cell types have neither names
	// nor methods): for completion.
	methods   map[string][]string
	typeNames map[reflect.Type][]string
	panics    panicFrames // the running cell's panic, as yaegi prints it
	// interrupt is closed when the running cell is interrupted (not when it ends).
	interrupt atomic.Pointer[chan struct{}]
	rt        *cellrt.Runtime  // the run-time state of the session's cells (runtime.go)
	disp      *display.Display // the session's displays and their settings
}

// New returns a session with the preloaded packages imported.
func New(opts Options) (*Session, error) {
	s := &Session{opts: opts, imported: map[importSpec]bool{}, packages: map[string]string{},
		funcs: map[string]origin{}, types: map[string]string{}, methods: map[string][]string{},
		typeNames: map[reflect.Type][]string{}}
	never := make(chan struct{})
	s.interrupt.Store(&never)
	stdinReader := &inputReader{out: &s.out}
	s.yaegi = interp.New(interp.Options{
		Stdin:  stdinReader,
		Stdout: &streamWriter{out: &s.out, name: "stdout", fallback: writerFunc(osStdout)},
		Stderr: &streamWriter{out: &s.out, name: "stderr", fallback: writerFunc(osStderr), panics: &s.panics},
	})
	// os.Stdin in cells asks the front end for lines too (bufio.NewReader(os.Stdin)); it is
	// an io.Reader there, not an *os.File.
	var stdin io.Reader = stdinReader
	osStdin := interp.Exports{"os/os": {"Stdin": reflect.ValueOf(&stdin).Elem()}}
	// time.Sleep in a cell ends when the cell is interrupted: an interrupted sleep would
	// otherwise hold its goroutine until the time is up.
	// time.AfterFunc runs its func on a goroutine of its own: a panic there is reported,
	// as in a goroutine a cell starts, instead of ending the process.
	sleep := interp.Exports{"time/time": {"Sleep": reflect.ValueOf(s.sleep), "AfterFunc": reflect.ValueOf(cellrt.AfterFunc)}}
	// MapTypes lets cellrt call the display methods of types defined in cells.
	mapTypes := interp.Exports{".": {"MapTypes": reflect.ValueOf(stdlib.MapTypes)}}
	for _, syms := range []interp.Exports{yaegistdlib.Symbols, stdlib.Symbols, osStdin, sleep, mapTypes, allocGuards} {
		if err := s.yaegi.Use(syms); err != nil {
			return nil, fmt.Errorf("interp: loading symbols: %w", err)
		}
	}
	if err := s.useRuntime(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	for _, imp := range preloaded {
		if err := s.importPackage(ctx, imp); err != nil {
			return nil, fmt.Errorf("interp: preloading %s: %w", imp.path, err)
		}
	}
	for _, decl := range []string{showFuncDecl, prelude} {
		if _, err := s.yaegi.EvalWithContext(ctx, decl); err != nil {
			return nil, fmt.Errorf("interp: prelude: %w", err)
		}
	}
	return s, nil
}

// Info describes the session for kernel_info.
func (s *Session) Info() lang.Info {
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return lang.Info{
		Implementation:        "gomatcalc",
		ImplementationVersion: s.opts.Version,
		Banner: "gomatcalc " + s.opts.Version + ": Go for matrix calculus, interpreted by yaegi v0.16.1\n" +
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
	c, syntaxErrs := parseCell(req.Code)
	if len(syntaxErrs) > 0 {
		return lang.ExecuteResult{Err: syntaxError(req.Code, syntaxErrs)}
	}
	s.out.set(out)
	defer s.out.set(nil)
	_, end := s.watchInterrupt(ctx)
	defer end()
	s.panics.reset()
	s.rt.Reset()
	if stop, err := capture(&s.out); err == nil {
		defer stop()
	}

	// The calls the cell's top-level defer statements postponed run when it ends, even
	// when it fails.
	defer func() {
		if p := s.rt.RunDeferred(); p != nil && res.Err == nil {
			msg := fmt.Sprint(p)
			res.Err = &lang.Error{Name: "panic", Value: msg,
				Traceback: []string{red + "panic: " + msg + reset, "  in a call deferred by this cell"}}
		}
	}()
	for _, ch := range c.chunks {
		values, err := s.runChunk(ctx, ch)
		if name := s.rt.Overflow(); name != "" {
			err = &recursionError{fn: name}
		}
		if err != nil {
			res.Err = s.runError(err, c, ch)
			hintAssertion(res.Err, ch.text)
			return res
		}
		for _, f := range ch.funcs {
			s.funcs[f.name] = origin{cell: c, chunk: ch, count: req.ExecutionCount, line: f.line, signature: f.text}
		}
		res.Value = s.render(values)
	}
	if len(req.UserExpressions) > 0 {
		res.UserExpressions = map[string]lang.ExpressionResult{}
		for name, expr := range req.UserExpressions {
			v, err := s.eval(ctx, showWrappers[0]+expr+"))")
			if err != nil && isCompileError(err) {
				v, err = s.eval(ctx, showWrappers[1]+expr+")")
			}
			if err != nil {
				res.UserExpressions[name] = lang.ExpressionResult{Err: toError(err)}
				continue
			}
			res.UserExpressions[name] = lang.ExpressionResult{Value: s.render(values(v))}
		}
	}
	return res
}

// incompleteType is how yaegi reports an undefined name inside a function.
var incompleteType = regexp.MustCompile(`(\d+):(\d+): incomplete type (\w+)$`)

// watchInterrupt closes a new interrupt channel, and cancels the context it returns,
// when ctx is cancelled while the cell runs; end marks the cell's end.
func (s *Session) watchInterrupt(ctx context.Context) (interrupted context.Context, end func()) {
	intr, done := make(chan struct{}), make(chan struct{})
	s.interrupt.Store(&intr)
	interrupted, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-ctx.Done():
			select {
			case <-done: // ended before: the kernel cancels every cell's context at its end
			default:
				close(intr)
				cancel()
			}
		case <-done:
		}
	}()
	return interrupted, func() { close(done) }
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

// runChunk evaluates one chunk and returns the values of its last expression, if any.
func (s *Session) runChunk(ctx context.Context, ch *chunk) ([]any, error) {
	if err := s.checkImported(ch); err != nil {
		return nil, err
	}
	switch ch.kind {
	case importChunk:
		for _, imp := range ch.imports {
			if err := s.importPackage(ctx, imp); err != nil {
				return nil, err
			}
		}
		return nil, nil
	case declChunk:
		for _, t := range ch.types {
			if old, ok := s.types[t.name]; ok && old != t.text {
				// yaegi would keep the old definition without a word.
				return nil, &positionError{line: t.line, col: t.col, msg: fmt.Sprintf(
					"type %s is already defined as %q and the interpreter cannot change a type: restart the kernel, then run the cells again", t.name, old)}
			}
		}
		_, err := s.eval(ctx, ch.source(false))
		err = s.nameUndefined(ctx, ch, err)
		if err == nil {
			for _, t := range ch.types {
				s.types[t.name] = t.text
				s.recordType(ctx, t.name)
			}
			for _, m := range ch.methods {
				if !slices.Contains(s.methods[m.text], m.name) {
					s.methods[m.text] = append(s.methods[m.text], m.name)
				}
			}
		}
		return nil, err
	}
	values, err := s.runStatements(ctx, ch)
	var p interp.Panic
	if errors.As(err, &p) && fmt.Sprint(p.Value) == "nil type" && strings.Contains(ch.text, "range") {
		// yaegi fails to compile a range over an integer (Go 1.22) with this panic, before
		// running anything: try again with such ranges over a slice of the integers.
		for _, asInt := range []bool{false, true} {
			retry := *ch
			retry.text = rangeOverInts(ch.text, ch.kind, asInt)
			if len(retry.wrappers) > 0 {
				retry.showLastExpression()
			}
			if v, retryErr := s.runStatements(ctx, &retry); retryErr == nil {
				return v, nil
			}
		}
	}
	return values, err
}

// runStatements evaluates a statement chunk and returns the values of its last
// expression, if any.
func (s *Session) runStatements(ctx context.Context, ch *chunk) ([]any, error) {
	for len(ch.wrappers) > 0 {
		v, err := s.eval(ctx, ch.source(true))
		if err == nil {
			return values(v), nil
		}
		// A call with several results is no single value, and a call with none cannot be
		// an argument at all: try the next way, and at last run the cell as written, which
		// also reports a real compile error in the user's own words. yaegi compiles the
		// whole chunk before running any of it, so nothing runs twice.
		if !isCompileError(err) {
			return nil, err
		}
		ch.wrappers = ch.wrappers[1:]
	}
	_, err := s.eval(ctx, ch.source(false))
	return nil, s.nameUndefined(ctx, ch, err)
}

// nameUndefined replaces "constant definition loop", yaegi's word for an undefined name
// in a top-level definition (b := 1 + nope), with the name. Inside a function yaegi names
// it: the chunk is compiled there, without running it, on the same lines.
func (s *Session) nameUndefined(ctx context.Context, ch *chunk, err error) error {
	if err == nil || !strings.Contains(err.Error(), "constant definition loop") {
		return err
	}
	_, inFunc := s.eval(ctx, ";_ = func() {\n"+ch.text+"\n}")
	if m := incompleteType.FindStringSubmatch(fmt.Sprint(inFunc)); m != nil {
		return fmt.Errorf("%s:%s: undefined: %s", m[1], m[2], m[3])
	}
	return err
}

// recordType remembers the reflect type yaegi gives the cell type name (read from a nil
// *T: nothing is allocated), so that completion can find the type's methods from a value.
func (s *Session) recordType(ctx context.Context, name string) {
	v, err := s.eval(ctx, "(*"+name+")(nil)")
	if err != nil || !v.IsValid() || v.Kind() != reflect.Ptr {
		return
	}
	t := v.Type().Elem()
	if !slices.Contains(s.typeNames[t], name) {
		s.typeNames[t] = append(s.typeNames[t], name)
	}
}

// globals are the session's global variables and constants, or nil when yaegi cannot
// tell: its Globals panics when a symbol has no storage yet (before the first evaluation,
// or after a failed compile).
func (s *Session) globals() (vars map[string]reflect.Value) {
	defer func() {
		if recover() != nil {
			vars = nil
		}
	}()
	return s.yaegi.Globals()
}

func (s *Session) eval(ctx context.Context, src string) (reflect.Value, error) {
	fset, base := fileSet(s.yaegi), 0
	if fset != nil {
		base = fset.Base()
	}
	v, err := s.yaegi.EvalWithContext(ctx, src)
	forgetSyntaxTrees(s.yaegi)
	if err == nil {
		// (A failed compile leaves half-declared symbols whose errors still need positions.)
		forgetFiles(fset, base, src)
	}
	return v, err
}

func (s *Session) importPackage(ctx context.Context, imp importSpec) error {
	if s.imported[imp] {
		return nil
	}
	if _, ok := packageSymbols(imp.path); !ok {
		return fmt.Errorf("package %q is not available: cells can import Go's standard library (as of Go 1.22) and %s",
			imp.path, strings.Join(gonumPackages, ", "))
	}
	if _, err := s.eval(ctx, imp.String()); err != nil {
		return err
	}
	s.imported[imp] = true
	name := imp.name
	if name == "" {
		name = packageName(imp.path)
	}
	s.packages[name] = imp.path
	return nil
}

// checkImported fails on a package the chunk uses without importing it, as Go does, and
// says which import it needs: yaegi says "undefined: strconv" at best, and panics with a
// nil dereference on `var wg sync.WaitGroup`.
func (s *Session) checkImported(ch *chunk) error {
	for _, p := range ch.packageNames {
		if _, ok := s.packages[p.name]; ok {
			continue
		}
		if _, ok := s.types[p.name]; ok {
			continue
		}
		paths := importPaths()[p.name]
		if len(paths) == 0 {
			continue // not a package's name: yaegi's own error says what it is
		}
		// Only now the session's variables (a list yaegi builds at each call): one may
		// have the package's name. When yaegi cannot tell, the check stands aside.
		globals := s.globals()
		if _, ok := globals[p.name]; ok || globals == nil {
			continue
		}
		quoted := make([]string, len(paths))
		for i, path := range paths {
			quoted[i] = strconv.Quote(path)
		}
		return &positionError{line: p.line, col: p.col, msg: fmt.Sprintf("undefined: %s (import %s first)", p.name, strings.Join(quoted, " or "))}
	}
	return nil
}

// importPaths maps the name of each package cells can import to its paths.
var importPaths = sync.OnceValue(func() map[string][]string {
	out := map[string][]string{}
	for _, table := range []interp.Exports{yaegistdlib.Symbols, stdlib.Symbols} {
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

// isCompileError reports whether err was found before the cell ran: not a panic and
// not an interrupt.
func isCompileError(err error) bool {
	var p interp.Panic
	if errors.As(err, &p) {
		// yaegi's compiler panics on some code it cannot compile (a call with no result
		// as an argument): that panic is a compile error too.
		return strings.Contains(fmt.Sprint(p.Value), "CFG post-order panic")
	}
	return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

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
