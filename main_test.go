package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCommandLineMistakesAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"kernel"},
		{"kernel", "a.json", "b.json"},
		{"install", "--nope"},
		{"install", "--user", "--prefix", "/x"},
		{"install", "extra"},
		{"version", "extra"},
	} {
		err := run(args, new(bytes.Buffer), new(bytes.Buffer))
		if !errors.As(err, new(usageError)) {
			t.Errorf("%q: got %v, want a usage error (exit 2)", args, err)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run([]string{"help"}, &out, &out); err != nil || !strings.Contains(out.String(), "gomatcalc install") {
		t.Errorf("help: %v %q", err, out.String())
	}
	out.Reset()
	if err := run([]string{"version"}, &out, &out); err != nil || !strings.HasPrefix(out.String(), "gomatcalc ") {
		t.Errorf("version: %v %q", err, out.String())
	}
}

func TestKernelWithABadConnectionFileFails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conn.json")
	os.WriteFile(path, []byte(`{"transport":"udp","ip":"x"}`), 0o644)
	err := run([]string{"kernel", path}, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || errors.As(err, new(usageError)) || !strings.Contains(err.Error(), "transport") {
		t.Errorf("got %v", err)
	}
}

// TestMain lets a test run the command as a process of its own (for signals and exit
// codes): the test binary then is gomatcalc. It is the session's worker process too
// (os.Executable is the test binary), which must never run the tests again.
func TestMain(m *testing.M) {
	if os.Getenv("GOMATCALC_TEST_MAIN") == "1" || os.Getenv(workerEnv) == "1" {
		os.Args = append([]string{"gomatcalc"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// command is gomatcalc with args, as a process.
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "GOMATCALC_TEST_MAIN=1")
	return cmd
}

// copyNotebook copies testdata/run/NAME into a temporary directory.
func copyNotebook(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "run", name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readJSON reads a notebook as plain JSON, not through package notebook.
func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return nb
}

func cells(nb map[string]any) []map[string]any {
	var out []map[string]any
	for _, c := range nb["cells"].([]any) {
		out = append(out, c.(map[string]any))
	}
	return out
}

// text joins a multiline string of a notebook (a string or a list of lines).
func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b strings.Builder
	for _, line := range v.([]any) {
		b.WriteString(line.(string))
	}
	return b.String()
}

func outputs(c map[string]any) []map[string]any {
	var out []map[string]any
	for _, o := range c["outputs"].([]any) {
		out = append(out, o.(map[string]any))
	}
	return out
}

func TestRunWritesTheExecutedNotebook(t *testing.T) {
	in := copyNotebook(t, "square.ipynb")
	out := filepath.Join(filepath.Dir(in), "out.ipynb")
	var stdout, stderr bytes.Buffer
	// Flags before and after the notebook.
	if err := run([]string{"run", "--timeout", "1m", in, "-o", out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	nb := readJSON(t, out)
	if nb["nbformat"] != 4.0 || nb["nbformat_minor"] != 5.0 {
		t.Errorf("nbformat %v.%v, want 4.5", nb["nbformat"], nb["nbformat_minor"])
	}
	meta := nb["metadata"].(map[string]any)
	if spec := meta["kernelspec"].(map[string]any); spec["name"] != "gomatcalc" || spec["display_name"] != "Go (matcalc)" || spec["language"] != "go" {
		t.Errorf("kernelspec %v", spec)
	}
	if li := meta["language_info"].(map[string]any); li["name"] != "go" || li["file_extension"] != ".go" {
		t.Errorf("language_info %v", li)
	}
	cs := cells(nb)
	ids := map[any]bool{}
	for _, c := range cs {
		ids[c["id"]] = true
	}
	if len(ids) != len(cs) || ids[nil] {
		t.Errorf("cell ids missing or repeated: %v", ids)
	}
	decl, square, printed, blank, det, rich := cs[1], cs[2], cs[3], cs[4], cs[5], cs[6]
	if len(outputs(decl)) != 0 || decl["execution_count"] != 1.0 {
		t.Errorf("x := 2.0: %v", decl)
	}
	// x*x with x = 2.
	if o := outputs(square); len(o) != 1 || o[0]["output_type"] != "execute_result" ||
		text(o[0]["data"].(map[string]any)["text/plain"]) != "4" || o[0]["execution_count"] != 2.0 {
		t.Errorf("x*x: %v", o)
	}
	if o := outputs(printed); len(o) != 1 || o[0]["name"] != "stdout" || text(o[0]["text"]) != "hello 2\nagain\n" {
		t.Errorf("Println: %v", o)
	}
	if blank["execution_count"] != nil {
		t.Errorf("an empty cell ran: %v", blank)
	}
	// det [[2 1] [1 3]] = 2*3 - 1*1.
	v, err := strconv.ParseFloat(text(outputs(det)[0]["data"].(map[string]any)["text/plain"]), 64)
	if err != nil || math.Abs(v-5) > 1e-12 {
		t.Errorf("det: %v %v", v, err)
	}
	if o := outputs(rich); len(o) != 2 || o[0]["output_type"] != "display_data" ||
		text(o[0]["data"].(map[string]any)["text/html"]) != "<b>bold</b> & <i>it</i>" {
		t.Errorf("display: %v", o)
	}
	if !strings.Contains(stderr.String(), "cell 3 of 7 [2]") {
		t.Errorf("no progress:\n%s", stderr.String())
	}
}

func TestRunHTMLPage(t *testing.T) {
	in := copyNotebook(t, "square.ipynb")
	page := filepath.Join(filepath.Dir(in), "square.html")
	var stderr bytes.Buffer
	if err := run([]string{"run", in, "--html", page}, new(bytes.Buffer), &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<h1>Squares</h1>", "$x_1 = 2$", "<strong>4</strong>", "<pre>4</pre>",
		"hello 2\nagain\n", "<b>bold</b> & <i>it</i>", "$$\\frac{1}{2}$$", "MathJax.js"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(in)); len(entries) != 2 {
		t.Errorf("the directory holds %v, want the notebook and the page", entries)
	}
}

func TestRunStopsAtTheFailingCell(t *testing.T) {
	in := copyNotebook(t, "failing.ipynb")
	out := filepath.Join(filepath.Dir(in), "out.ipynb")
	var stderr bytes.Buffer
	err := run([]string{"run", "-o", out, in}, new(bytes.Buffer), &stderr)
	if err == nil || errors.As(err, new(usageError)) {
		t.Fatalf("got %v, want a failure", err)
	}
	for _, want := range []string{"failing.ipynb", "cell 2 of 3", "line 3", "index out of range"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if !strings.Contains(stderr.String(), "failed at line 3:\n    s[i] = y\n") {
		t.Errorf("stderr does not show the failing line:\n%s", stderr.String())
	}
	// The notebook is written with the error, and the cell after it not run.
	cs := cells(readJSON(t, out))
	if o := outputs(cs[1]); len(o) != 1 || o[0]["output_type"] != "error" || o[0]["ename"] != "panic" {
		t.Errorf("failing cell: %v", o)
	}
	if cs[2]["execution_count"] != nil || len(outputs(cs[2])) != 0 {
		t.Errorf("the cell after the failure ran: %v", cs[2])
	}
}

func TestRunAllowErrors(t *testing.T) {
	in := copyNotebook(t, "failing.ipynb")
	orig, _ := os.ReadFile(in)
	var stderr bytes.Buffer
	if err := run([]string{"run", "--allow-errors", "--inplace", in}, new(bytes.Buffer), &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	data, _ := os.ReadFile(in)
	if bytes.Equal(data, orig) {
		t.Fatal("--inplace did not rewrite the notebook")
	}
	cs := cells(readJSON(t, in))
	if o := outputs(cs[2]); cs[2]["execution_count"] != 3.0 || len(o) != 1 || text(o[0]["text"]) != "after the failure\n" {
		t.Errorf("the cell after the failure: %v", cs[2])
	}
	if cs[0]["id"] != "cell-0" {
		t.Errorf("cell id changed to %v", cs[0]["id"])
	}
}

func TestRunCompileErrorNamesTheLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.ipynb")
	os.WriteFile(path, []byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
		{"cell_type": "code", "id": "a", "metadata": {}, "outputs": [], "execution_count": null,
		 "source": "a := 1\nb := a + \"s\"\nb"}]}`), 0o644)
	var stderr bytes.Buffer
	err := run([]string{"run", path}, new(bytes.Buffer), &stderr)
	if err == nil || !strings.Contains(err.Error(), "cell 1 of 1 (In [1]) failed at line 2") {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(stderr.String(), "    b := a + \"s\"\n") {
		t.Errorf("stderr lacks the line:\n%s", stderr.String())
	}
}

// TestEachNotebookHasAFreshSession runs two notebooks in one process: the second does
// not see the first's variables, and still runs.
func TestEachNotebookHasAFreshSession(t *testing.T) {
	square := copyNotebook(t, "square.ipynb")
	fresh := filepath.Join(filepath.Dir(square), "fresh.ipynb")
	data, _ := os.ReadFile(filepath.Join("testdata", "run", "fresh.ipynb"))
	os.WriteFile(fresh, data, 0o644)
	outDir := t.TempDir()
	var stderr bytes.Buffer
	other := filepath.Join("testdata", "run", "square.ipynb")
	err := run([]string{"run", square, other, "-o", outDir}, new(bytes.Buffer), &stderr)
	if !errors.As(err, new(usageError)) {
		t.Errorf("writing two notebooks to %s: got %v, want a usage error", filepath.Join(outDir, "square.ipynb"), err)
	}
	err = run([]string{"run", square, fresh, "-o", outDir, "--allow-errors"}, new(bytes.Buffer), &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if o := outputs(cells(readJSON(t, filepath.Join(outDir, "fresh.ipynb")))[0]); len(o) != 1 || !strings.Contains(o[0]["evalue"].(string), "undefined: x") {
		t.Errorf("the second notebook saw the first's x: %v", o)
	}
	// Again, the other way round, without --allow-errors: the failure is reported and
	// the next notebook runs all the same.
	stderr.Reset()
	err = run([]string{"run", fresh, square, "-o", outDir}, new(bytes.Buffer), &stderr)
	if err == nil || !strings.Contains(err.Error(), "1 of 2 notebooks failed") {
		t.Errorf("got %v", err)
	}
	if o := outputs(cells(readJSON(t, filepath.Join(outDir, "square.ipynb")))[2]); text(o[0]["data"].(map[string]any)["text/plain"]) != "4" {
		t.Errorf("x*x after another notebook: %v", o)
	}
}

// writeNotebook writes a notebook of the code cells sources into dir/name.
func writeNotebook(t *testing.T, dir, name string, sources ...string) string {
	t.Helper()
	var cells []map[string]any
	for _, src := range sources {
		cells = append(cells, map[string]any{"cell_type": "code", "metadata": map[string]any{},
			"source": src, "outputs": []any{}, "execution_count": nil})
	}
	data, err := json.Marshal(map[string]any{"cells": cells, "metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A goroutine one notebook leaves running does not write into the next one, and a fatal
// error of the Go runtime fails its cell, not the command.
func TestNotebooksAreIsolated(t *testing.T) {
	dir := t.TempDir()
	noisy := writeNotebook(t, dir, "noisy.ipynb",
		"import \"time\"\ngo func() {\n\tfor {\n\t\tfmt.Println(\"noise\")\n\t\ttime.Sleep(time.Millisecond)\n\t}\n}()")
	crash := writeNotebook(t, dir, "crash.ipynb",
		"import \"sync\"\nvar mu sync.Mutex\nmu.Unlock()", "1+1")
	quiet := writeNotebook(t, dir, "quiet.ipynb",
		"import \"time\"\ntime.Sleep(100 * time.Millisecond)\nfmt.Println(\"quiet\")")
	var stderr bytes.Buffer
	err := run([]string{"run", noisy, crash, quiet, "--inplace", "--allow-errors"}, new(bytes.Buffer), &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	crashed := cells(readJSON(t, crash))
	if o := outputs(crashed[0]); len(o) != 1 || o[0]["ename"] != "fatal error" || o[0]["evalue"] != "sync: unlock of unlocked mutex" {
		t.Errorf("the crashing cell's outputs: %v", o)
	}
	if o := outputs(crashed[1]); len(o) != 1 || text(o[0]["data"].(map[string]any)["text/plain"]) != "2" {
		t.Errorf("the cell after the crash: %v", o)
	}
	o := outputs(cells(readJSON(t, quiet))[0])
	if len(o) != 1 || text(o[0]["text"]) != "quiet\n" {
		t.Errorf("the last notebook's outputs: %v, want only its own line", o)
	}
}

func TestRunTimeout(t *testing.T) {
	in := copyNotebook(t, "slow.ipynb")
	var stderr bytes.Buffer
	err := run([]string{"run", "--timeout", "200ms", in}, new(bytes.Buffer), &stderr)
	if err == nil || !strings.Contains(err.Error(), "timed out after 200ms") || !strings.Contains(err.Error(), "cell 1 of 2") {
		t.Errorf("got %v\n%s", err, stderr.String())
	}
}

func TestRunRefusesWhatIsNotAGoNotebook(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ipynb")
	os.WriteFile(bad, []byte(`{"cells": [`), 0o644)
	python := filepath.Join("testdata", "run", "python.ipynb")
	out := filepath.Join(dir, "out.ipynb")
	for path, want := range map[string]string{
		bad:    "bad.ipynb: not a Jupyter notebook",
		python: `python.ipynb: the notebook is for kernel "python3"`,
	} {
		err := run([]string{"run", path, "-o", out}, new(bytes.Buffer), new(bytes.Buffer))
		if err == nil || errors.As(err, new(usageError)) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", path, err, want)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused notebook was written")
	}
	nowhere := filepath.Join(dir, "missing", "out.ipynb")
	err := run([]string{"run", filepath.Join("testdata", "run", "slow.ipynb"), "-o", nowhere}, new(bytes.Buffer), new(bytes.Buffer))
	if err == nil || !strings.Contains(err.Error(), "no directory") {
		t.Errorf("-o into a missing directory: got %v", err) // and for{} did not run
	}
}

func TestRunUsageMistakes(t *testing.T) {
	nb := filepath.Join("testdata", "run", "square.ipynb")
	for _, args := range [][]string{
		{"run"},
		{"run", nb, nb, "-o", "x.ipynb"},
		{"run", nb, "-o", "x.ipynb", "--inplace"},
		{"run", nb, "--timeout", "soon"},
		{"run", nb, "--timeout", "-1s"},
		{"run", nb, "--bogus"},
		{"run", nb, nb, "--html", "x.html"},
	} {
		err := run(args, new(bytes.Buffer), new(bytes.Buffer))
		if !errors.As(err, new(usageError)) {
			t.Errorf("%q: got %v, want a usage error (exit 2)", args, err)
		}
	}
	var out bytes.Buffer
	if err := run([]string{"run", "-h"}, &out, new(bytes.Buffer)); err != nil || !strings.Contains(out.String(), "nothing is written") {
		t.Errorf("run -h: %v %q", err, out.String())
	}
}

func TestParseInterleaved(t *testing.T) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	o := fs.String("o", "", "")
	b := fs.Bool("b", false, "")
	got, err := parseInterleaved(fs, []string{"a", "-o", "x", "b", "-b", "--", "-c", "d"})
	if err != nil || !reflect.DeepEqual(got, []string{"a", "b", "-c", "d"}) || *o != "x" || !*b {
		t.Errorf("got %q %v, -o %q -b %v", got, err, *o, *b)
	}
}

// TestInterruptWritesNothing sends SIGINT to a run stuck in `for {}`: the cell is
// cancelled, the command exits 130, and the notebook given to --inplace is untouched.
func TestInterruptWritesNothing(t *testing.T) {
	in := copyNotebook(t, "slow.ipynb")
	orig, _ := os.ReadFile(in)
	cmd := command("run", "--inplace", in)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "cell 1 of 2 [1] ...") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the run did not start:\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("got %v, want exit status 130\n%s", err, stderr.String())
	}
	if data, _ := os.ReadFile(in); !bytes.Equal(data, orig) {
		t.Errorf("the interrupted notebook was rewritten")
	}
	if entries, _ := os.ReadDir(filepath.Dir(in)); len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
	if !strings.Contains(stderr.String(), "nothing written") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

// syncBuffer is a bytes.Buffer a process writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Cells run in their notebook's directory, as nbconvert runs them, and a cell that
// changes the working directory changes nowhere a result is written.
func TestRunResolvesPathsBeforeCellsRun(t *testing.T) {
	root := t.TempDir()
	sub, elsewhere := filepath.Join(root, "sub"), filepath.Join(root, "elsewhere")
	for _, dir := range []string{sub, elsewhere} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(sub, "data.txt"), []byte("beside the notebook"), 0o644)
	nb := map[string]any{
		"cells": []any{
			map[string]any{"cell_type": "code", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil,
				"source": "import \"os\"\ndata, err := os.ReadFile(\"data.txt\")\nfmt.Println(string(data), err)"},
			map[string]any{"cell_type": "code", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil,
				"source": "os.Chdir(" + strconv.Quote(elsewhere) + ")"},
		},
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "gomatcalc", "display_name": "Go (matcalc)", "language": "go"}},
		"nbformat": 4, "nbformat_minor": 4,
	}
	data, _ := json.Marshal(nb)
	os.WriteFile(filepath.Join(sub, "x.ipynb"), data, 0o644)
	t.Chdir(root)
	var stderr bytes.Buffer
	if err := run([]string{"run", filepath.Join("sub", "x.ipynb"), "--inplace", "--html", "page.html"}, new(bytes.Buffer), &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if o := outputs(cells(readJSON(t, filepath.Join(sub, "x.ipynb")))[0]); len(o) != 1 || text(o[0]["text"]) != "beside the notebook <nil>\n" {
		t.Errorf("the first cell's output: %v", o)
	}
	for _, stray := range []string{filepath.Join(elsewhere, "x.ipynb"), filepath.Join(elsewhere, "page.html")} {
		if _, err := os.Stat(stray); err == nil {
			t.Errorf("%s was written", stray)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "page.html")); err != nil {
		t.Errorf("the page is not where it was asked for: %v", err)
	}
	if wd, _ := os.Getwd(); wd != root {
		t.Errorf("the working directory is %s after the run, want %s", wd, root)
	}
}

// A value whose JSON form holds a NaN costs that form, not the notebook.
func TestRunWritesAValueJSONCannotEncode(t *testing.T) {
	dir := t.TempDir()
	nb := map[string]any{
		"cells": []any{map[string]any{"cell_type": "code", "metadata": map[string]any{}, "outputs": []any{}, "execution_count": nil,
			"source": "display.Bundle{\"application/json\": map[string]float64{\"x\": math.NaN()}, \"text/plain\": \"x is NaN\"}"}},
		"metadata": map[string]any{"kernelspec": map[string]any{"name": "gomatcalc", "display_name": "Go (matcalc)", "language": "go"}},
		"nbformat": 4, "nbformat_minor": 4,
	}
	data, _ := json.Marshal(nb)
	path := filepath.Join(dir, "nan.ipynb")
	os.WriteFile(path, data, 0o644)
	var stderr bytes.Buffer
	if err := run([]string{"run", path, "--inplace"}, new(bytes.Buffer), &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	o := outputs(cells(readJSON(t, path))[0])
	if len(o) != 1 || text(o[0]["data"].(map[string]any)["text/plain"]) != "x is NaN" {
		t.Errorf("outputs %v", o)
	}
}
