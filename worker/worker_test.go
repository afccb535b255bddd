//go:build unix

package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gomatcalc/gomatcalc/internal/limits"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// The test binary is its own worker: with beWorker set it serves fakeSession, whose cells
// are commands that do to the process what students' cells do.
const beWorker = "GOMATCALC_WORKER_TEST"

func TestMain(m *testing.M) {
	if os.Getenv(beWorker) == "hog" { // a program a cell starts, not a worker
		hog()
		os.Exit(0)
	}
	if how := os.Getenv(beWorker); how != "" {
		debug.SetMaxStack(8 << 20) // a stack overflow in milliseconds, not after 1 GB
		load := func() (lang.Session, error) { return &fakeSession{}, nil }
		switch how {
		case "panic-on-load":
			load = func() (lang.Session, error) { panic("cannot load") }
		case "fail-on-load":
			load = func() (lang.Session, error) { return nil, errors.New("no symbols") }
		}
		if err := Serve(load); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type fakeSession struct{ value string }

func (f *fakeSession) Execute(ctx context.Context, req lang.ExecuteRequest, out lang.Output) lang.ExecuteResult {
	cmd, arg, _ := strings.Cut(req.Code, " ")
	switch cmd {
	case "set":
		f.value = arg
	case "big-value":
		return lang.ExecuteResult{Value: lang.Bundle{"text/plain": strings.Repeat("x", 2*lang.BundleLimit), "text/html": "<p>"}}
	case "get":
		return lang.ExecuteResult{Value: lang.PlainText(f.value)}
	case "print":
		out.Stream("stdout", arg)
	case "lines": // many small writes, a display, then more
		for i := 0; i < 10000; i++ {
			out.Stream("stdout", "line\n")
		}
		out.Display(lang.Display{Data: lang.PlainText("shown")})
		out.Stream("stdout", "after\n")
	case "display-nan":
		out.Display(lang.Display{Data: lang.Bundle{"text/plain": "x", "application/json": math.NaN()}})
	case "input":
		text, err := out.Input(arg, false)
		if err != nil && ctx.Err() != nil {
			return lang.ExecuteResult{Err: &lang.Error{Name: "Interrupted", Value: "interrupted while waiting for input"}}
		}
		if err != nil {
			return lang.ExecuteResult{Err: &lang.Error{Name: "InputError", Value: err.Error()}}
		}
		return lang.ExecuteResult{Value: lang.PlainText("got " + text)}
	case "later": // a goroutine prints after the cell has ended
		go func() {
			time.Sleep(100 * time.Millisecond)
			fmt.Fprint(os.Stdout, arg)
			fmt.Fprint(os.Stderr, arg)
		}()
	case "concurrent-map":
		m := map[int]int{}
		for i := 0; i < 4; i++ {
			go func() {
				for j := 0; ; j++ {
					m[j%100] = j
				}
			}()
		}
		select {}
	case "unlock":
		var mu sync.Mutex
		mu.Unlock()
	case "recurse":
		var down func(int) int
		down = func(n int) int { return down(n+1) + 1 }
		down(0)
	case "panic-in-goroutine":
		go panic("boom\nsecond line")
		select {}
	case "exit":
		os.Exit(3)
	case "crash-later": // the session dies between cells
		go func() {
			time.Sleep(100 * time.Millisecond)
			var mu sync.Mutex
			mu.Unlock()
		}()
	case "wait": // stops when interrupted
		<-ctx.Done()
		return lang.ExecuteResult{Err: &lang.Error{Name: "Interrupted", Value: "the cell was interrupted"}}
	case "ignore-interrupt":
		select {}
	case "child": // a program started by the cell, alive until killed
		exec.Command("sleep", "1000").Start()
	case "allocate": // slices nothing writes: the Go runtime holds them, RSS grows slowly
		allocate(ctx, false)
	case "hold": // 300 MB nothing writes: the Go runtime holds them, RSS does not grow
		b := make([]byte, 300<<20)
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
		runtime.KeepAlive(b)
	case "fill": // slices written as they are made
		allocate(ctx, true)
	case "allocate-later":
		go allocate(context.Background(), false)
	case "child-hog": // a program the cell starts uses the memory
		self, _ := os.Executable()
		hog := exec.Command(self)
		hog.Env = append(os.Environ(), beWorker+"=hog")
		if err := hog.Start(); err != nil {
			return lang.ExecuteResult{Err: &lang.Error{Name: "StartError", Value: err.Error()}}
		}
		hog.Wait()
	case "limits":
		return lang.ExecuteResult{Value: lang.PlainText(fmt.Sprint(runtime.GOMAXPROCS(0), " ", debug.SetMemoryLimit(-1)))}
	}
	return lang.ExecuteResult{}
}

// allocate appends slices of 8 MiB until ctx is done (never, unless the test fails).
func allocate(ctx context.Context, fill bool) {
	var keep [][]float64
	for ctx.Err() == nil {
		s := make([]float64, 1<<20)
		if fill {
			for i := range s {
				s[i] = 1
			}
		}
		keep = append(keep, s)
	}
}

// hog writes 1 GiB, a page at a time, and waits to be killed (for 20 s at most).
func hog() {
	b := make([]byte, 1<<30)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	time.Sleep(20 * time.Second)
	runtime.KeepAlive(b)
}

func (f *fakeSession) Complete(code string, cursor int) lang.Completion {
	return lang.Completion{Matches: []string{code + "!"}, Start: 0, End: cursor}
}
func (f *fakeSession) Inspect(code string, cursor, detail int) lang.Inspection {
	return lang.Inspection{Found: true, Data: lang.PlainText("about " + code)}
}
func (f *fakeSession) IsComplete(code string) lang.Completeness {
	return lang.Completeness{Status: lang.Incomplete, Indent: "\t"}
}
func (f *fakeSession) Info() lang.Info { return lang.Info{Implementation: "fake"} }

// recorder is a lang.Output that keeps what it gets.
type recorder struct {
	mu       sync.Mutex
	streams  map[string]string
	displays []lang.Display
	order    []string // "stream" or "display", a call each
	input    func(prompt string) (string, error)
}

func (r *recorder) Stream(name, text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.streams == nil {
		r.streams = map[string]string{}
	}
	r.streams[name] += text
	r.order = append(r.order, "stream")
}
func (r *recorder) Display(d lang.Display) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.displays = append(r.displays, d)
	r.order = append(r.order, "display")
}
func (r *recorder) Clear(bool) {}
func (r *recorder) Input(prompt string, password bool) (string, error) {
	if r.input == nil {
		return "", lang.ErrNoStdin
	}
	return r.input(prompt)
}
func (r *recorder) stream(name string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.streams[name]
}

func start(t *testing.T, grace time.Duration) *Supervisor {
	t.Helper()
	return startAs(t, "1", grace)
}

// startAs starts a supervisor of test workers that load as how says.
func startAs(t *testing.T, how string, grace time.Duration) *Supervisor {
	t.Helper()
	return startWith(t, how, Options{Grace: grace})
}

// startWith starts a supervisor of test workers that load as how says, with opts.
func startWith(t *testing.T, how string, opts Options) *Supervisor {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	opts.Command = func() *exec.Cmd {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), beWorker+"="+how)
		return cmd
	}
	opts.Info = lang.Info{Implementation: "supervised"}
	s := New(opts)
	t.Cleanup(func() { s.Close() })
	s.Load()
	return s
}

