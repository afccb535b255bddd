package notebook

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

var (
	// A position in the failing cell, as the session words it: "line 3:5: ..." for
	// syntax and compile errors, "at line 3 of this cell" for a panic. A position
	// followed by "of cell [n]" is in another cell, where a function was declared.
	cellPosition = regexp.MustCompile(`(?:^|\s)line (\d+):\d+(?::|$)`)
	panicLine    = regexp.MustCompile(`\bat line (\d+) of this cell\b`)
	ansi         = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")
)

// errorLine is the line of source (from 1) that a failed cell's error points at, or 0.
func errorLine(e *lang.Error, source string) int {
	n := strings.Count(source, "\n") + 1
	valid := func(m []string) int {
		if m == nil {
			return 0
		}
		if line, err := strconv.Atoi(m[1]); err == nil && line >= 1 && line <= n {
			return line
		}
		return 0
	}
	if line := valid(cellPosition.FindStringSubmatch(e.Value)); line > 0 {
		return line
	}
	for _, re := range []*regexp.Regexp{panicLine, cellPosition} {
		for _, tb := range e.Traceback {
			if line := valid(re.FindStringSubmatch(stripANSI(tb))); line > 0 {
				return line
			}
		}
	}
	return 0
}

// stripANSI removes terminal colour codes, which tracebacks may hold.
func stripANSI(s string) string {
	return ansi.ReplaceAllString(s, "")
}
