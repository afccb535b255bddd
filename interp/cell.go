package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
)

// A cell is parsed once, as one Go file composed from its top-level statements, and
// split into the units yaegi compiles: a file of imports, files of declarations, blocks
// of statements. yaegi takes a unit either as declarations or as statements, never both.
// Each piece of the cell is preceded by a /*line*/ directive, so that every position in
// the tree, and in yaegi's messages, is the cell's own line and column.

type unitKind int

const (
	importUnit unitKind = iota // the cell's imports
	declUnit                   // consecutive func, type, var and const declarations
	stmtUnit                   // consecutive statements
)

// unit is one piece of a cell that yaegi compiles at once.
type unit struct {
	kind  unitKind
	file  *ast.File      // importUnit and declUnit
	block *ast.BlockStmt // stmtUnit
	shown bool           // the value of its last expression is the cell's
	// earlier are the statements of the cell's block before this one, where the engine
	// split a block (LiftFuncLits): what they define is compiled, but has no value yet.
	earlier []ast.Stmt
	// serial is the number of the cell the unit was parsed from when it is not this cell
	// (a function of an earlier cell compiled again: callers.go); 0 for this cell's own.
	serial int
}

// node is the tree yaegi compiles.
func (u *unit) node() ast.Node {
	if u.kind == stmtUnit {
		return u.block
	}
	return u.file
}

// cell is a parsed cell.
type cell struct {
	serial  int // the session's number for the cell, in line markers
	src     string
	lines   []string    // src's lines, split once (see line)
	text    string      // the Go file composed from the cell
	file    *token.File // text's positions
	units   []*unit
	imports []importSpec
	funcs   []declared // functions the cell defines
	types   []declared // types it defines, with their definitions
	methods []declared // methods: name, and text the receiver's type name
	// packageNames are the names the cell uses only as pkg in pkg.Name, with where they
	// are first used: the session checks that each is imported or defined.
	packageNames []declared
	// tangents is the session's table of tangents once the cell compiles, and
	// tangentsMade the number of tangents the cell's code got; noTangents, when set, is
	// why it gets none (they did not compile).
	tangents     *tangentTable
	tangentsMade int
	noTangents   string
	// redeclared are the functions of earlier cells compiled again with this one, since
	// they call functions it redefines (callers.go); noCallers leaves them out.
	redeclared []string
	noCallers  bool
}

// declared is a function or type a cell declares: where, and its text: a type's
// definition with spaces folded, a function's signature with its doc comment.
type declared struct {
	name, text string
	line, col  int
	sig        string // of a method, with its doc comment
}

// importSpec is one imported package.
type importSpec struct {
	name, path string
}

func (s importSpec) String() string {
	return "import " + s.name + " " + strconv.Quote(s.path)
}

// stmtsFunc wraps a run of statements while the cell is parsed; its body is the unit.
const stmtsFunc = "_gomatcalcStatements"

// parseCell parses src with fset (the engine's); the error lists every syntax error
// with its position in the cell.
func parseCell(fset *token.FileSet, src string) (*cell, scanner.ErrorList) {
	stmts, errs := topLevelStatements(src)
	if len(errs) > 0 {
		return nil, errs
	}
	type piece struct {
		kind   unitKind
		offset int
		end    int
	}
	var pieces []piece
	for _, st := range stmts {
		if firstToken(st.text) == token.PACKAGE {
			continue // a pasted program's package clause
		}
		kind := classify(st.text)
		if last := len(pieces) - 1; last >= 0 && kind != importUnit && pieces[last].kind == kind {
			pieces[last].end = st.offset + len(st.text)
			continue
		}
		pieces = append(pieces, piece{kind: kind, offset: st.offset, end: st.offset + len(st.text)})
	}
	// Imports come first, wherever they stand: Go puts them first anyway, and they have
	// no effect but to name a package.
	sort.SliceStable(pieces, func(i, j int) bool {
		return pieces[i].kind == importUnit && pieces[j].kind != importUnit
	})
	starts := lineStarts(src)
	var b strings.Builder
	b.WriteString("package main;")
	for _, p := range pieces {
		// The piece's line and column, found among the lines' starts (pieces are many in
		// a long cell: counting from the top each time would be quadratic).
		line := sort.Search(len(starts), func(i int) bool { return starts[i] > p.offset })
		col := p.offset - starts[line-1] + 1
		directive := fmt.Sprintf("/*line %s:%d:%d*/", engine.FileName, line, col)
		if p.kind == stmtUnit {
			fmt.Fprintf(&b, "\nfunc %s() {%s%s\n}\n", stmtsFunc, directive, src[p.offset:p.end])
		} else {
			fmt.Fprintf(&b, "\n%s%s\n", directive, src[p.offset:p.end])
		}
	}
	c := &cell{src: src, text: b.String()}
	f, err := parser.ParseFile(fset, engine.FileName, c.text, parser.AllErrors)
	if err != nil {
		return nil, c.syntaxErrors(err)
	}
	c.file = fset.File(f.Package)
	c.split(f)
	c.record(fset, f)
	return c, nil
}

