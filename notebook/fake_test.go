package notebook

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// fakeSession runs cells written in a tiny language, one command a line:
//
//	print TEXT / eprint TEXT    a line on stdout / stderr
//	display ID TEXT             a display_data (ID "-" for none)
//	update ID TEXT              replace the display ID
//	clear / clearwait           clear the output, now or at the next output
//	result TEXT                 the cell's value
//	fail LINE:COL MESSAGE       a compile error at that position
//	panic LINE MESSAGE          a panic at that line, as interp words it
//	sleep                       wait until cancelled, then fail as interp does
//	hang                        wait, ignoring cancellation, until release is closed
type fakeSession struct {
	release chan struct{}
	mu      sync.Mutex
	codes   []string // the cells run, in order
}

// ran is how many cells were run.
func (f *fakeSession) ran() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.codes)
}

func (f *fakeSession) Execute(ctx context.Context, req lang.ExecuteRequest, out lang.Output) lang.ExecuteResult {
	f.mu.Lock()
	f.codes = append(f.codes, req.Code)
	f.mu.Unlock()
	var res lang.ExecuteResult
	for _, line := range strings.Split(req.Code, "\n") {
		cmd, arg, _ := strings.Cut(line, " ")
		switch cmd {
		case "print":
			out.Stream("stdout", arg+"\n")
		case "eprint":
			out.Stream("stderr", arg+"\n")
		case "display", "update":
			id, text, _ := strings.Cut(arg, " ")
			if id == "-" {
				id = ""
			}
			out.Display(lang.Display{Data: lang.PlainText(text), ID: id, Update: cmd == "update"})
		case "clear", "clearwait":
			out.Clear(cmd == "clearwait")
		case "result":
			res.Value = lang.Bundle{"text/plain": arg, "text/html": "<b>" + arg + "</b>"}
		case "fail":
			pos, msg, _ := strings.Cut(arg, " ")
			line, col := 0, 0
			fmt.Sscanf(pos, "%d:%d", &line, &col)
			return lang.ExecuteResult{Err: &lang.Error{Name: "CompileError", Value: "line " + pos + ": " + msg, Line: line, Column: col,
				Traceback: []string{"\x1b[31mcompile error\x1b[0m", "line " + pos + ": " + msg}}}
		case "panic":
			n, msg, _ := strings.Cut(arg, " ")
			line, _ := strconv.Atoi(n)
			return lang.ExecuteResult{Err: &lang.Error{Name: "panic", Value: msg, Line: line,
				Traceback: []string{"\x1b[31mpanic: " + msg + "\x1b[0m", "  in f, line 1:1 of cell [1]", "  at line " + n + " of this cell"}}}
		case "sleep":
			<-ctx.Done()
			return lang.ExecuteResult{Err: &lang.Error{Name: "Interrupted", Value: "the cell was interrupted"}}
		case "hang":
			<-f.release
		}
	}
	return res
}

func (f *fakeSession) Complete(code string, cursor int) lang.Completion { return lang.Completion{} }
func (f *fakeSession) Inspect(code string, cursor int, detail int) lang.Inspection {
	return lang.Inspection{}
}
func (f *fakeSession) IsComplete(code string) lang.Completeness { return lang.Completeness{} }

func (f *fakeSession) Info() lang.Info {
	return lang.Info{Implementation: "fake", Language: lang.LanguageInfo{
		Name: "go", Version: "1.26", Mimetype: "text/x-go", FileExtension: ".go"}}
}

// codeNotebook is a notebook of code cells with the given sources.
func codeNotebook(sources ...string) *Notebook {
	nb := &Notebook{Format: 4, FormatMinor: 5, Metadata: map[string]any{}}
	for i, s := range sources {
		nb.Cells = append(nb.Cells, &Cell{ID: "c" + string(rune('a'+i)), Type: Code, Source: s, Metadata: map[string]any{}})
	}
	return nb
}
