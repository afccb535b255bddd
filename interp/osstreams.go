package interp

import "os"

// writerFunc adapts a function to io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// osStdout and osStderr write to the process's streams as they are at the time of the
// write (capture swaps them while a cell runs).
func osStdout(p []byte) (int, error) { return os.Stdout.Write(p) }
func osStderr(p []byte) (int, error) { return os.Stderr.Write(p) }