// lineStarts are the offsets where src's lines start.
func lineStarts(src string) []int {
	starts := []int{0}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// syntaxErrors are the parser's errors, one a line, at cell positions.
func (c *cell) syntaxErrors(err error) scanner.ErrorList {
	var errs scanner.ErrorList
	lastLine := strings.Count(strings.TrimRight(c.src, " \t\r\n"), "\n") + 1
	list, ok := err.(scanner.ErrorList)
	if !ok {
		errs.Add(token.Position{Line: 1, Column: 1}, err.Error())
		return errs
	}
	for _, e := range list {
		line, col := e.Pos.Line, e.Pos.Column
		if line > lastLine || line == lastLine && col > len(c.line(lastLine)) || line < 1 {
			// Past the cell's end, in the composed file's closing brace: the input ran out.
			line, col = lastLine, len(c.line(lastLine))+1
		}
		errs.Add(token.Position{Line: line, Column: col}, e.Msg)
	}
	// As the Go compiler does, one error a line: the rest are mostly consequences.
	errs.RemoveMultiples()
	return errs
}

// split cuts the parsed file into units, in the cell's order.
func (c *cell) split(f *ast.File) {
	newFile := func(kind unitKind) *unit {
		return &unit{kind: kind, file: &ast.File{Package: f.Package, Name: f.Name}}
	}
	var last *unit
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == stmtsFunc {
			last = &unit{kind: stmtUnit, block: fd.Body}
			c.units = append(c.units, last)
			continue
		}
		kind := declUnit
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
			kind = importUnit
		}
		if last == nil || last.kind != kind {
			last = newFile(kind)
			c.units = append(c.units, last)
		}
		last.file.Decls = append(last.file.Decls, d)
	}
}

// record notes what the cell imports, declares and uses as packages.
func (c *cell) record(fset *token.FileSet, f *ast.File) {
	pos := func(p token.Pos) (int, int) {
		at := fset.Position(p)
		return at.Line, at.Column
	}
	text := func(from, to token.Pos) string {
		return c.text[c.file.Offset(from):c.file.Offset(to)]
	}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		spec := importSpec{path: path}
		if imp.Name != nil {
			spec.name = imp.Name.Name
		}
		c.imports = append(c.imports, spec)
	}
	for _, id := range selectorBases(f) {
		line, col := pos(id.Pos())
		c.packageNames = append(c.packageNames, declared{name: id.Name, line: line, col: col})
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.Name == stmtsFunc {
				continue
			}
			line, col := pos(d.Pos())
			end := d.End()
			if d.Body != nil {
				end = d.Body.Lbrace
			}
			sig := strings.TrimSpace(text(d.Pos(), end))
			if doc := c.commentAbove(line); doc != "" {
				sig = doc + "\n" + sig
			}
			if d.Recv != nil {
				if len(d.Recv.List) == 1 {
					if recv := receiverTypeName(d.Recv.List[0].Type); recv != "" {
						c.methods = append(c.methods, declared{name: d.Name.Name, text: recv, sig: sig})
					}
				}
				continue
			}
			c.funcs = append(c.funcs, declared{name: d.Name.Name, text: sig, line: line, col: col})
		case *ast.GenDecl:
			if d.Tok != token.TYPE {
				continue
			}
			for _, spec := range d.Specs {
				ts := spec.(*ast.TypeSpec)
				line, col := pos(ts.Pos())
				def := strings.Join(strings.Fields(text(ts.Pos(), ts.End())), " ")
				c.types = append(c.types, declared{name: ts.Name.Name, text: def, line: line, col: col})
			}
		}
	}
}

// statement is one top-level statement or declaration of a cell.
type statement struct {
	text   string
	offset int
}

