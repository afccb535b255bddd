package interp

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"sort"
	"strings"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

var keywords = []string{"break", "case", "chan", "const", "continue", "default", "defer", "else",
	"fallthrough", "for", "func", "go", "goto", "if", "import", "interface", "map", "package",
	"range", "return", "select", "struct", "switch", "type", "var"}

var builtins = []string{"append", "cap", "close", "complex", "copy", "delete", "imag", "len",
	"make", "new", "panic", "print", "println", "real", "recover", "bool", "byte", "complex128",
	"complex64", "error", "float32", "float64", "int", "int16", "int32", "int64", "int8", "rune",
	"string", "uint", "uint16", "uint32", "uint64", "uint8", "uintptr", "any", "true", "false",
	"nil", "iota"}

// Complete lists the names that can complete the word before cursor: package members after
// "pkg.", methods and fields after "v.", otherwise keywords, builtins, packages and the
// session's variables.
func (s *Session) Complete(code string, cursor int) lang.Completion {
	if cursor > len(code) {
		cursor = len(code)
	}
	start, _ := selectorAround(code, cursor)
	word := code[start:cursor]
	var candidates []string
	prefix := word
	if dot := strings.LastIndexByte(word, '.'); dot >= 0 {
		head := word[:dot]
		if head == "" {
			// After a call or an index: mat.NewDense(2, 2, nil).|, xs[0].|
			head = exprBefore(code, start)
		}
		prefix = word[dot+1:]
		start += dot + 1
		candidates = s.members(head)
	} else {
		candidates = append(candidates, keywords...)
		candidates = append(candidates, builtins...)
		for name := range s.packages {
			candidates = append(candidates, name)
		}
		for name := range s.engine.Globals() {
			candidates = append(candidates, name)
		}
		for name := range s.funcs {
			candidates = append(candidates, name)
		}
		for name := range s.types {
			candidates = append(candidates, name)
		}
	}
	matches := []string{}
	seen := map[string]bool{}
	for _, c := range candidates {
		if strings.HasPrefix(c, prefix) && !seen[c] && !strings.HasPrefix(c, "_") {
			seen[c] = true
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	return lang.Completion{Matches: matches, Start: start, End: cursor}
}

// members lists what can follow "head.": a package's symbols, or the methods and fields
// of head's type, worked out without evaluating anything.
func (s *Session) members(head string) []string {
	var names []string
	if path, ok := s.packages[head]; ok {
		syms, _ := packageSymbols(path)
		for name := range syms {
			names = append(names, name)
		}
		return names
	}
	expr, err := parser.ParseExpr(head)
	if err != nil {
		return nil
	}
	t := s.typeOf(expr)
	if t == nil {
		return nil
	}
	for i := 0; i < t.NumMethod(); i++ {
		names = append(names, t.Method(i).Name)
	}
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	for _, cellType := range s.typeNames[t] {
		names = append(names, s.methods[cellType]...)
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				names = append(names, cellFieldName(t, f.Name))
			}
		}
	}
	return names
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
