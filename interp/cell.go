package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// A cell is split into chunks that yaegi can each evaluate: yaegi parses a source either
// as declarations or as statements, never both, and fails on an import it has seen.
type chunkKind int

const (
	importChunk chunkKind = iota // one import declaration
	declChunk                    // consecutive func, type, var and const declarations
	stmtChunk                    // consecutive statements
)

// chunk is a run of a cell's top-level code.
type chunk struct {
	kind    chunkKind
	text    string
	offset  int // byte offset of text in the cell
	imports []importSpec
	funcs   []declared // functions a declaration chunk defines
	types   []declared // types a declaration chunk defines, with their definitions
	methods []declared // methods a declaration chunk defines: name, and text the receiver's type name
	// packageNames are the names the chunk uses only as pkg in pkg.Name, with where they
	// are first used: the session checks that each is imported or defined.
	packageNames []declared
	// wrappers are the ways to try, best first, of passing the chunk's last statement, an
	// expression, to valuesFunc (see showLastExpression); none when the chunk does not end
	// with an expression to show.
	wrappers []string
	// exprStart and exprEnd are that expression's offsets in text; exprLine and exprCol
	// locate it (1-based), to map positions in the wrapped text back to the cell.
	exprStart, exprEnd int
	exprLine, exprCol  int
}

// source is what yaegi evaluates for the chunk. The leading newline puts the chunk's first
// line on yaegi's line 2 at column 1, whatever yaegi wraps around it, so positions map back
// exactly; the semicolon makes yaegi read statements as statements even when they start
// with a keyword it takes for a declaration.
func (ch *chunk) source(shown bool) string {
	text := ch.text
	if shown && len(ch.wrappers) > 0 {
		w := ch.wrappers[0]
		text = text[:ch.exprStart] + w + text[ch.exprStart:ch.exprEnd] + strings.Repeat(")", strings.Count(w, "(")) + text[ch.exprEnd:]
	}
	if ch.kind == stmtChunk {
		return ";" + runtimePkg + ".At(1)\n" + text
	}
	return "\n" + text
}

// declared is a function or type a cell declares: where, and its text: a type's
// definition with spaces folded, a function's signature with its doc comment.
type declared struct {
	name, text string
	line, col  int
}

// importSpec is one imported package.
type importSpec struct {
	name, path string
}

func (s importSpec) String() string {
	return "import " + s.name + " " + strconv.Quote(s.path)
}

// cell is a parsed cell.
type cell struct {
	src    string
	chunks []*chunk
}

// valuesFunc is the function a cell's last expression is passed to, so that every value
// of a call with several results is kept (f(g()) spreads g's results). It is compiled
// (cellrt.Values): yaegi passes a compiled function the plain value of a type defined in a
// cell.
const valuesFunc = runtimePkg + ".Values"

// showFunc takes a single value to what it shows, calling the methods through which a
// value of a type defined in a cell renders (see cellrt.Shown): compiled code cannot call
// them. Its type parameter gives yaegi the value's own type at the call.
const showFunc = "_gomatcalcShow"

const showFuncDecl = "func " + showFunc + "[_gomatcalcT any](v _gomatcalcT) interface{} {\n" +
	"\treturn " + runtimePkg + ".Shown(v, " + runtimePkg + ".StringOf(v), " + runtimePkg + ".ErrorOf(v), " +
	runtimePkg + ".HTMLOf(v), " + runtimePkg + ".MarkdownOf(v), " + runtimePkg + ".LaTeXOf(v), " +
	runtimePkg + ".SVGOf(v), " + runtimePkg + ".PNGOf(v), " + runtimePkg + ".JPEGOf(v), " + runtimePkg + ".JSONOf(v))\n}"

// showWrappers are the ways a last expression is shown, best first: as a single value
// with its methods, then as the values of a call with any number of results.
var showWrappers = []string{valuesFunc + "(" + showFunc + "(", valuesFunc + "("}