// topLevelStatements splits src at the semicolons (written or implied by a newline) that
// stand outside any bracket.
func topLevelStatements(src string) ([]statement, scanner.ErrorList) {
	var errs scanner.ErrorList
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(src))
	var sc scanner.Scanner
	sc.Init(file, []byte(src), func(pos token.Position, msg string) { errs.Add(pos, msg) }, 0)
	var out []statement
	depth, start, end := 0, -1, 0
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		off := file.Offset(pos)
		switch tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
		if tok == token.SEMICOLON && depth <= 0 {
			if start >= 0 {
				out = append(out, statement{text: src[start:end], offset: start})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = off
		}
		end = off + len(lit)
		if lit == "" {
			end = off + len(tok.String())
		}
		// A semicolon implied at the end of the text inside an open bracket ("(0") is
		// a newline the text does not have.
		end = min(end, len(src))
	}
	if start >= 0 {
		out = append(out, statement{text: src[start:end], offset: start})
	}
	return out, errs
}

// classify says what kind of unit a top-level statement belongs in, from its first
// tokens: a method declaration is func (recv) Name(, a function literal called at once
// func (params) {.
func classify(text string) unitKind {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(text)), []byte(text), nil, 0)
	_, first, _ := sc.Scan()
	_, second, _ := sc.Scan()
	switch {
	case first == token.IMPORT:
		return importUnit
	case first == token.CONST || first == token.TYPE || first == token.VAR:
		return declUnit
	case first == token.FUNC && second == token.IDENT:
		return declUnit
	case first == token.FUNC && second == token.LPAREN:
		for depth := 1; depth > 0; {
			_, tok, _ := sc.Scan()
			switch tok {
			case token.LPAREN:
				depth++
			case token.RPAREN:
				depth--
			case token.EOF:
				return stmtUnit
			}
		}
		_, name, _ := sc.Scan()
		_, open, _ := sc.Scan()
		if name == token.IDENT && open == token.LPAREN {
			return declUnit
		}
	}
	return stmtUnit
}

func firstToken(text string) token.Token {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(text)), []byte(text), nil, 0)
	_, tok, _ := sc.Scan()
	return tok
}

// commentAbove is the // comment on the lines of the cell just above line n.
func (c *cell) commentAbove(n int) string {
	start := n
	for start > 1 && strings.HasPrefix(strings.TrimSpace(c.line(start-1)), "//") {
		start--
	}
	var lines []string
	for i := start; i < n; i++ {
		lines = append(lines, strings.TrimSpace(c.line(i)))
	}
	return strings.Join(lines, "\n")
}

// receiverTypeName is T for a receiver of type T, *T, T[P] or *T[P].
func receiverTypeName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverTypeName(e.X)
	case *ast.IndexExpr:
		return receiverTypeName(e.X)
	case *ast.IndexListExpr:
		return receiverTypeName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}

// selectorBases returns the first use of each name that f uses only as X in X.Sel: the
// names that can only be packages (a variable or a parameter appears on its own too).
func selectorBases(f *ast.File) []*ast.Ident {
	bases := map[string]*ast.Ident{}
	var order []string
	other := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok {
				if bases[id.Name] == nil {
					bases[id.Name] = id
					order = append(order, id.Name)
				}
				return false
			}
		case *ast.Ident:
			other[n.Name] = true
		}
		return true
	})
	var out []*ast.Ident
	for _, name := range order {
		if !other[name] && name != stmtsFunc {
			out = append(out, bases[name])
		}
	}
	return out
}

// declaresFunctions reports whether the cell may declare a function or a function
// literal (it has the word func): what compiled from it can report its positions later.
func (c *cell) declaresFunctions() bool { return strings.Contains(c.src, "func") }

// source is what the session keeps of the cell once it has run, for the lines that
// panics in its functions show: its source, without its syntax trees.
// textNumber is a number of the cell's text: the same for a cell run again.
func (c *cell) textNumber() uint32 {
	h := fnv.New32a()
	h.Write([]byte(c.src))
	return h.Sum32()
}

func (c *cell) source() *cell { return &cell{serial: c.serial, src: c.src} }

// line returns line n (1-based) of the cell's source.
func (c *cell) line(n int) string {
	if c.lines == nil {
		c.lines = strings.Split(c.src, "\n")
	}
	if n < 1 || n > len(c.lines) {
		return ""
	}
	return c.lines[n-1]
}