func run(s *Supervisor, code string) (lang.ExecuteResult, *recorder) {
	out := &recorder{}
	return s.Execute(context.Background(), lang.ExecuteRequest{Code: code}, out), out
}

func value(t *testing.T, s *Supervisor, code string) string {
	t.Helper()
	res, _ := run(s, code)
	if res.Err != nil {
		t.Fatalf("%q: %v", code, res.Err)
	}
	text, _ := res.Value["text/plain"].(string)
	return text
}

func TestRequestsReachTheSession(t *testing.T) {
	s := start(t, 0)
	if got := s.Info().Implementation; got != "supervised" {
		t.Errorf("Info: %q, want the supervisor's own", got)
	}
	value(t, s, "set 42")
	if got := value(t, s, "get"); got != "42" {
		t.Errorf("get after set 42: %q", got)
	}
	res, out := run(s, "print hello")
	if res.Err != nil || out.stream("stdout") != "hello" {
		t.Errorf("print: %v, stdout %q", res.Err, out.stream("stdout"))
	}
	if c := s.Complete("ma", 2); len(c.Matches) != 1 || c.Matches[0] != "ma!" || c.End != 2 {
		t.Errorf("Complete: %+v", c)
	}
	if in := s.Inspect("x", 1, 0); !in.Found || in.Data["text/plain"] != "about x" {
		t.Errorf("Inspect: %+v", in)
	}
	if c := s.IsComplete("for {"); c.Status != lang.Incomplete || c.Indent != "\t" {
		t.Errorf("IsComplete: %+v", c)
	}
}

