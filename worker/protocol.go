// Package worker runs a lang.Session in a child process, the worker, and supervises it,
// so that the kernel outlives what no recover can catch in a session: a fatal error of
// the Go runtime (goroutines writing one map, unlocking an unlocked mutex), a stack
// overflow, the system's out-of-memory killer, a library calling os.Exit, a cell that
// does not stop when interrupted. The Supervisor reports the end as the cell's error,
// naming what the runtime said, and starts a fresh session at once.
//
// The two processes talk in JSON lines over pipes: requests on the worker's descriptor
// 3, events (a call's output, then its answer) on descriptor 4. What the session's
// goroutines print between cells arrives on descriptors 1 (stdout) and 5 (stderr, the
// worker's os.Stderr) and goes to the last cell's output, as ipykernel does; descriptor 2
// carries only what the Go runtime itself writes there, a fatal error's report.
package worker

import "github.com/gomatcalc/gomatcalc/kernel/lang"

// The worker's descriptors beyond 0, 1 and 2 (exec.Cmd.ExtraFiles, in this order).
const (
	requestsFD = 3
	eventsFD   = 4
	stderrFD   = 5
)

// Methods of a request.
const (
	methodExecute    = "execute"
	methodComplete   = "complete"
	methodInspect    = "inspect"
	methodIsComplete = "is_complete"
	methodInterrupt  = "interrupt" // cancels the running execute of the same ID
	methodInput      = "input"     // answers an input request of the execute of the same ID
)

// request is what the supervisor sends the worker.
type request struct {
	ID      uint64               `json:"id"`
	Method  string               `json:"method"`
	Execute *lang.ExecuteRequest `json:"execute,omitempty"`
	Code    string               `json:"code,omitempty"`
	Cursor  int                  `json:"cursor,omitempty"`
	Detail  int                  `json:"detail,omitempty"`
	Input   *inputReply          `json:"input,omitempty"`
}

// inputRequest asks the front end for a line (lang.Output.Input).
type inputRequest struct {
	Seq      uint64 `json:"seq"`
	Prompt   string `json:"prompt"`
	Password bool   `json:"password,omitempty"`
}

// inputReply answers the inputRequest of the same Seq.
type inputReply struct {
	Seq     uint64 `json:"seq"`
	Text    string `json:"text"`
	Error   string `json:"error,omitempty"`
	NoStdin bool   `json:"no_stdin,omitempty"` // the error is lang.ErrNoStdin
}

// stream is a piece of a cell's stdout or stderr.
type stream struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// event is what the worker sends: an output of the call ID while it runs, or (Done) its
// answer. ID 0 is the worker's own: Ready once the session has loaded, or LoadError, and
// under a memory limit Held, the bytes its Go runtime holds, as that changes.
type event struct {
	ID      uint64        `json:"id"`
	Stream  *stream       `json:"stream,omitempty"`
	Display *lang.Display `json:"display,omitempty"`
	Clear   *bool         `json:"clear,omitempty"`
	Input   *inputRequest `json:"input,omitempty"`

	Done         bool                `json:"done,omitempty"`
	Execute      *lang.ExecuteResult `json:"execute,omitempty"`
	Completion   *lang.Completion    `json:"completion,omitempty"`
	Inspection   *lang.Inspection    `json:"inspection,omitempty"`
	Completeness *lang.Completeness  `json:"completeness,omitempty"`

	Ready     bool   `json:"ready,omitempty"`
	LoadError string `json:"load_error,omitempty"`
	Held      uint64 `json:"held,omitempty"`
}
