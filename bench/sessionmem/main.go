// Command sessionmem measures how much memory a session keeps per executed cell, without
// the kernel: it runs each cell -n times in a fresh interp.Session and prints the live
// heap (after a full GC) kept per execute over the first and the second half of the run.
// Equal halves mean a constant cost per execute; a larger second half, a cost that grows
// with the number of executes.
//
//	go run ./bench/sessionmem [-n 1000]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"

	"github.com/gomatcalc/gomatcalc/interp"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
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

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func main() {
	n := flag.Int("n", 1000, "executes of each cell")
	flag.Parse()
	fmt.Printf("| cell | kept per execute, executes 1-%d | %d-%d |\n", *n/2, *n/2+1, *n)
	fmt.Println("|---|---|---|")
	for _, cell := range cells {
		s, err := interp.New(interp.Options{Version: "bench"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
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
		half := float64(*n / 2)
		fmt.Printf("| `%q` | %.1f KiB | %.1f KiB |\n", cell,
			float64(int64(marks[1]-marks[0]))/1024/half, float64(int64(marks[2]-marks[1]))/1024/float64(*n-*n/2))
	}
}
