package notebook

import (
	"strings"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// errorLine is the line of source (from 1) that a failed cell's error points at, or 0:
// the session says where (lang.Error.Line), so no error text is parsed.
func errorLine(e *lang.Error, source string) int {
	if n := strings.Count(source, "\n") + 1; e.Line >= 1 && e.Line <= n {
		return e.Line
	}
	return 0
}
