package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

var keywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package",
	"range", "return", "select", "struct", "switch", "type", "var"}

var builtinFuncs = []string{"append", "cap", "clear", "close", "complex", "copy", "delete", "imag", "len",
	"make", "max", "min", "new", "panic", "print", "println", "real", "recover"}

var builtinTypes = []string{"bool", "byte", "complex128", "complex64", "error", "float32", "float64",
	"int", "int16", "int32", "int64", "int8", "rune", "string", "uint", "uint16", "uint32", "uint64",
	"uint8", "uintptr", "any", "comparable"}

var builtinValues = []string{"true", "false", "nil", "iota"}

// candidate is a name that may complete a word, with its kind for the front end
// (_jupyter_types_experimental's type).
type candidate struct{ name, kind string }

func candidates(kind string, names ...string) []candidate {
	out := make([]candidate, len(names))
	for i, n := range names {
		out[i] = candidate{n, kind}
	}
	return out
}

// Complete lists the names that can complete the word before cursor: package members after
// "pkg." (also of a package the session has not imported yet, saying which import it
// needs), methods and fields after "v.", the paths cells can import in an import's
// string, otherwise keywords, builtins, packages and the session's variables. The
// metadata gives each match its kind, as IPython does.
func (s *Session) Complete(code string, cursor int) lang.Completion {
	if cursor > len(code) {
		cursor = len(code)
	}
	if quote, isImport, ok := stringAt(code, cursor); ok {
		if !isImport {
			return s.completion(code, cursor, cursor, nil, nil)
		}
		return s.completion(code, quote+1, cursor, importPathCandidates(), nil)
	}
	start, _ := selectorAround(code, cursor)
	word := code[start:cursor]
	var cands []candidate
	var needs []string
	prefix := word
	if dot := strings.LastIndexByte(word, '.'); dot >= 0 {
		head := word[:dot]
		if head == "" {
			// After a call or an index: mat.NewDense(2, 2, nil).|, xs[0].|
			head = exprBefore(code, start)
		}
		prefix = word[dot+1:]
		start += dot + 1
		cands, needs = s.members(head)
	} else {
		cands = append(cands, candidates("keyword", keywords...)...)
		cands = append(cands, candidates("function", builtinFuncs...)...)
		cands = append(cands, candidates("type", builtinTypes...)...)
		cands = append(cands, candidates("constant", builtinValues...)...)
		for name := range s.packages {
			cands = append(cands, candidate{name, "package"})
		}
		for name, v := range s.engine.Globals() {
			kind := "variable"
			if v.IsValid() && v.Kind() == reflect.Func {
				kind = "function"
			}
			cands = append(cands, candidate{name, kind})
		}
		for name := range s.funcs {
			cands = append(cands, candidate{name, "function"})
		}
		for name := range s.types {
			cands = append(cands, candidate{name, "type"})
		}
	}
	var filtered []candidate
	for _, c := range cands {
		if strings.HasPrefix(c.name, prefix) {
			filtered = append(filtered, c)
		}
	}
	return s.completion(code, start, cursor, filtered, needs)
}

// completion is the answer of matches cands (sorted, once each, none starting with "_")
// replacing code[start:end]; needs are the imports they need.
func (s *Session) completion(code string, start, end int, cands []candidate, needs []string) lang.Completion {
	prefix := code[start:end]
	kinds := map[string]string{}
	matches := []string{}
	for _, c := range cands {
		if _, seen := kinds[c.name]; seen || !strings.HasPrefix(c.name, prefix) || strings.HasPrefix(c.name, "_") {
			continue
		}
		kinds[c.name] = c.kind
		matches = append(matches, c.name)
	}
	sort.Strings(matches)
	// The front end counts in characters, as the kernel converts Start and End.
	runeStart, runeEnd := utf8.RuneCountInString(code[:start]), utf8.RuneCountInString(code[:end])
	note := ""
	if len(needs) > 0 {
		quoted := make([]string, len(needs))
		for i, path := range needs {
			quoted[i] = strconv.Quote(path)
		}
		note = ", needs import " + strings.Join(quoted, " or ")
	}
	types := make([]map[string]any, len(matches))
	for i, m := range matches {
		types[i] = map[string]any{"start": runeStart, "end": runeEnd, "text": m, "type": kinds[m] + note}
	}
	metadata := map[string]any{"_jupyter_types_experimental": types}
	if len(needs) > 0 {
		metadata["needs_import"] = needs
	}
	return lang.Completion{Matches: matches, Start: start, End: end, Metadata: metadata}
}

// members lists what can follow "head.": a package's symbols, or the methods and fields
// of head's type, worked out without evaluating anything. A package the session has not
// imported offers its symbols too, and needs are the paths it can be imported by.
func (s *Session) members(head string) (cands []candidate, needs []string) {
	if path, ok := s.packages[head]; ok {
		return packageCandidates(path), nil
	}
	expr, err := parser.ParseExpr(head)
	if err != nil {
		return nil, nil
	}
	t := s.typeOf(expr)
	if t == nil {
		if id, ok := expr.(*ast.Ident); ok && !s.engine.Declared(id.Name) {
			if _, isType := s.types[id.Name]; !isType {
				// strings. before import "strings"
				needs = importPaths()[id.Name]
				for _, path := range needs {
					cands = append(cands, packageCandidates(path)...)
				}
			}
		}
		return cands, needs
	}
	for i := 0; i < t.NumMethod(); i++ {
		cands = append(cands, candidate{t.Method(i).Name, "method"})
	}
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	for _, cellType := range s.typeNames[t] {
		cands = append(cands, candidates("method", s.methods[cellType]...)...)
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				cands = append(cands, candidate{cellFieldName(t, f.Name), "field"})
			}
		}
	}
	return cands, nil
}

