package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"reflect"
	"strings"
	"unicode"

	"github.com/gomatcalc/gomatcalc/interp/internal/engine"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
	"github.com/gomatcalc/gomatcalc/stdlib"
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
			syms, _ := packageSymbols(path)
			sym, ok := syms[name]
			if !ok {
				return "", false
			}
			if d, ok := stdlib.Doc(path, name); ok {
				return d, true
			}
			return s.describeSymbol(expr, sym), true
		}
		v, ok := s.engine.Globals()[pkg]
		if !ok || !v.IsValid() {
			return "", false
		}
		if d, ok := s.cellMethodDoc(v.Type(), name); ok {
			return d, true
		}
		if m := methodOrField(v, name); m.IsValid() {
			if d, ok := methodDoc(v.Type(), name); ok {
				return d, true
			}
			return s.describeSymbol(expr, m), true
		}
		return "", false
	}
	if path, ok := s.packages[expr]; ok {
		return "package " + expr + ` "` + path + `"`, true
	}
	if o, ok := s.funcs[expr]; ok {
		return fmt.Sprintf("%s\n\n(declared at line %d of cell [%d])", o.signature, o.line, o.count), true
	}
	if v, ok := s.engine.Globals()[expr]; ok && v.IsValid() {
		if v.Kind() == reflect.Func {
			// Its value would print as an address.
			return fmt.Sprintf("var %s %s", expr, s.typeString(v.Type())), true
		}
		value := s.plainValue(v)
		if strings.Contains(value, "\n") {
			value = "\n" + value
		}
		return fmt.Sprintf("var %s %s = %s", expr, s.typeString(v.Type()), value), true
	}
	return "", false
}

// describeMember says what method or field name of head's type is (see typeOf).
func (s *Session) describeMember(head, name string) (string, bool) {
	e, err := parser.ParseExpr(head)
	if err != nil {
		return "", false
	}
	t := s.typeOf(e)
	if t == nil {
		return "", false
	}
	if d, ok := methodDoc(t, name); ok {
		return d, true
	}
	if d, ok := s.cellMethodDoc(t, name); ok {
		return d, true
	}
	if m, ok := t.MethodByName(name); ok {
		return name + ": " + m.Type.String(), true
	}
	return "", false
}

// cellMethodDoc is the declaration of method name of a cell type t (or *t), as the cell
// wrote it.
func (s *Session) cellMethodDoc(t reflect.Type, name string) (string, bool) {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	for _, cellType := range s.typeNames[t] {
		if sig, ok := s.methodSigs[cellType+"."+name]; ok {
			return sig, true
		}
	}
	return "", false
}

// methodDoc is the documentation of method name of a compiled type t (or *t).
func methodDoc(t reflect.Type, name string) (string, bool) {
	for t.Kind() == reflect.Ptr {
		t = t.Elem()
	}
	if t.PkgPath() == "" {
		return "", false
	}
	return stdlib.Doc(t.PkgPath(), t.Name()+"."+name)
}

func (s *Session) describeSymbol(expr string, v reflect.Value) string {
	switch {
	case v.Kind() == reflect.Func:
		return expr + ": " + v.Type().String()
	case v.Kind() == reflect.Ptr && v.IsNil() && v.Type().Elem().Kind() != reflect.Ptr:
		// Exported types are held as typed nil pointers.
		return "type " + expr + " " + v.Type().Elem().String()
	}
	return fmt.Sprintf("%s %s = %s", expr, v.Type(), s.plainValue(v))
}

// typeString is t as a cell writes it: a cell's type by its name, where yaegi's reflect
// type spells out the struct.
func (s *Session) typeString(t reflect.Type) string {
	if names := s.typeNames[t]; len(names) == 1 {
		return names[0]
	}
	switch t.Kind() {
	case reflect.Ptr:
		return "*" + s.typeString(t.Elem())
	case reflect.Slice:
		return "[]" + s.typeString(t.Elem())
	}
	return t.String()
}