// Prefixes that make a chunk a Go file for go/parser, its first line on line 2.
const (
	declPrefix = "package p;\n"
	stmtPrefix = "package p; func _() {\n"
)

// parseCell splits src into chunks and checks its syntax; the error lists every syntax
// error with its position in the cell.
func parseCell(src string) (*cell, scanner.ErrorList) {
	c := &cell{src: src}
	stmts, errs := topLevelStatements(src)
	if len(errs) > 0 {
		return nil, errs
	}
	for _, st := range stmts {
		kind := classify(st.text)
		if last := len(c.chunks) - 1; last >= 0 && kind != importChunk && c.chunks[last].kind == kind {
			ch := c.chunks[last]
			ch.text = src[ch.offset : st.offset+len(st.text)]
			continue
		}
		c.chunks = append(c.chunks, &chunk{kind: kind, text: st.text, offset: st.offset})
	}
	// Imports run first, wherever they stand: Go puts them first anyway, and they have no
	// effect but to name a package.
	sort.SliceStable(c.chunks, func(i, j int) bool {
		return c.chunks[i].kind == importChunk && c.chunks[j].kind != importChunk
	})
	for i, ch := range c.chunks {
		if errs := c.check(ch); len(errs) > 0 {
			return nil, errs
		}
		if ch.kind != importChunk {
			ch.text = rewriteCell(ch.text, ch.kind)
		}
		if i == len(c.chunks)-1 && ch.kind == stmtChunk {
			ch.showLastExpression()
		}
	}
	return c, nil
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

// classify says what kind of chunk a top-level statement belongs in.
func classify(text string) chunkKind {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(text)), []byte(text), nil, 0)
	_, first, _ := sc.Scan()
	_, second, _ := sc.Scan()
	switch {
	case first == token.IMPORT:
		return importChunk
	case first == token.CONST || first == token.TYPE || first == token.VAR:
		return declChunk
	case first == token.FUNC && second == token.IDENT:
		return declChunk
	case first == token.FUNC && second == token.LPAREN:
		// A method declaration or a function literal called at once.
		if _, err := parser.ParseFile(token.NewFileSet(), "", declPrefix+text, 0); err == nil {
			return declChunk
		}
	}
	return stmtChunk
}

// signature is the text of fd up to its body; base is the offset of text in the parsed
// file.
func signature(text string, fset *token.FileSet, fd *ast.FuncDecl, base int) string {
	end := fd.End()
	if fd.Body != nil {
		end = fd.Body.Lbrace
	}
	return strings.TrimSpace(text[fset.Position(fd.Pos()).Offset-base : fset.Position(end).Offset-base])
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
		if !other[name] {
			out = append(out, bases[name])
		}
	}
	return out
}

