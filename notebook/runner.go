package notebook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// Runner runs the code cells of a notebook in order through one session, as "Run All"
// does in Jupyter.
type Runner struct {
	// Timeout bounds each cell (0: no bound). A cell that takes longer is cancelled
	// and fails with a "timed out" error.
	Timeout time.Duration
	// AllowErrors runs on past failing cells; otherwise the first one stops the run.
	AllowErrors bool
	// Progress, if set, receives a line for each cell run and each failure's details.
	Progress io.Writer
	// Grace is how long a cancelled cell may take to stop before the run gives the
	// session up as stuck (0: 10 seconds).
	Grace time.Duration
}

// ErrStuck is returned when a cancelled cell does not stop: the session cannot run
// anything else.
var ErrStuck = errors.New("the cell did not stop when cancelled")

// Result is what a run did.
type Result struct {
	Ran    int          // code cells executed
	Failed []*CellError // the cells that failed, in order
}

// CellError is a failed cell.
type CellError struct {
	Index    int // the cell's position in the notebook, from 0
	Cells    int // how many cells the notebook has
	Count    int // its execution count
	Err      *lang.Error
	Line     int    // the line of the cell the error points at, 0 if none
	Source   string // that line
	TimedOut bool
}

func (e *CellError) Error() string {
	where := fmt.Sprintf("cell %d of %d (In [%d]) failed", e.Index+1, e.Cells, e.Count)
	if e.Line > 0 {
		where += fmt.Sprintf(" at line %d", e.Line)
	}
	return where + ": " + e.Err.Error()
}

// Run executes nb's code cells through s, which should be fresh, and records their
// outputs and execution counts in nb; its metadata is set to the session's kernel and
// language. It returns a *CellError at the first failing cell (unless AllowErrors), an
// error wrapping ctx's when ctx is cancelled (an interrupt), or ErrStuck. Cells not run
// keep what they had, as in Jupyter. As with Jupyter's nbclient, blank cells and cells
// tagged "skip-execution" are not run, and a cell tagged "raises-exception" may fail.
func (r *Runner) Run(ctx context.Context, nb *Notebook, s lang.Session) (Result, error) {
	setKernel(nb, s.Info())
	var res Result
	total := 0
	for _, c := range nb.Cells {
		if runnable(c) {
			total++
		}
	}
	for i, c := range nb.Cells {
		if !runnable(c) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, fmt.Errorf("interrupted before cell %d of %d: %w", i+1, len(nb.Cells), err)
		}
		res.Ran++
		r.printf("  cell %d of %d [%d] ... ", i+1, len(nb.Cells), res.Ran)
		start := time.Now()
		failure, err := r.runCell(ctx, nb, c, res.Ran, s)
		took := time.Since(start)
		switch {
		case ctx.Err() != nil:
			r.printf("interrupted after %s\n", duration(took))
			return res, fmt.Errorf("interrupted in cell %d of %d: %w", i+1, len(nb.Cells), ctx.Err())
		case failure == nil:
			r.printf("%s\n", duration(took))
			continue
		case err == nil && hasTag(c, "raises-exception"):
			// The notebook says this cell fails (nbclient's convention): it shows its
			// error and the run goes on.
			r.printf("%s, failed as its tag raises-exception expects\n", duration(took))
			continue
		}
		failure.Index, failure.Cells = i, len(nb.Cells)
		res.Failed = append(res.Failed, failure)
		r.printf("failed after %s\n", duration(took))
		r.report(failure)
		if err != nil {
			return res, fmt.Errorf("cell %d of %d: %w", i+1, len(nb.Cells), err)
		}
		if !r.AllowErrors {
			return res, failure
		}
	}
	return res, nil
}

// runnable reports whether a cell is one a run executes: as Jupyter's nbclient, not
// code cells with nothing but blanks, nor those tagged "skip-execution".
func runnable(c *Cell) bool {
	return c.Type == Code && strings.TrimSpace(c.Source) != "" && !hasTag(c, "skip-execution")
}

// hasTag reports whether a cell's metadata.tags holds tag.
func hasTag(c *Cell, tag string) bool {
	tags, _ := c.Metadata["tags"].([]any)
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}

