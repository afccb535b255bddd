package interp

import (
	"errors"
	"go/parser"
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
	sc.Init(file, []byte(code), func(_ token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			incomplete = true
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
	if depth < 0 {
		return lang.Completeness{Status: lang.Invalid}
	}
	if depth > 0 || incomplete {
		return lang.Completeness{Status: lang.Incomplete, Indent: strings.Repeat("\t", depth)}
	}
	c := splitCell(code)
	_, err := parser.ParseFile(token.NewFileSet(), "", bodyPrefix+c.body+"\n}", 0)
	if err == nil {
		return lang.Completeness{Status: lang.Complete}
	}
	if _, declErr := parser.ParseFile(token.NewFileSet(), "", "package p;"+c.body, 0); declErr == nil {
		return lang.Completeness{Status: lang.Complete}
	}
	// An error past the end of the cell's text means the input ran out: `x := 1 +`.
	var list scanner.ErrorList
	end := len(bodyPrefix) + len(strings.TrimRight(c.body, " \t\r\n"))
	if errors.As(err, &list) && len(list) > 0 && list[0].Pos.Offset >= end {
		return lang.Completeness{Status: lang.Incomplete}
	}
	return lang.Completeness{Status: lang.Invalid}
}
