// Command fidelity measures how faithfully the notebook session runs Go: yaegi's own
// test programs and gonum's Examples, each in a fresh session and in plain yaegi, with
// stdout compared to the expected output (internal/fidelity). It prints the pass rates,
// the failure classes and every failure or skip with its reason.
//
//	go run ./bench/fidelity [-run REGEXP] [-corpus yaegi|gonum] [-timeout 10s]
//
// -run selects cases by name (closure1.go, mat.ExampleDense_Add); for a few cases it
// also prints their cells, stdout and expected output.
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/gomatcalc/gomatcalc/internal/fidelity"
)

func main() {
	run := flag.String("run", "", "run only the cases whose name matches this regexp")
	corpus := flag.String("corpus", "", "run only this corpus (yaegi or gonum)")
	timeout := flag.Duration("timeout", fidelity.Timeout, "time limit of one run of a case")
	flag.Parse()
	re, err := regexp.Compile(*run)
	if err != nil {
		fail(err)
	}
	all, err := fidelity.LoadAll()
	if err != nil {
		fail(err)
	}
	var cases []fidelity.Case
	for _, name := range fidelity.Corpora {
		if *corpus != "" && *corpus != name {
			continue
		}
		for _, c := range all[name] {
			if re.MatchString(c.Name) {
				cases = append(cases, c)
			}
		}
	}
	start := time.Now()
	pairs := make([]fidelity.Pair, 0, len(cases))
	for _, c := range cases {
		pairs = append(pairs, fidelity.Run(c, *timeout))
	}
	elapsed := time.Since(start)

	if *run != "" && len(pairs) <= 3 {
		for _, p := range pairs {
			detail(p)
		}
	}
	fidelity.WriteTable(os.Stdout, fidelity.Count(pairs))
	fmt.Printf("\n%d cases in %.1fs\n\nSession failures by class:\n\n", len(pairs), elapsed.Seconds())
	fidelity.WriteClasses(os.Stdout, pairs)
	fmt.Println()
	fidelity.WriteFailures(os.Stdout, pairs)
}

// detail shows one case in full: what ran, what it printed, what was wanted.
func detail(p fidelity.Pair) {
	fmt.Printf("=== %s/%s (%s)\n", p.Case.Corpus, p.Case.Name, p.Case.File)
	for _, cell := range p.Case.Cells {
		fmt.Printf("--- %s cell:\n%s\n", cell.Role, strings.TrimSpace(cell.Code))
	}
	for _, r := range []struct {
		who string
		res fidelity.Result
	}{{"session", p.Session}, {"plain yaegi", p.Plain}} {
		fmt.Printf("--- %s: %s %s (%v)\n%s\n", r.who, r.res.Outcome, r.res.Reason, r.res.Elapsed.Round(time.Millisecond), r.res.Stdout)
	}
	fmt.Printf("--- want:\n%s\n\n", p.Case.Want)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "fidelity:", err)
	os.Exit(1)
}
