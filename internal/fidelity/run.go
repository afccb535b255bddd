package fidelity

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"

	"github.com/gomatcalc/gomatcalc/interp"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/stdlib"
)

// Timeout bounds one run of a case. yaegi's test programs take milliseconds; the
// slowest gonum Examples (optimize) well under a second.
const Timeout = 10 * time.Second

// Pair is one case run by the session and by plain yaegi.
type Pair struct {
	Case           Case
	Session, Plain Result
}

// Run runs a case in a fresh session, then in plain yaegi. A case is skipped for both
// when the session skips it. Cases run one at a time: a running session owns the
// process's os.Stdout.
func Run(c Case, timeout time.Duration) Pair {
	defer freshFlags()()
	p := Pair{Case: c, Session: RunSession(c, timeout)}
	if p.Session.Outcome == Skip {
		p.Plain = p.Session
		return p
	}
	freshFlags()
	p.Plain = RunYaegi(c, timeout)
	return p
}

// freshFlags gives the next run a flag.CommandLine of its own and no arguments, as
// go run file.go does, and returns a func that puts the process's back: yaegi replaces
// the variables interpreted code sees, but flag.Var and flag.Parse use the compiled
// ones ("flag redefined" in the next run; the bench's own flags parsed again).
func freshFlags() (restore func()) {
	saved, args := flag.CommandLine, os.Args
	flag.CommandLine = flag.NewFlagSet(saved.Name(), flag.ContinueOnError)
	flag.CommandLine.SetOutput(io.Discard)
	os.Args = args[:1]
	return func() { flag.CommandLine, os.Args = saved, args }
}

// collector is a lang.Output that keeps stdout and stderr together, in the order they
// came: the corpus's expected outputs hold what println printed, which Go (and the
// session) write to stderr and yaegi alone to stdout.
type collector struct {
	mu     sync.Mutex
	stdout strings.Builder
}

func (o *collector) Stream(name, text string) {
	o.mu.Lock()
	o.stdout.WriteString(text)
	o.mu.Unlock()
}
func (o *collector) Display(lang.Display)               {}
func (o *collector) Clear(bool)                         {}
func (o *collector) Input(string, bool) (string, error) { return "", lang.ErrNoStdin }

func (o *collector) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.stdout.String()
}

// hangGrace is how long after its deadline an Execute may take to return before the case
// is abandoned as hung (its goroutine is left behind).
const hangGrace = 5 * time.Second

// RunSession runs a case's cells in order in a fresh session, within one deadline.
func RunSession(c Case, timeout time.Duration) Result {
	if c.Skip != "" {
		return Result{Outcome: Skip, Reason: c.Skip}
	}
	start := time.Now()
	s, err := interp.New(interp.Options{Version: "fidelity"})
	if err != nil {
		return Result{Outcome: Fail, Reason: "new session: " + oneLine(err.Error())}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out := &collector{}
	for _, cell := range c.Cells {
		done := make(chan lang.ExecuteResult, 1)
		go func() { done <- s.Execute(ctx, lang.ExecuteRequest{Code: cell.Code}, out) }()
		var res lang.ExecuteResult
		select {
		case res = <-done:
		case <-time.After(timeout + hangGrace):
			return Result{Outcome: Fail, Reason: fmt.Sprintf("hung: the %s cell ran past its deadline", cell.Role),
				Stdout: out.String(), Elapsed: time.Since(start)}
		}
		if res.Err == nil {
			continue
		}
		r := Result{Outcome: Fail, Stdout: out.String(), Elapsed: time.Since(start)}
		switch {
		case ctx.Err() != nil:
			r.Reason = fmt.Sprintf("timeout after %v in the %s cell", timeout, cell.Role)
		case c.Corpus == Yaegi && strings.Contains(res.Err.Value, "not available"):
			// A package a notebook does not offer. (Among gonum's Examples, a missing
			// package is a gap to fill: those fail.)
			r.Outcome, r.Reason = Skip, oneLine(res.Err.Value)
		default:
			r.Reason = oneLine(fmt.Sprintf("%s cell: %s: %s", cell.Role, res.Err.Name, res.Err.Value))
		}
		return r
	}
	r := Check(c, out.String(), nil)
	r.Elapsed = time.Since(start)
	return r
}

// RunYaegi runs a case's program in plain yaegi with the symbols the session has (Go's
// standard library and the gonum tables), stdout to a file: yaegi points os.Stdout at
// an *os.File it is given, so that fmt.Fprint(os.Stdout, ...) is captured too.
func RunYaegi(c Case, timeout time.Duration) Result {
	start := time.Now()
	stdout, err := os.CreateTemp("", "fidelity-*.out")
	if err != nil {
		return Result{Outcome: Fail, Reason: err.Error()}
	}
	defer os.Remove(stdout.Name())
	defer stdout.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return Result{Outcome: Fail, Reason: err.Error()}
	}
	defer devnull.Close()
	i := yaegi.New(yaegi.Options{Stdout: stdout, Stderr: devnull})
	for _, syms := range []yaegi.Exports{yaegistdlib.Symbols, stdlib.Symbols} {
		if err := i.Use(syms); err != nil {
			return Result{Outcome: Fail, Reason: err.Error()}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, err = evalRecover(ctx, i, c.Program)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timeout after %v", timeout)
	}
	got, _ := os.ReadFile(stdout.Name())
	r := Check(c, string(got), err)
	r.Elapsed = time.Since(start)
	return r
}

// evalRecover evaluates src, turning a panic of yaegi's compiler into an error.
func evalRecover(ctx context.Context, i *yaegi.Interpreter, src string) (_ any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("yaegi panicked: %v", p)
		}
	}()
	return i.EvalWithContext(ctx, src)
}
