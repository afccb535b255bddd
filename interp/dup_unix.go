//go:build unix

package interp

import (
	"os"
	"syscall"
)

// dup is a second descriptor of f's file: the session writes to a pipe through its own,
// so that a cell closing os.Stdout does not silence fmt.Print.
func dup(f *os.File) *os.File {
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return f
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), f.Name())
}
