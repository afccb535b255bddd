// Package lang is the contract between the Jupyter protocol (package kernel) and a
// language session (package interp), as xeus's xinterpreter is for xeus.
//
// The kernel owns sockets, signing, headers, busy/idle, execution counting and history;
// a Session only runs code and answers questions about it, in plain Go values. A test can
// drive a Session with no sockets at all, and the kernel with a fake Session.
//
// Offsets into code are byte offsets; the kernel converts Jupyter's code points.
package lang

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Session is a language session: the state that cells share and the answers a front end
// asks for. The kernel calls its methods from one goroutine at a time, except that it
// cancels the context of a running Execute from another goroutine (interrupt).
type Session interface {
	// Execute runs one cell. It streams what the cell prints and displays to out while
	// the cell runs and returns when the cell has finished or ctx is cancelled.
	Execute(ctx context.Context, req ExecuteRequest, out Output) ExecuteResult
	// Complete lists completions for the code at the byte offset cursor.
	Complete(code string, cursor int) Completion
	// Inspect describes the object at the byte offset cursor (detail 0 or 1).
	Inspect(code string, cursor int, detail int) Inspection
	// IsComplete says whether code can run as it is or needs more lines.
	IsComplete(code string) Completeness
	// Info describes the language and the implementation for kernel_info.
	Info() Info
}

// Loader is a Session that loads in the background, such as one in a worker process.
// The kernel calls Load once its sockets listen, so that loading never delays a front
// end's first connection.
type Loader interface {
	Load()
}

// Output receives what a running cell shows. It is safe for concurrent use.
type Output interface {
	// Stream sends text to the front end's "stdout" or "stderr" stream. It may be
	// called after Execute has returned, for what a goroutine the cell started prints
	// later; an Output may publish it under the cell, as the kernel does, or drop it.
	Stream(name, text string)
	// Display shows, or with Update replaces, a rich output.
	Display(d Display)
	// Clear clears the cell's output; with wait, only when the next output arrives.
	Clear(wait bool)
	// Input asks the user for a line of text. It returns ErrNoStdin when the request
	// does not allow input and an error when the cell is interrupted meanwhile.
	Input(prompt string, password bool) (string, error)
}

// ErrNoStdin is returned by Output.Input when the front end does not accept input.
var ErrNoStdin = errors.New("stdin is not available: this front end does not accept input")

// Bundle is a MIME bundle: each MIME type maps to its representation (a string for text
// and image types, a JSON-encodable value for JSON types). Every bundle a session
// produces carries "text/plain".
type Bundle map[string]any

// Display is one rich output.
type Display struct {
	Data     Bundle
	Metadata map[string]any
	// ID names the output so that a later Display with Update replaces it.
	ID     string
	Update bool
}

// ExecuteRequest is what a cell execution is asked to do.
type ExecuteRequest struct {
	Code            string
	Silent          bool
	StoreHistory    bool
	AllowStdin      bool
	UserExpressions map[string]string
	// ExecutionCount is the number this execution shows (In [n]).
	ExecutionCount int
}

// ExecuteResult is how a cell ended.
type ExecuteResult struct {
	// Value is the bundle of the cell's value (execute_result), nil for none.
	Value    Bundle
	Metadata map[string]any
	// Err is set when the cell failed or was interrupted.
	Err *Error
	// Page, when set, is shown in the front end's pager (a help request).
	Page Bundle
	// UserExpressions holds the value of each requested user expression.
	UserExpressions map[string]ExpressionResult
}

// ExpressionResult is the value of one user expression, or its error.
type ExpressionResult struct {
	Value Bundle
	Err   *Error
}

// Error is a failed execution as Jupyter shows it.
type Error struct {
	Name      string   // ename, such as "panic" or "CompileError"
	Value     string   // evalue, the one-line message
	Traceback []string // lines shown to the user, ANSI colours allowed
	// Line and Column are where in the failing cell the error is (from 1), 0 when it is
	// nowhere in particular.
	Line, Column int
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }

// Completion is the answer to a complete request.
type Completion struct {
	Matches []string
	// Start and End are the byte offsets of the text the matches replace.
	Start, End int
	Metadata   map[string]any
}

// Inspection is the answer to an inspect request.
type Inspection struct {
	Found bool
	Data  Bundle
}

// Completeness statuses for IsComplete.
const (
	Complete   = "complete"
	Incomplete = "incomplete"
	Invalid    = "invalid"
	Unknown    = "unknown"
)

// Completeness is the answer to an is_complete request.
type Completeness struct {
	Status string // Complete, Incomplete, Invalid or Unknown
	Indent string // with Incomplete: the indent of the next line
}

// Info describes a session's language for kernel_info.
type Info struct {
	Implementation        string
	ImplementationVersion string
	Banner                string
	Language              LanguageInfo
	HelpLinks             []HelpLink
}

// LanguageInfo is kernel_info's language_info.
type LanguageInfo struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	Mimetype       string `json:"mimetype"`
	FileExtension  string `json:"file_extension"`
	PygmentsLexer  string `json:"pygments_lexer"`
	CodemirrorMode string `json:"codemirror_mode"`
}

// HelpLink is one entry of the front end's help menu.
type HelpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// PlainText returns a bundle holding only text/plain.
func PlainText(s string) Bundle { return Bundle{"text/plain": s} }

// Encodable is b without the representations JSON cannot encode (a NaN or an infinity in
// application/json, a func): published as they are, they would lose the whole message.
// What is left always has text/plain, which says what was dropped when it had none.
func (b Bundle) Encodable() Bundle {
	var dropped []string
	for mime, v := range b {
		if _, isText := v.(string); isText {
			continue
		}
		if _, err := json.Marshal(v); err != nil {
			dropped = append(dropped, mime)
		}
	}
	if len(dropped) == 0 {
		return b
	}
	sort.Strings(dropped)
	out := Bundle{}
	for mime, v := range b {
		if !slices.Contains(dropped, mime) {
			out[mime] = v
		}
	}
	if _, ok := out["text/plain"]; !ok {
		out["text/plain"] = "(a value whose " + strings.Join(dropped, ", ") + " form JSON cannot encode)"
	}
	return out
}

// Output limits, the kernel's and a worker's alike: one display or result bigger than
// BundleLimit (all its representations together) is shown as its text/plain cut to
// TextLimit, with a note (Limited); the kernel stops a cell's stream text at TextLimit.
// Notebooks keep every output, and a front end slows to a crawl long before these sizes.
const (
	TextLimit   = 4_000_000
	BundleLimit = 16_000_000
)

// Limited is b.Encodable(), or when that is over BundleLimit its text/plain cut to
// TextLimit and a note.
func (b Bundle) Limited() Bundle {
	b = b.Encodable()
	size := 0
	for _, v := range b {
		if s, ok := v.(string); ok {
			size += len(s)
		} else if data, err := json.Marshal(v); err == nil {
			size += len(data)
		}
	}
	if size <= BundleLimit {
		return b
	}
	text, _ := b["text/plain"].(string)
	if len(text) > TextLimit {
		cut := TextLimit
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	note := fmt.Sprintf("[gomatcalc: an output of %s is over the limit of %d MB; only its text is shown", ByteSize(size), BundleLimit/1_000_000)
	if text != b["text/plain"] {
		note += ", cut"
	}
	return Bundle{"text/plain": text + "\n" + note + "]"}
}

// ByteSize is n bytes for people.
func ByteSize(n int) string {
	switch {
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}