// plainValue is v's text as a cell showing it would print it (a matrix in aligned
// columns, cut when large).
func (s *Session) plainValue(v reflect.Value) string {
	if !v.CanInterface() {
		return v.String()
	}
	if text, ok := s.disp.Render(v.Interface())["text/plain"].(string); ok {
		return text
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

// packageSymbols returns the exported compiled symbols of the package at path, and
// whether the session has the package at all. It reads the symbol tables the session
// loaded, not yaegi's Symbols, which panics on the generic source packages (slices, maps).
func packageSymbols(path string) (map[string]reflect.Value, bool) {
	for _, table := range []map[string]map[string]reflect.Value{engine.StdlibSymbols(), stdlib.Symbols} {
		syms, ok := table[path+"/"+packageName(path)]
		if !ok {
			continue
		}
		out := map[string]reflect.Value{}
		for name, v := range syms {
			if token.IsExported(name) {
				out[name] = v
			}
		}
		return out, true
	}
	return nil, false
}

// Inspect describes what Shift-Tab asks about: the function of the call the cursor is in
// (its parentheses, after a comma), as IPython does, unless the cursor is on a name that
// is called itself; otherwise the name under the cursor.
func (s *Session) Inspect(code string, cursor int, detail int) lang.Inspection {
	if cursor > len(code) {
		cursor = len(code)
	}
	_, end := selectorAround(code, cursor)
	called := end < len(code) && code[end] == '('
	if !called {
		if paren, ok := callAround(code, cursor); ok {
			if text, ok := s.describeRange(code, paren); ok {
				return lang.Inspection{Found: true, Data: lang.PlainText(text)}
			}
		}
	}
	if text, ok := s.describeRange(code, cursor); ok {
		return lang.Inspection{Found: true, Data: lang.PlainText(text)}
	}
	return lang.Inspection{}
}

// describeRange describes the name or pkg.Name around cursor, or the method after a call
// or an index that ends there.
func (s *Session) describeRange(code string, cursor int) (string, bool) {
	start, end := selectorAround(code, cursor)
	expr := strings.Trim(code[start:end], ".")
	if expr == "" {
		return "", false
	}
	if code[start] == '.' && !strings.Contains(expr, ".") {
		// A method after a call or an index: matcalc.D(f, x).Apply
		return s.describeMember(exprBefore(code, start), expr)
	}
	return s.describe(expr)
}

// callAround returns the offset of the "(" of the innermost call whose arguments hold
// cursor: it reads the tokens before cursor (strings and comments skipped), through index
// brackets and composite literals of slice and map types, and stops at a block.
func callAround(code string, cursor int) (int, bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, cursor)
	var sc scanner.Scanner
	sc.Init(file, []byte(code[:cursor]), func(token.Position, string) {}, 0)
	var open []int // offsets of the unclosed brackets
	for {
		pos, tok, _ := sc.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			open = append(open, file.Offset(pos))
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(open) > 0 {
				open = open[:len(open)-1]
			}
		}
	}
	for i := len(open) - 1; i >= 0; i-- {
		at := open[i]
		switch code[at] {
		case '(':
			before := strings.TrimRight(code[:at], " \t")
			if before == "" {
				return 0, false
			}
			if c := before[len(before)-1]; c == ')' || c == ']' || isSelectorByte(c) && c != '.' {
				if !isKeyword(lastWord(before)) {
					return len(before), true
				}
			}
			return 0, false
		case '{':
			t, err := parser.ParseExpr(exprBefore(code, at))
			if err != nil {
				return 0, false
			}
			switch t.(type) {
			case *ast.ArrayType, *ast.MapType:
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

// lastWord is the name code ends with.
func lastWord(code string) string {
	i := len(code)
	for i > 0 && isSelectorByte(code[i-1]) && code[i-1] != '.' {
		i--
	}
	return code[i:]
}

func isKeyword(word string) bool { return token.Lookup(word).IsKeyword() }

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
