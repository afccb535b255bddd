// Command sessionmem measures how much memory a session keeps, without the kernel.
//
// By default it runs each of a few cells -n times in a fresh interp.Session and prints
// the live heap (after a full GC) kept per execute over the first and the second half of
// the run. Equal halves mean a constant cost per execute; a larger second half, a cost
// that grows with the number of executes.
//
// With -notebook it runs the code cells of a notebook -runs times in one session, as
// "Run All" again and again in Jupyter, and prints the live heap and the process's RSS
// after every -every runs.
//
//	go run ./bench/sessionmem [-n 1000]
//	go run ./bench/sessionmem -notebook notebooks/lecture07-second-derivatives-hessians.ipynb [-runs 50] [-every 10]
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gomatcalc/gomatcalc/interp"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/notebook"
)

// discard is a lang.Output that drops everything.
type discard struct{}

func (discard) Stream(string, string)              {}
func (discard) Display(lang.Display)               {}
func (discard) Clear(bool)                         {}
func (discard) Input(string, bool) (string, error) { return "", lang.ErrNoStdin }

var cells = []string{
	"1",
	"n++",
	`fmt.Println("n is", n)`,
	`display.Markdown(fmt.Sprintf("**%d**", n))`,
	"A = mat.NewDense(2, 2, []float64{1, 2, 3, float64(n)})\nmat.Det(A)",
	"f := func() int { return 1 }\nf()",
	"done := make(chan int)\ngo func() { done <- n }()\n<-done",
}

// heap is the live heap after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rss is the process's resident set size (VmRSS), 0 where /proc cannot tell.
func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

func main() {
	n := flag.Int("n", 1000, "executes of each cell")
	nb := flag.String("notebook", "", "run this notebook's code cells -runs times in one session instead")
	runs := flag.Int("runs", 50, "with -notebook: how many times to run the notebook")
	every := flag.Int("every", 10, "with -notebook: runs between two rows")
	flag.Parse()
	if *nb != "" {
		if err := runNotebook(*nb, *runs, *every); err != nil {
			fmt.Fprintln(os.Stderr, "sessionmem:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("| cell | kept per execute, executes 1-%d | %d-%d |\n", *n/2, *n/2+1, *n)
	fmt.Println("|---|---|---|")
	for _, cell := range cells {
		s := newSession()
		run := func(code string) {
			if r := s.Execute(context.Background(), lang.ExecuteRequest{Code: code, StoreHistory: true}, discard{}); r.Err != nil {
				fmt.Fprintf(os.Stderr, "%q: %v\n", code, r.Err)
				os.Exit(1)
			}
		}
		run("n := 0\nvar A *mat.Dense")
		var marks [3]uint64
		marks[0] = heap()
		for i := 1; i <= *n; i++ {
			run(cell)
			if i == *n/2 {
				marks[1] = heap()
			}
		}
		marks[2] = heap()
		runtime.KeepAlive(s) // the session must be live at the last mark
		half := float64(*n / 2)
		fmt.Printf("| `%q` | %.1f KiB | %.1f KiB |\n", cell,
			float64(int64(marks[1]-marks[0]))/1024/half, float64(int64(marks[2]-marks[1]))/1024/float64(*n-*n/2))
	}
}

func newSession() *interp.Session {
	s, err := interp.New(interp.Options{Version: "bench"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return s
}

// runNotebook runs the notebook at path runs times in one session (in the notebook's
// directory, as gomatcalc run does) and prints a row every so many runs.
func runNotebook(path string, runs, every int) error {
	nb, err := notebook.Read(path)
	if err != nil {
		return err
	}
	if err := os.Chdir(filepath.Dir(path)); err != nil {
		return err
	}
	s := newSession()
	code := 0
	for _, c := range nb.Cells {
		if c.Type == notebook.Code {
			code++
		}
	}
	fmt.Printf("%s (%d code cells), run %d times in one session:\n\n", filepath.Base(path), code, runs)
	fmt.Println("| runs | live heap | RSS | seconds |")
	fmt.Println("|---|---|---|---|")
	row := func(done int, start time.Time) {
		h := heap()
		fmt.Printf("| %d | %.1f MiB | %.1f MiB | %.1f |\n", done, mib(h), mib(rss()), time.Since(start).Seconds())
	}
	start := time.Now()
	row(0, start)
	runner := &notebook.Runner{}
	for i := 1; i <= runs; i++ {
		if _, err := runner.Run(context.Background(), nb, s); err != nil {
			return fmt.Errorf("run %d: %w", i, err)
		}
		if i%every == 0 || i == runs {
			row(i, start)
		}
	}
	runtime.KeepAlive(s)
	return nil
}
