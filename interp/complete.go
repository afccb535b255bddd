package interp

import (
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
		prefix = word[dot+1:]
		start += dot + 1
		candidates = s.members(head)
	} else {
		candidates = append(candidates, keywords...)
		candidates = append(candidates, builtins...)
		for name := range s.packages {
			candidates = append(candidates, name)
		}
		for name := range s.globals() {
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

// members lists what can follow "head.": a package's symbols or a variable's methods
// and fields.
func (s *Session) members(head string) []string {
	var names []string
	if path, ok := s.packages[head]; ok {
		syms, _ := packageSymbols(path)
		for name := range syms {
			names = append(names, name)
		}
		return names
	}
	v, ok := s.globals()[head]
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