// packageCandidates are the exported symbols of the package at path, by kind.
func packageCandidates(path string) []candidate {
	syms, _ := packageSymbols(path)
	var out []candidate
	for name, v := range syms {
		out = append(out, candidate{name, symbolKind(v)})
	}
	return out
}

// symbolKind is what a symbol of yaegi's tables is: functions and variables are held as
// themselves (a variable addressable), types as typed nil pointers, constants as values.
func symbolKind(v reflect.Value) string {
	switch {
	case !v.IsValid():
		return "constant"
	case v.Kind() == reflect.Func:
		return "function"
	case v.CanAddr():
		return "variable"
	case v.Kind() == reflect.Ptr && v.IsNil():
		return "type"
	}
	return "constant"
}

// cellrtPath is the package of run-time support the session imports for its rewritten
// cells, not one for cells to import.
const cellrtPath = "github.com/gomatcalc/gomatcalc/stdlib/cellrt"

// importPathCandidates are the paths cells can import.
func importPathCandidates() []candidate {
	var out []candidate
	for _, paths := range importPaths() {
		for _, path := range paths {
			if path != cellrtPath {
				out = append(out, candidate{path, "package"})
			}
		}
	}
	return out
}

// stringAt reports whether cursor is inside a string literal, and returns the offset of
// its opening quote and whether it is the path of an import (`import "str|` or a line of
// `import (...)`).
func stringAt(code string, cursor int) (quote int, isImport, ok bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, cursor)
	var sc scanner.Scanner
	sc.Init(file, []byte(code[:cursor]), func(token.Position, string) {}, 0)
	var toks []token.Token
	inBlock := false
	quote = -1
	for {
		pos, tok, lit := sc.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.SEMICOLON && lit == "\n" && quote >= 0 {
			// The newline the scanner adds after a string cut by the cursor.
			continue
		}
		quote = -1
		if tok == token.STRING && file.Offset(pos)+len(lit) == cursor && (len(lit) == 1 || lit[len(lit)-1] != lit[0]) {
			quote = file.Offset(pos)
		}
		if len(toks) > 0 && toks[len(toks)-1] == token.IMPORT && tok == token.LPAREN {
			inBlock = true
		} else if inBlock && tok == token.RPAREN {
			inBlock = false
		}
		toks = append(toks, tok)
	}
	if quote < 0 {
		return 0, false, false
	}
	toks = toks[:len(toks)-1]
	if n := len(toks); n > 0 && (toks[n-1] == token.IDENT || toks[n-1] == token.PERIOD) {
		toks = toks[:n-1] // a name for the package
	}
	if n := len(toks); n > 0 {
		last := toks[n-1]
		isImport = last == token.IMPORT || inBlock && (last == token.LPAREN || last == token.SEMICOLON)
	}
	return quote, isImport, true
}

// cellFieldName is the name a cell gave a field that yaegi renamed: its reflect types of
// cell structs (unnamed) export every field, "items" as "Xitems".
func cellFieldName(t reflect.Type, name string) string {
	if t.Name() == "" && len(name) > 1 && name[0] == 'X' && !token.IsExported(name[1:]) {
		return name[1:]
	}
	return name
}

// typeOf is the type of a variable of the session, or of a chain of fields, method calls,
// package functions and indexes on it (the dynamic type of an interface variable).
func (s *Session) typeOf(e ast.Expr) reflect.Type {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return s.typeOf(e.X)
	case *ast.Ident:
		v, ok := s.engine.Globals()[e.Name]
		if !ok || !v.IsValid() {
			return nil
		}
		if v.Kind() == reflect.Interface && !v.IsNil() {
			return v.Elem().Type()
		}
		return v.Type()
	case *ast.SelectorExpr:
		if pkg, ok := e.X.(*ast.Ident); ok {
			if path, ok := s.packages[pkg.Name]; ok {
				syms, _ := packageSymbols(path)
				if sym, ok := syms[e.Sel.Name]; ok && sym.IsValid() {
					return sym.Type() // a function's type, for the call around it
				}
				return nil
			}
		}
		t := s.typeOf(e.X)
		if t == nil {
			return nil
		}
		if m, ok := t.MethodByName(e.Sel.Name); ok {
			return m.Type
		}
		for t.Kind() == reflect.Ptr {
			t = t.Elem()
		}
		if t.Kind() == reflect.Struct {
			if f, ok := t.FieldByName(e.Sel.Name); ok {
				return f.Type
			}
			if f, ok := t.FieldByName("X" + e.Sel.Name); ok && t.Name() == "" { // see cellFieldName
				return f.Type
			}
		}
	case *ast.CallExpr:
		if t := s.typeOf(e.Fun); t != nil && t.Kind() == reflect.Func && t.NumOut() > 0 {
			return t.Out(0)
		}
	case *ast.IndexExpr:
		t := s.typeOf(e.X)
		for t != nil && t.Kind() == reflect.Ptr {
			t = t.Elem()
		}
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			return t.Elem()
		}
	}
	return nil
}

// exprBefore is the expression that ends at code[end-1]: names, dots and balanced (...)
// and [...] groups, read backwards.
func exprBefore(code string, end int) string {
	i, depth := end, 0
	for i > 0 {
		c := code[i-1]
		switch {
		case c == ')' || c == ']':
			depth++
		case c == '(' || c == '[':
			if depth == 0 {
				return code[i:end]
			}
			depth--
		case depth == 0 && !isSelectorByte(c):
			return code[i:end]
		}
		i--
	}
	return code[:end]
}