func TestInputGoesThroughTheFrontEnd(t *testing.T) {
	s := start(t, 0)
	out := &recorder{input: func(prompt string) (string, error) { return "typed after " + prompt, nil }}
	res := s.Execute(context.Background(), lang.ExecuteRequest{Code: "input name?"}, out)
	if res.Err != nil || res.Value["text/plain"] != "got typed after name?" {
		t.Errorf("input: %+v", res)
	}
	res, _ = run(s, "input name?") // the recorder refuses input
	if res.Err == nil || res.Err.Value != lang.ErrNoStdin.Error() {
		t.Errorf("input without stdin: %+v, want %v", res.Err, lang.ErrNoStdin)
	}
}

// A cell's many small writes cross the pipe in a few events, and keep their order with
// what it displays.
func TestStreamTextIsGatheredAndKeepsItsOrder(t *testing.T) {
	s := start(t, 0)
	res, out := run(s, "lines")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if want := strings.Repeat("line\n", 10000) + "after\n"; out.stream("stdout") != want {
		t.Errorf("stdout: %d bytes, want %d", len(out.stream("stdout")), len(want))
	}
	if n := len(out.order); n > 50 || n < 3 || out.order[n-2] != "display" || out.order[n-1] != "stream" {
		t.Errorf("%d calls, ending %v: want a few streams, the display, then the last line", n, out.order[max(0, n-3):])
	}
}

func TestABundleOverTheLimitCrossesThePipeCut(t *testing.T) {
	s := start(t, 0)
	res, _ := run(s, "big-value")
	text, _ := res.Value["text/plain"].(string)
	if res.Err != nil || len(res.Value) != 1 || len(text) > lang.TextLimit+200 || !strings.Contains(text, "only its text is shown, cut]") {
		t.Errorf("a value of %d MB: %v, %d representations, %d bytes of text", 2*lang.BundleLimit/1_000_000, res.Err, len(res.Value), len(text))
	}
}

// An interrupt while the cell waits for input reaches the worker before the failed
// input does: the cell knows it was interrupted.
func TestAnInterruptDuringInputReachesTheCell(t *testing.T) {
	s := start(t, 0)
	for i := 0; i < 10; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		out := &recorder{input: func(string) (string, error) {
			cancel() // the front end's box is interrupted
			return "", errors.New("interrupted while waiting for input")
		}}
		res := s.Execute(ctx, lang.ExecuteRequest{Code: "input name?"}, out)
		if res.Err == nil || res.Err.Name != "Interrupted" {
			t.Fatalf("run %d: %+v, want the cell interrupted", i, res.Err)
		}
	}
}

func TestADisplayJSONCannotEncodeKeepsItsText(t *testing.T) {
	s := start(t, 0)
	res, out := run(s, "display-nan")
	if res.Err != nil || len(out.displays) != 1 || out.displays[0].Data["text/plain"] != "x" {
		t.Fatalf("display: %v, %+v", res.Err, out.displays)
	}
	if _, ok := out.displays[0].Data["application/json"]; ok {
		t.Errorf("the NaN JSON was sent: %+v", out.displays[0].Data)
	}
}