// check parses a chunk as Go, records what it declares or imports, and returns its syntax
// errors at their cell positions.
func (c *cell) check(ch *chunk) scanner.ErrorList {
	fset := token.NewFileSet()
	prefix, suffix := declPrefix, ""
	if ch.kind == stmtChunk {
		prefix, suffix = stmtPrefix, "\n}"
	}
	f, err := parser.ParseFile(fset, "", prefix+ch.text+suffix, parser.AllErrors)
	if err != nil {
		var errs scanner.ErrorList
		lastLine := strings.Count(strings.TrimRight(c.src, " \t\r\n"), "\n") + 1
		for _, e := range err.(scanner.ErrorList) {
			line, col := c.position(ch, e.Pos.Line, e.Pos.Column)
			if line > lastLine || line == lastLine && col > len(c.line(lastLine)) {
				// Past the cell's end, in the parser's closing brace: the input ran out.
				line, col = lastLine, len(c.line(lastLine))+1
			}
			errs.Add(token.Position{Line: line, Column: col}, e.Msg)
		}
		// As the Go compiler does, one error a line: the rest are mostly consequences.
		errs.RemoveMultiples()
		return errs
	}
	for _, imp := range f.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		spec := importSpec{path: path}
		if imp.Name != nil {
			spec.name = imp.Name.Name
		}
		ch.imports = append(ch.imports, spec)
	}
	for _, id := range selectorBases(f) {
		p := fset.Position(id.Pos())
		line, col := c.position(ch, p.Line, p.Column)
		ch.packageNames = append(ch.packageNames, declared{name: id.Name, line: line, col: col})
	}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil && len(fd.Recv.List) == 1 && ch.kind == declChunk {
			if recv := receiverTypeName(fd.Recv.List[0].Type); recv != "" {
				ch.methods = append(ch.methods, declared{name: fd.Name.Name, text: recv})
			}
		}
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && ch.kind == declChunk {
			p := fset.Position(fd.Pos())
			line, col := c.position(ch, p.Line, p.Column)
			text := signature(ch.text, fset, fd, len(prefix))
			if doc := c.commentAbove(line); doc != "" {
				text = doc + "\n" + text
			}
			ch.funcs = append(ch.funcs, declared{name: fd.Name.Name, text: text, line: line, col: col})
		}
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.TYPE && ch.kind == declChunk {
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				p := fset.Position(ts.Pos())
				line, col := c.position(ch, p.Line, p.Column)
				start, end := p.Offset-len(prefix), fset.Position(ts.End()).Offset-len(prefix)
				ch.types = append(ch.types, declared{name: ts.Name.Name, text: strings.Join(strings.Fields(ch.text[start:end]), " "), line: line, col: col})
			}
		}
	}
	return nil
}

// position maps a line and column of yaegi's (or go/parser's) view of a chunk, whose first
// line is line 2, to the cell's line and column.
func (c *cell) position(ch *chunk, line, col int) (int, int) {
	chunkLine := line - 1
	if chunkLine == ch.exprLine && col > ch.exprCol && len(ch.wrappers) > 0 {
		col -= len(ch.wrappers[0])
	}
	before := c.src[:ch.offset]
	startLine := strings.Count(before, "\n") + 1
	startCol := ch.offset - strings.LastIndexByte(before, '\n')
	if chunkLine <= 1 {
		return startLine, startCol + col - 1
	}
	return startLine + chunkLine - 1, col
}

// line returns line n (1-based) of the cell's source.
func (c *cell) line(n int) string {
	lines := strings.Split(c.src, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return lines[n-1]
}

// showLastExpression prepares the wrappers of the chunk's last statement, when it is an
// expression whose value is worth showing.
func (ch *chunk) showLastExpression() {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", stmtPrefix+ch.text+"\n}", 0)
	if err != nil || len(f.Decls) != 1 {
		return
	}
	list := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(list) == 0 {
		return
	}
	last, ok := list[len(list)-1].(*ast.ExprStmt)
	if !ok || isPrintCall(last.X) {
		return
	}
	start := fset.Position(last.Pos())
	end := fset.Position(last.End())
	s, e := start.Offset-len(stmtPrefix), end.Offset-len(stmtPrefix)
	ch.wrappers = showWrappers
	ch.exprStart, ch.exprEnd = s, e
	ch.exprLine, ch.exprCol = start.Line-1, start.Column
}

// printFuncs are calls made for what they print; their (n, err) results are not shown.
var printFuncs = map[string]bool{
	"fmt.Print": true, "fmt.Printf": true, "fmt.Println": true,
	"fmt.Fprint": true, "fmt.Fprintf": true, "fmt.Fprintln": true,
	".Write": true, ".WriteString": true, ".WriteByte": true, ".WriteRune": true,
}

func isPrintCall(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if pkg, ok := sel.X.(*ast.Ident); ok && printFuncs[pkg.Name+"."+sel.Sel.Name] {
		return true
	}
	return printFuncs["."+sel.Sel.Name]
}
