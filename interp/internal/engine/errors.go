package engine

import (
	"fmt"
	"go/token"
	"io"
	"regexp"
	"strconv"
	"sync"
)

// Kind says when an error was found.
type Kind int

const (
	Compile     Kind = iota // before the unit ran
	Panic                   // while it ran
	Interrupted             // the run's context was done
	Exit                    // the unit called os.Exit (Value is the code)
)

// Error is an error of a unit, with where it happened.
type Error struct {
	Kind Kind
	Pos  token.Position // Line 0: unknown
	Msg  string
	// Value is a panic's value.
	Value any
	// Frames are the interpreted calls a panic unwound, innermost first, and More how
	// many were left out.
	Frames []Frame
	More   int
	// Internal marks a panic of yaegi's compiler: a bug of the interpreter, not of the
	// cell (the session may try a rewrite that avoids it).
	Internal bool
}

func (e *Error) Error() string {
	if e.Pos.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Column, e.Msg)
	}
	return e.Msg
}

// Frame is one interpreted call a panic unwound through.
type Frame struct {
	Func string // "f", "T.m"; "main" for the cell's own statements
	Pos  token.Position
}

// maxFrames bounds a traceback: runaway recursion unwinds through thousands of frames.
const maxFrames = 12

// frameRecorder is the interpreter's stderr: yaegi prints a line "L:C: panic: main.f(...)"
// there for each frame a panic unwinds; the recorder keeps those as frames and passes
// everything else on.
type frameRecorder struct {
	w      io.Writer
	mu     sync.Mutex
	frames []Frame
	more   int
}

var panicLine = regexp.MustCompile(`^(?:` + regexp.QuoteMeta(FileName) + `:)?(?:(\d+):(\d+)|-): panic: (.*)\(\.\.\.\)\n?$`)

var liftedName = regexp.MustCompile(regexp.QuoteMeta(LitPrefix) + `\d+\.`)

func (r *frameRecorder) Write(p []byte) (int, error) {
	m := panicLine.FindSubmatch(p)
	if m == nil {
		if r.w == nil {
			return len(p), nil
		}
		return r.w.Write(p)
	}
	line, _ := strconv.Atoi(string(m[1]))
	col, _ := strconv.Atoi(string(m[2]))
	fn := string(m[3])
	if len(fn) > 5 && fn[:5] == "main." {
		fn = fn[5:]
	}
	// A literal LiftFuncLits moved is the cell's "func", as it was written.
	fn = liftedName.ReplaceAllString(fn, "")
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.frames) < maxFrames {
		r.frames = append(r.frames, Frame{Func: fn, Pos: token.Position{Line: line, Column: col}})
	} else {
		r.more++
	}
	return len(p), nil
}

func (r *frameRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames, r.more = nil, 0
}

func (r *frameRecorder) list() ([]Frame, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Frame(nil), r.frames...), r.more
}
