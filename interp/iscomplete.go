package interp

import (
	"go/scanner"
	"go/token"
	"strings"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// IsComplete says whether a cell can run: unclosed brackets or strings, or a parse that
// ran out of input, want more lines.
func (s *Session) IsComplete(code string) lang.Completeness {
	depth := 0
	incomplete := false
	var sc scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	invalid := false
	sc.Init(file, []byte(code), func(_ token.Position, msg string) {
		// Only a raw string and a /* comment */ go on past the end of a line.
		switch msg {
		case "raw string literal not terminated", "comment not terminated":
			incomplete = true
		default:
			invalid = true
		}
	}, 0)
	for {
		_, tok, _ := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
	}
	if depth < 0 || invalid {
		return lang.Completeness{Status: lang.Invalid}
	}
	if depth > 0 || incomplete {
		return lang.Completeness{Status: lang.Incomplete, Indent: strings.Repeat("\t", depth)}
	}
	_, errs := parseCell(token.NewFileSet(), code)
	if len(errs) == 0 {
		return lang.Completeness{Status: lang.Complete}
	}
	// An error past the end of the cell's text means the input ran out: `x := 1 +`.
	lines := strings.Split(strings.TrimRight(code, " \t\r\n"), "\n")
	last, lastLen := len(lines), len(lines[len(lines)-1])
	if p := errs[0].Pos; p.Line > last || p.Line == last && p.Column > lastLen {
		return lang.Completeness{Status: lang.Incomplete}
	}
	return lang.Completeness{Status: lang.Invalid}
}
