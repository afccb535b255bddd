package interp

import (
	"errors"
	"fmt"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"sort"
	"strings"
	"unicode"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// helpRequest recognises a help cell, "?expr" or "expr?" as in IPython, and returns expr.
func helpRequest(code string) (string, bool) {
	code = strings.TrimSpace(code)
	var expr string
	switch {
	case strings.HasPrefix(code, "?"):
		expr = strings.TrimSpace(code[1:])
	case strings.HasSuffix(code, "?"):
		expr = strings.TrimSpace(code[:len(code)-1])
	default:
		return "", false
	}
	if expr == "" || !isSelector(expr) {
		return "", false
	}
	return expr, true
}

func isSelector(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" || !isIdent(part) {
			return false
		}
	}
	return true
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			return false
		}
	}
	return s != ""
}

// help is the pager text for a help cell.
func (s *Session) help(expr string) lang.Bundle {
	if text, ok := s.describe(expr); ok {
		return lang.PlainText(text)
	}
	return lang.PlainText("no help for " + expr + ": not a package member or a variable of this session")
}

// describe says what expr (a name or pkg.Name) is: its type, and its value for a variable.
func (s *Session) describe(expr string) (string, bool) {
	if pkg, name, ok := strings.Cut(expr, "."); ok {
		if path, ok := s.packages[pkg]; ok {
			sym, ok := s.packageSymbols(path)[name]
			if !ok {
				return "", false
			}
			return describeSymbol(expr, sym), true
		}
		v, ok := s.yaegi.Globals()[pkg]
		if !ok || !v.IsValid() {
			return "", false
		}
		if m := methodOrField(v, name); m.IsValid() {
			return describeSymbol(expr, m), true
		}
		return "", false
	}
	if path, ok := s.packages[expr]; ok {
		return "package " + expr + ` "` + path + `"`, true
	}
	if v, ok := s.yaegi.Globals()[expr]; ok && v.IsValid() {
		return fmt.Sprintf("var %s %s = %s", expr, v.Type(), plainValue(v)), true
	}
	return "", false
}

func describeSymbol(expr string, v reflect.Value) string {
	switch {
	case v.Kind() == reflect.Func:
		return expr + ": " + v.Type().String()
	case v.Kind() == reflect.Ptr && v.IsNil() && v.Type().Elem().Kind() != reflect.Ptr:
		// Exported types are held as typed nil pointers.
		return "type " + expr + " " + v.Type().Elem().String()
	}
	return fmt.Sprintf("%s %s = %s", expr, v.Type(), plainValue(v))
}

func plainValue(v reflect.Value) string {
	if !v.CanInterface() {
		return v.String()
	}
	return fmt.Sprint(v.Interface())
}

// methodOrField returns the method or field name of the value held by v.
func methodOrField(v reflect.Value, name string) reflect.Value {
	if m := v.MethodByName(name); m.IsValid() {
		return m
	}
	e := v
	for e.Kind() == reflect.Ptr || e.Kind() == reflect.Interface {
		if e.IsNil() {
			return reflect.Value{}
		}
		e = e.Elem()
	}
	if e.Kind() == reflect.Struct {
		return e.FieldByName(name)
	}
	return reflect.Value{}
}

// packageSymbols returns the exported symbols of an imported package.
func (s *Session) packageSymbols(path string) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	for key, syms := range s.yaegi.Symbols(path) {
		if key != path && !strings.HasPrefix(key, path+"/") {
			continue
		}
		for name, v := range syms {
			if token.IsExported(name) {
				out[name] = v
			}
		}
	}
	return out
}

// Inspect describes the name under the cursor.
func (s *Session) Inspect(code string, cursor int, detail int) lang.Inspection {
	start, end := selectorAround(code, cursor)
	expr := strings.Trim(code[start:end], ".")
	if expr == "" {
		return lang.Inspection{}
	}
	text, ok := s.describe(expr)
	if !ok {
		return lang.Inspection{}
	}
	return lang.Inspection{Found: true, Data: lang.PlainText(text)}
}

// selectorAround returns the byte range of the name or pkg.Name around cursor.
func selectorAround(code string, cursor int) (int, int) {
	if cursor > len(code) {
		cursor = len(code)
	}
	start, end := cursor, cursor
	for start > 0 && isSelectorByte(code[start-1]) {
		start--
	}
	for end < len(code) && isSelectorByte(code[end]) && code[end] != '.' {
		end++
	}
	return start, end
}

func isSelectorByte(b byte) bool {
	return b == '_' || b == '.' || b >= 0x80 || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

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
		prefix = word[dot+1:]
		start += dot + 1
		candidates = s.members(head)
	} else {
		candidates = append(candidates, keywords...)
		candidates = append(candidates, builtins...)
		for name := range s.packages {
			candidates = append(candidates, name)
		}
		for name := range s.yaegi.Globals() {
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

// members lists what can follow "head.": a package's symbols or a variable's methods
// and fields.
func (s *Session) members(head string) []string {
	var names []string
	if path, ok := s.packages[head]; ok {
		for name := range s.packageSymbols(path) {
			names = append(names, name)
		}
		return names
	}
	v, ok := s.yaegi.Globals()[head]
	if !ok || !v.IsValid() {
		return nil
	}
	t := v.Type()
	if v.Kind() == reflect.Interface && !v.IsNil() {
		t = v.Elem().Type()
	}
	for i := 0; i < t.NumMethod(); i++ {
		names = append(names, t.Method(i).Name)
	}
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); f.IsExported() {
				names = append(names, f.Name)
			}
		}
	}
	return names
}

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