// Each way a process ends: the cell's error names what the Go runtime said, and the next
// cell runs in a fresh session.
func TestWhatEndsTheProcessEndsOnlyTheSession(t *testing.T) {
	s := start(t, 0)
	for _, c := range []struct{ code, name, value string }{
		{"concurrent-map", "fatal error", "concurrent map writes"},
		{"unlock", "fatal error", "sync: unlock of unlocked mutex"},
		{"recurse", "fatal error", "stack overflow"},
		{"panic-in-goroutine", "panic", "boom\nsecond line"},
		{"exit", "SessionEnded", "the Go session exited with status 3 (compiled code called os.Exit)"},
	} {
		value(t, s, "set kept")
		res, _ := run(s, c.code)
		if res.Err == nil || res.Err.Name != c.name || res.Err.Value != c.value {
			t.Errorf("%s: error %+v, want %s: %s", c.code, res.Err, c.name, c.value)
		} else if tb := strings.Join(res.Err.Traceback, "\n"); !strings.Contains(tb, "a fresh one has started") {
			t.Errorf("%s: the traceback does not say the session was restarted:\n%s", c.code, tb)
		}
		if got := value(t, s, "get"); got != "" {
			t.Errorf("after %s: the value is %q, want a fresh session's", c.code, got)
		}
	}
}

func TestACellThatIgnoresTheInterruptIsEndedAfterTheGrace(t *testing.T) {
	s := start(t, 300*time.Millisecond)
	value(t, s, "set kept")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	res := s.Execute(ctx, lang.ExecuteRequest{Code: "ignore-interrupt"}, &recorder{})
	if res.Err == nil || res.Err.Name != "Interrupted" || !strings.Contains(res.Err.Value, "did not stop within 300ms") {
		t.Errorf("error %+v, want the cell stopped after the grace", res.Err)
	}
	if got := value(t, s, "get"); got != "" {
		t.Errorf("value %q after the kill, want a fresh session's", got)
	}

	// An interrupt the cell honours ends only the cell.
	value(t, s, "set kept")
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	res = s.Execute(ctx, lang.ExecuteRequest{Code: "wait"}, &recorder{})
	if res.Err == nil || res.Err.Value != "the cell was interrupted" {
		t.Errorf("error %+v, want the session's own interrupt", res.Err)
	}
	if got := value(t, s, "get"); got != "kept" {
		t.Errorf("value %q after an honoured interrupt, want kept", got)
	}
}

// An interrupt that comes with the request itself (sent as the worker starts the call)
// is not lost: the cell stops, and the session is kept.
func TestAnInterruptAtOnceIsHonoured(t *testing.T) {
	s := start(t, 10*time.Second)
	value(t, s, "set kept")
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		res := s.Execute(ctx, lang.ExecuteRequest{Code: "wait"}, &recorder{})
		if res.Err == nil || res.Err.Value != "the cell was interrupted" {
			t.Fatalf("run %d: %+v, want the session's own interrupt", i, res.Err)
		}
	}
	if got := value(t, s, "get"); got != "kept" {
		t.Errorf("value %q, want kept", got)
	}
}

func TestWhatGoroutinesPrintAfterTheCellGoesToIt(t *testing.T) {
	s := start(t, 0)
	res, out := run(s, "later late")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for (out.stream("stdout") != "late" || out.stream("stderr") != "late") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if out.stream("stdout") != "late" || out.stream("stderr") != "late" {
		t.Errorf("late output: %q", out.streams)
	}
}

func TestASessionThatEndsBetweenCellsIsReportedOnce(t *testing.T) {
	s := start(t, 0)
	value(t, s, "set kept")
	res, first := run(s, "crash-later")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(first.stream("stderr"), "ended between cells") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(first.stream("stderr"), "fatal error: sync: unlock of unlocked mutex") {
		t.Errorf("the last cell's stderr: %q, want the end of the session", first.stream("stderr"))
	}
	res, next := run(s, "get")
	if res.Err != nil || res.Value["text/plain"] != "" {
		t.Errorf("next cell: %+v, want a fresh session's empty value", res)
	}
	if !strings.Contains(next.stream("stderr"), "ended between cells") {
		t.Errorf("next cell's stderr: %q, want the note", next.stream("stderr"))
	}
	if _, again := run(s, "get"); again.stream("stderr") != "" {
		t.Errorf("the note again: %q", again.stream("stderr"))
	}
}

