package main

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/gomatcalc/gomatcalc/internal/hardcases"
	"github.com/gomatcalc/gomatcalc/stdlib/matcalc"
)

// randomSeed is the seed of the random draws summarized: fixed, so runs compare.
const randomSeed = 1

// A method estimates f'(X)[Dx] of a case, in vec coordinates.
type method struct {
	name string
	run  func(c hardcases.Case) []float64
}

var methods = []method{
	{"matcalc", func(c hardcases.Case) []float64 { return hardcases.Vec(matcalc.D(c.F, c.X).Apply(c.Dx)) }},
	{"fd, nil settings", func(c hardcases.Case) []float64 { return fdAlong(c, nil) }},
	{"fd, Central", func(c hardcases.Case) []float64 { return fdAlong(c, &fd.JacobianSettings{Formula: fd.Central}) }},
	{"central, h = 1e-6", func(c hardcases.Case) []float64 { return centralAlong(c, 1e-6) }},
}

// fdAlong is gonum's fd.Jacobian of t ↦ f(X + t Dx) at t = 0: an m×1 Jacobian.
func fdAlong(c hardcases.Case, s *fd.JacobianSettings) []float64 {
	jac := mat.NewDense(len(c.Want), 1, nil)
	fd.Jacobian(jac, func(y, t []float64) { copy(y, c.Along(t[0])) }, []float64{0}, s)
	return mat.Col(nil, 0, jac)
}

// centralAlong is (f(X + h Dx) − f(X − h Dx)) / 2h.
func centralAlong(c hardcases.Case, h float64) []float64 {
	p, m := c.Along(h), c.Along(-h)
	for i := range p {
		p[i] = (p[i] - m[i]) / (2 * h)
	}
	return p
}

// outcome is one method on one case.
type outcome struct {
	digits  float64 // correct digits of a finite result
	calls   int     // calls of f, including those before a panic
	flagged bool    // matcalc panicked "matcalc: …": it judged its result too uncertain
	failed  string  // "NaN" for a result not finite, "panic: …" for any other panic
}

// silentlyWrong is a finite result with fewer than 6 correct digits and no flag.
func (o outcome) silentlyWrong() bool { return !o.flagged && o.failed == "" && o.digits < 6 }

func (o outcome) String() string {
	switch {
	case o.flagged:
		return "flagged"
	case o.failed != "":
		return o.failed
	}
	return fmtDigits(o.digits)
}

// fmtDigits prints digits to one decimal, "0.0" for a hair below zero, "—" for none.
func fmtDigits(d float64) string {
	switch {
	case math.IsNaN(d):
		return "—"
	case math.Abs(d) < 0.05:
		return "0.0"
	}
	return fmt.Sprintf("%.1f", d)
}

// countedCase is c with F wrapped to count its calls.
func countedCase(c hardcases.Case) (hardcases.Case, *int) {
	n, fv := new(int), reflect.ValueOf(c.F)
	c.F = reflect.MakeFunc(fv.Type(), func(args []reflect.Value) []reflect.Value {
		*n++
		return fv.Call(args)
	}).Interface()
	return c, n
}

// measure runs m on c, recovering a panic.
func measure(m method, c hardcases.Case) (o outcome) {
	c, n := countedCase(c)
	defer func() {
		o.calls = *n
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			if strings.HasPrefix(msg, "matcalc:") {
				o.flagged = true
			} else {
				o.failed = "panic: " + shorten(msg, 40)
			}
		}
	}()
	got := m.run(c)
	if slices.ContainsFunc(got, func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }) {
		return outcome{failed: "NaN"}
	}
	return outcome{digits: digits(got, c.Want)}
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// cell escapes the pipes of names like log|det A| for a Markdown table.
func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// printHeader prints a table's header: the leading columns (two), then a column for each
// method, each followed by after (" |", or " | calls |" for a second column).
func printHeader(leading, after string) {
	head, rule := leading, "|---|---|"
	for _, m := range methods {
		head += " " + m.name + after
		rule += strings.Repeat("---|", strings.Count(after, "|"))
	}
	fmt.Println(head)
	fmt.Println(rule)
}

// printFixed prints one row per fixed hard case: digits and calls of every method.
func printFixed(cases []hardcases.Case) {
	fmt.Println("\nHard cases (internal/hardcases.Fixed()): correct digits of f'(X)[Dx] (−log10 of the max-norm error relative to ‖Want‖∞) and calls of f.")
	fmt.Println()
	printHeader("| case | family |", " | calls |")
	for _, c := range cases {
		row := fmt.Sprintf("| %s | %s |", cell(c.Name), c.Family)
		for _, m := range methods {
			o := measure(m, c)
			row += fmt.Sprintf(" %s | %d |", cell(o.String()), o.calls)
		}
		fmt.Println(row)
	}
}

// stats summarizes one method's outcomes.
type stats struct {
	median, min                   float64 // over the finite, unflagged results; NaN if none
	wrong, flagged, failed, total int
	meanCalls                     float64
}

func summarize(outs []outcome) stats {
	var s stats
	var ds []float64
	calls := 0
	for _, o := range outs {
		calls += o.calls
		switch {
		case o.flagged:
			s.flagged++
		case o.failed != "":
			s.failed++
		default:
			ds = append(ds, o.digits)
			if o.silentlyWrong() {
				s.wrong++
			}
		}
	}
	s.total, s.median, s.min = len(outs), math.NaN(), math.NaN()
	if len(ds) > 0 {
		slices.Sort(ds)
		s.median, s.min = (ds[(len(ds)-1)/2]+ds[len(ds)/2])/2, ds[0]
	}
	s.meanCalls = float64(calls) / float64(max(1, len(outs)))
	return s
}

// printRandom prints, per method, a summary over random draws of the hard families, and
// the same per family.
func printRandom(cases []hardcases.Case) {
	results := make([][]outcome, len(methods)) // results[method][case]
	for i, m := range methods {
		for _, c := range cases {
			results[i] = append(results[i], measure(m, c))
		}
	}
	fmt.Printf("\nRandom hard cases (internal/hardcases.Random(%d, %d)); digits over the finite, unflagged results; silently wrong: fewer than 6 correct digits and not flagged.\n\n", randomSeed, len(cases))
	fmt.Println("| method | median digits | min digits | silently wrong | flagged | NaN or other panic | mean calls |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for i, m := range methods {
		s := summarize(results[i])
		fmt.Printf("| %s | %s | %s | %d | %d | %d | %.1f |\n", m.name, fmtDigits(s.median), fmtDigits(s.min), s.wrong, s.flagged, s.failed, s.meanCalls)
	}
	printByFamily(cases, results)
}

// printByFamily prints median digits, silently wrong and flagged counts per family.
func printByFamily(cases []hardcases.Case, results [][]outcome) {
	var fams []string
	for _, c := range cases {
		if !slices.Contains(fams, c.Family) {
			fams = append(fams, c.Family)
		}
	}
	fmt.Println("\nThe same by family: median digits (silently wrong / flagged / NaN or other panic, of the draws).")
	fmt.Println()
	printHeader("| family | draws |", " |")
	for _, fam := range fams {
		var idx []int
		for i, c := range cases {
			if c.Family == fam {
				idx = append(idx, i)
			}
		}
		row := fmt.Sprintf("| %s | %d |", fam, len(idx))
		for i := range methods {
			var outs []outcome
			for _, k := range idx {
				outs = append(outs, results[i][k])
			}
			s := summarize(outs)
			row += fmt.Sprintf(" %s (%d / %d / %d) |", fmtDigits(s.median), s.wrong, s.flagged, s.failed)
		}
		fmt.Println(row)
	}
}
