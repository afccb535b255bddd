package notebook

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// run runs nb through a fresh fake session and fails the test on a stuck session.
func run(t *testing.T, r *Runner, nb *Notebook) (Result, error) {
	t.Helper()
	res, err := r.Run(context.Background(), nb, &fakeSession{})
	if errors.Is(err, ErrStuck) {
		t.Fatal(err)
	}
	return res, err
}

// summary is the outputs of a cell in one line each: type, stream name, text or data.
func summary(c *Cell) []string {
	var s []string
	for _, o := range c.Outputs {
		switch o.Type {
		case Stream:
			s = append(s, o.Name+": "+o.Text)
		case DisplayData, ExecuteResult:
			s = append(s, o.Type+": "+o.Data["text/plain"].(string))
		case ErrorOutput:
			s = append(s, "error: "+o.EName+": "+o.EValue)
		}
	}
	return s
}

func TestStreamsOfOneNameMerge(t *testing.T) {
	nb := codeNotebook("print a\nprint b\neprint c\neprint d\nprint e\ndisplay - x\nprint f")
	if _, err := run(t, &Runner{}, nb); err != nil {
		t.Fatal(err)
	}
	want := []string{"stdout: a\nb\n", "stderr: c\nd\n", "stdout: e\n", "display_data: x", "stdout: f\n"}
	if got := summary(nb.Cells[0]); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestResultAndCounts(t *testing.T) {
	nb := codeNotebook("result 4", "  \n", "print hi")
	nb.Cells = append(nb.Cells[:1], append([]*Cell{{ID: "md", Type: Markdown, Source: "# T"}}, nb.Cells[1:]...)...)
	res, err := run(t, &Runner{}, nb)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ran != 2 {
		t.Errorf("ran %d cells, want 2 (a blank cell is skipped)", res.Ran)
	}
	first, blank, last := nb.Cells[0], nb.Cells[2], nb.Cells[3]
	if first.ExecutionCount != 1 || blank.ExecutionCount != 0 || last.ExecutionCount != 2 {
		t.Errorf("counts %d %d %d, want 1, none, 2", first.ExecutionCount, blank.ExecutionCount, last.ExecutionCount)
	}
	o := first.Outputs[0]
	if o.Type != ExecuteResult || o.ExecutionCount != 1 || o.Data["text/html"] != "<b>4</b>" || o.Metadata == nil {
		t.Errorf("result %+v", o)
	}
}

func TestUpdateDisplayReplacesTheOutputWithItsID(t *testing.T) {
	nb := codeNotebook("display h first\ndisplay - other", "print x\nupdate h second\nupdate nobody z\ndisplay k third\nupdate k fourth")
	if _, err := run(t, &Runner{}, nb); err != nil {
		t.Fatal(err)
	}
	if got, want := summary(nb.Cells[0]), []string{"display_data: second", "display_data: other"}; !reflect.DeepEqual(got, want) {
		t.Errorf("first cell: got %q, want %q", got, want)
	}
	if got, want := summary(nb.Cells[1]), []string{"stdout: x\n", "display_data: fourth"}; !reflect.DeepEqual(got, want) {
		t.Errorf("second cell: got %q, want %q", got, want)
	}
}

func TestClearOutput(t *testing.T) {
	for code, want := range map[string][]string{
		"print a\nclear":                                nil,
		"print a\nclear\nprint b":                       {"stdout: b\n"},
		"print a\nclearwait":                            {"stdout: a\n"}, // nothing came after it
		"print a\nclearwait\nprint b\nprint c":          {"stdout: b\nc\n"},
		"print a\nclearwait\ndisplay - d":               {"display_data: d"},
		"display h a\nclearwait\nupdate h b":            {"display_data: b"}, // an update is no new output
		"print a\nclearwait\nresult 4":                  {"execute_result: 4"},
		"print a\nclearwait\nfail 1:1 bad thing":        {"error: CompileError: line 1:1: bad thing"},
		"print a\nclearwait\nclearwait\nprint b":        {"stdout: b\n"},
		"print a\nclearwait\nclear\nprint b\nclearwait": {"stdout: b\n"},
	} {
		nb := codeNotebook(code)
		(&Runner{AllowErrors: true}).Run(context.Background(), nb, &fakeSession{})
		if got := summary(nb.Cells[0]); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", code, got, want)
		}
	}
}

func TestTheFirstFailingCellStopsTheRun(t *testing.T) {
	nb := codeNotebook("print one", "print two\nfail 2:5 undefined: y", "print three")
	nb.Cells[2].ExecutionCount = 7
	nb.Cells[2].Outputs = []*Output{{Type: Stream, Name: "stdout", Text: "old\n"}}
	var progress bytes.Buffer
	res, err := run(t, &Runner{Progress: &progress}, nb)
	var ce *CellError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a *CellError", err)
	}
	if ce.Index != 1 || ce.Line != 2 || ce.Source != "fail 2:5 undefined: y" || ce.Count != 2 || len(res.Failed) != 1 {
		t.Errorf("got %+v", ce)
	}
	if !strings.Contains(err.Error(), "cell 2 of 3") || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("error %q names neither the cell nor the line", err)
	}
	if got, want := summary(nb.Cells[1]), []string{"stdout: two\n", "error: CompileError: line 2:5: undefined: y"}; !reflect.DeepEqual(got, want) {
		t.Errorf("failing cell: got %q, want %q", got, want)
	}
	// The cell after it did not run, and keeps what it had (as Jupyter's Run All).
	if c := nb.Cells[2]; c.ExecutionCount != 7 || summary(c)[0] != "stdout: old\n" {
		t.Errorf("the cell after the failure changed: %d %q", c.ExecutionCount, summary(c))
	}
	p := progress.String()
	for _, want := range []string{"cell 1 of 3 [1]", "cell 2 of 3 (In [2]) failed at line 2:\n    fail 2:5 undefined: y\n", "  line 2:5: undefined: y\n"} {
		if !strings.Contains(p, want) {
			t.Errorf("progress lacks %q:\n%s", want, p)
		}
	}
	if strings.Contains(p, "\x1b[") || strings.Contains(p, "cell 3 of 3") {
		t.Errorf("progress has colour codes or goes on:\n%s", p)
	}
}

