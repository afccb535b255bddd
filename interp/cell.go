package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strconv"
	"strings"
)

// valuesFunc is the interpreted function a cell's last expression is passed to, so that
// every value of a call with several results is kept (f(g()) spreads g's results).
const valuesFunc = "_gomatcalcValues"

const valuesFuncDecl = "func " + valuesFunc + "(v ...interface{}) []interface{} { return v }"

// importSpec is one import of a cell.
type importSpec struct {
	name, path string
}

func (s importSpec) String() string {
	return "import " + s.name + " " + strconv.Quote(s.path)
}

// cell is a cell's source split for yaegi, which can parse neither imports followed by
// statements nor an import it has already seen.
type cell struct {
	imports []importSpec
	body    string // what follows the imports
	// shown is body with its last statement, an expression, passed to valuesFunc;
	// empty when the last statement is not an expression.
	shown string
}

// prefix turns a body into a Go file fragment for go/parser.
const bodyPrefix = "package p; func _() {\n"

func splitCell(src string) cell {
	var c cell
	fset := token.NewFileSet()
	const filePrefix = "package p;"
	f, err := parser.ParseFile(fset, "", filePrefix+src, parser.ImportsOnly)
	rest := src
	if err == nil && len(f.Decls) > 0 {
		end := fset.Position(f.Decls[len(f.Decls)-1].End()).Offset - len(filePrefix)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			name := ""
			if imp.Name != nil {
				name = imp.Name.Name
			}
			c.imports = append(c.imports, importSpec{name: name, path: path})
		}
		rest = src[end:]
	}
	c.body = rest
	c.shown = showLastExpression(rest)
	if startsWithDecl(rest) && c.shown == "" && !parses("package p;"+rest) && parses(bodyPrefix+rest+"\n}") {
		// yaegi reads a cell that starts with var, const or type as a file of declarations;
		// a leading empty statement makes it read the statements that follow.
		c.body = ";" + rest
	} else if startsWithDecl(rest) && c.shown != "" {
		c.shown = ";" + c.shown
	}
	return c
}

func parses(src string) bool {
	_, err := parser.ParseFile(token.NewFileSet(), "", src, 0)
	return err == nil
}

// startsWithDecl reports whether src's first token is var, const or type.
func startsWithDecl(src string) bool {
	var sc scanner.Scanner
	fset := token.NewFileSet()
	sc.Init(fset.AddFile("", -1, len(src)), []byte(src), nil, 0)
	_, tok, _ := sc.Scan()
	return tok == token.VAR || tok == token.CONST || tok == token.TYPE
}

// showLastExpression rewrites body so that its last statement, when it is an expression,
// hands its values to valuesFunc. It returns "" when there is nothing to show.
func showLastExpression(body string) string {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", bodyPrefix+body+"\n}", 0)
	if err != nil || len(f.Decls) != 1 {
		return ""
	}
	list := f.Decls[0].(*ast.FuncDecl).Body.List
	if len(list) == 0 {
		return ""
	}
	last, ok := list[len(list)-1].(*ast.ExprStmt)
	if !ok || isPrintCall(last.X) {
		return ""
	}
	start := fset.Position(last.Pos()).Offset - len(bodyPrefix)
	end := fset.Position(last.End()).Offset - len(bodyPrefix)
	var b strings.Builder
	b.WriteString(body[:start])
	b.WriteString(valuesFunc + "(")
	b.WriteString(body[start:end])
	b.WriteString(")")
	b.WriteString(body[end:])
	return b.String()
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
