package worker

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/gomatcalc/gomatcalc/internal/limits"
	"github.com/gomatcalc/gomatcalc/kernel/lang"
)

// crashLimit is how much of the worker's descriptor 2 is kept: a fatal error's report
// starts with its message, then dumps every goroutine (thousands of lines).
const crashLimit = 64 << 10

// crashReport keeps the start of what the Go runtime wrote to the worker's descriptor 2.
type crashReport struct {
	mu   sync.Mutex
	text bytes.Buffer
}

func (c *crashReport) readFrom(r io.ReadCloser) {
	defer r.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		c.mu.Lock()
		if room := crashLimit - c.text.Len(); room > 0 {
			c.text.Write(buf[:min(n, room)])
		}
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}

func (c *crashReport) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.text.String()
}

// endError says how the worker ended: the Go runtime's own message when it wrote one,
// otherwise the way the process ended.
func (p *process) endError(waitErr error) *lang.Error {
	name, msg := runtimeMessage(p.crash.String())
	var hint string
	switch {
	case p.killed != nil:
		name, msg, hint = p.killed.name, p.killed.msg, p.killed.hint
	case name != "":
		hint = crashHint(msg, p.sup.opts.Limits)
	default:
		name, msg = "SessionEnded", exitMessage(waitErr)
		hint = crashHint(msg, p.sup.opts.Limits)
	}
	tb := []string{red + name + ": " + msg + reset}
	if hint != "" {
		tb = append(tb, hint)
	}
	tb = append(tb, "",
		"The Go session has ended and a fresh one has started: the variables, functions and",
		"imports of earlier cells are gone. Run the cells this one needs again.")
	return &lang.Error{Name: name, Value: msg, Traceback: tb}
}

// runtimeMessage finds the message of a Go runtime's crash report: "fatal error: MSG"
// (name "fatal error") or "panic: MSG" (a panic no one recovered, name "panic").
func runtimeMessage(report string) (name, msg string) {
	lines := strings.Split(report, "\n")
	for _, prefix := range []string{"fatal error: ", "panic: "} {
		for i, line := range lines {
			if !strings.HasPrefix(line, prefix) {
				continue
			}
			msg = strings.TrimPrefix(line, prefix)
			if prefix == "panic: " {
				// A panic's value may run over several lines, up to the goroutine dump;
				// the runtime indents the later ones with a tab.
				for _, more := range lines[i+1:] {
					if more == "" || strings.HasPrefix(more, "goroutine ") {
						break
					}
					msg += "\n" + strings.TrimPrefix(more, "\t")
				}
			}
			return strings.TrimSuffix(prefix, ": "), msg
		}
	}
	return "", ""
}

// exitMessage says how a process ended that left no report.
func exitMessage(waitErr error) string {
	var exit *exec.ExitError
	if !errors.As(waitErr, &exit) {
		if waitErr == nil {
			return "the Go session exited (status 0) in the middle of its work"
		}
		return "the Go session ended: " + waitErr.Error()
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		if ws.Signal() == syscall.SIGKILL {
			return "the Go session was killed (signal SIGKILL; most often the system ran out of memory and killed the largest process)"
		}
		return fmt.Sprintf("the Go session was ended by signal %s", ws.Signal())
	}
	return fmt.Sprintf("the Go session exited with status %d (compiled code called os.Exit)", exit.ExitCode())
}

// crashHint says what usually causes a runtime error a cell cannot recover from.
func crashHint(msg string, lim limits.Limits) string {
	switch {
	case strings.Contains(msg, "concurrent map"):
		return "Goroutines used one map at the same time: guard it with a sync.Mutex, or give each goroutine its own."
	case strings.Contains(msg, "unlock of unlocked"):
		return "Unlock was called on a mutex that was not locked: pair each Unlock with a Lock."
	case strings.Contains(msg, "stack overflow"):
		return "A recursion never ended (through a func held in a variable, field, slice or map, which the session's depth check does not see): check its base case."
	case strings.Contains(msg, "out of memory"):
		return "The cell asked for more memory than " + lim.MemoryText() + " allows."
	}
	return ""
}
