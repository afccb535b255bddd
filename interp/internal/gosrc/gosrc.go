// Package gosrc prints syntax trees as Go source, for the tests that compare what a pass
// made with what it should make.
package gosrc

import (
	"bytes"
	"go/format"
	"go/parser"
	"go/token"
)

// Print is gofmt's text of a node.
func Print(fset *token.FileSet, n any) (string, error) {
	var b bytes.Buffer
	if err := format.Node(&b, fset, n); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Canonical is src's tree as gofmt prints it with no positions: the layout of the text
// is gone, its meaning is not.
func Canonical(src string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	return Print(token.NewFileSet(), f)
}
