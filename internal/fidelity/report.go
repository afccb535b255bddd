package fidelity

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Corpora is the order of the corpora in tables.
var Corpora = []string{Yaegi, Gonum}

// Tally counts a corpus's outcomes.
type Tally struct {
	Cases, Skipped, Session, Plain int // Session and Plain count passes
	Elapsed                        time.Duration
}

// Rate is a pass count over the cases run, in percent.
func (t Tally) Rate(pass int) float64 {
	if t.Cases == t.Skipped {
		return 0
	}
	return 100 * float64(pass) / float64(t.Cases-t.Skipped)
}

// Count tallies pairs by corpus.
func Count(pairs []Pair) map[string]Tally {
	out := map[string]Tally{}
	for _, p := range pairs {
		t := out[p.Case.Corpus]
		t.Cases++
		t.Elapsed += p.Session.Elapsed + p.Plain.Elapsed
		switch {
		case p.Session.Outcome == Skip:
			t.Skipped++
		case p.Session.Outcome == Pass:
			t.Session++
		}
		if p.Plain.Outcome == Pass {
			t.Plain++
		}
		out[p.Case.Corpus] = t
	}
	return out
}

// WriteTable writes the pass rates of both runners per corpus as a Markdown table.
func WriteTable(w io.Writer, tallies map[string]Tally) {
	fmt.Fprintln(w, "| corpus | cases | skipped | run | session passes | plain yaegi passes |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|")
	for _, name := range Corpora {
		t, ok := tallies[name]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d (%.1f%%) | %d (%.1f%%) |\n", name, t.Cases, t.Skipped,
			t.Cases-t.Skipped, t.Session, t.Rate(t.Session), t.Plain, t.Rate(t.Plain))
	}
}

// classes group failure reasons for the summary; the first match names the class. They
// are the failures seen on yaegi v0.16.1 with the session of the time (docs/fidelity.md);
// a new kind of failure shows as "other" until it gets a class here.
var classes = []struct {
	name string
	re   *regexp.Regexp
}{
	// Output that differs (anchored: the reason quotes the output).
	{"main runs again", regexp.MustCompile(`^main ran \d+ times`)},
	{"position in an error message", regexp.MustCompile(`^line \d+: got "\d+:\d+: `)},
	{"wrong output", regexp.MustCompile(`^(line \d+: got|\d+ (extra|missing) lines|no output)`)},
	// Errors.
	{"package not available", regexp.MustCompile(`is not available`)},
	{"timeout or hang", regexp.MustCompile(`^(timeout|hung)`)},
	{"yaegi compiler panic (CFG post-order)", regexp.MustCompile(`CFG post-order panic`)},
	{"definition loop", regexp.MustCompile(`definition loop`)},
	{"nil type", regexp.MustCompile(`nil type`)},
	{"mismatched types", regexp.MustCompile(`mismatched types`)},
	{"undefined name", regexp.MustCompile(`undefined: `)},
	{"other compile error", regexp.MustCompile(`CompileError`)},
	{"run-time panic", regexp.MustCompile(`panic`)},
}

// Class names the class of a failure reason.
func Class(reason string) string {
	for _, c := range classes {
		if c.re.MatchString(reason) {
			return c.name
		}
	}
	return "other"
}

// WriteClasses writes how many session failures each class has, how many of them plain
// yaegi fails too (yaegi's bugs rather than the session's), and a few of the cases.
func WriteClasses(w io.Writer, pairs []Pair) {
	byClass := map[string][]Pair{}
	for _, p := range pairs {
		if p.Session.Outcome == Fail {
			cl := Class(p.Session.Reason)
			byClass[cl] = append(byClass[cl], p)
		}
	}
	names := make([]string, 0, len(byClass))
	for n := range byClass {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := byClass[names[i]], byClass[names[j]]
		return len(a) > len(b) || len(a) == len(b) && names[i] < names[j]
	})
	fmt.Fprintln(w, "| class | session failures | plain yaegi fails too | e.g. |")
	fmt.Fprintln(w, "|---|---:|---:|---|")
	for _, n := range names {
		ps, plain := byClass[n], 0
		var eg []string
		for _, p := range ps {
			if p.Plain.Outcome == Fail {
				plain++
			}
			if len(eg) < 3 {
				eg = append(eg, p.Case.Corpus+"/"+p.Case.Name)
			}
		}
		fmt.Fprintf(w, "| %s | %d | %d | %s |\n", n, len(ps), plain, strings.Join(eg, ", "))
	}
}

// WriteFailures lists each case the session fails or skips, with its reason and plain
// yaegi's verdict, then the cases only plain yaegi fails.
func WriteFailures(w io.Writer, pairs []Pair) {
	for _, want := range []Outcome{Fail, Skip} {
		for _, p := range pairs {
			if p.Session.Outcome != want {
				continue
			}
			plain := ""
			if want == Fail {
				plain = "  [yaegi: " + p.Plain.Outcome.String() + "]"
			}
			fmt.Fprintf(w, "%s %s/%s: %s%s\n", strings.ToUpper(want.String()), p.Case.Corpus, p.Case.Name, p.Session.Reason, plain)
		}
	}
	for _, p := range pairs {
		if p.Session.Outcome == Pass && p.Plain.Outcome == Fail {
			fmt.Fprintf(w, "YAEGI-ONLY FAIL %s/%s: %s\n", p.Case.Corpus, p.Case.Name, p.Plain.Reason)
		}
	}
}