func TestAllowErrorsRunsEveryCell(t *testing.T) {
	nb := codeNotebook("panic 3 boom", "print two", "fail 1:1 bad")
	res, err := run(t, &Runner{AllowErrors: true}, nb)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ran != 3 || len(res.Failed) != 2 || res.Failed[0].Line != 0 || res.Failed[1].Line != 1 {
		t.Errorf("got %+v", res)
	}
	if nb.Cells[1].ExecutionCount != 2 || summary(nb.Cells[1])[0] != "stdout: two\n" {
		t.Errorf("the cell after a failure did not run: %q", summary(nb.Cells[1]))
	}
}

func TestErrorLine(t *testing.T) {
	src := "a\nb\nc"
	for _, tc := range []struct {
		line, want int
	}{{2, 2}, {3, 3}, {0, 0}, {9, 0}, {-1, 0}} {
		if got := errorLine(&lang.Error{Name: "x", Value: "line 2:5: text is not read", Line: tc.line}, src); got != tc.want {
			t.Errorf("Line %d: got line %d, want %d", tc.line, got, tc.want)
		}
	}
}

func TestTimeoutCancelsTheCell(t *testing.T) {
	nb := codeNotebook("print started\nsleep", "print after")
	start := time.Now()
	res, err := run(t, &Runner{Timeout: 50 * time.Millisecond, AllowErrors: true}, nb)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the timeout did not stop the cell in time")
	}
	if len(res.Failed) != 1 || !res.Failed[0].TimedOut {
		t.Fatalf("got %+v", res)
	}
	want := []string{"stdout: started\n", "error: TimeoutError: the cell timed out after 50ms"}
	if got := summary(nb.Cells[0]); !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if !strings.Contains(res.Failed[0].Error(), "timed out after 50ms") {
		t.Errorf("error %q", res.Failed[0])
	}
	if nb.Cells[1].ExecutionCount != 2 {
		t.Errorf("the next cell did not run with --allow-errors")
	}
}

func TestACellThatIgnoresCancellationIsGivenUp(t *testing.T) {
	s := &fakeSession{release: make(chan struct{})}
	defer close(s.release)
	nb := codeNotebook("hang", "print after")
	_, err := (&Runner{Timeout: 20 * time.Millisecond, Grace: 50 * time.Millisecond, AllowErrors: true}).Run(context.Background(), nb, s)
	if !errors.Is(err, ErrStuck) {
		t.Fatalf("got %v, want ErrStuck", err)
	}
	if s.ran() != 1 {
		t.Errorf("ran %d cells after the session got stuck", s.ran()-1)
	}
}

func TestInterruptStopsTheRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	nb := codeNotebook("sleep", "print after")
	s := &fakeSession{}
	_, err := (&Runner{AllowErrors: true}).Run(ctx, nb, s)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want an interrupt", err)
	}
	if s.ran() != 1 {
		t.Errorf("a cell ran after the interrupt")
	}
}

func TestRunSetsTheKernelAndKeepsOtherMetadata(t *testing.T) {
	nb := codeNotebook("print x")
	nb.Metadata = map[string]any{"title": "Lecture 1",
		"kernelspec": map[string]any{"name": "gophernotes", "display_name": "Go"}}
	nb.Cells[0].Metadata = map[string]any{"tags": []any{"graded"}}
	if _, err := run(t, &Runner{}, nb); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"title":      "Lecture 1",
		"kernelspec": map[string]any{"name": "gomatcalc", "display_name": "Go (matcalc)", "language": "go"},
		"language_info": map[string]any{"name": "go", "version": "1.26", "mimetype": "text/x-go",
			"file_extension": ".go"},
	}
	if !reflect.DeepEqual(nb.Metadata, want) {
		t.Errorf("metadata %v, want %v", nb.Metadata, want)
	}
	if c := nb.Cells[0]; c.ID != "ca" || !reflect.DeepEqual(c.Metadata["tags"], []any{"graded"}) {
		t.Errorf("the cell lost its id or metadata: %+v", c)
	}
}

func TestTagsSkipAndExpectFailures(t *testing.T) {
	nb := codeNotebook("print skipped", "fail 1:1 expected", "print last")
	nb.Cells[0].Metadata["tags"] = []any{"skip-execution"}
	nb.Cells[1].Metadata["tags"] = []any{"other", "raises-exception"}
	res, err := run(t, &Runner{}, nb)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ran != 2 || len(res.Failed) != 0 || nb.Cells[0].ExecutionCount != 0 || nb.Cells[2].ExecutionCount != 2 {
		t.Errorf("got %+v", res)
	}
	if got := summary(nb.Cells[1]); len(got) != 1 || got[0] != "error: CompileError: line 1:1: expected" {
		t.Errorf("the expected failure shows %q", got)
	}
}