// runCell executes one cell and returns its failure, if any, and ErrStuck if it did not
// stop when cancelled.
func (r *Runner) runCell(ctx context.Context, nb *Notebook, c *Cell, count int, s lang.Session) (*CellError, error) {
	c.Outputs, c.ExecutionCount = nil, count
	out := &cellOutput{nb: nb, cell: c, count: count}
	cellCtx, cancel := ctx, context.CancelFunc(func() {})
	if r.Timeout > 0 {
		cellCtx, cancel = context.WithTimeout(ctx, r.Timeout)
	}
	defer cancel()
	done := make(chan lang.ExecuteResult, 1)
	go func() {
		done <- s.Execute(cellCtx, lang.ExecuteRequest{Code: c.Source, StoreHistory: true, ExecutionCount: count}, out)
	}()

	var res lang.ExecuteResult
	var stuck error
	select {
	case res = <-done:
	case <-cellCtx.Done():
		grace := r.Grace
		if grace <= 0 {
			grace = 10 * time.Second
		}
		select {
		case res = <-done:
		case <-time.After(grace):
			stuck = ErrStuck
			res = lang.ExecuteResult{Err: &lang.Error{Name: "Stuck", Value: ErrStuck.Error()}}
		}
	}
	timedOut := res.Err != nil && ctx.Err() == nil && errors.Is(cellCtx.Err(), context.DeadlineExceeded)
	if timedOut {
		msg := fmt.Sprintf("the cell timed out after %s", r.Timeout)
		tb := []string{"\x1b[31mTimeoutError: " + msg + " (gomatcalc run --timeout)\x1b[0m"}
		if len(res.Err.Traceback) > 1 {
			// What the interrupt led to, such as a session restarted because the cell
			// did not stop, is said after the name line.
			tb = append(tb, res.Err.Traceback[1:]...)
		}
		res.Err = &lang.Error{Name: "TimeoutError", Value: msg, Traceback: tb}
	}
	out.finish(res)
	if res.Err == nil {
		return nil, stuck
	}
	line := errorLine(res.Err, c.Source)
	failure := &CellError{Count: count, Err: res.Err, Line: line, TimedOut: timedOut}
	if line > 0 {
		failure.Source = strings.Split(c.Source, "\n")[line-1]
	}
	return failure, stuck
}

// report prints a failure: where, the cell's line, then the error as the notebook
// shows it.
func (r *Runner) report(f *CellError) {
	if f.Line > 0 {
		r.printf("cell %d of %d (In [%d]) failed at line %d:\n    %s\n", f.Index+1, f.Cells, f.Count, f.Line, strings.TrimRight(f.Source, "\r"))
	} else {
		r.printf("cell %d of %d (In [%d]) failed:\n", f.Index+1, f.Cells, f.Count)
	}
	tb := f.Err.Traceback
	if len(tb) == 0 {
		tb = []string{f.Err.Error()}
	}
	for _, line := range tb {
		for _, l := range strings.Split(stripANSI(line), "\n") {
			r.printf("  %s\n", l)
		}
	}
}

func (r *Runner) printf(format string, args ...any) {
	if r.Progress != nil {
		fmt.Fprintf(r.Progress, format, args...)
	}
}

// duration is a cell's time as a person reads it.
func duration(d time.Duration) string {
	if d < time.Millisecond {
		return d.Round(time.Microsecond).String()
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(10 * time.Millisecond).String()
}

// setKernel records the session's kernel and language in the notebook's metadata, as
// Jupyter does when it saves a notebook run with that kernel.
func setKernel(nb *Notebook, info lang.Info) {
	if nb.Metadata == nil {
		nb.Metadata = map[string]any{}
	}
	nb.Metadata["kernelspec"] = map[string]any{
		"name": "gomatcalc", "display_name": "Go (matcalc)", "language": "go"}
	l := info.Language
	li := map[string]any{"name": l.Name}
	for k, v := range map[string]string{"version": l.Version, "mimetype": l.Mimetype,
		"file_extension": l.FileExtension, "pygments_lexer": l.PygmentsLexer, "codemirror_mode": l.CodemirrorMode} {
		if v != "" {
			li[k] = v
		}
	}
	nb.Metadata["language_info"] = li
}