func TestCloseEndsTheWorkerAndWhatItStarted(t *testing.T) {
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip("no sleep program")
	}
	s := start(t, 0)
	value(t, s, "child")
	s.mu.Lock()
	pid := s.current.cmd.Process.Pid
	s.mu.Unlock()
	s.Close()
	// The group is gone: signal 0 to it fails once every member has exited.
	deadline := time.Now().Add(5 * time.Second)
	for processGroupAlive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if processGroupAlive(pid) {
		t.Errorf("the worker's process group %d is still alive after Close", pid)
	}
	if res, _ := run(s, "get"); res.Err == nil || res.Err.Name != "SessionClosed" {
		t.Errorf("after Close: %+v", res)
	}
}

func TestAWorkerThatCannotStartIsAnError(t *testing.T) {
	s := New(Options{Command: func() *exec.Cmd { return exec.Command("/nonexistent/gomatcalc") }})
	defer s.Close()
	res, _ := run(s, "get")
	if res.Err == nil || !strings.Contains(res.Err.Value, "could not start") {
		t.Errorf("error %+v, want could not start", res.Err)
	}
	if c := s.IsComplete("x"); c.Status != lang.Unknown {
		t.Errorf("IsComplete without a worker: %+v", c)
	}
}

func TestASessionThatCannotLoadIsAnError(t *testing.T) {
	for how, want := range map[string]string{
		"panic-on-load": "panic: cannot load",
		"fail-on-load":  "the Go session could not start: no symbols",
	} {
		s := startAs(t, how, 0)
		for range 2 { // and again: each request tries a fresh worker
			res, _ := run(s, "get")
			if res.Err == nil || !strings.Contains(res.Err.Name+": "+res.Err.Value, want) {
				t.Errorf("%s: error %+v, want %q", how, res.Err, want)
			}
		}
	}
}

func TestRuntimeMessage(t *testing.T) {
	for _, c := range []struct{ report, name, msg string }{
		{"fatal error: concurrent map writes\n\ngoroutine 1 [running]:\n", "fatal error", "concurrent map writes"},
		{"runtime: goroutine stack exceeds 1000000000-byte limit\nfatal error: stack overflow\n", "fatal error", "stack overflow"},
		{"panic: x [recovered]\n\tpanic: y\n\ngoroutine 7 [running]:\n", "panic", "x [recovered]\npanic: y"},
		{"something else\n", "", ""},
	} {
		if name, msg := runtimeMessage(c.report); name != c.name || msg != c.msg {
			t.Errorf("%q: %q %q, want %q %q", c.report, name, msg, c.name, c.msg)
		}
	}
}

func TestWholeRunes(t *testing.T) {
	euro := []byte("€") // three bytes
	for n := 0; n <= len(euro); n++ {
		b := append([]byte("ab"), euro[:n]...)
		want := 2
		if n == len(euro) {
			want = len(b)
		}
		if got := wholeRunes(b); got != want {
			t.Errorf("ab + %d bytes of €: %d, want %d", n, got, want)
		}
	}
}

// startLimited starts a supervisor under MEM_LIMIT=200M, which its workers see too.
func startLimited(t *testing.T) *Supervisor {
	t.Helper()
	t.Setenv("MEM_LIMIT", "200M")
	lim := limits.Find(nil)
	if !lim.MemoryLimited() || lim.MemoryFrom != "MEM_LIMIT" {
		t.Skipf("the memory limit here is below 200 MiB already: %+v", lim)
	}
	return startWith(t, "1", Options{Limits: lim})
}

