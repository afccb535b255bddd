package fidelity

import (
	"bytes"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// LoadYaegi loads yaegi's test programs in dir (yaegi's _test) that end with an
// "// Output:" comment, as yaegi's own TestFile reads them. Programs with "// Error:"
// test yaegi's error messages: out of scope. Each case is the file minus its package
// clause as one cell: the session should run its main once, as go run does.
func LoadYaegi(dir string) ([]Case, error) {
	var cases []Case
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name, _ := filepath.Rel(dir, path)
		c, ok := yaegiCase(name, path, src)
		if ok {
			cases = append(cases, c)
		}
		return nil
	})
	sort.Slice(cases, func(i, j int) bool { return cases[i].Name < cases[j].Name })
	return cases, err
}

// linuxAMD64 is the build context whose files are cases, whatever machine measures.
var linuxAMD64 = func() build.Context {
	c := build.Default
	c.GOOS, c.GOARCH = "linux", "amd64"
	return c
}()

// yaegiCase makes the case of one file; ok is false for a file without "// Output:".
// name is the path relative to _test.
func yaegiCase(name, path string, src []byte) (c Case, ok bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil || len(f.Comments) == 0 {
		return c, false
	}
	// As yaegi's TestFile: the expectation is the file's last comment.
	text := f.Comments[len(f.Comments)-1].Text()
	gopath := strings.HasPrefix(text, "GOPATH:")
	if gopath {
		_, text, _ = strings.Cut(text, "\n")
	}
	want, ok := strings.CutPrefix(text, "Output:\n")
	if !ok {
		return c, false
	}
	// Blank the package clause rather than cut it, so that lines keep their numbers.
	start, end := fset.Position(f.Package).Offset, fset.Position(f.Name.End()).Offset
	cell := string(src[:start]) + strings.Repeat(" ", end-start) + string(src[end:])
	c = Case{Corpus: Yaegi, Name: name, File: path, Cells: []Cell{{Role: "file", Code: cell}},
		Program: string(src), Want: want}
	c.Skip = yaegiSkip(name, path, src, f, gopath)
	return c, true
}

// unfit lists the files that cannot measure fidelity to Go: their expected output is not
// what go run prints (checked with Go 1.26), or they cannot run twice in one process.
var unfit = map[string]string{
	"closure9.go":   goLoopVars,
	"closure10.go":  goLoopVars,
	"closure11.go":  goLoopVars,
	"closure12.go":  goLoopVars,
	"issue-1330.go": "leaves a listener on a fixed port: the second run in the process fails until it is collected",
	// yaegi's restricted mode: log.Fatal and os.Exit panic, os.FindProcess fails.
	"restricted0.go": "expects log.Fatal to panic (yaegi's restricted mode); go run prints the logged line to stderr and exits with status 1, no deferred call run",
	"restricted1.go": "expects os.Exit to panic (yaegi's restricted mode); go run exits with status 1, printing nothing and running no deferred call",
	"restricted2.go": "expects os.FindProcess to fail with \"restricted\" (yaegi's restricted mode); go run prints the *os.Process and <nil>",
	"restricted3.go": "expects a Logger's Fatal to panic (yaegi's restricted mode); go run exits with status 1, printing nothing (the log goes to a buffer) and running no deferred call",
}

const goLoopVars = "expects Go 1.21's loop variable shared by iterations; go run (Go >= 1.22) prints otherwise"

// yaegiSkip says why a file is no case for a notebook, or "": a file of a source package
// in a subdirectory, one that imports such packages, one not built on linux/amd64, or
// one unfit. (An import the session cannot provide is found when the session says so.)
func yaegiSkip(name, path string, src []byte, f *ast.File, gopath bool) string {
	if strings.ContainsRune(name, filepath.Separator) {
		return "in a subdirectory (part of a source package)"
	}
	if gopath {
		return "imports source packages of a GOPATH under _test"
	}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		if strings.HasPrefix(p, "github.com/traefik/yaegi/_test/") {
			return "imports the local source package " + p
		}
	}
	if why, ok := unfit[name]; ok {
		return why
	}
	ctxt := linuxAMD64
	ctxt.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(src)), nil }
	if ok, err := ctxt.MatchFile(filepath.Dir(path), filepath.Base(path)); err == nil && !ok {
		return "build constraints exclude linux/amd64"
	}
	return ""
}
