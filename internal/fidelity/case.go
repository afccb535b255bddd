// Package fidelity measures how faithfully a notebook session runs Go: it loads Go
// programs whose expected output is known (yaegi's own test programs, gonum's Examples),
// runs each in a fresh interp.Session and in plain yaegi, and compares stdout with the
// expected text as `go test` compares an Example's.
//
// It uses only interp's public API (New, Execute), so that it keeps measuring while the
// session's internals are rewritten. It is, with bench/fidelity, the only place outside
// interp that imports yaegi: for the plain-yaegi reference figures.
package fidelity

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Corpus names.
const (
	Yaegi = "yaegi"
	Gonum = "gonum"
)

// Case is one program with its expected stdout.
type Case struct {
	Corpus string
	Name   string // file name (yaegi) or package.Example (gonum)
	File   string // path of the source file
	// Cells are what the session executes, in order, in one fresh session.
	Cells []Cell
	// Program is the whole Go program plain yaegi evaluates; yaegi runs its main.
	Program   string
	Want      string
	Unordered bool // "// Unordered output:": compare sorted lines
	// Skip, when set, says why a notebook cannot run the case; it is not counted.
	Skip string
}

// Cell is one cell of a case.
type Cell struct {
	Role string // "file", "imports", "helpers" or "body": named in failure reasons
	Code string
}

// Outcome of running a case.
type Outcome int

const (
	Pass Outcome = iota
	Fail
	Skip
)

func (o Outcome) String() string { return [...]string{"pass", "fail", "skip"}[o] }

// Result is how one run of a case went.
type Result struct {
	Outcome Outcome
	Reason  string // one line, for Fail and Skip
	Stdout  string
	Elapsed time.Duration
}

// Check judges a finished run: it passes when the run had no error and its stdout matches.
func Check(c Case, stdout string, err error) Result {
	r := Result{Stdout: stdout}
	switch {
	case err != nil:
		r.Outcome, r.Reason = Fail, oneLine(err.Error())
	case !Match(stdout, c.Want, c.Unordered):
		got, want := stdout, c.Want
		if c.Unordered {
			got, want = sortedLines(got), sortedLines(want)
		}
		r.Outcome, r.Reason = Fail, Diff(got, want)
	}
	return r
}

// normalize trims the whole text and each line's trailing spaces: the Output comment
// cannot keep trailing spaces (go/ast drops them), and go test trims the whole text.
func normalize(s string) []string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	return lines
}

func sortedLines(s string) string {
	lines := normalize(s)
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// Match compares stdout with the expected text as go test compares an Example's.
func Match(got, want string, unordered bool) bool {
	g, w := normalize(got), normalize(want)
	if unordered {
		slices.Sort(g)
		slices.Sort(w)
	}
	return slices.Equal(g, w)
}

// Diff says in one line how got differs from want. Output repeated whole is named: the
// session of today runs a cell's main again after each evaluation.
func Diff(got, want string) string {
	g, w := normalize(got), normalize(want)
	if strings.TrimSpace(got) == "" {
		return "no output"
	}
	if n := repeats(got, want); n > 1 {
		return fmt.Sprintf("main ran %d times (whole output repeated)", n)
	}
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: got %.60q, want %.60q", i+1, g[i], w[i])
		}
	}
	if len(g) > len(w) {
		return fmt.Sprintf("%d extra lines, from %.60q", len(g)-len(w), g[len(w)])
	}
	return fmt.Sprintf("%d missing lines, from %.60q", len(w)-len(g), w[len(g)])
}

// repeats says how many times want is repeated in got, spaces aside (output without a
// final newline runs on into the next run's), or 0.
func repeats(got, want string) int {
	g, w := strings.Join(strings.Fields(got), ""), strings.Join(strings.Fields(want), "")
	if w == "" || len(g)%len(w) != 0 || g != strings.Repeat(w, len(g)/len(w)) {
		return 0
	}
	return len(g) / len(w)
}

// oneLine keeps an error's first line, bounded.
func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if len(s) > 160 {
		i := 157
		for !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "..."
	}
	return s
}