// A loop of allocations, whether it writes them or not and whether a program the cell
// started makes them, ends in the cell's error at the limit, and a fresh session; so
// does memory the Go runtime holds and nothing has written yet (not resident).
func TestACellOverTheMemoryLimitEndsTheSession(t *testing.T) {
	if _, err := os.Stat("/proc/self/task"); err != nil {
		t.Skip("no /proc")
	}
	s := startLimited(t)
	for _, code := range []string{"allocate", "hold", "fill", "child-hog"} {
		value(t, s, "set kept")
		res, _ := run(s, code)
		want := "the cell used more memory than this server's memory limit (200.0 MiB, MEM_LIMIT)"
		if res.Err == nil || res.Err.Name != "MemoryLimit" || res.Err.Value != want {
			t.Errorf("%s: error %+v, want MemoryLimit: %s", code, res.Err, want)
			continue
		}
		tb := strings.Join(res.Err.Traceback, "\n")
		for _, part := range []string{"The session had taken ", "ask your instructor", "a fresh one has started"} {
			if !strings.Contains(tb, part) {
				t.Errorf("%s: the traceback does not say %q:\n%s", code, part, tb)
			}
		}
		if got := value(t, s, "get"); got != "" {
			t.Errorf("after %s: the value is %q, want a fresh session's", code, got)
		}
	}
}

func TestASessionWithinTheMemoryLimitIsKept(t *testing.T) {
	s := startLimited(t)
	value(t, s, "set kept")
	time.Sleep(1500 * time.Millisecond) // the group and the kernel's share are looked at again
	if got := value(t, s, "get"); got != "kept" {
		t.Errorf("value %q, want kept", got)
	}
}

func TestAGoroutineOverTheMemoryLimitBetweenCellsIsReported(t *testing.T) {
	s := startLimited(t)
	res, first := run(s, "allocate-later")
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	want := "the Go session ended between cells (MemoryLimit: the Go session used more memory than this server's memory limit (200.0 MiB, MEM_LIMIT))"
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(first.stream("stderr"), "ended between cells") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(first.stream("stderr"), want) {
		t.Errorf("the last cell's stderr: %q, want %q", first.stream("stderr"), want)
	}
}

func TestTheWorkerUsesTheLimits(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("one CPU: GOMAXPROCS is 1 anyway")
	}
	// None: the worker's runtime is as Go makes it.
	t.Setenv("MEM_LIMIT", "")
	t.Setenv("CPU_LIMIT", "")
	if limits.Find(nil).MemoryLimited() {
		t.Skip("this machine's cgroup has a memory limit")
	}
	free := startAs(t, "1", 0)
	if got, want := value(t, free, "limits"), fmt.Sprint(runtime.GOMAXPROCS(0), " ", int64(math.MaxInt64)); got != want {
		t.Errorf("without limits: GOMAXPROCS and memory limit %s, want %s", got, want)
	}
	t.Setenv("CPU_LIMIT", "0.5")
	s := startLimited(t)
	var procs, memory int64
	if _, err := fmt.Sscan(value(t, s, "limits"), &procs, &memory); err != nil {
		t.Fatal(err)
	}
	if procs != 1 || memory < 100<<20 || memory >= 200<<20 {
		t.Errorf("CPU_LIMIT=0.5, MEM_LIMIT=200M: GOMAXPROCS %d, memory limit %d bytes, want 1 and a share of 200 MiB", procs, memory)
	}
}

func TestTheHintOfAnOutOfMemoryKillNamesTheLimit(t *testing.T) {
	msg := exitMessage(&exec.ExitError{ProcessState: killedProcessState(t)})
	if !strings.Contains(msg, "SIGKILL") {
		t.Fatalf("message %q", msg)
	}
	lim := limits.Limits{Memory: 1 << 30, MemoryFrom: "cgroup memory.max"}
	if got, want := crashHint(msg, lim), "The cell asked for more memory than this server's memory limit (1.0 GiB, cgroup memory.max) allows."; got != want {
		t.Errorf("hint %q, want %q", got, want)
	}
}

// killedProcessState is the state of a process killed with SIGKILL.
func killedProcessState(t *testing.T) *os.ProcessState {
	t.Helper()
	cmd := exec.Command("sleep", "10")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep program:", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	return cmd.ProcessState
}
